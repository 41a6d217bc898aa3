"""Polygon IoU: hand-computed cases, exactness checks (symmetry, A with A) and polygon agreement/consensus."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.qa import QAError, RegionConsensus, agreement
from labelwise.qa.polygons import (
    check_simple,
    polygon_area,
    polygon_intersection_area,
    polygon_iou,
    triangulate,
)

SQUARE = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], dtype=float)
L_SHAPE = np.array([[0, 0], [3, 0], [3, 1], [1, 1], [1, 3], [0, 3]], dtype=float)  # area 3 + 2 = 5


def shift(polygon: np.ndarray, dx: float, dy: float) -> np.ndarray:
    return polygon + np.array([dx, dy])


U_SHAPE = np.array([[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3]], dtype=float)  # 9 - 2 = 7


def test_convex_cases_by_hand():
    assert polygon_iou(SQUARE, SQUARE) == pytest.approx(1.0)
    assert polygon_iou(SQUARE, shift(SQUARE, 1, 0)) == pytest.approx(2 / 6)  # overlap 1 x 2, union 8 - 2
    assert polygon_iou(SQUARE, shift(SQUARE, 1, 1)) == pytest.approx(1 / 7)  # overlap 1, union 7
    assert polygon_iou(SQUARE, shift(SQUARE, 2, 0)) == 0.0  # touching edges only
    assert polygon_iou(SQUARE, SQUARE[::-1]) == pytest.approx(1.0)  # orientation does not matter
    # the square [-1, 1]^2 and itself turned 45 degrees meet in a regular octagon of area 8 (sqrt 2 - 1)
    centred = SQUARE - 1
    r = np.sqrt(2)
    diamond = np.array([[r, 0], [0, r], [-r, 0], [0, -r]])
    assert polygon_intersection_area(centred, diamond) == pytest.approx(8 * (np.sqrt(2) - 1))


def test_concave_cases_by_hand():
    assert polygon_area(L_SHAPE) == pytest.approx(5.0)
    assert polygon_intersection_area(L_SHAPE, SQUARE) == pytest.approx(3.0)  # the square minus [1,2]^2
    # a bar across both arms of the U: two separate pieces of 1 x 0.5 (both polygons concave or not)
    bar = np.array([[-1, 2], [4, 2], [4, 2.5], [-1, 2.5]])
    assert polygon_intersection_area(U_SHAPE, bar) == pytest.approx(1.0)
    assert polygon_intersection_area(bar, U_SHAPE) == pytest.approx(1.0)
    # both concave: the L lies inside the U's outline except [1,3]x[1,?]: L = [0,3]x[0,1] + [0,1]x[1,3]
    assert polygon_intersection_area(U_SHAPE, L_SHAPE) == pytest.approx(5.0)
    assert polygon_iou(U_SHAPE, L_SHAPE) == pytest.approx(5 / 7)
    assert sum(polygon_area(t) for t in triangulate(U_SHAPE)) == pytest.approx(7.0)


def _star(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random star-shaped (hence simple, usually concave) polygon."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radius = rng.uniform(0.3, 1.0, n)
    return np.column_stack([radius * np.cos(angles), radius * np.sin(angles)]) + rng.uniform(-0.5, 0.5, 2)


def test_random_concave_polygons_exact_and_close_to_a_fine_grid():
    rng = np.random.default_rng(0)
    grid = (np.arange(800) + 0.5) / 800 * 4 - 2  # 800 x 800 cells over [-2, 2]^2
    gx, gy = np.meshgrid(grid, grid)
    points = np.column_stack([gx.ravel(), gy.ravel()])

    def inside(poly: np.ndarray) -> np.ndarray:  # even-odd ray casting
        x, y = points[:, 0:1], points[:, 1:2]
        x1, y1 = poly[:, 0], poly[:, 1]
        x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
        crosses = ((y1 > y) != (y2 > y)) & (x < (x2 - x1) * (y - y1) / (y2 - y1 + 1e-300) + x1)
        return crosses.sum(axis=1) % 2 == 1

    for _ in range(8):
        a, b = _star(rng, int(rng.integers(4, 12))), _star(rng, int(rng.integers(4, 12)))
        exact = polygon_intersection_area(a, b)
        assert exact == pytest.approx(polygon_intersection_area(b, a), abs=1e-9)  # two triangulations agree
        assert polygon_intersection_area(a, a) == pytest.approx(polygon_area(a), abs=1e-9)
        estimate = (inside(a) & inside(b)).mean() * 16
        assert exact == pytest.approx(estimate, abs=0.01)


def test_self_intersecting_polygon_is_refused():
    bow_tie = np.array([[0, 0], [2, 2], [2, 0], [0, 2], [-1, 3], [-1, -1]], dtype=float)
    with pytest.raises(QAError, match="not simple"):
        check_simple(bow_tie)
    check_simple(U_SHAPE)  # concave but simple
    rows = [{"points": bow_tie.tolist(), "label": "x"}]
    df = pd.DataFrame({"item": [1, 1], "annotator": ["a", "b"], "label": [rows, rows]})
    with pytest.raises(QAError, match="not simple"):
        agreement(df, "polygon_f1")


def test_polygon_agreement_and_consensus():
    shape = SQUARE.tolist()
    df = pd.DataFrame(
        {
            "item": [1, 1, 1],
            "annotator": ["a", "b", "c"],
            "label": [
                [{"points": shape, "label": "roof"}],
                [{"points": (shift(SQUARE, 0.2, 0)).tolist(), "label": "roof"}],  # IoU 3.6 / 4.4
                [{"points": (shift(SQUARE, 5, 5)).tolist(), "label": "roof"}],
            ],
        }
    )
    # one matching pair of three (a, b); F1 = 2 * 1 / (2 + 2 + 2) = 1/3
    assert agreement(df, "polygon_f1") == pytest.approx(1 / 3)
    assert agreement(df, "polygon_f1", iou_threshold=0.9) == 0.0  # 0.818 < 0.9
    out = RegionConsensus(kind="polygon").fit_predict(df)
    assert len(out) == 1 and out.loc[0, "votes"] == 2 and out.loc[0, "label"] == "roof"
    assert np.allclose(out.loc[0, "points"], shape)  # medoid of two: the first of the tied members
    with pytest.raises(QAError, match="points"):
        agreement(pd.DataFrame({"item": [1, 1], "annotator": ["a", "b"], "label": [[{"x": 1}]] * 2}), "polygon_f1")
