"""Random-matrix theory of a ridge classifier trained on real and synthetic data.

El Firdoussi et al. (2024) study the ridge classifier

.. math::

    w = \\Big(\\tfrac{1}{N}\\big[X_r X_r^\\top + X_s D_q X_s^\\top\\big] + \\gamma I_p\\Big)^{-1}
        \\tfrac{1}{N}\\big[X_r y_r + X_s D_q \\tilde y\\big],\\qquad N = n + m,

trained on ``n`` real rows ``x = y mu + z`` (``z ~ N(0, I_p)``) and ``m``
synthetic rows ``x = y mu_beta + z`` (``z ~ N(0, C)``) whose labels are
flipped with probability ``eps`` and then kept by a verifier with
probability ``phi`` (correct label) or ``rho`` (wrong label), ``D_q`` being
the diagonal of keep indicators. In the limit ``p, n, m -> infinity`` at
fixed ratios, the decision ``w^T x`` on a real test row is Gaussian,
``N(y m, nu - m^2)``, so the test accuracy is ``Phi(m / sqrt(nu - m^2))``.
This module computes ``m`` and ``nu`` (and so the accuracy and the risk) in
the three cases of the paper:

- **synthetic only** (``n = 0``) and real + synthetic with an exact
  generator (``C = I``, ``mu_beta = mu``): give ``mean_norm`` and leave
  ``n_hat`` as None;
- **toy** case: the generator's covariance is ``C_hat = Z Z^T / n_hat``,
  estimated from ``n_hat`` rows, averaged over its Marchenko-Pastur law:
  give ``mean_norm`` and ``n_hat``;
- **general** case: any synthetic mean ``mu_beta`` and covariance ``C``
  (e.g. those of a fitted generator): give ``mean``, ``mean_synthetic`` and
  ``covariance_synthetic``.

All scalar inputs (``n, m, p, n_hat, mean_norm, eps, rho, phi, gamma,
synthetic_weight``) broadcast against each other, so a whole grid is one call.

The derivation used here (see Notes of :func:`decision_moments`) keeps each
synthetic row with probability ``alpha`` (a Bernoulli mask, as in the paper's
model and simulations). The authors' code instead puts ``alpha`` inside the
synthetic fixed point, ``delta_s = alpha tr(C Qbar) / N``, which is what one
gets by giving *every* synthetic row the weight ``alpha``; the two agree for
``alpha = 1`` and differ, against Monte-Carlo simulation, when the verifier
discards many rows (``tests/test_rmt.py``).

References
----------
El Firdoussi, A., Seddik, M. E. A., Hayou, S., Alami, R., Alzubaidi, A. and
Hacid, H. (2024). "Maximizing the potential of synthetic data: insights from
random matrix theory." ICLR 2025, arXiv:2410.08942. Code:
github.com/elfirdoussilab1/Synthetic-data (``rmt_results.py``).

Couillet, R. and Liao, Z. (2022). *Random Matrix Methods for Machine
Learning.* Cambridge University Press (deterministic equivalents).
"""

from collections import namedtuple
from numbers import Real

import numpy as np
from scipy.special import ndtr

__all__ = [
    "DecisionMoments",
    "FixedPointError",
    "FixedPoints",
    "SyntheticSizeCurve",
    "best_synthetic_size",
    "critical_label_noise",
    "decision_moments",
    "fixed_points",
    "kept_fraction",
    "label_signal",
    "marchenko_pastur_pdf",
    "marchenko_pastur_support",
    "SimulationResult",
    "simulate_accuracy",
    "test_accuracy",
    "test_risk",
]

FixedPoints = namedtuple("FixedPoints", ["delta_r", "delta_s", "delta_g"])
FixedPoints.__doc__ = """Solutions of the fixed-point equations (:func:`fixed_points`).

delta_r : ndarray or float
    ``tr(Qbar) / N``, the real rows' self-interaction (paper: ``delta_r``).
delta_s : ndarray or float
    ``tr(C Qbar) / N``, the synthetic rows' self-interaction (paper:
    ``delta_s``, without the factor ``alpha`` of the authors' code).
delta_g : ndarray or float
    The Marchenko-Pastur term of the estimated generator covariance (paper:
    ``delta_g``, code: ``delta_bar``): ``0`` when ``n_hat`` is None (exact
    generator), NaN in the general case (no such term).
"""

DecisionMoments = namedtuple("DecisionMoments", ["m", "nu"])
DecisionMoments.__doc__ = """Limits of the decision ``w^T x`` on a real test row.

m : ndarray or float
    ``E[y w^T x]``: the mean of the decision, signed by the label.
nu : ndarray or float
    ``E[(w^T x)^2]``: its second moment; ``nu - m**2`` is its variance.
"""

SyntheticSizeCurve = namedtuple("SyntheticSizeCurve", ["best_m", "m", "accuracy"])
SyntheticSizeCurve.__doc__ = """Predicted accuracy over amounts of synthetic data.

best_m : float
    The amount in ``m`` with the highest predicted accuracy (the smallest
    such amount on ties).
m : ndarray of shape (n_amounts,)
    The amounts of synthetic rows tried.
accuracy : ndarray of shape (n_amounts,)
    Predicted test accuracy for each amount.
"""

SimulationResult = namedtuple("SimulationResult", ["accuracy", "theory"])
SimulationResult.__doc__ = """Monte-Carlo accuracies and predictions (:func:`simulate_accuracy`).

accuracy : ndarray of shape (n_trials,)
    Test accuracy of the fitted classifier in each trial.
theory : ndarray of shape (n_trials,)
    The predicted accuracy for each trial: the same number for every trial,
    except with ``case="generator"`` where it is conditional on that trial's
    fitted generator.
"""


class FixedPointError(RuntimeError):
    """The fixed-point equations of the deterministic equivalent did not converge."""


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


# -- spectra: what the equations need of the covariances and means ------------------------------
class _IsotropicSpectrum:
    """Real covariance ``I``; synthetic covariance ``I`` or Marchenko-Pastur; isotropic means.

    ``ratio = p / n_hat`` (0 for an exact generator, ``C = I``) and ``gram``
    the (..., 2, 2) Gram matrix of ``(mu, mu_beta)``. With ``D(l) = gamma +
    c_r + c_s l`` and ``l`` distributed as the Marchenko-Pastur law, the needed
    integrals have closed forms in terms of the Stieltjes transform of the law.
    """

    def __init__(self, ratio, gram):
        self.ratio = ratio
        self.gram = gram

    def sums(self, c_r, c_s, gamma, second_order=True):
        eta = self.ratio
        c0 = gamma + c_r
        c1 = c_s
        b = c0 + c1 - eta * c1
        root = np.sqrt(b * b + 4 * c0 * eta * c1)
        with np.errstate(divide="ignore", invalid="ignore"):
            big = (b + root) / 2
            small = 2 * c0 * eta * c1 / (root - b)
        A = np.where(b >= 0, big, small)  # int 1 / D = 1 / A
        F0 = 1 / A
        F1 = 1 / (A + eta * c1)  # int l / D
        tr1 = np.stack([F0, F1], axis=-1)
        out = {"tr1": tr1, "A": A}
        if not second_order:
            return out
        H0 = (A + eta * c1) / (root * A * A)  # int 1 / D^2
        H1 = 1 / (root * (A + eta * c1))  # int l / D^2
        dA_dc1 = (c0 * eta + (1 - eta) * A) / root
        H2 = (dA_dc1 + eta) / (A + eta * c1) ** 2  # int l^2 / D^2
        tr2 = np.stack([np.stack([H0, H1], -1), np.stack([H1, H2], -1)], -2)
        gram = self.gram
        out["tr2"] = tr2
        out["g1"] = gram * F0[..., None, None]
        out["g2"] = np.stack([gram * H0[..., None, None], gram * H1[..., None, None]], -3)
        return out


class _DiscreteSpectrum:
    """Commuting covariances given by eigenvalues in a shared basis.

    ``r`` and ``l``: (..., p) eigenvalues of the real and synthetic
    covariances; ``q``: (..., p, 2, 2) products of the coordinates of
    ``(mu, mu_beta)`` in that basis (``q[k] = u_k u_k^T``).
    """

    def __init__(self, r, l, q):
        self.r = r
        self.l = l
        self.q = q

    def sums(self, c_r, c_s, gamma, second_order=True):
        r, l = self.r, self.l
        D = gamma[..., None] + c_r[..., None] * r + c_s[..., None] * l
        inv = 1 / D
        tr1 = np.stack([np.mean(r * inv, -1), np.mean(l * inv, -1)], -1)
        out = {"tr1": tr1}
        if not second_order:
            return out
        inv2 = inv * inv
        rr = np.mean(r * r * inv2, -1)
        rl = np.mean(r * l * inv2, -1)
        ll = np.mean(l * l * inv2, -1)
        out["tr2"] = np.stack([np.stack([rr, rl], -1), np.stack([rl, ll], -1)], -2)
        out["g1"] = np.einsum("...k,...kij->...ij", inv, self.q)
        out["g2"] = np.stack(
            [
                np.einsum("...k,...kij->...ij", r * inv2, self.q),
                np.einsum("...k,...kij->...ij", l * inv2, self.q),
            ],
            -3,
        )
        return out


# -- the deterministic equivalent ---------------------------------------------------------------
def _population_moments(delta, weights, probs, agree):
    """``E[beta], E[beta^2], E[beta a], E[beta^2 a]`` with ``beta = w / (1 + w delta)``.

    ``weights``, ``probs`` and ``agree`` (label agreement ``t y`` in {-1, 1})
    describe a discrete law of (row weight, agreement) in their last axis.
    """
    beta = weights / (1 + weights * delta[..., None])
    beta2 = beta * beta
    return (
        np.sum(probs * beta, -1),
        np.sum(probs * beta2, -1),
        np.sum(probs * agree * beta, -1),
        np.sum(probs * agree * beta2, -1),
    )


def _weights_at(delta, model):
    """Population weights ``e``, ``S``, ``P``, ``R`` (..., 2) at ``delta`` (..., 2)."""
    moments = [
        _population_moments(delta[..., 0], *model["real"]),
        _population_moments(delta[..., 1], *model["synthetic"]),
    ]
    fractions = model["fractions"]
    e, S, P, R = (
        np.stack([moments[0][i], moments[1][i]], -1) * fractions for i in range(4)
    )
    return e, S, P, R


def _solve_2x2(M, v):
    """Solve ``M x = v`` for stacks of 2x2 systems (closed form, vectorised)."""
    a, b, c, d = M[..., 0, 0], M[..., 0, 1], M[..., 1, 0], M[..., 1, 1]
    det = a * d - b * c
    x0 = (d * v[..., 0] - b * v[..., 1]) / det
    x1 = (a * v[..., 1] - c * v[..., 0]) / det
    return np.stack([x0, x1], -1), det


def _solve_fixed_point(model, tol, max_iter):
    """Solve ``delta_c = (p / N) mean(c_c / D)`` for the real and synthetic populations.

    Each step takes the Newton step when it is valid (positive, finite, with
    a positive Jacobian determinant) and the plain fixed-point step otherwise;
    the plain iteration converges monotonically from 0 (the map is a standard
    interference function), Newton makes it quadratic near the solution.
    """
    spectrum, gamma, eta = model["spectrum"], model["gamma"], model["eta"]
    delta = np.zeros(gamma.shape + (2,))
    eye = np.eye(2)
    step = np.inf
    for _ in range(max_iter):
        e, S, _, _ = _weights_at(delta, model)
        sums = spectrum.sums(e[..., 0], e[..., 1], gamma)
        plain = eta[..., None] * sums["tr1"]
        residual = delta - plain
        jacobian = eye - eta[..., None, None] * sums["tr2"] * S[..., None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            correction, det = _solve_2x2(jacobian, residual)
            newton = delta - correction
        use_newton = (det > 0) & np.all(np.isfinite(newton) & (newton >= 0), axis=-1)
        new = np.where(use_newton[..., None], newton, plain)
        step = np.max(np.abs(new - delta) / (1 + np.abs(new)), initial=0.0)
        delta = new
        if step <= tol:
            break
    else:
        raise FixedPointError(
            f"the fixed-point equations for (delta_r, delta_s) did not converge in "
            f"max_iter={max_iter} iterations (last relative step {step:.3g} > tol={tol:g}). "
            "Increase max_iter or tol, or use a larger gamma (the ridge parameter)."
        )
    # final check of the equations themselves, not only of the step
    e, _, _, _ = _weights_at(delta, model)
    check = eta[..., None] * spectrum.sums(e[..., 0], e[..., 1], gamma, False)["tr1"]
    error = np.max(np.abs(delta - check) / (1 + np.abs(delta)), initial=0.0)
    if not np.isfinite(error) or error > max(100 * tol, 1e-9):
        raise FixedPointError(
            f"the fixed-point solution does not satisfy its equations (relative error "
            f"{error:.3g}); increase max_iter or use a larger gamma."
        )
    return delta


def _moments_from_model(model, delta):
    """Mean ``m`` and variance ``V = lim w^T C_r w`` of the decision at the fixed point."""
    spectrum, gamma, eta = model["spectrum"], model["gamma"], model["eta"]
    e, S, P, R = _weights_at(delta, model)
    sums = spectrum.sums(e[..., 0], e[..., 1], gamma)
    eye = np.eye(2)
    G1 = sums["g1"]
    # Qbar = (Qbar0^-1 + sum_c e_c mu_c mu_c^T)^-1 in the (mu, mu_beta) coordinates
    L = np.linalg.inv(eye + e[..., :, None] * G1)
    gamma1 = G1 @ L  # W^T Qbar W
    Lt = np.swapaxes(L, -1, -2)
    gamma2 = Lt[..., None, :, :] @ sums["g2"] @ L[..., None, :, :]  # W^T Qbar C_c Qbar W
    T2 = eta[..., None, None] * sums["tr2"]
    # theta_c = tr(C_c E[Q C_r Q]) / N
    theta, _ = _solve_2x2(eye - T2 * S[..., None, :], T2[..., :, 0])
    weights = S * theta
    H = gamma2[..., 0, :, :] + np.einsum(
        "...c,...ic,...cj->...ij", weights, gamma1, gamma1
    ) + np.einsum("...c,...cij->...ij", weights, gamma2)
    mean = np.einsum("...j,...j->...", gamma1[..., 0, :], P)
    quad = np.einsum("...i,...ij,...j->...", P, H, P)
    cross = np.einsum("...i,...ij,...j->...", R * theta, gamma1, P)
    variance = quad - 2 * cross + np.sum(S * theta, -1)
    return mean, np.clip(variance, 0, None), sums


# -- building the model from the public parameters ---------------------------------------------
def _build_model(n, m, p, *, mean_norm, mean, mean_synthetic, covariance,
                 covariance_synthetic, n_hat, mean_error, eps, rho, phi, gamma,
                 synthetic_weight):
    n = _as_array(n, "n", low=0)
    m = _as_array(m, "m", low=0)
    eps, rho, phi = _check_probabilities(eps, rho, phi)
    gamma = _as_array(gamma, "gamma", low=0, low_closed=False)
    weight = _as_array(synthetic_weight, "synthetic_weight", low=0)
    general = mean is not None or covariance_synthetic is not None
    if general:
        if mean is None:
            raise ValueError(
                "the general case needs mean (the real class mean mu, a vector of length "
                "p); give it together with covariance_synthetic."
            )
        if mean_norm is not None or n_hat is not None:
            raise ValueError(
                "give either mean_norm (with n_hat for the toy case) or the vectors "
                "mean / mean_synthetic / covariance_synthetic (general case), not both."
            )
        spectrum, p_vec = _general_spectrum(mean, mean_synthetic, covariance,
                                            covariance_synthetic)
        if p is not None and np.any(_as_array(p, "p", low=0, low_closed=False) != p_vec):
            raise ValueError(
                f"p={p!r} does not match the length {p_vec} of mean; leave p as None "
                "in the general case."
            )
        p = np.asarray(float(p_vec))
        ratio = None
    else:
        if mean_synthetic is not None or covariance is not None:
            raise ValueError(
                "mean_synthetic and covariance belong to the general case: give mean and "
                "covariance_synthetic too, or use mean_norm alone."
            )
        if mean_norm is None:
            raise ValueError(
                "give mean_norm (the norm ||mu|| of the class mean) for the synthetic-only "
                "and toy cases, or mean and covariance_synthetic for the general case."
            )
        if p is None:
            raise ValueError("p (the dimension) is required unless mean is given.")
        p = _as_array(p, "p", low=0, low_closed=False)
        mean_norm = _as_array(mean_norm, "mean_norm", low=0)
        mean_error = _as_array(mean_error, "mean_error", low=0)
        if n_hat is None:
            ratio = np.zeros(())
        else:
            n_hat = _as_array(n_hat, "n_hat", low=0, low_closed=False)
            ratio = p / n_hat
        spectrum = None
    total = n + m
    if np.any(total <= 0):
        raise ValueError("n + m must be > 0: the classifier needs at least one row.")
    arrays = [n, m, p, eps, rho, phi, gamma, weight]
    if not general:
        arrays += [mean_norm, mean_error, ratio]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    n, m, p, eps, rho, phi, gamma, weight = (np.broadcast_to(a, shape) for a in arrays[:8])
    N = n + m
    if not general:
        norm2 = np.broadcast_to(mean_norm, shape) ** 2
        error = np.broadcast_to(mean_error, shape)
        gram = np.stack(
            [np.stack([norm2, norm2], -1), np.stack([norm2, norm2 + error], -1)], -2
        )
        spectrum = _IsotropicSpectrum(np.broadcast_to(ratio, shape), gram)
    ones = np.ones(shape + (1,))
    real = (ones, ones, ones)
    synthetic = (
        np.stack([weight, weight], -1),
        np.stack([phi * (1 - eps), rho * eps], -1),
        np.broadcast_to(np.array([1.0, -1.0]), shape + (2,)),
    )
    return {
        "spectrum": spectrum,
        "gamma": np.asarray(gamma, dtype=np.float64),
        "eta": p / N,
        "fractions": np.stack([n / N, m / N], -1),
        "real": real,
        "synthetic": synthetic,
        "ratio": None if general else spectrum.ratio,
        "shape": shape,
    }


def _general_spectrum(mean, mean_synthetic, covariance, covariance_synthetic):
    mean = _as_array(mean, "mean")
    if mean.ndim != 1 or mean.shape[0] < 1:
        raise ValueError(f"mean must be a 1-d vector, got shape {mean.shape}.")
    p = mean.shape[0]
    mean_synthetic = mean if mean_synthetic is None else _as_array(mean_synthetic,
                                                                   "mean_synthetic")
    if mean_synthetic.shape != (p,):
        raise ValueError(
            f"mean_synthetic must have shape ({p},) like mean, got {mean_synthetic.shape}."
        )
    if covariance_synthetic is None:
        raise ValueError(
            "the general case needs covariance_synthetic (the generator's covariance C, "
            f"a ({p}, {p}) matrix); pass np.eye(p) for an exact generator."
        )
    C_s = _check_covariance(covariance_synthetic, "covariance_synthetic", p)
    if covariance is None:
        l, U = np.linalg.eigh(C_s)
        r = np.ones(p)
    else:
        C_r = _check_covariance(covariance, "covariance", p)
        # a generic combination has the shared eigenvectors of commuting matrices
        _, U = np.linalg.eigh(C_r + 0.7548776662466927 * C_s)
        r_mat, l_mat = U.T @ C_r @ U, U.T @ C_s @ U
        scale = max(np.abs(C_r).max(), np.abs(C_s).max(), 1e-300)
        off = max(np.abs(r_mat - np.diag(np.diag(r_mat))).max(),
                  np.abs(l_mat - np.diag(np.diag(l_mat))).max())
        if off > 1e-8 * scale:
            raise ValueError(
                "covariance and covariance_synthetic must commute (share eigenvectors) "
                "for this theory; leave covariance as None (the identity, as in the paper) "
                "or pass matrices that are diagonal in a common basis."
            )
        r, l = np.diag(r_mat), np.diag(l_mat)
    u = np.stack([U.T @ mean, U.T @ mean_synthetic], -1)
    q = u[:, :, None] * u[:, None, :]
    return _DiscreteSpectrum(np.clip(r, 0, None), np.clip(l, 0, None), q), p


def _check_covariance(C, name, p):
    C = _as_array(C, name)
    if C.shape != (p, p):
        raise ValueError(f"{name} must be a ({p}, {p}) matrix, got shape {C.shape}.")
    if not np.allclose(C, C.T, rtol=1e-8, atol=1e-12 * max(np.abs(C).max(), 1e-300)):
        raise ValueError(f"{name} must be symmetric.")
    C = (C + C.T) / 2
    if np.linalg.eigvalsh(C)[0] < -1e-10 * max(np.abs(C).max(), 1e-300):
        raise ValueError(f"{name} must be positive semi-definite.")
    return C


_CASES_DOC = """n : float or array-like
        Number of real training rows (>= 0).
    m : float or array-like
        Number of synthetic rows before verification (>= 0); ``n + m > 0``.
    p : float or array-like, default=None
        Dimension (> 0). Required unless ``mean`` is given.
    mean_norm : float or array-like, default=None
        ``||mu||`` (synthetic-only and toy cases).
    mean : array-like of shape (p,), default=None
        The real class mean ``mu`` (general case).
    mean_synthetic : array-like of shape (p,), default=None
        The synthetic class mean ``mu_beta`` (general case; default ``mean``).
    covariance : array-like of shape (p, p), default=None
        Noise covariance of the real rows (general case; default the identity,
        as in the paper). Must commute with ``covariance_synthetic``.
    covariance_synthetic : array-like of shape (p, p), default=None
        Noise covariance ``C`` of the synthetic rows (general case). A common
        offset ``c`` of both synthetic classes (``x = y mu_beta + c + z``) is
        accounted for by passing ``C + c c^T``.
    n_hat : float or array-like, default=None
        Toy case: the generator's covariance is ``Z Z^T / n_hat``, estimated
        from ``n_hat`` rows (Marchenko-Pastur). None: exact generator
        (``C = I``).
    mean_error : float or array-like, default=0.0
        Isotropic cases: ``||mu_beta - mu||^2`` for a synthetic mean off by a
        random direction independent of the data (e.g. ``p / n_hat`` when
        ``mu_beta`` is estimated from ``n_hat`` balanced rows). The paper's
        toy case is ``0``.
    eps : float or array-like, default=0.0
        Label-noise rate of the synthetic rows.
    rho : float or array-like, default=0.0
        Verifier's probability of keeping a wrongly labelled row.
    phi : float or array-like, default=1.0
        Verifier's probability of keeping a correctly labelled row.
    gamma : float or array-like, default=1.0
        Ridge parameter (> 0), on the loss averaged over ``N = n + m`` rows.
    synthetic_weight : float or array-like, default=1.0
        Weight of each kept synthetic row in the loss (the paper: 1).
    tol : float, default=1e-12
        Relative tolerance of the fixed-point solver.
    max_iter : int, default=1000
        Iterations of the fixed-point solver before
        :class:`FixedPointError` is raised."""


def _check_solver(tol, max_iter):
    if not isinstance(tol, Real) or isinstance(tol, bool) or not 0 < tol < 1:
        raise ValueError(f"tol must be a float in (0, 1), got {tol!r}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive int, got {max_iter!r}.")


def fixed_points(n, m, p=None, *, mean_norm=None, mean=None, mean_synthetic=None,
                 covariance=None, covariance_synthetic=None, n_hat=None, mean_error=0.0,
                 eps=0.0, rho=0.0, phi=1.0, gamma=1.0, synthetic_weight=1.0, tol=1e-12,
                 max_iter=1000):
    """Fixed points ``(delta_r, delta_s, delta_g)`` of the deterministic equivalent.

    With ``pi = n / N``, ``eta = p / N`` and ``alpha`` the kept fraction, the
    resolvent ``Q = (X D X^T / N + gamma I)^-1`` behaves like ``Qbar0 =
    (gamma I + pi / (1 + delta_r) I + (1 - pi) alpha s / (1 + s delta_s) C)^-1``
    (``s`` the synthetic weight), where ``delta_r = tr(Qbar0) / N`` and
    ``delta_s = tr(C Qbar0) / N``. In the toy case ``C = Z Z^T / n_hat``
    follows the Marchenko-Pastur law and ``delta_g`` is the extra term of its
    deterministic equivalent, ``E[(c0 I + c1 C)^-1] = (c0 + c1 / (1 +
    delta_g))^-1 I``.

    Parameters
    ----------
    {cases}

    Returns
    -------
    fixed_points : FixedPoints
        Named tuple ``(delta_r, delta_s, delta_g)`` of floats or arrays of the
        broadcast shape of the scalar inputs.

    Raises
    ------
    FixedPointError
        If the solver does not converge in ``max_iter`` iterations.

    See Also
    --------
    decision_moments : The mean and second moment built on these.

    Notes
    -----
    The solver combines the plain iteration (monotone from 0) with Newton
    steps; its Jacobian is the matrix of the second-order system, whose
    determinant is the paper's ``h``. The authors' code writes ``delta_s`` with
    an extra factor ``alpha``; see the module notes.

    Examples
    --------
    >>> from sksynth.theory.rmt import fixed_points
    >>> d = fixed_points(1000, 2000, [100, 1000, 4000], n_hat=1000, eps=0.2, rho=0.2,
    ...                  phi=0.9)
    >>> d.delta_r.round(3)
    array([0.018, 0.206, 0.999])
    >>> d.delta_g.round(3)
    array([0.027, 0.269, 1.015])
    """
    _check_solver(tol, max_iter)
    general = mean is not None or covariance_synthetic is not None
    if general and mean is None:  # the fixed points do not depend on the means
        mean = np.zeros(np.shape(covariance_synthetic)[:1])
    if not general and mean_norm is None:
        mean_norm = 0.0
    model = _build_model(n, m, p, mean_norm=mean_norm, mean=mean,
                         mean_synthetic=mean_synthetic, covariance=covariance,
                         covariance_synthetic=covariance_synthetic, n_hat=n_hat,
                         mean_error=mean_error, eps=eps, rho=rho, phi=phi, gamma=gamma,
                         synthetic_weight=synthetic_weight)
    delta = _solve_fixed_point(model, tol, max_iter)
    if model["ratio"] is None:
        delta_g = np.full(model["shape"], np.nan)
    else:
        e, _, _, _ = _weights_at(delta, model)
        A = model["spectrum"].sums(e[..., 0], e[..., 1], model["gamma"], False)["A"]
        delta_g = model["ratio"] * e[..., 1] / A
    return FixedPoints(_scalar_or_array(delta[..., 0]), _scalar_or_array(delta[..., 1]),
                       _scalar_or_array(delta_g))


fixed_points.__doc__ = fixed_points.__doc__.format(cases=_CASES_DOC)


def _moments(n, m, p, tol, max_iter, **params):
    _check_solver(tol, max_iter)
    model = _build_model(n, m, p, **params)
    delta = _solve_fixed_point(model, tol, max_iter)
    mean, variance, _ = _moments_from_model(model, delta)
    return mean, variance


def _accuracy(mean, variance):
    with np.errstate(divide="ignore", invalid="ignore"):
        z = mean / np.sqrt(variance)
        # no variance: the decision is deterministic; no signal either: a coin flip
        z = np.where(variance <= 0, np.where(mean == 0, 0.0, np.sign(mean) * np.inf), z)
    return ndtr(z)


def decision_moments(n, m, p=None, *, mean_norm=None, mean=None, mean_synthetic=None,
                     covariance=None, covariance_synthetic=None, n_hat=None, mean_error=0.0,
                     eps=0.0, rho=0.0, phi=1.0, gamma=1.0, synthetic_weight=1.0, tol=1e-12,
                     max_iter=1000):
    """Mean ``m`` and second moment ``nu`` of the decision ``w^T x`` on a real test row.

    Parameters
    ----------
    {cases}

    Returns
    -------
    moments : DecisionMoments
        Named tuple ``(m, nu)`` with ``m = E[y w^T x]`` and ``nu = E[(w^T
        x)^2]``, floats or arrays of the broadcast shape of the scalar inputs.

    Raises
    ------
    FixedPointError
        If the fixed-point solver does not converge.

    See Also
    --------
    test_accuracy : ``Phi(m / sqrt(nu - m^2))``.
    test_risk : ``nu + 1 - 2 m``.
    fixed_points : The fixed points these are built on.

    Notes
    -----
    Write ``beta_i = d_i / (1 + d_i delta_i)`` for a row of loss weight
    ``d_i`` (1 for a real row, ``s q_i`` for a synthetic row with keep
    indicator ``q_i``) and label agreement ``a_i = t_i y_i``, and for each
    population (real, synthetic) let ``e = pi_c E[beta]``, ``S = pi_c
    E[beta^2]``, ``P = pi_c E[beta a]``, ``R = pi_c E[beta^2 a]``; for the
    synthetic rows ``E[beta] = s alpha / (1 + s delta_s)`` and ``E[beta a] =
    s lambda / (1 + s delta_s)``. Leave-one-out (Sherman-Morrison) expansions
    give, with ``Qbar^-1 = gamma I + sum_c e_c (mu_c mu_c^T + C_c)``,

    - ``m = sum_c P_c mu^T Qbar mu_c``;
    - ``E[Q A Q] = Qbar A Qbar + sum_c S_c theta_c Qbar (mu_c mu_c^T + C_c)
      Qbar`` with ``theta_c = tr(C_c E[Q A Q]) / N`` (a 2 x 2 linear system
      whose determinant is the paper's ``h``);
    - ``nu - m^2 = w^T C_r w = P^T H P - 2 (R theta)^T G P + S^T theta`` with
      ``G = [mu_c^T Qbar mu_c']`` and ``H = [mu_c^T E[Q C_r Q] mu_c']``.

    These reduce to the general-case formulas of the authors'
    ``rmt_results.py`` when ``alpha = 1``. In the toy case the integrals over
    the Marchenko-Pastur law have closed forms; the result equals the
    general formula averaged over that law (checked against a fine quantile
    grid), whereas the authors' own toy-case expression for ``nu`` (as
    transcribed) differs from that average by about 0.3% even at
    ``alpha = 1``. All quadratic forms are evaluated through a rank-2
    Woodbury update in the eigenbasis of ``C`` (general case) or by closed
    forms of Marchenko-Pastur integrals (toy case), so the cost is ``O(p)``
    per parameter point after one eigendecomposition.

    Examples
    --------
    >>> from sksynth.theory.rmt import decision_moments
    >>> mom = decision_moments(0, 800, 200, mean_norm=1.5, eps=0.2, rho=0.3, phi=0.8)
    >>> print(round(float(mom.m), 3), round(float(mom.nu), 3))
    0.38 0.24
    """
    mean_, variance = _moments(n, m, p, tol, max_iter, mean_norm=mean_norm, mean=mean,
                               mean_synthetic=mean_synthetic, covariance=covariance,
                               covariance_synthetic=covariance_synthetic, n_hat=n_hat,
                               mean_error=mean_error, eps=eps, rho=rho, phi=phi,
                               gamma=gamma, synthetic_weight=synthetic_weight)
    return DecisionMoments(_scalar_or_array(mean_), _scalar_or_array(mean_**2 + variance))


decision_moments.__doc__ = decision_moments.__doc__.format(cases=_CASES_DOC)


def test_accuracy(n, m, p=None, *, mean_norm=None, mean=None, mean_synthetic=None,
                  covariance=None, covariance_synthetic=None, n_hat=None, mean_error=0.0,
                  eps=0.0, rho=0.0, phi=1.0, gamma=1.0, synthetic_weight=1.0, tol=1e-12,
                  max_iter=1000):
    """High-dimensional test accuracy ``Phi(m / sqrt(nu - m^2))`` of the ridge classifier.

    The accuracy of ``sign(w^T x)`` on real test rows. It is signed: past the
    critical label noise (``lambda < 0``) a classifier trained on synthetic
    rows only is below 0.5. The authors' code reports ``max(acc, 1 - acc)``.

    Parameters
    ----------
    {cases}

    Returns
    -------
    accuracy : float or ndarray
        Predicted test accuracy, in [0, 1].

    Raises
    ------
    FixedPointError
        If the fixed-point solver does not converge.

    See Also
    --------
    decision_moments : ``m`` and ``nu``.
    sksynth.linear_model.RMTRidgeClassifier : The classifier itself.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.theory.rmt import critical_label_noise, test_accuracy
    >>> eps_star = critical_label_noise(rho=0.3, phi=0.8)
    >>> acc = test_accuracy(0, 100_000, 100, mean_norm=1.0, rho=0.3, phi=0.8,
    ...                     eps=[0.2, eps_star, 0.9])
    >>> acc.round(3)
    array([0.841, 0.5  , 0.16 ])
    """
    mean_, variance = _moments(n, m, p, tol, max_iter, mean_norm=mean_norm, mean=mean,
                               mean_synthetic=mean_synthetic, covariance=covariance,
                               covariance_synthetic=covariance_synthetic, n_hat=n_hat,
                               mean_error=mean_error, eps=eps, rho=rho, phi=phi,
                               gamma=gamma, synthetic_weight=synthetic_weight)
    return _scalar_or_array(_accuracy(mean_, variance))


test_accuracy.__doc__ = test_accuracy.__doc__.format(cases=_CASES_DOC)
test_accuracy.__test__ = False  # not a pytest test, whatever its name


def test_risk(n, m, p=None, *, mean_norm=None, mean=None, mean_synthetic=None,
              covariance=None, covariance_synthetic=None, n_hat=None, mean_error=0.0,
              eps=0.0, rho=0.0, phi=1.0, gamma=1.0, synthetic_weight=1.0, tol=1e-12,
              max_iter=1000):
    """High-dimensional test risk ``E[(w^T x - y)^2] = nu + 1 - 2 m`` on real rows.

    Parameters
    ----------
    {cases}

    Returns
    -------
    risk : float or ndarray
        Predicted mean squared error of ``w^T x`` against the label ``y``.
        With a real covariance other than the identity the ``1`` stays the
        label's second moment.

    Raises
    ------
    FixedPointError
        If the fixed-point solver does not converge.

    See Also
    --------
    test_accuracy : The accuracy from the same moments.

    Examples
    --------
    >>> from sksynth.theory.rmt import test_risk
    >>> round(float(test_risk(500, 0, 100, mean_norm=2.0, gamma=0.1)), 3)
    0.238
    """
    mean_, variance = _moments(n, m, p, tol, max_iter, mean_norm=mean_norm, mean=mean,
                               mean_synthetic=mean_synthetic, covariance=covariance,
                               covariance_synthetic=covariance_synthetic, n_hat=n_hat,
                               mean_error=mean_error, eps=eps, rho=rho, phi=phi,
                               gamma=gamma, synthetic_weight=synthetic_weight)
    return _scalar_or_array(mean_**2 + variance + 1 - 2 * mean_)


test_risk.__doc__ = test_risk.__doc__.format(cases=_CASES_DOC)
test_risk.__test__ = False


def best_synthetic_size(n, p=None, m_grid=None, **params):
    """Predicted accuracy as a function of the amount of synthetic data, and the best amount.

    Parameters
    ----------
    n : float
        Number of real training rows.
    p : float, default=None
        Dimension (required unless ``mean`` is among ``params``).
    m_grid : array-like of shape (n_amounts,), default=None
        Numbers of synthetic rows (before verification) to compare. None uses
        ``n`` times ``[0, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50]``.
    **params : dict
        Any other parameter of :func:`test_accuracy` (``mean_norm``,
        ``n_hat``, ``eps``, ``rho``, ``phi``, ``gamma``, ...), as scalars.

    Returns
    -------
    curve : SyntheticSizeCurve
        ``(best_m, m, accuracy)``.

    Examples
    --------
    A generator fitted on ``n_hat = 200`` rows (mean error ``p / n_hat``),
    labels flipped 30% of the time, a verifier with ``rho = 0.2, phi = 0.6``:

    >>> from sksynth.theory.rmt import best_synthetic_size
    >>> curve = best_synthetic_size(200, 100, [0, 200, 1000, 10_000], mean_norm=1.0,
    ...                             n_hat=200, mean_error=0.5, eps=0.3, rho=0.2, phi=0.6)
    >>> curve.accuracy.round(3)
    array([0.781, 0.788, 0.794, 0.79 ])
    >>> curve.best_m
    1000.0
    """
    n_value = _as_array(n, "n", low=0)
    if n_value.ndim != 0:
        raise ValueError("n must be a scalar in best_synthetic_size.")
    if m_grid is None:
        m_grid = float(n_value) * np.array([0, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50])
    m_grid = _as_array(m_grid, "m_grid", low=0)
    if m_grid.ndim != 1 or m_grid.shape[0] == 0:
        raise ValueError("m_grid must be a non-empty 1-d array of amounts.")
    for key, value in params.items():
        if key not in ("mean", "mean_synthetic", "covariance", "covariance_synthetic") and (
            np.ndim(value) != 0
        ):
            raise ValueError(f"{key} must be a scalar in best_synthetic_size.")
    accuracy = np.asarray(test_accuracy(n_value, m_grid, p, **params), dtype=np.float64)
    accuracy = np.broadcast_to(accuracy, m_grid.shape)
    best = m_grid[int(np.argmax(accuracy))]
    return SyntheticSizeCurve(float(best), m_grid, accuracy)


_CASES = ("exact", "toy", "generator")


def simulate_accuracy(n, m, p, *, mean_norm=1.0, case="toy", n_hat=None, eps=0.0, rho=0.0,
                      phi=1.0, gamma=1.0, synthetic_weight=1.0, n_trials=10, n_test=None,
                      random_state=None):
    """Monte-Carlo test accuracy of :class:`~sksynth.linear_model.RMTRidgeClassifier`.

    Each trial draws ``n`` real rows ``x = y mu + z`` (balanced labels,
    :func:`~sksynth.datasets.make_gaussian_mixture`) and ``m`` synthetic rows
    with balanced clean labels, flips each synthetic label with probability
    ``eps``, keeps rows with a :class:`~sksynth.pruning.BernoulliVerifier`
    ``(rho, phi)``, fits the classifier with ``synthetic_mask`` and
    ``keep_mask`` (pruned rows count in ``N``, as in the paper), and measures
    its accuracy on real test rows. The synthetic rows come from

    - ``case="exact"``: the true distribution ``N(+-mu, I)``;
    - ``case="toy"``: ``N(+-mu, Z Z^T / n_hat)`` with a fresh ``Z`` (of shape
      ``(p, n_hat)``) per trial, the paper's toy setting;
    - ``case="generator"``: a
      :class:`~sksynth.generators.GaussianMixtureGenerator` (``"tied"``)
      fitted on ``n_hat`` fresh real rows, its labels flipped by
      :class:`~sksynth.generators.LabelNoise`: estimated means and
      covariance, i.e. the paper's ``(mu_hat, C_hat)`` generator.

    Parameters
    ----------
    n : int
        Real training rows (>= 0).
    m : int
        Synthetic rows before verification (>= 0); ``n + m > 0``.
    p : int
        Dimension (>= 1).
    mean_norm : float, default=1.0
        ``||mu||``; the direction of ``mu`` is drawn once, at random.
    case : {"exact", "toy", "generator"}, default="toy"
        Synthetic distribution, see above.
    n_hat : int, default=None
        Rows behind the generator's estimates (``"toy"`` and
        ``"generator"``; at least 4 for ``"generator"``).
    eps, rho, phi : float, default=0.0, 0.0, 1.0
        Label noise and verifier rates.
    gamma : float, default=1.0
        Ridge parameter (``alpha`` of the classifier).
    synthetic_weight : float, default=1.0
        Weight of the kept synthetic rows.
    n_trials : int, default=10
        Number of independent training sets.
    n_test : int, default=None
        None: the exact accuracy of each fitted ``w`` on the real
        distribution, ``Phi(w^T mu / ||w||)`` (no test-sampling noise); an int:
        the accuracy on ``n_test`` fresh real rows.
    random_state : int, RandomState instance or None, default=None
        Seeds everything.

    Returns
    -------
    result : SimulationResult
        ``(accuracy, theory)``, arrays of shape ``(n_trials,)``; ``theory``
        is :func:`test_accuracy` for the case (conditional on each trial's
        generator for ``"generator"``, with the common offset of its class
        means folded into the covariance).

    Examples
    --------
    >>> from sksynth.theory.rmt import simulate_accuracy
    >>> sim = simulate_accuracy(300, 600, 150, mean_norm=1.2, case="toy", n_hat=300,
    ...                         eps=0.2, rho=0.2, phi=0.9, n_trials=5, random_state=0)
    >>> print(round(float(sim.accuracy.mean()), 2), round(float(sim.theory[0]), 2))
    0.86 0.86
    """
    from ..datasets import make_gaussian_mixture
    from ..generators import GaussianMixtureGenerator, LabelNoise
    from ..linear_model import RMTRidgeClassifier
    from ..pruning import BernoulliVerifier
    from sklearn.utils import check_random_state

    if case not in _CASES:
        raise ValueError(f"case must be one of {_CASES}, got {case!r}.")
    for name, value, low in (("n", n, 0), ("m", m, 0), ("p", p, 1), ("n_trials", n_trials, 1)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
                or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}.")
    if n + m == 0:
        raise ValueError("n + m must be > 0: the classifier needs at least one row.")
    if case == "exact" and n_hat is not None:
        raise ValueError("case='exact' has an exact generator: leave n_hat as None.")
    if case != "exact":
        low = 4 if case == "generator" else 1
        if isinstance(n_hat, (bool, np.bool_)) or not isinstance(n_hat, (int, np.integer)) \
                or n_hat < low:
            raise ValueError(f"case={case!r} needs n_hat, an int >= {low}; got {n_hat!r}.")
    _check_probabilities(eps, rho, phi)
    if n_test is not None and (not isinstance(n_test, (int, np.integer)) or n_test < 1):
        raise ValueError(f"n_test must be None or an int >= 1, got {n_test!r}.")
    rng = check_random_state(random_state)
    _, _, mu = make_gaussian_mixture(0, p, mean_norm=mean_norm, random_state=rng,
                                     return_mean=True)
    common = dict(eps=eps, rho=rho, phi=phi, gamma=gamma, synthetic_weight=synthetic_weight)
    if case != "generator":
        predicted = test_accuracy(n, m, p, mean_norm=mean_norm,
                                  n_hat=None if case == "exact" else n_hat, **common)
    accuracy, theory = np.empty(n_trials), np.empty(n_trials)
    for trial in range(n_trials):
        X_r, y_r = make_gaussian_mixture(n, p, mean=mu, random_state=rng)
        _, y_s = make_gaussian_mixture(m, 1, random_state=rng)  # balanced clean labels
        if case == "generator":
            X_hat, y_hat = make_gaussian_mixture(n_hat, p, mean=mu, random_state=rng)
            noisy = LabelNoise(GaussianMixtureGenerator(covariance_type="tied"), rate=eps,
                               random_state=rng).fit(X_hat, y_hat)
            X_s, y_noisy, flipped = noisy.sample(y=y_s, return_flipped=True) if m else (
                np.empty((0, p)), y_s, np.zeros(0, dtype=bool))
            means = noisy.generator_.means_  # classes_ = [-1, 1]
            offset = (means[0] + means[1]) / 2
            theory[trial] = test_accuracy(
                n, m, mean=mu, mean_synthetic=(means[1] - means[0]) / 2,
                covariance_synthetic=noisy.generator_.covariances_ + np.outer(offset, offset),
                **common)
        else:
            noise = rng.standard_normal((m, p))
            if case == "toy":  # covariance Z Z^T / n_hat, drawn at the cheaper size
                Z = rng.standard_normal((p, n_hat))
                if n_hat < p:
                    noise = rng.standard_normal((m, n_hat)) @ Z.T / np.sqrt(n_hat)
                else:
                    noise = noise @ np.linalg.cholesky(Z @ Z.T / n_hat).T
            X_s = y_s[:, None] * mu + noise
            flipped = rng.random_sample(m) < eps
            y_noisy = np.where(flipped, -y_s, y_s)
            theory[trial] = predicted
        keep = np.ones(m, dtype=bool)
        if m:
            verifier = BernoulliVerifier(rho=rho, phi=phi, random_state=rng).fit(X_s)
            keep = verifier.keep_mask(X_s, correct=~flipped)
        X_all = np.vstack([X_r, X_s])
        y_all = np.concatenate([y_r, y_noisy])
        synthetic = np.arange(n + m) >= n
        clf = RMTRidgeClassifier(alpha=gamma, synthetic_weight=synthetic_weight)
        if np.unique(y_all).shape[0] < 2:  # a degenerate draw: nothing to learn
            accuracy[trial] = 0.5
            continue
        clf.fit(X_all, y_all, synthetic_mask=synthetic,
                keep_mask=np.concatenate([np.ones(n, dtype=bool), keep]))
        w = clf.coef_[0] if clf.classes_[1] == 1 else -clf.coef_[0]
        if n_test is None:
            norm = np.linalg.norm(w)
            accuracy[trial] = 0.5 if norm == 0 else ndtr(w @ mu / norm)
        else:
            X_t, y_t = make_gaussian_mixture(n_test, p, mean=mu, random_state=rng)
            accuracy[trial] = np.mean(np.where(X_t @ w >= 0, 1, -1) == y_t)
    return SimulationResult(accuracy, theory)
