"""Bundled and simulated data sets.

:func:`load_adult` loads the UCI Adult census data shipped with the package
(no network access). :func:`make_disease` and :func:`make_gaussian_mixture`
simulate the data-generating processes used in the debiased-inference and
random-matrix / generative-data-augmentation studies. :func:`make_slds`
simulates a switching linear dynamical system with known discrete states;
:func:`load_stock_returns` cuts real monthly stock returns (matplotlib's
sample data, so nothing is downloaded) into sequences.
"""

from ._adult import load_adult
from ._simulated import make_disease, make_gaussian_mixture
from ._slds import make_slds
from ._stocks import load_stock_returns

__all__ = ["load_adult", "load_stock_returns", "make_disease", "make_gaussian_mixture",
           "make_slds"]
