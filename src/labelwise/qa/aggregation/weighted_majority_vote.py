r"""Weighted majority vote with given annotator weights.

:math:`P(z_i = k) \propto \sum_{j \in J_i} w_j [l_{ij} = k]`: each label counts with its annotator's
weight (Littlestone & Warmuth 1994, *The weighted majority algorithm*, Information and Computation 108).
With :math:`w_j = \log\frac{(K-1)\,a_j}{1 - a_j}` for annotator accuracies :math:`a_j` this is the
Bayes-optimal rule under symmetric noise (Nitzan & Paroush 1982); see :class:`GoldWeighted`.
Negative total weights are clipped to zero before normalising.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from labelwise.qa.aggregation.base import BaseAggregator
from labelwise.qa.data import Encoded
from labelwise.qa.errors import QAError

__all__ = ["WeightedMajorityVote", "weighted_vote"]


def weighted_vote(enc: Encoded, annotator_weights: np.ndarray) -> np.ndarray:
    """Items x classes probabilities from per-annotator weights (uniform where all weights are 0)."""
    scores = np.clip(enc.counts(weights=annotator_weights[enc.annotator]), 0.0, None)
    total = scores.sum(axis=1, keepdims=True)
    uniform = np.full_like(scores, 1.0 / enc.n_classes)
    return np.divide(scores, total, out=uniform, where=total > 0)


class WeightedMajorityVote(BaseAggregator):
    """Majority vote where annotator ``j``'s label counts ``weights[j]`` times.

    Args:
        weights: mapping (dict or Series) annotator -> non-negative weight.
        default_weight: weight of annotators missing from ``weights``; ``None`` (default) raises
            :class:`QAError` if any is missing.
    """

    def __init__(self, *, weights: Mapping | pd.Series, default_weight: float | None = None) -> None:
        self.weights = weights
        self.default_weight = default_weight

    def _fit_encoded(self, enc: Encoded) -> np.ndarray:
        series = pd.Series(self.weights, dtype=float)
        w = series.reindex(enc.annotators).to_numpy(dtype=float)
        missing = np.isnan(w)
        if missing.any():
            if self.default_weight is None:
                raise QAError(
                    f"no weight for annotator(s) {list(enc.annotators[missing][:5])}; "
                    "give them in weights= or set default_weight="
                )
            w[missing] = self.default_weight
        if (w < 0).any():
            raise QAError("annotator weights must be non-negative")
        self.weights_ = self._annotator_frame(w, "weight")
        return weighted_vote(enc, w)
