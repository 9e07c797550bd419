"""Closed-form quantities of the random-matrix theory of synthetic data.

The verifier's kept fraction ``alpha`` and label signal ``lambda``, the
critical label noise ``eps*``, and the Marchenko-Pastur law of a sample
covariance; plus the argument checks shared by :mod:`sksynth.theory.rmt`.
Public names are documented in :mod:`sksynth.theory.rmt`.
"""

import numpy as np

# -- validation -------------------------------------------------------------------------------
def _as_array(value, name, *, low=None, low_closed=True, high=None, allow_none=False):
    """Float array from a scalar or array-like, checked to lie in the given range."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}.")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {value!r}."
        ) from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf), got {value!r}.")
    if low is not None:
        bad = arr < low if low_closed else arr <= low
        if np.any(bad):
            relation = ">=" if low_closed else ">"
            raise ValueError(
                f"{name} must be {relation} {low}; got {value!r}."
            )
    if high is not None and np.any(arr > high):
        raise ValueError(f"{name} must be <= {high}; got {value!r}.")
    return arr


def _check_probabilities(eps, rho, phi):
    return (
        _as_array(eps, "eps", low=0, high=1),
        _as_array(rho, "rho", low=0, high=1),
        _as_array(phi, "phi", low=0, high=1),
    )


def _scalar_or_array(arr):
    arr = np.asarray(arr, dtype=np.float64)
    return arr[()] if arr.ndim == 0 else arr


# -- verifier quantities ------------------------------------------------------------------------
def kept_fraction(eps, rho, phi):
    """Fraction ``alpha = phi (1 - eps) + rho eps`` of synthetic rows the verifier keeps.

    Parameters
    ----------
    eps : float or array-like
        Label-noise rate of the synthetic rows, in [0, 1].
    rho : float or array-like
        Probability of keeping a wrongly labelled row, in [0, 1].
    phi : float or array-like
        Probability of keeping a correctly labelled row, in [0, 1].

    Returns
    -------
    alpha : float or ndarray
        ``E[q]``, the expected kept fraction (the paper's ``alpha``).

    See Also
    --------
    label_signal : The signal ``lambda`` the kept rows carry.

    Examples
    --------
    >>> from sksynth.theory.rmt import kept_fraction
    >>> round(float(kept_fraction(0.2, rho=0.2, phi=0.9)), 3)
    0.76
    """
    eps, rho, phi = _check_probabilities(eps, rho, phi)
    return _scalar_or_array(phi * (1 - eps) + rho * eps)


def label_signal(eps, rho, phi):
    """Label signal ``lambda = phi (1 - eps) - rho eps`` of the kept synthetic rows.

    ``lambda = E[q y_tilde y]``: a kept row with a correct label pushes the
    classifier towards ``mu``, a kept row with a wrong label away from it.
    Synthetic rows help the classifier only when ``lambda > 0``.

    Parameters
    ----------
    eps : float or array-like
        Label-noise rate of the synthetic rows, in [0, 1].
    rho : float or array-like
        Probability of keeping a wrongly labelled row, in [0, 1].
    phi : float or array-like
        Probability of keeping a correctly labelled row, in [0, 1].

    Returns
    -------
    lambda : float or ndarray
        The paper's ``lambda``, in [-1, 1].

    See Also
    --------
    critical_label_noise : The ``eps`` at which ``lambda`` changes sign.

    Examples
    --------
    >>> from sksynth.theory.rmt import label_signal
    >>> round(float(label_signal(0.3, rho=0.2, phi=0.8)), 3)
    0.5
    """
    eps, rho, phi = _check_probabilities(eps, rho, phi)
    return _scalar_or_array(phi * (1 - eps) - rho * eps)


def critical_label_noise(rho, phi):
    """Critical label noise ``eps* = (1 + rho / phi)^-1 = phi / (phi + rho)``.

    At ``eps = eps*`` the kept synthetic rows carry no signal
    (``lambda = 0``); beyond it they carry the opposite signal, and a
    classifier trained on synthetic rows only predicts the wrong class more
    often than not.

    Parameters
    ----------
    rho : float or array-like
        Probability of keeping a wrongly labelled row, in [0, 1].
    phi : float or array-like
        Probability of keeping a correctly labelled row, in [0, 1]. ``rho``
        and ``phi`` must not both be 0 (the verifier would keep nothing).

    Returns
    -------
    eps_star : float or ndarray
        The critical label-noise rate, in [0, 1].

    Examples
    --------
    >>> from sksynth.theory.rmt import critical_label_noise
    >>> round(float(critical_label_noise(rho=0.3, phi=0.8)), 4)
    0.7273
    >>> float(critical_label_noise(rho=1.0, phi=1.0))  # no verification
    0.5
    """
    rho = _as_array(rho, "rho", low=0, high=1)
    phi = _as_array(phi, "phi", low=0, high=1)
    total = rho + phi
    if np.any(total == 0):
        raise ValueError(
            "rho and phi cannot both be 0: the verifier then keeps no synthetic row, so "
            "lambda = 0 for every eps and eps* is undefined."
        )
    return _scalar_or_array(phi / total)


# -- Marchenko-Pastur law -----------------------------------------------------------------------
def marchenko_pastur_support(ratio, variance=1.0):
    """Edges ``a, b = variance (1 -/+ sqrt(ratio))^2`` of the Marchenko-Pastur law.

    Parameters
    ----------
    ratio : float or array-like
        ``p / n`` of the sample covariance ``Z Z^T / n`` (``Z`` of shape
        ``(p, n)``), > 0.
    variance : float or array-like, default=1.0
        Variance of the entries of ``Z``, > 0.

    Returns
    -------
    a, b : float or ndarray
        Lower and upper edges of the continuous part of the law.

    Examples
    --------
    >>> from sksynth.theory.rmt import marchenko_pastur_support
    >>> a, b = marchenko_pastur_support(0.25)
    >>> print(round(float(a), 4), round(float(b), 4))
    0.25 2.25
    """
    ratio = _as_array(ratio, "ratio", low=0, low_closed=False)
    variance = _as_array(variance, "variance", low=0, low_closed=False)
    root = np.sqrt(ratio)
    return _scalar_or_array(variance * (1 - root) ** 2), _scalar_or_array(
        variance * (1 + root) ** 2
    )


def marchenko_pastur_pdf(x, ratio, variance=1.0):
    """Density of the continuous part of the Marchenko-Pastur law.

    The eigenvalues of ``Z Z^T / n`` (``Z`` of shape ``(p, n)`` with i.i.d.
    entries of variance ``variance``) follow, as ``p, n -> infinity`` with
    ``p / n -> ratio``, the law with density

    .. math:: f(x) = \\frac{\\sqrt{(b - x)(x - a)}}{2 \\pi\\, \\text{ratio}\\,
              \\text{variance}\\, x}, \\qquad x \\in [a, b],

    ``a, b = variance (1 -/+ sqrt(ratio))^2``, plus an atom of mass
    ``1 - 1 / ratio`` at 0 when ``ratio > 1`` (not included in the density).
    This is the law of the spread of the generator covariance ``C_hat``
    estimated from ``n_hat`` rows, with ``ratio = p / n_hat``.

    Parameters
    ----------
    x : float or array-like
        Points at which to evaluate the density.
    ratio : float or array-like
        ``p / n`` (> 0).
    variance : float or array-like, default=1.0
        Variance of the entries (> 0).

    Returns
    -------
    density : float or ndarray
        ``f(x)``, 0 outside ``[a, b]``.

    See Also
    --------
    marchenko_pastur_support : The edges ``a`` and ``b``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.theory.rmt import marchenko_pastur_pdf
    >>> x = np.linspace(0, 6, 60_001)
    >>> round(float(np.sum(marchenko_pastur_pdf(x, 0.5)) * (x[1] - x[0])), 3)
    1.0
    >>> round(float(np.sum(marchenko_pastur_pdf(x, 2.0)) * (x[1] - x[0])), 3)  # 1 - atom
    0.5
    """
    x = _as_array(x, "x")
    ratio = _as_array(ratio, "ratio", low=0, low_closed=False)
    variance = _as_array(variance, "variance", low=0, low_closed=False)
    root = np.sqrt(ratio)
    a, b = variance * (1 - root) ** 2, variance * (1 + root) ** 2
    inside = (x > a) & (x < b) & (x > 0)
    safe_x = np.where(inside, x, 1.0)
    density = np.sqrt(np.clip((b - x) * (x - a), 0, None)) / (
        2 * np.pi * ratio * variance * safe_x
    )
    return _scalar_or_array(np.where(inside, density, 0.0))
