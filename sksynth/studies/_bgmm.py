"""The binary Gaussian-mixture study of generative data augmentation (Zheng et al., 2023).

:func:`simulate_bgmm_gap` runs the paper's simulation (data, Gaussian naive
Bayes generator, mean-difference classifier), vectorised over trials, with a
reference path through sksynth's own estimators; the bound it is compared
with is :func:`sksynth.theory.gda.gda_stability_bound`.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ..augmentation import AugmentedClassifier
from ..generators import GaussianMixtureGenerator
from ..linear_model import MeanDifferenceClassifier
from ..theory.gda import bgmm_nll

__all__ = ["simulate_bgmm_gap"]

# Rows of real data (trials x m x d) drawn at once by the vectorised simulation.
_CHUNK_ELEMENTS = 4_000_000


def _check_ratios(gamma):
    """The augmentation ratios as a 1-d float array, all finite and >= 0."""
    arr = np.asarray(gamma)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"gamma must be a number or an array of numbers, got {gamma!r}.")
    arr = np.atleast_1d(arr.astype(np.float64))
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"gamma must be finite, got {gamma!r}.")
    if np.any(arr < 0):
        raise ValueError(f"gamma must be >= 0, got {gamma!r}.")
    if arr.ndim != 1:
        raise ValueError(f"gamma must be a float or a 1-D array of floats, got shape "
                         f"{np.shape(gamma)}.")
    return arr


def _bgmm_mean(d):
    """Mean of class 1 (class 0 has its negative): ``1_d / sqrt(d)``, norm 1."""
    return np.full(d, 1.0 / np.sqrt(d))


def _class_counts(n):
    """Rows per class as scikit-learn's ``make_blobs`` splits them: remainder to class 0."""
    return n - n // 2, n // 2


def _bgmm_labels(n):
    n0, n1 = _class_counts(n)
    return np.repeat([0, 1], [n0, n1])


def _fit_pooled_diagonal(X, y, reg_covar, ddof=1):
    """Gaussian naive Bayes fit for a batch of trials.

    ``X`` has shape (n_trials, n, d) and ``y`` (n,) labels in {0, 1}. Returns
    class means (n_trials, 2, d) and the class-proportion pooled per-class
    variances (sum of squares over ``n_k - ddof``) plus ``reg_covar`` times each
    feature's variance (n_trials, d). With ``ddof=1`` (unbiased) this is how
    :class:`~sksynth.generators.GaussianMixtureGenerator` with
    ``covariance_type="tied_diag"`` estimates them.
    """
    means, pooled = [], 0.0
    n = y.shape[0]
    for k in (0, 1):
        rows = X[:, y == k]
        count = rows.shape[1]
        mean = rows.mean(axis=1)
        means.append(mean)
        if count > 1:
            variance = np.sum((rows - mean[:, np.newaxis]) ** 2, axis=1) / (count - ddof)
            pooled = pooled + count / n * variance
    # the ridge is relative to each feature's variance, as in the generator
    variance = X.var(axis=1)
    return np.stack(means, axis=1), pooled + reg_covar * np.where(variance > 0, variance, 1.0)


def _draw_gaussian_statistics(n, mean, std, rng):
    """Sum and sum of squared norms of ``n`` rows from ``N(mean, diag(std^2))`` per trial.

    Exact in distribution without drawing the rows: with ``z`` standard normal,
    ``S = sum_i z_i ~ N(0, n I)`` and ``sum_i z_ij^2 = S_j^2 / n + R_j`` with
    ``R_j ~ chi2(n - 1)`` independent of ``S``.
    """
    S = rng.standard_normal(mean.shape) * np.sqrt(n)
    R = rng.chisquare(max(n - 1, 1), size=mean.shape) if n > 1 else np.zeros(mean.shape)
    total = n * mean + std * S
    squares = np.sum(n * mean**2 + 2.0 * mean * std * S + std**2 * (S**2 / n + R), axis=-1)
    return total, squares


def _nll_from_statistics(theta, signed_sum, squares, n, sigma):
    """``sum_i ||x_i - s_i theta||^2 / (2 sigma^2 n)`` from two sums over the rows.

    The sums are ``sum_i s_i x_i`` and ``sum_i ||x_i||^2``; the rows may be the
    ones ``theta`` was estimated from or fresh ones.
    """
    inner = np.einsum("...j,...j->...", theta, signed_sum)
    norm2 = np.einsum("...j,...j->...", theta, theta)
    return (squares - 2.0 * inner + n * norm2) / (2.0 * sigma**2 * n)


def _simulate_vectorized(m, d, gammas, n_trials, sigma, n_test, reg_covar, ddof, rng):
    """All trials at once; real rows drawn, generated and test rows by sufficient statistics."""
    mu = _bgmm_mean(d)
    y = _bgmm_labels(m)
    signs = 2.0 * y - 1.0
    train = np.empty((len(gammas), n_trials))
    test = np.empty((len(gammas), n_trials))
    chunk = max(1, _CHUNK_ELEMENTS // (m * d))
    for start in range(0, n_trials, chunk):
        t = slice(start, min(start + chunk, n_trials))
        size = t.stop - t.start
        X = signs[:, np.newaxis] * mu + sigma * rng.standard_normal((size, m, d))
        means, variances = _fit_pooled_diagonal(X, y, reg_covar, ddof)
        std = np.sqrt(variances)
        real_signed = np.einsum("i,tij->tj", signs, X)
        real_squares = np.einsum("tij,tij->t", X, X)
        if n_test is not None:
            # s_i x_i ~ N(mu, sigma^2 I) for both classes of the test rows
            test_signed, test_squares = _draw_gaussian_statistics(
                n_test, np.broadcast_to(mu, (size, d)), sigma, rng
            )
        for g, gamma in enumerate(gammas):
            n_generated = int(gamma * m)
            signed, squares = real_signed.copy(), real_squares.copy()
            for k, n_k in enumerate(_class_counts(n_generated)):
                if n_k == 0:
                    continue
                total, sq = _draw_gaussian_statistics(n_k, means[:, k], std, rng)
                signed += total if k == 1 else -total
                squares += sq
            n_total = m + n_generated
            theta = signed / n_total
            train[g, t] = _nll_from_statistics(theta, signed, squares, n_total, sigma)
            if n_test is None:
                test[g, t] = (np.sum((mu - theta) ** 2, axis=1) + d * sigma**2) / (2 * sigma**2)
            else:
                test[g, t] = _nll_from_statistics(theta, test_signed, test_squares, n_test,
                                                  sigma)
    return train, test


def _simulate_with_estimators(m, d, gammas, n_trials, sigma, n_test, reg_covar, ddof, rng):
    """One trial at a time through sksynth's estimators (slow reference path; ``ddof=1``)."""
    mu = _bgmm_mean(d)
    y = _bgmm_labels(m)
    signs = 2.0 * y - 1.0
    y_test = _bgmm_labels(n_test) if n_test is not None else None
    train = np.empty((len(gammas), n_trials))
    test = np.empty((len(gammas), n_trials))
    for trial in range(n_trials):
        X = signs[:, np.newaxis] * mu + sigma * rng.standard_normal((m, d))
        if n_test is not None:
            X_test = (2.0 * y_test - 1.0)[:, np.newaxis] * mu + sigma * rng.standard_normal(
                (n_test, d)
            )
        for g, gamma in enumerate(gammas):
            model = AugmentedClassifier(
                MeanDifferenceClassifier(fit_intercept=False),
                GaussianMixtureGenerator(covariance_type="tied_diag", reg_covar=reg_covar),
                n_synthetic=int(gamma * m),  # an int is a row count, as int(gamma * m) in [1]
                class_distribution="balanced",
                store_synthetic=True,
                random_state=rng,
            ).fit(X, y)
            theta = model.estimator_.coef_
            X_all = np.vstack([X, model.X_synthetic_])
            y_all = np.concatenate([y, model.y_synthetic_])
            train[g, trial] = bgmm_nll(theta, X_all, y_all, sigma=sigma)
            if n_test is None:
                test[g, trial] = (np.sum((mu - theta) ** 2) + d * sigma**2) / (2 * sigma**2)
            else:
                test[g, trial] = bgmm_nll(theta, X_test, y_test, sigma=sigma)
    return train, test


def _check_int(value, name, low):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}.")
    return int(value)


def simulate_bgmm_gap(
    m,
    d,
    gamma,
    *,
    n_trials=1000,
    sigma=0.6,
    n_test=10_000,
    reg_covar=1e-9,
    ddof=1,
    method="vectorized",
    return_losses=False,
    random_state=None,
):
    """Simulate the generalisation gap of generative augmentation on a binary Gaussian mixture.

    The set-up of Zheng et al. (2023, figure 1), as in their code:

    1. ``m`` real rows, split evenly between the classes (the odd row to class
       0), ``x | y ~ N((2y - 1) mu, sigma^2 I_d)`` with ``mu = 1_d / sqrt(d)``;
    2. a Gaussian naive Bayes generator fitted on them: class means and the
       class-proportion pooled per-feature variances, unbiased by default
       (``ddof=1``, plus ``reg_covar``) --
       :class:`~sksynth.generators.GaussianMixtureGenerator` with
       ``covariance_type="tied_diag"``;
    3. ``int(gamma * m)`` generated rows, split evenly between the classes;
    4. the mean-difference classifier ``theta = mean_i (2 y_i - 1) x_i`` on real
       and generated rows (:class:`~sksynth.linear_model.MeanDifferenceClassifier`
       with ``fit_intercept=False``);
    5. the gap ``|NLL_train - NLL_test|`` of
       :func:`~sksynth.theory.gda.bgmm_nll`, the training loss taken on real
       and generated rows, the test loss on ``n_test`` fresh rows.

    Every ``gamma`` of a trial reuses the trial's real and test rows, and
    draws its own generated rows.

    Parameters
    ----------
    m : int
        Real training rows (at least 2).
    d : int
        Dimension.
    gamma : float or array-like of float
        Augmentation ratios (``gamma * m`` generated rows, rounded down).
    n_trials : int, default=1000
        Independent repetitions.
    sigma : float, default=0.6
        Standard deviation of each class.
    n_test : int or None, default=10_000
        Test rows per trial; ``None`` uses the exact expected test loss
        ``(||mu - theta||^2 + d sigma^2) / (2 sigma^2)`` instead.
    reg_covar : float, default=1e-9
        Added to the generator's variances (the paper's value).
    ddof : {0, 1}, default=1
        Delta degrees of freedom of the generator's per-class variances: the
        sum of squares of class ``k`` is divided by ``n_k - ddof``. ``1`` is
        the unbiased estimate of the authors' code and of
        :class:`~sksynth.generators.GaussianMixtureGenerator`; ``0`` the
        maximum-likelihood one, which removes the gain (see Notes). Only
        ``1`` with ``method="estimators"``.
    method : {"vectorized", "estimators"}, default="vectorized"
        ``"vectorized"`` draws the real rows of all trials as one 3-D array
        and the generated and test rows through their sufficient statistics
        (their sum and sum of squared norms, which is all the classifier and
        the NLL depend on), so its cost does not grow with ``gamma`` or
        ``n_test``. ``"estimators"`` runs every trial through
        :class:`~sksynth.augmentation.AugmentedClassifier` with the generator
        and classifier above, drawing every row: the same distribution of
        results (checked in the test suite), hundreds of times slower.
    return_losses : bool, default=False
        Also return the training and test losses.
    random_state : int, RandomState instance or None, default=None
        Seeds the simulation.

    Returns
    -------
    gap : ndarray of shape (n_gamma, n_trials), or (n_trials,) for a scalar gamma
        ``|NLL_train - NLL_test|`` per ratio and trial.
    train_loss, test_loss : ndarray of the same shape
        Only with ``return_losses=True``.

    See Also
    --------
    sksynth.theory.gda.gda_stability_bound : The bound the gap is compared with.

    Notes
    -----
    The paper plots the mean gap over 1000 trials against ``m`` (``d = 1``),
    against ``d`` (``m = 10``) and against ``gamma`` (``d = 1, m = 40`` and
    ``d = 50, m = 10``). Its findings: augmentation lowers the gap most when
    ``m`` is small, the curves for different ``gamma`` merge as ``m`` grows
    (the rate in ``m`` does not change), and at ``d = 50, m = 10`` the gap
    stops falling once ``gamma`` is large (the generator's own error is a
    floor).

    **The gain needs an unbiased variance, and it is in the training loss.**
    At ``m = 10`` (10,000 trials, ``benchmarks/bench_gda.py``) the ratio of
    the mean gap without augmentation to the mean gap at ``gamma = 50`` is
    0.95, 1.55, 3.23 and 4.64 for ``d = 1, 10, 50, 100`` with ``ddof=1``,
    and 0.99, 0.99, 0.98, 0.99 with ``ddof=0``. The mean test loss hardly
    moves either way (``d = 50``: 27.50 without augmentation, 27.55 at
    ``gamma = 50``, 27.84 at ``gamma = 5``): the gap shrinks because the
    training loss measured on the generated rows rises to meet the test loss.
    Without augmentation the training loss is optimistic by about ``d / m``
    (``theta`` is fitted to the same rows); rows drawn from unbiased variances
    carry the noise level ``d sigma^2`` of fresh data, and their share of the
    training loss is not optimistic. Maximum-likelihood variances are smaller
    by the factor ``(m - 2) / m``, so generated rows are optimistic by about
    ``d / m`` again and the gap stays where it was.

    References
    ----------
    .. [1] Zheng, C., Wu, G. and Li, C. (2023). "Toward understanding
       generative data augmentation." NeurIPS 2023, arXiv:2305.17476.

    Examples
    --------
    >>> from sksynth.studies import simulate_bgmm_gap
    >>> gap = simulate_bgmm_gap(10, 50, [0, 10], n_trials=1000, random_state=0)
    >>> gap.shape
    (2, 1000)
    >>> gap.mean(axis=1).round(1)   # m = 10 rows in d = 50: augmentation shrinks the gap
    array([5. , 1.7])
    >>> gap = simulate_bgmm_gap(20, 1, [0, 10], n_trials=1000, random_state=0)
    >>> gap.mean(axis=1).round(2)   # in one dimension it does not
    array([0.13, 0.13])
    """
    m = _check_int(m, "m", 2)
    d = _check_int(d, "d", 1)
    n_trials = _check_int(n_trials, "n_trials", 1)
    if n_test is not None:
        n_test = _check_int(n_test, "n_test", 1)
    if isinstance(sigma, (bool, np.bool_)) or not isinstance(sigma, Real) or not sigma > 0:
        raise ValueError(f"sigma must be a positive float, got {sigma!r}.")
    if isinstance(reg_covar, (bool, np.bool_)) or not isinstance(reg_covar, Real) or not (
        reg_covar >= 0
    ):
        raise ValueError(f"reg_covar must be a non-negative float, got {reg_covar!r}.")
    gammas = _check_ratios(gamma)
    simulate = {"vectorized": _simulate_vectorized, "estimators": _simulate_with_estimators}
    if method not in simulate:
        raise ValueError(
            f"method must be 'vectorized' or 'estimators', got {method!r}."
        )
    if isinstance(ddof, (bool, np.bool_)) or ddof not in (0, 1):
        raise ValueError(f"ddof must be 0 or 1, got {ddof!r}.")
    if method == "estimators" and ddof != 1:
        raise ValueError(
            "method='estimators' supports only ddof=1: GaussianMixtureGenerator estimates "
            "unbiased covariances; use method='vectorized' for ddof=0."
        )
    rng = check_random_state(random_state)
    train, test = simulate[method](m, d, gammas, n_trials, float(sigma), n_test,
                                   float(reg_covar), int(ddof), rng)
    gap = np.abs(train - test)
    if np.ndim(gamma) == 0:
        gap, train, test = gap[0], train[0], test[0]
    return (gap, train, test) if return_losses else gap
