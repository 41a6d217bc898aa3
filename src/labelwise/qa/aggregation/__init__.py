"""Truth inference: estimate each item's label (and each annotator's skill) from noisy labels.

One estimator per file, scikit-learn style (``fit``, ``fit_predict``, ``fit_predict_proba``); the
function :func:`aggregate` runs one by name and returns a tidy DataFrame.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from typing import Any

import pandas as pd

from labelwise.qa.aggregation.base import BaseAggregator
from labelwise.qa.aggregation.dawid_skene import DawidSkene
from labelwise.qa.aggregation.glad import GLAD
from labelwise.qa.aggregation.gold_weighted import GoldWeighted
from labelwise.qa.aggregation.mace import MACE
from labelwise.qa.aggregation.majority_vote import MajorityVote
from labelwise.qa.aggregation.one_coin_dawid_skene import OneCoinDawidSkene
from labelwise.qa.aggregation.regions import RegionConsensus
from labelwise.qa.aggregation.weighted_majority_vote import WeightedMajorityVote
from labelwise.qa.errors import QAError

__all__ = [
    "GLAD",
    "MACE",
    "METHODS",
    "BaseAggregator",
    "DawidSkene",
    "GoldWeighted",
    "MajorityVote",
    "OneCoinDawidSkene",
    "RegionConsensus",
    "WeightedMajorityVote",
    "aggregate",
]

METHODS = {
    "majority_vote": MajorityVote,
    "weighted_majority_vote": WeightedMajorityVote,
    "dawid_skene": DawidSkene,
    "one_coin_dawid_skene": OneCoinDawidSkene,
    "glad": GLAD,
    "mace": MACE,
    "gold_weighted": GoldWeighted,
}


def aggregate(
    data: pd.DataFrame | str | PathLike[str],
    method: str = "dawid_skene",
    *,
    item_col: str = "item",
    annotator_col: str = "annotator",
    label_col: str = "label",
    weights: Mapping | pd.Series | None = None,
    gold: Mapping | pd.Series | None = None,
    max_iter: int | None = None,
    tol: float | None = None,
    return_proba: bool = False,
) -> pd.DataFrame:
    """Infer one label per item with ``method`` (a key of :data:`METHODS`; ``-`` and ``_`` both work).

    Args:
        data: long-format labels (DataFrame or CSV path).
        weights: annotator -> weight, for ``weighted_majority_vote``.
        gold: item -> true label, for ``gold_weighted``.
        max_iter, tol: override the EM defaults of iterative methods.
        return_proba: add one ``proba_<class>`` column per class.

    Returns:
        DataFrame with columns ``item``, ``label``, ``confidence`` (posterior probability of the label),
        one row per item, in order of first appearance.
    """
    key = method.replace("-", "_").lower()
    if key not in METHODS:
        raise QAError(f"unknown method {method!r}; expected one of {sorted(METHODS)}")
    options: dict[str, Any] = {}
    if key == "weighted_majority_vote":
        if weights is None:
            raise QAError("weighted_majority_vote needs weights= (annotator -> weight)")
        options["weights"] = weights
    if key == "gold_weighted":
        if gold is None:
            raise QAError("gold_weighted needs gold= (item -> true label)")
        options["gold"] = gold
    if key in ("dawid_skene", "one_coin_dawid_skene", "glad", "mace"):
        if max_iter is not None:
            options["max_iter"] = max_iter
        if tol is not None:
            options["tol"] = tol
    estimator = METHODS[key](**options)
    estimator.fit(data, item_col=item_col, annotator_col=annotator_col, label_col=label_col)
    out = pd.DataFrame(
        {
            "item": estimator.labels_.index.to_numpy(),
            "label": estimator.labels_.to_numpy(),
            "confidence": estimator.confidence_.to_numpy(),
        }
    )
    if return_proba:
        probas = estimator.probas_.to_numpy()
        for i, c in enumerate(estimator.classes_):
            out[f"proba_{c}"] = probas[:, i]
    return out
