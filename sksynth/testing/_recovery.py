"""Property test: an estimator recovers a planted parameter within a tolerance scaling with n."""

import copy
from dataclasses import dataclass, field

import numpy as np
from hypothesis import HealthCheck, given, settings
from sklearn.base import clone

__all__ = ["RecoveryResult", "assert_recovers"]


@dataclass
class RecoveryResult:
    """What :func:`assert_recovers` measured over the examples it ran.

    Attributes
    ----------
    parameter : str
        The planted parameter.
    n_examples : int
        Data-generating processes tried.
    max_abs_error : float
        Largest ``|estimate - truth|`` over examples and elements.
    max_z : float
        Largest error in standard errors, ``|estimate - truth| / stderr``.
    rms_z : float
        Root mean square of those z-scores over every element (with a
        non-zero standard error) of every example: about 1 for an unbiased
        estimator as efficient as the reference one the standard errors
        describe.
    n_samples : tuple of (int, int)
        Smallest and largest sample size tried.
    records : list of dict
        Per example: ``n_samples``, ``max_abs_error``, ``max_z``, and the
        flattened ``errors`` and ``stderrs`` of every element.
    """

    parameter: str
    n_examples: int = 0
    max_abs_error: float = 0.0
    max_z: float = 0.0
    rms_z: float = 0.0
    n_samples: tuple = (0, 0)
    records: list = field(default_factory=list, repr=False)


def _estimate(estimator, dgp, parameter, attribute):
    if hasattr(estimator, "fit"):
        try:
            fitted = clone(estimator)
        except TypeError:
            fitted = copy.deepcopy(estimator)
        fitted.fit(dgp.X, dgp.y)
        if callable(attribute):
            return attribute(fitted)
        name = attribute or f"{parameter}_"
        if not hasattr(fitted, name):
            raise AttributeError(
                f"fitted {type(fitted).__name__} has no attribute {name!r}; pass "
                "attribute='<name>' or a callable attribute=lambda est: ... to read the estimate."
            )
        return getattr(fitted, name)
    if callable(estimator):
        return estimator(dgp)
    raise TypeError(
        "estimator must have a fit method or be a callable estimate(dgp) -> array, got "
        f"{type(estimator).__name__}."
    )


def assert_recovers(estimator, dgp_strategy, parameter, *, attribute=None, tolerance=5.0,
                    atol=0.0, max_examples=20, hypothesis_settings=None):
    """Assert that an estimator recovers a planted parameter on data from a DGP strategy.

    For each data-generating process ``dgp`` drawn by ``dgp_strategy`` (e.g.
    :func:`linear_models`), a clone of ``estimator`` is fitted on
    ``(dgp.X, dgp.y)`` and its estimate is compared, element by element,
    with the truth ``dgp.params[parameter]``. The check passes when::

        |estimate - truth| <= tolerance * dgp.stderr(parameter) + atol

    ``dgp.stderr(parameter)`` is the standard error of the natural estimator
    of the parameter at that data set's size (ordinary least squares for
    linear models, sample moments for mixtures, the efficient Robinson
    estimator for partially linear models), so the allowed error **shrinks
    like 1 / sqrt(n)**: ``tolerance`` is a number of standard errors, not an
    absolute error. With the default ``tolerance=5``, an unbiased estimator
    as efficient as that reference fails a given element with probability
    ``P(|Z| > 5) = 5.7e-7``. Give a larger tolerance to estimators with more
    variance, and ``atol`` (or a callable tolerance) to biased ones, e.g.
    ``Ridge``, whose shrinkage bias is of order ``alpha / n``.

    Hypothesis draws the processes and, when the check fails, shrinks to the
    simplest failing one (fewest rows, round parameters, seed 0), reported in
    the exception's notes.

    Parameters
    ----------
    estimator : estimator or callable
        An estimator with ``fit(X, y)`` (cloned for each example; from
        sksynth, scikit-learn or anywhere) or a callable ``estimate(dgp)``
        returning the estimate.
    dgp_strategy : hypothesis SearchStrategy of DataGeneratingProcess
        E.g. ``linear_models(n_samples=(100, 1000))``.
    parameter : str
        Key of ``dgp.params`` to recover, e.g. ``"coef"``, ``"means"``,
        ``"theta"``.
    attribute : str or callable, default=None
        Where the fitted estimator keeps its estimate: an attribute name, or
        a callable ``attribute(fitted_estimator)``. ``None`` uses
        ``parameter + "_"`` (``coef_``, ``intercept_``, ``means_``...).
    tolerance : float or callable, default=5.0
        Allowed error in standard errors, or a callable ``tolerance(n)``
        returning an absolute allowed error for sample size ``n``.
    atol : float, default=0.0
        Absolute error allowed on top.
    max_examples : int, default=20
        Processes to try.
    hypothesis_settings : hypothesis.settings, default=None
        Settings to run under (``max_examples`` is then ignored). ``None``
        uses the active profile with ``max_examples`` and no deadline.

    Returns
    -------
    result : RecoveryResult
        The achieved errors (largest error, largest and root-mean-square
        z-score).

    Raises
    ------
    AssertionError
        When some element's error exceeds the tolerance; the message gives
        the estimate, the truth, the error, the allowed error and ``n``.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from hypothesis import settings
    >>> from sksynth.testing import assert_recovers, linear_models
    >>> result = assert_recovers(
    ...     LinearRegression(), linear_models(n_samples=(100, 400)), "coef",
    ...     hypothesis_settings=settings(max_examples=10, derandomize=True, database=None))
    >>> result.n_examples, bool(result.max_z < 5)
    (10, True)
    """
    if not (callable(tolerance) or (np.isscalar(tolerance) and tolerance >= 0)):
        raise ValueError(
            f"tolerance must be a non-negative number of standard errors or a callable "
            f"tolerance(n) -> absolute error, got {tolerance!r}."
        )
    if atol < 0:
        raise ValueError(f"atol must be non-negative, got {atol!r}.")
    result = RecoveryResult(parameter=parameter)

    def recovers(dgp):
        if parameter not in dgp.params:
            raise KeyError(
                f"{type(dgp).__name__} has no parameter {parameter!r}; choose one of "
                f"{list(dgp.params)}."
            )
        truth = np.asarray(dgp.params[parameter], dtype=float)
        estimate = np.asarray(_estimate(estimator, dgp, parameter, attribute), dtype=float)
        if estimate.shape != truth.shape:
            raise AssertionError(
                f"the estimate of {parameter!r} has shape {estimate.shape}, the truth "
                f"{truth.shape}; pass an attribute that returns the same layout."
            )
        error = np.abs(estimate - truth)
        stderr = np.broadcast_to(np.asarray(dgp.stderr(parameter), dtype=float), truth.shape)
        if callable(tolerance):
            allowed = np.broadcast_to(np.asarray(tolerance(dgp.n_samples), dtype=float),
                                      truth.shape) + atol
            rule = f"tolerance({dgp.n_samples}) + atol"
        else:
            allowed = tolerance * stderr + atol
            rule = f"{tolerance:g} standard errors + atol={atol:g}"
        with np.errstate(divide="ignore", invalid="ignore"):  # a zero SE: exact parameter
            z = np.where(error == 0, 0.0, error / stderr)
        random = stderr > 0  # elements with a zero standard error are known exactly
        result.records.append({"n_samples": dgp.n_samples, "max_abs_error": float(error.max(
            initial=0.0)), "max_z": float(z.max(initial=0.0)),
            "sum_z2": float(np.sum(z[random] ** 2)), "size": int(random.sum()),
            "errors": error.ravel(), "stderrs": stderr.ravel().copy()})
        bad = ~(error <= allowed)
        if bad.any():
            where = np.argwhere(bad)[0] if truth.ndim else ()
            index = tuple(int(i) for i in where)
            name = type(estimator).__name__ if hasattr(estimator, "fit") else getattr(
                estimator, "__name__", "estimate")
            raise AssertionError(
                f"{name} did not recover {parameter}{list(index) if index else ''} at "
                f"n={dgp.n_samples}: estimate {estimate[index]:.6g}, truth {truth[index]:.6g}, "
                f"error {error[index]:.3g} > allowed {allowed[index]:.3g} ({rule}; "
                f"standard error {stderr[index]:.3g}, z = {z[index]:.2f})"
            )

    if hypothesis_settings is None:
        hypothesis_settings = settings(
            max_examples=max_examples, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
    hypothesis_settings(given(dgp=dgp_strategy)(recovers))()
    records = result.records
    result.n_examples = len(records)
    if records:
        result.max_abs_error = max(r["max_abs_error"] for r in records)
        result.max_z = max(r["max_z"] for r in records)
        total = sum(r["size"] for r in records)
        result.rms_z = float(np.sqrt(sum(r["sum_z2"] for r in records) / max(total, 1)))
        sizes = [r["n_samples"] for r in records]
        result.n_samples = (min(sizes), max(sizes))
    return result
