"""One call that runs every fidelity, utility and privacy measure."""

import math
from numbers import Integral

import pandas as pd

from ._diagnostics import _diagnose
from ._fidelity import _association_difference, _column_distances, _detection_auc, _mmd, _quality
from ._privacy import _privacy
from ._tables import check_max_samples, check_tables
from ._utility import _utility

__all__ = ["evaluate"]

COLUMNS = ["category", "metric", "column", "value", "ci_low", "ci_high", "direction", "range"]

_SCORE_RANGES = {
    "accuracy": "[0, 1]", "balanced_accuracy": "[0, 1]", "roc_auc": "[0, 1]",
    "roc_auc_ovr": "[0, 1]", "f1": "[0, 1]", "f1_macro": "[0, 1]", "precision": "[0, 1]",
    "recall": "[0, 1]", "average_precision": "[0, 1]", "r2": "(-inf, 1]",
}

_PRIVACY_ROWS = [
    ("dcr_synthetic", "higher", "[0, inf)"),
    ("dcr_holdout", "reference for dcr_synthetic", "[0, inf)"),
    ("dcr_ratio", "higher (about 1 or more)", "[0, inf)"),
    ("exact_match_rate", "lower", "[0, 1]"),
    ("exact_match_rate_holdout", "reference for exact_match_rate", "[0, 1]"),
    ("nndr_synthetic", "higher", "[0, 1]"),
    ("nndr_holdout", "reference for nndr_synthetic", "[0, 1]"),
    ("mia_auc", "closer to 0.5", "[0, 1]"),
]


def _row(category, metric, value, direction, range_, column=None, ci=(math.nan, math.nan)):
    return {"category": category, "metric": metric, "column": column, "value": float(value),
            "ci_low": float(ci[0]), "ci_high": float(ci[1]), "direction": direction,
            "range": range_}


def _score_range(name):
    if isinstance(name, str) and name.startswith("neg_"):
        return "(-inf, 0]"
    return _SCORE_RANGES.get(name, "see the scorer")


def _evaluate(schema, *, target=None, estimator=None, scoring=None, numeric_method="pearson",
              detection=True, max_samples=10_000, n_bootstrap=200, random_state=0,
              n_jobs=None, progress=None, diagnose=True, generator=None, constraints=None):
    """Run every measure; return the tidy table and the pieces the report plots.

    With ``diagnose``, ``extras["diagnosis"]`` holds the validity and warnings of
    :func:`~sksynth.metrics.diagnose`, also put in ``table.attrs``.
    """
    def step(name):
        if progress is not None:
            progress(name)

    rows, extras = [], {}
    step("fidelity")
    distances = _column_distances(schema)
    extras["column_distances"] = distances
    for rec in distances.itertuples(index=False):
        rows.append(_row("fidelity", f"{rec.statistic}_distance", rec.distance, "lower",
                         "[0, 1]", column=rec.column))
    quality, shapes, trends = _quality(schema, numeric_method)
    rows.append(_row("fidelity", "mean_column_distance", 1.0 - shapes, "lower", "[0, 1]"))
    if len(schema.columns) > 1:
        assoc, diff = _association_difference(schema, numeric_method)
        extras["association_difference"] = diff
        rows.append(_row("fidelity", "association_difference", assoc, "lower", "[0, 1]"))
    mmd_max = None if max_samples is None else min(max_samples, 1000)
    rows.append(_row("fidelity", "mmd", _mmd(schema, mmd_max, random_state)[0], "lower",
                     "[0, 2]"))
    if detection:
        step("detection")
        auc = _detection_auc(schema, None, 5, max_samples, random_state, n_jobs)
        rows.append(_row("fidelity", "detection_auc", auc, "closer to 0.5", "[0, 1]"))
    rows.append(_row("fidelity", "quality_score", quality, "higher", "[0, 1]"))

    if "holdout" in schema.frames and target is not None:
        step("utility")
        utility = _utility(schema, target, estimator=estimator, scoring=scoring,
                           n_bootstrap=n_bootstrap, random_state=random_state)
        extras["utility"] = utility
        for name, rec in utility.iterrows():
            for setting in ("trtr", "tstr"):
                rows.append(_row("utility", f"{setting}_{name}", rec[setting], "higher",
                                 _score_range(name), column=target,
                                 ci=(rec[f"{setting}_ci_low"], rec[f"{setting}_ci_high"])))
            rows.append(_row("utility", f"relative_loss_{name}", rec["relative_loss"], "lower",
                             "(-inf, inf)", column=target,
                             ci=(rec["relative_loss_ci_low"], rec["relative_loss_ci_high"])))

    step("privacy")
    privacy_max = None if max_samples is None else min(max_samples, 5000)
    privacy = _privacy(schema, max_samples=privacy_max, random_state=random_state,
                       n_jobs=n_jobs)
    extras["dcr"] = privacy.pop("_dcr")
    extras["privacy"] = privacy
    for name, direction, range_ in _PRIVACY_ROWS:
        if name in privacy:
            rows.append(_row("privacy", name, privacy[name], direction, range_))
    table = pd.DataFrame.from_records(rows, columns=COLUMNS)
    if diagnose:
        step("diagnostics")
        diagnosis = _diagnose(schema, table, extras, target=target, generator=generator,
                              constraints=constraints, random_state=random_state)
        extras["diagnosis"] = diagnosis
        # plain values only: pandas compares attrs when concatenating tables
        table.attrs["warnings"] = list(diagnosis.warnings)
        table.attrs["validity"] = diagnosis.validity.to_dict("records")
    return table, extras


def evaluate(real, synthetic, *, holdout=None, target=None, estimator=None, scoring=None,
             numeric_method="pearson", detection=True, max_samples=10_000, n_bootstrap=200,
             random_state=0, n_jobs=None, generator=None, constraints=None):
    """Fidelity, utility and privacy of a synthetic table, as one tidy DataFrame.

    The table also carries the diagnostics of :func:`diagnose`:
    ``results.attrs["warnings"]`` lists one short line per sign that the
    generator clearly failed (collapsed columns, detection ROC-AUC >= 0.95, TSTR
    below TRTR - 0.10, DCR ratio below 1, more exact copies than the holdout
    has), and ``results.attrs["validity"]`` the share of synthetic rows that
    pass each validity check (ranges, categories, constraints, keys).

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real rows the generator was fitted on.
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The synthetic rows, with the same columns (in any order).
    holdout : array-like or DataFrame of shape (n_holdout, n_features), default=None
        Real rows the generator never saw. Needed for utility (the test set of
        TSTR and TRTR) and for the privacy comparisons (DCR ratio, membership
        inference); without it those rows are left out.
    target : str, default=None
        Column to predict for utility (with ``holdout``).
    estimator : estimator, default=None
        Model for utility; see :func:`utility_scores`.
    scoring : str, callable, list or dict, default=None
        Scorers for utility; see :func:`utility_scores`.
    numeric_method : {"pearson", "spearman"}, default="pearson"
        Correlation for pairs of numeric columns.
    detection : bool, default=True
        Whether to run the classifier two-sample test (the slowest measure).
    max_samples : int or None, default=10_000
        Cap on the rows used by the sampled measures (detection; MMD uses at
        most 1,000 and privacy at most 5,000 query rows). ``None`` uses every
        row.
    n_bootstrap : int, default=200
        Bootstrap resamples for the utility intervals.
    random_state : int, RandomState instance or None, default=0
        Seeds every random choice.
    n_jobs : int, default=None
        Parallel jobs of the detection folds and neighbour searches.
    generator : fitted generator, default=None
        The generator that drew ``synthetic``, for the validity checks of its
        constraints and ``"id"`` columns (see :func:`diagnose`).
    constraints : list of constraints, default=None
        Constraints whose validity to check (default: the generator's).

    Returns
    -------
    results : DataFrame
        One row per measure, with columns ``category`` (``"fidelity"``,
        ``"utility"`` or ``"privacy"``), ``metric``, ``column`` (the column of
        a per-column measure, the target of a utility score, else None),
        ``value``, ``ci_low`` and ``ci_high`` (bootstrap interval, NaN where
        there is none), ``direction`` (``"higher"``, ``"lower"``, ``"closer to
        0.5"``, or a reference row) and ``range``. ``results.attrs`` holds
        ``"warnings"`` (list of str) and ``"validity"`` (list of dicts with
        keys ``check``, ``column``, ``value`` and ``detail``); see
        :func:`diagnose` for the thresholds.

    See Also
    --------
    column_distances, association_difference, mmd, detection_auc,
    quality_score, utility_scores, privacy_scores, diagnose

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sksynth.metrics import evaluate
    >>> rng = np.random.default_rng(0)
    >>> def draw(n):
    ...     x = rng.normal(size=n)
    ...     return pd.DataFrame({"x": x, "c": np.where(x + rng.normal(size=n) > 0, "a", "b")})
    >>> results = evaluate(draw(300), draw(300), holdout=draw(300), target="c",
    ...                    n_bootstrap=20)
    >>> results.set_index("metric").loc["quality_score", "value"] > 0.9
    np.True_
    >>> sorted(results["category"].unique())
    ['fidelity', 'privacy', 'utility']
    >>> results.attrs["warnings"]
    []
    >>> [(v["check"], v["column"], v["value"]) for v in results.attrs["validity"]][1:]
    [('categories', 'c', 1.0)]
    """
    if numeric_method not in ("pearson", "spearman"):
        raise ValueError(
            f"numeric_method must be 'pearson' or 'spearman', got {numeric_method!r}."
        )
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, Integral) or n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be a non-negative integer, got {n_bootstrap!r}.")
    max_samples = check_max_samples(max_samples, minimum=10)
    if target is not None and holdout is None:
        raise ValueError(
            "target was given without holdout: utility is measured on real rows the "
            "generator never saw; pass holdout=<those rows>, or leave target=None."
        )
    schema = check_tables(real, synthetic, holdout, target=target)
    table, _ = _evaluate(schema, target=target, estimator=estimator, scoring=scoring,
                         numeric_method=numeric_method, detection=bool(detection),
                         max_samples=max_samples, n_bootstrap=int(n_bootstrap),
                         random_state=random_state, n_jobs=n_jobs, generator=generator,
                         constraints=constraints)
    return table
