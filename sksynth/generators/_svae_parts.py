"""The parts of :class:`~sksynth.generators.SLDSVAE`: networks, variational globals, training net.

:class:`_Networks` (the recognition network's Gaussian potentials and the
decoder), :class:`_Globals` (natural parameters of ``q(theta)`` and of the
prior, conjugate to the SLDS), and :class:`_SVAETrainer`, the torch layer's net
whose training step is one step of the SVAE objective, with the epoch means of
the inference diagnostics (:class:`_EpochMeans`). This module imports torch.
"""

import math

import numpy as np
import torch
from skorch.callbacks import Callback

from ._slds._conjugate import (
    dirichlet_log_partition,
    exp_family_kl,
    mniw_is_valid,
    mniw_log_partition,
    mniw_natural_from_standard,
    mniw_standard_from_natural,
    straight_through,
    expected_stats_graph,
)
from ._slds._meanfield import SLDSStats
from ._torch import GeneratorNet
from ._torch_utils import _linear

_DT = torch.float64
_LOG_2PI = math.log(2.0 * math.pi)


class _SVAETrainer(GeneratorNet):
    """The skorch net of :class:`SLDSVAE`'s networks: one step of ``objective``.

    ``objective(batch)`` returns the loss of a batch (a dict of ``Y``, ``mask``
    and the sequences' ``index``) and the floats recorded in the batch history
    (a dict, or a function giving it after the backward pass, which counts the
    implicit solves); after the networks' Adam step, ``update_globals()`` (if given)
    moves the global parameters ``q(theta)``, which are not torch parameters of
    the module.
    """

    def __init__(self, module, *, objective=None, update_globals=None, **kwargs):
        self.objective = objective
        self.update_globals = update_globals
        super().__init__(module, **kwargs)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        self._zero_grad_optimizer()
        loss, logs = self.objective(batch)
        loss.backward()
        self._step_optimizer(None)
        if self.update_globals is not None:
            self.update_globals()
        for key, value in (logs() if callable(logs) else logs).items():
            self.history.record_batch(key, value)
        return {"loss": loss.detach(), "y_pred": None}


class _EpochMeans(Callback):
    """Epoch values of the SVAE logs: ``elbo`` per time step, other rates batch means."""

    def __init__(self, n_steps):
        self.n_steps = n_steps

    def on_epoch_end(self, net, **kwargs):
        batches = net.history[-1, "batches"]
        net.history.record("elbo", sum(b["elbo_sum"] for b in batches) / self.n_steps)
        for key in ("fallback_rate", "converged_rate", "forward_iter", "backward_iter",
                    "solved_rate"):
            net.history.record(key, float(np.mean([b[key] for b in batches])))


def _mlp(sizes, generator):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(_linear(a, b, generator))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


class _Networks(torch.nn.Module):
    """Recognition network (Gaussian potentials per step) and decoder."""

    def __init__(self, n_features, latent_dim, encoder_dims, decoder_dims, generator):
        super().__init__()
        self.encoder = _mlp([n_features, *encoder_dims, 2 * latent_dim], generator)
        self.decoder = _mlp([latent_dim, *decoder_dims, n_features], generator)
        self.log_sigma = torch.nn.Parameter(torch.full((n_features,), -1.0))
        self.latent_dim = latent_dim

    def potentials(self, Y, mask):
        """``(J, h)`` of shape (B, T, D, D), (B, T, D); zero at missing steps."""
        out = self.encoder(torch.nan_to_num(Y))
        D = self.latent_dim
        prec = torch.nn.functional.softplus(out[..., D:]) + 1e-2
        h = out[..., :D] * prec
        m = mask.unsqueeze(-1).to(out.dtype)
        return torch.diag_embed(prec * m), h * m

    def log_lik(self, Y, mask, x):
        """``sum_t log N(y_t | dec(x_t), sigma^2)`` over observed steps; x (S, B, T, D)."""
        mean = self.decoder(x)
        var = torch.exp(2 * self.log_sigma)
        resid = torch.nan_to_num(Y).unsqueeze(0) - mean
        ll = -0.5 * (resid**2 / var + 2 * self.log_sigma + _LOG_2PI).sum(-1)
        return (ll * mask.unsqueeze(0).to(ll.dtype)).sum(-1)


class _Globals:
    """Natural parameters of ``q(theta)`` and of the prior ``p(theta)``."""

    def __init__(self, K, D, rng):
        p = D + 1
        eye = torch.eye(D, dtype=_DT)
        # prior (authors' PGM_SLDS defaults): M0 = [0.9 I | 0], K0 = lam0 I, S0 = I,
        # nu0 = D + 2, kappa0 = 0.1 (initial Dirichlet), sticky transition prior.
        M0 = torch.zeros(K, D, p, dtype=_DT)
        M0[:, :, :D] = 0.9 * eye
        self.prior = {
            "niw": mniw_natural_from_standard(
                torch.zeros(D, 1, dtype=_DT), torch.full((1, 1), 1e-3, dtype=_DT), eye,
                torch.tensor(D + 2.0, dtype=_DT)),
            "mniw": mniw_natural_from_standard(
                M0, 1e-3 * torch.eye(p, dtype=_DT).expand(K, p, p), eye.expand(K, D, D),
                torch.full((K,), D + 2.0, dtype=_DT)),
            "alpha0": torch.full((K,), 0.1, dtype=_DT) + 1.0,
            "alpha": torch.full((K, K), 0.5, dtype=_DT) + (100.0 - 0.5) * torch.eye(K, dtype=_DT),
        }
        # initial q(theta) (authors' inits: S = I, nu = D + 2, lam = 20, M diag 0.9 with
        # N(0, 0.2^2) off-diagonal entries); biases drawn to break the label symmetry.
        M = torch.as_tensor(rng.normal(scale=0.2, size=(K, D, p)), dtype=_DT)
        M[:, :, :D] = M[:, :, :D] * (1 - eye) + 0.9 * eye
        self.q = {
            "niw": mniw_natural_from_standard(
                torch.zeros(D, 1, dtype=_DT), torch.ones(1, 1, dtype=_DT), eye,
                torch.tensor(D + 2.0, dtype=_DT)),
            "mniw": mniw_natural_from_standard(
                M, 20 * torch.eye(p, dtype=_DT).expand(K, p, p).clone(),
                eye.expand(K, D, D).clone(), torch.full((K,), D + 2.0, dtype=_DT)),
            "alpha0": torch.ones(K, dtype=_DT),
            "alpha": torch.full((K, K), 0.9, dtype=_DT) + 0.1 * torch.eye(K, dtype=_DT),
        }
        self.q = {k: self._leaf(v) for k, v in self.q.items()}

    @staticmethod
    def _leaf(v):
        if torch.is_tensor(v):
            return v.detach().clone().requires_grad_(True)
        return tuple(t.detach().clone().requires_grad_(True) for t in v)

    def tensors(self):
        out = []
        for v in self.q.values():
            out.extend([v] if torch.is_tensor(v) else list(v))
        return out

    def stats(self, natural):
        fn = straight_through if natural else expected_stats_graph
        q = self.q
        return SLDSStats(
            tuple(fn(mniw_log_partition, q["niw"])), tuple(fn(mniw_log_partition, q["mniw"])),
            fn(dirichlet_log_partition, q["alpha0"]), fn(dirichlet_log_partition, q["alpha"]))

    def prior_kl(self, stats):
        q, p = self.q, self.prior
        kl = exp_family_kl(mniw_log_partition, q["niw"], p["niw"], stats.init)
        kl = kl + exp_family_kl(mniw_log_partition, q["mniw"], p["mniw"], stats.trans, 1).sum()
        kl = kl + exp_family_kl(dirichlet_log_partition, q["alpha0"], p["alpha0"], stats.log_pi0)
        kl = kl + exp_family_kl(
            dirichlet_log_partition, q["alpha"], p["alpha"], stats.log_pi, 1).sum()
        return kl

    def valid(self):
        q = self.q
        ok = bool((q["alpha0"] > 0).all() and (q["alpha"] > 0).all())
        return ok and mniw_is_valid(q["niw"]) and mniw_is_valid(q["mniw"])

    def snapshot(self):
        return [t.detach().clone() for t in self.tensors()]

    def restore(self, values):
        with torch.no_grad():
            for t, v in zip(self.tensors(), values):
                t.copy_(v)

    def natural_step(self, step):
        """``eta <- eta - step * grad`` (grads are natural gradients), halving if invalid."""
        before = self.snapshot()
        grads = [t.grad if t.grad is not None else torch.zeros_like(t) for t in self.tensors()]
        grads = [0.5 * (g + g.transpose(-1, -2)) if g.dim() >= 2 and g.shape[-1] == g.shape[-2]
                 and t is not self.q["alpha"] else g for g, t in zip(grads, self.tensors())]
        for _ in range(20):
            with torch.no_grad():
                for t, b, g in zip(self.tensors(), before, grads):
                    t.copy_(b - step * g)
            if self.valid():
                return step
            step *= 0.5
        self.restore(before)
        return 0.0

    def point_estimates(self):
        """Posterior means: ``pi0``, ``pi``, ``A`` (K, D, D+1), ``Q``, ``mu0``, ``Sigma0``."""
        with torch.no_grad():
            q = self.q
            M, _, S, nu = mniw_standard_from_natural(q["mniw"])
            D = S.shape[-1]
            Q = S / (nu - D - 1).clamp_min(1.0)[:, None, None]
            m0, _, S0, nu0 = mniw_standard_from_natural(q["niw"])
            Sigma0 = S0 / float((nu0 - D - 1).clamp_min(1.0))
            pi0 = q["alpha0"] / q["alpha0"].sum()
            pi = q["alpha"] / q["alpha"].sum(-1, keepdim=True)
        return pi0, pi, M, Q, m0[:, 0], Sigma0


def _flat(stats):
    return (*stats.init, *stats.trans, stats.log_pi0, stats.log_pi)


def _unflat(flat):
    return SLDSStats(tuple(flat[0:4]), tuple(flat[4:8]), flat[8], flat[9])
