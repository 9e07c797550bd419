"""Theory: closed-form predictions for learning with synthetic data.

:mod:`sksynth.theory.rmt` gives the random-matrix (high-dimensional) test
accuracy of a ridge classifier trained on real and synthetic Gaussian-mixture
data with label noise and a verifier (El Firdoussi et al., 2024).
:mod:`sksynth.theory.gda` gives the stability bound on the generalisation gap
of generative data augmentation and the loss of its binary Gaussian-mixture
study (Zheng et al., 2023). The package needs NumPy and SciPy only; the
simulations that test these predictions are in :mod:`sksynth.studies`.
"""

from . import gda, rmt
from .gda import bgmm_nll, gda_stability_bound
from .rmt import (
    DecisionMoments,
    FixedPointError,
    FixedPoints,
    SyntheticSizeCurve,
    best_synthetic_size,
    critical_label_noise,
    decision_moments,
    fixed_points,
    kept_fraction,
    label_signal,
    marchenko_pastur_pdf,
    marchenko_pastur_support,
    spectral_decision_moments,
    spectral_test_accuracy,
    test_accuracy,
    test_risk,
)

__all__ = ["bgmm_nll", "gda", "gda_stability_bound", "rmt"]
__all__ += [
    "DecisionMoments",
    "FixedPointError",
    "FixedPoints",
    "SyntheticSizeCurve",
    "best_synthetic_size",
    "critical_label_noise",
    "decision_moments",
    "fixed_points",
    "kept_fraction",
    "label_signal",
    "marchenko_pastur_pdf",
    "marchenko_pastur_support",
    "spectral_decision_moments",
    "spectral_test_accuracy",
    "test_accuracy",
    "test_risk",
]
