"""The networks of :class:`~sksynth.generators.TabularVAE` and the net that trains them.

:class:`_VAENet` (encoder and decoder, with condition slots), the row
log-likelihood of the encoded table and :class:`_VAETrainer`, the torch layer's
net whose ``infer`` / ``get_loss`` are the negative ELBO. This module imports
torch.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from ._torch import GeneratorNet
from ._torch_utils import _block_logsumexp, _linear

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)

#: Probability that a training row has some conditions revealed, and that each is.
_REVEAL = 0.5


class _VAENet(torch.nn.Module):
    """Encoder ``q(z | x, c)`` and decoder ``p(x | z, c)`` as in TVAE, with a condition ``c``.

    The first layer of each network is a linear map of ``[input, c]``, kept
    as two parts: a ``Linear`` on the input and a matrix ``(cdim, width)``
    for ``c``. A dense ``c`` multiplies the matrix; in training, where ``c``
    names one slot per revealed unit, it is scattered from those slots
    (:meth:`encode_slots`, :meth:`decode_slots`): the same map, without
    building ``c`` from the data row by a ``(d, cdim)`` product and without
    a gradient for it. The decoder emits its outputs in the order
    ``order`` (continuous offsets, softmax columns, missing indicators) so
    that the likelihood takes slices instead of gathering columns;
    :meth:`decode` returns them in data order.
    """

    def __init__(self, d, cdim, n_cont, latent_dim, encoder_dims, decoder_dims,
                 generator, order):
        super().__init__()
        # mean and log-variance of z as the encoder's last layer
        self.enc_in, self.enc_cond, self.encoder = self._mlp(
            d, cdim, (*encoder_dims, 2 * latent_dim), generator)
        self.dec_in, self.dec_cond, self.decoder = self._mlp(
            latent_dim, cdim, (*decoder_dims, d), generator)
        # output units in the likelihood's order: the same map, permuted
        order = torch.as_tensor(np.asarray(order))
        last = self.decoder[-1] if len(self.decoder) else self.dec_in
        with torch.no_grad():
            last.weight.copy_(last.weight[order])
            last.bias.copy_(last.bias[order])
            if not len(self.decoder):
                self.dec_cond.copy_(self.dec_cond[:, order])
        self.register_buffer("restore", torch.argsort(order), persistent=False)
        self.sigma = torch.nn.Parameter(torch.full((n_cont,), 0.1))
        self.cdim = cdim

    @staticmethod
    def _mlp(n_in, cdim, widths, generator):
        """An MLP ``n_in + cdim -> widths`` whose first layer is split into input and condition.

        Returns the input part (``Linear``), the condition part (``(cdim,
        widths[0])``), and the rest (``ReLU``, ``Linear``, ... ending linear).
        """
        first = _linear(n_in + cdim, widths[0], generator)
        layer = torch.nn.utils.skip_init(torch.nn.Linear, n_in, widths[0])
        with torch.no_grad():
            layer.weight.copy_(first.weight[:, :n_in])
            layer.bias.copy_(first.bias)
        cond = torch.nn.Parameter(first.weight[:, n_in:].T.detach().clone())
        rest = []
        for n_prev, width in zip(widths[:-1], widths[1:]):
            rest += [torch.nn.ReLU(), _linear(n_prev, width, generator)]
        return layer, cond, torch.nn.Sequential(*rest)

    @staticmethod
    def _condition(h, weight, c):
        return h if c is None or weight.shape[0] == 0 else h + c @ weight

    @staticmethod
    def _slots(h, weight, slots, revealed):
        """``h`` plus the rows ``slots`` (n, n_units) of ``weight``, weighted by ``revealed``."""
        if slots is None or weight.shape[0] == 0:
            return h
        # a dense c from its slots, then one product: faster on CPU than embedding_bag
        c = h.new_zeros((h.shape[0], weight.shape[0])).scatter_(1, slots, revealed.to(h.dtype))
        return h + c @ weight

    def _encode_hidden(self, h):
        mu, logvar = self.encoder(h).chunk(2, dim=1)
        return mu, logvar

    def encode(self, x, c):
        """Mean and log-variance of ``q(z | x, c)`` for a dense condition ``c`` (or None)."""
        return self._encode_hidden(self._condition(self.enc_in(x), self.enc_cond, c))

    def encode_slots(self, x, slots, revealed):
        """:meth:`encode` for ``c`` given as one slot per unit and whether it is revealed."""
        return self._encode_hidden(self._slots(self.enc_in(x), self.enc_cond, slots, revealed))

    def decode_ordered(self, z, c):
        """Decoder outputs in the likelihood's order (continuous, softmax, indicators)."""
        return self.decoder(self._condition(self.dec_in(z), self.dec_cond, c))

    def decode_slots(self, z, slots, revealed):
        """:meth:`decode_ordered` for a condition given as slots (see :meth:`encode_slots`)."""
        return self.decoder(self._slots(self.dec_in(z), self.dec_cond, slots, revealed))

    def decode(self, z, c):
        """Decoder outputs in data order (n, d)."""
        return self.decode_ordered(z, c)[:, self.restore]


def _likelihood_order(L):
    """Data columns in the order of the decoder's outputs: continuous, softmax, indicators."""
    return np.concatenate([L.cont_idx, L.soft_cols, L.ind_idx]).astype(np.int64)


def _log_likelihood(out, x_cont, obs_cont, x_soft, soft_obs, x_ind, sigma, L):
    """``log p(x | z)`` per row: Gaussian offsets, softmax blocks, Bernoulli missing flags.

    ``out`` holds the decoder's outputs in :func:`_likelihood_order`, so each
    kind is a slice; ``x_soft`` holds the one-hot targets of the softmax
    columns; offsets (``tanh`` of the output) and mode blocks of a missing
    value are masked out (``obs_cont``, ``soft_obs``): a missing value has
    only its indicator.
    """
    n_cont, n_soft = x_cont.shape[1], x_soft.shape[1]
    total = out.new_zeros(out.shape[0])
    if n_cont:
        scaled = (x_cont - torch.tanh(out[:, :n_cont])) / sigma
        total = total + ((-0.5 * scaled**2 - torch.log(sigma) - _HALF_LOG_2PI)
                         * obs_cont).sum(dim=1)
    if n_soft:
        logits = out[:, n_cont:n_cont + n_soft]
        picked = (x_soft * logits) @ L["soft_sum"]  # the target's logit in every block
        total = total + ((picked - _block_logsumexp(logits, L)) * soft_obs).sum(dim=1)
    if x_ind.shape[1]:
        total = total - F.binary_cross_entropy_with_logits(
            out[:, n_cont + n_soft:], x_ind, reduction="none").sum(dim=1)
    return total


class _VAETrainer(GeneratorNet):
    """The skorch net that trains :class:`_VAENet`: the negative ELBO of TVAE.

    A batch is the dict ``{"packed": rows, "slots": condition slots}`` of
    :meth:`TabularVAE._fit`. For a conditional VAE each discrete column's
    value is revealed to the encoder and decoder with probability ``_REVEAL``
    (and all of them hidden in a share of the rows), so one model learns every
    ``X | conditions``; the class label, when fitted with ``y``, is always given.
    The loss is ``KL(q(z | x) || N(0, I)) - loss_factor * log p(x | z)`` (eq. 3
    of Kingma and Welling, 2014, with TVAE's weight), averaged over the batch.
    """

    def __init__(self, module, *, layout=None, layout_tensors=None, pieces=None,
                 loss_factor=2.0, precision="float32", noise=None, **kwargs):
        self.layout = layout
        self.layout_tensors = layout_tensors
        self.pieces = pieces
        self.loss_factor = loss_factor
        self.precision = precision
        self.noise = noise
        super().__init__(module, **kwargs)

    def infer(self, batch, **fit_params):
        """Encode, draw ``z`` and decode a batch: ``(mu, logvar, out, batch pieces)``."""
        net, L, noise, device = self.module_, self.layout, self.noise, self.device
        x, x_cont, obs_cont, soft_obs, x_ind, x_soft, revealed = (
            batch["packed"][:, piece] for piece in self.pieces)
        b = x.shape[0]
        slot = None
        if L.cdim:
            reveal = torch.rand((b, len(L.units)), generator=noise, device=device)
            some = torch.rand((b, 1), generator=noise, device=device) < _REVEAL
            reveal = (reveal < _REVEAL) & some
            if L.label_unit is not None:
                reveal[:, L.label_unit] = True  # class labels: always given
            slot, revealed = batch["slots"], revealed * reveal
        autocast = torch.autocast(torch.device(device).type, dtype=torch.bfloat16,
                                  enabled=self.precision == "bfloat16")
        with autocast:
            mu, logvar = net.encode_slots(x, slot, revealed)
        mu, logvar = mu.float(), logvar.float()
        eps = torch.randn(mu.shape, generator=noise, device=device)
        z = mu + eps * torch.exp(0.5 * logvar)
        with autocast:
            out = net.decode_slots(z, slot, revealed)
        return mu, logvar, out.float(), (x_cont, obs_cont, x_soft, soft_obs, x_ind)

    def get_loss(self, y_pred, y_true=None, X=None, training=False):
        """The negative ELBO of the batch: ``mean(KL - loss_factor * log p(x | z))``."""
        mu, logvar, out, (x_cont, obs_cont, x_soft, soft_obs, x_ind) = y_pred
        rec = _log_likelihood(out, x_cont, obs_cont, x_soft, soft_obs, x_ind,
                              self.module_.sigma, self.layout_tensors)
        kl = 0.5 * (mu**2 + logvar.exp() - 1.0 - logvar).sum(dim=1)
        return (kl - self.loss_factor * rec).mean()

    def train_step(self, batch, **fit_params):
        step = super().train_step(batch, **fit_params)
        with torch.no_grad():
            self.module_.sigma.clamp_(0.01, 1.0)
        return step
