"""scikit-learn's estimator checks over every public sksynth estimator.

Estimators are discovered automatically (:func:`sksynth.utils.all_estimators`),
so a new public estimator is checked without editing this file.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksynth.utils import all_estimators

ESTIMATORS = [cls() for _, cls in all_estimators()]

# Each entry names the check and why it cannot pass for that estimator.
EXPECTED_FAILED_CHECKS = {}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


def test_discovery_finds_the_core_estimators():
    names = {type(est).__name__ for est in ESTIMATORS}
    assert {"GaussianGenerator", "GaussianMixtureGenerator", "LabelNoise"} <= names


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
