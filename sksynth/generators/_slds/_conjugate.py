"""Conjugate exponential-family priors with unbiased natural gradients.

Each family is described by its natural parameters ``eta`` (a tuple of
tensors), its log-partition ``A(eta)`` and its expected sufficient statistics
``E[t] = grad A(eta)`` (computed here by automatic differentiation of ``A``,
so every family only states ``A``). Because the Fisher information is
``F(eta) = hess A(eta)`` and ``d mu / d eta = F``, a loss written in terms of
the *straight-through* statistics ``mu_st = eta + stopgrad(E[t] - eta)`` has
``d loss / d eta = d loss / d mu = F^{-1} grad_eta loss``: plain back-propagation
returns the natural gradient (Bendekgey et al., 2023, Sec. 4).

Families and sufficient statistics:

- Dirichlet(alpha): ``t = log pi``, ``eta = alpha``.
- Matrix-normal-inverse-Wishart over ``(A, Q)``, ``A`` of shape (D, p):
  ``t = (-Q^{-1}/2, Q^{-1} A, -A^T Q^{-1} A / 2, -log|Q| / 2)``,
  ``eta = (S + M K M^T, M K, K, nu + D + 1 + p)`` for
  ``A | Q ~ MN(M, Q, K^{-1})`` and ``Q ~ IW(S, nu)``.
- Normal-inverse-Wishart over ``(mu, Sigma)``: the MNIW with ``p = 1``
  (``mu | Sigma ~ N(m, Sigma / kappa)``).

References
----------
Bendekgey, Hope & Sudderth (2023), arXiv:2306.08230; Hoffman et al. (2013),
"Stochastic variational inference", JMLR 14.
"""

import math

import torch


def dirichlet_log_partition(alpha):
    """``sum lgamma(alpha) - lgamma(sum alpha)`` over the last axis."""
    return torch.lgamma(alpha).sum(-1) - torch.lgamma(alpha.sum(-1))


def mniw_standard_from_natural(eta):
    """``(M, K, S, nu)`` from MNIW natural parameters (batched over leading axes)."""
    eta_a, eta_b, eta_c, eta_d = eta
    D, p = eta_b.shape[-2:]
    K = eta_c
    M = torch.linalg.solve(K, eta_b.transpose(-1, -2)).transpose(-1, -2)
    S = eta_a - M @ eta_b.transpose(-1, -2)
    nu = eta_d - D - 1 - p
    return M, K, S, nu


def mniw_natural_from_standard(M, K, S, nu):
    """MNIW natural parameters from ``(M, K, S, nu)``."""
    D, p = M.shape[-2:]
    MK = M @ K
    return (S + MK @ M.transpose(-1, -2), MK, K, nu + D + 1 + p)


def mniw_log_partition(eta):
    """Log-partition of the MNIW (sum over any leading batch axes is not taken)."""
    M, K, S, nu = mniw_standard_from_natural(eta)
    D, p = M.shape[-2:]
    return (
        0.5 * D * p * math.log(2 * math.pi)
        - 0.5 * D * torch.logdet(K)
        + 0.5 * nu * D * math.log(2.0)
        + torch.mvlgamma(0.5 * nu, D)
        - 0.5 * nu * torch.logdet(S)
    )


def mniw_is_valid(eta):
    """Whether every MNIW in the batch has ``K``, ``S`` positive definite and ``nu > D - 1``."""
    with torch.no_grad():
        M, K, S, nu = mniw_standard_from_natural(eta)
        D = S.shape[-1]
        ok_k = torch.linalg.eigvalsh(0.5 * (K + K.transpose(-1, -2))).min() > 0
        ok_s = torch.linalg.eigvalsh(0.5 * (S + S.transpose(-1, -2))).min() > 0
        return bool(ok_k and ok_s and bool((nu > D - 1).all()))


def expected_stats(log_partition, eta):
    """``E[t] = grad A(eta)``, detached (values only), same structure as ``eta``."""
    single = torch.is_tensor(eta)
    params = (eta,) if single else tuple(eta)
    with torch.enable_grad():
        leaves = tuple(e.detach().requires_grad_(True) for e in params)
        grads = torch.autograd.grad(log_partition(leaves[0] if single else leaves).sum(), leaves)
    grads = tuple(g.detach() for g in grads)
    return grads[0] if single else grads


def expected_stats_graph(log_partition, eta):
    """``E[t] = grad A(eta)`` as a differentiable function of ``eta`` (ordinary gradients)."""
    single = torch.is_tensor(eta)
    params = (eta,) if single else tuple(eta)
    if not any(e.requires_grad for e in params):
        return expected_stats(log_partition, eta)
    with torch.enable_grad():
        grads = torch.autograd.grad(
            log_partition(params[0] if single else params).sum(), params, create_graph=True
        )
    return grads[0] if single else grads


def straight_through(log_partition, eta):
    """Statistics whose value is ``E[t]`` and whose Jacobian w.r.t. ``eta`` is the identity.

    Back-propagating a loss through these gives the natural gradient with
    respect to ``eta`` (see module docstring).
    """
    mu = expected_stats(log_partition, eta)
    if torch.is_tensor(eta):
        return eta + (mu - eta).detach()
    return tuple(e + (m - e).detach() for e, m in zip(eta, mu))


def exp_family_kl(log_partition, eta_q, eta_p, mu_q, batch_ndim=0):
    """``KL(q || p) = <eta_q - eta_p, mu_q> - A(eta_q) + A(eta_p)``.

    Parameters
    ----------
    log_partition : callable
    eta_q, eta_p, mu_q : Tensor or tuple of Tensors
        Natural parameters of ``q`` and ``p`` and the statistics of ``q``; pass
        ``mu_q = straight_through(log_partition, eta_q)`` to get natural
        gradients for ``eta_q``.
    batch_ndim : int, default=0
        Number of leading batch axes (kept in the result).
    """
    single = torch.is_tensor(eta_q)
    if single:
        eta_q, eta_p, mu_q = (eta_q,), (eta_p,), (mu_q,)
    inner = 0.0
    for a, b, m in zip(eta_q, eta_p, mu_q):
        diff = (a - b) * m
        inner = inner + diff.reshape(*diff.shape[:batch_ndim], -1).sum(-1)
    arg_q = eta_q[0] if single else eta_q
    arg_p = eta_p[0] if single else eta_p
    return inner - log_partition(arg_q) + log_partition(arg_p)
