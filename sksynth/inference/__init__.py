"""Valid statistical inference from synthetic data (Decruyenaere et al., 2024).

:class:`DebiasedGenerator` releases synthetic rows shifted by a one-step
efficient-influence-function correction computed on the real rows, for chosen
:class:`Target` estimands; :class:`MeanEstimator` and
:class:`PartiallyLinearEstimator` analyse them with standard errors corrected
for the synthetic sampling noise; :class:`NaiveOLS` is the naive baseline.
"""

from ._debiased import DebiasedGenerator
from ._estimators import MeanEstimator, NaiveOLS, PartiallyLinearEstimator
from ._targets import (
    MeanTarget,
    PartialRegressionTarget,
    ProportionTarget,
    RiskDifferenceTarget,
    Target,
)

__all__ = [
    "DebiasedGenerator",
    "MeanEstimator",
    "MeanTarget",
    "NaiveOLS",
    "PartialRegressionTarget",
    "PartiallyLinearEstimator",
    "ProportionTarget",
    "RiskDifferenceTarget",
    "Target",
]
