"""Augmentation: train on real rows plus synthetic rows drawn inside ``fit``."""

from ._augmented import AugmentedClassifier, AugmentedRegressor
from ._sampler import SyntheticAugmenter

__all__ = ["AugmentedClassifier", "AugmentedRegressor", "SyntheticAugmenter"]
