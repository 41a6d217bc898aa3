"""The submit path's one-item vote gives exactly what labelwise.qa.MajorityVote gives."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.domain.quality import majority_vote
from labelwise.qa import MajorityVote


def test_hand_checked() -> None:
    assert majority_vote(["b", "a", "b"]) == ("b", 2 / 3)
    assert majority_vote(["b", "a"]) == ("a", 0.5)  # a tie goes to the first in sorted order
    assert majority_vote(["x"]) == ("x", 1.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["neg", "neu", "pos", "spam"]), min_size=1, max_size=12))
def test_equals_the_library(votes: list[str]) -> None:
    df = pd.DataFrame({"item": 1, "annotator": range(len(votes)), "label": votes})
    mv = MajorityVote().fit(df)
    value, confidence = majority_vote(votes)
    assert value == mv.labels_.iloc[0]
    assert abs(confidence - float(mv.confidence_.iloc[0])) < 1e-12
