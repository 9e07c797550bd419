"""Theory: closed-form predictions for learning with synthetic data.

:mod:`sksynth.theory.rmt` gives the random-matrix (high-dimensional) test
accuracy of a ridge classifier trained on real and synthetic Gaussian-mixture
data with label noise and a verifier (El Firdoussi et al., 2024).
:mod:`sksynth.theory.gda` gives the stability bound on the generalisation gap
of generative data augmentation and the binary Gaussian-mixture simulation
that tests it (Zheng et al., 2023).
"""

from . import gda, rmt
from .gda import bgmm_nll, gda_stability_bound, simulate_bgmm_gap
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

__all__ = ["bgmm_nll", "gda", "gda_stability_bound", "rmt", "simulate_bgmm_gap"]
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
