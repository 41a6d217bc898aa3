r"""Krippendorff's alpha for nominal, ordinal, interval and ratio data, with missing data.

Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg School for
Communication, University of Pennsylvania. Also Krippendorff (2004), *Content Analysis*, ch. 11.

With :math:`n_{uc}` the number of annotators who gave value :math:`c` to item :math:`u` and
:math:`m_u = \sum_c n_{uc}`, only items with :math:`m_u \ge 2` are pairable. The coincidence matrix is

.. math:: o_{ck} = \sum_u \frac{n_{uc} n_{uk} - [c = k]\, n_{uc}}{m_u - 1},
          \qquad n_c = \sum_k o_{ck}, \quad n = \sum_c n_c,

and :math:`\alpha = 1 - D_o / D_e = 1 - (n - 1) \frac{\sum_{c,k} o_{ck}\,\delta^2_{ck}}
{\sum_{c,k} n_c n_k\,\delta^2_{ck}}` with the squared difference :math:`\delta^2` of the level:
nominal :math:`[c \ne k]`; ordinal :math:`(\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2` (ranks of the sorted
values); interval :math:`(c - k)^2`; ratio :math:`((c - k)/(c + k))^2`.

Implementation: ``np.bincount`` builds the item x value count matrix in O(labels), and the coincidence
matrix is one matrix product :math:`N^T \operatorname{diag}(1/(m_u - 1)) N` (sparse when the value
domain is large). This is the same computation as the ``krippendorff`` package, without its
O(annotators x items x values) broadcast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from labelwise.qa.errors import QAError

__all__ = [
    "LEVELS",
    "difference_matrix",
    "krippendorff_alpha_matrix",
    "krippendorff_statistic",
    "reliability_counts",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def difference_matrix(level: str, values: np.ndarray, n_c: np.ndarray) -> np.ndarray:
    """Squared difference :math:`\\delta^2_{ck}` between sorted values for a level of measurement."""
    v = len(n_c)
    if level == "nominal":
        return 1.0 - np.eye(v)
    if level == "ordinal":
        cs = np.cumsum(n_c)
        lo = np.minimum.outer(np.arange(v), np.arange(v))
        hi = np.maximum.outer(np.arange(v), np.arange(v))
        between = cs[hi] - cs[lo] + n_c[lo]
        return (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise QAError(f"level={level!r} needs numeric labels") from exc
    diff = x[:, None] - x[None, :]
    if level == "interval":
        return diff**2
    if level == "ratio":
        total = x[:, None] + x[None, :]
        ratio = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0)
        return ratio**2
    raise QAError(f"unknown level {level!r}; expected one of {LEVELS}")


def krippendorff_statistic(counts: np.ndarray | sp.csr_matrix, values: np.ndarray, *, level: str = "nominal"):
    """Return ``statistic(item_weights) -> alpha`` for an items x values count matrix (weights ``None`` = 1).

    ``counts[u, c]`` is the number of annotators who gave value ``values[c]`` (sorted) to item ``u``: the
    ``value_counts`` of the ``krippendorff`` package.
    """
    if level not in LEVELS:
        raise QAError(f"unknown level {level!r}; expected one of {LEVELS}")
    v = len(values)
    if v < 2:
        raise QAError("Krippendorff's alpha is undefined with a single value in the data")
    m = np.asarray(counts.sum(axis=1)).ravel()
    pairable = m >= 2
    if not pairable.any():
        raise QAError("Krippendorff's alpha needs at least one item labelled by two or more annotators")
    item_index = np.flatnonzero(pairable)
    if not pairable.all():
        counts, m = counts[pairable], m[pairable]
    inv = 1.0 / (m - 1.0)
    if not sp.issparse(counts):
        counts = counts.astype(float, copy=False)
    delta_nominal = level == "nominal"
    nominal_delta = 1.0 - np.eye(v) if delta_nominal else None

    def statistic(weights: np.ndarray | None) -> float:
        f = inv if weights is None else inv * weights[item_index]
        if sp.issparse(counts):
            weighted = sp.diags(f) @ counts
            o = np.asarray((counts.T @ weighted).todense())
            diag = np.asarray(weighted.sum(axis=0)).ravel()
        else:
            weighted = counts * f[:, None]
            o = counts.T @ weighted
            diag = weighted.sum(axis=0)
        o[np.diag_indices(v)] -= diag
        n_c = o.sum(axis=0)
        n = n_c.sum()
        delta = nominal_delta if delta_nominal else difference_matrix(level, values, n_c)
        d_e = n_c @ delta @ n_c
        if not d_e > 0 or n <= 1:
            raise QAError(
                "Krippendorff's alpha is undefined: no expected disagreement (all pairable values are equal)"
            )
        return float(1.0 - (n - 1.0) * float((o * delta).sum()) / d_e)

    return statistic


def reliability_counts(reliability_data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Items x values counts and the sorted values of an annotators x items matrix (NaN or None = missing).

    Integer-valued numeric data with at most 32 distinct candidate values (``min..max``) is counted with
    one comparison pass per value; other data goes through one sort (``np.unique``) or, for non-numeric
    values, ``pd.factorize``.
    """
    data = np.asarray(reliability_data)
    if data.ndim != 2:
        raise QAError("reliability_data must be a 2-D annotators x items array")
    if data.dtype.kind in "iub":
        data = data.astype(float)
    if data.dtype.kind == "f":
        finite = ~np.isnan(data)
        n_present = int(np.count_nonzero(finite))
        if n_present == 0:
            raise QAError("reliability_data has no values")
        lo, hi = float(np.fmin.reduce(data, axis=None)), float(np.fmax.reduce(data, axis=None))
        if lo == np.floor(lo) and hi - lo < 32:
            candidates = np.arange(lo, hi + 1.0)
            counts = np.column_stack([np.add.reduce(data == c, axis=0, dtype=np.int64) for c in candidates])
            if counts.sum() == n_present:  # every value was one of the integer candidates
                used = counts.any(axis=0)
                return counts[:, used], candidates[used]
        unit = np.nonzero(finite)[1]
        values, code = np.unique(data[finite], return_inverse=True)
    else:
        present = ~pd.isna(data)
        unit = np.nonzero(present)[1]
        code, values = pd.factorize(data[present], sort=True)
        if not len(values):
            raise QAError("reliability_data has no values")
        values = np.asarray(values)
    v, n_units = len(values), data.shape[1]
    counts = np.bincount(unit * v + code.ravel(), minlength=n_units * v).reshape(n_units, v)
    return counts, values


def krippendorff_alpha_matrix(reliability_data: np.ndarray, *, level: str = "nominal") -> float:
    """Krippendorff's alpha of an annotators x items matrix (``NaN`` or ``None`` = missing).

    The input of ``krippendorff.alpha(reliability_data=...)``, for data already in that shape; long-format
    data goes through :func:`labelwise.qa.agreement` (``metric="krippendorff_alpha"``). Same value as the
    ``krippendorff`` package (to 1e-9), same levels as :func:`labelwise.qa.agreement`.

    Raises:
        QAError: unknown level, a single value, or no item with two or more values.
    """
    counts, values = reliability_counts(reliability_data)
    return krippendorff_statistic(counts, values, level=level)(None)
