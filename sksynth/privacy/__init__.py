"""Differential privacy: accounting, membership-inference attacks and empirical audits.

- the accountant (:func:`gaussian_epsilon`, :func:`gaussian_mu`,
  :func:`analytic_gaussian_sigma`, :func:`posterior_release_epsilon`, ...)
  and :class:`PrivacyLedger`, the record of every data-dependent step of a
  release; the derivation for :class:`~sksynth.generators.LipschitzVAE` is in
  the "Differential privacy" chapter of the documentation;
- membership-inference attacks on released synthetic data
  (:func:`distance_attack_scores`, :func:`density_ratio_attack_scores`) and a
  white-box one on the fitted model (:func:`likelihood_ratio_attack_scores`);
- :func:`audit`: trains a generator on neighbouring data sets many times,
  attacks, and gives a Clopper-Pearson lower bound on epsilon
  (:func:`epsilon_lower_bound`).

The DP generators themselves, :class:`~sksynth.generators.LipschitzVAE` and
the DP-SGD baseline :class:`~sksynth.generators.DPSGDVAE`, are in
:mod:`sksynth.generators`. Dependencies point one way: this package fits
generators (the audit), and the generators use only the accountant, a leaf
module that imports no other part of sksynth.
"""

from .._accountant import (
    PrivacyLedger,
    analytic_gaussian_sigma,
    classical_gaussian_sigma,
    gaussian_delta,
    gaussian_epsilon,
    gaussian_mu,
    gdp_compose,
    posterior_release_epsilon,
    posterior_release_mu,
)
from ._attacks import (
    density_ratio_attack_scores,
    distance_attack_scores,
    likelihood_ratio_attack_scores,
)
from ._audit import AuditResult, audit, clopper_pearson, epsilon_lower_bound

__all__ = [
    "AuditResult",
    "PrivacyLedger",
    "audit",
    "clopper_pearson",
    "density_ratio_attack_scores",
    "distance_attack_scores",
    "epsilon_lower_bound",
    "likelihood_ratio_attack_scores",
    "analytic_gaussian_sigma",
    "classical_gaussian_sigma",
    "gaussian_delta",
    "gaussian_epsilon",
    "gaussian_mu",
    "gdp_compose",
    "posterior_release_epsilon",
    "posterior_release_mu",
]
