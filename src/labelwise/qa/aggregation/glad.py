r"""GLAD: Generative model of Labels, Abilities, and Difficulties.

Whitehill, J., Ruvolo, P., Wu, T., Bergsma, J. and Movellan, J. (2009). Whose vote should count more:
optimal integration of labels from labelers of unknown expertise. *NeurIPS* 22.

Annotator :math:`j` has ability :math:`\alpha_j \in \mathbb{R}`, item :math:`i` has inverse difficulty
:math:`\beta_i = e^{b_i} > 0`, and :math:`P(l_{ij} = z_i) = \sigma(\alpha_j \beta_i)`, errors uniform over
the other :math:`K - 1` classes. EM:

- E-step: :math:`\log T_{ik} = \log\rho_k + \sum_{j \in J_i}\big([l_{ij}=k]\log\sigma(s_{ij}) +
  [l_{ij}\ne k]\log\frac{1-\sigma(s_{ij})}{K-1}\big)`, :math:`s_{ij} = \alpha_j\beta_i`;
- M-step: maximise :math:`Q = \sum_{ij}\big(t_{ij}\log\sigma(s_{ij}) + (1-t_{ij})\log(1-\sigma(s_{ij}))\big)
  - \frac{(\alpha-\mu_\alpha)^2}{2} - \frac{(b-\mu_b)^2}{2}` with :math:`t_{ij} = T_{i\,l_{ij}}`
  (Gaussian priors as in the paper) by L-BFGS; the gradient is
  :math:`\partial Q/\partial s_{ij} = t_{ij} - \sigma(s_{ij})`, summed with ``np.bincount``.

Initialised from majority-vote shares with :math:`\alpha = \mu_\alpha = 1`, :math:`b = \mu_b = 0`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, log_expit

from labelwise.qa.aggregation.base import BaseAggregator, check_positive, log_normalize
from labelwise.qa.aggregation.dawid_skene import vote_shares
from labelwise.qa.data import Encoded

__all__ = ["GLAD"]


class GLAD(BaseAggregator):
    """GLAD (Whitehill et al. 2009): annotator ability x item difficulty.

    Args:
        max_iter, tol: EM stopping (relative log-likelihood change).
        m_step_iter: L-BFGS iterations per M-step.
        alpha_prior, beta_prior: means of the Gaussian priors on abilities and on log inverse difficulty.

    Fitted attributes: ``probas_``, ``labels_``, ``confidence_``, ``alphas_`` (abilities), ``betas_``
    (inverse difficulties per item), ``skills_`` (mean :math:`\\sigma(\\alpha_j \\beta_i)` over the
    annotator's items), ``priors_``, ``n_iter_``.
    """

    def __init__(
        self,
        *,
        max_iter: int = 100,
        tol: float = 1e-5,
        m_step_iter: int = 25,
        alpha_prior: float = 1.0,
        beta_prior: float = 0.0,
    ) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.m_step_iter = m_step_iter
        self.alpha_prior = alpha_prior
        self.beta_prior = beta_prior

    def _fit_encoded(self, enc: Encoded) -> np.ndarray:
        check_positive("max_iter", self.max_iter)
        n_j, n_i, k = enc.n_annotators, enc.n_items, enc.n_classes
        ii, jj, ll = enc.item, enc.annotator, enc.label
        log_wrong_share = np.log(max(k - 1, 1))
        t = vote_shares(enc)
        params = np.concatenate([np.full(n_j, self.alpha_prior), np.full(n_i, self.beta_prior)])

        def negative_q(x: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
            alpha, b = x[:n_j], x[n_j:]
            beta = np.exp(b)
            s = alpha[jj] * beta[ii]
            q = target @ log_expit(s) + (1 - target) @ log_expit(-s)
            q -= 0.5 * ((alpha - self.alpha_prior) ** 2).sum() + 0.5 * ((b - self.beta_prior) ** 2).sum()
            ds = target - expit(s)
            g_alpha = np.bincount(jj, weights=ds * beta[ii], minlength=n_j) - (alpha - self.alpha_prior)
            g_b = np.bincount(ii, weights=ds * s, minlength=n_i) - (b - self.beta_prior)
            return -q, -np.concatenate([g_alpha, g_b])

        log_lik, n_iter = -np.inf, 0
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 - EM iterations, vectorised inside
            priors = np.clip(t.mean(axis=0), 1e-300, None)
            target = t[ii, ll]
            result = minimize(
                negative_q,
                params,
                args=(target,),
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": self.m_step_iter},
            )
            params = result.x
            s = params[:n_j][jj] * np.exp(params[n_j:])[ii]
            right, wrong = log_expit(s), log_expit(-s) - log_wrong_share
            base = np.bincount(ii, weights=wrong, minlength=n_i)
            bonus = enc.counts(weights=right - wrong)
            t, new_log_lik = log_normalize(np.log(priors)[None, :] + base[:, None] + bonus)
            converged = abs(new_log_lik - log_lik) <= self.tol * abs(new_log_lik)
            log_lik = new_log_lik
            if converged:
                break
        alpha, beta = params[:n_j], np.exp(params[n_j:])
        s = alpha[jj] * beta[ii]
        per = np.bincount(jj, minlength=n_j)
        self.n_iter_, self.log_likelihood_ = n_iter, log_lik
        self.priors_ = t.mean(axis=0)
        self.alphas_ = self._annotator_frame(alpha, "alpha")
        self.betas_ = self._item_series(beta, "beta")
        self.skills_ = self._annotator_frame(np.bincount(jj, weights=expit(s), minlength=n_j) / per, "skill")
        return t

    def _item_series(self, values: np.ndarray, name: str) -> pd.Series:
        return pd.Series(values, index=pd.Index(self._enc.items, name="item"), name=name)
