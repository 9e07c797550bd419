"""The deterministic equivalent behind :mod:`sksynth.theory.rmt`.

Spectra (what the equations need of the covariances and class means), the
fixed-point solver for ``(delta_r, delta_s)``, the mean and variance of the
decision ``w^T x`` at the fixed point, and the models built from the public
parameters (the paper's three cases, or a spectrum given in an eigenbasis).
A *model* is a dict with keys ``spectrum``, ``gamma``, ``eta`` (``p / N``),
``fractions`` (``(n / N, m / N)`` in the last axis) and ``real`` /
``synthetic``: each a discrete law of (row weight, probability, label
agreement) in its last axis.
"""

import numpy as np
from scipy.special import ndtr

from ._rmt_formulas import _as_array, _check_probabilities

class FixedPointError(RuntimeError):
    """The fixed-point equations of the deterministic equivalent did not converge."""


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


class _NoisyMeanSpectrum(_DiscreteSpectrum):
    """Discrete spectrum whose mean quadratic forms are corrected for estimation noise.

    ``q`` holds the products of the *estimated* means' coordinates. An
    estimated mean ``mu_hat = mu + e`` with ``e ~ N(0, kappa C)`` has
    ``E[mu_hat^T f(C) mu_hat] = mu^T f(C) mu + kappa tr(C f(C))``: the noise
    term is subtracted from every quadratic form the theory uses, and the
    2 x 2 results are projected onto the positive semi-definite cone.
    """

    def __init__(self, r, l, q, noise):
        super().__init__(r, l, q)
        self.noise = noise  # (kappa_r, kappa_s): noise of mu_r along r, of mu_s along l

    def sums(self, c_r, c_s, gamma, second_order=True):
        out = super().sums(c_r, c_s, gamma, second_order)
        if not second_order:
            return out
        r, l = self.r, self.l
        D = gamma[..., None] + c_r[..., None] * r + c_s[..., None] * l
        kappa_r, kappa_s = self.noise

        def corrected(matrix, factor):
            fixed = matrix.copy()
            fixed[..., 0, 0] -= kappa_r * np.sum(r * factor, -1)
            fixed[..., 1, 1] -= kappa_s * np.sum(l * factor, -1)
            values, vectors = np.linalg.eigh(fixed)
            values = np.clip(values, 0, None)
            return (vectors * values[..., None, :]) @ np.swapaxes(vectors, -1, -2)

        out["g1"] = corrected(out["g1"], 1 / D)
        out["g2"] = np.stack([corrected(out["g2"][..., 0, :, :], r / D**2),
                              corrected(out["g2"][..., 1, :, :], l / D**2)], -3)
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


def _accuracy(mean, variance):
    with np.errstate(divide="ignore", invalid="ignore"):
        z = mean / np.sqrt(variance)
        # no variance: the decision is deterministic; no signal either: a coin flip
        z = np.where(variance <= 0, np.where(mean == 0, 0.0, np.sign(mean) * np.inf), z)
    return ndtr(z)


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


# -- the general case given in an eigenbasis --------------------------------------------------
def _check_spectrum(values, name, p=None, *, low=None):
    arr = _as_array(values, name, low=low)
    if arr.ndim != 1 or arr.shape[0] < 1:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}.")
    if p is not None and arr.shape[0] != p:
        raise ValueError(
            f"{name} must have length {p} like eigenvalues (one entry per eigenvector), got "
            f"{arr.shape[0]}."
        )
    return arr


def _check_row_weights(row_weights, name):
    """``(values, probabilities)`` of a discrete law of row weights; None: every row 1."""
    if row_weights is None:
        return np.ones(1), np.ones(1)
    try:
        values, probs = row_weights
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be None or a pair (values, probabilities), got {row_weights!r}."
        ) from None
    values = _check_spectrum(values, f"{name}[0]", low=0)
    probs = _check_spectrum(probs, f"{name}[1]", values.shape[0], low=0)
    if not np.isclose(probs.sum(), 1.0, rtol=0, atol=1e-8):
        raise ValueError(f"the probabilities {name}[1] must sum to 1, got {probs.sum():.6g}.")
    return values, probs


def _build_spectral_model(n, m, eigenvalues, eigenvalues_synthetic, mean_coordinates,
                          mean_coordinates_synthetic, mean_noise, real_row_weights,
                          synthetic_row_weights, label_agreement, gamma, synthetic_weight):
    """The model of the general case given in an eigenbasis (``spectral_*`` functions)."""
    r = _check_spectrum(eigenvalues, "eigenvalues", low=0)
    p = r.shape[0]
    l = _check_spectrum(eigenvalues_synthetic, "eigenvalues_synthetic", p, low=0)
    u_r = _check_spectrum(mean_coordinates, "mean_coordinates", p)
    u_s = u_r if mean_coordinates_synthetic is None else _check_spectrum(
        mean_coordinates_synthetic, "mean_coordinates_synthetic", p)
    real_values, real_probs = _check_row_weights(real_row_weights, "real_row_weights")
    syn_values, syn_probs = _check_row_weights(synthetic_row_weights, "synthetic_row_weights")
    agreement = _as_array(label_agreement, "label_agreement", low=-1, high=1)
    if agreement.ndim != 0:
        raise ValueError("label_agreement must be a scalar in [-1, 1].")
    n = _as_array(n, "n", low=0)
    m = _as_array(m, "m", low=0)
    gamma = _as_array(gamma, "gamma", low=0, low_closed=False)
    weight = _as_array(synthetic_weight, "synthetic_weight", low=0)
    shape = np.broadcast_shapes(n.shape, m.shape, gamma.shape, weight.shape)
    n, m, gamma, weight = (np.broadcast_to(a, shape) for a in (n, m, gamma, weight))
    N = n + m
    if np.any(N <= 0):
        raise ValueError("n + m must be > 0: the classifier needs at least one row.")
    u = np.stack([u_r, u_s], -1)
    q = u[:, :, None] * u[:, None, :]
    if mean_noise is None:
        spectrum = _DiscreteSpectrum(r, l, q)
    else:
        kappa = _as_array(mean_noise, "mean_noise", low=0)
        if kappa.shape != (2,):
            raise ValueError(
                f"mean_noise must be None or a pair (kappa_r, kappa_s), got {mean_noise!r}."
            )
        spectrum = _NoisyMeanSpectrum(r, l, q, (kappa[0], kappa[1]))
    agreement = float(agreement)
    # each synthetic weight carries the label agreement: +1 with probability (1 + a) / 2
    syn_atoms = (np.concatenate([syn_values, syn_values]),
                 np.concatenate([syn_probs * (1 + agreement) / 2,
                                 syn_probs * (1 - agreement) / 2]),
                 np.concatenate([np.ones_like(syn_values), -np.ones_like(syn_values)]))

    def atoms(values, probs, agree):
        return tuple(np.broadcast_to(a, shape + a.shape) for a in (values, probs, agree))

    syn_w, syn_p, syn_a = atoms(*syn_atoms)
    model = {
        "spectrum": spectrum,
        "gamma": np.asarray(gamma, dtype=np.float64),
        "eta": p / N,
        "fractions": np.stack([n / N, m / N], -1),
        "real": atoms(real_values, real_probs, np.ones_like(real_values)),
        "synthetic": (syn_w * weight[..., None], syn_p, syn_a),
    }
    return model
