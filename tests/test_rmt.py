"""Tests of the random-matrix theory of synthetic data and of ``RMTRidgeClassifier``.

El Firdoussi et al. (2024), "Maximizing the potential of synthetic data:
insights from random matrix theory", arXiv:2410.08942.

Three kinds of evidence:

- exact identities: the vectorised formulas against a dense reference
  implementation, against the authors' formulas where both must agree
  (``alpha = 1``), against the general formula integrated over the
  Marchenko-Pastur law (toy case), and invariances the true answer must have;
- Monte-Carlo: the predicted accuracy against the accuracy of
  ``RMTRidgeClassifier`` fitted on simulated data, with a tolerance of three
  standard errors of the Monte-Carlo mean plus ``1 / p`` for the finite-size
  bias of the deterministic equivalent (reduced grid here, the full grid is
  marked slow);
- the classifier itself: its solution, weights, masks and "auto" choices.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.special import ndtr
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from sksynth.augmentation import AugmentedClassifier
from sksynth.datasets import make_gaussian_mixture
from sksynth.generators import GaussianMixtureGenerator
from sksynth.linear_model import RMTRidgeClassifier
from sksynth.studies import simulate_accuracy
from sksynth.theory import _rmt_equivalent, rmt


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """Small dense problems: one BLAS thread avoids oversubscribing shared cores."""
    with threadpool_limits(limits=1):
        yield


# -- reference implementations ------------------------------------------------------------------
def _dense_reference(n, m, mu, mu_b, C, eps, rho, phi, gamma, s=1.0):
    """The formulas of ``decision_moments`` with dense p x p matrices (no Woodbury)."""
    p = mu.shape[0]
    N = n + m
    pi = n / N
    alpha = phi * (1 - eps) + rho * eps
    lam = phi * (1 - eps) - rho * eps
    eye = np.eye(p)
    dr = ds = 0.0
    for _ in range(100_000):
        er, es = pi / (1 + dr), (1 - pi) * alpha * s / (1 + s * ds)
        Q0 = np.linalg.inv((gamma + er) * eye + es * C)
        new = np.trace(Q0) / N, np.trace(C @ Q0) / N
        if abs(new[0] - dr) + abs(new[1] - ds) < 1e-14:
            dr, ds = new
            break
        dr, ds = new
    er, es = pi / (1 + dr), (1 - pi) * alpha * s / (1 + s * ds)
    Q0 = np.linalg.inv((gamma + er) * eye + es * C)
    Qb = np.linalg.inv(np.linalg.inv(Q0) + er * np.outer(mu, mu) + es * np.outer(mu_b, mu_b))
    P = np.array([pi / (1 + dr), (1 - pi) * s * lam / (1 + s * ds)])
    R = np.array([pi / (1 + dr) ** 2, (1 - pi) * s * s * lam / (1 + s * ds) ** 2])
    S = np.array([pi / (1 + dr) ** 2, (1 - pi) * s * s * alpha / (1 + s * ds) ** 2])
    covs = [eye, C]
    W = np.column_stack([mu, mu_b])
    T2 = np.array([[np.trace(a @ Q0 @ b @ Q0) / N for b in covs] for a in covs])
    theta = np.linalg.solve(np.eye(2) - T2 * S[None, :], T2[:, 0])
    G = W.T @ Qb @ W
    H = W.T @ Qb @ Qb @ W + sum(
        S[c] * theta[c] * (W.T @ Qb @ (np.outer(W[:, c], W[:, c]) + covs[c]) @ Qb @ W)
        for c in range(2)
    )
    V = P @ H @ P - 2 * (R * theta) @ G @ P + S @ theta
    mean = (G @ P)[0]
    return mean, mean**2 + V


def _authors_general(n, m, mu, mu_b, C, eps, rho, phi, gamma):
    """The general-case formulas of the authors' ``rmt_results.py`` (as transcribed)."""
    p = mu.shape[0]
    N = n + m
    pi = n / N
    alpha = phi * (1 - eps) + rho * eps
    lam = phi * (1 - eps) - rho * eps
    ev = np.linalg.eigvalsh(C)
    d = ds = 0.0
    for _ in range(100_000):
        arr = gamma + pi / (1 + d) + alpha * (1 - pi) * ev / (1 + ds)
        nd, nds = np.sum(1 / arr) / N, alpha * np.sum(ev / arr) / N
        if abs(nd - d) + abs(nds - ds) < 1e-14:
            d, ds = nd, nds
            break
        d, ds = nd, nds
    eye = np.eye(p)
    Qb = np.linalg.inv(pi * (np.outer(mu, mu) + eye) / (1 + d)
                       + alpha * (1 - pi) * (np.outer(mu_b, mu_b) + C) / (1 + ds) + gamma * eye)
    mean = pi * mu @ Qb @ mu / (1 + d) + lam * (1 - pi) * mu_b @ Qb @ mu / (1 + ds)
    arr = gamma + pi / (1 + d) + alpha * (1 - pi) * ev / (1 + ds)
    t1, t2, t3 = np.sum(1 / arr**2) / N, np.sum((ev / arr) ** 2) / N, np.sum(ev / arr**2) / N
    a1, a2 = pi * t1 / (1 + d) ** 2, pi * t3 / (1 + d) ** 2
    b1, b2 = alpha * (1 - pi) * t3 / (1 + ds) ** 2, alpha * (1 - pi) * t2 / (1 + ds) ** 2
    h = (1 - b2) * (1 - a1) - a2 * b1
    T1, T2 = (a1 * (1 - b2) + a2 * b1) / h, b1 / (alpha * h)
    E = ((1 - b2) * Qb @ (np.outer(mu, mu) + eye) @ Qb
         + b1 * Qb @ (np.outer(mu_b, mu_b) + C) @ Qb) / h
    s1 = ((pi / (1 + d)) ** 2 * mu @ E @ mu + (lam * (1 - pi) / (1 + ds)) ** 2 * mu_b @ E @ mu_b
          + 2 * lam * pi * (1 - pi) * mu @ E @ mu_b / ((1 + d) * (1 + ds)))
    s2 = T1 * (1 - 2 * pi * mu @ Qb @ mu / (1 + d) - 2 * lam * (1 - pi) * mu @ Qb @ mu_b / (1 + ds))
    s3 = T2 * (alpha - 2 * (1 - pi) * lam**2 * mu_b @ Qb @ mu_b / (1 + ds)
               - 2 * lam * pi * mu @ Qb @ mu_b / (1 + d))
    return mean, s1 + s2 + s3


def _authors_synthetic_only(m, p, mean_norm, eps, rho, phi, gamma):
    """Closed form of the authors' synthetic-only case (``*_synth``)."""
    eta = p / m
    alpha = phi * (1 - eps) + rho * eps
    lam = phi * (1 - eps) - rho * eps
    delta = (eta * alpha - alpha - gamma + np.sqrt((alpha + gamma - eta * alpha) ** 2
                                                   + 4 * eta * alpha * gamma)) / (2 * gamma)
    mu2 = mean_norm**2
    D = alpha * mu2 + alpha + gamma * (1 + delta)
    h = 1 - alpha * eta / (alpha + gamma * (1 + delta)) ** 2
    nu = (lam * mean_norm) ** 2 / (h * D) * ((mu2 + 1) / D - 2 * (1 - h) / alpha) + (1 - h) / h
    return delta, lam * mu2 / D, nu


def _random_case(seed, p=40):
    rng = np.random.default_rng(seed)
    mu = rng.normal(size=p)
    mu *= 1.3 / np.linalg.norm(mu)
    mu_b = mu + rng.normal(size=p) / 6
    Z = rng.normal(size=(p, 2 * p))
    return mu, mu_b, Z @ Z.T / (2 * p)


# -- verifier quantities --------------------------------------------------------------------------
def test_kept_fraction_and_label_signal_are_the_paper_formulas():
    eps = np.array([0.0, 0.2, 0.5, 1.0])
    np.testing.assert_allclose(rmt.kept_fraction(eps, 0.2, 0.9), 0.9 * (1 - eps) + 0.2 * eps)
    np.testing.assert_allclose(rmt.label_signal(eps, 0.2, 0.9), 0.9 * (1 - eps) - 0.2 * eps)
    assert rmt.label_signal(0.3, 0.0, 1.0) == pytest.approx(0.7)


@settings(max_examples=50, deadline=None)
@given(rho=st.floats(0, 1), phi=st.floats(0, 1))
def test_lambda_vanishes_at_the_critical_noise(rho, phi):
    if rho + phi == 0:
        with pytest.raises(ValueError, match="both be 0"):
            rmt.critical_label_noise(rho, phi)
        return
    eps_star = rmt.critical_label_noise(rho, phi)
    assert 0 <= eps_star <= 1
    assert rmt.label_signal(eps_star, rho, phi) == pytest.approx(0, abs=1e-12)
    if phi > 0:
        assert eps_star == pytest.approx(1 / (1 + rho / phi))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(eps=1.5, rho=0, phi=1), "eps must be <= 1"),
        (dict(eps=0.1, rho=-0.1, phi=1), "rho must be >= 0"),
        (dict(eps=0.1, rho=0, phi="a"), "phi must be a number"),
        (dict(eps=np.nan, rho=0, phi=1), "finite"),
    ],
)
def test_probabilities_are_validated(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        rmt.kept_fraction(**kwargs)


# -- Marchenko-Pastur -----------------------------------------------------------------------------
@pytest.mark.parametrize("ratio", [0.1, 0.5, 1.0, 2.5])
def test_marchenko_pastur_density_mass_and_mean(ratio):
    a, b = rmt.marchenko_pastur_support(ratio)
    mass = integrate.quad(lambda x: rmt.marchenko_pastur_pdf(x, ratio), a, b, limit=200)[0]
    mean = integrate.quad(lambda x: x * rmt.marchenko_pastur_pdf(x, ratio), a, b, limit=200)[0]
    assert mass == pytest.approx(min(1.0, 1 / ratio), abs=1e-6)  # the rest is the atom at 0
    assert mean == pytest.approx(1.0, abs=1e-6)  # E[lambda] = tr(C_hat) / p = 1


def test_marchenko_pastur_matches_sample_eigenvalues(rng):
    p, n = 400, 1600
    Z = rng.standard_normal((p, n))
    eig = np.linalg.eigvalsh(Z @ Z.T / n)
    a, b = rmt.marchenko_pastur_support(p / n)
    grid = np.linspace(a, b, 5)[1:-1]
    expected = [integrate.quad(lambda x: rmt.marchenko_pastur_pdf(x, p / n), a, g)[0]
                for g in grid]
    # empirical CDF within a few 1/p of the law (eigenvalue rigidity)
    np.testing.assert_allclose([np.mean(eig <= g) for g in grid], expected, atol=0.02)


def test_marchenko_pastur_input_errors():
    with pytest.raises(ValueError, match="ratio must be > 0"):
        rmt.marchenko_pastur_pdf(1.0, 0.0)
    with pytest.raises(ValueError, match="variance must be > 0"):
        rmt.marchenko_pastur_support(1.0, variance=-1)


@settings(max_examples=15, deadline=None)
@given(ratio=st.floats(0.05, 4.0), c0=st.floats(0.01, 5.0), c1=st.floats(0.0, 5.0))
def test_marchenko_pastur_integrals_in_closed_form(ratio, c0, c1):
    """The closed forms of the toy case against quadrature of the law (+ its atom)."""
    # near ratio = 1 the density has a 1/sqrt(x) singularity at 0 that quad resolves
    # only to ~1e-5: the reference, not the closed form, is then inaccurate
    assume(abs(ratio - 1.0) > 0.02)
    spectrum = _rmt_equivalent._IsotropicSpectrum(np.asarray(ratio), np.ones((2, 2)))
    sums = spectrum.sums(np.asarray(0.0), np.asarray(c1), np.asarray(c0))
    a, b = rmt.marchenko_pastur_support(ratio)
    atom = max(0.0, 1 - 1 / ratio)

    def integral(f):
        body = integrate.quad(lambda x: f(x) * rmt.marchenko_pastur_pdf(x, ratio), a, b,
                              limit=200, epsabs=1e-12)[0]
        return body + atom * f(0.0)

    D = lambda x: c0 + c1 * x  # noqa: E731
    expected = [integral(lambda x: 1 / D(x)), integral(lambda x: x / D(x)),
                integral(lambda x: 1 / D(x) ** 2), integral(lambda x: x / D(x) ** 2),
                integral(lambda x: x * x / D(x) ** 2)]
    got = [sums["tr1"][0], sums["tr1"][1], sums["tr2"][0, 0], sums["tr2"][0, 1],
           sums["tr2"][1, 1]]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


# -- exact identities -----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(
    "n, m, eps, rho, phi, gamma, s",
    [(300, 800, 0.2, 0.1, 0.4, 0.1, 1.0), (0, 600, 0.3, 0.2, 0.9, 0.5, 2.0),
     (500, 100, 0.6, 0.3, 0.8, 0.05, 0.3), (200, 0, 0.0, 0.0, 1.0, 1.0, 1.0)],
)
def test_general_case_matches_dense_reference(seed, n, m, eps, rho, phi, gamma, s):
    mu, mu_b, C = _random_case(seed)
    got = rmt.decision_moments(n, m, mean=mu, mean_synthetic=mu_b, covariance_synthetic=C,
                               eps=eps, rho=rho, phi=phi, gamma=gamma, synthetic_weight=s)
    np.testing.assert_allclose(got, _dense_reference(n, m, mu, mu_b, C, eps, rho, phi, gamma,
                                                     s), rtol=1e-8)


@pytest.mark.parametrize("seed", [0, 3])
def test_equals_the_authors_formulas_when_every_row_is_kept(seed):
    """With alpha = 1 (phi = rho = 1) the paper's general formulas and ours coincide."""
    mu, mu_b, C = _random_case(seed)
    for eps, n in [(0.1, 300), (0.4, 50), (0.7, 0)]:
        got = rmt.decision_moments(n, 500, mean=mu, mean_synthetic=mu_b, covariance_synthetic=C,
                                   eps=eps, rho=1.0, phi=1.0, gamma=0.3)
        np.testing.assert_allclose(got, _authors_general(n, 500, mu, mu_b, C, eps, 1, 1, 0.3),
                                   rtol=1e-8)
    for m, p, norm, eps, gamma in [(800, 200, 1.5, 0.2, 1.0), (300, 600, 1.0, 0.4, 0.2)]:
        delta, mean, nu = _authors_synthetic_only(m, p, norm, eps, 1.0, 1.0, gamma)
        got = rmt.decision_moments(0, m, p, mean_norm=norm, eps=eps, rho=1, phi=1, gamma=gamma)
        np.testing.assert_allclose(got, (mean, nu), rtol=1e-9)
        fp = rmt.fixed_points(0, m, p, eps=eps, rho=1, phi=1, gamma=gamma)
        assert fp.delta_s == pytest.approx(delta, rel=1e-9)


def test_differs_from_the_authors_formula_when_the_verifier_drops_rows():
    """alpha < 1: the authors' delta_s = alpha tr(C Qbar)/N is off (Monte-Carlo decides below)."""
    p = 200
    mu = np.zeros(p)
    mu[0] = 1.5
    ours = rmt.test_accuracy(0, 400, p, mean_norm=1.5, eps=0.1, rho=0.1, phi=0.5, gamma=0.05)
    mean, nu = _authors_general(0, 400, mu, mu, np.eye(p), 0.1, 0.1, 0.5, 0.05)
    theirs = ndtr(mean / np.sqrt(nu - mean**2))
    assert ours - theirs > 0.05


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 2000), m=st.integers(1, 4000), p=st.integers(10, 2000),
    eps=st.floats(0, 1), rho=st.floats(0.01, 1), phi=st.floats(0.01, 1),
    gamma=st.floats(0.01, 5), s=st.floats(0.1, 3), n_hat=st.sampled_from([None, 100, 5000]),
)
def test_pruning_is_the_same_as_training_on_the_kept_rows(n, m, p, eps, rho, phi, gamma, s,
                                                          n_hat):
    """Keeping rows with probability alpha = training on alpha m rows, noise rho eps / alpha.

    The classifier is the same (up to the scale of gamma, since N changes), so
    the true accuracy must be: the formula must be invariant. The authors'
    alpha-weighted delta_s is not.
    """
    alpha = rmt.kept_fraction(eps, rho, phi)
    kept = alpha * m
    common = dict(mean_norm=1.1, n_hat=n_hat, synthetic_weight=s)
    full = rmt.test_accuracy(n, m, p, eps=eps, rho=rho, phi=phi, gamma=gamma, **common)
    reduced = rmt.test_accuracy(n, kept, p, eps=rho * eps / alpha, rho=1.0, phi=1.0,
                                gamma=gamma * (n + m) / (n + kept), **common)
    assert full == pytest.approx(reduced, rel=1e-7, abs=1e-9)


def test_toy_case_is_the_general_case_averaged_over_marchenko_pastur():
    """The toy closed forms = the general formula on a fine quantile grid of the law."""
    n, n_hat, m, p, norm = 600, 400, 800, 200, 1.2
    ratio = p / n_hat
    a, b = rmt.marchenko_pastur_support(ratio)
    x = np.linspace(a, b, 400_001)
    cdf = np.concatenate([[0.0], np.cumsum((rmt.marchenko_pastur_pdf(x[1:], ratio)
                                            + rmt.marchenko_pastur_pdf(x[:-1], ratio)) / 2
                                           * np.diff(x))])
    K = 40_000
    eigenvalues = np.interp((np.arange(K) + 0.5) / K, cdf / cdf[-1], x)
    for eps, rho, phi in [(0.2, 1.0, 1.0), (0.2, 0.2, 0.6)]:
        model = _rmt_equivalent._build_model(
            n, m, p, mean_norm=norm, mean=None, mean_synthetic=None, covariance=None,
            covariance_synthetic=None, n_hat=n_hat, mean_error=0.0, eps=eps, rho=rho, phi=phi,
            gamma=0.5, synthetic_weight=1.0)
        toy = _rmt_equivalent._moments_from_model(model, _rmt_equivalent._solve_fixed_point(model, 1e-13, 100))[:2]
        q = np.full((K, 2, 2), norm**2 / K)  # isotropic mean: equal weight on every direction
        model["spectrum"] = _rmt_equivalent._DiscreteSpectrum(np.ones(K), eigenvalues, q)
        quantiles = _rmt_equivalent._moments_from_model(model, _rmt_equivalent._solve_fixed_point(model, 1e-13, 100))
        np.testing.assert_allclose(toy, quantiles[:2], rtol=2e-5)


def test_exact_generator_is_the_limit_of_the_toy_case():
    common = dict(mean_norm=1.0, eps=0.2, rho=0.2, phi=0.9, gamma=0.7)
    exact = rmt.decision_moments(300, 900, 150, **common)
    toy = rmt.decision_moments(300, 900, 150, n_hat=1e12, **common)
    np.testing.assert_allclose(toy, exact, rtol=1e-8)
    fp = rmt.fixed_points(300, 900, 150, n_hat=[1e12, 300], eps=0.2, rho=0.2, phi=0.9)
    assert fp.delta_g[0] < 1e-9 < fp.delta_g[1]
    assert rmt.fixed_points(300, 900, 150).delta_g == 0


def test_spectral_form_is_the_general_case_in_an_eigenbasis(rng):
    # a real covariance and a synthetic one that commute, a verifier, sample weights as atoms
    p = 40
    Q = np.linalg.qr(rng.normal(size=(p, p)))[0]
    r, l = np.linspace(0.5, 2.0, p), rng.uniform(0.3, 3.0, p)
    mu, mu_s = rng.normal(size=p) / np.sqrt(p), rng.normal(size=p) / np.sqrt(p)
    common = dict(eps=0.3, rho=0.2, phi=0.8, gamma=[0.1, 1.0], synthetic_weight=0.7)
    general = rmt.decision_moments(200, 600, mean=mu, mean_synthetic=mu_s,
                                   covariance=Q @ np.diag(r) @ Q.T,
                                   covariance_synthetic=Q @ np.diag(l) @ Q.T, **common)
    alpha = rmt.kept_fraction(0.3, rho=0.2, phi=0.8)
    spectral = rmt.spectral_decision_moments(
        200, 600, r, l, Q.T @ mu, Q.T @ mu_s, gamma=[0.1, 1.0], synthetic_weight=0.7,
        synthetic_row_weights=([1.0, 0.0], [alpha, 1 - alpha]),
        label_agreement=rmt.label_signal(0.3, rho=0.2, phi=0.8) / alpha)
    np.testing.assert_allclose(spectral, general, rtol=1e-9)
    accuracy = rmt.spectral_test_accuracy(
        200, 600, r, l, Q.T @ mu, Q.T @ mu_s, gamma=[0.1, 1.0], synthetic_weight=0.7,
        synthetic_row_weights=([1.0, 0.0], [alpha, 1 - alpha]),
        label_agreement=rmt.label_signal(0.3, rho=0.2, phi=0.8) / alpha)
    np.testing.assert_allclose(accuracy, rmt.test_accuracy(
        200, 600, mean=mu, mean_synthetic=mu_s, covariance=Q @ np.diag(r) @ Q.T,
        covariance_synthetic=Q @ np.diag(l) @ Q.T, **common), rtol=1e-9)
    # real rows of weight 2 with probability 1: the same as doubling every weight (and gamma)
    doubled = rmt.spectral_decision_moments(200, 0, r, l, Q.T @ mu, gamma=1.0,
                                            real_row_weights=([2.0], [1.0]))
    plain = rmt.spectral_decision_moments(200, 0, r, l, Q.T @ mu, gamma=0.5)
    np.testing.assert_allclose(doubled, plain, rtol=1e-9)
    # estimated means: the noise correction lowers the signal the plug-in sees
    noisy = rmt.spectral_test_accuracy(200, 0, r, l, Q.T @ mu, mean_noise=(0.01, 0.01))
    assert noisy < rmt.spectral_test_accuracy(200, 0, r, l, Q.T @ mu)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"eigenvalues": [[1.0]]}, "eigenvalues must be a non-empty 1-d array"),
        ({"eigenvalues_synthetic": [1.0]}, "eigenvalues_synthetic must have length 3"),
        ({"mean_noise": 0.1}, "mean_noise must be None or a pair"),
        ({"real_row_weights": ([1.0, 0.0], [0.5, 0.4])}, "must sum to 1"),
        ({"synthetic_row_weights": 1.0}, "pair \\(values, probabilities\\)"),
        ({"label_agreement": 1.5}, "label_agreement must be <= 1"),
        ({"m": -1}, "m must be >= 0"),
        ({"gamma": 0.0}, "gamma must be > 0"),
    ],
)
def test_spectral_form_errors(kwargs, match):
    args = dict(n=10, m=10, eigenvalues=np.ones(3), eigenvalues_synthetic=np.ones(3),
                mean_coordinates=np.ones(3))
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        rmt.spectral_test_accuracy(**args)


def test_general_case_with_identity_is_the_exact_case():
    p = 60
    mu = np.full(p, 1.0 / np.sqrt(p))
    common = dict(eps=0.3, rho=0.2, phi=0.7, gamma=0.4)
    general = rmt.decision_moments(100, 300, mean=mu, covariance_synthetic=np.eye(p), **common)
    isotropic = rmt.decision_moments(100, 300, p, mean_norm=1.0, **common)
    np.testing.assert_allclose(general, isotropic, rtol=1e-10)
    # the real covariance, when it commutes, enters through the eigenbasis
    D = np.diag(np.linspace(0.5, 2, p))
    with_cov = rmt.test_accuracy(100, 300, mean=mu, covariance=D, covariance_synthetic=D,
                                 **common)
    assert 0.5 < with_cov < 1


def test_fixed_point_equations_hold_and_the_solver_reports_failure():
    n, m, p = 1000, np.array([2000.0, 5000.0, 10000.0]), np.linspace(10, 10_000, 20)[:, None]
    fp = rmt.fixed_points(n, m, p, n_hat=1000, eps=0.2, rho=0.2, phi=0.9, gamma=1.0)
    assert fp.delta_r.shape == (20, 3)
    # the equations of the toy case (paper form), checked at the solution
    N, pi = n + m, n / (n + m)
    alpha = rmt.kept_fraction(0.2, 0.2, 0.9)
    e_s = (1 - pi) * alpha / (1 + fp.delta_s)
    A = 1.0 + pi / (1 + fp.delta_r) + e_s / (1 + fp.delta_g)
    np.testing.assert_allclose(fp.delta_r, p / N / A, rtol=1e-9)
    np.testing.assert_allclose(fp.delta_s, fp.delta_r / (1 + fp.delta_g), rtol=1e-9)
    np.testing.assert_allclose(fp.delta_g, e_s * p / 1000 / A, rtol=1e-9)
    # synthetic only, exact generator: closed form of our delta_s (s = 1)
    eta, a, g = 2.0, alpha, 0.3
    closed = (eta - a - g + np.sqrt((a + g - eta) ** 2 + 4 * g * eta)) / (2 * g)
    assert rmt.fixed_points(0, 100, 200, eps=0.2, rho=0.2, phi=0.9, gamma=g).delta_s == (
        pytest.approx(closed, rel=1e-10))
    with pytest.raises(rmt.FixedPointError, match="did not converge"):
        rmt.fixed_points(100, 400, 800, gamma=1e-4, max_iter=1)


def test_small_gamma_and_interpolation_threshold_converge():
    # p = N and a tiny ridge: the slowest regime for plain iteration
    acc = rmt.test_accuracy(500, 500, 1000, mean_norm=2.0, gamma=[1e-6, 1e-4, 1e-2], n_hat=500)
    assert np.all((acc > 0.5) & (acc < 1))


def test_sign_flip_at_the_critical_noise():
    rho, phi = 0.3, 0.8
    eps_star = rmt.critical_label_noise(rho, phi)
    eps = np.array([0.2, 0.5, eps_star - 1e-3, eps_star, eps_star + 1e-3, 0.9])
    mom = rmt.decision_moments(0, 2000, 200, mean_norm=1.0, n_hat=1000, eps=eps, rho=rho,
                               phi=phi)
    np.testing.assert_array_equal(np.sign(mom.m), np.sign(rmt.label_signal(eps, rho, phi)))
    acc = rmt.test_accuracy(0, 2000, 200, mean_norm=1.0, n_hat=1000, eps=eps, rho=rho, phi=phi)
    assert acc[3] == pytest.approx(0.5, abs=1e-12)
    assert np.all(np.diff(acc) < 0)  # smooth, monotone: through 0.5 at eps*


def test_transition_sharpens_as_synthetic_data_grows():
    """Fig. 4: the accuracy drop around eps* steepens as p / m -> 0 (Feng et al.'s step)."""
    rho, phi = 0.3, 0.8
    eps_star = rmt.critical_label_noise(rho, phi)
    eps = np.array([eps_star - 0.05, eps_star + 0.05])
    m = np.array([1, 10, 100, 1000])[:, None] * 100.0
    acc = rmt.test_accuracy(0, m, 100, mean_norm=1.0, eps=eps, rho=rho, phi=phi)
    gap = acc[:, 0] - acc[:, 1]
    assert np.all(np.diff(gap) > 0)
    # the step of the infinite-data limit goes from Phi(||mu||) to 1 - Phi(||mu||)
    assert gap[-1] > 0.9 * (2 * ndtr(1.0) - 1)


def test_broadcasting_and_scalar_outputs():
    acc = rmt.test_accuracy([100, 200], [[0], [100], [1000]], 50, mean_norm=1.0)
    assert acc.shape == (3, 2)
    scalar = rmt.test_accuracy(100, 100, 50, mean_norm=1.0)
    assert isinstance(scalar, np.floating)
    risk = rmt.test_risk(100, 100, 50, mean_norm=1.0)
    mom = rmt.decision_moments(100, 100, 50, mean_norm=1.0)
    assert risk == pytest.approx(mom.nu + 1 - 2 * mom.m)


def test_nothing_to_learn_is_a_coin_flip():
    # synthetic only and every row pruned: w = 0
    assert rmt.test_accuracy(0, 500, 100, mean_norm=1.0, rho=0.0, phi=0.0) == 0.5


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n=100, m=100, p=50, mean_norm=1.0, gamma=0.0), ValueError, "gamma must be > 0"),
        (dict(n=-1, m=100, p=50, mean_norm=1.0), ValueError, "n must be >= 0"),
        (dict(n=0, m=0, p=50, mean_norm=1.0), ValueError, "n \\+ m must be > 0"),
        (dict(n=10, m=100, p=0, mean_norm=1.0), ValueError, "p must be > 0"),
        (dict(n=10, m=100, p=10, mean_norm=1.0, n_hat=0), ValueError, "n_hat must be > 0"),
        (dict(n=10, m=100, p=10, mean_norm=1.0, eps=2), ValueError, "eps must be <= 1"),
        (dict(n=10, m=100, p=10), ValueError, "give mean_norm"),
        (dict(n=10, m=100, mean_norm=1.0), ValueError, "p \\(the dimension\\) is required"),
        (dict(n=10, m=100, p=10, mean_norm=1.0, mean=np.ones(10),
              covariance_synthetic=np.eye(10)), ValueError, "not both"),
        (dict(n=10, m=100, mean=np.ones(3), covariance_synthetic=np.eye(4)), ValueError,
         "must be a \\(3, 3\\) matrix"),
        (dict(n=10, m=100, mean=np.ones(2), covariance_synthetic=[[1, 0.5], [0.5, 1]],
              covariance=np.diag([1.0, 2.0])), ValueError, "must commute"),
        (dict(n=10, m=100, mean=np.ones(2), covariance_synthetic=[[1, 2], [2, 1]]), ValueError,
         "positive semi-definite"),
        (dict(n=10, m=100, p=10, mean_norm=1.0, tol=0), ValueError, "tol must be"),
        (dict(n=True, m=100, p=10, mean_norm=1.0), TypeError, "n must be a number"),
    ],
)
def test_input_errors_name_the_parameter(kwargs, error, match):
    with pytest.raises(error, match=match):
        rmt.test_accuracy(**kwargs)


def test_best_synthetic_size_returns_the_argmax():
    curve = rmt.best_synthetic_size(200, 100, [0, 100, 1000, 10_000], mean_norm=1.0, n_hat=200,
                                    eps=0.35, rho=1.0, phi=1.0, mean_error=0.5)
    assert curve.best_m == curve.m[np.argmax(curve.accuracy)]
    expected = rmt.test_accuracy(200, curve.m, 100, mean_norm=1.0, n_hat=200, eps=0.35, rho=1.0,
                                 phi=1.0, mean_error=0.5)
    np.testing.assert_allclose(curve.accuracy, expected)
    default = rmt.best_synthetic_size(100, 50, mean_norm=1.0)
    # clean synthetic rows from the true distribution: more is better
    assert default.m.shape == (10,) and default.best_m == default.m[-1]
    with pytest.raises(ValueError, match="m_grid must be a non-empty"):
        rmt.best_synthetic_size(100, 50, [], mean_norm=1.0)
    with pytest.raises(ValueError, match="eps must be a scalar"):
        rmt.best_synthetic_size(100, 50, [1, 2], mean_norm=1.0, eps=[0.1, 0.2])


# -- Monte-Carlo ----------------------------------------------------------------------------------
def _assert_matches_simulation(sim, p):
    diff = sim.accuracy - sim.theory
    se = diff.std(ddof=1) / np.sqrt(diff.shape[0])
    assert abs(diff.mean()) <= 3 * se + 1 / p, (diff.mean(), se)
    return diff.mean()


# (n, m, p, mean_norm, case, n_hat, eps, rho, phi, gamma)
_REDUCED_GRID = [
    (0, 400, 100, 1.5, "exact", None, 0.2, 0.3, 0.8, 1.0),  # synthetic only
    (0, 400, 100, 1.5, "exact", None, 0.85, 0.3, 0.8, 1.0),  # past eps* = 0.727: below 0.5
    (0, 400, 100, 1.5, "exact", None, 0.1, 0.1, 0.5, 0.05),  # most rows pruned
    (200, 400, 100, 1.2, "toy", 100, 0.2, 0.2, 0.9, 0.5),
    (50, 400, 200, 1.5, "toy", 400, 0.3, 0.2, 0.6, 0.2),  # p / n = 4
    (200, 400, 100, 1.2, "generator", 200, 0.2, 0.2, 0.9, 0.5),
]


@pytest.mark.parametrize("n, m, p, norm, case, n_hat, eps, rho, phi, gamma", _REDUCED_GRID)
def test_theory_matches_monte_carlo(n, m, p, norm, case, n_hat, eps, rho, phi, gamma):
    sim = simulate_accuracy(n, m, p, mean_norm=norm, case=case, n_hat=n_hat, eps=eps,
                            rho=rho, phi=phi, gamma=gamma, n_trials=16, random_state=0)
    _assert_matches_simulation(sim, p)
    if eps > rmt.critical_label_noise(rho, phi) and n == 0:
        assert sim.accuracy.mean() < 0.5 and sim.theory.mean() < 0.5


def test_monte_carlo_sides_with_bernoulli_pruning():
    """Where our formula and the authors' disagree (alpha = 0.5), simulation follows ours."""
    p = 100
    sim = simulate_accuracy(0, 200, p, mean_norm=1.5, case="exact", eps=0.1, rho=0.1,
                            phi=0.5, gamma=0.05, n_trials=16, random_state=1)
    _assert_matches_simulation(sim, p)
    mu = np.zeros(p)
    mu[0] = 1.5
    mean, nu = _authors_general(0, 200, mu, mu, np.eye(p), 0.1, 0.1, 0.5, 0.05)
    assert sim.accuracy.mean() - ndtr(mean / np.sqrt(nu - mean**2)) > 0.05


def test_simulation_empirical_test_set_and_reproducibility():
    kwargs = dict(mean_norm=1.5, case="exact", eps=0.1, n_trials=3)
    first = simulate_accuracy(100, 200, 50, random_state=3, **kwargs)
    again = simulate_accuracy(100, 200, 50, random_state=3, **kwargs)
    np.testing.assert_array_equal(first.accuracy, again.accuracy)
    empirical = simulate_accuracy(100, 200, 50, n_test=20_000, random_state=3, **kwargs)
    # test-set noise: sd sqrt(a (1 - a) / 20000) < 0.0036 per trial
    assert abs(empirical.accuracy.mean() - first.accuracy.mean()) < 0.02
    with pytest.raises(ValueError, match="case must be one of"):
        simulate_accuracy(10, 10, 5, case="gan")
    with pytest.raises(ValueError, match="needs n_hat"):
        simulate_accuracy(10, 10, 5, case="toy")
    with pytest.raises(ValueError, match="leave n_hat as None"):
        simulate_accuracy(10, 10, 5, case="exact", n_hat=10)


def _full_grid():
    grid = []
    # p / n from 0.1 to 4, three cases, label noise below and past eps*
    for ratio in (0.1, 0.5, 1.0, 2.0, 4.0):
        n = 100
        p = int(ratio * n) if ratio >= 1 else 100
        n = int(p / ratio)
        for case, n_hat in (("exact", None), ("toy", max(p // 2, 20)), ("generator", 2 * p)):
            for eps, rho, phi in ((0.1, 0.2, 0.9), (0.4, 0.5, 0.5), (0.8, 0.3, 0.8)):
                grid.append((n, 2 * n, p, 1.3, case, n_hat, eps, rho, phi, 0.5))
        grid.append((0, 4 * p, p, 1.3, "exact", None, 0.85, 0.3, 0.8, 1.0))
        grid.append((0, 4 * p, p, 1.3, "toy", 2 * p, 0.5, 0.3, 0.8, 0.1))
    return grid


@pytest.mark.slow
def test_theory_matches_monte_carlo_full_grid():
    diffs = []
    for n, m, p, norm, case, n_hat, eps, rho, phi, gamma in _full_grid():
        sim = simulate_accuracy(n, m, p, mean_norm=norm, case=case, n_hat=n_hat, eps=eps,
                                rho=rho, phi=phi, gamma=gamma, n_trials=20, random_state=0)
        diffs.append(_assert_matches_simulation(sim, p))
    assert np.mean(np.abs(diffs)) < 0.01


# -- RMTRidgeClassifier ----------------------------------------------------------------------------
def _augmented_data(rng, n=60, m=90, p=8):
    X = rng.normal(size=(n + m, p))
    y = np.where(rng.random(n + m) < 0.5, "a", "b")
    y[:2] = ["a", "b"]
    synthetic = np.arange(n + m) >= n
    keep = ~synthetic | (rng.random(n + m) < 0.7)
    return X, y, synthetic, keep


def test_classifier_is_the_paper_ridge(rng):
    X, y, synthetic, keep = _augmented_data(rng)
    clf = RMTRidgeClassifier(alpha=0.3, synthetic_weight=0.5).fit(
        X, y, synthetic_mask=synthetic, keep_mask=keep)
    t = np.where(y == "b", 1.0, -1.0)
    N = X.shape[0]  # pruned rows count
    weight = np.where(synthetic, 0.5, 1.0) * keep
    A = (X.T * weight) @ X / N + 0.3 * np.eye(X.shape[1])
    w = np.linalg.solve(A, (X.T * weight) @ t / N)
    np.testing.assert_allclose(clf.coef_[0], w, rtol=1e-10)
    assert clf.intercept_.tolist() == [0.0]
    np.testing.assert_array_equal(clf.predict(X), np.where(X @ w > 0, "b", "a"))
    # the same as scikit-learn's Ridge on the summed loss with alpha = N * gamma
    ridge = Ridge(alpha=0.3 * N, fit_intercept=False).fit(X, t, sample_weight=weight)
    np.testing.assert_allclose(clf.coef_[0], ridge.coef_, rtol=1e-8)
    assert clf.n_real_ == 60 and clf.n_synthetic_ == 90


def test_dual_form_when_features_exceed_rows(rng):
    X = rng.normal(size=(30, 80))
    y = np.arange(30) % 2
    sw = rng.uniform(0.5, 2, 30)
    clf = RMTRidgeClassifier(alpha=0.2).fit(X, y, sample_weight=sw)
    t = 2.0 * y - 1
    w = np.linalg.solve((X.T * sw) @ X / sw.sum() + 0.2 * np.eye(80), (X.T * sw) @ t / sw.sum())
    np.testing.assert_allclose(clf.coef_[0], w, rtol=1e-8, atol=1e-12)


def test_one_vs_rest_for_more_classes(rng):
    X = rng.normal(size=(90, 5))
    y = np.repeat([0, 1, 2], 30)
    X += y[:, None]
    clf = RMTRidgeClassifier(alpha=0.1).fit(X, y)
    assert clf.coef_.shape == (3, 5)
    for k in range(3):
        binary = RMTRidgeClassifier(alpha=0.1).fit(X, y == k)
        np.testing.assert_allclose(clf.coef_[k], binary.coef_[0], rtol=1e-10)
    assert clf.predicted_accuracy_ is None
    with pytest.raises(ValueError, match="need two classes"):
        RMTRidgeClassifier(alpha="auto").fit(X, y)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), counts=st.lists(st.integers(0, 3), min_size=12, max_size=12))
def test_integer_weights_are_repeated_rows(seed, counts):
    rng = np.random.default_rng(seed)
    counts = np.asarray(counts)
    counts[:2] = np.maximum(counts[:2], 1)
    X = rng.normal(size=(12, 3))
    y = np.r_[0, 1, rng.integers(0, 2, 10)]
    synthetic = np.arange(12) >= 6
    weighted = RMTRidgeClassifier(synthetic_weight=0.5).fit(
        X, y, sample_weight=counts, synthetic_mask=synthetic)
    repeated = RMTRidgeClassifier(synthetic_weight=0.5).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts),
        synthetic_mask=np.repeat(synthetic, counts))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-9, atol=1e-12)


def test_mask_errors(rng):
    X, y, synthetic, keep = _augmented_data(rng)
    with pytest.raises(ValueError, match="synthetic_mask must be a boolean array of shape"):
        RMTRidgeClassifier().fit(X, y, synthetic_mask=synthetic[:-1])
    with pytest.raises(ValueError, match="keep_mask must be boolean"):
        RMTRidgeClassifier().fit(X, y, keep_mask=np.full(X.shape[0], 2))
    with pytest.raises(ValueError, match="verifier_rates must be a pair"):
        RMTRidgeClassifier(verifier_rates=(0.0, 0.0)).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        RMTRidgeClassifier().fit(X, np.zeros(X.shape[0]))
    with pytest.raises(ValueError, match="alpha_grid must contain only positive"):
        RMTRidgeClassifier(alpha="auto", alpha_grid=[0.0, 1.0]).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 real rows of each class"):
        RMTRidgeClassifier(alpha="auto").fit(X, y, synthetic_mask=np.ones(X.shape[0], bool))


def _gaussian_task(seed, n, m, p, norm=1.0, eps=0.0, n_hat=None):
    """Real rows, and synthetic rows from a generator fitted on separate rows."""
    X, y, mu = make_gaussian_mixture(n, p, mean_norm=norm, random_state=seed, return_mean=True)
    if n_hat is None:
        X_s, y_s = make_gaussian_mixture(m, p, mean=mu, random_state=seed + 1)
    else:
        X_hat, y_hat = make_gaussian_mixture(n_hat, p, mean=mu, random_state=seed + 2)
        gen = GaussianMixtureGenerator(random_state=seed).fit(X_hat, y_hat)
        X_s, y_s = gen.sample(y=np.repeat([-1, 1], m // 2))
    flip = np.random.default_rng(seed).random(y_s.shape[0]) < eps
    y_s = np.where(flip, -y_s, y_s)
    X_all, y_all = np.vstack([X, X_s]), np.concatenate([y, y_s])
    return X_all, y_all, np.arange(X_all.shape[0]) >= n, mu


def test_predicted_accuracy_tracks_the_test_accuracy():
    """Plug-in prediction vs the exact accuracy Phi(w^T mu / ||w||) of the fitted w."""
    errors = []
    for seed in range(6):
        X, y, synthetic, mu = _gaussian_task(seed, 300, 600, 60, norm=1.0, eps=0.1)
        clf = RMTRidgeClassifier(alpha=0.3, label_noise=0.1).fit(X, y, synthetic_mask=synthetic)
        w = clf.coef_[0]
        errors.append(clf.predicted_accuracy_ - ndtr(w @ mu / np.linalg.norm(w)))
    # plug-in error of ||mu||^2 from 300 rows (sd ~ 0.05) moves the prediction by ~0.01
    assert abs(np.mean(errors)) < 0.02 and np.max(np.abs(errors)) < 0.05


def test_auto_alpha_picks_the_predicted_maximum_and_does_well():
    X, y, synthetic, mu = _gaussian_task(0, 200, 400, 100, norm=1.2, eps=0.2, n_hat=200)
    grid = np.logspace(-3, 2, 11)
    clf = RMTRidgeClassifier(alpha="auto", alpha_grid=grid, label_noise=0.2).fit(
        X, y, synthetic_mask=synthetic)
    res = clf.auto_results_
    assert clf.alpha_ == res["alpha"][np.argmax(res["predicted_accuracy"])]
    assert clf.predicted_accuracy_ == pytest.approx(res["predicted_accuracy"].max())
    exact = []
    for alpha in grid:
        w = RMTRidgeClassifier(alpha=alpha).fit(X, y, synthetic_mask=synthetic).coef_[0]
        exact.append(ndtr(w @ mu / np.linalg.norm(w)))
    # the chosen alpha is within 0.01 of the best on this very training set
    assert max(exact) - exact[int(np.flatnonzero(grid == clf.alpha_)[0])] < 0.01


def test_auto_synthetic_weight_downweights_bad_synthetic_rows():
    # synthetic labels mostly wrong: lambda < 0, the rows should get weight 0
    X, y, synthetic, _ = _gaussian_task(1, 200, 400, 30, norm=1.0, eps=0.8)
    clf = RMTRidgeClassifier(synthetic_weight="auto", label_noise=0.8).fit(
        X, y, synthetic_mask=synthetic)
    assert clf.synthetic_weight_ == 0.0
    X, y, synthetic, _ = _gaussian_task(1, 200, 400, 30, norm=1.0)
    clean = RMTRidgeClassifier(synthetic_weight="auto").fit(X, y, synthetic_mask=synthetic)
    # clean rows from the true distribution: worth using
    res = clean.auto_results_
    assert clean.synthetic_weight_ > 0
    assert clean.predicted_accuracy_ > res["predicted_accuracy"][res["synthetic_weight"] == 0][0]
    no_synthetic = RMTRidgeClassifier(synthetic_weight="auto").fit(X[:200], y[:200])
    assert no_synthetic.synthetic_weight_ == 1.0


def test_verifier_rates_enter_the_prediction():
    X, y, synthetic, _ = _gaussian_task(2, 200, 800, 40, norm=1.0, eps=0.3)
    keep = np.ones(X.shape[0], bool)
    a = RMTRidgeClassifier(label_noise=0.3, verifier_rates=(1.0, 1.0)).fit(
        X, y, synthetic_mask=synthetic, keep_mask=keep)
    b = RMTRidgeClassifier(label_noise=0.3).fit(X, y, synthetic_mask=synthetic, keep_mask=keep)
    # rho = phi = 1 keeps everything: the same as noise 0.3 among the kept rows
    assert a.predicted_accuracy_ == pytest.approx(b.predicted_accuracy_, rel=1e-10)
    c = RMTRidgeClassifier(label_noise=0.45).fit(X, y, synthetic_mask=synthetic)
    assert c.predicted_accuracy_ < b.predicted_accuracy_


def test_theoretical_accuracy_over_amounts(rng):
    X, y, synthetic, _ = _gaussian_task(3, 200, 2000, 100, norm=1.0)
    clf = RMTRidgeClassifier().fit(X, y, synthetic_mask=synthetic)
    acc = clf.theoretical_accuracy(n_synthetic=[0, 200, 2000])
    assert np.all(np.diff(acc) > 0)
    assert clf.theoretical_accuracy() == pytest.approx(clf.predicted_accuracy_)
    assert clf.theoretical_accuracy(alpha=[0.1, 1.0]).shape == (2,)
    real_only = RMTRidgeClassifier().fit(X[:200], y[:200])
    with pytest.raises(ValueError, match="saw no synthetic rows"):
        real_only.theoretical_accuracy(n_synthetic=100)
    with pytest.raises(ValueError, match="n_synthetic must contain only non-negative"):
        clf.theoretical_accuracy(n_synthetic=[-1, 10])
    with pytest.raises(ValueError, match="alpha must contain only positive"):
        clf.theoretical_accuracy(alpha=0.0)


def test_inside_augmented_classifier_and_grid_search():
    X, y = make_gaussian_mixture(120, 10, mean_norm=2.0, random_state=0)
    aug = AugmentedClassifier(RMTRidgeClassifier(alpha="auto"), n_synthetic=2.0,
                              synthetic_weight=0.5, random_state=0).fit(X, y)
    inner = aug.estimator_
    # AugmentedClassifier passes synthetic_mask: real rows first, then 240 synthetic
    assert inner.n_synthetic_ == 240 and inner.n_real_ == 120
    assert 0.5 < inner.predicted_accuracy_ <= 1
    assert aug.score(X, y) > 0.8
    search = GridSearchCV(RMTRidgeClassifier(), {"alpha": [0.01, 1.0]}, cv=3).fit(X, y)
    assert search.best_params_["alpha"] in (0.01, 1.0)
    assert clone(inner).get_params()["alpha"] == "auto"
