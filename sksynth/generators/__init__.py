"""Generators: estimators that learn a distribution and draw new rows.

Every generator is a scikit-learn transformer with ``fit``, ``sample``,
``iter_sample``, ``transform`` and ``score`` (mean log-likelihood).
"""

from ._copula import GaussianCopulaGenerator
from ._gaussian import GaussianGenerator, GaussianMixtureGenerator
from ._noise import LabelNoise
from ._tabular import TabularEncoder

__all__ = [
    "GaussianCopulaGenerator",
    "GaussianGenerator",
    "GaussianMixtureGenerator",
    "LabelNoise",
    "TabularEncoder",
]
