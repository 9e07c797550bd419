"""Gaussian-copula generator for mixed-type tables (numeric, categorical, missing).

The estimator lives here; its latent marginals (columns to normal scores and
back, the latent correlation) are in :mod:`._copula_marginals` and its
conditional sampling (conditions as bounds on the scores, truncated normals,
probabilities of the conditions) in :mod:`._copula_conditional`.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

from ..base import DEFAULT_MIN_GROUP_SIZE, GeneratorMixin, _small_groups
from ._docs import fill_doc
from ._copula_conditional import (
    _as_rows,
    _condition_bounds,
    _draw_scores,
    _log_condition_probability,
    _log_copula_density,
)
from ._copula_marginals import (
    _cholesky,
    _decode_values,
    _estimate_correlation,
    _fit_columns,
    _row_scores,
)
from ._table_spec import _TableSpec

_MARGINALS = ("empirical", "kde", "parametric")


@fill_doc
class GaussianCopulaGenerator(GeneratorMixin, TransformerMixin, BaseEstimator):
    """Gaussian copula over mixed columns, with exact conditional sampling.

    Each column gets a marginal distribution and is mapped to normal scores;
    the scores follow a multivariate normal with a (shrunk) correlation
    matrix. Numeric columns use a marginal with atoms (values seen often, e.g.
    zeros or integers) and a continuous part; categorical and boolean columns
    place their categories on consecutive intervals of (0, 1), most frequent
    first; a numeric column with missing values gets a missing indicator that
    takes part in the copula, so missing rates and their dependence on other
    columns are reproduced. Fitted with class labels, it fits one copula per
    class (class-conditional) and ``sample(y=labels)`` draws each row from its
    label's copula; a continuous target is one more numeric column of a single
    copula (joint).

    Parameters
    ----------
    marginals : {"empirical", "kde", "parametric"} or dict, default="empirical"
        Continuous part of the numeric marginals: the smoothed empirical
        distribution (linear between observed values), a Gaussian kernel
        density estimate, or the best of normal, uniform, beta and gamma by
        Kolmogorov-Smirnov distance; all truncated to the observed range. A
        dict ``{column: method}`` sets some columns; the others are empirical.
    shrinkage : "ledoit_wolf" or float in [0, 1], default="ledoit_wolf"
        Shrink the correlation matrix of the normal scores towards the
        identity, by the Ledoit-Wolf estimate of the intensity or by a fixed
        intensity.
    column_types : dict, default=None
        Type of some columns, ``{column: type}`` with ``type`` in
        ``"numeric"``, ``"integer"``, ``"categorical"``, ``"boolean"``,
        ``"datetime"``, ``"id"`` or a semantic type such as ``"email"``; the
        others are inferred from their dtype, and identifiers from their values
        (see :class:`TabularEncoder`). Identifiers and semantic types are never
        modelled: sampled rows get fresh values (see Notes).
    %(constraints)s
    min_group_size : int, default=5
        Privacy floor. A table with fewer rows is refused; a class with fewer
        rows is drawn from the copula of the whole table instead of its own
        (a :class:`~sksynth.base.PrivacyWarning` names it), and ``conditions``
        on a category held by fewer training rows (of the requested class) are
        refused, since rows drawn from so few would replay them. ``1`` turns
        the floor off.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampling stream advanced by :meth:`sample` (the fit itself
        is deterministic).

    Attributes
    ----------
    correlation_ : ndarray of shape (n_latent, n_latent)
        Correlation matrix of the normal scores (after shrinkage), in the
        order of ``latent_names_``. Fitted with class labels, that of the
        pooled copula of ``X`` alone, which :meth:`transform` uses (each class
        has its own copula for sampling and scoring).
    latent_names_ : ndarray of str
        One entry per modelled score: a column's name for its values and
        ``"<name>__missing"`` for its missing indicator (a continuous target
        is ``"__target__"``). Constant and all-missing columns have none.
    shrinkage_ : float
        The shrinkage intensity used (pooled copula).
    marginals_ : dict
        For each numeric column, the marginal used: ``"empirical"``,
        ``("kde", bandwidth)`` or ``(family, ks_distance)`` (pooled copula).
    column_types_ : dict
        Type of every column, inferred or given (the same in every class).
    classes_ : ndarray of shape (n_classes,)
        Class labels, when fitted with class labels.
    class_prior_ : ndarray of shape (n_classes,)
        Proportion of each class in the training rows, when fitted with
        class labels: :meth:`sample` draws the labels with these
        probabilities.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    TabularEncoder : Mixed table to float matrix, for neural generators.
    GaussianGenerator : Multivariate normal generator for numeric data.

    Notes
    -----
    *Scores.* A continuous value gets the score ``Phi^-1(F(x))``; a value
    with a probability interval ``(F(x-), F(x)]`` (a category, an atom, a
    missing flag) gets ``E[Z | Phi(Z) in interval]``, the same at ``fit`` and
    in :meth:`transform` (deterministic). Averaging over intervals attenuates
    correlations; the latent correlation of each pair is recovered from the
    Pearson correlation of its scores by inverting Mehler's expansion
    ``Cov(s_i, s_j) = sum_k rho^k c_ik c_jk`` (``c_k`` the Hermite coefficients
    of each column's score function, 100 terms, bisection), which is exact for
    latent Gaussian data (the polychoric/polyserial correlation). Pairs are
    estimated on the rows where both are observed, then the matrix is made
    positive definite (eigenvalue clipping) and shrunk.

    *Sampling* draws the scores from ``N(0, R)`` and maps each back by interval
    lookup or the quantile function (``np.interp``, ``np.searchsorted``): no
    per-row Python. Numeric outputs stay within the observed range; integer
    columns are rounded; categories never seen are never produced.

    *Conditions* (``sample(conditions={column: value}, y=...)``, a scalar for
    every row or one value per row; ``np.nan``, ``None`` or ``NaT`` ask for a
    missing value; keys are column names for DataFrames and positions for
    arrays) must have been possible in ``fit``: categories seen (and held by at
    least ``min_group_size`` rows), numbers within the observed range, whole
    numbers for integer columns, missing only where values were missing;
    otherwise a ``ValueError`` says which. Identifier columns cannot be
    conditioned on. Sampling under them is exact, without rejection: a continuous value fixes its score, an interval value
    (category, atom, missing flag) restricts it to an interval. With at most
    one interval condition per row the interval score is drawn from its
    truncated normal conditional given the point conditions, then the other
    scores from their Gaussian conditional: an exact draw. With two or more
    interval conditions in a row, their scores come from a Gibbs sampler on
    the truncated multivariate normal (50 sweeps, vectorised over rows), whose
    draws are exact only in the limit.

    *Likelihood.* :meth:`score_samples` is a proxy: the sum of the marginal
    log-densities (log-probabilities for interval values) plus the log
    copula density at the scores of :meth:`transform`; missing values are
    marginalised out of the copula, values off the observed range get a
    Laplace tail, and a category never seen in ``fit`` has probability zero:
    its row scores ``-inf`` (as :meth:`transform` refuses it).

    *Class labels.* A single copula with the label as one more categorical
    column cannot express class-dependent distributions beyond two classes
    (the latent order of the classes is arbitrary, so a class in the middle
    of it shares its neighbours' dependence). Fitted with class labels, the
    generator therefore fits one copula (marginals and correlation) per
    class on that class's rows, with the column types of the whole table,
    and keeps the class proportions ``class_prior_`` (``pi``):
    ``sample(n)`` draws the labels from ``pi`` and each row from its
    class's copula; ``sample(y=labels)`` draws row ``i`` from the copula of
    ``labels[i]``; ``conditions`` apply within each class's copula, and
    without ``y`` the labels are drawn from ``P(y | conditions)``
    proportional to ``pi_y p_y(conditions)``, where ``p_y`` is the
    probability of the interval conditions times the density of the
    continuous ones under class ``y``'s copula (exact with at most one
    interval condition per row, otherwise the GHK simulator [5]_ with a
    fixed seed; a probability of a value the class never had is 0). A
    class's copula produces only what its class had: categories and ranges
    of its own rows; a class with fewer than ``min_group_size`` rows is
    instead drawn from the pooled copula of the whole table, so its rows are
    not reproduced.
    ``score_samples(X, y)`` is ``log pi_y`` plus the class's proxy and
    ``score_samples(X)`` their log-sum-exp over the classes. :meth:`transform`,
    :meth:`inverse_transform`, ``correlation_`` and ``latent_names_`` belong
    to a pooled copula fitted to ``X`` alone (what ``fit(X)`` gives), so the
    representation does not depend on the labels. Fitting costs about twice
    a fit without labels (the pooled copula plus the class copulas).

    References
    ----------
    .. [1] Nelsen, R. B. (2006). *An Introduction to Copulas*, 2nd ed. Springer.
    .. [2] Olsson, U., Drasgow, F. and Dorans, N. J. (1982). "The polyserial
       correlation coefficient." Psychometrika 47(3) (the Hermite-expansion
       link between latent and observed correlations).
    .. [3] Patki, N., Wedge, R. and Veeramachaneni, K. (2016). "The Synthetic
       Data Vault." IEEE DSAA 2016.
    .. [4] Ledoit, O. and Wolf, M. (2004). "A well-conditioned estimator for
       large-dimensional covariance matrices." Journal of Multivariate
       Analysis 88(2).
    .. [5] Train, K. (2009). *Discrete Choice Methods with Simulation*, 2nd
       ed., section 5.6.3 (the Geweke-Hajivassiliou-Keane simulator of
       multivariate normal rectangle probabilities). Cambridge University
       Press.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> rng = np.random.RandomState(0)
    >>> income = rng.lognormal(10, 0.5, size=1000).round()
    >>> X = pd.DataFrame({"income": income,
    ...                   "owner": np.where(income > 25_000, "yes", "no")})
    >>> gen = GaussianCopulaGenerator(random_state=0).fit(X)
    >>> X_new = gen.sample(2000)
    >>> X_new.dtypes.equals(X.dtypes), set(X_new["owner"]) <= {"yes", "no"}
    (True, True)
    >>> rich = gen.sample(500, conditions={"owner": "yes"})
    >>> bool((rich["owner"] == "yes").all()), bool(rich["income"].median() > income.mean())
    (True, True)

    With class labels, each class gets its own copula:

    >>> y = np.repeat(["a", "b", "c"], 300)
    >>> X = pd.DataFrame({"x": rng.normal(np.repeat([0.0, 4.0, 8.0], 300))})
    >>> gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    >>> X_b, y_b = gen.sample(y=["b"] * 1000)
    >>> round(float(X_b["x"].mean())), bool((y_b == "b").all())
    (4, True)
    """

    _supports_regression_target = True
    _input_kind = "mixed"
    _accepts_conditions = True

    _parameter_constraints = {
        "marginals": [StrOptions(set(_MARGINALS)), dict],
        "shrinkage": [StrOptions({"ledoit_wolf"}), Interval(Real, 0, 1, closed="both")],
        "column_types": [None, dict],
        "constraints": [None, list],
        "min_group_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, marginals="empirical", shrinkage="ledoit_wolf", column_types=None, constraints=None,
                 min_group_size=DEFAULT_MIN_GROUP_SIZE, random_state=None):
        self.marginals = marginals
        self.shrinkage = shrinkage
        self.column_types = column_types
        self.constraints = constraints
        self.min_group_size = min_group_size
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def _fit(self, frame, y_spec, X):
        """Fit the marginals and the copula to ``frame`` (and ``y_spec``): one copula per
        class for class labels, one of ``(X, y)`` for a continuous target."""
        n_rows = frame.shape[0]
        by_class = y_spec is not None and y_spec.task == "classification"
        # the copula of X alone (class labels) or of (X, y) (continuous target)
        self._fit_copula(frame, X, None if by_class else y_spec)
        self._y_spec = y_spec
        self._class_models = None
        self.__dict__.pop("class_prior_", None)
        if by_class:
            labels = y_spec.encoded
            self.class_prior_ = np.bincount(labels, minlength=len(self.classes_)) / n_rows
            # One copula per class, with the column types of the whole table (a class
            # alone could look different, e.g. integer-valued floats). Their draws come
            # from this generator's stream, so they keep no stream of their own. Classes
            # too small to model on their own share the copula of the whole table.
            small = _small_groups(labels, len(self.classes_), self.min_group_size,
                                  what="class", names=self.classes_.tolist(), estimator=self)
            pooled = None
            if small.size:
                pooled = clone(self)
                pooled._fit_copula(frame, frame, None, spec=self._spec)
            self._class_models = []
            for k in range(len(self.classes_)):
                if k in small:
                    self._class_models.append(pooled)
                    continue
                model = clone(self)
                model._fit_copula(frame.iloc[np.flatnonzero(labels == k)], frame, None,
                                  spec=self._spec)
                self._class_models.append(model)
        self._init_sampling_stream(check_random_state(self.random_state))
        return self

    def _fit_copula(self, frame, X, y_spec, spec=None):
        """Fit marginals and correlation to ``frame`` (and a continuous target ``y_spec``).

        ``spec`` (the whole table's) fixes the column types and hidden columns
        instead of inferring them from ``frame``.
        """
        self._spec = (_TableSpec(frame, X, self._model_column_types()) if spec is None
                      else spec)
        methods = self._marginal_methods()
        self._n_train = frame.shape[0]
        self._y_spec = y_spec
        target = None if y_spec is None else y_spec.encoded
        self._columns, self._latents, names, Z, self.marginals_ = _fit_columns(
            self._spec, frame, target, methods)
        self.column_types_ = self._spec.column_types
        self.latent_names_ = np.asarray(names, dtype=object)
        self.correlation_, self.shrinkage_, self._score_corr, self._score_std = (
            _estimate_correlation(Z, self._latents, self.shrinkage))
        self._factor = _cholesky(self.correlation_)
        self._x_latents = np.array(
            [i for c in self._columns[:self._spec.n_columns] for i in (c.value, c.missing)
             if i is not None], dtype=np.intp)

    def _marginal_methods(self):
        if isinstance(self.marginals, str):
            return {name: self.marginals for name in getattr(self, "_spec").columns}
        bad = {k: v for k, v in self.marginals.items() if v not in _MARGINALS}
        if bad:
            raise ValueError(
                f"marginals maps columns to unknown methods {bad}; use one of {list(_MARGINALS)}."
            )
        unknown = set(self.marginals) - set(self._spec.columns)
        if unknown:
            raise ValueError(
                f"marginals names columns that X does not have: {sorted(map(str, unknown))}."
            )
        return dict(self.marginals)

    # ------------------------------------------------------------- sampling
    def _sample(self, n_samples, y_enc, conditions, rng):
        """Rows (and encoded targets) for :meth:`~sksynth.base.GeneratorMixin.sample`.

        ``conditions``: see the class Notes ("Conditions").
        """
        requests = [(self._column_index(key), _as_rows(value, n_samples))
                    for key, value in conditions.items()]
        if self._class_models is not None:
            return self._sample_by_class(n_samples, y_enc, requests, rng)
        if y_enc is not None:
            requests.append((len(self._columns) - 1, _as_rows(y_enc, n_samples)))
        bounds, exact, _, _ = self._condition_bounds(requests, n_samples)
        Z = _draw_scores(self.correlation_, self._factor, n_samples, bounds, rng)
        values = _decode_values(self._columns, self._latents, Z, exact)
        n_x = self._spec.n_columns
        X_new = self._spec.restore(values[:n_x], rng)
        return X_new, (None if self._y_spec is None else values[n_x])

    def _sample_by_class(self, n, y_enc, requests, rng):
        """Rows from the class copulas, for given labels or labels drawn first.

        Without ``y``, labels come from the class proportions, or from
        ``P(y | conditions)`` when there are conditions; each class's rows are
        then drawn from its copula (under the conditions) and put back in order.
        """
        if requests:  # values impossible for the whole table raise here, as without y
            self._condition_bounds(requests, n)
        if y_enc is not None:
            labels = np.asarray(y_enc, dtype=np.intp)
        elif requests:
            labels = self._draw_labels(requests, n, rng)
        else:
            labels = rng.choice(len(self.classes_), size=n, p=self.class_prior_)
        columns = [np.empty(n, dtype=object if column.kind == "codes" else np.float64)
                   for column in self._columns]
        for k in np.unique(labels):
            rows = np.flatnonzero(labels == k)
            model = self._class_models[k]
            try:
                bounds, exact, _, _ = model._condition_bounds(
                    [(j, raw[rows]) for j, raw in requests], rows.size)
            except ValueError as exc:
                label = self.classes_[k:k + 1].tolist()[0]
                raise ValueError(
                    f"for the rows requested with y={label!r}: {exc} Each class has its own "
                    "copula, fitted on that class's rows: condition these rows on values their "
                    "class had, or leave y out to draw the labels given the conditions."
                ) from None
            Z = _draw_scores(model.correlation_, model._factor, rows.size, bounds, rng)
            for column, values in zip(columns, _decode_values(model._columns, model._latents,
                                                              Z, exact)):
                column[rows] = values
        return self._spec.restore(columns, rng), labels

    def _draw_labels(self, requests, n, rng):
        """Labels from ``P(y | conditions)``, proportional to ``pi_y p_y(conditions)``."""
        try:  # rows with the same conditions share their posterior: evaluate it once
            table = pd.DataFrame({i: raw for i, (_, raw) in enumerate(requests)})
            groups = table.groupby(list(table.columns), dropna=False, sort=False).ngroup()
            groups = groups.to_numpy()
            first = np.unique(groups, return_index=True)[1]
        except TypeError:  # unhashable values: row by row
            groups = first = np.arange(n)
        distinct = [(j, raw[first]) for j, raw in requests]
        log_post = np.column_stack(
            [np.log(prior) + model._condition_log_prob(distinct, first.size)
             for prior, model in zip(self.class_prior_, self._class_models)])[groups]
        best = log_post.max(axis=1)
        dead = np.flatnonzero(~np.isfinite(best))
        if dead.size:
            raise ValueError(
                f"the conditions of rows {dead[:5].tolist()} are impossible in every class: "
                "each class has its own copula, fitted on that class's rows, and none of them "
                "had all of these values (categories, ranges, missing values); relax the "
                "conditions of these rows."
            )
        cum = np.cumsum(np.exp(log_post - best[:, None]), axis=1)
        u = rng.uniform(size=n) * cum[:, -1]
        return np.minimum(np.sum(cum <= u[:, None], axis=1), len(self.classes_) - 1)

    def _column_index(self, key):
        return self._spec.index(key, type(self).__name__)

    def _condition_bounds(self, requests, n, *, strict=True):
        """Bounds of the conditions on this copula's scores (see :func:`_condition_bounds`)."""
        return _condition_bounds(self._columns, self._latents, self._spec, self.min_group_size,
                                 requests, n, strict=strict)

    def _condition_log_prob(self, requests, n):
        """Log-probability of each row's conditions under the copula; ``-inf`` if impossible.

        See :func:`~sksynth.generators._copula_conditional._log_condition_probability`.
        """
        if n == 0:
            return np.zeros(0)
        bounds, _, log_density, impossible = self._condition_bounds(requests, n, strict=False)
        return _log_condition_probability(self.correlation_, bounds, log_density, impossible)

    # --------------------------------------------------------- scores/latents
    def _row_scores(self, frame, y_enc=None, *, strict):
        """Deterministic scores with NaN where absent, and log-masses (see :func:`_row_scores`)."""
        return _row_scores(self._columns, self._latents, self._spec, self._n_train, frame, y_enc,
                           strict=strict)

    def _score_samples(self, frame, y_enc):
        """Log-likelihood proxy of each row (see Notes): for class labels
        ``log pi_y + log p(x | y)`` under the class's copula, or without ``y`` the
        marginal ``log sum_k pi_k p(x | k)``; ``-inf`` for a category never seen."""
        if self._class_models is None:
            return self._log_likelihood(frame, y_enc)
        log_prior = np.log(self.class_prior_)
        if y_enc is None:
            return logsumexp(np.column_stack(
                [log_prior[k] + model._log_likelihood(frame)
                 for k, model in enumerate(self._class_models)]), axis=1)
        out = np.empty(frame.shape[0])
        for k in np.unique(y_enc):
            rows = np.flatnonzero(y_enc == k)
            out[rows] = log_prior[k] + self._class_models[k]._log_likelihood(frame.iloc[rows])
        return out

    def _log_likelihood(self, frame, y_enc=None):
        """Likelihood proxy of one copula: marginal log-masses plus log copula density."""
        Z, log_mass = self._row_scores(frame, y_enc, strict=False)
        return log_mass + _log_copula_density(Z, self._score_corr, self._score_std)

    def transform(self, X):
        """Normal scores of the rows (deterministic).

        Values with a probability interval (categories, atoms, missing flags)
        get the mean normal score of their interval; a missing value gets its
        conditional expectation given the row's other scores.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, `n_features_in_`)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_latent_x)
            One column per score of ``X`` (``latent_names_`` without the
            target), standard normal for data from the fitted model.
        """
        check_is_fitted(self)
        frame = self._model_rows(X)
        Z, _ = self._row_scores(frame, None, strict=True)
        Z = Z[:, self._x_latents]
        missing = np.isnan(Z)
        if missing.any():
            R = self.correlation_[np.ix_(self._x_latents, self._x_latents)]
            precision = np.linalg.inv(R)
            filled = np.where(missing, 0.0, Z)
            diag = np.diag(precision)
            expected = -(filled @ precision.T - filled * diag) / diag
            Z = np.where(missing, expected, Z)
        return Z

    def inverse_transform(self, Z):
        """Map normal scores back to rows.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_latent_x)
            Scores in the layout of :meth:`transform`.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, `n_features_in_`)
        """
        check_is_fitted(self)
        Z = check_array(Z, dtype=np.float64, input_name="Z", ensure_min_features=0)
        if Z.shape[1] != self._x_latents.size:
            raise ValueError(
                f"Z has {Z.shape[1]} columns but the generator has {self._x_latents.size} "
                "scores for X; pass the output of transform."
            )
        full = np.zeros((Z.shape[0], self.correlation_.shape[0]))
        full[:, self._x_latents] = Z
        return self._model_output(
            self._spec.restore(_decode_values(self._columns, self._latents, full, {})[
                :self._spec.n_columns]))

    def get_feature_names_out(self, input_features=None):
        """Names of the scores returned by :meth:`transform`.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored (the names seen in ``fit`` are used).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return self.latent_names_[self._x_latents]
