"""The networks of :class:`~sksynth.generators.ConditionalTabularGAN` and their trainer.

Residual generator, PacGAN critic with dropout, the conditional-vector sampler
(CTGAN's training-by-sampling) and :class:`_GANTrainer`, the torch layer's net
whose ``train_step`` runs the critic's and the generator's optimisers (WGAN-GP).
This module imports torch.
"""

import numpy as np
import torch
import torch.nn.functional as F

from ._torch import GeneratorNet
from ._torch_utils import _linear

#: Temperature of the Gumbel-softmax outputs during training (as CTGAN).
_TAU = 0.2

#: Weight of the gradient penalty (WGAN-GP).
_GP_WEIGHT = 10.0

#: Dropout of the discriminator's hidden layers (as CTGAN).
_DROPOUT = 0.5


class _Residual(torch.nn.Module):
    """``[relu(bn(W x + b)), x]``: CTGAN's residual block (widens by ``n_out``)."""

    def __init__(self, n_in, n_out, generator):
        super().__init__()
        self.fc = _linear(n_in, n_out, generator)
        self.bn = torch.nn.BatchNorm1d(n_out)

    def forward(self, x):
        return torch.cat([torch.relu(self.bn(self.fc(x))), x], dim=1)


class _Generator(torch.nn.Module):
    def __init__(self, n_in, dims, d, generator):
        super().__init__()
        layers, dim = [], n_in
        for width in dims:
            layers.append(_Residual(dim, width, generator))
            dim += width
        layers.append(_linear(dim, d, generator))
        self.seq = torch.nn.Sequential(*layers)

    def forward(self, x):
        return self.seq(x)


class _Discriminator(torch.nn.Module):
    """Critic on packs of ``pac`` rows (PacGAN); dropout drawn from an explicit generator."""

    def __init__(self, n_in, dims, pac, generator):
        super().__init__()
        self.pac = pac
        self.n_pack = n_in * pac
        self.hidden = torch.nn.ModuleList()
        dim = self.n_pack
        for width in dims:
            self.hidden.append(_linear(dim, width, generator))
            dim = width
        self.out = _linear(dim, 1, generator)

    def forward(self, x, generator=None):
        h = x.reshape(-1, self.n_pack)
        for layer in self.hidden:
            h = F.leaky_relu(layer(h), 0.2)
            if generator is not None:
                keep = torch.rand(h.shape, generator=generator, device=h.device) >= _DROPOUT
                h = h * keep / (1.0 - _DROPOUT)
        return self.out(h)


class _ConditionSampler:
    """Conditions for training (CTGAN's training-by-sampling) and for sampling.

    Training: a unit uniformly, one of its values by (log-)frequency, a
    training row with that value (vectorised: the rows of every (unit,
    value) lie consecutively in one index array, so a batch is a few NumPy
    calls). The class label, when there is one, is the chosen row's.

    Sampling: the label from its frequencies (or from its frequencies given
    the requested value), a unit uniformly, its value from its frequencies
    given the label -- so that the mixture of the conditionals is the joint
    distribution. Only (label, value) counts are kept after ``fit``.
    """

    def __init__(self, codes, n_slots, labels, n_classes, log_frequency):
        n, n_units = codes.shape
        self.n_units = n_units
        self.n = n
        width = max(n_slots, default=1)
        self.counts = np.zeros((n_units, width), dtype=np.int64)
        self.start = np.zeros((n_units, width), dtype=np.int64)
        orders = []
        for u in range(n_units):
            counts = np.bincount(codes[:, u], minlength=n_slots[u])
            self.counts[u, :counts.size] = counts
            self.start[u, :counts.size] = u * n + np.concatenate([[0], np.cumsum(counts)[:-1]])
            orders.append(np.argsort(codes[:, u], kind="stable"))
        self.rows = np.concatenate(orders) if orders else np.empty(0, dtype=np.int64)
        freq = np.log1p(self.counts) if log_frequency else self.counts.astype(np.float64)
        self.train_cum = _cumulative(freq)
        labels = np.zeros(n, dtype=np.int64) if labels is None else labels
        self.joint = np.zeros((n_units, max(n_classes, 1), width))
        for u in range(n_units):
            np.add.at(self.joint[u], (labels, codes[:, u]), 1.0)
        self.label_cum = _cumulative(np.bincount(labels, minlength=max(n_classes, 1))[None, :]
                                     .astype(np.float64))[0]

    def draw(self, b, rng):
        """``(unit, slot, row)`` of ``b`` training conditions."""
        if not self.n_units:
            return None, None, rng.randint(self.n, size=b)
        unit = rng.randint(self.n_units, size=b)
        slot = _choose(self.train_cum[unit], rng)
        offset = (rng.random_sample(b) * self.counts[unit, slot]).astype(np.int64)
        return unit, slot, self.rows[self.start[unit, slot] + offset]

    def complete(self, n, rng, unit=None, slot=None, label=None):
        """Fill in the label and the unit of sampling conditions not requested."""
        if label is None:
            if unit is not None:  # p(label | unit = slot)
                label = _choose(_cumulative(self.joint[unit, :, slot]), rng)
            else:
                label = _choose(np.broadcast_to(self.label_cum, (n, self.label_cum.size)), rng)
        if unit is None and self.n_units:
            unit = rng.randint(self.n_units, size=n)
            slot = _choose(_cumulative(self.joint[unit, label, :]), rng)
        return unit, slot, label


def _cumulative(weights):
    """Row-wise cumulative probabilities, exactly 1 at the last positive weight, 2 after it."""
    weights = np.asarray(weights, dtype=np.float64)
    total = weights.sum(axis=1, keepdims=True)
    cum = np.cumsum(weights / np.where(total > 0, total, 1.0), axis=1)
    last = weights.shape[1] - 1 - np.argmax(weights[:, ::-1] > 0, axis=1)
    cum[np.arange(cum.shape[0]), last] = 1.0
    cum[np.arange(cum.shape[1])[None, :] > last[:, None]] = 2.0
    return cum


def _choose(cum, rng):
    """One index per row of cumulative probabilities ``cum`` (n, k)."""
    return np.argmax(cum > rng.random_sample(cum.shape[0])[:, None], axis=1)


class _GANTrainer(GeneratorNet):
    """The skorch net that trains the conditional WGAN-GP of CTGAN (Xu et al., 2019).

    ``module`` is the generator and ``critic`` the discriminator, each with its
    own Adam (``betas=(0.5, 0.9)``). One training step is ``discriminator_steps``
    critic updates on the Wasserstein loss with gradient penalty (Gulrajani et
    al., 2017, eq. 3; weight ``_GP_WEIGHT``, on ``pac`` rows packed together)
    and one generator update on ``-critic(fake)`` plus the cross-entropy of the
    columns its conditional vector names. ``draw_conditions()`` draws a batch's
    conditions and the training rows that match them (training by sampling), so
    batches are :class:`~._torch.DrawnBatches` placeholders. The step's
    ``loss`` is the generator's; the critic's goes to ``train_loss_d``.
    """

    def __init__(self, module, *, critic=None, data=None, draw_conditions=None, activate=None,
                 condition_loss=None, permute=None, width=0, latent_dim=0, pac=1,
                 discriminator_steps=1,
                 noise=None, precision="float32", critic_lr=2e-4, critic_weight_decay=1e-6,
                 **kwargs):
        # set before NeuralNet.__init__: skorch lets a module in only while initialising
        self.critic = critic
        self.data = data
        self.draw_conditions = draw_conditions
        self.activate = activate
        self.condition_loss = condition_loss
        self.permute = permute
        self.width = width
        self.latent_dim = latent_dim
        self.pac = pac
        self.discriminator_steps = discriminator_steps
        self.noise = noise
        self.precision = precision
        self.critic_lr = critic_lr
        self.critic_weight_decay = critic_weight_decay
        super().__init__(module, **kwargs)

    def initialize_module(self):
        super().initialize_module()
        self.critic_ = self.critic.to(self.device)
        return self

    def initialize_optimizer(self, triggered_directly=None):
        super().initialize_optimizer()
        self.critic_optimizer_ = torch.optim.Adam(
            self.critic_.parameters(), lr=self.critic_lr, betas=(0.5, 0.9),
            weight_decay=self.critic_weight_decay, fused=True)
        return self

    def _fake_rows(self, C, autocast):
        b = self.batch_size
        z = torch.randn((b, self.latent_dim), generator=self.noise, device=self.device)
        with autocast:
            out = self.module_(z if C is None else torch.cat([z, C], dim=1))
        out = out.float()
        return out, self.activate(out[:, :self.width], self.noise)

    def train_step(self, batch, **fit_params):
        generator, critic, noise, device = self.module_, self.critic_, self.noise, self.device
        b, pac, d = self.batch_size, self.pac, self.width
        autocast = torch.autocast(torch.device(device).type, dtype=torch.bfloat16,
                                  enabled=self.precision == "bfloat16")

        def with_cond(x, C):
            return x if C is None else torch.cat([x, C], dim=1)

        generator.train()
        critic.train()
        for _ in range(self.discriminator_steps):
            C, _, rows = self.draw_conditions()
            with torch.no_grad():
                _, fake = self._fake_rows(C, autocast)
            perm = torch.as_tensor(self.permute(b), device=device)
            real = with_cond(self.data.index_select(0, rows[perm]),
                             None if C is None else C.index_select(0, perm))
            fake = with_cond(fake, C)
            width = real.shape[1]
            alpha = torch.rand((b // pac, 1, 1), generator=noise, device=device)
            alpha = alpha.expand(b // pac, pac, width).reshape(b, width)
            mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
            with autocast:
                scores = critic(torch.cat([real, fake, mixed], dim=0), noise)
            scores = scores.float()
            s_real, s_fake, s_mixed = scores.split(b // pac)
            grad, = torch.autograd.grad(s_mixed.sum(), mixed, create_graph=True)
            norms = grad.reshape(-1, pac * width).norm(2, dim=1)
            penalty = _GP_WEIGHT * ((norms - 1.0) ** 2).mean()
            loss_d = s_fake.mean() - s_real.mean()
            self.critic_optimizer_.zero_grad(set_to_none=True)
            (loss_d + penalty).backward()
            self.critic_optimizer_.step()
        C, revealed, _ = self.draw_conditions()
        out, fake = self._fake_rows(C, autocast)
        critic.requires_grad_(False)  # no gradients for the critic's weights here
        with autocast:
            loss_g = -critic(with_cond(fake, C), noise).float().mean()
        for unit, slot in revealed:
            loss_g = loss_g + (F.cross_entropy(out[:, d:], slot) if unit is None
                               else self.condition_loss(out[:, :d], unit, slot))
        self.optimizer_.zero_grad(set_to_none=True)
        loss_g.backward()
        self.optimizer_.step()
        critic.requires_grad_(True)
        self.history.record_batch("train_loss_d", loss_d.item())
        return {"loss": loss_g.detach(), "y_pred": None}
