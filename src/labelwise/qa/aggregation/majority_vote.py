r"""Majority vote: the most frequent label per item.

Probabilities are vote shares, :math:`P(z_i = k) = n_{ik} / \sum_c n_{ic}`. Ties go to the most frequent
class overall, then to the first class in sorted order (see :mod:`.base`). One ``np.bincount``.
"""

from __future__ import annotations

import numpy as np

from labelwise.qa.aggregation.base import BaseAggregator
from labelwise.qa.data import Encoded

__all__ = ["MajorityVote", "annotator_accuracy"]


def annotator_accuracy(enc: Encoded, probas: np.ndarray) -> np.ndarray:
    """Each annotator's expected accuracy against soft labels: mean of ``probas[item, label]``."""
    hit = probas[enc.item, enc.label]
    per_annotator = np.bincount(enc.annotator, minlength=enc.n_annotators)
    return np.bincount(enc.annotator, weights=hit, minlength=enc.n_annotators) / per_annotator


class MajorityVote(BaseAggregator):
    """Majority vote over long-format labels.

    Fitted attributes: ``labels_``, ``probas_`` (vote shares), ``confidence_``, ``skills_`` (each
    annotator's mean vote share of the labels they gave: agreement with the crowd).
    """

    def _fit_encoded(self, enc: Encoded) -> np.ndarray:
        counts = enc.counts()
        probas = counts / counts.sum(axis=1, keepdims=True)
        self.skills_ = self._annotator_frame(annotator_accuracy(enc, probas), "skill")
        return probas
