"""Networks of :class:`LipschitzVAE`: spectrally bounded layers, encoder, decoder.

Also the Jacobian tools that measure the decoder's Lipschitz constant. This
module imports torch.
"""

import math

import torch

#: Floating-point type of every network.
_DTYPE = torch.float64


class _BoundedLinear(torch.nn.Module):
    """Linear layer whose spectral norm is kept at most ``bound``.

    The effective weight is ``W * min(1, bound / sigma(W))``. During training
    ``sigma`` is the one-step power-iteration estimate of Miyato et al. (2018)
    (persistent vector ``u``); :meth:`freeze` then replaces ``W`` by its
    normalisation with the *exact* largest singular value, so the bound holds
    exactly for the fitted layer. ``bound=None`` leaves the layer unconstrained.

    A training-mode forward keeps ``_state = (u, v, sigma)`` (detached), the
    quantities its effective weight was computed from, so that the
    per-example gradient of ``W`` (DP-SGD, ``sksynth.generators._dpsgd``) can be
    formed exactly by the chain rule through the normalisation.
    """

    def __init__(self, weight, bias, bound, u):
        super().__init__()
        self.weight = torch.nn.Parameter(weight)
        self.bias = torch.nn.Parameter(bias)
        self.bound = bound
        # a plain tensor, not a buffer: Opacus refuses trainable layers with buffers (u is a
        # function of the weights alone, so it carries no information of its own)
        self.u = u / torch.linalg.vector_norm(u)
        self._state = None

    def effective_weight(self):
        if self.bound is None:
            return self.weight
        if self.training:
            with torch.no_grad():
                v = self.weight.T @ self.u.to(self.weight.device)
                v = v / torch.linalg.vector_norm(v).clamp_min(1e-12)
                u = self.weight @ v
                self.u = u / torch.linalg.vector_norm(u).clamp_min(1e-12)
            sigma = self.u @ self.weight @ v
            self._state = (self.u.detach().clone(), v.detach(), sigma.detach())
        else:
            sigma = torch.linalg.matrix_norm(self.weight, ord=2)
        return self.weight * torch.clamp(self.bound / sigma.clamp_min(1e-12), max=1.0)

    def freeze(self):
        """Normalise ``W`` exactly and stop normalising (the bound now holds as stored)."""
        if self.bound is not None:
            with torch.no_grad():
                exact = torch.linalg.matrix_norm(self.weight, ord=2)
                self.weight.mul_(torch.clamp(self.bound / exact, max=1.0))
            self.bound = None
        self._state = None

    def forward(self, x):
        return torch.nn.functional.linear(x, self.effective_weight(), self.bias)


def _layer(n_in, n_out, rng, bound=None):
    scale = 1.0 / math.sqrt(n_in)
    weight = torch.as_tensor(rng.uniform(-scale, scale, (n_out, n_in)), dtype=_DTYPE)
    bias = torch.as_tensor(rng.uniform(-scale, scale, n_out), dtype=_DTYPE)
    if bound is None:  # a plain layer (also what Opacus can privatise)
        layer = torch.nn.Linear(n_in, n_out, dtype=_DTYPE)
        with torch.no_grad():
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)
        return layer
    return _BoundedLinear(weight, bias, bound, torch.as_tensor(rng.normal(size=n_out),
                                                                dtype=_DTYPE))


def _mlp(sizes, rng, bound=None):
    layers = []
    for k in range(len(sizes) - 1):
        layers.append(_layer(sizes[k], sizes[k + 1], rng, bound))
        if k < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


class _Decoder(torch.nn.Module):
    """Latent code (and class label) to output scores.

    Without labels the decoder is an MLP ``g(z)``. With ``n_classes`` labels
    (Gross and Wunder's VAE made class-conditional), the output is
    ``[g(z, y), h(z)]``: the row scores ``g`` get the one-hot label through an
    unconstrained embedding added to the first layer's pre-activation (for a
    fixed label a constant offset, so the Lipschitz constant in ``z`` is that
    of the MLP), and the label scores come from a linear head ``h`` with
    spectral norm at most ``head_bound``.
    """

    def __init__(self, sizes, rng, bound=None, n_classes=0, head_bound=None):
        super().__init__()
        self.body = _mlp(sizes, rng, bound)
        self.embed = self.head = None
        if n_classes:
            scale = 1.0 / math.sqrt(n_classes)
            self.embed = torch.nn.Linear(n_classes, sizes[1], bias=False, dtype=_DTYPE)
            with torch.no_grad():
                self.embed.weight.copy_(torch.as_tensor(
                    rng.uniform(-scale, scale, (sizes[1], n_classes)), dtype=_DTYPE))
            self.head = _mlp((sizes[0], n_classes), rng, head_bound)

    def forward(self, z, y=None):
        if self.embed is None:
            return self.body(z)
        h = self.body[0](z) + self.embed(y)
        for layer in self.body[1:]:
            h = layer(h)
        return torch.cat([h, self.head(z)], dim=-1)

    def lipschitz_bound(self):
        """Product of the layers' spectral norms (combined with the head's, if any)."""
        def product(layers):
            out = 1.0
            for layer in layers:
                if isinstance(layer, (_BoundedLinear, torch.nn.Linear)):
                    out *= float(torch.linalg.matrix_norm(layer.weight, ord=2))
            return out
        body = product(self.body)
        # the Jacobian stacks the body's and the head's: ||[A; B]|| <= sqrt(||A||^2 + ||B||^2)
        return body if self.head is None else math.hypot(body, product(self.head))


class _Encoder(torch.nn.Module):
    """MLP mean, projected onto the ball of radius ``clip``: ``||mu(x)|| <= clip``."""

    def __init__(self, sizes, clip, rng):
        super().__init__()
        self.net = _mlp(sizes, rng)
        self.clip = clip

    def forward(self, x):
        h = self.net(x)
        norm = torch.linalg.vector_norm(h, dim=1, keepdim=True)
        return h * torch.clamp(self.clip / (norm + 1e-12), max=1.0)


def _jacobians(decoder, Z, Y=None):
    """Decoder Jacobians in ``z`` at the rows of ``Z`` (labels ``Y``): (n, n_out, latent_dim)."""
    if Y is None:
        return torch.func.vmap(torch.func.jacrev(decoder))(Z)
    return torch.func.vmap(torch.func.jacrev(decoder))(Z, Y)


def _power_iteration_norms(J, n_iter=100, seed=0):
    """Largest singular value of each Jacobian by power iteration on ``J^T J``."""
    gen = torch.Generator().manual_seed(seed)
    v = torch.randn(J.shape[0], J.shape[2], 1, generator=gen, dtype=J.dtype)
    JtJ = J.transpose(1, 2) @ J
    for _ in range(n_iter):
        v = JtJ @ v
        v = v / torch.linalg.vector_norm(v, dim=1, keepdim=True).clamp_min(1e-300)
    return torch.linalg.vector_norm(J @ v, dim=1).reshape(-1)
