"""Gaussian chain (Kalman) smoothing in information form, batched.

A Gaussian Markov chain ``x_0, ..., x_{T-1}`` in ``R^D`` is given by its
joint log-density ``c - 1/2 x^T J x + h^T x`` with a block-tridiagonal
precision ``J`` (diagonal blocks ``J_diag[t]``, upper blocks
``J_off[t] = J[t, t+1]``). The smoother eliminates the chain forwards
(filtered information ``P_t``, ``m_t``: block Cholesky / Schur complements)
and recovers means, covariances and cross-covariances backwards (the
Rauch-Tung-Striebel recursion in information form).

References
----------
Rauch, Tung & Striebel (1965), AIAA J. 3(8); Johnson et al. (2016),
"Composing graphical models with neural networks", NeurIPS (information-form
message passing inside SVAEs).
"""

import math

import torch


def _chol_solve(L, b):
    return torch.cholesky_solve(b, L)


def info_filter(J_diag, J_off, h):
    """Forward elimination. Returns Cholesky factors of ``P_t``, ``m_t`` and log-integral.

    Parameters
    ----------
    J_diag : Tensor of shape (B, T, D, D)
    J_off : Tensor of shape (B, T-1, D, D)
    h : Tensor of shape (B, T, D)

    Returns
    -------
    chols : list of T Tensors (B, D, D)
        Lower Cholesky factors of the filtered precisions ``P_t``.
    ms : list of T Tensors (B, D, 1)
    log_int : Tensor of shape (B,)
        ``log integral exp(-1/2 x^T J x + h^T x) dx``.
    """
    B, T, D, _ = J_diag.shape
    chols, ms = [], []
    log_int = torch.zeros(B, dtype=J_diag.dtype, device=J_diag.device)
    P = J_diag[:, 0]
    m = h[:, 0].unsqueeze(-1)
    for t in range(T):
        if t > 0:
            Jo = J_off[:, t - 1]
            L_prev, m_prev = chols[-1], ms[-1]
            S = _chol_solve(L_prev, torch.cat([Jo, m_prev], dim=-1))
            P = J_diag[:, t] - Jo.transpose(-1, -2) @ S[..., :D]
            m = h[:, t].unsqueeze(-1) - Jo.transpose(-1, -2) @ S[..., D:]
        P = 0.5 * (P + P.transpose(-1, -2))
        L = torch.linalg.cholesky(P)
        sol = _chol_solve(L, m)
        logdet = 2.0 * torch.log(torch.diagonal(L, dim1=-2, dim2=-1)).sum(-1)
        log_int = log_int + 0.5 * (m * sol).sum((-1, -2)) - 0.5 * logdet
        log_int = log_int + 0.5 * D * math.log(2.0 * math.pi)
        chols.append(L)
        ms.append(m)
    return chols, ms, log_int


def info_smoother(J_diag, J_off, h):
    """Posterior moments of the Gaussian chain.

    Returns
    -------
    Ex : Tensor of shape (B, T, D)
    Exx : Tensor of shape (B, T, D, D)
        ``E[x_t x_t^T]``.
    Exnext : Tensor of shape (B, T-1, D, D)
        ``E[x_t x_{t+1}^T]``.
    log_int : Tensor of shape (B,)
        Log-integral of the unnormalised density (add the constant ``c``).
    chols, ms : lists
        The filter's factors, for :func:`info_sample`.
    """
    T = J_diag.shape[1]
    chols, ms, log_int = info_filter(J_diag, J_off, h)
    mus = [None] * T
    covs = [None] * T
    cross = [None] * (T - 1)
    L = chols[-1]
    mus[-1] = _chol_solve(L, ms[-1])
    covs[-1] = torch.cholesky_inverse(L)
    for t in range(T - 2, -1, -1):
        L = chols[t]
        Jo = J_off[:, t]
        Pinv = torch.cholesky_inverse(L)
        G = Pinv @ Jo  # P_t^{-1} J_{t,t+1}
        mus[t] = _chol_solve(L, ms[t]) - G @ mus[t + 1]
        cross[t] = -G @ covs[t + 1]  # Cov(x_t, x_{t+1})
        covs[t] = Pinv + G @ covs[t + 1] @ G.transpose(-1, -2)
    Ex = torch.stack([mu.squeeze(-1) for mu in mus], dim=1)
    Cov = torch.stack(covs, dim=1)
    Exx = Cov + Ex.unsqueeze(-1) * Ex.unsqueeze(-2)
    if T > 1:
        Cross = torch.stack(cross, dim=1)
        Exnext = Cross + Ex[:, :-1].unsqueeze(-1) * Ex[:, 1:].unsqueeze(-2)
    else:
        Exnext = J_off.new_zeros(J_off.shape)
    return Ex, Exx, Exnext, log_int, chols, ms


def info_sample(J_off, chols, ms, eps):
    """Reparameterised draws by forward filtering, backward sampling.

    Parameters
    ----------
    J_off : Tensor of shape (B, T-1, D, D)
    chols, ms : lists
        Output of :func:`info_filter`.
    eps : Tensor of shape (S, B, T, D)
        Standard normal noise (one draw per leading index).

    Returns
    -------
    x : Tensor of shape (S, B, T, D)
    """
    T = len(chols)
    xs = [None] * T
    for t in range(T - 1, -1, -1):
        L = chols[t].unsqueeze(0)
        rhs = ms[t].unsqueeze(0)  # (1, B, D, 1)
        if t < T - 1:
            rhs = rhs - J_off[:, t].unsqueeze(0) @ xs[t + 1].unsqueeze(-1)
        mean = torch.cholesky_solve(rhs, L).squeeze(-1)
        noise = torch.linalg.solve_triangular(
            L.transpose(-1, -2), eps[:, :, t].unsqueeze(-1), upper=True
        ).squeeze(-1)
        xs[t] = mean + noise
    return torch.stack(xs, dim=2)
