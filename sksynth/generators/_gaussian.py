"""Gaussian and class-conditional Gaussian-mixture generators.

These are the generative models of two of the papers the package implements:
the ``(mu_hat, C_hat)`` Gaussian-mixture generator of El Firdoussi et al.
(2024), estimated on ``n_hat`` real rows, and the Gaussian naive Bayes
generator (pooled diagonal covariance) of Zheng et al. (2023).
"""

from numbers import Integral, Real

import numpy as np
from scipy import linalg
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.covariance import ledoit_wolf, oas
from sklearn.mixture import GaussianMixture
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ..base import (
    DEFAULT_MIN_GROUP_SIZE,
    GeneratorMixin,
    _check_min_rows,
    _small_groups,
    _validate_numeric,
)
from . import _components as comp


class _BaseGaussianGenerator(
    GeneratorMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Shared machinery: ``K`` Gaussian components with weights ``weights_``.

    Subclasses fill ``means_`` (K, p), ``covariances_`` (layout of
    ``covariance_type``) and ``weights_`` (K,) in ``_fit``; when fitted with
    class labels, component ``k`` is class ``classes_[k]``.

    Features constant in the training rows are a point mass: the Gaussian keeps
    them (with the floor variance of :func:`~._components.relative_ridge`, and
    no covariance with the other features) only so that the factors exist;
    samples hold the constant exactly and scores count them as an atom.
    """

    def _set_factors(self):
        self._factors = comp.factors(
            self.covariances_, self.covariance_type, self.means_.shape[0]
        )

    def _set_constants(self, X):
        self._constant, self._constant_values = comp.constant_features(X)

    def _varying_log_density(self, X, mean, factor):
        """Gaussian log-density of the features that are not constant (n,)."""
        log_density = comp.log_density(X, mean, factor)
        if self._constant.size:
            std = factor if factor.ndim == 1 else np.diag(factor)
            log_density -= comp.constant_log_terms(
                X, self._constant, mean, std[self._constant] ** 2
            )
        return log_density

    def _constant_log_mass(self, X):
        """0 where a row holds every constant feature's value, ``-inf`` elsewhere (n,)."""
        if self._constant.size == 0:
            return np.zeros(X.shape[0])
        match = np.all(X[:, self._constant] == self._constant_values, axis=1)
        return np.where(match, 0.0, -np.inf)

    def _fill_constants(self, X):
        if self._constant.size:
            X[:, self._constant] = self._constant_values
        return X

    def _component_log_joint(self, X):
        """``log w_k + log N(x | mu_k, Sigma_k)`` for every row and component (n, K).

        Over the features that are not constant (see the class notes).
        """
        return np.column_stack(
            [
                np.log(self.weights_[k]) + self._varying_log_density(X, self.means_[k], factor)
                for k, factor in enumerate(self._factors)
            ]
        )

    def _score_samples(self, X, y_enc):
        log_joint = self._component_log_joint(X)
        if y_enc is None:
            log_lik = logsumexp(log_joint, axis=1)
        else:
            log_lik = log_joint[np.arange(X.shape[0]), y_enc]
        return log_lik + self._constant_log_mass(X)

    def _sample(self, n_samples, y_enc, conditions, rng):
        if y_enc is None:
            labels = rng.choice(self.weights_.shape[0], size=n_samples, p=self.weights_)
        else:
            labels = y_enc
        X = comp.draw_by_label(labels, self.means_, self._factors, rng)
        return self._fill_constants(X), (labels if self._y_spec is not None else None)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


class GaussianGenerator(_BaseGaussianGenerator):
    """Multivariate Gaussian generator, class-conditional or joint with a target.

    Fitted on ``X`` alone it models ``X ~ N(mu, Sigma)``. Fitted with class
    labels ``y`` it fits one Gaussian per class (class-conditional, with the
    class proportions as weights). Fitted with a continuous ``y`` it models
    ``(X, y)`` jointly, so ``sample(y=...)`` draws from the exact conditional
    ``X | y``.

    Parameters
    ----------
    covariance_type : {"full", "diag"}, default="full"
        Full covariance matrices, or diagonal ones (independent features).
    shrinkage : {"ledoit_wolf", "oas"} or float in [0, 1], default=None
        Shrink each covariance towards ``trace(S)/p * I``: by the Ledoit-Wolf or
        OAS estimate of the intensity, or by a fixed intensity. ``None`` uses
        the unbiased sample covariance. Only for ``covariance_type="full"``.
    reg_covar : float, default=1e-6
        Relative regularisation: ``reg_covar * Var(X_j)`` (the variance of
        feature ``j`` over the training rows) is added to the ``j``-th diagonal
        entry of every covariance so it stays positive definite without
        changing the scale of any feature (a feature of standard deviation
        1e-12 keeps it). A feature constant in the training rows gets the
        absolute floor ``reg_covar`` and is sampled exactly constant (see Notes).
    min_group_size : int, default=5
        Classes with fewer training rows are drawn from the whole-table model
        (``means_[k] = location_``, the whole-table covariance), so their rows
        are not replayed; a :class:`~sksynth.base.PrivacyWarning` names them. A
        table with fewer rows is refused. ``1`` models every class on its own.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampling stream advanced by :meth:`sample`.

    Attributes
    ----------
    means_ : ndarray of shape (n_components, `n_features_in_`)
        Component means (one component, or one per class).
    covariances_ : ndarray
        ``(n_components, p, p)`` for "full", ``(n_components, p)`` for "diag".
    weights_ : ndarray of shape (n_components,)
        Component weights (class proportions when fitted with labels).
    location_ : ndarray of shape (`n_features_in_`,)
        Mean of ``X`` used by :meth:`transform`.
    covariance_ : ndarray of shape (`n_features_in_`, `n_features_in_`)
        Covariance of ``X`` used by :meth:`transform` (shrunk as requested).
    classes_ : ndarray of shape (n_classes,)
        Class labels, when fitted with class labels.
    target_mean_ : float
        Mean of a continuous target, when fitted with one.
    target_coef_ : ndarray of shape (`n_features_in_`,)
        ``Cov(X, y) / Var(y)``: the slope of ``E[X | y]`` in ``y``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    GaussianMixtureGenerator : Class-conditional mixture with pooled covariances.
    GaussianCopulaGenerator : For tables with categorical, text or date columns.

    Notes
    -----
    A feature that takes one value in every training row is modelled as exactly
    constant: every sampled row holds that value, and :meth:`score_samples`
    treats it as a point mass, adding 0 for a row holding the value and giving
    ``-inf`` for any other value; the density is that of the other features.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.generators import GaussianGenerator
    >>> X = np.random.RandomState(0).multivariate_normal([1, -1], [[1, .8], [.8, 1]], 500)
    >>> gen = GaussianGenerator(random_state=0).fit(X)
    >>> X_new = gen.sample(10_000)
    >>> X_new.shape
    (10000, 2)
    >>> np.round(np.corrcoef(X_new.T)[0, 1], 1)
    np.float64(0.8)
    """

    _supports_regression_target = True

    _parameter_constraints = {
        "covariance_type": [StrOptions({"full", "diag"})],
        "shrinkage": [
            None,
            StrOptions({"ledoit_wolf", "oas"}),
            Interval(Real, 0, 1, closed="both"),
        ],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "min_group_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self, *, covariance_type="full", shrinkage=None, reg_covar=1e-6,
        min_group_size=DEFAULT_MIN_GROUP_SIZE, random_state=None,
    ):
        self.covariance_type = covariance_type
        self.shrinkage = shrinkage
        self.reg_covar = reg_covar
        self.min_group_size = min_group_size
        self.random_state = random_state

    def _fit(self, X, y_enc):
        """Fit the Gaussian(s) to ``X`` (n_samples, n_features) and encoded ``y``."""
        if self.shrinkage is not None and self.covariance_type != "full":
            raise ValueError(
                "shrinkage applies to covariance_type='full' only; set shrinkage=None "
                "or covariance_type='full'."
            )
        ridge = comp.relative_ridge(X, self.reg_covar)
        self._set_constants(X)
        self.location_ = X.mean(axis=0)
        self.covariance_ = self._estimate_covariance(X, False, ridge)
        self._transform_factor = comp.covariance_factor(self.covariance_, diagonal=False)
        task = None if self._y_spec is None else self._y_spec.task
        if task == "regression":
            self._fit_joint(X, y_enc)
        elif task == "classification":
            self._fit_per_class(X, y_enc, ridge)
        else:
            self.means_ = self.location_[np.newaxis]
            self.covariances_ = self._estimate_covariance(
                X, self.covariance_type == "diag", ridge
            )[np.newaxis]
            self.weights_ = np.ones(1)
        self._set_factors()
        self._init_sampling_stream(self.random_state)
        return self

    def _estimate_covariance(self, X, diagonal, ridge):
        """Unbiased (or shrunk) covariance of ``X`` plus the per-feature ``ridge``."""
        n_samples, n_features = X.shape
        centred = X - X.mean(axis=0)
        ddof = 1 if n_samples > 1 else 0
        if diagonal:
            return comp.add_ridge(np.sum(centred**2, axis=0) / max(n_samples - ddof, 1),
                                  ridge, True)
        if self.shrinkage == "ledoit_wolf" and n_samples > 1:
            covariance = ledoit_wolf(X)[0] * n_samples / (n_samples - 1)
        elif self.shrinkage == "oas" and n_samples > 1:
            covariance = oas(X)[0] * n_samples / (n_samples - 1)
        else:
            covariance = centred.T @ centred / max(n_samples - ddof, 1)
            if isinstance(self.shrinkage, Real):
                target = np.trace(covariance) / n_features
                covariance = (1 - self.shrinkage) * covariance + self.shrinkage * target * np.eye(
                    n_features
                )
        return comp.add_ridge(covariance, ridge, False)

    def _fit_per_class(self, X, y_enc, ridge):
        n_classes = len(self.classes_)
        diagonal = self.covariance_type == "diag"
        self.weights_ = np.bincount(y_enc, minlength=n_classes) / y_enc.shape[0]
        # classes too small to model on their own get the whole-table Gaussian
        small = set(_small_groups(y_enc, n_classes, self.min_group_size, what="class",
                                  names=self.classes_.tolist(), estimator=self).tolist())
        pooled = self.covariance_ if not diagonal else np.diag(self.covariance_).copy()
        means, covariances = [], []
        for k in range(n_classes):
            if k in small:
                means.append(self.location_)
                covariances.append(pooled)
            else:
                rows = X[y_enc == k]
                means.append(rows.mean(axis=0))
                covariances.append(self._estimate_covariance(rows, diagonal, ridge))
        self.means_ = np.stack(means)
        self.covariances_ = np.stack(covariances)

    def _fit_joint(self, X, y):
        """One Gaussian over ``[X, y]``; precompute the conditional ``X | y``."""
        Z = np.column_stack([X, y])
        ridge = comp.relative_ridge(Z, self.reg_covar)
        joint = self._estimate_covariance(Z, self.covariance_type == "diag", ridge)
        p = X.shape[1]
        self.target_mean_ = float(y.mean())
        if joint.ndim == 1:  # diagonal: X independent of y
            self.target_coef_ = np.zeros(p)
            self._target_std = float(np.sqrt(joint[p]))
            x_cov = joint[:p]
            self._conditional_factor = np.sqrt(x_cov)
        else:
            var_y = joint[p, p]
            self.target_coef_ = joint[:p, p] / var_y
            self._target_std = float(np.sqrt(var_y))
            x_cov = joint[:p, :p]
            conditional = x_cov - np.outer(joint[:p, p], joint[:p, p]) / var_y
            self._conditional_factor = comp.covariance_factor(
                comp.add_ridge(conditional, ridge[:p], False), diagonal=False
            )
        self.means_ = Z.mean(axis=0)[np.newaxis, :p]
        self.covariances_ = x_cov[np.newaxis]
        self.weights_ = np.ones(1)

    def _sample(self, n_samples, y_enc, conditions, rng):
        if self._y_spec is None or self._y_spec.task == "classification":
            return super()._sample(n_samples, y_enc, conditions, rng)
        if y_enc is None:
            y_enc = self.target_mean_ + self._target_std * rng.standard_normal(n_samples)
        mean = self.means_[0] + np.outer(y_enc - self.target_mean_, self.target_coef_)
        noise = comp.draw(n_samples, np.zeros(mean.shape[1]), self._conditional_factor, rng)
        return self._fill_constants(mean + noise), y_enc

    def _score_samples(self, X, y_enc):
        marginal = super()._score_samples(X, None if self._is_joint() else y_enc)
        if y_enc is None or not self._is_joint():
            return marginal
        # log p(x, y) = log p(y) + log p(x | y)
        residual = (y_enc - self.target_mean_) / self._target_std
        log_y = -0.5 * (np.log(2 * np.pi) + residual**2) - np.log(self._target_std)
        mean = self.means_[0] + np.outer(y_enc - self.target_mean_, self.target_coef_)
        centred = X - mean
        log_x = self._varying_log_density(centred, np.zeros(X.shape[1]), self._conditional_factor)
        return log_y + log_x + self._constant_log_mass(X)

    def _is_joint(self):
        return self._y_spec is not None and self._y_spec.task == "regression"

    def transform(self, X):
        """Standardise rows to normal scores ``L^{-1} (x - location_)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)

        Returns
        -------
        Z : ndarray of shape (n_samples, `n_features_in_`)
            Whitened rows; standard normal for data from the fitted Gaussian.
        """
        check_is_fitted(self)
        X = _validate_numeric(self, X, reset=False, dtype=[np.float64, np.float32])
        centred = X.astype(np.float64, copy=False) - self.location_
        return linalg.solve_triangular(self._transform_factor, centred.T, lower=True).T

    def inverse_transform(self, Z):
        """Map normal scores back to the data space: ``location_ + L z``.

        Parameters
        ----------
        Z : array-like of shape (n_samples, `n_features_in_`)

        Returns
        -------
        X : ndarray of shape (n_samples, `n_features_in_`)
        """
        check_is_fitted(self)
        Z = validate_data(self, Z, reset=False, dtype=[np.float64, np.float32])
        return self.location_ + Z @ self._transform_factor.T

    @property
    def _n_features_out(self):
        return self.n_features_in_


class GaussianMixtureGenerator(_BaseGaussianGenerator):
    """Gaussian-mixture generator; class-conditional when fitted with labels.

    Fitted with class labels ``y``, component ``k`` is class ``k``: its mean is
    the class mean and its covariance is per class or pooled over classes, in
    closed form. This is the ``(mu_hat, C_hat)`` generator of El Firdoussi et
    al. (2024) (``covariance_type="tied"``, estimated from ``n_fit`` rows) and
    the Gaussian naive Bayes generator of Zheng et al. (2023)
    (``covariance_type="tied_diag"``). Fitted without labels, the mixture is
    fitted by EM (scikit-learn's ``GaussianMixture``).

    Parameters
    ----------
    n_components : int, default=1
        Number of components when fitted without labels (ignored with labels:
        one component per class).
    covariance_type : {"full", "tied", "diag", "tied_diag"}, default="tied"
        Per-class full, pooled full, per-class diagonal or pooled diagonal
        covariances. Pooled covariances weight the unbiased per-class
        covariances by the class proportions. ``"tied_diag"`` needs labels.
    n_fit : int or float, default=None
        Estimate the parameters from a random subsample: an int is a number of
        rows, a float in (0, 1] a fraction. Class proportions are kept (at least
        one row per class). ``None`` uses every row.
    reg_covar : float, default=1e-6
        Relative regularisation: ``reg_covar * Var(X_j)`` (the variance of
        feature ``j`` over the rows fitted) is added to the ``j``-th diagonal
        entry of every covariance, so no feature's scale changes (EM runs on
        standardised features for the same reason). A feature constant in those
        rows gets the absolute floor ``reg_covar`` and is sampled exactly
        constant (see Notes).
    max_iter : int, default=100
        EM iterations when fitted without labels.
    min_group_size : int, default=5
        Classes with fewer training rows are drawn from the whole-table model,
        so their rows are not replayed: their component is centred on the mean
        of all rows, with the covariance of all rows (``"full"``, ``"diag"``)
        or the pooled one (tied types); a :class:`~sksynth.base.PrivacyWarning`
        names them. A table with fewer rows is refused. ``1`` models every
        class on its own.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample, EM and the sampling stream.

    Attributes
    ----------
    means_ : ndarray of shape (n_components, `n_features_in_`)
        Component (class) means.
    covariances_ : ndarray
        In the layout of ``covariance_type`` (see Notes).
    weights_ : ndarray of shape (n_components,)
        Component weights (class proportions when fitted with labels).
    classes_ : ndarray of shape (n_classes,)
        Class labels, when fitted with labels.
    n_fit_ : int
        Number of rows the parameters were estimated from.
    n_iter_ : int
        EM iterations run (1 for the closed-form fit with labels).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    GaussianGenerator : A single Gaussian, or one per class with shrinkage.
    GaussianCopulaGenerator : For tables with categorical, text or date columns.

    Notes
    -----
    ``covariances_`` has shape (K, p, p) for "full", (p, p) for "tied",
    (K, p) for "diag" and (p,) for "tied_diag". :meth:`transform` returns the
    posterior component probabilities (responsibilities); :meth:`inverse_transform`
    maps responsibilities to the corresponding mixture of component means.

    A feature that takes one value in every row fitted is modelled as exactly
    constant: every sampled row holds that value, and :meth:`score_samples`
    treats it as a point mass, adding 0 for a row holding the value and giving
    ``-inf`` for any other value; the density (and :meth:`transform`) is that of
    the other features.

    References
    ----------
    .. [1] El Firdoussi, A., Seddik, M. E. A., Hayou, S., Alami, R., Alzubaidi, A.
       and Hacid, H. (2024). "Maximizing the potential of synthetic data: insights
       from random matrix theory." arXiv:2410.08942.
    .. [2] Zheng, C., Wu, G. and Li, C. (2023). "Toward understanding generative
       data augmentation." NeurIPS 2023, arXiv:2305.17476.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.generators import GaussianMixtureGenerator
    >>> rng = np.random.RandomState(0)
    >>> y = np.repeat([0, 1], 200)
    >>> X = rng.normal(size=(400, 3)) + 2 * y[:, None]
    >>> gen = GaussianMixtureGenerator(random_state=0).fit(X, y)
    >>> X_new, y_new = gen.sample(1000)
    >>> np.round(X_new[y_new == 1].mean(), 1)
    np.float64(2.0)
    >>> X_one, y_one = gen.sample(y=[1, 1, 0])
    >>> y_one
    array([1, 1, 0])
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "covariance_type": [StrOptions(set(comp.COVARIANCE_TYPES))],
        "n_fit": [None, Interval(Integral, 1, None, closed="left"),
                  Interval(Real, 0, 1, closed="right")],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "min_group_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, n_components=1, covariance_type="tied", n_fit=None, reg_covar=1e-6,
                 max_iter=100, min_group_size=DEFAULT_MIN_GROUP_SIZE, random_state=None):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.n_fit = n_fit
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.min_group_size = min_group_size
        self.random_state = random_state

    def _fit(self, X, y_enc):
        """Fit the mixture to ``X`` (n_samples, n_features): closed form with classes, EM without."""
        rng = check_random_state(self.random_state)
        rows = self._subsample_rows(X.shape[0], y_enc, rng)
        X_fit = X[rows]
        self.n_fit_ = X_fit.shape[0]
        _check_min_rows(self, self.n_fit_, self.min_group_size)
        self._set_constants(X_fit)
        if y_enc is None:
            self._fit_em(X_fit, rng)
        else:
            self._fit_classes(X_fit, y_enc[rows])
        self._set_factors()
        self._init_sampling_stream(rng)
        return self

    def _subsample_rows(self, n_samples, y_enc, rng):
        """Indices of the ``n_fit`` rows to estimate from (stratified by class)."""
        if self.n_fit is None:
            return np.arange(n_samples)
        n_fit = self.n_fit if isinstance(self.n_fit, Integral) else max(
            1, int(round(self.n_fit * n_samples))
        )
        if n_fit > n_samples:
            raise ValueError(
                f"n_fit={n_fit} exceeds the {n_samples} rows passed to fit; use n_fit <= "
                "n_samples or a fraction in (0, 1]."
            )
        if y_enc is None:
            return np.sort(rng.choice(n_samples, size=n_fit, replace=False))
        counts = np.bincount(y_enc)
        if n_fit < np.count_nonzero(counts):
            raise ValueError(
                f"n_fit={n_fit} is smaller than the number of classes; every class needs "
                "at least one row."
            )
        # largest-remainder allocation: proportional, >= 1 row per class, sums to n_fit
        exact = counts * n_fit / n_samples
        quota = np.minimum(np.maximum(np.floor(exact), 1), counts).astype(int)
        while quota.sum() != n_fit:
            if quota.sum() < n_fit:
                quota[np.argmax(np.where(quota < counts, exact - quota, -np.inf))] += 1
            else:
                quota[np.argmax(np.where(quota > 1, quota - exact, -np.inf))] -= 1
        picked = [rng.choice(np.flatnonzero(y_enc == k), size=q, replace=False)
                  for k, q in enumerate(quota) if q > 0]
        return np.sort(np.concatenate(picked))

    def _fit_classes(self, X, labels):
        """Closed-form fit, one component per class; small classes get the whole table."""
        n_classes = len(self.classes_)
        ridge = comp.relative_ridge(X, self.reg_covar)
        small = _small_groups(labels, n_classes, self.min_group_size, what="class",
                              names=self.classes_.tolist(), estimator=self)
        self.weights_ = np.bincount(labels, minlength=n_classes) / labels.shape[0]
        means = np.stack([X[labels == k].mean(axis=0) for k in range(n_classes)])
        means[small] = X.mean(axis=0)
        self.means_ = means
        self.covariances_ = comp.estimate_class_covariances(
            X, labels, self.means_, self.covariance_type, ridge
        )
        if small.size and not comp.is_tied(self.covariance_type):
            # a tied covariance is shared by construction; per-class ones are replaced
            whole = comp.estimate_class_covariances(
                X, np.zeros(X.shape[0], dtype=int), X.mean(axis=0)[np.newaxis],
                self.covariance_type, ridge,
            )
            self.covariances_[small] = whole[0]
        self.n_iter_ = 1

    def _fit_em(self, X, rng):
        if self.covariance_type == "tied_diag":
            raise ValueError(
                "covariance_type='tied_diag' needs class labels: call fit(X, y), or use "
                "'diag' for an unsupervised mixture."
            )
        if X.shape[0] < self.n_components:
            raise ValueError(
                f"n_components={self.n_components} exceeds the {X.shape[0]} rows to fit; "
                "lower n_components."
            )
        # GaussianMixture's reg_covar is absolute: fitting standardised features makes
        # it relative to each feature's variance (constant features keep scale 1)
        center = X.mean(axis=0)
        scale = X.std(axis=0)
        scale[scale == 0] = 1.0
        mixture = GaussianMixture(
            n_components=self.n_components,
            covariance_type=self.covariance_type,
            reg_covar=self.reg_covar,
            max_iter=self.max_iter,
            random_state=rng.randint(np.iinfo(np.int32).max),
        ).fit((X - center) / scale)
        self.weights_ = mixture.weights_
        self.means_ = mixture.means_ * scale + center
        if comp.is_diagonal(self.covariance_type):
            self.covariances_ = mixture.covariances_ * scale**2
        else:
            self.covariances_ = mixture.covariances_ * np.outer(scale, scale)
        self.converged_ = mixture.converged_
        self.n_iter_ = mixture.n_iter_

    def transform(self, X):
        """Posterior probability of each component (class) for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)

        Returns
        -------
        responsibilities : ndarray of shape (n_samples, n_components)
        """
        check_is_fitted(self)
        X = _validate_numeric(self, X, reset=False, dtype=[np.float64, np.float32])
        log_joint = self._component_log_joint(X.astype(np.float64, copy=False))
        return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))

    def inverse_transform(self, R):
        """Map responsibilities to the responsibility-weighted component means.

        Parameters
        ----------
        R : array-like of shape (n_samples, n_components)

        Returns
        -------
        X : ndarray of shape (n_samples, `n_features_in_`)
        """
        check_is_fitted(self)
        R = np.asarray(R, dtype=np.float64)
        if R.ndim != 2 or R.shape[1] != self.means_.shape[0]:
            raise ValueError(
                f"inverse_transform expects an array of shape (n_samples, "
                f"{self.means_.shape[0]}), got {R.shape}."
            )
        return R @ self.means_

    @property
    def _n_features_out(self):
        return self.means_.shape[0]
