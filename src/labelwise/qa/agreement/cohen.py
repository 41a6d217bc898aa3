r"""Cohen's kappa between pairs of annotators (unweighted, linear or quadratic weights).

Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and Psychological
Measurement* 20(1), 37-46. Cohen, J. (1968). Weighted kappa. *Psychological Bulletin* 70(4), 213-220.
Light, R. J. (1971). Measures of response agreement for qualitative data. *Psychological Bulletin* 76(5)
(mean pairwise kappa for more than two annotators).

For two annotators with contingency table :math:`C` (items both labelled), expected table
:math:`E = C\mathbf{1}\,\mathbf{1}^TC / \sum C` and disagreement weights :math:`w_{ck}` (unweighted
:math:`[c \ne k]`, linear :math:`|c - k|`, quadratic :math:`(c - k)^2` on positions in the sorted
category list):

.. math:: \kappa = 1 - \frac{\sum w_{ck} C_{ck}}{\sum w_{ck} E_{ck}}.

All annotator pairs are computed at once: every pair of labels on the same item is generated with
``np.repeat`` index arithmetic and one ``np.bincount`` builds the (pairs x categories x categories)
contingency tensor. Category positions are those of the whole data set, so to compare with
``sklearn.metrics.cohen_kappa_score`` pass it ``labels=`` the full sorted category list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labelwise.qa.data import Encoded
from labelwise.qa.errors import QAError

__all__ = ["WEIGHTS", "PairTables", "cohen_statistic", "kappa_from_tables", "pair_tables"]

WEIGHTS = (None, "linear", "quadratic")


@dataclass(frozen=True)
class PairTables:
    """Label pairs on shared items, for every annotator pair ``a < b`` that shares an item."""

    first: np.ndarray  # annotator code a, per pair id
    second: np.ndarray  # annotator code b, per pair id
    pair: np.ndarray  # pair id per co-label
    item: np.ndarray  # item per co-label
    cell: np.ndarray  # label_a * V + label_b per co-label
    n_pairs: int

    def tables(self, v: int, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights[self.item]
        flat = np.bincount(self.pair * v * v + self.cell, weights=w, minlength=self.n_pairs * v * v)
        return flat.reshape(self.n_pairs, v, v)


def pair_tables(enc: Encoded, annotators: tuple[int, int] | None = None) -> PairTables:
    """All co-labels (same item, two different annotators), optionally for one annotator pair."""
    item, ann, lab = enc.item, enc.annotator, enc.label
    if annotators is not None:
        keep = np.isin(ann, annotators)
        item, ann, lab = item[keep], ann[keep], lab[keep]
    order = np.lexsort((ann, item))
    item, ann, lab = item[order], ann[order], lab[order]
    sizes = np.bincount(item, minlength=enc.n_items)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    per = sizes[item]  # partners (including self) of each label
    left = np.repeat(np.arange(len(item)), per)
    offset = np.arange(len(left)) - np.repeat(np.cumsum(per) - per, per)
    right = starts[item[left]] + offset
    keep = ann[left] < ann[right]
    left, right = left[keep], right[keep]
    a, b = ann[left], ann[right]
    code = a.astype(np.int64) * enc.n_annotators + b
    uniq, pair = np.unique(code, return_inverse=True)
    v = enc.n_classes
    return PairTables(
        first=uniq // enc.n_annotators,
        second=uniq % enc.n_annotators,
        pair=pair.ravel(),
        item=item[left],
        cell=lab[left] * v + lab[right],
        n_pairs=len(uniq),
    )


def disagreement_weights(v: int, weights: str | None) -> np.ndarray:
    pos = np.arange(v, dtype=float)
    if weights is None:
        return 1.0 - np.eye(v)
    if weights == "linear":
        return np.abs(pos[:, None] - pos[None, :])
    if weights == "quadratic":
        return (pos[:, None] - pos[None, :]) ** 2
    raise QAError(f"unknown weights {weights!r}; expected one of {WEIGHTS}")


def kappa_from_tables(tables: np.ndarray, weights: str | None = None) -> np.ndarray:
    """Kappa per table (NaN where undefined: no shared items, or no expected disagreement)."""
    v = tables.shape[-1]
    w = disagreement_weights(v, weights)
    total = tables.sum(axis=(1, 2))
    rows, cols = tables.sum(axis=2), tables.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.einsum("pi,pj,ij->p", rows, cols, w) / total
        observed = np.einsum("pij,ij->p", tables, w)
        kappa = 1.0 - observed / expected
    kappa[~(expected > 0)] = np.nan
    return kappa


def cohen_statistic(enc: Encoded, *, weights: str | None = None, annotators: tuple | None = None):
    """``statistic(item_weights)`` for Cohen's kappa (two annotators) or Light's mean pairwise kappa.

    ``annotators`` names the two annotators to compare; by default the data must have exactly two, or
    the mean of the defined pairwise kappas is returned (Light 1971).
    """
    if weights not in WEIGHTS:
        raise QAError(f"unknown weights {weights!r}; expected one of {WEIGHTS}")
    if enc.n_annotators < 2:
        raise QAError("Cohen's kappa needs two annotators; the data has one")
    codes = None
    if annotators is not None:
        if len(annotators) != 2:
            raise QAError("annotators must name exactly two annotators")
        lookup = {a: i for i, a in enumerate(enc.annotators.tolist())}
        missing = [a for a in annotators if a not in lookup]
        if missing:
            raise QAError(f"annotator(s) {missing} not in the data")
        codes = (lookup[annotators[0]], lookup[annotators[1]])
    pt = pair_tables(enc, codes)
    if pt.n_pairs == 0:
        raise QAError("Cohen's kappa needs items labelled by both annotators; no pairable items")
    v = enc.n_classes

    def statistic(item_weights: np.ndarray | None) -> float:
        kappa = kappa_from_tables(pt.tables(v, item_weights), weights)
        kappa = kappa[np.isfinite(kappa)]
        if kappa.size == 0:
            raise QAError(
                "Cohen's kappa is undefined: the annotators share no items or use a single category "
                "(expected disagreement 0)"
            )
        return float(kappa.mean())

    return statistic
