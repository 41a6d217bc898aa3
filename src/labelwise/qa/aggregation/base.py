"""Shared estimator interface for truth inference over long-format labels.

Every aggregator follows the scikit-learn conventions: hyper-parameters in ``__init__`` (explicit
keyword arguments), data in :meth:`~BaseAggregator.fit`, fitted attributes ending in ``_``:

- ``items_``, ``annotators_``, ``classes_``: the identifiers seen (``classes_`` sorted);
- ``probas_``: DataFrame items x classes of posterior class probabilities;
- ``labels_``: Series item -> inferred label; ``confidence_``: Series item -> probability of that label;
- method-specific annotator parameters (``errors_``, ``skills_``, ...), and ``n_iter_`` for EM methods.

Ties (top probabilities equal up to 1e-12) go to the first class in sorted order, so results never
depend on row order or randomness.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from labelwise.qa.data import Encoded, encode
from labelwise.qa.errors import QAError

__all__ = ["BaseAggregator", "break_ties", "log_normalize"]

Data = pd.DataFrame | str | PathLike[str]


def break_ties(probas: np.ndarray) -> np.ndarray:
    """Argmax per row; among maxima equal up to 1e-12 the first class in sorted order wins."""
    top = probas.max(axis=1, keepdims=True)
    return np.argmax(probas >= top - 1e-12, axis=1)


def log_normalize(log_p: np.ndarray) -> tuple[np.ndarray, float]:
    """Row-normalise log-probabilities; returns probabilities and the total log-likelihood."""
    peak = log_p.max(axis=1, keepdims=True)
    p = np.exp(log_p - peak)
    total = p.sum(axis=1, keepdims=True)
    return p / total, float((np.log(total) + peak).sum())


class BaseAggregator(ABC):
    """Base class: subclasses implement ``_fit_encoded(enc) -> probas (items x classes)``."""

    @abstractmethod
    def _fit_encoded(self, enc: Encoded) -> np.ndarray:
        """Class probabilities, items x classes, for the encoded labels."""

    def fit(
        self,
        data: Data,
        *,
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        classes: Any = None,
    ) -> BaseAggregator:
        """Infer true labels from long-format ``data`` (DataFrame or CSV path); returns ``self``."""
        enc = encode(
            data, item_col=item_col, annotator_col=annotator_col, label_col=label_col, classes=classes
        )
        self._enc = enc
        probas = self._fit_encoded(enc)
        best = break_ties(probas)
        index = pd.Index(enc.items, name="item")
        self.items_ = enc.items
        self.annotators_ = enc.annotators
        self.classes_ = enc.classes
        self.probas_ = pd.DataFrame(probas, index=index, columns=pd.Index(enc.classes, name="label"))
        self.labels_ = pd.Series(enc.classes[best], index=index, name="label")
        self.confidence_ = pd.Series(probas[np.arange(len(best)), best], index=index, name="confidence")
        return self

    def fit_predict(self, data: Data, **columns: Any) -> pd.Series:
        """Fit and return the inferred label per item (Series indexed by item)."""
        return self.fit(data, **columns).labels_

    def fit_predict_proba(self, data: Data, **columns: Any) -> pd.DataFrame:
        """Fit and return class probabilities per item (DataFrame items x classes)."""
        return self.fit(data, **columns).probas_

    def _annotator_frame(self, values: np.ndarray, name: str) -> pd.Series:
        return pd.Series(values, index=pd.Index(self._enc.annotators, name="annotator"), name=name)

    def _confusion_frame(self, errors: np.ndarray) -> pd.DataFrame:
        """(annotators x true) rows x observed columns, like crowd-kit's ``errors_``."""
        enc = self._enc
        index = pd.MultiIndex.from_product([enc.annotators, enc.classes], names=["annotator", "true"])
        return pd.DataFrame(
            errors.reshape(-1, enc.n_classes), index=index, columns=pd.Index(enc.classes, name="label")
        )

    def __repr__(self) -> str:
        params = ", ".join(
            f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")
        )
        return f"{type(self).__name__}({params})"


def check_positive(name: str, value: float) -> None:
    if not value > 0:
        raise QAError(f"{name} must be positive, got {value}")
