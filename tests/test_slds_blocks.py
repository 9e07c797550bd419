"""Exactness tests of the SLDS-SVAE building blocks (sksynth.generators._slds)."""

import itertools
import math

import numpy as np
import pytest
import torch

from sksynth.generators._slds._conjugate import (
    dirichlet_log_partition,
    exp_family_kl,
    expected_stats,
    mniw_log_partition,
    mniw_natural_from_standard,
    straight_through,
)
from sksynth.generators._slds._hmm import hmm_forward_backward, hmm_viterbi
from sksynth.generators._slds._implicit import fixed_point
from sksynth.generators._slds._kalman import info_sample, info_smoother
from sksynth.generators._slds._meanfield import (
    block_update,
    gap_fills,
    global_stats,
    local_kl,
    multistart_marginals,
    surrogate_objective,
)

DT = torch.float64


# small networks: one torch thread is faster, and immune to busy CI cores
pytestmark = pytest.mark.usefixtures("one_torch_thread")


# --------------------------------------------------------------------------- HMM
def _brute_force_hmm(log_init, log_trans, log_node):
    T, K = log_node.shape
    paths = list(itertools.product(range(K), repeat=T))
    scores = []
    for z in paths:
        s = log_init[z[0]] + sum(log_node[t, z[t]] for t in range(T))
        s += sum(log_trans[z[t - 1], z[t]] for t in range(1, T))
        scores.append(s)
    scores = np.array(scores)
    log_z = np.logaddexp.reduce(scores)
    w = np.exp(scores - log_z)
    marg = np.zeros((T, K))
    counts = np.zeros((K, K))
    for wi, z in zip(w, paths):
        for t in range(T):
            marg[t, z[t]] += wi
        for t in range(1, T):
            counts[z[t - 1], z[t]] += wi
    best = np.array(paths[int(np.argmax(scores))])
    return marg, counts, log_z, best


@pytest.mark.parametrize("K, T", [(2, 1), (2, 5), (3, 4)])
def test_forward_backward_equals_enumeration(K, T):
    rng = np.random.RandomState(K * 10 + T)
    B = 3
    log_init = rng.randn(K)
    log_trans = rng.randn(K, K)
    log_node = 2 * rng.randn(B, T, K)
    marg, counts, log_z = hmm_forward_backward(
        torch.tensor(log_init), torch.tensor(log_trans), torch.tensor(log_node)
    )
    path = hmm_viterbi(log_init, log_trans, log_node)
    for b in range(B):
        m_ref, c_ref, z_ref, best = _brute_force_hmm(log_init, log_trans, log_node[b])
        np.testing.assert_allclose(marg[b].numpy(), m_ref, atol=1e-12)
        np.testing.assert_allclose(counts[b].numpy(), c_ref, atol=1e-12)
        assert abs(float(log_z[b]) - z_ref) < 1e-10
        np.testing.assert_array_equal(path[b], best)


# ------------------------------------------------------------------------ Kalman
def _random_chain(B, T, D, seed):
    gen = torch.Generator().manual_seed(seed)
    J_diag = torch.empty(B, T, D, D, dtype=DT)
    for b in range(B):
        for t in range(T):
            G = torch.randn(D, D, generator=gen, dtype=DT)
            J_diag[b, t] = G @ G.T + 3.0 * torch.eye(D, dtype=DT)
    J_off = 0.5 * torch.randn(B, T - 1, D, D, generator=gen, dtype=DT)
    h = torch.randn(B, T, D, generator=gen, dtype=DT)
    return J_diag, J_off, h


def _dense(J_diag, J_off, b):
    T, D = J_diag.shape[1], J_diag.shape[2]
    J = torch.zeros(T * D, T * D, dtype=DT)
    for t in range(T):
        J[t * D:(t + 1) * D, t * D:(t + 1) * D] = J_diag[b, t]
        if t < T - 1:
            J[t * D:(t + 1) * D, (t + 1) * D:(t + 2) * D] = J_off[b, t]
            J[(t + 1) * D:(t + 2) * D, t * D:(t + 1) * D] = J_off[b, t].T
    return J


def test_kalman_smoother_equals_dense_conditioning():
    B, T, D = 2, 6, 3
    J_diag, J_off, h = _random_chain(B, T, D, 0)
    Ex, Exx, Exnext, log_int, _, _ = info_smoother(J_diag, J_off, h)
    for b in range(B):
        J = _dense(J_diag, J_off, b)
        assert torch.linalg.eigvalsh(J).min() > 0
        cov = torch.linalg.inv(J)
        mu = cov @ h[b].reshape(-1)
        second = cov + torch.outer(mu, mu)
        np.testing.assert_allclose(Ex[b].reshape(-1), mu, atol=1e-10)
        for t in range(T):
            blk = second[t * D:(t + 1) * D, t * D:(t + 1) * D]
            np.testing.assert_allclose(Exx[b, t], blk, atol=1e-10)
            if t < T - 1:
                blk = second[t * D:(t + 1) * D, (t + 1) * D:(t + 2) * D]
                np.testing.assert_allclose(Exnext[b, t], blk, atol=1e-10)
        ref = 0.5 * h[b].reshape(-1) @ mu - 0.5 * torch.logdet(J) + 0.5 * T * D * math.log(
            2 * math.pi
        )
        assert abs(float(log_int[b] - ref)) < 1e-9


def test_kalman_sampler_has_the_exact_covariance():
    B, T, D = 1, 4, 2
    J_diag, J_off, h = _random_chain(B, T, D, 1)
    _, _, _, _, chols, ms = info_smoother(J_diag, J_off, h)

    def draw(eps_flat):
        return info_sample(J_off, chols, ms, eps_flat.reshape(1, B, T, D)).reshape(-1)

    eps0 = torch.zeros(T * D, dtype=DT)
    M = torch.autograd.functional.jacobian(draw, eps0)
    J = _dense(J_diag, J_off, 0)
    np.testing.assert_allclose(M @ M.T, torch.linalg.inv(J), atol=1e-10)
    np.testing.assert_allclose(draw(eps0), torch.linalg.solve(J, h[0].reshape(-1)), atol=1e-10)


# ------------------------------------------------------------------- conjugate
def test_dirichlet_expected_stats_are_digamma():
    alpha = torch.tensor([[0.5, 2.0, 3.0], [1.0, 1.0, 7.0]], dtype=DT)
    mu = expected_stats(dirichlet_log_partition, alpha)
    ref = torch.digamma(alpha) - torch.digamma(alpha.sum(-1, keepdim=True))
    np.testing.assert_allclose(mu, ref, atol=1e-12)


def _mniw(D, p, seed, batch=()):
    gen = torch.Generator().manual_seed(seed)
    M = torch.randn(*batch, D, p, generator=gen, dtype=DT)
    G = torch.randn(*batch, p, p, generator=gen, dtype=DT)
    K = G @ G.transpose(-1, -2) + torch.eye(p, dtype=DT)
    G = torch.randn(*batch, D, D, generator=gen, dtype=DT)
    S = G @ G.transpose(-1, -2) + torch.eye(D, dtype=DT)
    nu = torch.full(batch, D + 3.5, dtype=DT)
    return M, K, S, nu


def test_mniw_expected_stats_match_closed_form():
    D, p = 2, 3
    M, K, S, nu = _mniw(D, p, 0)
    Ea, Eb, Ec, Ed = expected_stats(mniw_log_partition, mniw_natural_from_standard(M, K, S, nu))
    Sinv = torch.linalg.inv(S)
    np.testing.assert_allclose(-2 * Ea, nu * Sinv, atol=1e-10)
    np.testing.assert_allclose(Eb, nu * Sinv @ M, atol=1e-10)
    np.testing.assert_allclose(-2 * Ec, D * torch.linalg.inv(K) + nu * M.T @ Sinv @ M, atol=1e-10)
    e_logdet = torch.logdet(S) - D * math.log(2) - sum(
        torch.digamma((nu - i) / 2) for i in range(D)
    )
    assert abs(float(-2 * Ed - e_logdet)) < 1e-10


def test_kl_is_zero_at_itself_and_positive_elsewhere():
    q = mniw_natural_from_standard(*_mniw(2, 3, 0))
    p = mniw_natural_from_standard(*_mniw(2, 3, 1))
    mu = expected_stats(mniw_log_partition, q)
    assert abs(float(exp_family_kl(mniw_log_partition, q, q, mu))) < 1e-9
    assert float(exp_family_kl(mniw_log_partition, q, p, mu)) > 0


def _vech_to_sym(v, D):
    rows, cols = torch.tril_indices(D, D)
    A = torch.zeros(D, D, dtype=v.dtype)
    A = A.index_put((rows, cols), v)
    return A + A.T - torch.diag(torch.diagonal(A))


def _check_natural_gradient(log_partition_flat, theta):
    """Straight-through gradient equals F^{-1} grad, with F = hess A computed explicitly."""
    w = torch.linspace(-1.0, 1.0, theta.numel(), dtype=DT)

    def loss_of_mu(mu):
        return (torch.sin(mu) * w).sum() + 0.3 * (mu**2).sum()

    theta = theta.clone().requires_grad_(True)
    mu = torch.autograd.grad(log_partition_flat(theta), theta, create_graph=True)[0]
    (g_eta,) = torch.autograd.grad(loss_of_mu(mu), theta)
    fisher = torch.autograd.functional.hessian(log_partition_flat, theta.detach())
    assert torch.linalg.eigvalsh(fisher).min() > 0
    natural = torch.linalg.solve(fisher, g_eta)
    mu_st = straight_through(log_partition_flat, theta)
    (g_st,) = torch.autograd.grad(loss_of_mu(mu_st), theta)
    np.testing.assert_allclose(g_st, natural, rtol=1e-8, atol=1e-10)
    assert not torch.allclose(g_eta, natural, atol=1e-3)  # the scaling matters


def test_natural_gradient_dirichlet():
    _check_natural_gradient(dirichlet_log_partition, torch.tensor([0.7, 2.0, 4.5], dtype=DT))


def test_natural_gradient_gaussian_niw():
    D = 2
    M, K, S, nu = _mniw(D, 1, 3)
    eta = mniw_natural_from_standard(M, K, S, nu)
    rows, cols = torch.tril_indices(D, D)
    theta = torch.cat([eta[0][rows, cols], eta[1].reshape(-1), eta[2].reshape(-1),
                       eta[3].reshape(1)])

    def log_partition_flat(th):
        n = D * (D + 1) // 2
        eta_a = _vech_to_sym(th[:n], D)
        eta_b = th[n:n + D].reshape(D, 1)
        eta_c = th[n + D:n + D + 1].reshape(1, 1)
        return mniw_log_partition((eta_a, eta_b, eta_c, th[n + D + 1]))

    _check_natural_gradient(log_partition_flat, theta)


# ---------------------------------------------------------------- mean field
def _toy_problem(B=2, T=12, K=2, D=2, seed=0):
    gen = torch.Generator().manual_seed(seed)
    niw = mniw_natural_from_standard(
        torch.zeros(D, 1, dtype=DT), torch.ones(1, 1, dtype=DT), torch.eye(D, dtype=DT),
        torch.tensor(D + 2.0, dtype=DT),
    )
    M = torch.zeros(K, D, D + 1, dtype=DT)
    for k in range(K):
        M[k, :, :D] = 0.9 * torch.eye(D, dtype=DT)
        M[k, :, D] = torch.tensor([0.3, -0.3], dtype=DT) * (2 * k - 1)
    Kp = 20 * torch.eye(D + 1, dtype=DT).expand(K, D + 1, D + 1)
    S = 0.5 * torch.eye(D, dtype=DT).expand(K, D, D)
    nu = torch.full((K,), D + 5.0, dtype=DT)
    mniw = mniw_natural_from_standard(M, Kp, S, nu)
    alpha0 = torch.ones(K, dtype=DT)
    alpha = torch.ones(K, K, dtype=DT) + 8 * torch.eye(K, dtype=DT)
    stats = global_stats(niw, mniw, alpha0, alpha)
    J_rec = torch.diag_embed(torch.full((B, T, D), 2.0, dtype=DT))
    h_rec = torch.randn(B, T, D, generator=gen, dtype=DT)
    r0 = torch.distributions.Dirichlet(torch.full((K,), 1.0, dtype=DT)).sample((B, T))
    return stats, J_rec, h_rec, r0


def test_block_coordinate_ascent_never_decreases_the_objective():
    stats, J_rec, h_rec, r = _toy_problem()
    values = []
    for _ in range(8):
        values.append(surrogate_objective(r, stats, J_rec, h_rec))
        r = block_update(r, stats, J_rec, h_rec)
    values = torch.stack(values)
    assert torch.all(values[1:] - values[:-1] > -1e-9)
    kl, lds, q_z, _ = local_kl(r, stats, J_rec, h_rec)
    np.testing.assert_allclose(q_z.sum(-1), 1.0, atol=1e-12)
    assert torch.isfinite(kl).all()


def _loss_after_inference(mode, h_rec, stats, J_rec, r0, **kw):
    def F(r, h):
        return block_update(r, stats, J_rec, h)

    r, info = fixed_point(F, r0, (h_rec,), mode=mode, **kw)
    kl, lds, _, _ = local_kl(r, stats, J_rec, h_rec)
    weight = torch.linspace(0.5, 1.5, lds.Ex.shape[1], dtype=DT)
    return (r[..., 0] * weight).sum() + (lds.Ex[..., 0] ** 2).sum() + kl.sum(), info


def test_implicit_gradient_equals_unrolled_and_finite_differences():
    stats, J_rec, h_rec, r0 = _toy_problem()
    kw = dict(max_iter=300, tol=1e-13)
    h1 = h_rec.clone().requires_grad_(True)
    loss, info = _loss_after_inference(
        "implicit", h1, stats, J_rec, r0, bwd_max_iter=500, bwd_tol=1e-28, fallback=False, **kw
    )
    assert info["converged"]
    (g_imp,) = torch.autograd.grad(loss, h1)
    assert info["bwd_residual"] < 1e-10
    h2 = h_rec.clone().requires_grad_(True)
    loss, _ = _loss_after_inference("unrolled", h2, stats, J_rec, r0, **kw)
    (g_unr,) = torch.autograd.grad(loss, h2)
    rel = float(torch.linalg.norm(g_imp - g_unr) / torch.linalg.norm(g_unr))
    assert rel < 1e-4
    # the one-step ("none") gradient is measurably different
    h3 = h_rec.clone().requires_grad_(True)
    loss, _ = _loss_after_inference("none", h3, stats, J_rec, r0, **kw)
    (g_none,) = torch.autograd.grad(loss, h3)
    assert float(torch.linalg.norm(g_none - g_unr) / torch.linalg.norm(g_unr)) > 1e-3
    # central finite differences along random directions
    gen = torch.Generator().manual_seed(5)
    for _ in range(3):
        d = torch.randn(h_rec.shape, generator=gen, dtype=DT)
        eps = 1e-5
        with torch.no_grad():
            lp, _ = _loss_after_inference("none", h_rec + eps * d, stats, J_rec, r0, **kw)
            lm, _ = _loss_after_inference("none", h_rec - eps * d, stats, J_rec, r0, **kw)
        fd = float(lp - lm) / (2 * eps)
        an = float((g_imp * d).sum())
        assert abs(fd - an) <= 1e-5 * max(1.0, abs(an))


def _scalar_problem(c):
    """``F(w, a) = c w + (1 - c) a``: fixed point ``w* = a``, ``dw*/da = 1``, ``dF/dw = c``."""
    a = torch.tensor([0.3, -0.7], dtype=DT, requires_grad=True)
    cs = torch.as_tensor(c, dtype=DT)

    def F(w, a_):
        return cs * w + (1 - cs) * a_

    return a, F


def test_fallback_only_where_the_solve_fails():
    # row 0: dF/dw = 3, a repelling fixed point: damped Richardson multiplies the
    # error by 0.5 + 0.5 * 3 = 2 per iteration and diverges -> that row falls back to
    # v = g, i.e. d/da = dF/da = 1 - 3 = -2. Row 1: dF/dw = 0.5, the solve converges to
    # the exact dw*/da = 1. The forward starts at the fixed point (converged).
    a, F = _scalar_problem([3.0, 0.5])
    w, info = fixed_point(F, a.detach(), (a,), mode="implicit", bwd_max_iter=200,
                          bwd_tol=1e-15, n_batched=1)
    assert info["converged"]
    (grad,) = torch.autograd.grad(w.sum(), a)
    assert info["fallback_used"] and info["fallback_fraction"] == 0.5
    np.testing.assert_allclose(grad.numpy(), [-2.0, 1.0], rtol=1e-10)
    # without the fallback the diverged solve is returned as is (huge); and a
    # failure is also a failure when not batched (the whole system falls back)
    w, info = fixed_point(F, a.detach(), (a,), mode="implicit", bwd_max_iter=20,
                          fallback=False, n_batched=1)
    (grad,) = torch.autograd.grad(w.sum(), a)
    assert not info["fallback_used"] and abs(float(grad[0])) > 1e4
    w, info = fixed_point(F, a.detach(), (a,), mode="implicit", bwd_max_iter=20)
    (grad,) = torch.autograd.grad(w.sum(), a)
    assert info["fallback_used"] and info["fallback_fraction"] == 1.0
    np.testing.assert_allclose(grad.numpy(), [-2.0, 0.5], rtol=1e-12)


def test_capped_damped_richardson_is_the_truncated_neumann_series():
    # dF/dw = c, rho = 0.5 + 0.5 c: after n damped iterations from v = g,
    # v = g (rho^n + (1 - rho^n) / (1 - c)); dF/da = 1 - c, so d/da = 1 - c rho^n
    # (exact: 1; the fallback v = g: 1 - c). The
    # forward is capped far from the fixed point (not converged): the solve still runs
    # from its end point instead of falling back.
    a, F = _scalar_problem([0.2, 0.9])
    w, info = fixed_point(F, a.detach() + 1.0, (a,), mode="implicit", max_iter=3,
                          bwd_max_iter=10, bwd_tol=0.0, n_batched=1)
    (grad,) = torch.autograd.grad(w.sum(), a)
    assert not info["converged"] and info["converged_fraction"] == 0.0
    assert info["bwd_iter"] == 10 and not info["fallback_used"]
    c = np.array([0.2, 0.9])
    expected = 1 - c * (0.5 + 0.5 * c) ** 10
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-12)


def _saturated_problem(B=4, T=12, K=2, D=2, seed=0):
    """Two well-separated states (drifts +-3, strong recognition potentials).

    The state marginals are saturated (within ~1e-200 of 0 or 1), so the block
    update's Jacobian is zero to rounding at the fixed point.
    """
    gen = torch.Generator().manual_seed(seed)
    niw = mniw_natural_from_standard(
        torch.zeros(D, 1, dtype=DT), torch.ones(1, 1, dtype=DT), torch.eye(D, dtype=DT),
        torch.tensor(D + 2.0, dtype=DT),
    )
    M = torch.zeros(K, D, D + 1, dtype=DT)
    for k in range(K):
        M[k, :, :D] = 0.9 * torch.eye(D, dtype=DT)
        M[k, :, D] = torch.tensor([3.0, -3.0], dtype=DT) * (2 * k - 1)
    mniw = mniw_natural_from_standard(M, 20 * torch.eye(D + 1, dtype=DT).expand(K, D + 1, D + 1),
                                      0.5 * torch.eye(D, dtype=DT).expand(K, D, D),
                                      torch.full((K,), D + 5.0, dtype=DT))
    stats = global_stats(niw, mniw, torch.ones(K, dtype=DT),
                         torch.ones(K, K, dtype=DT) + 8 * torch.eye(K, dtype=DT))
    z = (torch.arange(T) >= T // 2).long()  # state 0, then state 1
    x = torch.zeros(B, T, D, dtype=DT)
    for t in range(1, T):
        x[:, t] = 0.9 * x[:, t - 1] + M[z[t], :, D] + 0.1 * torch.randn(B, D, generator=gen,
                                                                         dtype=DT)
    J_rec = torch.diag_embed(torch.full((B, T, D), 50.0, dtype=DT))
    return stats, J_rec, 50.0 * x, torch.full((B, T, K), 1.0 / K, dtype=DT)


def test_saturated_posteriors_are_solved_without_falling_back():
    # Where q(z) is saturated, J = dF/dr is zero to rounding: v = g solves the IFT
    # system, and ||J^T g|| (the residual of v = g) is rounding noise. The previous rule
    # compared the residual after the Richardson iterations with that noise and failed
    # rows by chance; here they are solved at once and the gradient is the unrolled one.
    stats, J_rec, h_rec, r0 = _saturated_problem()
    kw = dict(max_iter=100, tol=1e-12)
    h1 = h_rec.clone().requires_grad_(True)
    loss, info = _loss_after_inference("implicit", h1, stats, J_rec, r0, n_batched=1, **kw)
    (g_imp,) = torch.autograd.grad(loss, h1)
    assert info["converged"]
    assert info["fallback_fraction"] == 0.0 and not info["fallback_used"]
    assert info["bwd_solved_fraction"] == 1.0 and info["bwd_iter"] == 0
    h2 = h_rec.clone().requires_grad_(True)
    loss, _ = _loss_after_inference("unrolled", h2, stats, J_rec, r0, **kw)
    (g_unr,) = torch.autograd.grad(loss, h2)
    assert float(torch.linalg.norm(g_imp - g_unr) / torch.linalg.norm(g_unr)) < 1e-10

    # the regime the old rule failed in: at the end point ||J^T g|| / ||g|| is at
    # rounding level, and one damped step (v = g + J^T g / 2) leaves a residual that is
    # as likely above ||J^T g|| as below it: some rows exceed it
    def F(r, h):
        return block_update(r, stats, J_rec, h)

    r_star, _ = fixed_point(F, r0, (h_rec,), mode="none", **kw)
    z0 = r_star.detach().requires_grad_(True)
    f0 = F(z0, h_rec)
    g = torch.randn(r0.shape, generator=torch.Generator().manual_seed(1), dtype=DT)

    def jt(v):
        return torch.autograd.grad(f0, z0, v, retain_graph=True)[0]

    def norms(x):
        return torch.linalg.vector_norm(x.reshape(x.shape[0], -1), dim=1)

    start = norms(jt(g))
    assert torch.all(start <= 1e-12 * norms(g))
    v1 = g + 0.5 * jt(g)
    assert torch.any(norms(g + jt(v1) - v1) > start)


def test_adaptive_damping_solves_what_half_damping_cannot():
    # dF/dw = C with eigenvalues -1 +- 2.5i: damped Richardson at d = 0.5 multiplies the
    # residual by |0.5 + 0.5 lambda| = 1.25 per iteration; at d = 0.25 by
    # |1 - 0.25 (2 -+ 2.5i)| = 0.80. The fixed point is w* = a (dw*/da = I), and
    # the forward starts there (converged).
    C = torch.tensor([[-1.0, 2.5], [-2.5, -1.0]], dtype=DT)
    a = torch.tensor([0.3, -0.7], dtype=DT, requires_grad=True)

    def F(w, a_):
        return w @ C.T + a_ @ (torch.eye(2, dtype=DT) - C).T

    g = torch.tensor([1.0, 2.0], dtype=DT)
    w, info = fixed_point(F, a.detach(), (a,), mode="implicit", bwd_max_iter=200,
                          bwd_tol=1e-12)
    (grad,) = torch.autograd.grad(w, a, g)
    assert info["converged"] and not info["fallback_used"]
    assert info["bwd_solved_fraction"] == 1.0 and info["bwd_iter"] < 200
    np.testing.assert_allclose(grad.numpy(), g.numpy(), rtol=1e-10)
    # the plain solve at d = 0.5 diverges (1.25 ** 60 ~ 6e5)
    w, info = fixed_point(F, a.detach(), (a,), mode="implicit", bwd_max_iter=60,
                          fallback=False)
    (grad,) = torch.autograd.grad(w, a, g)
    assert float(torch.linalg.norm(grad)) > 1e4


def test_per_row_forward_matches_the_batch_loop():
    stats, J_rec, h_rec, r0 = _toy_problem(B=3)

    def F(r, J, h):
        return block_update(r, stats, J, h)

    r_rows, info_rows = fixed_point(F, r0, (J_rec, h_rec), mode="none", max_iter=200,
                                    tol=1e-10, n_batched=2)
    r_all, info_all = fixed_point(F, r0, (J_rec, h_rec), mode="none", max_iter=200, tol=1e-10)
    assert info_rows["converged"] and info_all["converged"]
    assert info_rows["mean_iter"] <= info_all["n_iter"]
    np.testing.assert_allclose(r_rows, r_all, atol=1e-8)
    _, info = fixed_point(F, r0, (J_rec, h_rec), mode="none", max_iter=2, tol=1e-10,
                          n_batched=2)
    assert info["converged_fraction"] == 0.0 and info["n_iter"] == 2


def test_implicit_with_auxiliary_outputs_equals_unrolled():
    stats, J_rec, h_rec, r0 = _toy_problem()
    weight = torch.linspace(0.5, 1.5, h_rec.shape[1], dtype=DT)

    def F(r, h):
        return block_update(r, stats, J_rec, h)

    def final(r, h):
        kl, lds, q_z, _ = local_kl(r, stats, J_rec, h)
        return q_z, (kl, lds.Ex)

    grads = {}
    for mode in ("implicit", "unrolled"):
        h = h_rec.clone().requires_grad_(True)
        r, (kl, Ex), info = fixed_point(F, r0, (h,), mode=mode, max_iter=300, tol=1e-13,
                                        bwd_max_iter=500, bwd_tol=1e-28, fallback=False,
                                        final=final)
        loss = (r[..., 0] * weight).sum() + (Ex[..., 0] ** 2).sum() + kl.sum()
        (grads[mode],) = torch.autograd.grad(loss, h)
        assert info["converged"]
    rel = torch.linalg.norm(grads["implicit"] - grads["unrolled"]) / torch.linalg.norm(
        grads["unrolled"])
    assert float(rel) < 1e-4



def test_gap_fills_take_the_neighbouring_marginals():
    T, K = 8, 3
    r = torch.eye(K, dtype=DT)[torch.tensor([0, 0, 1, 1, 1, 2, 2, 2])].unsqueeze(0)
    r[0, 2:6] = 1.0 / K  # blurred marginals over the gap
    mask = torch.tensor([[True, True, False, False, False, False, True, True]])
    states = lambda f: gap_fills(r, mask, f)[0].argmax(-1).tolist()  # noqa: E731
    assert states(0.0) == [0, 0, 2, 2, 2, 2, 2, 2]  # all from the right neighbour
    assert states(1.0) == [0, 0, 0, 0, 0, 0, 2, 2]  # all from the left neighbour
    assert states(0.5) == [0, 0, 0, 0, 2, 2, 2, 2]  # switch half way
    # gaps at the ends take their only neighbour; observed steps are untouched
    edge = torch.tensor([[False, False, True, True, True, True, False, False]])
    r_edge = torch.eye(K, dtype=DT)[torch.tensor([0, 0, 1, 1, 2, 2, 0, 0])].unsqueeze(0)
    filled = gap_fills(r_edge, edge, 0.5)[0].argmax(-1).tolist()
    assert filled == [1, 1, 1, 1, 2, 2, 2, 2]
    assert torch.equal(gap_fills(r, torch.ones(1, T, dtype=torch.bool), 0.5), r)


def test_multistart_never_lowers_the_objective_of_coordinate_ascent():
    stats, J_rec, h_rec, r = _toy_problem(B=4, T=20)
    mask = torch.ones(4, 20, dtype=torch.bool)
    mask[:, 6:14] = False  # a long gap: no recognition potentials there
    J_rec = J_rec * mask[..., None, None]
    h_rec = h_rec * mask[..., None]
    plain = r
    for _ in range(20):
        plain = block_update(plain, stats, J_rec, h_rec)
    best, objective = multistart_marginals(r, mask, stats, J_rec, h_rec, n_sweeps=20)
    np.testing.assert_allclose(objective, surrogate_objective(best, stats, J_rec, h_rec),
                               rtol=1e-10)
    assert torch.all(objective >= surrogate_objective(plain, stats, J_rec, h_rec) - 1e-8)
