"""Measures of synthetic data: fidelity, utility and privacy, and sklearn scorers.

Every function compares a *real* table with a *synthetic* one (and, for
utility and privacy, with a *holdout* of real rows that the generator never
saw). Tables are NumPy arrays or DataFrames of mixed types: numeric (integer,
float, datetime) and categorical (category, string, object, boolean) columns,
with missing values. Each docstring states the direction (is lower or higher
better?) and the range of its measure.

- Fidelity: :func:`column_distances` (Kolmogorov-Smirnov, total variation),
  :func:`association_matrix` / :func:`association_difference` (Pearson or
  Spearman, Cramér's V, correlation ratio), :func:`mmd` (Gaussian kernel,
  median heuristic), :func:`detection_auc` (cross-fitted classifier two-sample
  test) and :func:`quality_score` (one number in [0, 1]).
- Utility: :func:`utility_scores`, train-on-synthetic / test-on-real next to
  train-on-real / test-on-real, with bootstrap intervals and the relative loss.
- Privacy: :func:`distance_to_closest_record`, :func:`dcr_ratio`,
  :func:`nearest_neighbour_distance_ratio`, :func:`membership_inference_auc`,
  :func:`privacy_scores`.
- :func:`make_generator_scorer`: scorers for ``GridSearchCV(generator, ...)``
  and ``cross_validate``; :func:`evaluate`: everything as a tidy DataFrame.
- :func:`diagnose`: validity (ranges, categories, constraints, keys) and
  warnings when a generator has clearly failed (collapsed columns, detection
  ROC-AUC near 1, TSTR far below TRTR, DCR ratio below 1, exact copies);
  :func:`evaluate` returns the same in ``results.attrs``.
"""

from ._diagnostics import diagnose
from ._evaluate import evaluate
from ._fidelity import (
    association_difference,
    association_matrix,
    column_distances,
    detection_auc,
    mmd,
    quality_score,
)
from ._privacy import (
    dcr_ratio,
    distance_to_closest_record,
    membership_inference_auc,
    nearest_neighbour_distance_ratio,
    privacy_scores,
)
from ._scorer import GENERATOR_METRICS, make_generator_scorer
from ._utility import utility_scores

__all__ = [
    "GENERATOR_METRICS",
    "association_difference",
    "association_matrix",
    "column_distances",
    "dcr_ratio",
    "detection_auc",
    "diagnose",
    "distance_to_closest_record",
    "evaluate",
    "make_generator_scorer",
    "membership_inference_auc",
    "mmd",
    "nearest_neighbour_distance_ratio",
    "privacy_scores",
    "quality_score",
    "utility_scores",
]
