r"""Gold-weighted majority vote: annotator weights from their accuracy on gold (known-answer) items.

For annotator :math:`j` with :math:`c_j` correct of :math:`g_j` gold items, the smoothed accuracy is
:math:`a_j = (c_j + s\,\bar a) / (g_j + s)` (shrinkage towards the pooled gold accuracy
:math:`\bar a` with ``smoothing`` :math:`s` pseudo-items; annotators without gold get :math:`\bar a`),
and the weight is the log-odds of a correct answer against one particular wrong class,

.. math:: w_j = \max\Big(0, \log\frac{(K - 1)\, a_j}{1 - a_j}\Big),

the Bayes-optimal weighted vote for independent annotators with symmetric errors
(Nitzan & Paroush 1982, *Optimal decision rules in uncertain dichotomous choice situations*,
International Economic Review 23(2); Karger, Oh & Shah 2011). Gold items keep their gold label when
``keep_gold=True``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from labelwise.qa.aggregation.base import BaseAggregator
from labelwise.qa.aggregation.weighted_majority_vote import weighted_vote
from labelwise.qa.data import Encoded
from labelwise.qa.errors import QAError

__all__ = ["GoldWeighted"]


class GoldWeighted(BaseAggregator):
    """Weighted majority vote with weights estimated from gold items.

    Args:
        gold: mapping (dict or Series) item -> true label, for some of the items.
        smoothing: pseudo-items of pooled accuracy added to each annotator's gold record.
        keep_gold: give gold items their gold label (probability 1) in the output.

    Fitted attributes: ``probas_``, ``labels_``, ``confidence_``, ``skills_`` (smoothed gold accuracy),
    ``weights_``, ``n_gold_`` (gold items answered per annotator).
    """

    def __init__(self, *, gold: Mapping | pd.Series, smoothing: float = 2.0, keep_gold: bool = True) -> None:
        self.gold = gold
        self.smoothing = smoothing
        self.keep_gold = keep_gold

    def _fit_encoded(self, enc: Encoded) -> np.ndarray:
        gold = pd.Series(self.gold)
        class_index = pd.Index(enc.classes)
        gold_label = class_index.get_indexer(gold.reindex(enc.items).to_numpy())
        if (gold_label < 0).all():
            raise QAError(
                "no gold item matches an item of the data (or gold labels are not among the labels)"
            )
        on_gold = gold_label[enc.item] >= 0
        correct = on_gold & (gold_label[enc.item] == enc.label)
        n_gold = np.bincount(enc.annotator, weights=on_gold, minlength=enc.n_annotators)
        n_correct = np.bincount(enc.annotator, weights=correct, minlength=enc.n_annotators)
        pooled = n_correct.sum() / n_gold.sum()
        accuracy = (n_correct + self.smoothing * pooled) / (n_gold + self.smoothing)
        accuracy = np.where(n_gold + self.smoothing > 0, accuracy, pooled)
        accuracy = np.clip(accuracy, 1e-6, 1 - 1e-6)
        weights = np.maximum(0.0, np.log(max(enc.n_classes - 1, 1) * accuracy / (1 - accuracy)))
        probas = weighted_vote(enc, weights)
        if self.keep_gold:
            known = gold_label >= 0
            probas[known] = np.eye(enc.n_classes)[gold_label[known]]
        self.skills_ = self._annotator_frame(accuracy, "skill")
        self.weights_ = self._annotator_frame(weights, "weight")
        self.n_gold_ = self._annotator_frame(n_gold.astype(np.int64), "n_gold")
        return probas
