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

:class:`DPSGDVAE` (the DP-SGD baseline, PyTorch and Opacus) is imported on
first access, so ``import sksynth.privacy`` does not import torch. Its
trainer is also the one of ``LipschitzVAE(weights="dp-sgd")``, whose
``epsilon_`` then covers the trained weights as well as the released codes.
"""

import importlib

from ._accountant import (
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

# public name -> private module, imported on first access (it imports torch)
_LAZY = {"DPSGDVAE": "._dpsgd"}

__all__ = [
    "AuditResult",
    "DPSGDVAE",
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


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
