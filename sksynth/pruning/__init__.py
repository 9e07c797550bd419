"""Pruners: judge candidate (synthetic) rows against trusted (real) ones.

Every pruner is fitted on real rows with ``fit(X, y)`` and then offers
``score_samples(X, y)`` (higher = more trustworthy), ``keep_mask(X, y)`` and
``filter(X, y)``, which returns the kept rows (and labels) in the input's
container. Rows may be a numeric matrix or a mixed table (numbers, strings,
categories, booleans, datetimes, durations, missing values), as for the
mixed-type generators: the pruners that need numbers encode such a table with
an encoder fitted on the real rows (one-hot and z-scores for the classifiers,
the Gower distance for :class:`DistancePruner`).

- :class:`LabelVerifier`: a classifier trained on real rows checks labels.
- :class:`BernoulliVerifier`: the idealised ``(rho, phi)`` verifier, for
  simulations with known label correctness.
- :class:`DetectionPruner`: drops rows a real-vs-synthetic classifier flags.
- :class:`DistancePruner`: drops near-copies of real records.
- :func:`estimate_verifier_rates`: empirical ``(rho, phi)`` of any pruner.
"""

from ._detection import DetectionPruner
from ._distance import DistancePruner
from ._rates import estimate_verifier_rates
from ._verifiers import BernoulliVerifier, LabelVerifier

__all__ = [
    "BernoulliVerifier",
    "DetectionPruner",
    "DistancePruner",
    "LabelVerifier",
    "estimate_verifier_rates",
]
