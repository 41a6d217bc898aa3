r"""Regions (text spans, time ranges, boxes): parsing, IoU and one-to-one matching.

A region annotation is, per (item, annotator), a list of dicts: text spans and time ranges
``{"start", "end", "label"}``, boxes ``{"x", "y", "width", "height", "label"}``, polygons
``{"points": [[x, y], ...], "label"}`` (a JSON string of such a list is accepted too, as read from CSV).
Regions of different labels never match. Polygon IoU is exact for simple polygons
(:mod:`labelwise.qa.polygons`: no rasterising, no holes, no self-intersection).

Intersection over union: intervals :math:`|[s_1,e_1] \cap [s_2,e_2]| / |[s_1,e_1] \cup [s_2,e_2]|`,
boxes the same with areas. Matching is the one-to-one assignment maximising total IoU (Kuhn 1955, the
Hungarian method, via ``scipy.optimize.linear_sum_assignment``), as in COCO-style evaluation
(Lin et al. 2014, *Microsoft COCO*, ECCV) where F1 is averaged over IoU thresholds 0.50:0.05:0.95.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from labelwise.qa.errors import QAError
from labelwise.qa.polygons import check_simple, polygon_iou

__all__ = ["COCO_THRESHOLDS", "KINDS", "iou_matrix", "match", "parse_regions"]

KINDS = ("span", "time", "box", "polygon")
COCO_THRESHOLDS = np.round(np.arange(0.5, 0.951, 0.05), 2)
_KEYS = {"span": ("start", "end"), "time": ("start", "end"), "box": ("x", "y", "width", "height")}


def parse_regions(value: Any, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """``(coords, labels)`` of one annotation: coords ``(n, 2)`` start/end or ``(n, 4)`` x/y/w/h."""
    if kind not in KINDS:
        raise QAError(f"unknown region kind {kind!r}; expected one of {KINDS}")
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else []
    if isinstance(value, dict):
        value = [value]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        value = []
    if kind == "polygon":
        return _parse_polygons(value)
    keys = _KEYS[kind]
    if not isinstance(value, Iterable):
        raise QAError(f"a {kind} annotation must be a list of dicts with keys {keys} and 'label'")
    rows = list(value)
    try:
        coords = np.array([[float(r[k]) for k in keys] for r in rows], dtype=float).reshape(
            len(rows), len(keys)
        )
    except (KeyError, TypeError) as exc:
        raise QAError(f"a {kind} region needs keys {keys} and 'label'; got {rows[:1]}") from exc
    labels = np.array([str(r.get("label", "")) for r in rows], dtype=object)
    if kind == "box":  # to x1, y1, x2, y2
        coords = np.column_stack(
            [coords[:, 0], coords[:, 1], coords[:, 0] + coords[:, 2], coords[:, 1] + coords[:, 3]]
        )
    return coords, labels


def _parse_polygons(value: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(polygons, labels)``: an object array of ``(k, 2)`` vertex arrays, and the labels."""
    if not isinstance(value, Iterable):
        raise QAError("a polygon annotation must be a list of dicts with keys 'points' and 'label'")
    rows = list(value)
    polygons = np.empty(len(rows), dtype=object)
    try:
        for n, r in enumerate(rows):
            points = np.asarray(r["points"], dtype=float)
            if points.ndim != 2 or points.shape[1] != 2 or len(points) < 3:
                raise QAError(f"a polygon needs 3 or more [x, y] points; got {r['points']!r}")
            check_simple(points)
            polygons[n] = points
    except QAError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise QAError(f"a polygon region needs keys 'points' and 'label'; got {rows[:1]}") from exc
    labels = np.array([str(r.get("label", "")) for r in rows], dtype=object)
    return polygons, labels


def iou_matrix(a: np.ndarray, b: np.ndarray, la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """Pairwise IoU between regions ``a`` (n, 2|4, or polygons) and ``b`` (m, ...); 0 across labels."""
    if a.dtype == object or b.dtype == object:  # polygons: one exact clip per same-label pair
        same = np.equal.outer(la, lb)
        out = np.zeros((len(a), len(b)))
        for r, c in zip(*np.nonzero(same), strict=True):
            out[r, c] = polygon_iou(a[r], b[c])
        return out
    if a.shape[1] == 2:
        inter = np.clip(
            np.minimum(a[:, None, 1], b[None, :, 1]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None
        )
        union = (a[:, 1] - a[:, 0])[:, None] + (b[:, 1] - b[:, 0])[None, :] - inter
    else:
        w = np.clip(
            np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None
        )
        h = np.clip(
            np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None
        )
        inter = w * h
        area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
        area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        union = area_a[:, None] + area_b[None, :] - inter
    same = np.equal.outer(la, lb)
    # identical degenerate regions (zero length/area, e.g. a point) count as IoU 1
    identical = np.all(a[:, None, :] == b[None, :, :], axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where(union > 0, inter / union, identical.astype(float))
    return np.where(same, iou, 0.0)


def match(iou: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-to-one assignment maximising total IoU: ``(rows, cols, iou)`` of pairs with IoU > 0."""
    if iou.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0)
    rows, cols = linear_sum_assignment(iou, maximize=True)
    values = iou[rows, cols]
    keep = values > 0
    return rows[keep], cols[keep], values[keep]
