"""Long-format annotation data: validation and integer encoding shared by agreement and aggregation.

Glossary (used throughout :mod:`labelwise.qa`):

- *item*: the thing being labelled (a unit, in Krippendorff's vocabulary);
- *annotator*: who labelled it (a coder, rater or worker);
- *label*: the value given (a category, or a number for ordinal / interval / ratio data);
- *long format*: one row per (item, annotator, label).
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from labelwise.qa.errors import QAError

__all__ = ["Encoded", "encode", "read_long"]


def read_long(
    data: pd.DataFrame | str | PathLike[str],
    *,
    item_col: str = "item",
    annotator_col: str = "annotator",
    label_col: str = "label",
) -> pd.DataFrame:
    """Return a DataFrame with the three columns, reading ``data`` as CSV when it is a path.

    Rows with a missing label are dropped (missing data is simply an absent row in long format).
    """
    if isinstance(data, str | PathLike):
        data = pd.read_csv(data)
    if not isinstance(data, pd.DataFrame):
        raise QAError(f"expected a pandas DataFrame or a CSV path, got {type(data).__name__}")
    missing = [c for c in (item_col, annotator_col, label_col) if c not in data.columns]
    if missing:
        raise QAError(
            f"column(s) {missing} not found; available columns: {list(data.columns)}. "
            "Use item_col=, annotator_col=, label_col= to name them."
        )
    df = data[[item_col, annotator_col, label_col]]
    if df[label_col].isna().any():
        df = df[df[label_col].notna()]
    return df


def _factorize(values: np.ndarray | pd.Series, *, sort: bool) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and uniques; a bincount fast path for small-range integers (O(n), no hashing)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu" and arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if hi - lo <= 4 * arr.size + 1024:
            shifted = (arr - lo).astype(np.intp, copy=False)
            present = np.bincount(shifted, minlength=hi - lo + 1) > 0
            if present.all():  # already compact: the shifted values are the codes
                return shifted, np.arange(lo, hi + 1, dtype=arr.dtype)
            remap = np.cumsum(present) - 1
            return remap[shifted], np.flatnonzero(present) + lo
    codes, uniques = pd.factorize(arr, sort=sort)
    return codes.astype(np.intp, copy=False), np.asarray(uniques)


@dataclass(frozen=True)
class Encoded:
    """Integer-coded long-format data.

    ``item[n]``, ``annotator[n]``, ``label[n]`` are codes into ``items``, ``annotators``, ``classes``
    (``classes`` is sorted, so label order is the natural order for ordinal data).
    """

    item: np.ndarray
    annotator: np.ndarray
    label: np.ndarray
    items: np.ndarray
    annotators: np.ndarray
    classes: np.ndarray

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_annotators(self) -> int:
        return len(self.annotators)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def counts(self, weights: np.ndarray | None = None) -> np.ndarray:
        """Items x classes matrix of (weighted) label counts."""
        k = self.n_classes
        flat = np.bincount(self.item * k + self.label, weights=weights, minlength=self.n_items * k)
        return flat.reshape(self.n_items, k)


def encode(
    data: pd.DataFrame | str | PathLike[str],
    *,
    item_col: str = "item",
    annotator_col: str = "annotator",
    label_col: str = "label",
    classes: Any = None,
    drop_duplicates: bool = True,
) -> Encoded:
    """Validate and integer-encode long-format data.

    ``classes`` fixes the category order (and lets categories absent from the data count); by default the
    sorted distinct labels. A repeated (item, annotator) pair keeps its first label when
    ``drop_duplicates`` (a coder rates a unit once), otherwise raises :class:`QAError`.
    """
    df = read_long(data, item_col=item_col, annotator_col=annotator_col, label_col=label_col)
    if len(df) == 0:
        raise QAError("no labels: the data has no rows with a label")
    item, items = _factorize(df[item_col].to_numpy(), sort=False)
    annotator, annotators = _factorize(df[annotator_col].to_numpy(), sort=False)
    if classes is None:
        label, uniq = _factorize(df[label_col].to_numpy(), sort=True)
        if uniq.dtype == object:
            try:
                order = np.argsort(uniq, kind="stable")
            except TypeError as exc:
                raise QAError(f"labels of mixed, unorderable types in column {label_col!r}") from exc
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            label, uniq = rank[label], uniq[order]
        classes_arr = uniq
    else:
        classes_arr = np.asarray(list(classes))
        lookup = pd.Index(classes_arr)
        if not lookup.is_unique:
            raise QAError("classes must be distinct")
        label = lookup.get_indexer(df[label_col].to_numpy())
        if (label < 0).any():
            bad = pd.unique(df[label_col].to_numpy()[label < 0])[:5]
            raise QAError(f"labels not among the given classes: {list(bad)}")
        label = label.astype(np.intp)
    pair = item.astype(np.int64) * max(len(annotators), 1) + annotator
    if len(pair) > 1:
        first = pd.Index(pair).duplicated(keep="first") if not _unique_fast(pair) else None
        if first is not None and first.any():
            if not drop_duplicates:
                raise QAError("an annotator labelled the same item more than once")
            keep = ~first
            item, annotator, label = item[keep], annotator[keep], label[keep]
    return Encoded(item, annotator, label, items, annotators, classes_arr)


def _unique_fast(pair: np.ndarray) -> bool:
    """True when all (item, annotator) pairs are distinct (the usual case), checked by bincount if small."""
    hi = int(pair.max())
    if hi <= 8 * pair.size + 1024:
        return bool(np.bincount(pair).max() <= 1)
    return bool(pd.Index(pair).is_unique)
