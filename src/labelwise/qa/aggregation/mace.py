r"""MACE: Multi-Annotator Competence Estimation.

Hovy, D., Berg-Kirkpatrick, T., Vaswani, A. and Hovy, E. (2013). Learning whom to trust with MACE.
*NAACL-HLT*, 1120-1130.

Annotator :math:`j` either knows the answer (probability :math:`\theta_j`, the competence) and gives
:math:`z_i`, or spams with its own label distribution :math:`\xi_j`:
:math:`P(l \mid z = k) = \theta_j [l = k] + (1 - \theta_j)\xi_{jl}`. Truth prior uniform (as in MACE).
EM:

- E-step: :math:`\log T_{ik} = \sum_{j \in J_i}\log((1-\theta_j)\xi_{j l_{ij}}) +
  \sum_{j}[l_{ij}=k]\log\frac{\theta_j + (1-\theta_j)\xi_{jl_{ij}}}{(1-\theta_j)\xi_{jl_{ij}}}`;
- posterior of "knew the answer" for a label: :math:`c_{ij} = T_{i l_{ij}}\,\theta_j /
  (\theta_j + (1-\theta_j)\xi_{jl_{ij}})`;
- M-step (MAP, Beta(a, b) on θ and symmetric Dirichlet(d) on ξ, the priors of MACE's variational
  variant): :math:`\theta_j = (\sum c_{ij} + a - 1) / (n_j + a + b - 2)`,
  :math:`\xi_{jl} \propto \sum_{i} (1 - c_{ij})[l_{ij} = l] + d`.

Starts from majority-vote posteriors (instead of MACE's random restarts, so no restarts are needed
and the result is deterministic). Everything is ``np.bincount``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from labelwise.qa.aggregation.base import BaseAggregator, check_positive, log_normalize
from labelwise.qa.aggregation.dawid_skene import vote_shares
from labelwise.qa.data import Encoded

__all__ = ["MACE"]


class MACE(BaseAggregator):
    """MACE (Hovy et al. 2013): competence and spamming distribution per annotator.

    Args:
        max_iter, tol: EM stopping (relative log-likelihood change).
        competence_prior: (a, b) of the Beta prior on competence :math:`\\theta_j`.
        spam_prior: symmetric Dirichlet pseudo-count on the spamming distribution :math:`\\xi_j`.

    Fitted attributes: ``probas_``, ``labels_``, ``confidence_``, ``competence_`` (= ``skills_``),
    ``spam_`` (DataFrame annotators x labels, :math:`\\xi_j`), ``n_iter_``.
    """

    def __init__(
        self,
        *,
        max_iter: int = 100,
        tol: float = 1e-5,
        competence_prior: tuple[float, float] = (2.0, 2.0),
        spam_prior: float = 1.0,
    ) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.competence_prior = competence_prior
        self.spam_prior = spam_prior

    def _m_step(self, enc: Encoded, t: np.ndarray, theta: np.ndarray, xi: np.ndarray):
        a, b = self.competence_prior
        k, n_j = enc.n_classes, enc.n_annotators
        jj, ll = enc.annotator, enc.label
        knew = t[enc.item, ll] * theta[jj] / (theta[jj] + (1 - theta[jj]) * xi[jj, ll])
        per = np.bincount(jj, minlength=n_j)
        theta = (np.bincount(jj, weights=knew, minlength=n_j) + a - 1) / (per + a + b - 2)
        theta = np.clip(theta, 1e-6, 1 - 1e-6)
        spam = np.bincount(jj * k + ll, weights=1 - knew, minlength=n_j * k).reshape(n_j, k) + self.spam_prior
        return theta, spam / spam.sum(axis=1, keepdims=True)

    def _fit_encoded(self, enc: Encoded) -> np.ndarray:
        check_positive("max_iter", self.max_iter)
        k, n_j = enc.n_classes, enc.n_annotators
        jj, ll = enc.annotator, enc.label
        t = vote_shares(enc)
        theta, xi = np.full(n_j, 0.5), np.full((n_j, k), 1.0 / k)
        log_lik, n_iter = -np.inf, 0
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 - EM iterations, vectorised inside
            theta, xi = self._m_step(enc, t, theta, xi)
            spam = np.log((1 - theta[jj]) * xi[jj, ll])
            right = np.log(theta[jj] + (1 - theta[jj]) * xi[jj, ll])
            base = np.bincount(enc.item, weights=spam, minlength=enc.n_items)
            t, new_log_lik = log_normalize(base[:, None] + enc.counts(weights=right - spam))
            converged = abs(new_log_lik - log_lik) <= self.tol * abs(new_log_lik)
            log_lik = new_log_lik
            if converged:
                break
        self.n_iter_, self.log_likelihood_ = n_iter, log_lik
        self.competence_ = self._annotator_frame(theta, "competence")
        self.skills_ = self.competence_
        self.spam_ = pd.DataFrame(
            xi, index=pd.Index(enc.annotators, name="annotator"), columns=pd.Index(enc.classes, name="label")
        )
        return t
