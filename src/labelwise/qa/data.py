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
import scipy.sparse as sp

from labelwise.qa.errors import QAError

__all__ = ["Encoded", "encode", "item_value_counts", "read_long", "repeated_pairs"]

_DENSE_LIMIT = 20_000_000


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


def _column(df: pd.DataFrame, col: str) -> np.ndarray | pd.Series:
    """A numpy array for numpy-typed columns; the Series itself otherwise (strings stay Arrow-backed:
    ``pd.factorize`` dictionary-encodes them without a detour through Python objects)."""
    series = df[col]
    return series.to_numpy() if isinstance(series.dtype, np.dtype) and series.dtype != object else series


def _int_codes(arr: np.ndarray | pd.Series) -> tuple[np.ndarray, int, int] | None:
    """``(arr - lo, lo, span)`` for integers spanning at most ``4 n + 1024`` values, else ``None``.

    The codes are not compacted (values absent from ``lo..hi`` leave gaps): callers that need compact
    codes drop the gaps from a table they build anyway. No hashing; no copy when ``lo == 0``.
    """
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "iu" or not arr.size:
        return None
    lo, hi = int(arr.min()), int(arr.max())
    span = hi - lo + 1
    if span > 4 * arr.size + 1024 or hi > np.iinfo(np.intp).max:
        return None
    if arr.dtype == np.intp and lo == 0:
        return arr, lo, span
    codes = arr.astype(np.intp, copy=False)
    return (codes - lo if lo else codes), lo, span


def _factorize(values: np.ndarray | pd.Series, *, sort: bool) -> tuple[np.ndarray, np.ndarray]:
    """Compact integer codes and uniques; small-range integers skip hashing (a "present" mask remaps them)."""
    fast = _int_codes(values)
    if fast is not None:
        shifted, lo, span = fast
        present = np.zeros(span, dtype=bool)
        present[shifted] = True
        if present.all():  # already compact: the shifted values are the codes
            return shifted, np.arange(lo, lo + span, dtype=values.dtype)
        remap = np.cumsum(present) - 1
        return remap[shifted], np.flatnonzero(present) + lo
    codes, uniques = pd.factorize(values, sort=sort)
    return codes.astype(np.intp, copy=False), np.asarray(uniques)


def _label_codes(labels: np.ndarray | pd.Series, classes: Any, label_col: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes into the sorted distinct labels (or into ``classes`` when given) and those classes."""
    if classes is not None:
        classes_arr = np.asarray(list(classes))
        lookup = pd.Index(classes_arr)
        if not lookup.is_unique:
            raise QAError("classes must be distinct")
        label = lookup.get_indexer(labels)
        if (label < 0).any():
            bad = pd.unique(np.asarray(labels)[label < 0])[:5]
            raise QAError(f"labels not among the given classes: {list(bad)}")
        return label.astype(np.intp), classes_arr
    label, uniq = _factorize(labels, sort=True)
    if uniq.dtype == object:
        try:
            order = np.argsort(uniq, kind="stable")
        except TypeError as exc:
            raise QAError(f"labels of mixed, unorderable types in column {label_col!r}") from exc
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        label, uniq = rank[label], uniq[order]
    return label, uniq


def repeated_pairs(item: np.ndarray, annotator: np.ndarray, n_annotators: int) -> np.ndarray | None:
    """Mask of repeated (item, annotator) rows after their first occurrence, or ``None`` if there are none.

    One combined int64 key ``item * n_annotators + annotator``; distinctness is checked without hashing:
    a strictly increasing key (data sorted by item, then annotator) needs one comparison pass, otherwise
    a boolean "seen" array over the key range (or a sort, for a sparse key range) counts distinct keys.
    Only when repeats exist are the first occurrences located (``pd.Index.duplicated``).
    """
    n = len(item)
    if n < 2:
        return None
    key = item.astype(np.int64, copy=False) * max(n_annotators, 1) + annotator
    if bool((key[1:] > key[:-1]).all()):
        return None
    span = int(key.max()) + 1
    if span <= 8 * n + 1024:
        seen = np.zeros(span, dtype=bool)
        seen[key] = True
        distinct = int(np.count_nonzero(seen))
    else:
        ordered = np.sort(key)
        distinct = int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1
    if distinct == n:
        return None
    return pd.Index(key).duplicated(keep="first")


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
    item, items = _factorize(_column(df, item_col), sort=False)
    annotator, annotators = _factorize(_column(df, annotator_col), sort=False)
    label, classes_arr = _label_codes(_column(df, label_col), classes, label_col)
    repeated = repeated_pairs(item, annotator, len(annotators))
    if repeated is not None:
        if not drop_duplicates:
            raise QAError("an annotator labelled the same item more than once")
        keep = ~repeated
        item, annotator, label = item[keep], annotator[keep], label[keep]
    return Encoded(item, annotator, label, items, annotators, classes_arr)


def item_value_counts(
    data: pd.DataFrame | str | PathLike[str],
    *,
    item_col: str = "item",
    annotator_col: str = "annotator",
    label_col: str = "label",
    classes: Any = None,
) -> tuple[np.ndarray | sp.csr_matrix, np.ndarray, np.ndarray]:
    """``(counts, items, classes)``: the items x classes matrix of label counts, built in one pass.

    The same table as ``encode(...).counts()`` (same item order, same classes, repeated (item, annotator)
    pairs counted once), without materialising an :class:`Encoded`: annotators are only hashed for the
    repeat check and never compacted, and integer item ids of small range are used as row numbers
    directly (absent ids give empty rows, dropped at the end). Sparse (CSR) when the dense table would
    exceed 20 million cells.
    """
    df = read_long(data, item_col=item_col, annotator_col=annotator_col, label_col=label_col)
    if len(df) == 0:
        raise QAError("no labels: the data has no rows with a label")
    raw_items = _column(df, item_col)
    fast_items = _int_codes(raw_items)
    if fast_items is None:
        item, items = _factorize(raw_items, sort=False)
        n_rows, gaps = len(items), False
    else:
        item, lo, n_rows = fast_items
        items, gaps = np.arange(lo, lo + n_rows, dtype=raw_items.dtype), True
    raw_annotators = _column(df, annotator_col)
    fast_annotators = _int_codes(raw_annotators)
    if fast_annotators is None:
        annotator, uniq = _factorize(raw_annotators, sort=False)
        n_annotators = len(uniq)
    else:
        annotator, _, n_annotators = fast_annotators
    label, classes_arr = _label_codes(_column(df, label_col), classes, label_col)
    repeated = repeated_pairs(item, annotator, n_annotators)
    if repeated is not None:
        item, label = item[~repeated], label[~repeated]
    v = len(classes_arr)
    if n_rows * v <= _DENSE_LIMIT:
        counts: np.ndarray | sp.csr_matrix = np.bincount(item * v + label, minlength=n_rows * v).reshape(
            n_rows, v
        )
        present = counts.any(axis=1) if gaps else None
    else:
        counts = sp.csr_matrix((np.ones(len(item)), (item, label)), shape=(n_rows, v))
        present = np.diff(counts.indptr) > 0 if gaps else None
    if present is not None and not present.all():
        counts, items = counts[present], items[present]
    return counts, items, classes_arr
