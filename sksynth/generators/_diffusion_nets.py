"""The denoiser of :class:`~sksynth.generators.TabularDiffusion` and the net that trains it.

:class:`_Tokens` (the discrete part of an encoded row as tokens: softmax
blocks, missing indicators, the class label), :class:`_Denoiser` (an MLP
with a sinusoidal timestep embedding that predicts the Gaussian noise of the
continuous values and the categories of the masked tokens),
:func:`_diffusion_loss` (the per-row training loss, also the score proxy)
and :class:`_DiffusionTrainer`, the torch layer's net whose ``infer`` /
``get_loss`` are one denoising step. This module imports torch.
"""

import math

import numpy as np
import torch

from ._torch import GeneratorNet
from ._torch_utils import _linear

#: Diffusion steps of the Gaussian schedule (training draws t in 1..T).
_T = 1000
#: Width of the sinusoidal timestep embedding.
_TIME_DIM = 64
#: Probability that a training row has some units revealed, and that each is (as TabularVAE).
_REVEAL = 0.5


def _cosine_alpha_bar(n_steps, s=0.008):
    """``alpha_bar(t)`` for ``t = 0..n_steps`` of the cosine schedule (Nichol and Dhariwal,
    2021), with each step's ``beta`` capped at 0.999 so that ``alpha_bar(T) > 0``."""
    f = np.cos((np.arange(n_steps + 1) / n_steps + s) / (1 + s) * math.pi / 2) ** 2
    betas = np.clip(1.0 - f[1:] / f[:-1], 0.0, 0.999)
    return np.concatenate([[1.0], np.cumprod(1.0 - betas)])


class _Tokens:
    """The discrete part of the encoded rows as tokens, each with ``sizes[k]`` categories.

    Tokens are, in order, the softmax blocks of :class:`_Layout` (modes of
    numeric columns and category blocks), the missing indicators (two
    categories: observed, missing) and the class label. ``unit_token[u]`` is
    the token of conditional unit ``u``; a unit's slots are its token's codes.
    """

    def __init__(self, L, n_classes):
        self.n_soft = L.n_soft
        self.sizes = ([int(v.sum()) for v in L.soft_valid[:L.n_soft]]
                      + [2] * L.ind_idx.size + ([n_classes] if n_classes else []))
        self.n = len(self.sizes)
        self.has_label = bool(n_classes)
        soft_start = {int(L.soft_idx[b, 0]): b for b in range(L.n_soft)}
        ind_pos = {int(c): i for i, c in enumerate(L.ind_idx)}
        self.unit_token = np.array([
            soft_start[u.start] if u.kind == "onehot"
            else L.n_soft + ind_pos[u.start] if u.kind == "indicator" else self.n - 1
            for u in L.units], dtype=np.int64)
        self.mode_blocks = ~L.soft_is_category

    def codes(self, T, L, labels=None):
        """Token codes of encoded rows ``T`` (n, d) and whether each is known: two (n, n_tokens)
        arrays (a category block of zeros -- a category never seen -- is not known)."""
        n = T.shape[0]
        codes = np.zeros((n, self.n), dtype=np.int64)
        known = np.ones((n, self.n), dtype=bool)
        for b in range(self.n_soft):
            block = T[:, L.soft_idx[b, :self.sizes[b]]]
            codes[:, b] = np.argmax(block, axis=1)
            known[:, b] = block.max(axis=1) > 0
        if L.ind_idx.size:
            codes[:, self.n_soft:self.n_soft + L.ind_idx.size] = T[:, L.ind_idx] >= 0.5
        if self.has_label and labels is not None:
            codes[:, -1] = labels
        return codes, known

    def rows(self, x_cont, codes, L):
        """Encoded rows (n, d) float64 from continuous values and token codes."""
        n = codes.shape[0]
        T = np.zeros((n, L.d))
        T[:, L.cont_idx] = x_cont
        rows = np.arange(n)
        for b in range(self.n_soft):
            T[rows, L.soft_idx[b, codes[:, b]]] = 1.0
        if L.ind_idx.size:
            T[:, L.ind_idx] = codes[:, self.n_soft:self.n_soft + L.ind_idx.size]
        return T


def _timestep_embedding(t, dim):
    """Sinusoidal embedding (n, dim) of timesteps ``t`` (n,) (Vaswani et al., 2017)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000.0) * torch.arange(half, device=t.device,
                                                         dtype=torch.float64) / half)
    args = t.to(torch.float64)[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class _Denoiser(torch.nn.Module):
    """An MLP ``(x_t, visible tokens, mask and reveal flags, t) -> (noise, token logits)``.

    The input is the noisy continuous values, the one-hot codes of the
    visible tokens (zeros where masked), one mask flag and one reveal flag
    per token; the timestep's sinusoidal embedding goes through a two-layer
    MLP and is added to the first hidden layer (as TabDDPM's MLP). The
    output is the predicted noise of every continuous value and the logits
    of every token, padded to ``(n, n_tokens, max size)`` (``-inf`` beyond a
    token's size). The diffusion schedule rides along as buffers.
    """

    def __init__(self, n_cont, sizes, dims, generator, n_diffusion=_T):
        super().__init__()
        self.n_cont, self.n_tok = n_cont, len(sizes)
        width = int(sum(sizes))
        k_max = max(sizes, default=1)
        start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if sizes else \
            np.zeros(0, dtype=np.int64)
        idx = np.zeros((self.n_tok, k_max), dtype=np.int64)
        valid = np.zeros((self.n_tok, k_max), dtype=bool)
        for k, size in enumerate(sizes):
            idx[k, :size] = start[k] + np.arange(size)
            valid[k, :size] = True
        self.register_buffer("tok_start", torch.as_tensor(start), persistent=False)
        self.register_buffer("tok_idx", torch.as_tensor(idx), persistent=False)
        self.register_buffer("tok_valid", torch.as_tensor(valid), persistent=False)
        self.register_buffer("alpha_bar", torch.as_tensor(_cosine_alpha_bar(n_diffusion),
                                                          dtype=torch.float32),
                             persistent=False)
        self.n_diffusion = n_diffusion
        self.width = width
        n_in = n_cont + width + 2 * self.n_tok
        self.first = _linear(n_in, dims[0], generator)
        self.time = torch.nn.Sequential(_linear(_TIME_DIM, dims[0], generator), torch.nn.SiLU(),
                                        _linear(dims[0], dims[0], generator))
        rest = []
        for n_prev, n_next in zip(dims[:-1], dims[1:]):
            rest += [torch.nn.SiLU(), _linear(n_prev, n_next, generator)]
        rest += [torch.nn.SiLU(), _linear(dims[-1], n_cont + width, generator)]
        self.rest = torch.nn.Sequential(*rest)

    def forward(self, x_t, codes, mask, reveal, t):
        n = codes.shape[0]
        dtype = self.first.weight.dtype
        visible = (~mask).to(dtype)
        onehot = x_t.new_zeros((n, self.width), dtype=dtype)
        if self.n_tok:
            onehot.scatter_(1, self.tok_start + codes, visible)
        h = torch.cat([x_t.to(dtype), onehot, mask.to(dtype), reveal.to(dtype)], dim=1)
        h = self.first(h) + self.time(_timestep_embedding(t, _TIME_DIM).to(dtype))
        out = self.rest(h)
        eps = out[:, :self.n_cont]
        logits = out[:, self.n_cont:][:, self.tok_idx]
        logits = logits.masked_fill(~self.tok_valid, -torch.inf)
        return eps, logits


def _noisy(net, x0, codes, t, eps, u, reveal):
    """``x_t`` and the mask of the tokens hidden at ``t``: a token not revealed is masked with
    probability ``1 - alpha(t) = t / T`` (``u`` its uniform draw)."""
    ab = net.alpha_bar[t].to(x0.dtype)[:, None]
    x_t = ab.sqrt() * x0 + (1.0 - ab).sqrt() * eps
    mask = (u < (t.to(u.dtype) / net.n_diffusion)[:, None]) & ~reveal
    return x_t, mask


def _diffusion_loss(eps_hat, logits, eps, codes, mask, known, t, n_diffusion):
    """Per-row loss: mean squared noise error of the continuous values plus the masked-token
    cross-entropy with the masked-diffusion ELBO weight ``-alpha'(t) / (1 - alpha(t)) = 1 / t``
    (time in (0, 1], linear ``alpha(t) = 1 - t``; MDLM, Sahoo et al. 2024), divided by the
    number of tokens so that both parts are per-value averages."""
    total = eps_hat.new_zeros(codes.shape[0])
    if eps.shape[1]:
        total = total + ((eps_hat - eps) ** 2).mean(dim=1)
    if codes.shape[1]:
        log_p = torch.log_softmax(logits, dim=2).gather(2, codes.unsqueeze(2)).squeeze(2)
        weight = (mask & known).to(log_p.dtype)
        ce = -(log_p.masked_fill(weight == 0, 0.0) * weight).sum(dim=1) / codes.shape[1]
        total = total + ce * (n_diffusion / t.to(ce.dtype))
    return total


class _DiffusionTrainer(GeneratorNet):
    """The skorch net that trains :class:`_Denoiser`: one denoising step per batch.

    A batch is ``{"x0": standardised continuous values, "codes": token codes,
    "known": whether each code is known}``. Each row draws a timestep
    (stratified over the batch: ``t = ceil(T * ((v + i / b) mod 1))``, the
    low-discrepancy draw of Kingma et al. 2021, which lowers the variance of
    the ``1 / t`` weight), Gaussian noise, and which units are revealed
    (nothing with probability 1/2, else each with probability ``_REVEAL``;
    the class label always); revealed tokens are never masked and carry no
    loss.
    """

    def __init__(self, module, *, unit_token=None, label_token=None, precision="float32",
                 noise=None, total_steps=None, **kwargs):
        self.total_steps = total_steps
        self.unit_token = unit_token
        self.label_token = label_token
        self.precision = precision
        self.noise = noise
        super().__init__(module, **kwargs)

    def infer(self, batch, **fit_params):
        net, noise, device = self.module_, self.noise, self.device
        x0, codes, known = batch["x0"], batch["codes"], batch["known"]
        b = codes.shape[0]
        v = torch.rand((1,), generator=noise, device=device)
        frac = torch.remainder(v + torch.arange(b, device=device) / b, 1.0)
        t = torch.clamp(torch.ceil(frac * net.n_diffusion), 1, net.n_diffusion).long()
        eps = torch.randn(x0.shape, generator=noise, device=device)
        u = torch.rand(codes.shape, generator=noise, device=device)
        reveal = torch.zeros(codes.shape, dtype=torch.bool, device=device)
        if self.unit_token is not None and len(self.unit_token):
            some = torch.rand((b, 1), generator=noise, device=device) < _REVEAL
            per = torch.rand((b, len(self.unit_token)), generator=noise, device=device) < _REVEAL
            reveal[:, self.unit_token] = per & some
        if self.label_token is not None:
            reveal[:, self.label_token] = True  # the networks model X | y
        x_t, mask = _noisy(net, x0, codes, t, eps, u, reveal)
        autocast = torch.autocast(torch.device(device).type, dtype=torch.bfloat16,
                                  enabled=self.precision == "bfloat16")
        with autocast:
            eps_hat, logits = net(x_t, codes, mask, reveal, t)
        return eps_hat.float(), logits.float(), (eps, codes, mask, known, t)

    def train_step(self, batch, **fit_params):
        # the learning rate decays linearly to 0 over the planned steps (as TabDDPM): the
        # last weights are an average-like low-noise point, which the sampler needs (with a
        # constant rate the cluster masses of the samples drift by several points from one
        # epoch to the next)
        done = getattr(self, "_steps_done", 0)
        if self.total_steps:
            for group in self.optimizer_.param_groups:
                group["lr"] = self.lr * max(0.0, 1.0 - done / self.total_steps)
        self._steps_done = done + 1
        return super().train_step(batch, **fit_params)

    def get_loss(self, y_pred, y_true=None, X=None, training=False):
        eps_hat, logits, (eps, codes, mask, known, t) = y_pred
        return _diffusion_loss(eps_hat, logits, eps, codes, mask, known, t,
                               self.module_.n_diffusion).mean()
