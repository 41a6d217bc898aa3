"""Equality to krippendorff, statsmodels and scikit-learn (1e-9) on the crowd data sets and generated data."""

from __future__ import annotations

import warnings

import hypothesis.strategies as st
import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

from labelwise.qa import QAError, agreement, krippendorff_alpha_matrix
from labelwise.qa.data import encode

COLS = {"annotator_col": "worker"}


def reliability_matrix(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Annotators x items float matrix of class codes (NaN missing), and the classes."""
    enc = encode(df, **COLS)
    matrix = np.full((enc.n_annotators, enc.n_items), np.nan)
    matrix[enc.annotator, enc.item] = enc.label
    return matrix, enc.classes


def test_alpha_equals_krippendorff_package(crowd, anchors):
    name, labels, _ = crowd
    matrix, _ = reliability_matrix(labels)
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert agreement(labels, **COLS) == pytest.approx(expected, abs=1e-9)
    anchor = anchors["agreement"][name]["krippendorff_alpha_nominal"]["value"]
    assert agreement(labels, **COLS) == pytest.approx(anchor, abs=1e-9)


@pytest.mark.parametrize("level", ["ordinal", "interval", "ratio"])
def test_alpha_levels_equal_krippendorff_package(crowd, level):
    _, labels, _ = crowd
    numeric = labels.assign(label=pd.factorize(labels["label"], sort=True)[0] + 1)
    matrix = np.full((numeric["worker"].nunique(), numeric["item"].nunique()), np.nan)
    enc = encode(numeric, **COLS)
    matrix[enc.annotator, enc.item] = enc.classes[enc.label]
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)
    assert agreement(numeric, level=level, **COLS) == pytest.approx(expected, abs=1e-9)


def test_fleiss_equals_statsmodels(crowd, anchors):
    name, labels, _ = crowd
    enc = encode(labels, **COLS)
    counts = enc.counts()
    m = counts.sum(axis=1)
    modal = np.bincount(m.astype(int)).argmax()
    subset = labels[labels["item"].isin(enc.items[m == modal])]
    expected = fleiss_kappa(encode(subset, **COLS).counts())
    assert agreement(subset, "fleiss_kappa", **COLS) == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(anchors["agreement"][name]["fleiss_kappa"]["value"], abs=1e-9)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_equals_sklearn_on_most_overlapping_pairs(crowd, weights):
    _, labels, _ = crowd
    wide = labels.pivot(index="item", columns="worker", values="label")
    present = wide.notna().to_numpy(dtype=float)
    shared = present.T @ present
    np.fill_diagonal(shared, 0)
    classes = sorted(labels["label"].unique())
    order = np.argsort(shared, axis=None)[::-1][:6:2]  # the three pairs sharing most items
    for flat in order:
        row, col = np.unravel_index(flat, shared.shape)
        a, b = wide.columns[row], wide.columns[col]
        pair = wide[[a, b]].dropna()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = cohen_kappa_score(pair[a], pair[b], labels=classes, weights=weights)
        if np.isfinite(expected):
            value = agreement(labels, "cohen_kappa", annotators=(a, b), weights=weights, **COLS)
            assert value == pytest.approx(expected, abs=1e-9)
        else:
            with pytest.raises(QAError, match="undefined"):
                agreement(labels, "cohen_kappa", annotators=(a, b), weights=weights, **COLS)


reliability = st.integers(2, 6).flatmap(
    lambda n_coders: st.integers(1, 25).flatmap(
        lambda n_units: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=n_units, max_size=n_units),
            min_size=n_coders,
            max_size=n_coders,
        )
    )
)


def _reference_alpha(matrix: np.ndarray, level: str) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level))
            except ValueError:
                return float("nan")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=reliability, level=st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_matches_package_on_generated_data(rows, level):
    matrix = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    df = pd.DataFrame(
        [
            (u, c, matrix[c, u])
            for c in range(matrix.shape[0])
            for u in range(matrix.shape[1])
            if not np.isnan(matrix[c, u])
        ],
        columns=["item", "annotator", "label"],
    )
    expected = _reference_alpha(matrix, level) if len(df) else float("nan")
    if not np.isfinite(expected):
        with pytest.raises(QAError):
            agreement(df, level=level)
    else:
        assert agreement(df, level=level) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=reliability,
    level=st.sampled_from(["nominal", "ordinal", "interval", "ratio"]),
    scale=st.sampled_from([1.0, 0.5, 40.0]),
)
def test_alpha_matrix_function_matches_package(rows, level, scale):
    # scale 0.5 and 40 leave the integer fast path (fractions; a value range of 32 or more)
    matrix = np.array([[np.nan if v is None else v * scale for v in row] for row in rows], dtype=float)
    expected = _reference_alpha(matrix, level) if np.isfinite(matrix).any() else float("nan")
    if not np.isfinite(expected):
        with pytest.raises(QAError):
            krippendorff_alpha_matrix(matrix, level=level)
    else:
        assert krippendorff_alpha_matrix(matrix, level=level) == pytest.approx(expected, abs=1e-9)


def test_alpha_long_and_matrix_agree_on_large_data_in_any_row_order():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, 2_000)
    matrix = np.where(rng.random((20, 2_000)) < 0.7, truth[None, :], rng.integers(0, 4, (20, 2_000)))
    matrix = np.where(rng.random(matrix.shape) < 0.3, np.nan, matrix)
    coder, unit = np.nonzero(~np.isnan(matrix))
    df = pd.DataFrame({"item": unit + 7, "annotator": coder, "label": matrix[coder, unit].astype(np.int64)})
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert krippendorff_alpha_matrix(matrix) == pytest.approx(expected, abs=1e-9)
    assert agreement(df) == pytest.approx(expected, abs=1e-9)
    shuffled = df.sample(frac=1.0, random_state=0)
    assert agreement(shuffled) == pytest.approx(expected, abs=1e-9)
    as_strings = shuffled.astype(str)
    assert agreement(as_strings) == pytest.approx(expected, abs=1e-9)
    # a repeated (item, annotator) row keeps its first label
    repeated = pd.concat([shuffled, shuffled.assign(label=(shuffled["label"] + 1) % 4)])
    assert agreement(repeated) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    table=st.integers(2, 5).flatmap(
        lambda raters: st.lists(
            st.lists(st.integers(0, 2), min_size=raters, max_size=raters), min_size=1, max_size=20
        )
    )
)
def test_fleiss_and_cohen_match_on_generated_complete_data(table):
    df = pd.DataFrame(
        [(i, a, lab) for i, row in enumerate(table) for a, lab in enumerate(row)],
        columns=["item", "annotator", "label"],
    )
    counts = encode(df).counts()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected_fleiss = fleiss_kappa(counts)
        first = [row[0] for row in table]
        second = [row[1] for row in table]
        expected_cohen = cohen_kappa_score(first, second, labels=sorted(set(df["label"])))
    if np.isfinite(expected_fleiss):
        assert agreement(df, "fleiss_kappa") == pytest.approx(expected_fleiss, abs=1e-9)
    else:
        with pytest.raises(QAError):
            agreement(df, "fleiss_kappa")
    if np.isfinite(expected_cohen):
        assert agreement(df, "cohen_kappa", annotators=(0, 1)) == pytest.approx(expected_cohen, abs=1e-9)
    else:
        with pytest.raises(QAError):
            agreement(df, "cohen_kappa", annotators=(0, 1))
