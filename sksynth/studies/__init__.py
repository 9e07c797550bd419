"""Simulation studies: the Monte-Carlo experiments of the papers sksynth implements.

The drivers sit on top of the package: they draw data
(:mod:`sksynth.datasets`), fit generators, pruners and estimators, and set
the results beside the closed-form predictions of :mod:`sksynth.theory`.

- :func:`simulate_accuracy`: the ridge classifier on real and synthetic
  Gaussian-mixture rows against the random-matrix prediction (El Firdoussi et
  al., 2024);
- :func:`simulate_bgmm_gap`: the generalisation gap of generative data
  augmentation on a binary Gaussian mixture (Zheng et al., 2023);
- :func:`coverage_study`, :func:`summarize_coverage`,
  :func:`convergence_rates`: coverage of debiased synthetic-data inference
  (Decruyenaere et al., 2024).
"""

from ._bgmm import simulate_bgmm_gap
from ._coverage import convergence_rates, coverage_study, summarize_coverage
from ._rmt import SimulationResult, simulate_accuracy

__all__ = [
    "SimulationResult",
    "convergence_rates",
    "coverage_study",
    "simulate_accuracy",
    "simulate_bgmm_gap",
    "summarize_coverage",
]
