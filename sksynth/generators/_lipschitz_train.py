"""How :class:`LipschitzVAE` trains on the torch layer: loss module, net, projection.

The negative ELBO of Gross and Wunder (2023) is one module
(:class:`_NegativeELBO`) so that one skorch net trains it with the assumed
weights (here) or under DP-SGD (:mod:`._dpsgd`, where Opacus wraps the same
kind of module). The net adds the Jacobian penalty of ``method="penalty"`` in
``get_loss``; the callback :class:`_Projection` keeps the numeric scales in
their box after every step and makes the spectral bounds exact after the last.
This module imports torch.
"""

import math

import torch
from skorch.callbacks import Callback

from ._lipschitz_nets import _DTYPE, _BoundedLinear, _jacobians
from ._torch import GeneratorNet

#: Box of the numeric columns' log scales (the projection of every step).
_LOG_SCALE_BOX = (math.log(1e-3), math.log(10.0))


def _batch_rows(batch):
    """The encoded rows of a batch: a dict ``{"rows": ...}``, a 1-tuple or a tensor."""
    if isinstance(batch, dict):
        return batch["rows"]
    if isinstance(batch, (tuple, list)):
        return batch[0]
    return batch


class _NegativeELBO(torch.nn.Module):
    """Per-row negative ELBO of a batch of encoded rows (eq. 3 of Kingma and Welling).

    ``forward(rows, noise)`` returns ``(loss, z, labels)``: the per-row loss
    ``KL(q(z | x) || p(z)) - log p(x | z)`` of shape (n,), the latent draws
    ``z = mu(x) + encoder_std_ * noise`` (n, latent_dim) and the one-hot labels
    (or ``None``) that the decoder was given. The prior, likelihood and label
    block are the owner's (:class:`LipschitzVAE`); the owner is kept outside
    the module tree, so that only the encoder, decoder and log scales train.
    """

    def __init__(self, owner):
        super().__init__()
        self.encoder = owner._encoder
        self.decoder = owner._decoder
        self._owner = [owner]  # not a submodule
        self._init_scales(owner)

    def _init_scales(self, owner):
        """The numeric columns' log scales: the owner's parameter, shape (n_numeric,)."""
        self.log_scale = owner._log_scale

    def scales(self, n_rows):
        """Log scales of a batch of ``n_rows``, broadcastable to (n_rows, n_numeric)."""
        return self.log_scale

    def _randn(self, generator, *shape):
        return torch.randn(*shape, generator=generator, dtype=_DTYPE,
                           device=self.encoder.net[0].weight.device)

    def draw_noise(self, n_rows, generator):
        """The standard normal draws of one batch: ``(noise,)``, (n_rows, latent_dim)."""
        return (self._randn(generator, n_rows, self._owner[0].latent_dim),)

    def param_groups(self):
        """The optimiser's groups (see ``LipschitzVAE._param_groups``)."""
        return self._owner[0]._param_groups([self.log_scale])

    def _decode(self, rows, noise):
        owner = self._owner[0]
        means = self.encoder(rows)
        z = means + owner.encoder_std_ * noise
        labels = owner._labels(rows)
        return means, z, labels, self.decoder(z, labels)

    def forward(self, rows, noise):
        owner = self._owner[0]
        means, z, labels, scores = self._decode(rows, noise)
        log_scale = self.scales(rows.shape[0])
        return owner._kl(means) - owner._log_lik(scores, rows, log_scale), z, labels


class _LipschitzNet(GeneratorNet):
    """The skorch net of :class:`LipschitzVAE`: negative ELBO plus the Jacobian penalty.

    A batch's noise is drawn by the module (``draw_noise``) from ``noise`` (a
    seeded ``torch.Generator``); ``get_loss`` is the batch mean of the module's
    per-row loss plus, when ``penalty_weight > 0``, ``penalty_weight *
    mean(relu(||J_g(z)||_2 - lipschitz_target)^2)`` over the decoder Jacobians
    at the batch's latent draws (the penalty of ``method="penalty"``). The
    optimiser's parameter groups are the module's (``param_groups``): the
    decoder's output biases learn faster (``LipschitzVAE._param_groups``).
    """

    def __init__(self, module, *, noise=None, penalty_weight=0.0, lipschitz_target=None,
                 **kwargs):
        self.noise = noise
        self.penalty_weight = penalty_weight
        self.lipschitz_target = lipschitz_target
        super().__init__(module, **kwargs)

    def initialize_optimizer(self, *args, **kwargs):
        _, options = self.get_params_for_optimizer("optimizer", self.get_all_learnable_params())
        self.optimizer_ = self.optimizer(self.module.param_groups(), **options)
        return self

    def infer(self, x, **fit_params):
        rows = _batch_rows(x)
        return self.module_(rows, *self.module.draw_noise(rows.shape[0], self.noise))

    def get_loss(self, y_pred, y_true=None, X=None, training=False):
        loss_rows, z, labels = y_pred
        loss = loss_rows.mean()
        if self.penalty_weight > 0:
            norms = torch.linalg.matrix_norm(
                _jacobians(self.module.decoder, z.detach(), labels), ord=2)
            excess = torch.relu(norms - self.lipschitz_target)
            loss = loss + self.penalty_weight * excess.pow(2).mean()
        return loss


class _Projection(Callback):
    """Keep the numeric log scales in :data:`_LOG_SCALE_BOX` after every step; at the
    end of training make each spectral bound exact (:meth:`_BoundedLinear.freeze`).

    The module's ``log_scale`` is projected only when it is a parameter (with
    DP-SGD the scales are a layer's weights, clamped in the forward pass).
    """

    def on_batch_end(self, net, training=False, **kwargs):
        log_scale = getattr(net.module, "log_scale", None)
        if training and isinstance(log_scale, torch.nn.Parameter):
            with torch.no_grad():
                log_scale.clamp_(*_LOG_SCALE_BOX)

    def on_train_end(self, net, **kwargs):
        for layer in net.module.decoder.modules():
            if isinstance(layer, _BoundedLinear):
                layer.freeze()
