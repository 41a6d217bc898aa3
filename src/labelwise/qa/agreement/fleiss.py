r"""Fleiss' kappa and percent agreement over many annotators.

Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. *Psychological Bulletin*
76(5), 378-382.

With :math:`n_{ik}` the number of annotators who put item :math:`i` in category :math:`k` and
:math:`m_i = \sum_k n_{ik} \ge 2`:

.. math:: P_i = \frac{\sum_k n_{ik}(n_{ik} - 1)}{m_i (m_i - 1)}, \quad \bar P = \frac{1}{N}\sum_i P_i,
          \quad p_k = \frac{\sum_i n_{ik}}{\sum_i m_i}, \quad \bar P_e = \sum_k p_k^2,
          \quad \kappa = \frac{\bar P - \bar P_e}{1 - \bar P_e}.

Percent agreement is :math:`\bar P` (the share of agreeing annotator pairs per item, averaged over
items; for two annotators, the share of items they label alike). With a constant :math:`m_i` this is
exactly Fleiss' kappa (and ``statsmodels.stats.inter_rater.fleiss_kappa``); with unequal numbers of
labels per item the same formulas are applied item by item (items with one label are skipped), the usual
generalisation.
"""

from __future__ import annotations

import numpy as np

from labelwise.qa.data import Encoded
from labelwise.qa.errors import QAError

__all__ = ["fleiss_statistic", "percent_agreement_statistic"]


def _pairable_counts(enc: Encoded, measure: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if enc.n_annotators < 2:
        raise QAError(f"{measure} needs at least two annotators; the data has one")
    counts = enc.counts()
    m = counts.sum(axis=1)
    pairable = m >= 2
    if not pairable.any():
        raise QAError(f"{measure} needs at least one item labelled by two or more annotators")
    counts, m = counts[pairable], m[pairable]
    p_item = ((counts * (counts - 1)).sum(axis=1)) / (m * (m - 1))
    return counts, m, p_item


def percent_agreement_statistic(enc: Encoded):
    """``statistic(item_weights)`` for the mean share of agreeing annotator pairs per item."""
    _, _, p_item = _pairable_counts(enc, "percent agreement")
    index = np.flatnonzero(enc.counts().sum(axis=1) >= 2)

    def statistic(weights: np.ndarray | None) -> float:
        if weights is None:
            return float(p_item.mean())
        w = weights[index]
        if w.sum() == 0:
            raise QAError("no pairable items")
        return float(w @ p_item / w.sum())

    return statistic


def fleiss_statistic(enc: Encoded):
    """``statistic(item_weights)`` for Fleiss' kappa."""
    counts, m, p_item = _pairable_counts(enc, "Fleiss' kappa")
    index = np.flatnonzero(enc.counts().sum(axis=1) >= 2)

    def statistic(weights: np.ndarray | None) -> float:
        w = np.ones(len(m)) if weights is None else weights[index]
        if w.sum() == 0:
            raise QAError("no pairable items")
        p_bar = w @ p_item / w.sum()
        p_k = (w @ counts) / (w @ m)
        p_e = float(p_k @ p_k)
        if p_e >= 1.0 - 1e-15:
            raise QAError("Fleiss' kappa is undefined: every label is the same category (chance agreement 1)")
        return float((p_bar - p_e) / (1.0 - p_e))

    return statistic
