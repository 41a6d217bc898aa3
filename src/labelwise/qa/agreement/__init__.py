"""Inter-annotator agreement: one entry point, :func:`agreement`, over long-format data.

Measures (``metric=``):

============================ ============================================================
``"percent_agreement"``       share of agreeing annotator pairs per item, averaged
``"cohen_kappa"``             Cohen 1960/1968, two annotators (or Light's mean over pairs);
                              ``weights=None | "linear" | "quadratic"``
``"fleiss_kappa"``            Fleiss 1971, any number of annotators
``"krippendorff_alpha"``      Krippendorff 2011; ``level="nominal" | "ordinal" | "interval" |
                              "ratio"``; missing data allowed
``"span_f1"``                 text spans, ``match="exact" | "overlap"``
``"box_f1"``                  boxes, Hungarian IoU matching, ``iou_threshold=0.5`` or ``"0.5:0.95"``
``"time_f1"``                 time ranges, 1-D IoU matching, same thresholds
``"polygon_f1"``              polygons, exact polygon IoU matching, same thresholds
============================ ============================================================
"""

from __future__ import annotations

from os import PathLike
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from labelwise.qa.agreement.cohen import cohen_statistic
from labelwise.qa.agreement.fleiss import fleiss_statistic, percent_agreement_statistic
from labelwise.qa.agreement.krippendorff import krippendorff_alpha_matrix, krippendorff_statistic
from labelwise.qa.agreement.regions import region_statistic
from labelwise.qa.agreement.result import AgreementResult, bootstrap_ci
from labelwise.qa.agreement.tables import pairwise_table, per_label_table
from labelwise.qa.data import encode, item_value_counts, read_long
from labelwise.qa.errors import QAError

__all__ = [
    "METRICS",
    "AgreementResult",
    "agreement",
    "agreement_per_label",
    "krippendorff_alpha_matrix",
    "pairwise_agreement",
]

METRICS = (
    "krippendorff_alpha",
    "fleiss_kappa",
    "cohen_kappa",
    "percent_agreement",
    "span_f1",
    "box_f1",
    "time_f1",
    "polygon_f1",
)
_REGION_KIND = {"span_f1": "span", "box_f1": "box", "time_f1": "time", "polygon_f1": "polygon"}

Data = pd.DataFrame | str | PathLike[str]


@overload
def agreement(
    data: Data,
    metric: str = ...,
    *,
    level: str = ...,
    weights: str | None = ...,
    annotators: tuple[Any, Any] | None = ...,
    match: str = ...,
    iou_threshold: float | str = ...,
    item_col: str = ...,
    annotator_col: str = ...,
    label_col: str = ...,
    classes: Any = ...,
    ci: Literal[False] = ...,
    n_boot: int = ...,
    confidence: float = ...,
    random_state: int | np.random.Generator | None = ...,
) -> float: ...


@overload
def agreement(
    data: Data,
    metric: str = ...,
    *,
    level: str = ...,
    weights: str | None = ...,
    annotators: tuple[Any, Any] | None = ...,
    match: str = ...,
    iou_threshold: float | str = ...,
    item_col: str = ...,
    annotator_col: str = ...,
    label_col: str = ...,
    classes: Any = ...,
    ci: Literal[True],
    n_boot: int = ...,
    confidence: float = ...,
    random_state: int | np.random.Generator | None = ...,
) -> AgreementResult: ...


def agreement(
    data: Data,
    metric: str = "krippendorff_alpha",
    *,
    level: str = "nominal",
    weights: str | None = None,
    annotators: tuple[Any, Any] | None = None,
    match: str = "overlap",
    iou_threshold: float | str = 0.5,
    item_col: str = "item",
    annotator_col: str = "annotator",
    label_col: str = "label",
    classes: Any = None,
    ci: bool = False,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = None,
) -> float | AgreementResult:
    """Agreement between annotators on long-format data (a DataFrame or a CSV path).

    Args:
        data: one row per (item, annotator, label); a missing label is an absent row.
        metric: one of :data:`METRICS`.
        level: Krippendorff's level of measurement (``nominal``, ``ordinal``, ``interval``, ``ratio``).
        weights: Cohen's kappa disagreement weights: ``None``, ``"linear"`` or ``"quadratic"``.
        annotators: for Cohen's kappa, the two annotators to compare (default: the only two, or the
            mean over all pairs when there are more).
        match: span matching, ``"exact"`` or ``"overlap"``.
        iou_threshold: box / time-range / polygon IoU threshold, or ``"0.5:0.95"`` for the COCO average.
        item_col, annotator_col, label_col: column names.
        classes: category order (ordinal data, Cohen's weights); default the sorted labels.
        ci: also compute a bootstrap percentile interval over items.
        n_boot, confidence, random_state: bootstrap settings.

    Returns:
        The value as a float, or an :class:`AgreementResult` (value, ``ci_low``, ``ci_high``, ...) when
        ``ci=True``.

    Raises:
        QAError: unknown metric, or the measure is undefined on the data (one annotator, one category,
            no item labelled twice).
    """
    if metric not in METRICS:
        raise QAError(f"unknown metric {metric!r}; expected one of {METRICS}")
    cols = {"item_col": item_col, "annotator_col": annotator_col, "label_col": label_col}
    if metric in _REGION_KIND:
        statistic, n_items, n_annotators = region_statistic(
            read_long(data, **cols),
            kind=_REGION_KIND[metric],
            match_mode=match,
            iou_threshold=iou_threshold,
            **cols,
        )
    elif metric == "krippendorff_alpha":
        # alpha needs only the items x values counts: no Encoded, annotators hashed for the repeat check only
        df = read_long(data, **cols)
        counts, items, values = item_value_counts(df, classes=classes, **cols)
        statistic = krippendorff_statistic(counts, values, level=level)
        n_items = len(items)
        n_annotators = int(df[annotator_col].nunique()) if ci else 0
    else:
        enc = encode(data, classes=classes, **cols)
        n_items, n_annotators = enc.n_items, enc.n_annotators
        if metric == "fleiss_kappa":
            statistic = fleiss_statistic(enc)
        elif metric == "cohen_kappa":
            statistic = cohen_statistic(enc, weights=weights, annotators=annotators)
        else:
            statistic = percent_agreement_statistic(enc)
    value = statistic(None)
    if not ci:
        return value
    low, high, n_valid = bootstrap_ci(
        statistic, n_items, n_boot=n_boot, confidence=confidence, random_state=random_state
    )
    return AgreementResult(
        metric=metric,
        value=value,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        n_boot=n_boot,
        n_boot_valid=n_valid,
        n_items=n_items,
        n_annotators=n_annotators,
    )


def pairwise_agreement(
    data: Data,
    metric: str = "cohen_kappa",
    *,
    weights: str | None = None,
    item_col: str = "item",
    annotator_col: str = "annotator",
    label_col: str = "label",
    classes: Any = None,
) -> pd.DataFrame:
    """Annotator x annotator matrix of Cohen's kappa or percent agreement (NaN: no shared items)."""
    enc = encode(data, item_col=item_col, annotator_col=annotator_col, label_col=label_col, classes=classes)
    return pairwise_table(enc, metric=metric, weights=weights)


def agreement_per_label(
    data: Data,
    *,
    item_col: str = "item",
    annotator_col: str = "annotator",
    label_col: str = "label",
    classes: Any = None,
) -> pd.DataFrame:
    """Per category: ``n_labels``, ``specific_agreement`` and category ``kappa`` (Fleiss 1971)."""
    enc = encode(data, item_col=item_col, annotator_col=annotator_col, label_col=label_col, classes=classes)
    return per_label_table(enc)
