"""Aggregation: hand-checkable cases per method, and quality against the crowd-kit anchors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.qa import (
    GLAD,
    MACE,
    DawidSkene,
    GoldWeighted,
    MajorityVote,
    OneCoinDawidSkene,
    QAError,
    RegionConsensus,
    WeightedMajorityVote,
    aggregate,
    agreement,
)

# item 1: x x y -> x; item 2: y y x -> y; item 3: x y (tie) -> x (first class in sorted order)
SMALL = pd.DataFrame(
    [
        (1, "a", "x"),
        (1, "b", "x"),
        (1, "c", "y"),
        (2, "a", "y"),
        (2, "b", "y"),
        (2, "c", "x"),
        (3, "a", "x"),
        (3, "c", "y"),
    ],
    columns=["item", "annotator", "label"],
)


def test_majority_vote_by_hand():
    mv = MajorityVote().fit(SMALL)
    assert mv.labels_.to_dict() == {1: "x", 2: "y", 3: "x"}
    assert mv.probas_.loc[1, "x"] == pytest.approx(2 / 3)
    assert mv.confidence_.loc[3] == pytest.approx(0.5)
    # a's labels: x on 1 (share 2/3), y on 2 (2/3), x on 3 (1/2) -> mean 11/18
    assert mv.skills_.loc["a"] == pytest.approx(11 / 18)


def test_weighted_majority_vote_by_hand():
    # c weighs 3 against a + b = 2: item 1 -> y (3 vs 2), item 2 -> x
    wmv = WeightedMajorityVote(weights={"a": 1, "b": 1, "c": 3}).fit(SMALL)
    assert wmv.labels_.to_dict() == {1: "y", 2: "x", 3: "y"}
    assert wmv.probas_.loc[1, "y"] == pytest.approx(0.6)
    with pytest.raises(QAError, match="no weight"):
        WeightedMajorityVote(weights={"a": 1}).fit(SMALL)


def test_gold_weighted_by_hand():
    # gold: item 1 is y -> c is right (1/1), a and b wrong (0/1). pooled accuracy 1/3, smoothing 2:
    # a = (0 + 2/3)/3 = 2/9 -> weight max(0, log(2/7)) = 0; c = (1 + 2/3)/3 = 5/9 -> log(5/4) > 0
    gw = GoldWeighted(gold={1: "y"}).fit(SMALL)
    assert gw.skills_.loc["c"] == pytest.approx(5 / 9)
    assert gw.weights_.loc["a"] == 0.0
    assert gw.labels_.to_dict() == {1: "y", 2: "x", 3: "y"}
    assert gw.confidence_.loc[1] == 1.0


def _planted(n_items=300, seed=0):
    """Three good annotators (90%) and two spammers on 3 classes."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n_items)
    rows = []
    for j, acc in enumerate([0.9, 0.9, 0.9, 0.34, 0.34]):
        right = rng.random(n_items) < acc
        labels = np.where(right, truth, (truth + rng.integers(1, 3, n_items)) % 3)
        rows += [(i, f"w{j}", int(labels[i])) for i in range(n_items)]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"]), truth


@pytest.mark.parametrize("estimator", [DawidSkene(), OneCoinDawidSkene(), GLAD(), MACE(), MajorityVote()])
def test_em_methods_recover_planted_truth(estimator):
    df, truth = _planted()
    pred = estimator.fit_predict(df)
    assert (pred.sort_index().to_numpy() == truth).mean() > 0.9
    probas = estimator.fit_predict_proba(df)
    assert np.allclose(probas.sum(axis=1), 1.0)


def test_dawid_skene_learns_annotator_skills():
    df, _ = _planted()
    ds = DawidSkene().fit(df)
    assert ds.skills_[["w0", "w1", "w2"]].min() > 0.8
    assert ds.skills_[["w3", "w4"]].max() < 0.5
    assert ds.errors_.shape == (5 * 3, 3)
    assert np.allclose(ds.errors_.sum(axis=1), 1.0)
    assert 1 <= ds.n_iter_ <= ds.max_iter


def test_aggregate_entry_point():
    out = aggregate(SMALL, "majority-vote", return_proba=True)
    assert list(out.columns[:3]) == ["item", "label", "confidence"]
    assert out.set_index("item")["label"].to_dict() == {1: "x", 2: "y", 3: "x"}
    assert "proba_x" in out.columns
    with pytest.raises(QAError, match="unknown method"):
        aggregate(SMALL, "nope")
    with pytest.raises(QAError, match="weights"):
        aggregate(SMALL, "weighted_majority_vote")


def test_deterministic():
    df, _ = _planted(seed=1)
    shuffled = df.sample(frac=1.0, random_state=0)
    assert DawidSkene().fit_predict(df).sort_index().equals(DawidSkene().fit_predict(shuffled).sort_index())


def _accuracy(pred: pd.Series, truth: pd.Series) -> float:
    common = truth.index.intersection(pred.index)
    return float((pred[common] == truth[common]).mean())


def test_quality_against_crowdkit_anchors(crowd, anchors):
    name, labels, truth = crowd
    reference = anchors["aggregation"][name]["methods"]
    ck = {m: r["accuracy"] for m, r in reference.items() if "accuracy" in r and not m.startswith("snorkel")}
    ds = _accuracy(DawidSkene().fit_predict(labels, annotator_col="worker"), truth)
    assert ds >= reference["DawidSkene"]["accuracy"] - 1e-12, f"{name}: DS {ds:.4f} below crowd-kit"
    ours = [ds] + [
        _accuracy(e.fit_predict(labels, annotator_col="worker"), truth) for e in (MACE(), MajorityVote())
    ]
    assert max(ours) >= max(ck.values()) - 1e-12
    glad = _accuracy(GLAD().fit_predict(labels, annotator_col="worker"), truth)
    assert glad >= reference["GLAD"]["accuracy"] - 1e-12, f"{name}: GLAD {glad:.4f} below crowd-kit"


def test_glad_m_step_ascends_and_gradient_is_exact():
    """Each Newton block step never lowers Q, and its gradient matches finite differences."""
    from scipy.special import log_expit

    from labelwise.qa.aggregation.glad import _newton_block

    rng = np.random.default_rng(0)
    n_labels, n_j, n_i = 400, 7, 60
    jj, ii = rng.integers(0, n_j, n_labels), rng.integers(0, n_i, n_labels)
    target = rng.random(n_labels)
    alpha, b = rng.normal(1, 1, n_j), rng.normal(0, 1, n_i)

    def q(alpha, b):
        s = alpha[jj] * np.exp(b)[ii]
        return (log_expit(s) - (1 - target) * s).sum() - 0.5 * ((alpha - 1) ** 2).sum() - 0.5 * (b**2).sum()

    for _ in range(5):
        before = q(alpha, b)
        alpha, _ = _newton_block(alpha, jj, np.exp(b), ii, target, 1.0, log_scale=False)
        middle = q(alpha, b)
        b, _ = _newton_block(b, ii, alpha, jj, target, 0.0, log_scale=True)
        assert before - 1e-9 <= middle <= q(alpha, b) + 1e-9
    # at the block optimum the analytic gradient is ~0: finite differences agree
    for _ in range(50):
        alpha, _ = _newton_block(alpha, jj, np.exp(b), ii, target, 1.0, log_scale=False)
        b, _ = _newton_block(b, ii, alpha, jj, target, 0.0, log_scale=True)
    eps = 1e-6
    for j in range(n_j):
        bump = np.zeros(n_j)
        bump[j] = eps
        assert abs(q(alpha + bump, b) - q(alpha - bump, b)) / (2 * eps) < 1e-4
    for i in range(0, n_i, 7):
        bump = np.zeros(n_i)
        bump[i] = eps
        assert abs(q(alpha, b + bump) - q(alpha, b - bump)) / (2 * eps) < 1e-4


def test_region_consensus_and_agreement():
    box = {"x": 0, "y": 0, "width": 10, "height": 10, "label": "car"}
    df = pd.DataFrame(
        {
            "item": [1, 1, 1],
            "annotator": ["a", "b", "c"],
            "label": [[box], [{**box, "x": 1}], [{**box, "x": 50, "label": "dog"}]],
        }
    )
    out = RegionConsensus(kind="box").fit_predict(df)
    assert len(out) == 1 and out.loc[0, "label"] == "car" and out.loc[0, "votes"] == 2
    assert out.loc[0, "x"] == pytest.approx(0.5)
    # pairs (a,b): IoU 90/110 -> 1 match of 2 regions; (a,c), (b,c): 0 of 2 each -> F1 = 2/6
    assert agreement(df, "box_f1") == pytest.approx(1 / 3)
    # IoU 0.818 passes thresholds 0.50..0.80 (7 of 10)
    assert agreement(df, "box_f1", iou_threshold="0.5:0.95") == pytest.approx(0.7 / 3)


def test_span_and_time_agreement():
    a = [{"start": 0, "end": 5, "label": "PER"}, {"start": 10, "end": 12, "label": "LOC"}]
    b = [{"start": 0, "end": 5, "label": "PER"}, {"start": 11, "end": 14, "label": "LOC"}]
    df = pd.DataFrame({"item": [1, 1], "annotator": ["a", "b"], "label": [a, b]})
    assert agreement(df, "span_f1", match="exact") == pytest.approx(0.5)  # 1 exact match of 2 + 2
    assert agreement(df, "span_f1", match="overlap") == pytest.approx(1.0)
    # time IoU: first 1.0, second [10,12] vs [11,14]: 1/4 -> only one match at 0.5
    assert agreement(df, "time_f1") == pytest.approx(0.5)
    spans = RegionConsensus(kind="span", iou_threshold=0.0, min_votes=2).fit_predict(df)
    assert len(spans) == 2
