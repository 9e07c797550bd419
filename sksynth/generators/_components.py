"""Gaussian components shared by the Gaussian generators.

Covariances are stored in scikit-learn's ``GaussianMixture`` layouts, plus a
pooled diagonal one:

===============  ==================  =========================================
covariance_type  ``covariances_``    meaning
===============  ==================  =========================================
``"full"``       (K, p, p)           one full matrix per component
``"tied"``       (p, p)              one full matrix shared (pooled)
``"diag"``       (K, p)              one diagonal per component
``"tied_diag"``  (p,)                one diagonal shared (pooled)
===============  ==================  =========================================

Factors are Cholesky factors (full) or standard deviations (diagonal), so both
sampling and log-densities cost one triangular solve or one division.
"""

import numpy as np
from scipy import linalg

_LOG_2PI = np.log(2.0 * np.pi)

COVARIANCE_TYPES = ("full", "tied", "diag", "tied_diag")


def is_diagonal(covariance_type):
    return covariance_type in ("diag", "tied_diag")


def is_tied(covariance_type):
    return covariance_type in ("tied", "tied_diag")


def component_covariance(covariances, covariance_type, k):
    """The covariance of component ``k`` as a (p, p) matrix or a (p,) diagonal."""
    return covariances if is_tied(covariance_type) else covariances[k]


def covariance_factor(covariance, diagonal):
    """Lower Cholesky factor of a (p, p) covariance, or the std of a diagonal one."""
    if diagonal:
        if np.any(covariance <= 0):
            raise ValueError(
                "A variance is not positive; increase reg_covar (e.g. reg_covar=1e-4)."
            )
        return np.sqrt(covariance)
    try:
        return linalg.cholesky(covariance, lower=True)
    except linalg.LinAlgError as exc:
        raise ValueError(
            "A fitted covariance matrix is not positive definite; increase reg_covar or "
            "use shrinkage / a diagonal covariance_type."
        ) from exc


def factors(covariances, covariance_type, n_components):
    """Factors of every component (shared factor repeated for tied types)."""
    diagonal = is_diagonal(covariance_type)
    if is_tied(covariance_type):
        shared = covariance_factor(covariances, diagonal)
        return [shared] * n_components
    return [covariance_factor(covariances[k], diagonal) for k in range(n_components)]


def log_density(X, mean, factor):
    """Gaussian log-density of each row of ``X`` (n, p) for one component."""
    centred = X - mean
    if factor.ndim == 1:
        scaled = centred / factor
        log_det = 2.0 * np.sum(np.log(factor))
    else:
        scaled = linalg.solve_triangular(factor, centred.T, lower=True).T
        log_det = 2.0 * np.sum(np.log(np.diag(factor)))
    return -0.5 * (X.shape[1] * _LOG_2PI + log_det + np.einsum("ij,ij->i", scaled, scaled))


def draw(n_samples, mean, factor, rng):
    """Draw ``n_samples`` rows from N(mean, factor factor^T) (or diag factor**2)."""
    noise = rng.standard_normal((n_samples, mean.shape[0]))
    if factor.ndim == 1:
        noise *= factor
    else:
        noise = noise @ factor.T
    noise += mean  # in place: sampling holds about one output-sized temporary
    return noise


def draw_by_label(labels, means, component_factors, rng):
    """Draw one row per entry of ``labels`` from the labelled component.

    Rows come back in the order of ``labels``.
    """
    present = np.unique(labels)
    if present.shape[0] == 1:  # one component: no scatter copy
        k = present[0]
        return draw(labels.shape[0], means[k], component_factors[k], rng)
    X = np.empty((labels.shape[0], means.shape[1]))
    for k in present:
        rows = np.flatnonzero(labels == k)
        X[rows] = draw(rows.shape[0], means[k], component_factors[k], rng)
    return X


def estimate_class_covariances(X, labels, means, covariance_type, ridge):
    """Closed-form covariances given component labels (class-conditional fit).

    Per-class covariances are unbiased (``ddof=1``; a class with a single row
    contributes zero). Pooled ("tied") types average the per-class covariances
    weighted by the class proportions, as Gaussian naive Bayes does in the GDA
    study of Zheng et al. (2023). ``ridge`` (a scalar or one value per feature,
    see :func:`relative_ridge`) is added to the diagonal.
    """
    n_components, n_features = means.shape
    counts = np.bincount(labels, minlength=n_components)
    diagonal = is_diagonal(covariance_type)
    per_class = np.zeros((n_components, n_features) if diagonal else
                         (n_components, n_features, n_features))
    for k in range(n_components):
        if counts[k] < 2:
            continue
        centred = X[labels == k] - means[k]
        if diagonal:
            per_class[k] = np.sum(centred**2, axis=0) / (counts[k] - 1)
        else:
            per_class[k] = centred.T @ centred / (counts[k] - 1)
    if is_tied(covariance_type):
        weights = counts / counts.sum()
        pooled = np.tensordot(weights, per_class, axes=1)
        return add_ridge(pooled, ridge, diagonal)
    return np.stack([add_ridge(c, ridge, diagonal) for c in per_class])


def add_ridge(covariance, ridge, diagonal):
    """Return ``covariance + diag(ridge)`` (works for diagonal vectors too).

    ``ridge`` is a scalar or one value per feature.
    """
    if diagonal:
        return covariance + ridge
    out = covariance.copy()
    out[np.diag_indices_from(out)] += ridge
    return out


def relative_ridge(X, reg_covar):
    """Per-feature ridge ``reg_covar * Var(X_j)``; ``reg_covar`` for constant features.

    A ridge proportional to each feature's variance keeps every covariance
    positive definite without changing the scale of a feature: an absolute
    ``1e-6`` would widen a feature of standard deviation ``1e-12`` a million
    times. Features constant in ``X`` (variance 0) get the absolute floor
    ``reg_covar`` only so that the factors exist; the generators sample them
    exactly constant (see :func:`constant_features`).
    """
    variance = np.var(X, axis=0) if X.shape[0] else np.zeros(X.shape[1])
    return reg_covar * np.where(variance > 0, variance, 1.0)


def constant_features(X):
    """Indices and values of the features that take one value in every row of ``X``."""
    if X.shape[0] == 0:
        return np.array([], dtype=int), np.array([])
    index = np.flatnonzero(np.all(X == X[0], axis=0))
    return index, X[0, index].copy()


def constant_log_terms(X, index, means, variances):
    """Gaussian log-density of the constant features (n,) for one component.

    Covariances are block diagonal in those features (their centred values are
    all zero), so this is the part of :func:`log_density` that they contribute.
    """
    if index.size == 0:
        return np.zeros(X.shape[0])
    centred = X[:, index] - means[index]
    return -0.5 * np.sum(_LOG_2PI + np.log(variances) + centred**2 / variances, axis=1)


def covariance_diagonal(covariance):
    """The variances of a (p, p) covariance or a (p,) diagonal."""
    return covariance if covariance.ndim == 1 else np.diag(covariance)
