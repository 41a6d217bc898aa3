"""The submit path's plain-Python consensus gives exactly what labelwise.qa gives (RegionConsensus for
regions, scipy's assignment for the matching), ties included."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from labelwise.domain.consensus import consensus_regions, item_finals, linear_sum_assignment_max
from labelwise.qa import RegionConsensus

LABELS = st.sampled_from(["A", "B"])
SPAN = st.builds(lambda s, n, lab: {"start": s, "end": s + n, "label": lab},
                 st.integers(0, 12), st.integers(1, 6), LABELS)
BOX = st.builds(lambda x, y, w, h, lab: {"x": x, "y": y, "width": w, "height": h, "label": lab},
                st.integers(0, 8), st.integers(0, 8), st.integers(1, 6), st.integers(1, 6), LABELS)
SMALL = st.one_of(st.integers(0, 3).map(float), st.floats(0, 1, allow_nan=False))


def _library(anns: list[tuple[int, list[dict]]], kind: str) -> list[tuple]:
    df = pd.DataFrame([(1, a, regions) for a, regions in anns], columns=["item", "annotator", "label"])
    out = RegionConsensus(kind=kind).fit_predict(df)
    coords = ["x", "y", "width", "height"] if kind == "box" else ["start", "end"]
    return [(tuple(float(getattr(r, c)) for c in coords), r.label, int(r.votes), float(r.confidence))
            for r in out.itertuples(index=False)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.lists(SMALL, min_size=1, max_size=5), min_size=1, max_size=5)
                .filter(lambda m: len({len(r) for r in m}) == 1)))
def test_assignment_equals_scipy(matrices: list[list[list[float]]]) -> None:
    for m in matrices:
        rows, cols = linear_sum_assignment(np.array(m), maximize=True)
        assert linear_sum_assignment_max(m) == list(zip(rows.tolist(), cols.tolist(), strict=True))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(SPAN, max_size=4), min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_spans_equal_the_library(regions: list[list[dict]], rnd) -> None:  # type: ignore[no-untyped-def]
    anns = list(enumerate(regions, start=10))
    rnd.shuffle(anns)  # annotators arrive in any order; both visit them sorted
    assert consensus_regions(anns, "span") == _library(anns, "span")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(BOX, max_size=4), min_size=1, max_size=5))
def test_boxes_equal_the_library(regions: list[list[dict]]) -> None:
    anns = list(enumerate(regions))
    assert consensus_regions(anns, "box") == _library(anns, "box")


def test_hand_checked_finals() -> None:
    labels = [("ents", "spans", ("PER", "LOC")), ("tags", "multi_choice", ("a", "b", "c")),
              ("stars", "rating", ()), ("size", "number", ())]
    results = [(1, {"ents": [{"start": 0, "end": 4, "label": "PER"}], "tags": ["a", "b"], "stars": 4, "size": 1.5}),
               (2, {"ents": [{"start": 0, "end": 5, "label": "PER"}], "tags": ["a"], "stars": 5, "size": 2.5}),
               (3, {"ents": [{"start": 9, "end": 12, "label": "LOC"}], "tags": ["a", "c"], "stars": 2})]
    got = {f["label"]: (f["value"], f["confidence"], f["n_annotations"]) for f in item_finals(7, results, labels)}
    assert got["ents"] == ([{"start": 0, "end": 5, "label": "PER"}], 2 / 3, 3)  # median 4.5 widened to 5
    assert got["tags"] == (["a"], 2 / 3, 3)
    assert got["stars"] == (4, 1 / 3, 3)
    assert got["size"] == (2.0, 0.0, 2)
