"""Scorers that let scikit-learn's model selection tune and compare generators."""

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import get_scorer

from ._fidelity import _association_difference, _column_distances, _detection_auc, _mmd, _quality
from ._fidelity import _ordinal_design
from ._tables import check_tables, single_openmp_thread
from ._utility import _infer_task, _target_values

__all__ = ["GENERATOR_METRICS", "make_generator_scorer"]

#: Metric names accepted by :func:`make_generator_scorer` (all greater-is-better).
GENERATOR_METRICS = (
    "quality_score",
    "neg_column_distance",
    "neg_association_difference",
    "neg_mmd",
    "neg_detection_auc",
    "tstr",
)


def _fidelity_value(metric, schema, kwargs):
    random_state = kwargs.get("random_state", 0)
    if metric == "quality_score":
        return _quality(schema, kwargs.get("numeric_method", "pearson"))[0]
    if metric == "neg_column_distance":
        return -float(_column_distances(schema)["distance"].mean())
    if metric == "neg_association_difference":
        return -_association_difference(schema, kwargs.get("numeric_method", "pearson"))[0]
    if metric == "neg_mmd":
        return -_mmd(schema, kwargs.get("max_samples", 1000), random_state)[0]
    if metric == "neg_detection_auc":
        return -_detection_auc(schema, kwargs.get("classifier"), kwargs.get("cv", 5),
                               kwargs.get("max_samples", 10_000), random_state,
                               kwargs.get("n_jobs"))
    raise AssertionError(metric)


def _frame(data, columns=None):
    """``data`` as a DataFrame with a fresh RangeIndex (and ``columns`` when given)."""
    frame = data.copy() if isinstance(data, pd.DataFrame) else pd.DataFrame(np.asarray(data))
    frame = frame.reset_index(drop=True)
    if columns is not None:
        frame.columns = columns
    return frame


class _GeneratorScorer:
    """Callable ``scorer(generator, X, y=None)`` for scikit-learn model selection.

    It draws synthetic rows from the fitted generator with a fixed seed (so
    every candidate is compared on the same footing) and compares them with the
    held-out rows ``X`` (and ``y``) that the scorer receives.
    """

    def __init__(self, metric, *, greater_is_better, n_samples, target, estimator, scoring,
                 random_state, kwargs):
        self.metric = metric
        self.greater_is_better = greater_is_better
        self.n_samples = n_samples
        self.target = target
        self.estimator = estimator
        self.scoring = scoring
        self.random_state = random_state
        self.kwargs = kwargs

    def __repr__(self):
        return f"make_generator_scorer({self.metric!r})"

    def _draw(self, generator, X, y):
        n = self.n_samples if self.n_samples is not None else len(X)
        drawn = generator.sample(n, random_state=self.random_state)
        X_syn, y_syn = drawn if isinstance(drawn, tuple) else (drawn, None)
        real = _frame(X)
        syn = _frame(X_syn, columns=None if isinstance(X_syn, pd.DataFrame) else real.columns)
        target = self.target
        if y is not None and y_syn is not None:
            if target is None:
                named = isinstance(y, pd.Series) and y.name is not None
                target = y.name if named else "__target__"
            if target in real.columns:
                raise ValueError(
                    f"The target name {target!r} is already a column of X; pass another "
                    "target= to make_generator_scorer."
                )
            real[target] = np.asarray(y)
            syn[target] = np.asarray(y_syn)
        return real, syn, target

    def __call__(self, generator, X, y=None, **kwargs):
        real, syn, target = self._draw(generator, X, y)
        if callable(self.metric):
            value = float(self.metric(real, syn))
            return value if self.greater_is_better else -value
        schema = check_tables(real, syn, target=target if self.metric == "tstr" else None)
        if self.metric != "tstr":
            return float(_fidelity_value(self.metric, schema, self.kwargs))
        return self._tstr(schema, target)

    def _tstr(self, schema, target):
        if target is None:
            raise ValueError(
                "metric='tstr' needs a target: fit the generator with y, or pass "
                "target=<column name> to make_generator_scorer."
            )
        task = _infer_task(schema, target)
        features = [c for c in schema.columns if c != target]
        roles = ["real", "synthetic"]
        y_real = _target_values(schema, "real", target, task)
        y_syn = _target_values(schema, "synthetic", target, task)
        if self.estimator is None:
            design, mask = _ordinal_design(schema, roles, {r: slice(None) for r in roles},
                                           columns=features)
            cls = HistGradientBoostingClassifier if task == "classification" else (
                HistGradientBoostingRegressor
            )
            model = cls(categorical_features=mask if mask.any() else None, random_state=0)
        else:
            design = schema.encode(roles, columns=features)
            model = clone(self.estimator)
        if task == "classification" and pd.unique(y_syn).size < 2:
            raise ValueError(
                f"The synthetic rows hold a single class of {target!r}: no classifier can "
                "be trained on them (TSTR is undefined); draw more rows (n_samples)."
            )
        scoring = self.scoring or ("accuracy" if is_classifier(model) else "r2")
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
        with single_openmp_thread():
            model.fit(design["synthetic"], y_syn)
            return float(scorer(model, design["real"], y_real))


def make_generator_scorer(metric, *, greater_is_better=True, n_samples=None, target=None,
                          estimator=None, scoring=None, random_state=0, **kwargs):
    """Make a scorer that rates a fitted generator on held-out real rows.

    The scorer has the signature ``scorer(generator, X, y=None)`` that
    scikit-learn's model selection expects: ``GridSearchCV(generator,
    param_grid, scoring=scorer)`` fits each candidate generator on the training
    folds, and the scorer draws synthetic rows from it (with a fixed seed) and
    compares them with the validation fold. A dict of scorers makes
    :func:`~sklearn.model_selection.cross_validate` report all of them.

    Parameters
    ----------
    metric : str or callable
        One of (all greater-is-better, as scikit-learn maximises):

        - ``"quality_score"``: :func:`quality_score`, in ``[0, 1]``;
        - ``"neg_column_distance"``: minus the mean of :func:`column_distances`,
          in ``[-1, 0]``;
        - ``"neg_association_difference"``: minus
          :func:`association_difference`, in ``[-1, 0]``;
        - ``"neg_mmd"``: minus :func:`mmd`, in ``[-2, 0]``;
        - ``"neg_detection_auc"``: minus :func:`detection_auc`, in
          ``[-1, 0]`` (-0.5 is the best attainable);
        - ``"tstr"``: train ``estimator`` on the synthetic rows, score it with
          ``scoring`` on the validation fold (train-on-synthetic,
          test-on-real).

        Or a callable ``metric(real, synthetic) -> float`` on two DataFrames;
        set ``greater_is_better=False`` for a distance.
    greater_is_better : bool, default=True
        For a callable ``metric`` only: whether its value grows with quality
        (otherwise the scorer returns its negative).
    n_samples : int, default=None
        Synthetic rows to draw; ``None`` draws as many as the validation fold has.
    target : str, default=None
        Column to predict for ``"tstr"`` when the generator models it as a
        column of ``X``. For a generator fitted with ``y``, ``y`` is the target
        and is also compared as a column by the fidelity metrics.
    estimator : estimator, default=None
        Model of ``"tstr"`` (it receives the numeric encoding of
        :mod:`sksynth.metrics`); ``None`` uses histogram gradient boosting.
    scoring : str or callable, default=None
        Scorer of ``"tstr"``; ``None`` uses accuracy (classification) or R².
    random_state : int, default=0
        Seed of the synthetic draw and of the metric's own randomness.
    **kwargs : dict
        Passed to the metric: ``numeric_method``, ``max_samples``, ``classifier``,
        ``cv``, ``n_jobs``.

    Returns
    -------
    scorer : callable
        ``scorer(generator, X, y=None) -> float``, greater is better.

    Notes
    -----
    Privacy measures need the generator's training rows, which a scorer never
    sees; evaluate them with :func:`evaluate` on a final fit.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV, cross_validate
    >>> from sksynth.generators import GaussianGenerator
    >>> from sksynth.metrics import make_generator_scorer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.multivariate_normal([0, 0], [[1, .8], [.8, 1]], size=600)
    >>> search = GridSearchCV(
    ...     GaussianGenerator(random_state=0), {"covariance_type": ["full", "diag"]},
    ...     scoring=make_generator_scorer("neg_association_difference"), cv=3).fit(X)
    >>> search.best_params_
    {'covariance_type': 'full'}
    >>> scores = cross_validate(GaussianGenerator(random_state=0), X, cv=3, scoring={
    ...     "quality": make_generator_scorer("quality_score"),
    ...     "mmd": make_generator_scorer("neg_mmd")})
    >>> bool(scores["test_quality"].min() > 0.9)
    True
    """
    if callable(metric):
        greater = bool(greater_is_better)
    elif metric in GENERATOR_METRICS:
        greater = True
    else:
        raise ValueError(
            f"Unknown metric {metric!r}; choose one of {list(GENERATOR_METRICS)} or pass a "
            "callable metric(real, synthetic)."
        )
    if kwargs:
        allowed = {"numeric_method", "max_samples", "classifier", "cv", "n_jobs"}
        unknown = sorted(set(kwargs) - allowed)
        if unknown:
            raise TypeError(
                f"Unknown keyword arguments {unknown}; the metrics accept {sorted(allowed)}."
            )
    kwargs["random_state"] = random_state
    return _GeneratorScorer(metric, greater_is_better=greater, n_samples=n_samples,
                            target=target, estimator=estimator, scoring=scoring,
                            random_state=random_state, kwargs=kwargs)
