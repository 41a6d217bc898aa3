"""Masks <-> polygons, for formats that only have polygons (YOLO segmentation). numpy only.

:func:`outlines` traces a binary mask's boundary along pixel edges: each 4-connected region gives a
closed polygon whose corners are pixel corners, so filling it again (:func:`fill`, pixel centers inside
the polygon) gives back exactly the region. Holes are traced too (as polygons turning the other way) and
returned apart, since a YOLO segment has no holes. COCO RLE is column-major run lengths, starting with a
run of zeros (:func:`to_mask`, :func:`to_runs`).
"""

from __future__ import annotations

from math import ceil
from typing import Any

import numpy as np

from labelwise.domain.kinds.pose import decode_counts

# directions in image coordinates (y grows downwards), in clockwise order on screen
_E, _S, _W, _N = (1, 0), (0, 1), (-1, 0), (0, -1)
_CLOCKWISE = [_E, _S, _W, _N]


def to_mask(rle: dict[str, Any]) -> np.ndarray:
    """A ``(height, width)`` boolean array from ``{"counts": str | list, "size": [height, width]}``."""
    h, w = (int(v) for v in rle["size"])
    runs = decode_counts(rle["counts"]) if isinstance(rle["counts"], str) else list(rle["counts"])
    flat = np.repeat(np.arange(len(runs or [])) % 2 == 1, runs or [])
    flat = np.concatenate([flat, np.zeros(h * w - flat.size, dtype=bool)]) if flat.size < h * w else flat[:h * w]
    return flat.reshape(w, h).T


def to_runs(mask: np.ndarray) -> list[int]:
    """COCO run lengths (column-major, zeros first) of a boolean ``(height, width)`` array."""
    flat = np.ascontiguousarray(mask.T).ravel().astype(np.int8)
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    runs = np.diff(bounds).tolist()
    return [0, *runs] if flat.size and flat[0] else runs


def outlines(mask: np.ndarray) -> tuple[list[list[tuple[int, int]]], list[list[tuple[int, int]]]]:
    """``(outer polygons, holes)`` of a boolean mask, as pixel-corner ``(x, y)`` points, collinear points
    left out. Outer polygons turn clockwise on screen; pixels touching only at a corner are apart."""
    m = np.pad(mask.astype(bool), 1)
    inner = m[1:-1, 1:-1]
    out: dict[tuple[int, int], list[tuple[tuple[int, int], tuple[int, int]]]] = {}

    def add(rows: np.ndarray, cols: np.ndarray, start: tuple[int, int], step: tuple[int, int]) -> None:
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            a = (c + start[0], r + start[1])
            out.setdefault(a, []).append(((a[0] + step[0], a[1] + step[1]), step))

    add(*np.nonzero(inner & ~m[:-2, 1:-1]), (0, 0), _E)  # top edges, left to right
    add(*np.nonzero(inner & ~m[1:-1, 2:]), (1, 0), _S)  # right edges, downwards
    add(*np.nonzero(inner & ~m[2:, 1:-1]), (1, 1), _W)  # bottom edges, right to left
    add(*np.nonzero(inner & ~m[1:-1, :-2]), (0, 1), _N)  # left edges, upwards
    outer: list[list[tuple[int, int]]] = []
    holes: list[list[tuple[int, int]]] = []
    for start in sorted(out, key=lambda p: (p[1], p[0])):
        while out.get(start):
            loop = _trace(out, start)
            (outer if _area2(loop) > 0 else holes).append(loop)
    return outer, holes


def _trace(edges: dict[tuple[int, int], list[Any]], start: tuple[int, int]) -> list[tuple[int, int]]:
    points: list[tuple[int, int]] = []
    at, heading = start, None
    while True:
        options = edges.get(at)
        if not options:
            break
        if heading is None or len(options) == 1:
            choice = options[0]
        else:  # two regions meet at a corner: turn right, which keeps them apart
            turn = _CLOCKWISE[(_CLOCKWISE.index(heading) + 1) % 4]
            choice = next((o for o in options if o[1] == turn), options[0])
        options.remove(choice)
        if not options:
            del edges[at]
        if choice[1] != heading:
            points.append(at)
        at, heading = choice
    if len(points) > 1 and points[0] == at and heading == _direction(points[-1], points[0]) \
            and _direction(points[0], points[1]) == heading:
        points.pop(0)  # the start was in the middle of a straight side
    return points


def _direction(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    return (dx > 0) - (dx < 0), (dy > 0) - (dy < 0)


def _area2(points: list[tuple[int, int]]) -> int:
    """Twice the signed area (positive: clockwise on screen)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True))


def fill(polygons: list[list[tuple[float, float]]], height: int, width: int) -> np.ndarray:
    """The pixels whose centers are inside any of ``polygons`` (even-odd within one polygon)."""
    mask = np.zeros((height, width), dtype=bool)
    ys = np.arange(height) + 0.5
    for pts in polygons:
        p = np.asarray(pts, dtype=float)
        if len(p) < 3:
            continue
        q = np.roll(p, -1, axis=0)
        (x0, y0), (x1, y1) = p.T, q.T
        lo, hi = np.minimum(y0, y1), np.maximum(y0, y1)
        crosses = (lo[None, :] <= ys[:, None]) & (ys[:, None] < hi[None, :])
        slope = np.divide(x1 - x0, y1 - y0, out=np.zeros_like(x0), where=y1 != y0)
        xs = x0[None, :] + (ys[:, None] - y0[None, :]) * slope[None, :]
        part = np.zeros((height, width), dtype=bool)
        for r in np.flatnonzero(crosses.any(axis=1)).tolist():
            row = np.sort(xs[r, crosses[r]]).tolist()
            for a, b in zip(row[::2], row[1::2], strict=False):
                c0, c1 = max(0, ceil(a - 0.5)), min(width, ceil(b - 0.5))
                if c1 > c0:
                    part[r, c0:c1] ^= True
        mask |= part
    return mask
