"""Encoding of long-format data: the fast integer paths equal the general (hashing) path."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from labelwise.qa import QAError
from labelwise.qa.data import encode, item_value_counts, repeated_pairs

rows = st.lists(st.tuples(st.integers(-3, 40), st.integers(0, 6), st.integers(-2, 5)), min_size=1, max_size=60)


@settings(max_examples=80, deadline=None)
@given(rows=rows)
def test_item_value_counts_equals_encoded_counts(rows):
    df = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    enc = encode(df)
    counts, items, classes = item_value_counts(df)
    order = np.argsort(items)  # the integer path orders items by value, encode by value too
    assert np.array_equal(items[order], np.sort(enc.items))
    assert np.array_equal(classes, enc.classes)
    assert np.array_equal(counts[order], enc.counts()[np.argsort(enc.items)])
    # the same data as strings goes through pd.factorize: same table, rows in order of appearance
    as_str = df.astype({"item": str, "annotator": str})
    s_counts, s_items, _ = item_value_counts(as_str)
    by_item = dict(zip(s_items.astype(int).tolist(), s_counts.tolist(), strict=True))
    assert [by_item[i] for i in items.tolist()] == counts.tolist()


def test_repeated_pairs_marks_later_occurrences_only():
    item = np.array([0, 1, 0, 2, 1, 0])
    annotator = np.array([0, 0, 0, 1, 1, 0])
    assert repeated_pairs(item, annotator, 2).tolist() == [False, False, True, False, False, True]
    assert repeated_pairs(np.array([0, 0, 1]), np.array([0, 1, 0]), 2) is None  # sorted: one pass
    sparse = np.array([10**9, 5, 10**9])  # a key range far larger than the data: sort-based check
    assert repeated_pairs(sparse, np.zeros(3, dtype=np.intp), 1).tolist() == [False, False, True]


def test_repeat_policy():
    df = pd.DataFrame({"item": [1, 1], "annotator": ["a", "a"], "label": ["x", "y"]})
    assert encode(df).label.tolist() == [0]
    with pytest.raises(QAError, match="more than once"):
        encode(df, drop_duplicates=False)


def test_large_unsigned_ids_fall_back_to_hashing():
    df = pd.DataFrame({"item": np.array([2**63 + 5, 2**63 + 5], dtype=np.uint64), "annotator": [0, 1], "label": [1, 1]})
    enc = encode(df)
    assert enc.n_items == 1 and enc.items[0] == 2**63 + 5
