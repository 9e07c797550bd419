"""Analyst-side estimators with standard errors that are valid on synthetic data."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, _fit_context
from sklearn.model_selection import KFold
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data

from ._targets import _design, fit_conditional_mean


class _InferenceMixin:
    """``confint`` and ``summary`` from ``estimate_`` and ``stderr_``.

    The standard error of an estimate computed on ``m`` synthetic rows released
    from ``n`` real rows is corrected as in Decruyenaere et al. (2024):
    ``sqrt(Var_real / n + Var_syn / m)`` when the generator released the real
    rows' influence-function variance (``real_variance``), else
    ``sqrt(Var_syn / m) * sqrt(1 + m / n)`` (which assumes both variances equal
    and is conservative when the generator is noisier than the data). A
    debiased release also has the Monte-Carlo error of its correction,
    evaluated on an auxiliary sample: ``aux_variance`` (as released by
    :class:`DebiasedGenerator`) is added to the squared standard error.
    Without ``n_real`` the rows are treated as real data.
    """

    def _check_correction(self):
        for name in ("real_variance", "aux_variance"):
            if getattr(self, name) is not None and self.n_real is None:
                raise ValueError(f"{name} needs n_real: pass the number of real rows too.")

    def _corrected_stderr(self, variance, m):
        if self.n_real is None:
            return float(np.sqrt(variance / m))
        if self.real_variance is not None:
            total = self.real_variance / self.n_real + variance / m
        else:
            total = variance / m * (1.0 + m / self.n_real)
        if self.aux_variance is not None:
            total += self.aux_variance
        return float(np.sqrt(total))

    def _quantile(self, alpha):
        return stats.norm.ppf(1 - alpha / 2)

    def _p_value(self, z):
        return 2 * stats.norm.sf(abs(z))

    def confint(self, alpha=0.05):
        """Two-sided ``1 - alpha`` confidence interval.

        Parameters
        ----------
        alpha : float, default=0.05
            Level; the interval has nominal coverage ``1 - alpha``.

        Returns
        -------
        interval : tuple of float
            ``(low, high)``.
        """
        check_is_fitted(self)
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")
        half = self._quantile(alpha) * self.stderr_
        return float(self.estimate_ - half), float(self.estimate_ + half)

    def summary(self, alpha=0.05):
        """A one-row table: estimate, standard error, test of zero, interval.

        Parameters
        ----------
        alpha : float, default=0.05
            Level of the interval.

        Returns
        -------
        table : DataFrame
        """
        low, high = self.confint(alpha)
        z = self.estimate_ / self.stderr_ if self.stderr_ > 0 else np.inf
        return pd.DataFrame(
            {
                "estimate": [self.estimate_],
                "std_err": [self.stderr_],
                "statistic": [z],
                "p_value": [self._p_value(z)],
                f"ci_low_{alpha / 2:g}": [low],
                f"ci_high_{1 - alpha / 2:g}": [high],
            },
            index=[self._label()],
        )

    def _check_rows(self, m):
        if m < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples to estimate a standard "
                f"error; got {m} sample{'s' if m != 1 else ''}."
            )


_CORRECTION_CONSTRAINTS = {
    "n_real": [None, Interval(Integral, 1, None, closed="left")],
    "real_variance": [None, Interval(Real, 0, None, closed="left")],
    "aux_variance": [None, Interval(Real, 0, None, closed="left")],
}


class _TreatmentMixin(_InferenceMixin):
    """The coefficient of one column of ``X`` (``treatment``) in a model of ``y``.

    ``fit`` sets ``treatment_name_``, which labels the summary; ``y`` is required.
    """

    def _label(self):
        return str(self.treatment_name_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


class MeanEstimator(_InferenceMixin, BaseEstimator):
    """Mean of a variable with an influence-function standard error.

    The estimate is the sample mean; its influence function is ``v - mean``,
    so the standard error is ``sd / sqrt(m)``, corrected for synthetic data by
    ``n_real`` (and ``real_variance``) as described in Notes.

    Parameters
    ----------
    n_real : int, default=None
        Number of real rows the (debiased) synthetic rows were generated from.
        ``None`` treats the rows as real data.
    real_variance : float, default=None
        Variance of the influence function on the real rows, as released by
        :class:`DebiasedGenerator` (``eif_variance_``). Needs ``n_real``.
    aux_variance : float, default=None
        Variance that the debiasing correction's auxiliary sample adds to the
        estimate, as released by :class:`DebiasedGenerator`
        (``aux_variance_``); added to the squared standard error. Needs
        ``n_real``.

    Attributes
    ----------
    estimate_ : float
        The mean.
    stderr_ : float
        Its (corrected) standard error.
    n_samples_ : int
        Number of rows analysed (``m``).
    n_features_in_ : int
        Number of features seen during fit (1).

    See Also
    --------
    DebiasedGenerator : Releases synthetic rows debiased for a mean.

    Notes
    -----
    Standard errors: ``sqrt(Var_real/n + Var_syn/m)`` with ``real_variance``,
    ``sqrt(Var_syn/m) sqrt(1 + m/n)`` with ``n_real`` alone (Decruyenaere et
    al., 2024), ``sqrt(Var/m)`` otherwise; ``aux_variance`` adds under the
    square root (the auxiliary-sample term ``Var_aux/n_aux`` of a debiased
    release, derived in :class:`DebiasedGenerator`). Intervals use normal
    quantiles.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.inference import MeanEstimator
    >>> x = np.arange(10.0)
    >>> est = MeanEstimator().fit(x.reshape(-1, 1))
    >>> est.estimate_, round(est.stderr_, 3)
    (4.5, 0.957)
    >>> round(MeanEstimator(n_real=10).fit(x[:, None]).stderr_ / est.stderr_, 3)
    1.414
    >>> # plus an auxiliary sample of 10 rows with the same variance: sqrt(3)
    >>> aux = np.var(x, ddof=1) / 10
    >>> round(MeanEstimator(n_real=10, aux_variance=aux).fit(x[:, None]).stderr_
    ...       / est.stderr_, 3)
    1.732
    """

    _parameter_constraints = dict(_CORRECTION_CONSTRAINTS)

    def __init__(self, *, n_real=None, real_variance=None, aux_variance=None):
        self.n_real = n_real
        self.real_variance = real_variance
        self.aux_variance = aux_variance

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Estimate the mean of ``y``, or of the single column of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            The variable (when ``y`` is None).
        y : array-like of shape (n_samples,), default=None
            The variable; when given, ``X`` is only checked for its length.

        Returns
        -------
        self : object
        """
        if y is None:
            X = validate_data(self, X, dtype=np.float64)
            if X.shape[1] != 1:
                raise ValueError(
                    f"MeanEstimator estimates one mean: pass X with one column (got "
                    f"{X.shape[1]}) or the variable as y."
                )
            values = X[:, 0]
        else:
            X, values = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        self._check_rows(values.shape[0])
        self._check_correction()
        self.n_samples_ = values.shape[0]
        self.estimate_ = float(values.mean())
        self.stderr_ = self._corrected_stderr(float(np.var(values, ddof=1)), self.n_samples_)
        return self

    def _label(self):
        return "mean"


def _validate_table(estimator, X, y):
    """Validate ``X, y``: DataFrames keep their (mixed) dtypes, arrays must be numeric.

    Returns ``X`` (validated when it is not a DataFrame) and ``y`` as floats.
    """
    if isinstance(X, pd.DataFrame):
        validate_data(estimator, X, y, skip_check_array=True)
        if _num_samples(X) != _num_samples(y):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {_num_samples(X)} and "
                f"{_num_samples(y)}."
            )
    else:
        X, y = validate_data(estimator, X, y, y_numeric=True)
    y = np.asarray(y, dtype=np.float64).ravel()
    if not np.all(np.isfinite(y)):
        raise ValueError("Input y contains NaN or infinity; impute or drop those rows.")
    return X, y


def _split_treatment(X, treatment):
    """``(a, covariates)`` from ``X`` by column name (DataFrame) or position."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    if isinstance(treatment, str):
        if treatment not in frame.columns:
            raise ValueError(
                f"treatment={treatment!r} is not a column of X; columns are {list(frame.columns)}."
            )
        column = treatment
    else:
        if not 0 <= treatment < frame.shape[1]:
            raise ValueError(
                f"treatment={treatment} is not a column position of X with {frame.shape[1]} "
                "columns."
            )
        column = frame.columns[treatment]
    a = frame[column]
    if not (pd.api.types.is_numeric_dtype(a.dtype) or pd.api.types.is_bool_dtype(a.dtype)):
        raise TypeError(f"treatment column {column!r} must be numeric or boolean, got {a.dtype}.")
    return a.to_numpy(dtype=np.float64), frame.drop(columns=[column]), column


class PartiallyLinearEstimator(_TreatmentMixin, BaseEstimator):
    """Cross-fitted partially linear coefficient with an influence-function SE.

    Estimates ``psi = E[(A - E[A|X])(Y - E[Y|X])] / E[(A - E[A|X])^2]``, the
    coefficient of the treatment ``A`` in ``Y = psi A + g(X) + e``, by
    ``cv``-fold cross-fitting: nuisances ``E[Y|X]``, ``E[A|X]`` are fitted on
    the other folds, residuals ``r_A``, ``r_Y`` computed on the held-out fold,
    ``psi_k = mean(r_A r_Y) / mean(r_A^2)`` per fold and ``psi`` their mean. The
    influence function ``r_A (r_Y - psi r_A) / mean(r_A^2)`` gives the standard
    error (Chernozhukov et al., 2018; Decruyenaere et al., 2024).

    Parameters
    ----------
    treatment : str or int, default=0
        The treatment column of ``X``: a name (DataFrame) or a position. Every
        other column of ``X`` is a covariate.
    outcome_learner : regressor, default=None
        Model of ``E[Y | X]``. ``None`` uses group means when every covariate is
        discrete (categorical, boolean, object; saturated and exact) and
        ``LinearRegression`` on a one-hot design otherwise.
    treatment_learner : regressor, default=None
        Model of ``E[A | X]``, with the same default.
    cv : int, default=5
        Number of cross-fitting folds.
    n_real : int, default=None
        Real rows behind synthetic data (standard-error correction).
    real_variance : float, default=None
        Influence-function variance on the real rows (``eif_variance_`` of
        :class:`DebiasedGenerator`). Needs ``n_real``.
    aux_variance : float, default=None
        Variance the debiasing correction's auxiliary sample adds to the
        estimate (``aux_variance_`` of :class:`DebiasedGenerator`), added to
        the squared standard error. Needs ``n_real``.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold split.

    Attributes
    ----------
    estimate_ : float
        The coefficient.
    stderr_ : float
        Its (corrected) standard error.
    fold_estimates_ : ndarray of shape (cv,)
        The per-fold coefficients.
    n_samples_ : int
        Rows analysed.
    treatment_name_ : str or int
        The treatment column.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    NaiveOLS : The same coefficient with the model-based OLS standard error.

    Examples
    --------
    >>> from sksynth.datasets import make_disease
    >>> from sksynth.inference import PartiallyLinearEstimator
    >>> data = make_disease(2000, random_state=2)
    >>> est = PartiallyLinearEstimator(treatment="therapy", random_state=0).fit(
    ...     data[["therapy", "stage"]], data["bp"])
    >>> est.summary().round(2)
             estimate  std_err  statistic  p_value  ci_low_0.025  ci_high_0.975
    therapy    -20.17     0.45     -45.15      0.0        -21.04          -19.29
    """

    _parameter_constraints = {
        **_CORRECTION_CONSTRAINTS,
        "treatment": [str, Interval(Integral, 0, None, closed="left")],
        "outcome_learner": [None, HasMethods(["fit", "predict"])],
        "treatment_learner": [None, HasMethods(["fit", "predict"])],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, treatment=0, *, outcome_learner=None, treatment_learner=None, cv=5,
                 n_real=None, real_variance=None, aux_variance=None, random_state=None):
        self.treatment = treatment
        self.outcome_learner = outcome_learner
        self.treatment_learner = treatment_learner
        self.cv = cv
        self.n_real = n_real
        self.real_variance = real_variance
        self.aux_variance = aux_variance
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Estimate the treatment coefficient by cross-fitting.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Treatment and covariates.
        y : array-like of shape (n_samples,)
            Outcome.

        Returns
        -------
        self : object
        """
        X, y = _validate_table(self, X, y)
        m = _num_samples(X)
        self._check_rows(m)
        if m < self.cv:
            raise ValueError(f"cv={self.cv} folds need at least {self.cv} samples, got {m}.")
        self._check_correction()
        a, covariates, self.treatment_name_ = _split_treatment(X, self.treatment)
        if not np.all(np.isfinite(a)):
            raise ValueError("The treatment column contains NaN or infinity.")
        r_a, r_y = np.empty(m), np.empty(m)
        folds = KFold(self.cv, shuffle=True, random_state=self.random_state).split(a)
        fold_estimates = []
        for train, test in folds:
            r_a[test] = a[test] - self._nuisance(covariates, a, train, test, self.treatment_learner)
            r_y[test] = y[test] - self._nuisance(covariates, y, train, test, self.outcome_learner)
            denominator = np.mean(r_a[test] ** 2)
            fold_estimates.append(np.mean(r_a[test] * r_y[test]) / denominator
                                  if denominator > 0 else np.nan)
        if np.mean(r_a**2) <= 0 or np.any(np.isnan(fold_estimates)):
            raise ValueError(
                "The treatment does not vary within covariate levels in some fold, so its "
                "coefficient is not identified; check that the treatment is not constant."
            )
        self.fold_estimates_ = np.asarray(fold_estimates)
        self.estimate_ = float(self.fold_estimates_.mean())
        influence = r_a * (r_y - self.estimate_ * r_a) / np.mean(r_a**2)
        self.n_samples_ = m
        self.stderr_ = self._corrected_stderr(float(np.var(influence, ddof=1)), m)
        return self

    @staticmethod
    def _nuisance(covariates, values, train, test, learner):
        if covariates.shape[1] == 0:
            return np.full(test.shape[0], values[train].mean())
        predict = fit_conditional_mean(covariates.iloc[train], values[train], learner)
        return predict(covariates.iloc[test])


class NaiveOLS(_TreatmentMixin, BaseEstimator):
    """OLS coefficient of one column with its model-based standard error.

    The naive analysis of synthetic data: ordinary least squares of ``y`` on an
    intercept, the treatment and the (one-hot) covariates, with the classical
    standard error ``sqrt(sigma^2 [(X'X)^-1]_AA)`` and t-quantiles with
    ``m - p`` degrees of freedom. ``n_real`` applies the ``sqrt(1 + m/n)``
    correction for comparison.

    Parameters
    ----------
    treatment : str or int, default=0
        The column whose coefficient is reported.
    n_real : int, default=None
        Real rows behind synthetic data.
    real_variance : float, default=None
        Not used by the model-based standard error except through the
        ``sqrt(Var_real/n + Var_syn/m)`` formula; see :class:`MeanEstimator`.
    aux_variance : float, default=None
        Added to the squared standard error (the auxiliary-sample term of a
        debiased release); see :class:`MeanEstimator`. Needs ``n_real``.

    Attributes
    ----------
    estimate_ : float
        The coefficient.
    stderr_ : float
        Its standard error.
    df_resid_ : int
        Residual degrees of freedom.
    n_samples_ : int
        Rows analysed.
    treatment_name_ : str or int
        The treatment column.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.inference import NaiveOLS
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = 3 * X[:, 0] + X[:, 1] + rng.normal(size=200)
    >>> est = NaiveOLS(treatment=0).fit(X, y)
    >>> round(est.estimate_, 1)
    3.0
    """

    _parameter_constraints = {
        **_CORRECTION_CONSTRAINTS,
        "treatment": [str, Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, treatment=0, *, n_real=None, real_variance=None, aux_variance=None):
        self.treatment = treatment
        self.n_real = n_real
        self.real_variance = real_variance
        self.aux_variance = aux_variance

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit OLS and keep the treatment coefficient.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Treatment and covariates.
        y : array-like of shape (n_samples,)
            Outcome.

        Returns
        -------
        self : object
        """
        X, y = _validate_table(self, X, y)
        self._check_correction()
        a, covariates, self.treatment_name_ = _split_treatment(X, self.treatment)
        blocks = [np.ones_like(a), a]
        if covariates.shape[1]:
            blocks.append(_design(covariates).to_numpy())
        design = np.column_stack(blocks)
        m, p = design.shape
        self._check_rows(m)
        rank = np.linalg.matrix_rank(design)
        if m <= rank:
            raise ValueError(
                f"NaiveOLS needs more samples ({m}) than parameters ({rank}) for a residual "
                "variance."
            )
        coef, _, _, _ = np.linalg.lstsq(design, y, rcond=None)
        residual = y - design @ coef
        self.df_resid_ = int(m - rank)
        sigma2 = residual @ residual / self.df_resid_
        xtx_inv = np.linalg.pinv(design.T @ design)
        self.n_samples_ = m
        self.estimate_ = float(coef[1])
        # model-based variance of the coefficient, expressed per row for the correction
        self.stderr_ = self._corrected_stderr(float(sigma2 * xtx_inv[1, 1] * m), m)
        return self

    def _quantile(self, alpha):
        return stats.t.ppf(1 - alpha / 2, self.df_resid_)

    def _p_value(self, z):
        return 2 * stats.t.sf(abs(z), self.df_resid_)
