"""Simulated data sets with known ground truth."""

import functools
import numbers

import numpy as np
import pandas as pd
from scipy import integrate, special, stats
from sklearn.utils import check_random_state

__all__ = ["make_disease", "make_gaussian_mixture"]


# --------------------------------------------------------------------------
# Parameter validation helpers
# --------------------------------------------------------------------------


def _check_int(value, name, min_value, example=100):
    """Return ``value`` as an int, or raise a TypeError / ValueError.

    ``example`` is the value the TypeError suggests (``make_slds`` counts sequences
    and time steps in tens).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int >= {min_value}; got {value!r} of type "
            f"{type(value).__name__}. Pass a whole number such as {name}={example}."
        )
    if value < min_value:
        raise ValueError(f"{name} must be an int >= {min_value}; got {value!r}.")
    return int(value)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{name} must be a bool (True or False); got {value!r} of type {type(value).__name__}."
        )
    return bool(value)


def _is_real_scalar(value):
    return not isinstance(value, (bool, np.bool_)) and isinstance(value, numbers.Real)


# --------------------------------------------------------------------------
# Disease simulation (Decruyenaere et al., 2024)
# --------------------------------------------------------------------------

_STAGES = ("I", "II", "III", "IV")
_STAGE_INTERCEPTS = np.array([2.0, 3.0, 4.0])  # c_k of logit P(stage <= k)
_STAGE_AGE_COEF = -0.05
_AGE_MEAN, _AGE_SD = 50.0, 10.0
_THERAPY_PROB = 0.5
_BP_INTERCEPT = 120.0
_BP_STAGE_EFFECTS = np.array([0.0, 10.0, 20.0, 30.0])
_BP_THERAPY_EFFECT = -20.0
_BP_SD = 10.0


@functools.lru_cache(maxsize=1)
def _disease_stage_probabilities():
    """P(stage = k) marginal over age ~ N(50, 10), by numerical integration."""
    age = stats.norm(_AGE_MEAN, _AGE_SD)
    cumulative = []
    for intercept in _STAGE_INTERCEPTS:
        value, _ = integrate.quad(
            lambda a, c=intercept: special.expit(c + _STAGE_AGE_COEF * a) * age.pdf(a),
            -np.inf,
            np.inf,
            epsabs=1e-13,
            epsrel=1e-12,
        )
        cumulative.append(value)
    cumulative = np.array([0.0, *cumulative, 1.0])
    return tuple(float(p) for p in np.diff(cumulative))


def _disease_truth():
    probs = _disease_stage_probabilities()
    bp_mean = (
        _BP_INTERCEPT + float(np.dot(probs, _BP_STAGE_EFFECTS)) + _BP_THERAPY_EFFECT * _THERAPY_PROB
    )
    return {
        "age_mean": _AGE_MEAN,
        "age_sd": _AGE_SD,
        "stage_intercepts": [float(c) for c in _STAGE_INTERCEPTS],
        "stage_age_coef": _STAGE_AGE_COEF,
        "stage_probabilities": dict(zip(_STAGES, probs)),
        "therapy_probability": _THERAPY_PROB,
        "bp_intercept": _BP_INTERCEPT,
        "bp_stage_effects": dict(zip(_STAGES, (float(e) for e in _BP_STAGE_EFFECTS))),
        "bp_therapy_effect": _BP_THERAPY_EFFECT,
        "bp_sd": _BP_SD,
        "bp_mean": bp_mean,
        # sqrt(n) * standard error of the OLS therapy coefficient:
        # sigma / sd(therapy | stage) = 10 / 0.5, as therapy is independent.
        "bp_therapy_ols_asymptotic_sd": float(
            _BP_SD / np.sqrt(_THERAPY_PROB * (1 - _THERAPY_PROB))
        ),
    }


def make_disease(n_samples=1000, *, random_state=None, return_truth=False):
    """Simulate the disease data of the debiased synthetic-data study.

    The data-generating process of simulation study 1 of Decruyenaere et al.
    (2024) [1]_, with four columns generated in this order:

    - ``age`` ~ Normal(50, 10);
    - ``stage`` in {I, II, III, IV} from a proportional-odds model on age,
      ``logit P(stage <= k) = c_k - 0.05 * age`` with ``c = [2, 3, 4]``;
    - ``therapy`` ~ Bernoulli(0.5), independent of everything else;
    - ``bp`` ~ Normal(120 + {0, 10, 20, 30}[stage] - 20 * therapy, 10).

    Stage is drawn by inversion of its conditional distribution function
    with one uniform number per row (vectorised), so the rows differ from
    those of the authors' code for the same seed but follow the same law.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows (>= 0).

    random_state : int, RandomState instance or None, default=None
        Seed or random number generator. Pass an int for reproducible
        output across multiple function calls.
        See :term:`Glossary <random_state>`.

    return_truth : bool, default=False
        If True, also return a dictionary of the true parameters.

    Returns
    -------
    data : DataFrame of shape (n_samples, 4)
        Columns ``age`` (float64), ``stage`` (ordered categorical with
        categories ``['I', 'II', 'III', 'IV']``), ``therapy`` (bool) and
        ``bp`` (float64, blood pressure).

    truth : dict
        Only if ``return_truth`` is True. The targets of the study are
        ``'age_mean'`` (50.0, the mean of age) and ``'bp_therapy_effect'``
        (-20.0, the coefficient of therapy in the linear regression of bp on
        stage dummies and therapy). Also contains ``'age_sd'``,
        ``'stage_intercepts'``, ``'stage_age_coef'``,
        ``'stage_probabilities'`` (dict stage -> P(stage), marginal over
        age, computed by numerical integration), ``'therapy_probability'``,
        ``'bp_intercept'``, ``'bp_stage_effects'`` (dict stage -> shift of
        the mean of bp), ``'bp_sd'``, ``'bp_mean'`` (marginal mean of bp)
        and ``'bp_therapy_ols_asymptotic_sd'`` (20.0: ``sqrt(n)`` times
        the standard error of the OLS therapy coefficient).

    See Also
    --------
    make_gaussian_mixture : Two-class Gaussian mixture ``x = y * mu + z``.
    load_adult : The Adult census data, a real mixed-type data set.

    References
    ----------
    .. [1] Decruyenaere, A., Dehaene, H., Rabaey, P., Polet, C., Decruyenaere,
       J., Demeester, T. and Vansteelandt, S. (2024). Debiasing synthetic
       data generated by deep generative models. NeurIPS 2024.
       arXiv:2411.04216.

    Examples
    --------
    >>> from sksynth.datasets import make_disease
    >>> df, truth = make_disease(n_samples=5000, random_state=0, return_truth=True)
    >>> list(df.columns)
    ['age', 'stage', 'therapy', 'bp']
    >>> round(float(df["age"].mean()), 1)
    49.9
    >>> {k: round(p, 3) for k, p in truth["stage_probabilities"].items()}
    {'I': 0.384, 'II': 0.232, 'III': 0.19, 'IV': 0.194}
    >>> df["stage"].value_counts(normalize=True, sort=False).round(3).tolist()
    [0.402, 0.217, 0.19, 0.191]
    >>> df.dtypes.astype(str).tolist()
    ['float64', 'category', 'bool', 'float64']
    """
    n_samples = _check_int(n_samples, "n_samples", 0)
    return_truth = _check_bool(return_truth, "return_truth")
    rng = check_random_state(random_state)

    age = rng.normal(_AGE_MEAN, _AGE_SD, size=n_samples)
    # cumulative[i, k] = P(stage <= k | age_i), increasing in k as c_k is.
    cumulative = special.expit(
        _STAGE_INTERCEPTS[np.newaxis, :] + _STAGE_AGE_COEF * age[:, np.newaxis]
    )
    u = rng.uniform(size=n_samples)
    stage_code = (u[:, np.newaxis] >= cumulative).sum(axis=1)
    therapy = rng.uniform(size=n_samples) < _THERAPY_PROB
    bp_mean = _BP_INTERCEPT + _BP_STAGE_EFFECTS[stage_code] + _BP_THERAPY_EFFECT * therapy
    bp = bp_mean + _BP_SD * rng.standard_normal(size=n_samples)

    data = pd.DataFrame(
        {
            "age": age.astype(np.float64),
            "stage": pd.Categorical.from_codes(stage_code, categories=list(_STAGES), ordered=True),
            "therapy": therapy.astype(bool),
            "bp": bp.astype(np.float64),
        }
    )
    if return_truth:
        return data, _disease_truth()
    return data


# --------------------------------------------------------------------------
# Two-class Gaussian mixture (El Firdoussi et al. 2024; Zheng et al. 2023)
# --------------------------------------------------------------------------

_LABELS = ("pm1", "01")


def _check_covariance(covariance, n_features):
    """Return ``(kind, factor)`` with kind in {"identity", "scalar", "diag", "full"}.

    ``factor`` is what the standard normal draws are multiplied by: a float
    (standard deviation), a vector of standard deviations, or the lower
    Cholesky factor.
    """
    if covariance is None:
        return "identity", None
    if isinstance(covariance, (str, bool, np.bool_)):
        raise TypeError(
            "covariance must be None, a positive float, a 1-d array of "
            f"{n_features} positive variances or a ({n_features}, {n_features}) "
            f"symmetric positive definite matrix; got {covariance!r}."
        )
    try:
        cov = np.asarray(covariance, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            "covariance must be None, a positive float, a 1-d array of "
            f"{n_features} positive variances or a ({n_features}, {n_features}) "
            f"symmetric positive definite matrix; got {covariance!r}."
        ) from exc
    if not np.all(np.isfinite(cov)):
        raise ValueError("covariance must contain only finite values (no NaN or inf).")
    if cov.ndim == 0:
        if cov <= 0:
            raise ValueError(
                "covariance given as a float is the variance sigma**2 of every "
                f"feature and must be > 0; got {float(cov)!r}."
            )
        return "scalar", float(np.sqrt(cov))
    if cov.ndim == 1:
        if cov.shape != (n_features,):
            raise ValueError(
                "covariance given as a 1-d array holds the variances of the "
                f"features and must have shape ({n_features},) to match "
                f"n_features; got shape {cov.shape}."
            )
        if np.any(cov <= 0):
            raise ValueError(
                "covariance given as a 1-d array holds variances, which must "
                f"all be > 0; got minimum {float(cov.min())!r}."
            )
        return "diag", np.sqrt(cov)
    if cov.ndim == 2:
        if cov.shape != (n_features, n_features):
            raise ValueError(
                f"covariance given as a matrix must have shape ({n_features}, "
                f"{n_features}) to match n_features; got shape {cov.shape}."
            )
        if not np.allclose(cov, cov.T, rtol=1e-8, atol=1e-12 * np.abs(cov).max()):
            raise ValueError(
                "covariance must be a symmetric matrix; got a matrix with "
                f"max |C - C.T| = {float(np.abs(cov - cov.T).max()):.3g}. "
                "Pass (C + C.T) / 2 if the asymmetry is rounding error."
            )
        cov = (cov + cov.T) / 2
        try:
            chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            min_eig = float(np.linalg.eigvalsh(cov).min())
            raise ValueError(
                "covariance must be positive definite; its smallest eigenvalue "
                f"is {min_eig:.3g}. Add a small multiple of the identity, e.g. "
                "covariance + 1e-6 * np.eye(n_features)."
            ) from None
        return "full", chol
    raise ValueError(
        "covariance must be None, a float, a 1-d array or a 2-d matrix; got an "
        f"array with {cov.ndim} dimensions."
    )


def make_gaussian_mixture(
    n_samples=100,
    n_features=2,
    *,
    mean_norm=None,
    covariance=None,
    mean=None,
    balanced=True,
    labels="pm1",
    random_state=None,
    return_mean=False,
):
    """Generate the symmetric two-class Gaussian mixture ``x = y * mu + z``.

    This is the data model of the random-matrix analysis of synthetic data
    of El Firdoussi et al. (2024) [1]_ and of the binary Gaussian mixture
    simulation of Zheng et al. (2023) [2]_: each label ``y`` is -1 or +1,
    ``mu`` is a fixed mean vector and the noise ``z`` is drawn from
    ``N(0, covariance)``, so class +1 has mean ``mu`` and class -1 has mean
    ``-mu``.

    Parameters
    ----------
    n_samples : int, default=100
        Number of rows (>= 0).

    n_features : int, default=2
        Dimension ``p`` of the data (>= 1).

    mean_norm : float or None, default=None
        Euclidean norm of ``mu`` (>= 0) when ``mean`` is None: ``mu`` is then
        ``mean_norm`` times a unit vector drawn uniformly at random from
        ``random_state``. None means 1.0. When ``mean`` is given, leave
        ``mean_norm`` at None (``mean`` is used as is); a value is accepted
        only if it equals ``np.linalg.norm(mean)``, and a different value
        raises a ValueError.

    covariance : None, float, array-like of shape (n_features,) or \
            (n_features, n_features), default=None
        Covariance of the noise ``z``. None is the identity; a float
        ``sigma**2 > 0`` is ``sigma**2 * I``; a 1-d array holds positive
        variances (diagonal covariance); a 2-d array must be symmetric
        positive definite.

    mean : array-like of shape (n_features,), default=None
        The mean ``mu`` of class +1. If None, ``mu`` is drawn as described
        for ``mean_norm``.

    balanced : bool, default=True
        If True, exactly ``n_samples // 2`` rows have label +1 and the others
        (one more when ``n_samples`` is odd) label -1, in random order. If
        False, the labels are independent fair coin flips.

    labels : {"pm1", "01"}, default="pm1"
        Encoding of the returned labels: ``"pm1"`` gives -1 and +1, ``"01"``
        gives 0 (for -1) and 1 (for +1). ``X`` does not depend on it.

    random_state : int, RandomState instance or None, default=None
        Seed or random number generator for ``mu``, the labels and the
        noise. Pass an int for reproducible output across multiple function
        calls. See :term:`Glossary <random_state>`.

    return_mean : bool, default=False
        If True, also return ``mu``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The samples, ``X[i] = y[i] * mu + z[i]`` with ``y[i]`` in {-1, +1}.

    y : ndarray of shape (n_samples,)
        The labels (int64), encoded as set by ``labels``.

    mu : ndarray of shape (n_features,)
        Only if ``return_mean`` is True. The mean of class +1.

    See Also
    --------
    sklearn.datasets.make_blobs : Isotropic Gaussian blobs with given centers.
    make_disease : Mixed-type simulation with known regression parameters.

    Notes
    -----
    The random numbers are drawn in this order: the direction of ``mu``
    (only when ``mean`` is None), the labels, then the noise. In the code
    of [1]_ the first ``n // 2`` labels are -1; in [2]_ (scikit-learn's
    ``make_blobs``) the extra row of an odd ``n`` goes to the class with
    mean ``-mu``, which is the convention used here.

    References
    ----------
    .. [1] El Firdoussi, A., Seddik, M. E. A., Hayou, S., Alami, R.,
       Alzubaidi, A. and Hacid, H. (2024). Maximizing the potential of
       synthetic data: insights from random matrix theory. arXiv:2410.08942.
    .. [2] Zheng, C., Wu, G. and Li, C. (2023). Toward understanding
       generative data augmentation. NeurIPS 2023. arXiv:2305.17476.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.datasets import make_gaussian_mixture
    >>> X, y, mu = make_gaussian_mixture(
    ...     n_samples=2000, n_features=3, mean_norm=2.0, random_state=0,
    ...     return_mean=True)
    >>> X.shape, np.unique(y).tolist(), int((y == 1).sum())
    ((2000, 3), [-1, 1], 1000)
    >>> round(float(np.linalg.norm(mu)), 3)
    2.0
    >>> half_gap = (X[y == 1].mean(axis=0) - X[y == -1].mean(axis=0)) / 2
    >>> round(float(np.linalg.norm(half_gap - mu)), 2)
    0.04
    """
    n_samples = _check_int(n_samples, "n_samples", 0)
    n_features = _check_int(n_features, "n_features", 1)
    if mean_norm is not None:
        if not _is_real_scalar(mean_norm):
            raise TypeError(
                f"mean_norm must be a float >= 0 or None; got {mean_norm!r} of "
                f"type {type(mean_norm).__name__}."
            )
        if not np.isfinite(mean_norm) or mean_norm < 0:
            raise ValueError(f"mean_norm must be a finite float >= 0; got {mean_norm!r}.")
        mean_norm = float(mean_norm)
    balanced = _check_bool(balanced, "balanced")
    return_mean = _check_bool(return_mean, "return_mean")
    if not isinstance(labels, str) or labels not in _LABELS:
        raise ValueError(
            f"labels must be 'pm1' (labels -1/+1) or '01' (labels 0/1); got {labels!r}."
        )

    if mean is not None:
        try:
            mu = np.array(mean, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"mean must be None or an array-like of {n_features} numbers; got {mean!r}."
            ) from exc
        if mu.shape != (n_features,):
            raise ValueError(
                f"mean must have shape ({n_features},) to match n_features; got shape {mu.shape}."
            )
        if not np.all(np.isfinite(mu)):
            raise ValueError("mean must contain only finite values (no NaN or inf).")
        norm = float(np.linalg.norm(mu))
        if mean_norm is not None and not np.isclose(norm, mean_norm, rtol=1e-9, atol=1e-12):
            raise ValueError(
                f"mean_norm={mean_norm!r} is inconsistent with mean, whose norm is "
                f"{norm!r}. Give only one of them: leave mean_norm=None when "
                "passing mean, or pass mean=None to draw a random direction."
            )
    kind, factor = _check_covariance(covariance, n_features)

    rng = check_random_state(random_state)
    if mean is None:
        direction = rng.standard_normal(n_features)
        while np.linalg.norm(direction) == 0:  # probability zero
            direction = rng.standard_normal(n_features)
        direction /= np.linalg.norm(direction)
        mu = (1.0 if mean_norm is None else mean_norm) * direction

    if balanced:
        n_pos = n_samples // 2
        y = np.concatenate(
            [-np.ones(n_samples - n_pos, dtype=np.int64), np.ones(n_pos, dtype=np.int64)]
        )
        y = y[rng.permutation(n_samples)]
    else:
        y = np.where(rng.uniform(size=n_samples) < 0.5, -1, 1).astype(np.int64)

    z = rng.standard_normal((n_samples, n_features))
    if kind in ("scalar", "diag"):
        z = z * factor
    elif kind == "full":
        z = z @ factor.T
    X = y[:, np.newaxis] * mu[np.newaxis, :] + z

    if labels == "01":
        y = (y + 1) // 2
    if return_mean:
        return X, y, mu.copy()
    return X, y
