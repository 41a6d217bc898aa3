r"""Exact intersection over union of simple polygons, with numpy only (no shapely, no rasterising).

A polygon is an ``(n, 2)`` array of vertices, in either orientation, simple (its edges meet only at
shared vertices: no self-intersection) and without holes. Its area is the shoelace formula
:math:`\frac12 |\sum_k x_k y_{k+1} - x_{k+1} y_k|`.

Intersection area: :math:`|A \cap B| = \sum_t |T_t \cap B|` over a triangulation :math:`\{T_t\}` of
:math:`A` (ear clipping, :math:`O(n^2)`; none is needed when :math:`A` is convex, and :math:`A` and
:math:`B` are swapped when only :math:`B` is convex). Each :math:`T_t \cap B` is the Sutherland-Hodgman
clip of :math:`B` by the convex :math:`T_t` (Sutherland & Hodgman 1974, *Reentrant polygon clipping*,
CACM 17(1)). Sutherland-Hodgman is exact for a convex clip polygon and any simple subject: when the
subject is concave the output may contain zero-width "bridges" along the clip boundary, which add
nothing to the shoelace area. So the result is exact (up to floating point) for any two simple polygons.

Limits, stated plainly: self-intersecting polygons (a "bow tie") and polygons with holes are not
supported. :func:`check_simple` (run once per polygon when annotations are parsed) refuses polygons whose
non-adjacent edges properly cross; edges that merely touch or overlap along a line are not detected.
Each clip is vectorised over the subject's vertices; the loops run over the triangles of one polygon and
their three edges.
"""

from __future__ import annotations

import numpy as np

from labelwise.qa.errors import QAError

__all__ = ["check_simple", "polygon_area", "polygon_intersection_area", "polygon_iou", "triangulate"]


def _signed_area(p: np.ndarray) -> float:
    x, y = p[:, 0], p[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def polygon_area(points: np.ndarray) -> float:
    """Area of a simple polygon (shoelace formula)."""
    p = np.asarray(points, dtype=float)
    return abs(_signed_area(p)) if len(p) >= 3 else 0.0


def check_simple(points: np.ndarray) -> None:
    """Raise :class:`QAError` if two non-adjacent edges cross (vectorised over all edge pairs)."""
    p = np.asarray(points, dtype=float)
    n = len(p)
    if n < 4:
        return
    a, b = p, np.roll(p, -1, axis=0)
    i, j = np.triu_indices(n, k=2)
    keep = ~((i == 0) & (j == n - 1))  # the last edge is adjacent to the first
    i, j = i[keep], j[keep]

    def orient(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.sign((v[:, 0] - u[:, 0]) * (w[:, 1] - u[:, 1]) - (v[:, 1] - u[:, 1]) * (w[:, 0] - u[:, 0]))

    crossing = (orient(a[i], b[i], a[j]) * orient(a[i], b[i], b[j]) < 0) & (
        orient(a[j], b[j], a[i]) * orient(a[j], b[j], b[i]) < 0
    )
    if crossing.any():
        raise QAError("polygon is not simple: two of its edges cross (self-intersecting polygons are not supported)")


def _ccw(p: np.ndarray) -> np.ndarray:
    return p if _signed_area(p) >= 0 else p[::-1]


def _is_convex(p: np.ndarray) -> bool:
    """For a counter-clockwise polygon: no right turn at any vertex."""
    d = np.roll(p, -1, axis=0) - p
    cross = d[:, 0] * np.roll(d[:, 1], -1) - d[:, 1] * np.roll(d[:, 0], -1)
    return bool((cross >= -1e-12 * max(1.0, float(np.abs(p).max()) ** 2)).all())


def triangulate(points: np.ndarray) -> list[np.ndarray]:
    """Ear-clipping triangulation of a simple polygon: a list of ``(3, 2)`` counter-clockwise triangles."""
    p = _ccw(np.asarray(points, dtype=float))
    idx = list(range(len(p)))
    triangles = []
    while len(idx) > 3:
        for k in range(len(idx)):
            a, b, c = p[idx[k - 1]], p[idx[k]], p[idx[(k + 1) % len(idx)]]
            turn = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
            if turn < 0:
                continue  # reflex vertex
            if turn == 0:  # collinear: drop the middle vertex, no triangle
                idx.pop(k)
                break
            others = p[[i for i in idx if i not in (idx[k - 1], idx[k], idx[(k + 1) % len(idx)])]]
            if len(others) and _inside_triangle(others, a, b, c).any():
                continue
            triangles.append(np.array([a, b, c]))
            idx.pop(k)
            break
        else:
            raise QAError("polygon is not simple (self-intersecting?): no ear found while triangulating")
    if len(idx) == 3:
        tri = p[idx]
        if _signed_area(tri) > 0:
            triangles.append(tri)
    return triangles


def _inside_triangle(q: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    def side(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return (v[0] - u[0]) * (q[:, 1] - u[1]) - (v[1] - u[1]) * (q[:, 0] - u[0])

    return (side(a, b) >= 0) & (side(b, c) >= 0) & (side(c, a) >= 0)


def _clip(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman: ``subject`` clipped by the convex counter-clockwise ``clip``."""
    out = subject
    for k in range(len(clip)):
        if len(out) == 0:
            break
        a, b = clip[k - 1], clip[k]
        side = (b[0] - a[0]) * (out[:, 1] - a[1]) - (b[1] - a[1]) * (out[:, 0] - a[0])
        inside = side >= 0
        if inside.all():
            continue
        prev, prev_side, prev_inside = np.roll(out, 1, axis=0), np.roll(side, 1), np.roll(inside, 1)
        crossing = inside != prev_inside
        denom = np.where(crossing, prev_side - side, 1.0)
        w = np.where(crossing, prev_side / denom, 0.0)
        cut = prev + w[:, None] * (out - prev)
        # per subject vertex: [crossing point if the edge prev->cur crosses] then [cur if inside]
        pieces = np.stack([cut, out], axis=1)
        keep = np.stack([crossing, inside], axis=1)
        out = pieces[keep]
    return out


def polygon_intersection_area(a: np.ndarray, b: np.ndarray) -> float:
    """Area of the intersection of two simple polygons (exact; see the module docstring)."""
    a, b = _ccw(np.asarray(a, dtype=float)), _ccw(np.asarray(b, dtype=float))
    if len(a) < 3 or len(b) < 3:
        return 0.0
    if (a.max(axis=0) <= b.min(axis=0)).any() or (b.max(axis=0) <= a.min(axis=0)).any():
        return 0.0
    if not _is_convex(a) and _is_convex(b):
        a, b = b, a
    clips = [a] if _is_convex(a) else triangulate(a)
    total = 0.0
    for clip in clips:
        piece = _clip(b, clip)
        if len(piece) >= 3:
            total += _signed_area(piece)
    return max(total, 0.0)


def polygon_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two simple polygons; 1.0 for two identical degenerate ones."""
    inter = polygon_intersection_area(a, b)
    union = polygon_area(a) + polygon_area(b) - inter
    if union <= 0:
        return float(np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float)))
    return inter / union
