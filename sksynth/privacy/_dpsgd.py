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
from ..generators._lipschitz_columns import (
    _can_be_missing,
    _count_mu,
    _is_declared_nullable,
    _missing_offsets,
    _split_mu,
)
from ..generators._lipschitz_vae import _DTYPE, LipschitzVAE, _OneThread
from ._accountant import gaussian_mu

#: Prior draws at which the missing rates are calibrated (see ``_calibrate_missing``).
_CALIBRATION_DRAWS = 16384
#: Name of the DP-SGD step in the ledger.
_TRAINING = "training (DP-SGD)"

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
        when most rows are clipped (missing rates of 12% / 33% were learnt
        as 15% / 36% at the default); the sampled missing rates are therefore
        calibrated after training to the privately released missing counts
        (see ``nullable``).
    bounds, categories, column_types : dict or None, default=None
        Public data domain, as in :class:`~sksynth.generators.LipschitzVAE`
        (undeclared parts make ``epsilon_`` infinite).
    nullable : None, "all" or list, default=None
        Columns that may hold missing values, as in
        :class:`~sksynth.generators.LipschitzVAE`. The missing counts of these
        columns (``None``: of every column whose dtype can hold a missing
        value) are released once with the Gaussian mechanism, composed with
        DP-SGD by the same accountant; they take 5% of the budget (GDP
        parameter ``sqrt(0.05) * mu`` where ``mu`` is that of
        ``(target_epsilon, delta)``, the training noise is then calibrated so
        that the composition is ``(target_epsilon, delta)``). After training,
        each missing logit is shifted so that the sampled missing rate is the
        noisy rate (post-processing).
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
        Epsilon spent by training and the missing counts (``inf`` if a domain
        step is not private).
    delta_ : float
    noise_multiplier_ : float
        The noise multiplier used.
    epsilon_history_ : list of float
        Accountant epsilon after each epoch (the missing counts included).
    missing_counts_ : dict
        ``{column: noisy missing count}`` of the released counts.
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
                 categories=None, column_types=None, nullable=None,
                 min_group_size=DEFAULT_MIN_GROUP_SIZE,
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
        self.nullable = nullable
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

    def _counted_columns(self):
        """Columns whose missing counts are released: the declared nullable ones, or (None)
        every column whose dtype can hold a missing value."""
        if self.nullable is None:
            return super()._counted_columns()
        return [j for j in range(len(self._columns))
                if _is_declared_nullable(self.nullable, self._spec, j)
                and _can_be_missing(self._spec, j)]

    def _fit(self, frame, y_spec, X):
        """Train with DP-SGD on ``frame`` (and class labels)."""
        try:
            import opacus
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "DPSGDVAE needs Opacus: pip install 'sksynth[privacy]' (or pip install opacus)."
            ) from exc
        ledger, rng, device, hidden = self._fit_domain(frame, X)
        self.encoder_std_ = float(self.encoder_std)
        n = frame.shape[0]
        counted = self._counted_columns()
        # Opacus's schedule: sample rate 1 / (batches per epoch), int(epochs / rate) steps
        sample_rate = 1.0 / math.ceil(n / min(self.batch_size, n))
        steps = int(self.epochs / sample_rate)
        with warnings.catch_warnings(), np.errstate(divide="ignore"):
            warnings.filterwarnings("ignore", message=".*(Optimal order)")
            sigma, count_sigma = self._noise_levels(opacus, sample_rate, steps, bool(counted))
        self._release_missing(frame, counted, 1.0 / count_sigma if counted else 0.0, ledger,
                              rng, within=_TRAINING)
        data = self._encode(frame, None if self._y_spec is None else self._y_spec.encoded)
        self._build(data.shape[1], hidden, rng)
        with _OneThread(), warnings.catch_warnings(), np.errstate(divide="ignore"):
            # Opacus's notices (secure RNG off, RDP order range, log(0) in its PRV accountant
            # at sampling rate 1) and torch's full-backward-hook note are about the
            # libraries, not about this fit
            warnings.filterwarnings("ignore", message=".*(Secure RNG|Optimal order|Full backward)")
            self._train_private(opacus, data, rng, device, sigma,
                                [(count_sigma, 1.0, 1)] if counted else [])
        note = (f"Opacus DP-SGD ({self.accountant} accountant), noise multiplier "
                f"{self.noise_multiplier_:.4g}, clip {self.max_grad_norm:g}, {self.epochs} epochs")
        if counted:
            note += "; the accountant composes the missing counts in (listed above)"
        ledger.add(_TRAINING, "dp", epsilon=self._train_epsilon, delta=self.delta_, note=note)
        if self._missing_release is not None:
            with _OneThread():
                self._calibrate_missing()
            ledger.add("missing rates of the samples", "public",
                       note="the decoder's missing logits shifted to the noisy rates "
                            "(post-processing of the counts and the DP weights)")
        ledger.add("sampling", "public", note="decoding prior draws: post-processing")
        self.privacy_report_ = ledger
        self.epsilon_ = ledger.epsilon(self.delta_)
        self._pool = None
        with _OneThread():
            self._measure_lipschitz()
        self._init_sampling_stream(rng)
        return self

    def _noise_levels(self, opacus, sample_rate, steps, with_counts):
        """Noise multipliers of DP-SGD and of the missing counts (``None`` without counts).

        With ``target_epsilon``: the counts get ``mu_c = sqrt(share) * mu*`` where
        ``mu*`` is the GDP parameter of ``(target_epsilon, delta)``, and the
        DP-SGD noise is the smallest (Opacus's bisection, tolerance 0.01) for
        which the accountant's composition of the counts (one step at sampling
        rate 1, noise multiplier ``1 / mu_c``) and training stays within
        ``target_epsilon``. With ``noise_multiplier``: the counts get
        ``mu_c = sqrt(share / (1 - share)) * mu_T``, ``mu_T`` the GDP
        parameter of training's own ``(epsilon, delta)``.
        """
        accountant = opacus.accountants.create_accountant(mechanism=self.accountant)

        def epsilon(sigma, prefix):
            accountant.history = [*prefix, (sigma, sample_rate, steps)]
            return float(accountant.get_epsilon(delta=self.delta_))

        if self.noise_multiplier is not None:
            sigma = float(self.noise_multiplier)
            if not with_counts:
                return sigma, None
            mu_train = gaussian_mu(max(epsilon(sigma, []), 1e-9), self.delta_)
            return sigma, 1.0 / _count_mu(mu_train)
        count_sigma, prefix = None, []
        if with_counts:
            count_sigma = 1.0 / _split_mu(gaussian_mu(self.target_epsilon, self.delta_))[1]
            prefix = [(count_sigma, 1.0, 1)]
        # the bisection of opacus.accountants.utils.get_noise_multiplier, with the prefix
        low, high, eps_high = 0.0, 10.0, math.inf
        while eps_high > self.target_epsilon:
            high *= 2.0
            eps_high = epsilon(high, prefix)
            if high > 1e6:
                raise ValueError(f"target_epsilon={self.target_epsilon} is too small for "
                                 f"{self.epochs} epochs.")
        while self.target_epsilon - eps_high > 0.01:
            mid = 0.5 * (low + high)
            eps = epsilon(mid, prefix)
            if eps < self.target_epsilon:
                high, eps_high = mid, eps
            else:
                low = mid
        return high, count_sigma

    def _calibrate_missing(self):
        """Shift the decoder's missing logits so that sampled missing rates are the noisy ones.

        The rate of a column under sampling is the mean of its missing
        probability over prior draws (and, fitted with labels, over the label
        head's ``p(y | z)``); it is matched at ``_CALIBRATION_DRAWS`` fixed
        draws. Post-processing: it uses only the released counts and weights.
        """
        release = self._missing_release
        slots, targets = [], []
        for j, rate in zip(self._counted, release.rates):
            column = self._columns[j]
            if not column.nullable:
                continue
            start = sum(c.width for c in self._columns[:j])
            slots.append((start, column))
            targets.append(rate)
        if not slots:
            return
        gen = torch.Generator().manual_seed(0)
        Z = math.sqrt(self._prior_var()) * torch.randn(_CALIBRATION_DRAWS, self.latent_dim,
                                                       generator=gen, dtype=_DTYPE)
        if self._y_spec is None:
            scores, weights = [self._forward_chunks(self._decoder, Z).numpy()], [
                np.full(len(Z), 1.0 / len(Z))]
        else:
            head = torch.log_softmax(self._forward_chunks(self._decoder.head, Z), dim=1).exp()
            scores, weights = [], []
            for k in range(head.shape[1]):
                scores.append(self._forward_chunks(self._decoder, Z,
                                                   self._onehot(np.full(len(Z), k))).numpy())
                weights.append(head[:, k].numpy() / len(Z))
        scores, weights = np.concatenate(scores), np.concatenate(weights)
        logits = np.column_stack([self._missing_logit(scores, start, column)
                                  for start, column in slots])
        offsets = _missing_offsets(logits, weights, targets)
        bias = self._decoder.body[-1].bias
        with torch.no_grad():
            for (start, column), b in zip(slots, offsets):
                slot = start + 1 if column.categories is None else start + column.width - 1
                bias[slot] += float(b)

    @staticmethod
    def _missing_logit(scores, start, column):
        """Log-odds of "missing" of one column from the decoder's scores."""
        if column.categories is None:
            return scores[:, start + 1]
        block = scores[:, start:start + column.width]
        others = block[:, :-1]
        top = others.max(axis=1)
        return block[:, -1] - (top + np.log(np.exp(others - top[:, None]).sum(axis=1)))

    def _train_private(self, opacus, data, rng, device, sigma, prefix):
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
        model, optim, loader = engine.make_private(
            module=model, optimizer=optim, data_loader=loader, noise_multiplier=sigma,
            max_grad_norm=self.max_grad_norm, noise_generator=noise_gen)
        # the missing counts: one Gaussian mechanism at sampling rate 1, in the same accountant
        engine.accountant.history.extend(prefix)
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
