"""Structured mean-field inference ``q(z) q(x)`` for the switching LDS.

Model (expected under the conjugate ``q(theta)``, Bendekgey et al. 2023):
``z`` is a Markov chain with ``E[log pi0]``, ``E[log pi]``;
``x_0 ~ N(mu0, Sigma0)`` (NIW) and
``x_t | x_{t-1}, z_t = k ~ N(A_k x_{t-1} + b_k, Q_k)`` (MNIW over
``[A_k | b_k]``, ``x~ = [x; 1]``); the recognition network adds Gaussian
potentials ``-1/2 x_t^T J_t x_t + h_t^T x_t``.

Block coordinate ascent alternates (1) the Kalman smoother under the
``q(z)``-weighted dynamics and (2) HMM forward-backward under the expected
log-likelihood of each state's dynamics. With ``q(x)`` built from marginals
``r`` and ``q(z)`` from the resulting potentials, the local KL
``KL(q(x) q(z) || p(x, z | theta))`` equals
``sum_{t,k} r_tk node_tk + E_q[rec(x)] - log Z_lds - log Z_hmm``.

References
----------
Bendekgey, Hope & Sudderth (2023), arXiv:2306.08230; Johnson et al. (2016),
"Composing graphical models with neural networks", NeurIPS.
"""

import math
from typing import NamedTuple

import torch

from ._hmm import hmm_forward_backward
from ._kalman import info_smoother

_LOG_2PI = math.log(2.0 * math.pi)


class SLDSStats(NamedTuple):
    """Expected sufficient statistics of the global parameters under ``q(theta)``.

    ``init``: NIW statistics ``(-Sigma0^{-1}/2 (D, D), Sigma0^{-1} mu0 (D, 1),
    -mu0^T Sigma0^{-1} mu0 / 2 (1, 1), -log|Sigma0| / 2 ())``;
    ``trans``: MNIW statistics of ``[A_k | b_k]``, shapes (K, D, D),
    (K, D, D+1), (K, D+1, D+1), (K,); ``log_pi0`` (K,); ``log_pi`` (K, K).
    """

    init: tuple
    trans: tuple
    log_pi0: torch.Tensor
    log_pi: torch.Tensor


class LDSResult(NamedTuple):
    Ex: torch.Tensor
    Exx: torch.Tensor
    Exnext: torch.Tensor
    log_z: torch.Tensor
    J_off: torch.Tensor
    chols: list
    ms: list


def lds_natural_params(r, stats, J_rec, h_rec):
    """Block-tridiagonal natural parameters of ``q(x)`` given state marginals ``r``.

    Parameters
    ----------
    r : Tensor of shape (B, T, K)
    stats : SLDSStats
    J_rec : Tensor of shape (B, T, D, D)
    h_rec : Tensor of shape (B, T, D)

    Returns
    -------
    J_diag (B, T, D, D), J_off (B, T-1, D, D), h (B, T, D), const (B,)
    """
    B, T, D = h_rec.shape
    Ea, Eb, Ec, Ed = stats.trans
    ia, ib, ic, i_d = stats.init
    w = r[:, 1:]
    Wa = torch.einsum("btk,kij->btij", w, Ea)
    Wb = torch.einsum("btk,kij->btij", w, Eb)
    Wc = torch.einsum("btk,kij->btij", w, Ec)
    Wd = torch.einsum("btk,k->bt", w, Ed)
    zero_dd = J_rec.new_zeros(B, 1, D, D)
    zero_d = h_rec.new_zeros(B, 1, D)
    J_diag = (
        J_rec
        + torch.cat([(-2.0 * ia).expand(B, 1, D, D), -2.0 * Wa], dim=1)
        + torch.cat([-2.0 * Wc[..., :D, :D], zero_dd], dim=1)
    )
    J_off = -Wb[..., :D].transpose(-1, -2)
    h = (
        h_rec
        + torch.cat([ib[:, 0].expand(B, 1, D), Wb[..., D]], dim=1)
        + torch.cat([2.0 * Wc[..., :D, D], zero_d], dim=1)
    )
    const = Wc[..., D, D].sum(1) + Wd.sum(1) + ic[0, 0] + i_d - 0.5 * T * D * _LOG_2PI
    return J_diag, J_off, h, const


def lds_step(r, stats, J_rec, h_rec):
    """Kalman smoothing of ``q(x)`` under ``q(z)`` marginals ``r``."""
    J_diag, J_off, h, const = lds_natural_params(r, stats, J_rec, h_rec)
    Ex, Exx, Exnext, log_int, chols, ms = info_smoother(J_diag, J_off, h)
    return LDSResult(Ex, Exx, Exnext, const + log_int, J_off, chols, ms)


def state_log_potentials(lds, stats):
    """``node[b, t, k] = E_q(x)[log N(x_t | A_k x_{t-1} + b_k, Q_k)]`` (zero at ``t = 0``)."""
    Ex, Exx, Exnext = lds.Ex, lds.Exx, lds.Exnext
    B, T, D = Ex.shape
    Ea, Eb, Ec, Ed = stats.trans
    if T == 1:
        return Ex.new_zeros(B, 1, Ea.shape[0])
    ones = Ex.new_ones(B, T - 1, 1, 1)
    prev = Ex[:, :-1].unsqueeze(-1)
    xx_tilde = torch.cat(
        [torch.cat([Exx[:, :-1], prev], dim=-1),
         torch.cat([prev.transpose(-1, -2), ones], dim=-1)],
        dim=-2,
    )
    cross_tilde = torch.cat([Exnext.transpose(-1, -2), Ex[:, 1:].unsqueeze(-1)], dim=-1)
    node = (
        torch.einsum("kij,btij->btk", Ea, Exx[:, 1:])
        + torch.einsum("kij,btij->btk", Eb, cross_tilde)
        + torch.einsum("kij,btij->btk", Ec, xx_tilde)
        + Ed
        - 0.5 * D * _LOG_2PI
    )
    return torch.cat([node.new_zeros(B, 1, node.shape[-1]), node], dim=1)


def block_update(r, stats, J_rec, h_rec):
    """One sweep ``r -> HMM(potentials(LDS(r)))``; the map whose fixed point is sought."""
    lds = lds_step(r, stats, J_rec, h_rec)
    node = state_log_potentials(lds, stats)
    marginals, _, _ = hmm_forward_backward(stats.log_pi0, stats.log_pi, node)
    return marginals


def local_kl(r, stats, J_rec, h_rec):
    """Local KL and the posterior pieces at state marginals ``r``.

    Returns
    -------
    kl : Tensor of shape (B,)
        ``KL(q(x) q(z) || p(x, z | theta))`` in expectation over ``q(theta)``,
        with ``q(x)`` built from ``r`` and ``q(z)`` the HMM posterior under the
        resulting potentials.
    lds : LDSResult
    q_z : Tensor of shape (B, T, K)
        Marginals of the updated ``q(z)``.
    node : Tensor of shape (B, T, K)
        The state log-potentials from ``q(x)``.
    """
    lds = lds_step(r, stats, J_rec, h_rec)
    node = state_log_potentials(lds, stats)
    q_z, _, log_z_hmm = hmm_forward_backward(stats.log_pi0, stats.log_pi, node)
    e_rec = (-0.5 * (J_rec * lds.Exx).sum((-1, -2)) + (h_rec * lds.Ex).sum(-1)).sum(1)
    kl = (r * node).sum((1, 2)) + e_rec - lds.log_z - log_z_hmm
    return kl, lds, q_z, node


def surrogate_objective(r, stats, J_rec, h_rec):
    """``E_q[rec(x)] - KL = log Z_lds + log Z_hmm - sum r node``.

    Block coordinate ascent never decreases it.
    """
    lds = lds_step(r, stats, J_rec, h_rec)
    node = state_log_potentials(lds, stats)
    _, _, log_z_hmm = hmm_forward_backward(stats.log_pi0, stats.log_pi, node)
    return lds.log_z + log_z_hmm - (r * node).sum((1, 2))


def global_stats(niw_eta, mniw_eta, alpha0, alpha, natural_gradient=True):
    """:class:`SLDSStats` from the natural parameters of ``q(theta)``.

    With ``natural_gradient=True`` the statistics are straight-through (so
    back-propagation gives natural gradients for the ``eta``); otherwise they
    are differentiable functions ``grad A(eta)`` (ordinary gradients).
    """
    from ._conjugate import (
        dirichlet_log_partition,
        expected_stats_graph,
        mniw_log_partition,
        straight_through,
    )

    fn = straight_through if natural_gradient else expected_stats_graph
    init = fn(mniw_log_partition, niw_eta)
    trans = fn(mniw_log_partition, mniw_eta)
    log_pi0 = fn(dirichlet_log_partition, alpha0)
    log_pi = fn(dirichlet_log_partition, alpha)
    return SLDSStats(tuple(init), tuple(trans), log_pi0, log_pi)


def gap_fills(r, mask, frac):
    """State marginals with every run of missing steps refilled from its observed neighbours.

    In a run of missing steps ``[a, b)``, the first ``round(frac * (b - a))`` steps
    take the marginals of step ``a - 1`` and the rest those of step ``b`` (a
    run at either end takes its only neighbour): the initialisation of a
    chain that keeps its state through the gap and switches at most once.

    Parameters
    ----------
    r : Tensor of shape (B, T, K)
    mask : Tensor of bool of shape (B, T)
        Observed steps.
    frac : float in [0, 1]

    Returns
    -------
    r_filled : Tensor of shape (B, T, K)
    """
    B, T, _ = r.shape
    observed = mask.cpu()
    steps = torch.arange(T).expand(B, T)
    minus = torch.full_like(steps, -1)
    prev = torch.cummax(torch.where(observed, steps, minus), dim=1).values
    flipped = torch.where(observed, steps, torch.full_like(steps, T)).flip(1)
    nxt = torch.cummin(flipped, dim=1).values.flip(1)
    start, length = prev + 1, nxt - prev - 1
    use_left = (steps - start) < torch.round(frac * length)
    use_left = (use_left & (prev >= 0)) | (nxt >= T)
    source = torch.where(use_left, prev, nxt).clamp(0, T - 1)
    filled = torch.gather(r, 1, source.to(r.device).unsqueeze(-1).expand_as(r))
    keep = observed | ((prev < 0) & (nxt >= T))  # a sequence with no observed step: as is
    return torch.where(keep.to(r.device).unsqueeze(-1), r, filled)


def multistart_marginals(r, mask, stats, J_rec, h_rec, n_sweeps=20,
                         fractions=(0.0, 0.25, 0.5, 0.75, 1.0)):
    """Best of several mean-field fixed points when steps are missing.

    Over a gap, coordinate ascent from a blurred ``q(z)`` tends to stop at a
    fixed point whose ``q(x)`` follows an average of the states' dynamics.
    Restarting from :func:`gap_fills` of ``r`` (for each switch fraction) and
    from ``r`` itself, running ``n_sweeps`` block updates each, and keeping
    per sequence the result with the highest :func:`surrogate_objective`
    (the objective coordinate ascent maximises) can only raise the
    objective over plain coordinate ascent from ``r``.

    Returns
    -------
    r_best : Tensor of shape (B, T, K)
    objective : Tensor of shape (B,)
    """
    starts = [r] + [gap_fills(r, mask, f) for f in fractions]
    C, B = len(starts), r.shape[0]
    rs = torch.cat(starts)
    Jc = J_rec.repeat(C, 1, 1, 1)
    hc = h_rec.repeat(C, 1, 1)
    for _ in range(n_sweeps):
        rs = block_update(rs, stats, Jc, hc)
    objective = surrogate_objective(rs, stats, Jc, hc).reshape(C, B)
    best = torch.argmax(objective, dim=0)
    rows = torch.arange(B, device=r.device)
    return rs.reshape(C, B, *r.shape[1:])[best, rows], objective[best, rows]
