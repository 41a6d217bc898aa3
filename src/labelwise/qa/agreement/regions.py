r"""Agreement on regions: span F1 (exact or overlap), box and time-range F1 at IoU thresholds.

For two annotators with region sets :math:`A` and :math:`B` on an item and :math:`M` matched pairs
(see :mod:`labelwise.qa.geometry`: one-to-one, same label, maximal total IoU),
:math:`F_1 = 2M / (|A| + |B|)` (symmetric: precision of one is recall of the other; Hripcsak &
Rothschild 2005, *Agreement, the F-measure, and reliability in information retrieval*, JAMIA 12(3)).
Over many items and annotator pairs the counts are pooled (micro F1):
:math:`F_1 = \sum 2M / \sum (|A| + |B|)`.

- spans, ``match="exact"``: a match needs the same start, end and label (IoU = 1);
- spans, ``match="overlap"``: any overlap with the same label (IoU > 0);
- boxes and time ranges: a match needs IoU >= ``iou_threshold``; ``iou_threshold="0.5:0.95"`` averages
  F1 over the COCO thresholds 0.50, 0.55, ..., 0.95 (one assignment, counted at each threshold).

Geometric matching is one small assignment problem per (item, annotator pair), so this part loops over
items in Python; the IoU matrices are vectorised.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from labelwise.qa.data import read_long
from labelwise.qa.errors import QAError
from labelwise.qa.geometry import COCO_THRESHOLDS, iou_matrix, match, parse_regions

__all__ = ["region_statistic", "thresholds_for"]


def thresholds_for(kind: str, match_mode: str, iou_threshold: float | str) -> np.ndarray:
    if kind == "span":
        if match_mode == "exact":
            return np.array([1.0 - 1e-12])
        if match_mode == "overlap":
            return np.array([1e-12])
        raise QAError(f"span match must be 'exact' or 'overlap', got {match_mode!r}")
    if isinstance(iou_threshold, str):
        if iou_threshold.replace(" ", "") != "0.5:0.95":
            raise QAError("iou_threshold must be a number in (0, 1] or '0.5:0.95'")
        return COCO_THRESHOLDS
    if not 0 < float(iou_threshold) <= 1:
        raise QAError("iou_threshold must be in (0, 1]")
    return np.array([float(iou_threshold) - 1e-12])


def region_statistic(
    data: pd.DataFrame,
    *,
    kind: str,
    item_col: str,
    annotator_col: str,
    label_col: str,
    match_mode: str = "overlap",
    iou_threshold: float | str = 0.5,
):
    """``(statistic(item_weights) -> F1, n_items, n_annotators)`` for region annotations."""
    df = read_long(data, item_col=item_col, annotator_col=annotator_col, label_col=label_col)
    thresholds = thresholds_for(kind, match_mode, iou_threshold)
    n_annotators = df[annotator_col].nunique()
    if n_annotators < 2:
        raise QAError("region agreement needs at least two annotators")
    item_codes, items = pd.factorize(df[item_col])
    pair_item, pair_matched, pair_size = [], [], []
    for code, group in df.groupby(item_codes, sort=False):
        parsed = [parse_regions(v, kind) for v in group[label_col]]
        for (ca, la), (cb, lb) in combinations(parsed, 2):
            _, _, ious = match(iou_matrix(ca, cb, la, lb))
            pair_item.append(code)
            pair_matched.append((ious[:, None] >= thresholds[None, :]).sum(axis=0))
            pair_size.append(len(la) + len(lb))
    if not pair_item:
        raise QAError("region agreement needs items annotated by two or more annotators; none found")
    p_item = np.asarray(pair_item)
    matched = np.vstack(pair_matched).astype(float)
    size = np.asarray(pair_size, dtype=float)

    def statistic(weights: np.ndarray | None) -> float:
        w = np.ones(len(p_item)) if weights is None else weights[p_item]
        total = w @ size
        if total == 0:
            raise QAError("region agreement is undefined: no regions on the pairable items")
        return float(np.mean(2.0 * (w @ matched) / total))

    return statistic, len(items), n_annotators
