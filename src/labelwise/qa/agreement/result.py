"""The result of an agreement measure with a bootstrap confidence interval.

The bootstrap resamples *items* with replacement (the unit of sampling in annotation studies; Hayes &
Krippendorff 2007 bootstrap units as well), recomputes the measure on each replicate, and reports the
percentile interval. Every measure in :mod:`labelwise.qa.agreement` is written as a function of per-item
weights, so a replicate is the same vectorised computation with multinomial item weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from labelwise.qa.errors import QAError

__all__ = ["AgreementResult", "bootstrap_ci"]

Statistic = Callable[[np.ndarray | None], float]


@dataclass(frozen=True)
class AgreementResult:
    """An agreement value with its bootstrap percentile confidence interval.

    Attributes:
        metric: the measure's name, e.g. ``"krippendorff_alpha"``.
        value: the point estimate on all the data.
        ci_low, ci_high: bounds of the ``confidence`` percentile interval.
        confidence: e.g. 0.95.
        n_boot: bootstrap replicates requested; ``n_boot_valid`` of them gave a defined value.
        n_items, n_annotators: size of the data.

    ``float(result)`` is the value, so a result can be used wherever a number is expected.
    """

    metric: str
    value: float
    ci_low: float
    ci_high: float
    confidence: float
    n_boot: int
    n_boot_valid: int
    n_items: int
    n_annotators: int

    def __float__(self) -> float:
        return float(self.value)

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_low, self.ci_high)


def bootstrap_ci(
    statistic: Statistic,
    n_items: int,
    *,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = None,
) -> tuple[float, float, int]:
    """Percentile interval of ``statistic(weights)`` over ``n_boot`` item resamples.

    ``weights[i]`` is how many times item ``i`` was drawn. Replicates where the measure is undefined
    (e.g. a resample with a single category) are skipped; returns ``(low, high, n_valid)``.
    """
    if not 0 < confidence < 1:
        raise QAError(f"confidence must be in (0, 1), got {confidence}")
    if n_boot < 1:
        raise QAError(f"n_boot must be positive, got {n_boot}")
    rng = np.random.default_rng(random_state)
    values = np.full(n_boot, np.nan)
    for b in range(n_boot):  # one replicate per iteration; each replicate is vectorised
        weights = np.bincount(rng.integers(0, n_items, size=n_items), minlength=n_items).astype(float)
        try:
            values[b] = statistic(weights)
        except QAError:
            continue
    valid = values[np.isfinite(values)]
    if valid.size == 0:
        raise QAError("the measure is undefined on every bootstrap replicate")
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(valid, [tail, 100 - tail])
    return float(low), float(high), int(valid.size)
