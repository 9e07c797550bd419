"""Linear models studied with synthetic data."""

from ._mean_difference import MeanDifferenceClassifier
from ._rmt_ridge import RMTRidgeClassifier

__all__ = ["MeanDifferenceClassifier", "RMTRidgeClassifier"]
