r"""One-coin Dawid-Skene: one accuracy per annotator, errors spread evenly over the other classes.

Dawid & Skene (1979) with the "one-coin" restriction of Karger, Oh & Shah (2011, *Iterative learning
for reliable crowdsourcing systems*, NeurIPS) and Zhang, Chen, Zhou & Jordan (2016, *Spectral methods
meet EM*, JMLR 17): :math:`P(l_{ij} = l \mid z_i = k) = p_j` if :math:`l = k`, else
:math:`(1 - p_j)/(K - 1)`.

- E-step: :math:`\log T_{ik} = \log\rho_k + \sum_{j \in J_i}\big([l_{ij}=k]\log p_j +
  [l_{ij}\ne k]\log\frac{1-p_j}{K-1}\big)`, i.e. a per-item constant plus
  :math:`\sum_j [l_{ij}=k]\,\operatorname{logit}_K(p_j)` (one weighted ``bincount``);
- M-step: :math:`p_j = (\gamma + \sum_{i} T_{i\,l_{ij}}) / (2\gamma + n_j)`
  (MAP under a Beta(1 + :math:`\gamma`, 1 + :math:`\gamma`) prior,
  :math:`\gamma` = ``smoothing``), :math:`\rho_k \propto \sum_i T_{ik}`.

Initialised from majority-vote shares; stops when the relative log-likelihood change is below ``tol``.
Fewer parameters than the full model: better for annotators with few labels, worse when errors are
class-specific.
"""

from __future__ import annotations

import numpy as np

from labelwise.qa.aggregation.base import BaseAggregator, check_positive, log_normalize
from labelwise.qa.aggregation.dawid_skene import vote_shares
from labelwise.qa.data import Encoded

__all__ = ["OneCoinDawidSkene"]


class OneCoinDawidSkene(BaseAggregator):
    """Dawid-Skene with a single accuracy per annotator.

    Args:
        max_iter, tol: EM stopping (relative log-likelihood change).
        smoothing: Beta pseudo-count on each accuracy (pulls sparse annotators towards 1/2).

    Fitted attributes: ``probas_``, ``labels_``, ``confidence_``, ``skills_`` (accuracy :math:`p_j`),
    ``priors_``, ``n_iter_``, ``log_likelihood_``.
    """

    def __init__(self, *, max_iter: int = 100, tol: float = 5e-4, smoothing: float = 1.0) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.smoothing = smoothing

    def _m_step(self, enc: Encoded, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hit = t[enc.item, enc.label]
        n_j = np.bincount(enc.annotator, minlength=enc.n_annotators)
        skill = (np.bincount(enc.annotator, weights=hit, minlength=enc.n_annotators) + self.smoothing) / (
            n_j + 2 * self.smoothing
        )
        skill = np.clip(skill, 1e-9, 1 - 1e-9)
        priors = np.clip(t.mean(axis=0), 1e-300, None)
        return skill, priors

    def _fit_encoded(self, enc: Encoded) -> np.ndarray:
        check_positive("max_iter", self.max_iter)
        k = enc.n_classes
        t = vote_shares(enc)
        log_lik, n_iter = -np.inf, 0
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 - EM iterations, vectorised inside
            skill, priors = self._m_step(enc, t)
            wrong = np.log((1 - skill) / max(k - 1, 1))
            base = np.bincount(enc.item, weights=wrong[enc.annotator], minlength=enc.n_items)
            bonus = enc.counts(weights=(np.log(skill) - wrong)[enc.annotator])
            t, new_log_lik = log_normalize(np.log(priors)[None, :] + base[:, None] + bonus)
            converged = abs(new_log_lik - log_lik) <= self.tol * abs(new_log_lik)
            log_lik = new_log_lik
            if converged:
                break
        skill, priors = self._m_step(enc, t)
        self.n_iter_, self.log_likelihood_, self.priors_ = n_iter, log_lik, priors
        self.skills_ = self._annotator_frame(skill, "skill")
        return t
