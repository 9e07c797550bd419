"""Data-generating processes with planted parameters and their standard errors.

A :class:`DataGeneratingProcess` holds the true parameters of a model, one
data set drawn from it (``X``, ``y``) and, for each parameter, the standard
error of its natural estimator at that sample size, so that a property test
can compare an estimate with the truth on a scale that shrinks like
``1 / sqrt(n)``. The hypothesis strategies in :mod:`sksynth.testing` draw the
parameters; the data are then drawn with NumPy from a seed, which is itself
drawn (and shrunk) by hypothesis.
"""

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.utils import check_random_state

__all__ = [
    "DataGeneratingProcess",
    "GaussianMixtureDGP",
    "LinearDGP",
    "PartiallyLinearDGP",
]


def _short(value):
    """Compact, readable text for a parameter in a repr."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return f"{float(array):.4g}"
    return np.array2string(array, precision=3, separator=", ", suppress_small=True,
                           max_line_width=10_000).replace("\n", "")


class DataGeneratingProcess:
    """A model with known parameters and one data set drawn from it.

    Instances come from the strategies :func:`linear_models`,
    :func:`gaussian_mixtures` and :func:`partially_linear_models`; the
    subclasses implement the model.

    Parameters
    ----------
    n_samples : int
        Rows in the drawn data set.
    seed : int
        Seed of the drawn data set.
    as_frame : bool, default=False
        Return ``X`` as a DataFrame (and ``y`` as a Series) instead of arrays.
    **params : dict
        The true parameters.

    Attributes
    ----------
    params : dict
        The true (planted) parameters, by name.
    X : ndarray or DataFrame of shape (n_samples, n_features)
        The drawn features.
    y : ndarray or Series of shape (n_samples,)
        The drawn target (component labels for mixtures).
    n_samples : int
        Number of drawn rows.
    seed : int
        Seed the data were drawn with.
    """

    #: Names of the parameters that have a standard error.
    estimands = ()

    def __init__(self, n_samples, seed, *, as_frame=False, **params):
        self.n_samples = int(n_samples)
        self.seed = int(seed)
        self.as_frame = bool(as_frame)
        self.params = {key: (np.asarray(v, dtype=float) if np.ndim(v) else float(v))
                       for key, v in params.items()}
        self._X, self._y = self._draw(self.n_samples, np.random.RandomState(self.seed))

    # -- data ----------------------------------------------------------------
    @property
    def X(self):
        return self._wrap_X(self._X)

    @property
    def y(self):
        return self._wrap_y(self._y)

    def sample(self, n_samples, random_state=None):
        """Draw a fresh data set of ``n_samples`` rows from the same process.

        Parameters
        ----------
        n_samples : int
            Number of rows.
        random_state : int, RandomState instance or None, default=None
            Seed of the draw.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features)
        y : ndarray or Series of shape (n_samples,)
        """
        X, y = self._draw(int(n_samples), check_random_state(random_state))
        return self._wrap_X(X), self._wrap_y(y)

    def feature_names(self):
        """Column names used when ``as_frame=True``."""
        return [f"x{j}" for j in range(self._X.shape[1])]

    def _wrap_X(self, X):
        return pd.DataFrame(X, columns=self.feature_names()) if self.as_frame else X.copy()

    def _wrap_y(self, y):
        return pd.Series(y, name="y") if self.as_frame else y.copy()

    # -- truth ---------------------------------------------------------------
    def stderr(self, parameter):
        """Standard error of the natural estimator of ``parameter`` on this data.

        It is the spread of the estimate around the truth at this sample size
        (see each subclass for the estimator and formula), so it shrinks like
        ``1 / sqrt(n_samples)``. :func:`assert_recovers` measures errors in
        these units.

        Parameters
        ----------
        parameter : str
            One of :attr:`estimands`.

        Returns
        -------
        stderr : float or ndarray
            Same shape as ``params[parameter]``.
        """
        if parameter not in self.estimands:
            raise KeyError(
                f"{type(self).__name__} has no standard error for {parameter!r}; "
                f"choose one of {list(self.estimands)}."
            )
        return self._stderr(parameter)

    def __repr__(self):
        body = ", ".join(f"{key}={_short(value)}" for key, value in self.params.items())
        return f"{type(self).__name__}(n_samples={self.n_samples}, {body}, seed={self.seed})"

    # -- to implement --------------------------------------------------------
    def _draw(self, n_samples, rng):  # pragma: no cover - abstract
        raise NotImplementedError

    def _stderr(self, parameter):  # pragma: no cover - abstract
        raise NotImplementedError


class LinearDGP(DataGeneratingProcess):
    """Linear model ``y = X coef + intercept + noise * e``, Gaussian design.

    Features are ``x = scale * z`` with ``z ~ N(0, R)``, ``R_ij =
    correlation^|i-j|`` (AR(1)) and ``scale = feature_scale``; ``e ~ N(0, 1)``.

    Standard errors are those of ordinary least squares with an intercept,
    conditional on the drawn design ``X`` (exact for Gaussian noise):
    ``se(coef) = noise * sqrt(diag((Xc' Xc)^-1))`` with ``Xc`` the centred
    design, ``se(intercept) = noise * sqrt(1/n + xbar' (Xc' Xc)^-1 xbar)``;
    asymptotically ``noise * sqrt(diag(Cov(x)^-1) / n)``.
    ``se(noise) = noise / sqrt(2 (n - p - 1))``.
    """

    estimands = ("coef", "intercept", "noise")

    def _draw(self, n_samples, rng):
        p = self.params["coef"].shape[0]
        rho = self.params["correlation"]
        lags = np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
        factor = np.linalg.cholesky(rho**lags)
        X = rng.standard_normal((n_samples, p)) @ factor.T * self.params["feature_scale"]
        y = (X @ self.params["coef"] + self.params["intercept"]
             + self.params["noise"] * rng.standard_normal(n_samples))
        return X, y

    def _stderr(self, parameter):
        noise = self.params["noise"]
        n, p = self._X.shape
        if parameter == "noise":
            return noise / np.sqrt(2.0 * max(n - p - 1, 1))
        mean = self._X.mean(axis=0)
        centred = self._X - mean
        inverse = np.linalg.pinv(centred.T @ centred)
        if parameter == "coef":
            return noise * np.sqrt(np.diag(inverse))
        return float(noise * np.sqrt(1.0 / n + mean @ inverse @ mean))


class GaussianMixtureDGP(DataGeneratingProcess):
    """Gaussian mixture: ``y ~ Categorical(weights)``, ``x | y=k ~ N(means[k], covariances[k])``.

    ``y`` holds the component labels ``0..K-1``, drawn with probabilities
    ``weights``; a component left with fewer than two rows takes rows from the
    largest one (with ``n >= 100`` and the default weights, a rare event).
    Covariances are ``D R D`` with ``D = diag(scales[k])`` and ``R``
    equicorrelated with ``correlations[k]``.

    Standard errors are those of the per-component sample moments given the
    drawn labels (``n_k`` rows in component ``k``): ``se(means[k]) =
    sqrt(diag(covariances[k]) / n_k)``, ``se(covariances[k]_ij) =
    sqrt((S_ii S_jj + S_ij^2) / (n_k - 1))`` (Gaussian fourth moments) and
    ``se(weights[k]) = sqrt(w_k (1 - w_k) / n)``.
    """

    estimands = ("means", "covariances", "weights")

    def __init__(self, n_samples, seed, *, as_frame=False, means, scales, correlations, weights):
        means = np.asarray(means, dtype=float)
        scales = np.asarray(scales, dtype=float)
        p = means.shape[1]
        covariances = []
        for scale, rho in zip(scales, np.atleast_1d(correlations)):
            corr = np.full((p, p), float(rho))
            np.fill_diagonal(corr, 1.0)
            covariances.append(corr * np.outer(scale, scale))
        weights = np.asarray(weights, dtype=float)
        super().__init__(n_samples, seed, as_frame=as_frame, means=means,
                         covariances=np.stack(covariances), weights=weights / weights.sum())

    def __repr__(self):
        means = _short(self.params["means"])
        weights = _short(self.params["weights"])
        scales = _short(np.sqrt(np.diagonal(self.params["covariances"], axis1=1, axis2=2)))
        return (f"GaussianMixtureDGP(n_samples={self.n_samples}, means={means}, "
                f"scales={scales}, weights={weights}, seed={self.seed})")

    def _draw(self, n_samples, rng):
        means = self.params["means"]
        n_components = means.shape[0]
        labels = rng.choice(n_components, size=n_samples, p=self.params["weights"])
        for k in range(n_components):  # rarely needed: keep >= 2 rows per component
            short = 2 - np.count_nonzero(labels == k)
            if short > 0 and n_samples >= 2 * n_components:
                largest = np.argmax(np.bincount(labels, minlength=n_components))
                donors = rng.choice(np.flatnonzero(labels == largest), size=short, replace=False)
                labels[donors] = k
        X = np.empty((n_samples, means.shape[1]))
        for k in range(n_components):
            mask = labels == k
            factor = np.linalg.cholesky(self.params["covariances"][k])
            X[mask] = means[k] + rng.standard_normal((mask.sum(), means.shape[1])) @ factor.T
        return X, labels

    def _stderr(self, parameter):
        counts = np.bincount(self._y, minlength=self.params["means"].shape[0]).astype(float)
        covariances = self.params["covariances"]
        if parameter == "means":
            variances = np.diagonal(covariances, axis1=1, axis2=2)
            return np.sqrt(variances / counts[:, None])
        if parameter == "covariances":
            variances = np.diagonal(covariances, axis1=1, axis2=2)
            fourth = variances[:, :, None] * variances[:, None, :] + covariances**2
            return np.sqrt(fourth / np.maximum(counts - 1, 1)[:, None, None])
        weights = self.params["weights"]
        return np.sqrt(weights * (1 - weights) / self.n_samples)


class PartiallyLinearDGP(DataGeneratingProcess):
    """Partially linear model ``Y = theta A + g(X) + noise * e``.

    Covariates ``X ~ N(0, I_p)``. The treatment depends on them through
    ``m(x) = treatment_coef . x + treatment_wiggle * cos(2 x_0)``: a
    continuous treatment is ``A = m(X) + treatment_noise * v``, a binary one
    ``A ~ Bernoulli(expit(m(X)))``. The outcome nuisance is
    ``g(x) = outcome_coef . x + outcome_wiggle * cos(2 x_0)``. ``theta`` is
    the partial regression coefficient of ``A`` (Robinson, 1988). The shared
    ``cos(2 x_0)`` term is uncorrelated with every linear function of ``X``,
    so adjusting for the covariates linearly leaves confounding bias, of
    about ``treatment_wiggle * outcome_wiggle * 0.48 / Var(A - linear part)``
    for a continuous treatment.

    ``X`` has the treatment in column 0 (``"treatment"`` when
    ``as_frame=True``) and the covariates after it.

    The standard error of ``theta`` is that of the efficient (Robinson /
    double machine learning) estimator with homoscedastic noise,
    ``se(theta) = noise / sqrt(n * mean_i Var(A | X_i))``, where
    ``Var(A | X) = treatment_noise^2`` (continuous) or ``p (1 - p)``,
    ``p = expit(m(X))`` (binary), averaged over the drawn rows.

    References
    ----------
    .. [1] Robinson, P. M. (1988). "Root-N-consistent semiparametric
       regression." Econometrica 56(4), 931-954.
    .. [2] Chernozhukov, V. et al. (2018). "Double/debiased machine learning
       for treatment and structural parameters." The Econometrics Journal
       21(1), C1-C68.
    """

    estimands = ("theta",)

    def __init__(self, n_samples, seed, *, as_frame=False, binary=False, **params):
        self.binary = bool(binary)
        super().__init__(n_samples, seed, as_frame=as_frame, **params)

    def __repr__(self):
        return super().__repr__().replace(
            "PartiallyLinearDGP(", f"PartiallyLinearDGP(binary={self.binary}, ", 1)

    def feature_names(self):
        return ["treatment"] + [f"x{j}" for j in range(self._X.shape[1] - 1)]

    def treatment_mean(self, covariates):
        """``E[A | X]`` at the given covariates (without the treatment column).

        Parameters
        ----------
        covariates : array-like of shape (n_samples, n_covariates)

        Returns
        -------
        mean : ndarray of shape (n_samples,)
        """
        covariates = np.asarray(covariates, dtype=float)
        index = covariates @ self.params["treatment_coef"] + self.params[
            "treatment_wiggle"] * np.cos(2 * covariates[:, 0])
        return expit(index) if self.binary else index

    def outcome_mean(self, covariates):
        """``E[Y | X] = theta E[A | X] + g(X)`` at the given covariates.

        Parameters
        ----------
        covariates : array-like of shape (n_samples, n_covariates)

        Returns
        -------
        mean : ndarray of shape (n_samples,)
        """
        covariates = np.asarray(covariates, dtype=float)
        return self.params["theta"] * self.treatment_mean(covariates) + self._g(covariates)

    def _g(self, covariates):
        return covariates @ self.params["outcome_coef"] + self.params[
            "outcome_wiggle"] * np.cos(2 * covariates[:, 0])

    def _draw(self, n_samples, rng):
        p = self.params["treatment_coef"].shape[0]
        covariates = rng.standard_normal((n_samples, p))
        mean = self.treatment_mean(covariates)
        if self.binary:
            treatment = (rng.random_sample(n_samples) < mean).astype(float)
        else:
            treatment = mean + self.params["treatment_noise"] * rng.standard_normal(n_samples)
        y = (self.params["theta"] * treatment + self._g(covariates)
             + self.params["noise"] * rng.standard_normal(n_samples))
        return np.column_stack([treatment, covariates]), y

    def _stderr(self, parameter):
        if self.binary:
            p = self.treatment_mean(self._X[:, 1:])
            variance = float(np.mean(p * (1 - p)))
        else:
            variance = self.params["treatment_noise"] ** 2
        return float(self.params["noise"] / np.sqrt(self.n_samples * variance))
