r"""Agreement tables: the annotator-by-annotator matrix and agreement per label.

Per-label agreement (Fleiss 1971, category-specific kappa, and the specific agreement of
Uebersax 1982 / Fleiss 1975): with :math:`n_{ik}` the annotators putting item :math:`i` in category
:math:`k`, :math:`m_i \ge 2` its labels and :math:`p_k` the share of labels in :math:`k`,

.. math:: \text{specific}_k = \frac{\sum_i n_{ik}(n_{ik}-1)/(m_i-1)}{\sum_i n_{ik}},
          \qquad \kappa_k = 1 - \frac{\sum_i n_{ik}(m_i - n_{ik})/(m_i - 1)}{p_k (1 - p_k) \sum_i m_i}.

``specific_k`` is the probability that a second annotator also says :math:`k` given one did; with a
constant number of labels per item :math:`\kappa_k` is Fleiss' category kappa.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from labelwise.qa.agreement.cohen import WEIGHTS, kappa_from_tables, pair_tables
from labelwise.qa.data import Encoded
from labelwise.qa.errors import QAError

__all__ = ["pairwise_table", "per_label_table"]


def pairwise_table(enc: Encoded, *, metric: str = "cohen_kappa", weights: str | None = None) -> pd.DataFrame:
    """Symmetric annotator x annotator DataFrame of Cohen's kappa or percent agreement.

    Diagonal 1.0; NaN where a pair shares no item (or kappa is undefined for the pair).
    """
    if metric not in ("cohen_kappa", "percent_agreement"):
        raise QAError("pairwise metric must be 'cohen_kappa' or 'percent_agreement'")
    if weights not in WEIGHTS:
        raise QAError(f"unknown weights {weights!r}; expected one of {WEIGHTS}")
    if enc.n_annotators < 2:
        raise QAError("a pairwise matrix needs at least two annotators")
    pt = pair_tables(enc)
    v = enc.n_classes
    tables = pt.tables(v)
    if metric == "cohen_kappa":
        values = kappa_from_tables(tables, weights)
    else:
        values = np.trace(tables, axis1=1, axis2=2) / tables.sum(axis=(1, 2))
    a = enc.n_annotators
    matrix = np.full((a, a), np.nan)
    matrix[pt.first, pt.second] = values
    matrix[pt.second, pt.first] = values
    matrix[np.diag_indices(a)] = 1.0
    return pd.DataFrame(matrix, index=enc.annotators, columns=enc.annotators)


def per_label_table(enc: Encoded) -> pd.DataFrame:
    """DataFrame indexed by label: ``n_labels``, ``specific_agreement``, ``kappa`` (NaN if undefined)."""
    counts = enc.counts()
    m = counts.sum(axis=1)
    pairable = m >= 2
    if not pairable.any():
        raise QAError("per-label agreement needs at least one item labelled by two or more annotators")
    counts, m = counts[pairable], m[pairable]
    inv = 1.0 / (m - 1.0)
    n_k = counts.sum(axis=0)
    p_k = n_k / m.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        specific = (counts * (counts - 1) * inv[:, None]).sum(axis=0) / n_k
        disagree = (counts * (m[:, None] - counts) * inv[:, None]).sum(axis=0)
        kappa = 1.0 - disagree / (p_k * (1.0 - p_k) * m.sum())
    kappa[(p_k <= 0) | (p_k >= 1)] = np.nan
    return pd.DataFrame(
        {"n_labels": n_k.astype(np.int64), "specific_agreement": specific, "kappa": kappa},
        index=pd.Index(enc.classes, name="label"),
    )
