r"""Consensus regions (text spans, time ranges, boxes): match across annotators, then vote.

For each item, annotators are visited in a fixed order; each annotator's regions are matched one-to-one
to the current clusters by maximal total IoU (Hungarian method, ``scipy.optimize.linear_sum_assignment``;
a cluster is represented by the median of its members) with IoU >= ``iou_threshold``, and unmatched
regions start new clusters. A cluster is kept when at least ``min_votes`` of the item's annotators
(default: a strict majority) put a region in it; its label is the majority label of its members (ties:
first in sorted order), its coordinates the member median, and its confidence the share of the item's
annotators who voted for it. This is the "match then vote" scheme of crowd bounding-box consensus
(e.g. Su, Deng & Fei-Fei 2012, *Crowdsourcing annotations for visual object detection*, AAAI HCOMP).
Matching here ignores labels, so annotators who disagree on the label of the same region still meet in
one cluster and the vote decides the label. Polygons (``kind="polygon"``, exact IoU of simple polygons) have
no vertex-wise median: a cluster is represented by its medoid, the member with the largest total IoU to
the other members, and the output ``points`` are the medoid's vertices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from labelwise.qa.data import read_long
from labelwise.qa.errors import QAError
from labelwise.qa.geometry import iou_matrix, match, parse_regions

__all__ = ["RegionConsensus"]

_OUT = {
    "span": ("start", "end"),
    "time": ("start", "end"),
    "box": ("x", "y", "width", "height"),
    "polygon": ("points",),
}


class RegionConsensus:
    """Consensus regions per item.

    Args:
        kind: ``"span"``, ``"time"``, ``"box"`` or ``"polygon"``.
        iou_threshold: minimal IoU to join a cluster (spans: any overlap counts when 0).
        min_votes: annotators needed to keep a region; default ``floor(n / 2) + 1`` of the item's ``n``.

    ``fit_predict(df)`` returns a DataFrame with one row per consensus region: ``item``, the coordinates
    (``start``/``end`` or ``x``/``y``/``width``/``height``), ``label``, ``votes``, ``confidence``.
    """

    def __init__(
        self, *, kind: str = "box", iou_threshold: float = 0.5, min_votes: int | None = None
    ) -> None:
        self.kind = kind
        self.iou_threshold = iou_threshold
        self.min_votes = min_votes

    def fit(
        self,
        data: pd.DataFrame,
        *,
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
    ) -> RegionConsensus:
        df = read_long(data, item_col=item_col, annotator_col=annotator_col, label_col=label_col)
        if self.kind not in _OUT:
            raise QAError(f"unknown region kind {self.kind!r}; expected one of {tuple(_OUT)}")
        rows = []
        for item, group in df.groupby(item_col, sort=False):  # one small assignment per item and annotator
            group = group.sort_values(annotator_col, kind="stable")
            n_annotators = group[annotator_col].nunique()
            need = self.min_votes if self.min_votes is not None else n_annotators // 2 + 1
            members: list[list[tuple[np.ndarray, str]]] = []
            centres = self._centres([])
            for value in group[label_col]:
                coords, labels = parse_regions(value, self.kind)
                any_label = np.zeros(len(coords), dtype=object)
                iou = iou_matrix(coords, centres, any_label, np.zeros(len(centres), dtype=object))
                r, c, v = match(iou)
                ok = v >= self.iou_threshold if self.iou_threshold > 0 else v > 0
                matched = dict(zip(r[ok].tolist(), c[ok].tolist(), strict=True))
                for n in range(len(coords)):
                    if n in matched:
                        members[matched[n]].append((coords[n], labels[n]))
                    else:
                        members.append([(coords[n], labels[n])])
                centres = self._centres(members)
            for cluster, centre in zip(members, centres, strict=True):
                votes = len(cluster)
                if votes < need:
                    continue
                names, counts = np.unique([m[1] for m in cluster], return_counts=True)
                rows.append(
                    (item, *self._coords(centre), names[np.argmax(counts)], votes, votes / n_annotators)
                )
        columns = [item_col, *_OUT[self.kind], "label", "votes", "confidence"]
        self.regions_ = pd.DataFrame(rows, columns=columns)
        return self

    def fit_predict(self, data: pd.DataFrame, **columns: str) -> pd.DataFrame:
        return self.fit(data, **columns).regions_

    def _centres(self, members: list[list[tuple[np.ndarray, str]]]) -> np.ndarray:
        """One representative per cluster: the member median, or for polygons the medoid."""
        if self.kind == "polygon":
            out = np.empty(len(members), dtype=object)
            for n, cluster in enumerate(members):
                shapes = np.empty(len(cluster), dtype=object)
                shapes[:] = [m[0] for m in cluster]
                same = np.zeros(len(cluster), dtype=object)
                out[n] = shapes[int(np.argmax(iou_matrix(shapes, shapes, same, same).sum(axis=1)))]
            return out
        width = 4 if self.kind == "box" else 2
        return np.array([np.median([m[0] for m in cl], axis=0) for cl in members]).reshape(len(members), width)

    def _coords(self, centre: np.ndarray) -> tuple[Any, ...]:
        if self.kind == "polygon":
            return (centre.tolist(),)
        if self.kind == "box":
            x1, y1, x2, y2 = centre
            return (float(x1), float(y1), float(x2 - x1), float(y2 - y1))
        return (float(centre[0]), float(centre[1]))
