"""Utility: does a model trained on synthetic data work on real data?

Train-on-synthetic, test-on-real (TSTR) is compared with its baseline,
train-on-real, test-on-real (TRTR), on a holdout of real rows that neither the
generator nor the baseline model saw (Esteban, Hyland & Rätsch, 2017).
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import check_scoring, get_scorer
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target

from ._fidelity import _ordinal_design
from ._tables import check_tables, single_openmp_thread

__all__ = ["utility_scores"]

#: Integer targets with at most this many distinct values are class labels.
MAX_INTEGER_CLASSES = 20


def _infer_task(schema, target):
    if schema.kinds[target] == "categorical":
        return "classification"
    values = schema.numeric("real", target)
    kind = type_of_target(values[~np.isnan(values)])
    if kind in ("binary", "multiclass") and np.unique(values).size <= MAX_INTEGER_CLASSES:
        return "classification"
    return "regression"


def _default_scoring(task, n_classes):
    if task == "regression":
        return ["r2", "neg_mean_absolute_error"]
    if n_classes == 2:
        return ["accuracy", "balanced_accuracy", "roc_auc"]
    return ["accuracy", "balanced_accuracy"]


def _scorers(scoring, estimator):
    """Dict of name -> scorer from a str, a callable, a list of str or a dict."""
    if isinstance(scoring, str):
        return {scoring: get_scorer(scoring)}
    if callable(scoring):
        return {getattr(scoring, "__name__", "score"): scoring}
    if isinstance(scoring, dict):
        return {name: check_scoring(estimator, scoring=s) for name, s in scoring.items()}
    if isinstance(scoring, (list, tuple)) and all(isinstance(s, str) for s in scoring):
        return {name: get_scorer(name) for name in scoring}
    raise TypeError(
        "scoring must be a scorer name, a callable scorer(estimator, X, y), a list of "
        f"names or a dict of name -> scorer, got {scoring!r}."
    )


def _target_values(schema, role, target, task):
    frame = schema.frames[role]
    if task == "regression":
        y = schema.numeric(role, target)
        if np.isnan(y).any():
            raise ValueError(
                f"The target column {target!r} of {role} has missing values; drop those rows."
            )
        return y
    y = frame[target]
    if y.isna().any():
        raise ValueError(
            f"The target column {target!r} of {role} has missing values; drop those rows."
        )
    values = y.to_numpy()
    if values.dtype.kind not in "biuf":
        values = values.astype(object)
    return values


class _FrozenPredictions:
    """A fitted estimator's outputs on a test set, looked up by row index.

    Scorers only call ``predict``, ``predict_proba`` or ``decision_function``;
    this stand-in answers them for any subset of test rows, given as an array of
    row indices, so the bootstrap does not predict again.
    """

    def __init__(self, fitted, X):
        self._outputs = {}
        for method in ("predict", "predict_proba", "decision_function"):
            if hasattr(fitted, method):
                try:
                    self._outputs[method] = getattr(fitted, method)(X)
                except (AttributeError, NotImplementedError):
                    pass
        if hasattr(fitted, "classes_"):
            self.classes_ = fitted.classes_
        self._tags = get_tags(fitted)

    def __sklearn_tags__(self):
        return self._tags

    def _has(name):
        return lambda self: name in self._outputs

    @available_if(_has("predict"))
    def predict(self, rows):
        return self._outputs["predict"][np.asarray(rows).ravel()]

    @available_if(_has("predict_proba"))
    def predict_proba(self, rows):
        return self._outputs["predict_proba"][np.asarray(rows).ravel()]

    @available_if(_has("decision_function"))
    def decision_function(self, rows):
        return self._outputs["decision_function"][np.asarray(rows).ravel()]


def _design(schema, estimator, preprocess, features, task, random_state):
    """Feature matrices of the three tables and the estimator that will fit them."""
    roles = ["real", "synthetic", "holdout"]
    if estimator is None:
        rows = {role: slice(None) for role in roles}
        design, mask = _ordinal_design(schema, roles, rows, columns=features)
        cls = HistGradientBoostingClassifier if task == "classification" else (
            HistGradientBoostingRegressor
        )
        estimator = cls(categorical_features=mask if mask.any() else None,
                        random_state=random_state)
        return design, estimator
    if preprocess:
        return schema.encode(roles, columns=features), estimator
    return {role: schema.frames[role][features] for role in roles}, estimator


def _weighted_auc(y_true, scores, W):
    """ROC-AUC of ``scores`` for binary ``y_true`` under each row of weights ``W``.

    Mann-Whitney form with ties counted one half: ``sum_{i pos, j neg} w_i w_j
    ([s_i > s_j] + [s_i = s_j] / 2) / (W_pos W_neg)``, from per-score-level sums.
    """
    levels, group = np.unique(scores, return_inverse=True)
    n, n_levels = len(scores), levels.size
    pos = y_true.astype(bool)
    to_level = sp.csr_matrix((np.ones(n), (np.arange(n), group)), shape=(n, n_levels))
    w_pos = np.asarray((sp.csr_matrix(W * pos) @ to_level).todense())
    w_neg = np.asarray((sp.csr_matrix(W * ~pos) @ to_level).todense())
    below = np.cumsum(w_neg, axis=1) - w_neg
    total = w_pos.sum(axis=1) * w_neg.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (w_pos * (below + 0.5 * w_neg)).sum(axis=1) / total, np.nan)


def _weighted_scores(name, named, frozen, y, W, point):
    """Bootstrap scores of the usual scorers from resample counts ``W``, vectorised.

    Returns None for other scorers (scored resample by resample instead), or
    when the vectorised form does not reproduce the scorer's own value on the
    full test set (a safety net: then the slow path runs).
    """
    if not named:
        return None
    outputs = frozen._outputs
    ones = np.ones((1, len(y)))
    if name in ("accuracy", "balanced_accuracy") and "predict" in outputs:
        correct = (outputs["predict"] == y).astype(float)

        def compute(weights):
            if name == "accuracy":
                return weights @ correct / weights.sum(axis=1)
            per_class = []
            for label in np.unique(y):
                in_class = (y == label).astype(float)
                with np.errstate(divide="ignore", invalid="ignore"):
                    per_class.append((weights @ (correct * in_class)) / (weights @ in_class))
            return np.nanmean(np.vstack(per_class), axis=0)
    elif name == "roc_auc" and len(getattr(frozen, "classes_", [])) == 2:
        if "predict_proba" in outputs:
            scores = outputs["predict_proba"][:, 1]
        elif "decision_function" in outputs:
            scores = np.ravel(outputs["decision_function"])
        else:
            return None
        y_pos = (y == frozen.classes_[1]).astype(int)

        def compute(weights):
            return _weighted_auc(y_pos, scores, weights)
    elif name in ("r2", "neg_mean_absolute_error") and "predict" in outputs:
        pred = np.asarray(outputs["predict"], dtype=float)
        y_f = np.asarray(y, dtype=float)

        def compute(weights):
            total = weights.sum(axis=1)
            if name == "neg_mean_absolute_error":
                return -(weights @ np.abs(y_f - pred)) / total
            mean = (weights @ y_f) / total
            ss_tot = (weights * (y_f[None, :] - mean[:, None]) ** 2).sum(axis=1)
            ss_res = weights @ (y_f - pred) ** 2
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(ss_tot > 0, 1 - ss_res / ss_tot, np.nan)
    else:
        return None
    if not np.isclose(compute(ones)[0], point, rtol=1e-9, atol=1e-12):
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return compute(W)


def _percentile_ci(values, confidence_level):
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.nan, np.nan
    alpha = 1.0 - confidence_level
    low, high = np.percentile(values, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(low), float(high)


def _relative_loss(trtr, tstr):
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.asarray(trtr, float) - np.asarray(tstr, float)) / np.abs(trtr)


def _utility(schema, target, *, estimator=None, scoring=None, task="auto", preprocess=True,
             n_bootstrap=200, confidence_level=0.95, random_state=0):
    if "holdout" not in schema.frames or "synthetic" not in schema.frames:
        raise ValueError("utility needs a synthetic table and a holdout of real rows.")
    if target is None:
        raise ValueError("utility needs target=<name of the column to predict>.")
    if target not in schema.columns:
        raise ValueError(f"target={target!r} is not a column of real.")
    features = [c for c in schema.columns if c != target]
    if not features:
        raise ValueError("utility needs at least one feature column besides the target.")
    if task == "auto":
        task = _infer_task(schema, target)
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'auto', 'classification' or 'regression', got {task!r}.")
    if estimator is not None:
        if task == "classification" and not is_classifier(estimator):
            raise TypeError(f"task is classification but estimator {estimator!r} is not a "
                            "classifier; pass a classifier or task='regression'.")
        if task == "regression" and not is_regressor(estimator):
            raise TypeError(f"task is regression but estimator {estimator!r} is not a "
                            "regressor; pass a regressor or task='classification'.")
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    y = {role: _target_values(schema, role, target, task) for role in schema.frames}
    n_classes = None
    if task == "classification":
        for role in ("real", "synthetic"):
            if pd.unique(y[role]).size < 2:
                raise ValueError(
                    f"The target column {target!r} of {role} holds a single class; a "
                    "classifier needs at least two (TSTR is undefined)."
                )
        n_classes = pd.unique(np.concatenate([y["real"], y["holdout"]])).size
    design, base = _design(schema, estimator, preprocess, features, task, seed)
    if scoring is None:
        scoring = _default_scoring(task, n_classes)
    scorers = _scorers(scoring, base)
    # scorers given by name: the usual ones are bootstrapped in vectorised form
    named = {scoring} if isinstance(scoring, str) else (
        set(scoring) if isinstance(scoring, (list, tuple)) else set())

    models = {}
    for setting, role in (("trtr", "real"), ("tstr", "synthetic")):
        model = clone(base)
        if "random_state" in model.get_params() and model.get_params()["random_state"] is None:
            model.set_params(random_state=seed)
        with single_openmp_thread():
            models[setting] = model.fit(design[role], y[role])

    X_test, y_test = design["holdout"], y["holdout"]
    n_test = len(y_test)
    with single_openmp_thread():
        frozen = {s: _FrozenPredictions(m, X_test) for s, m in models.items()}
    records = []
    boots = rng.randint(0, n_test, size=(n_bootstrap, n_test))
    # how often each test row occurs in each resample (the same resamples as ``boots``)
    counts = np.zeros((n_bootstrap, n_test))
    np.add.at(counts, (np.repeat(np.arange(n_bootstrap), n_test), boots.ravel()), 1.0)
    for name, scorer in scorers.items():
        with single_openmp_thread():
            point = {s: float(scorer(models[s], X_test, y_test)) for s in models}
        samples = {}
        for s in models:
            fast = _weighted_scores(name, name in named, frozen[s], y_test, counts, point[s])
            if fast is not None:
                samples[s] = fast
                continue
            samples[s] = np.full(n_bootstrap, np.nan)
            for b in range(n_bootstrap):
                rows = boots[b]
                try:
                    samples[s][b] = scorer(frozen[s], rows[:, None], y_test[rows])
                except ValueError:  # e.g. a resample with a single class for ROC-AUC
                    pass
        record = {"metric": name}
        for s in ("trtr", "tstr"):
            record[s] = point[s]
            record[f"{s}_ci_low"], record[f"{s}_ci_high"] = _percentile_ci(
                samples[s], confidence_level
            )
        record["relative_loss"] = float(_relative_loss(point["trtr"], point["tstr"]))
        record["relative_loss_ci_low"], record["relative_loss_ci_high"] = _percentile_ci(
            _relative_loss(samples["trtr"], samples["tstr"]), confidence_level
        )
        records.append(record)
    result = pd.DataFrame.from_records(records).set_index("metric")
    result.attrs.update(task=task, target=target, n_test=n_test,
                        estimator=type(base).__name__, confidence_level=confidence_level)
    return result


def utility_scores(real, synthetic, holdout, *, target, estimator=None, scoring=None,
                   task="auto", preprocess=True, n_bootstrap=200, confidence_level=0.95,
                   random_state=0):
    """Train-on-synthetic / test-on-real scores next to the train-on-real baseline.

    Two copies of ``estimator`` are fitted to predict ``target`` from the other
    columns: one on the real training table (TRTR, the baseline) and one on the
    synthetic table (TSTR). Both are scored on ``holdout``, real rows that
    neither the generator nor the models saw. Confidence intervals come from a
    percentile bootstrap over the holdout rows, with both models scored on the
    same resamples, so the interval of the relative loss is paired.

    **Direction and range:** every score follows scikit-learn's convention
    (greater is better; accuracy, balanced accuracy, ROC-AUC and R² are at most
    1, ``neg_*`` errors at most 0). The relative loss
    ``(TRTR - TSTR) / |TRTR|`` is lower-is-better: 0 when the synthetic data
    train models as good as the real data, positive when worse, negative when
    better.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real rows the generator was fitted on.
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The synthetic table, with the same columns (including the target).
    holdout : array-like or DataFrame of shape (n_holdout, n_features)
        Real rows that the generator never saw: the test set of both models.
    target : str or int
        The column to predict.
    estimator : estimator, default=None
        Any scikit-learn classifier or regressor. ``None`` uses a
        ``HistGradientBoostingClassifier`` (or ``Regressor``) on the numeric
        values and native categorical codes.
    scoring : str, callable, list or dict, default=None
        Scorer names or callables ``scorer(estimator, X, y)`` (see
        :func:`sklearn.metrics.get_scorer`). ``None``: accuracy, balanced
        accuracy and ROC-AUC (binary) for classification; R² and negative mean
        absolute error for regression. A callable scorer must use only the
        estimator's ``predict``, ``predict_proba`` or ``decision_function``
        (the bootstrap reuses their outputs).
    task : {"auto", "classification", "regression"}, default="auto"
        ``"auto"``: classification for a categorical target or an integer one
        with at most 20 distinct values, regression otherwise.
    preprocess : bool, default=True
        For a user ``estimator``: pass it the numeric encoding of
        :mod:`sksynth.metrics` (standardised numeric, one-hot categorical
        columns). ``False`` passes the raw feature DataFrames (use a
        ``Pipeline`` with its own preprocessing).
    n_bootstrap : int, default=200
        Bootstrap resamples of the holdout rows (0 for no intervals).
    confidence_level : float, default=0.95
        Coverage of the percentile intervals.
    random_state : int, RandomState instance or None, default=0
        Seeds the bootstrap and the estimators left without a seed.

    Returns
    -------
    scores : DataFrame
        One row per scorer, with columns ``trtr``, ``trtr_ci_low``,
        ``trtr_ci_high``, ``tstr``, ``tstr_ci_low``, ``tstr_ci_high``,
        ``relative_loss``, ``relative_loss_ci_low`` and
        ``relative_loss_ci_high``. ``scores.attrs`` records the task, target,
        number of test rows, estimator and confidence level.

    Notes
    -----
    The intervals reflect the sampling of the test rows only (the models are
    fitted once); they answer "how precisely does this holdout measure these
    two fitted models".

    References
    ----------
    Esteban, C., Hyland, S. L. & Rätsch, G. (2017). Real-valued (medical) time
    series generation with recurrent conditional GANs. arXiv:1706.02633.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sksynth.metrics import utility_scores
    >>> rng = np.random.default_rng(0)
    >>> def draw(n):
    ...     x = rng.normal(size=(n, 2))
    ...     return pd.DataFrame({"x0": x[:, 0], "x1": x[:, 1], "y": (x.sum(1) > 0).astype(int)})
    >>> real, synthetic, holdout = draw(400), draw(400), draw(400)
    >>> scores = utility_scores(real, synthetic, holdout, target="y",
    ...                         estimator=LogisticRegression(), scoring="accuracy")
    >>> bool(scores.loc["accuracy", "tstr"] > 0.95)
    True
    >>> bool(abs(scores.loc["accuracy", "relative_loss"]) < 0.03)
    True
    """
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, Integral) or n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be a non-negative integer, got {n_bootstrap!r}.")
    if not isinstance(confidence_level, Real) or not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must be in (0, 1), got {confidence_level!r}.")
    schema = check_tables(real, synthetic, holdout, target=target)
    return _utility(schema, target, estimator=estimator, scoring=scoring, task=task,
                    preprocess=preprocess, n_bootstrap=int(n_bootstrap),
                    confidence_level=float(confidence_level), random_state=random_state)
