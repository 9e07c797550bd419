"""DP-SGD baseline: the LipschitzVAE architecture trained with Opacus.

This module imports torch (and Opacus inside ``fit``); :mod:`sksynth.privacy`
imports it lazily.
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import DEFAULT_MIN_GROUP_SIZE, _MAX_SEED
from ..generators._lipschitz_vae import _DTYPE, LipschitzVAE, _OneThread

__all__ = ["DPSGDVAE"]


class _LossModule(torch.nn.Module):
    """Per-row negative ELBO of a batch, as one module (Opacus wraps it)."""

    def __init__(self, owner):
        super().__init__()
        self.encoder = owner._encoder
        self.decoder = owner._decoder
        self._owner = [owner]  # not a submodule
        # the numeric scales, learnt under DP-SGD like every other weight: a Linear layer fed
        # a constant 1 holds them, so that Opacus clips and noises their per-row gradients
        # (no layer when there is no numeric column: Opacus refuses a weight without gradient)
        n_values = len(owner._value_index)
        self.scale = (torch.nn.Linear(1, n_values, bias=False, dtype=_DTYPE) if n_values
                      else None)
        if n_values:
            with torch.no_grad():
                self.scale.weight.copy_(owner._log_scale.detach().reshape(-1, 1))

    def log_scale(self, n_rows):
        if self.scale is None:
            return torch.zeros(n_rows, 0, dtype=_DTYPE)
        ones = torch.ones(n_rows, 1, dtype=_DTYPE, device=self.scale.weight.device)
        out = self.scale(ones)[:, :len(self._owner[0]._value_index)]
        return out.clamp(math.log(1e-3), math.log(10.0))

    def forward(self, rows, noise, value_noise):
        owner = self._owner[0]
        log_scale = self.log_scale(rows.shape[0])
        means = self.encoder(rows)
        scores = self.decoder(means + owner.encoder_std_ * noise, owner._labels(rows))
        values = rows[:, owner._value_index]
        if values.shape[1]:
            # A missing value is filled in by a draw from the decoder's own (detached)
            # predictive N(tanh(score), scale^2): its gradient is zero in expectation, so the
            # value model is unchanged, but the row's gradient norm is now like an observed
            # row's. Scoring only observed values made rows with missing values have far
            # smaller per-example gradients, so DP-SGD's clipping weighted them up to 20
            # times more and the missing rates came out two to three times too large.
            draw = (torch.tanh(scores[:, owner._value_index]).detach()
                    + log_scale.detach().exp() * value_noise)
            missing = owner._value_missing(rows) > 0.5
            values = torch.where(missing, draw, values)
        return owner._kl(means) - owner._log_lik(scores, rows, log_scale, values)


class DPSGDVAE(LipschitzVAE):
    """The same VAE trained with DP-SGD (Opacus): the baseline of Gross and Wunder (2023).

    Encoder, decoder (unconstrained), public-domain encoding and sampling are
    those of :class:`~sksynth.generators.LipschitzVAE`; training uses
    per-example gradient clipping and Gaussian noise with Poisson batches
    (Abadi et al., 2016), calibrated by Opacus's
    ``make_private_with_epsilon`` to ``(target_epsilon, delta)`` over
    ``epochs`` (or with a fixed ``noise_multiplier``, reporting the epsilon
    the accountant gives). Samples decode prior draws: post-processing of DP
    weights, so ``epsilon_`` covers everything ``sample`` returns. Unlike the
    Lipschitz VAE, the cost grows with the number of epochs at a fixed noise
    level. Needs the ``privacy`` extra (``pip install opacus``).

    Parameters
    ----------
    latent_dim : int, default=8
    hidden : tuple of int, default=(128, 128)
    encoder_std : float, default=1.0
        Fixed encoder noise (part of the architecture, not of the guarantee).
    clip : float, default=1.0
        Norm bound of the encoder mean (architecture only).
    target_epsilon : float, default=1.0
        Epsilon after ``epochs`` epochs (ignored when ``noise_multiplier`` is set).
    noise_multiplier : float or None, default=None
        Fixed DP-SGD noise multiplier; ``epsilon_`` is then read from the
        accountant after training.
    max_grad_norm : float, default=1.0
        Per-example gradient clipping norm. Clipping weights rows by the
        inverse of their gradient norm, which biases the learnt marginals
        when most rows are clipped (e.g. missing rates of 33% came back as
        40% at the default, as 34% at ``max_grad_norm=20`` with
        ``target_epsilon=10``); missing numeric values are scored as draws
        from the model so that rows with them are clipped like the others.
    bounds, categories, column_types : dict or None, default=None
        Public data domain, as in :class:`~sksynth.generators.LipschitzVAE`
        (undeclared parts make ``epsilon_`` infinite).
    min_group_size : int, default=5
        Tables with fewer rows are refused (the number of rows is public), as
        in :class:`~sksynth.generators.LipschitzVAE`.
    delta : float or None, default=None
        ``None`` uses ``1 / n_samples``.
    epochs : int, default=20
    batch_size : int, default=256
        Expected batch size (Poisson sampling rate ``batch_size / n``).
    lr : float, default=1e-3
        Adam learning rate (the decoder's output biases and the numeric
        scales, learnt under DP-SGD too, use ``max(lr, 0.05)``).
    accountant : {"prv", "rdp"}, default="prv"
        Opacus accountant.
    device : str, default="cpu"
    verbose : bool, default=False
    random_state : int, RandomState instance or None, default=None

    Attributes
    ----------
    epsilon_ : float
        Epsilon spent by training (``inf`` if a domain step is not private).
    delta_ : float
    noise_multiplier_ : float
        The noise multiplier used.
    epsilon_history_ : list of float
        Accountant epsilon after each epoch.
    privacy_report_ : PrivacyLedger
    loss_curve_ : list of float
    lipschitz_ : float
        Measured decoder Lipschitz constant (for comparison; unconstrained).
    lipschitz_bound_ : float
    encoder_std_ : float
    column_types_ : dict
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
    classes_ : ndarray of shape (n_classes,)

    See Also
    --------
    sksynth.generators.LipschitzVAE : Privacy from the encoder noise instead.

    References
    ----------
    .. [1] Abadi, M. et al. (2016). "Deep learning with differential privacy."
       ACM CCS.
    .. [2] Yousefpour, A. et al. (2021). "Opacus: user-friendly differential
       privacy library in PyTorch." arXiv:2109.12298.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.privacy import DPSGDVAE
    >>> X = np.random.RandomState(0).uniform(0, 1, size=(200, 2))
    >>> vae = DPSGDVAE(latent_dim=2, hidden=(16,), epochs=2, batch_size=50, target_epsilon=2.0,
    ...                bounds={0: (0, 1), 1: (0, 1)}, random_state=0).fit(X)  # doctest: +SKIP
    >>> bool(vae.epsilon_ <= 2.0 + 1e-6)  # doctest: +SKIP
    True
    """

    _optional_dependency = "opacus"

    _parameter_constraints = {
        key: value for key, value in LipschitzVAE._parameter_constraints.items()
        if key not in ("lipschitz", "method", "release", "penalty_weight", "target_epsilon",
                       "epochs")
    }
    _parameter_constraints.update({
        "target_epsilon": [Interval(Real, 0, None, closed="neither")],
        "noise_multiplier": [None, Interval(Real, 0, None, closed="neither")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "accountant": [StrOptions({"prv", "rdp"})],
    })

    def __init__(self, *, latent_dim=8, hidden=(128, 128), encoder_std=1.0, clip=1.0,
                 target_epsilon=1.0, noise_multiplier=None, max_grad_norm=1.0, bounds=None,
                 categories=None, column_types=None, min_group_size=DEFAULT_MIN_GROUP_SIZE,
                 delta=None, epochs=20, batch_size=256, lr=1e-3, accountant="prv",
                 device="cpu", verbose=False, random_state=None):
        self.latent_dim = latent_dim
        self.hidden = hidden
        self.encoder_std = encoder_std
        self.clip = clip
        self.target_epsilon = target_epsilon
        self.noise_multiplier = noise_multiplier
        self.max_grad_norm = max_grad_norm
        self.bounds = bounds
        self.categories = categories
        self.column_types = column_types
        self.min_group_size = min_group_size
        self.delta = delta
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.accountant = accountant
        self.device = device
        self.verbose = verbose
        self.random_state = random_state

    def _layer_bound(self, n_layers, share):
        return None

    def _fit(self, frame, y_spec, X):
        """Train with DP-SGD on ``frame`` (and class labels)."""
        try:
            import opacus
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "DPSGDVAE needs Opacus: pip install 'sksynth[privacy]' (or pip install opacus)."
            ) from exc
        data, ledger, rng, device, hidden = self._fit_domain(frame, X)
        self.encoder_std_ = float(self.encoder_std)
        self._build(data.shape[1], hidden, rng)
        with _OneThread(), warnings.catch_warnings(), np.errstate(divide="ignore"):
            # Opacus's notices (secure RNG off, RDP order range, log(0) in its PRV accountant
            # at sampling rate 1) and torch's full-backward-hook note are about the
            # libraries, not about this fit
            warnings.filterwarnings("ignore", message=".*(Secure RNG|Optimal order|Full backward)")
            self._train_private(opacus, data, rng, device)
        ledger.add("training (DP-SGD)", "dp", epsilon=self._train_epsilon, delta=self.delta_,
                   note=f"Opacus DP-SGD ({self.accountant} accountant), noise multiplier "
                        f"{self.noise_multiplier_:.4g}, clip {self.max_grad_norm:g}, "
                        f"{self.epochs} epochs")
        ledger.add("sampling", "public", note="decoding prior draws: post-processing")
        self.privacy_report_ = ledger
        self.epsilon_ = ledger.epsilon(self.delta_)
        self._pool = None
        with _OneThread():
            self._measure_lipschitz()
        self._init_sampling_stream(rng)
        return self

    def _train_private(self, opacus, data, rng, device):
        n = data.shape[0]
        model = loss_module = _LossModule(self).to(device)
        tensor = torch.as_tensor(data, dtype=_DTYPE, device=device)
        loader_gen = torch.Generator().manual_seed(int(rng.randint(_MAX_SEED)))
        noise_gen = torch.Generator(device=device).manual_seed(int(rng.randint(_MAX_SEED)))
        latent_gen = torch.Generator(device=device).manual_seed(int(rng.randint(_MAX_SEED)))
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(tensor), batch_size=min(self.batch_size, n),
            shuffle=True, generator=loader_gen)
        # the output biases at a larger step, as in LipschitzVAE (missing rates, marginals)
        fast = [] if model.scale is None else [model.scale.weight]
        optim = torch.optim.Adam(self._param_groups(fast=fast), lr=self.lr)
        engine = opacus.PrivacyEngine(accountant=self.accountant)
        common = dict(module=model, optimizer=optim, data_loader=loader,
                      max_grad_norm=self.max_grad_norm, noise_generator=noise_gen)
        if self.noise_multiplier is None:
            model, optim, loader = engine.make_private_with_epsilon(
                target_epsilon=self.target_epsilon, target_delta=self.delta_,
                epochs=self.epochs, **common)
        else:
            model, optim, loader = engine.make_private(noise_multiplier=self.noise_multiplier,
                                                       **common)
        self.noise_multiplier_ = float(optim.noise_multiplier)
        model.train()
        self.loss_curve_, self.epsilon_history_ = [], []
        for epoch in range(self.epochs):
            total, count = 0.0, 0
            for (rows,) in loader:
                if rows.shape[0] == 0:
                    continue
                noise = torch.randn(rows.shape[0], self.latent_dim, generator=latent_gen,
                                    dtype=_DTYPE, device=device)
                value_noise = torch.randn(rows.shape[0], len(self._value_index),
                                          generator=latent_gen, dtype=_DTYPE, device=device)
                loss = model(rows, noise, value_noise)
                optim.zero_grad()
                loss.mean().backward()
                optim.step()
                total += float(loss.detach().sum())
                count += rows.shape[0]
            self.loss_curve_.append(total / max(count, 1))
            self.epsilon_history_.append(float(engine.get_epsilon(self.delta_)))
            if self.verbose:
                print(f"DPSGDVAE epoch {epoch + 1}/{self.epochs}: loss "
                      f"{self.loss_curve_[-1]:.4f}, epsilon {self.epsilon_history_[-1]:.3f}")
        self._train_epsilon = self.epsilon_history_[-1] if self.epsilon_history_ else 0.0
        model.remove_hooks()  # plain modules again (picklable, usable by torch.func)
        with torch.no_grad():
            self._log_scale = torch.nn.Parameter(
                loss_module.log_scale(1)[0].detach().cpu(), requires_grad=False)
        self._encoder = self._encoder.to("cpu").eval()
        self._decoder = self._decoder.to("cpu").eval()
        # drop Opacus hooks and per-sample gradients before pickling
        for module in (*self._encoder.modules(), *self._decoder.modules()):
            for param in module.parameters(recurse=False):
                for attr in ("grad_sample", "_forward_counter", "summed_grad"):
                    if hasattr(param, attr):
                        delattr(param, attr)
                param.grad = None
