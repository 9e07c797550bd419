"""Utilities: estimator discovery for tests and documentation."""

from ._discovery import all_estimators

__all__ = ["all_estimators"]
