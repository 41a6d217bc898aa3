"""Hand-checkable agreement cases (values computed by hand in the comments)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.qa import AgreementResult, QAError, agreement, agreement_per_label, pairwise_agreement


def long(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


# Two annotators, 4 items: a = x x y y, b = x y y y.
TWO = long(
    [
        (1, "a", "x"),
        (1, "b", "x"),
        (2, "a", "x"),
        (2, "b", "y"),
        (3, "a", "y"),
        (3, "b", "y"),
        (4, "a", "y"),
        (4, "b", "y"),
    ]
)


def test_percent_agreement_two_annotators():
    # items agree on 1, 3, 4 -> 3/4
    assert agreement(TWO, "percent_agreement") == pytest.approx(0.75)


def test_cohen_kappa_by_hand():
    # p_o = 3/4; a: x 1/2, y 1/2; b: x 1/4, y 3/4; p_e = 1/2*1/4 + 1/2*3/4 = 1/2
    # kappa = (3/4 - 1/2) / (1/2) = 0.5
    assert agreement(TWO, "cohen_kappa") == pytest.approx(0.5)


def test_weighted_cohen_kappa_by_hand():
    # three ordered classes 0 < 1 < 2; a = 0 1 2, b = 0 2 2. C: (0,0)=1 (1,2)=1 (2,2)=1, n = 3
    # rows a: 1/3 each; cols b: 0:1/3, 2:2/3. linear weights |i-j|: observed sum = 1 (cell 1,2) -> 1/3
    # expected = sum_ij r_i c_j |i-j| = 1/3*(1/3*0 + 2/3*2) + 1/3*(1/3*1 + 2/3*1) + 1/3*(1/3*2 + 0) = 1
    # kappa = 1 - (1/3)/1 = 2/3
    df = long([(1, "a", 0), (1, "b", 0), (2, "a", 1), (2, "b", 2), (3, "a", 2), (3, "b", 2)])
    assert agreement(df, "cohen_kappa", weights="linear") == pytest.approx(2 / 3)


def test_fleiss_kappa_by_hand():
    # 3 items x 3 annotators: (x x x), (x x y), (y y y)
    # P_i = 1, 1/3, 1 -> P = 7/9; p_x = 5/9, p_y = 4/9 -> P_e = 41/81; kappa = (63/81 - 41/81)/(40/81) = 22/40
    df = long(
        [
            (i, a, lab)
            for i, labs in enumerate(["xxx", "xxy", "yyy"])
            for a, lab in zip("abc", labs, strict=True)
        ]
    )
    assert agreement(df, "fleiss_kappa") == pytest.approx(0.55)


def test_krippendorff_nominal_by_hand():
    # same data: coincidences o_xx = 3*2/2*... unit 1: o_xx += 3*2/2 = 3; unit 2: o_xx += 2*1/2 = 1,
    # o_xy = o_yx += 2*1/2 = 1; unit 3: o_yy += 3. n_x = 5, n_y = 4, n = 9.
    # D_o ~ o_xy + o_yx = 2; alpha = 1 - (n-1) * 2 / (2 n_x n_y) = 1 - 8*2/40 = 0.6
    df = long(
        [
            (i, a, lab)
            for i, labs in enumerate(["xxx", "xxy", "yyy"])
            for a, lab in zip("abc", labs, strict=True)
        ]
    )
    assert agreement(df, "krippendorff_alpha") == pytest.approx(0.6)


def test_krippendorff_missing_data_example():
    # Krippendorff (2011) example: 4 coders x 12 units with missing values, nominal alpha = 0.743
    rel = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    df = long([(u, c, v) for c, row in enumerate(rel) for u, v in enumerate(row) if v is not None])
    assert agreement(df, "krippendorff_alpha") == pytest.approx(0.743, abs=5e-4)
    assert agreement(df, "krippendorff_alpha", level="interval") == pytest.approx(0.849, abs=5e-4)


def test_bootstrap_ci_is_reproducible_and_brackets_value():
    df = long([(i, a, (i + (a == "c" and i % 3 == 0)) % 3) for i in range(40) for a in "abc"])
    first = agreement(df, ci=True, n_boot=200, random_state=0)
    second = agreement(df, ci=True, n_boot=200, random_state=0)
    assert isinstance(first, AgreementResult)
    assert first == second
    assert first.ci_low <= first.value <= first.ci_high
    assert float(first) == first.value
    assert first.n_items == 40 and first.n_annotators == 3


def test_pairwise_matrix_and_per_label():
    matrix = pairwise_agreement(TWO)
    assert matrix.loc["a", "b"] == pytest.approx(0.5)
    assert matrix.loc["b", "a"] == pytest.approx(0.5)
    assert np.allclose(np.diag(matrix), 1.0)
    per = agreement_per_label(TWO)
    # x: pairs (x,x) on item 1 -> 2 agreeing ordered pairs of 3 x-labels; specific = 2/3
    assert per.loc["x", "specific_agreement"] == pytest.approx(2 / 3)
    assert per.loc["x", "n_labels"] == 3


@pytest.mark.parametrize("metric", ["krippendorff_alpha", "fleiss_kappa", "cohen_kappa", "percent_agreement"])
def test_one_annotator_raises(metric):
    with pytest.raises(QAError):
        agreement(long([(1, "a", "x"), (2, "a", "y")]), metric)


@pytest.mark.parametrize("metric", ["krippendorff_alpha", "fleiss_kappa", "cohen_kappa"])
def test_one_class_raises(metric):
    with pytest.raises(QAError, match="undefined"):
        agreement(long([(1, "a", "x"), (1, "b", "x"), (2, "a", "x"), (2, "b", "x")]), metric)


def test_no_pairable_items_raises():
    with pytest.raises(QAError, match=r"two or more annotators|pairable"):
        agreement(long([(1, "a", "x"), (2, "b", "y")]), "krippendorff_alpha")


def test_bad_inputs_raise():
    with pytest.raises(QAError, match="unknown metric"):
        agreement(TWO, "nope")
    with pytest.raises(QAError, match="not found"):
        agreement(TWO, annotator_col="worker")
    with pytest.raises(QAError, match="level"):
        agreement(TWO, level="cardinal")
    assert issubclass(QAError, ValueError)


def test_csv_path_and_column_names(tmp_path):
    path = tmp_path / "labels.csv"
    TWO.rename(columns={"item": "task", "annotator": "worker", "label": "answer"}).to_csv(path, index=False)
    value = agreement(path, "cohen_kappa", item_col="task", annotator_col="worker", label_col="answer")
    assert value == pytest.approx(0.5)
