"""DP-SGD for the Lipschitz-VAE architecture (Opacus): one trainer, two estimators.

:func:`_fit_dp_sgd` is the one DP-SGD path. :class:`DPSGDVAE` (the baseline:
unconstrained decoder, prior sampling) and ``LipschitzVAE(weights="dp-sgd")``
(spectrally bounded decoder, posterior release) both fit through it: the
missing counts, the released codes (if any) and training are composed in one
Opacus accountant. Per-example gradients of the spectrally normalised layers
come from :func:`_bounded_linear_grad_sample`, registered with Opacus.

This module imports torch (and Opacus inside ``fit``); :mod:`sksynth.generators`
imports it lazily.
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from .._accountant import gaussian_mu
from ..base import DEFAULT_MIN_GROUP_SIZE, _MAX_SEED
from ._lipschitz_columns import _count_mu, _missing_offsets, _split_mu
from ._lipschitz_nets import _BoundedLinear
from ._lipschitz_train import _LOG_SCALE_BOX, _batch_rows, _LipschitzNet, _NegativeELBO, _Projection
from ._lipschitz_vae import _DTYPE, LipschitzVAE
from ._torch import check_callbacks, one_thread

#: Prior draws at which the missing rates are calibrated (see ``_calibrate_missing``).
_CALIBRATION_DRAWS = 16384
#: Name of the DP-SGD step in the ledger.
_TRAINING = "training (DP-SGD)"
#: Warnings of Opacus (secure RNG off, RDP order range, log(0) in its PRV accountant at
#: sampling rate 1) and of torch (full backward hooks): about the libraries, not the fit.
_LIBRARY_NOTICES = ".*(Secure RNG|Optimal order|Full backward)"

__all__ = ["DPSGDVAE"]


def _import_opacus(owner):
    try:
        import opacus
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"{owner} needs Opacus: pip install 'sksynth[privacy]' (or pip install opacus)."
        ) from exc
    from opacus.grad_sample import register_grad_sampler

    register_grad_sampler(_BoundedLinear)(_bounded_linear_grad_sample)
    return opacus


def _bounded_linear_grad_sample(layer, activations, backprops):
    """Per-example gradients of a :class:`_BoundedLinear` (Opacus grad sampler).

    The layer computes ``a @ W_eff.T + b`` with ``W_eff = c W``,
    ``c = min(1, bound / sigma)`` and, in training, ``sigma = u^T W v`` where
    ``u`` and ``v`` come from the power iteration without gradient. With
    ``G_i = g_i a_i^T`` the per-example gradient with respect to ``W_eff``
    (``g_i`` the backprop of example ``i``), the chain rule gives
    ``dL_i/dW = G_i`` where ``c = 1`` (the clamp is flat there), and
    ``c G_i - (bound / sigma^2) <G_i, W> u v^T`` where ``c < 1``: exactly
    what autograd computes for one example.
    """
    a = activations[0].to(backprops.dtype)
    grad_eff = torch.einsum("n...i,n...j->nij", backprops, a)
    out = {}
    if layer.weight.requires_grad:
        state = layer._state
        grad = grad_eff
        if layer.bound is not None and state is not None:
            u, v, sigma = state
            c = float(layer.bound / max(float(sigma), 1e-12))
            if c < 1.0:
                inner = torch.einsum("nij,ij->n", grad_eff, layer.weight.detach())
                grad = c * grad_eff - (c / float(sigma)) * inner[:, None, None] * torch.outer(
                    u, v)[None]
        out[layer.weight] = grad
    if layer.bias.requires_grad:
        out[layer.bias] = torch.einsum("n...k->nk", backprops)
    return out


class _PrivateNegativeELBO(_NegativeELBO):
    """The per-row negative ELBO that Opacus wraps, with DP-SGD's two differences.

    The numeric scales are the weights of a ``Linear`` layer fed a constant 1,
    so that Opacus clips and noises their per-row gradients like every other
    weight (no layer without numeric columns: Opacus refuses a weight without
    gradient); and a missing value is filled in by a draw from the decoder's
    own predictive (``forward``'s ``value_noise``).
    """

    def _init_scales(self, owner):
        n_values = len(owner._value_index)
        self.scale = (torch.nn.Linear(1, n_values, bias=False, dtype=_DTYPE) if n_values
                      else None)
        if n_values:
            with torch.no_grad():
                self.scale.weight.copy_(owner._log_scale.detach().reshape(-1, 1))

    def scales(self, n_rows):
        if self.scale is None:
            return torch.zeros(n_rows, 0, dtype=_DTYPE)
        ones = torch.ones(n_rows, 1, dtype=_DTYPE, device=self.scale.weight.device)
        out = self.scale(ones)[:, :len(self._owner[0]._value_index)]
        return out.clamp(*_LOG_SCALE_BOX)

    def draw_noise(self, n_rows, generator):
        """``(noise, value_noise)``: (n_rows, latent_dim) and (n_rows, n_numeric)."""
        owner = self._owner[0]
        return (self._randn(generator, n_rows, owner.latent_dim),
                self._randn(generator, n_rows, len(owner._value_index)))

    def param_groups(self):
        # the output biases at a larger step, as in LipschitzVAE (missing rates, marginals);
        # the numeric scales at lr: at the biases' step, DP noise on 64 pixel scales cut
        # digits' TSTR accuracy from 0.73 to 0.56 at epsilon 8 (benchmarks/README.md,
        # privacy section)
        return self._owner[0]._param_groups(extra=[] if self.scale is None
                                            else [self.scale.weight])

    def forward(self, rows, noise, value_noise):
        owner = self._owner[0]
        log_scale = self.scales(rows.shape[0])
        means, z, labels, scores = self._decode(rows, noise)
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
        return owner._kl(means) - owner._log_lik(scores, rows, log_scale, values), z, labels


class _DPSGDNet(_LipschitzNet):
    """The Lipschitz VAE's net under DP-SGD: Opacus wraps its module, optimiser and loader.

    The wrapping needs the training rows (Opacus replaces the loader by
    Poisson sampling at rate ``batch_size / n``), which skorch hands over
    only when training starts, in ``get_iterator``: there the module, the
    optimiser (built by ``initialize_optimizer`` from the module's groups)
    and a ``DataLoader`` of the rows become Opacus's, and ``prefix`` (the
    other Gaussian mechanisms, ``(noise_multiplier, sample_rate, steps)``)
    enters the same accountant. Every epoch records the accountant's
    ``epsilon`` at ``delta`` in the history; an empty Poisson batch is no step.
    """

    def __init__(self, module, *, accountant="prv", noise_multiplier=1.0, max_grad_norm=1.0,
                 delta=None, prefix=(), loader_generator=None, noise_generator=None,
                 **kwargs):
        self.accountant = accountant
        self.noise_multiplier = noise_multiplier
        self.max_grad_norm = max_grad_norm
        self.delta = delta
        self.prefix = prefix
        self.loader_generator = loader_generator
        self.noise_generator = noise_generator
        super().__init__(module, **kwargs)

    def get_iterator(self, dataset, training=False):
        if not training:
            return super().get_iterator(dataset, training=training)
        opacus = _import_opacus(type(self.module._owner[0]).__name__)
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(_batch_rows(dataset.X)),
            batch_size=self.batch_size, shuffle=True, generator=self.loader_generator)
        self.privacy_engine_ = opacus.PrivacyEngine(accountant=self.accountant)
        self.module_, self.optimizer_, loader = self.privacy_engine_.make_private(
            module=self.module_, optimizer=self.optimizer_, data_loader=loader,
            noise_multiplier=self.noise_multiplier, max_grad_norm=self.max_grad_norm,
            noise_generator=self.noise_generator)
        self.privacy_engine_.accountant.history.extend(self.prefix)
        return loader

    def train_step(self, batch, **fit_params):
        if _batch_rows(batch).shape[0] == 0:  # Poisson sampling drew no row
            return {"loss": torch.zeros(()), "y_pred": None}
        return super().train_step(batch, **fit_params)

    def on_epoch_end(self, net, **kwargs):
        self.history.record("epsilon", float(self.privacy_engine_.get_epsilon(self.delta)))

    def on_train_end(self, net, **kwargs):
        self.module_.remove_hooks()  # plain modules again (picklable, usable by torch.func)
        # drop Opacus's per-sample gradients and counters before pickling
        for param in self.module.parameters():
            for attr in ("grad_sample", "_forward_counter", "summed_grad"):
                if hasattr(param, attr):
                    delattr(param, attr)
            param.grad = None


def _fit_dp_sgd(est, frame, X):
    """The DP-SGD fit of ``DPSGDVAE`` and ``LipschitzVAE(weights="dp-sgd")``.

    Steps, all in one Opacus accountant: the missing counts (Gaussian
    mechanism, one step at sampling rate 1), the released codes if
    ``est._releases_codes()`` (Gaussian mechanism of sensitivity ``2 * clip``
    and noise ``encoder_std_``: noise multiplier ``encoder_std_ / (2 clip)``,
    one step at sampling rate 1) and DP-SGD. ``epsilon_`` is the accountant's
    epsilon of the composition at ``delta_``.
    """
    opacus = _import_opacus(type(est).__name__)
    if est.epochs < 1:
        raise ValueError("DP-SGD training needs epochs >= 1.")
    device, dims = est._network_options()
    ledger, rng = est._fit_domain(frame, X)
    n = frame.shape[0]
    counted = est._counted_columns()
    codes = est._releases_codes()
    # Opacus's schedule: sample rate 1 / (batches per epoch), int(epochs / rate) steps
    sample_rate = 1.0 / math.ceil(n / min(est.batch_size, n))
    steps = int(est.epochs / sample_rate)
    with warnings.catch_warnings(), np.errstate(divide="ignore"):
        warnings.filterwarnings("ignore", message=_LIBRARY_NOTICES)
        sigma, count_sigma, code_sigma = _noise_levels(est, opacus, sample_rate, steps,
                                                       bool(counted), codes)
    est.encoder_std_ = (float(est.encoder_std) if code_sigma is None
                        else 2.0 * est.clip * code_sigma)
    est._release_missing(frame, counted, 1.0 / count_sigma if counted else 0.0, ledger, rng,
                         within=_TRAINING)
    data = est._encode(frame, None if est._y_spec is None else est._y_spec.encoded)
    est._build(data.shape[1], dims, rng)
    prefix = ([(count_sigma, 1.0, 1)] if counted else []) + (
        [(code_sigma, 1.0, 1)] if codes else [])
    with warnings.catch_warnings(), np.errstate(divide="ignore"):
        warnings.filterwarnings("ignore", message=_LIBRARY_NOTICES)
        _train_private(est, data, rng, device, sigma, prefix)
    note = (f"Opacus DP-SGD ({est.accountant} accountant), noise multiplier "
            f"{est.noise_multiplier_:.4g}, clip {est.max_grad_norm:g}, {est.epochs} epochs")
    composed = [name for name, used in (("the missing counts", counted),
                                        ("the released codes", codes)) if used]
    if composed:
        note += f"; the accountant composes {' and '.join(composed)} in (their rows)"
    ledger.add(_TRAINING, "dp", epsilon=est._train_epsilon, delta=est.delta_, note=note)
    est._pool = None
    if codes:
        est._pool = est._release_codes(data, rng)
        ledger.add("released latent codes (one per row)", "gdp", mu=1.0 / code_sigma,
                   within=_TRAINING,
                   note=f"Gaussian mechanism, sensitivity 2*clip={2 * est.clip:g}, "
                        f"std={est.encoder_std_:.4g} (noise multiplier {code_sigma:.4g} at "
                        "sampling rate 1 in the accountant)")
    if est._missing_release is not None:
        with one_thread():
            _calibrate_missing(est)
        ledger.add("missing rates of the samples", "public",
                   note="the decoder's missing logits shifted to the noisy rates "
                        "(post-processing of the counts, the DP weights and the codes)")
    ledger.add("sampling", "public",
               note=("decoding the released codes" if codes else "decoding prior draws")
               + ": post-processing")
    est.privacy_report_ = ledger
    est.epsilon_ = ledger.epsilon(est.delta_)
    if not isinstance(est, DPSGDVAE):
        est.mu_ = math.nan  # composed by the accountant (RDP or PRV), not in GDP
    with one_thread():
        est._measure_lipschitz()
    est._init_sampling_stream(rng)
    return est


def _noise_levels(est, opacus, sample_rate, steps, with_counts, with_codes):
    """Noise multipliers ``(DP-SGD, counts, codes)`` (``None`` for a step not taken).

    With a target epsilon: ``mu*`` is the GDP parameter of
    ``(target_epsilon, delta)``; the counts get ``mu_c = sqrt(0.05) mu*``,
    the codes ``mu_z = sqrt(release_share) mu*`` (noise multiplier ``1 / mu``,
    one step at sampling rate 1), and the DP-SGD noise is the smallest
    (Opacus's bisection, tolerance 0.01) for which the accountant's
    composition of these steps and training stays within ``target_epsilon``.
    At a fixed ``noise_multiplier`` the codes have ``encoder_std / (2 clip)``
    and the counts ``mu_c = sqrt(0.05 / 0.95) * sqrt(mu_T**2 + mu_z**2)``,
    ``mu_T`` the GDP parameter of training's own ``(epsilon, delta)``.
    """
    accountant = opacus.accountants.create_accountant(mechanism=est.accountant)

    def epsilon(sigma, prefix):
        accountant.history = [*prefix, (sigma, sample_rate, steps)]
        return float(accountant.get_epsilon(delta=est.delta_))

    if est._fixed_noise():
        sigma = float(est.noise_multiplier)
        code_sigma = float(est.encoder_std) / (2.0 * est.clip) if with_codes else None
        if not with_counts:
            return sigma, None, code_sigma
        mu_train = gaussian_mu(max(epsilon(sigma, []), 1e-9), est.delta_)
        mu_rest = math.hypot(mu_train, 0.0 if code_sigma is None else 1.0 / code_sigma)
        return sigma, 1.0 / _count_mu(mu_rest), code_sigma
    mu_star = gaussian_mu(est.target_epsilon, est.delta_)
    count_sigma = code_sigma = None
    prefix = []
    if with_counts:
        count_sigma = 1.0 / _split_mu(mu_star)[1]
        prefix.append((count_sigma, 1.0, 1))
    if with_codes:
        code_sigma = 1.0 / (math.sqrt(est.release_share) * mu_star)
        prefix.append((code_sigma, 1.0, 1))
    # the bisection of opacus.accountants.utils.get_noise_multiplier, with the prefix
    low, high, eps_high = 0.0, 10.0, math.inf
    while eps_high > est.target_epsilon:
        high *= 2.0
        eps_high = epsilon(high, prefix)
        if high > 1e6:
            share = (f" after the released codes' share (release_share={est.release_share})"
                     if with_codes else "")
            raise ValueError(f"target_epsilon={est.target_epsilon} is too small for "
                             f"{est.epochs} epochs{share} with the {est.accountant!r} "
                             "accountant.")
    while est.target_epsilon - eps_high > 0.01:
        mid = 0.5 * (low + high)
        eps = epsilon(mid, prefix)
        if eps < est.target_epsilon:
            high, eps_high = mid, eps
        else:
            low = mid
    return high, count_sigma, code_sigma


def _calibrate_missing(est):
    """Shift the decoder's missing logits so that sampled missing rates are the noisy ones.

    The rate of a column under sampling is the mean of its missing
    probability over the codes that ``sample`` decodes: the released pool
    (posterior release) or ``_CALIBRATION_DRAWS`` fixed prior draws, and,
    fitted with labels, over the label head's ``p(y | z)``.
    Post-processing: it uses only the released counts, codes and weights.
    """
    release = est._missing_release
    slots, targets = [], []
    for j, rate in zip(est._counted, release.rates):
        column = est._columns[j]
        if not column.nullable:
            continue
        start = sum(c.width for c in est._columns[:j])
        slots.append((start, column))
        targets.append(rate)
    if not slots:
        return
    if est._pool is not None:
        Z = est._pool
    else:
        gen = torch.Generator().manual_seed(0)
        Z = math.sqrt(est._prior_var()) * torch.randn(_CALIBRATION_DRAWS, est.latent_dim,
                                                      generator=gen, dtype=_DTYPE)
    if est._y_spec is None:
        scores, weights = [est._forward_chunks(est._decoder, Z).numpy()], [
            np.full(len(Z), 1.0 / len(Z))]
    else:
        head = torch.log_softmax(est._forward_chunks(est._decoder.head, Z), dim=1).exp()
        scores, weights = [], []
        for k in range(head.shape[1]):
            scores.append(est._forward_chunks(est._decoder, Z,
                                              est._onehot(np.full(len(Z), k))).numpy())
            weights.append(head[:, k].numpy() / len(Z))
    scores, weights = np.concatenate(scores), np.concatenate(weights)
    logits = np.column_stack([_missing_logit(scores, start, column)
                              for start, column in slots])
    offsets = _missing_offsets(logits, weights, targets)
    bias = est._decoder.body[-1].bias
    with torch.no_grad():
        for (start, column), b in zip(slots, offsets):
            slot = start + 1 if column.categories is None else start + column.width - 1
            bias[slot] += float(b)


def _missing_logit(scores, start, column):
    """Log-odds of "missing" of one column from the decoder's scores."""
    if column.categories is None:
        return scores[:, start + 1]
    block = scores[:, start:start + column.width]
    others = block[:, :-1]
    top = others.max(axis=1)
    return block[:, -1] - (top + np.log(np.exp(others - top[:, None]).sum(axis=1)))


def _train_private(est, data, rng, device, sigma, prefix):
    """DP-SGD on the encoded rows; ``prefix``: the other steps of the accountant."""
    tensor = torch.as_tensor(data, dtype=_DTYPE, device=device)
    loader_gen = torch.Generator().manual_seed(int(rng.randint(_MAX_SEED)))
    noise_gen = torch.Generator(device=device).manual_seed(int(rng.randint(_MAX_SEED)))
    latent_gen = torch.Generator(device=device).manual_seed(int(rng.randint(_MAX_SEED)))
    module = _PrivateNegativeELBO(est)
    est.net_ = _DPSGDNet(
        module, accountant=est.accountant, noise_multiplier=sigma,
        max_grad_norm=est.max_grad_norm, delta=est.delta_, prefix=prefix,
        loader_generator=loader_gen, noise_generator=noise_gen, noise=latent_gen,
        max_epochs=est.epochs, batch_size=min(est.batch_size, tensor.shape[0]),
        optimizer=torch.optim.Adam, lr=est.lr, device=device, verbose=est.verbose,
        callbacks=[("projection", _Projection()),
                   *check_callbacks(est.callbacks, type(est).__name__)],
        callbacks__progress__desc=type(est).__name__)
    est.net_.fit({"rows": tensor})
    est.history_ = est.net_.history
    est.noise_multiplier_ = float(est.net_.optimizer_.noise_multiplier)
    est._train_epsilon = est.history_[-1]["epsilon"]
    with torch.no_grad():
        est._log_scale = torch.nn.Parameter(module.scales(1)[0].detach().cpu(),
                                            requires_grad=False)
    est._encoder = est._encoder.to("cpu").eval()
    est._decoder = est._decoder.to("cpu").eval()


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
    encoder_dims, decoder_dims : tuple of int, default=(128, 128)
        Hidden layer widths of the encoder and the (unconstrained) decoder.
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
        Adam learning rate (the decoder's output biases, learnt under DP-SGD
        like every weight, use ``max(lr, 0.05)``; the numeric scales use
        ``lr``).
    accountant : {"prv", "rdp"}, default="prv"
        Opacus accountant.
    callbacks : list of skorch callbacks, default=None
        As :class:`~sksynth.generators.LipschitzVAE` (they also read the
        epoch's ``epsilon``).
    device : str or torch.device, default="cpu"
    verbose : int, default=0
        A progress bar over epochs with the last epoch's loss and epsilon.
    random_state : int, RandomState instance or None, default=None

    Attributes
    ----------
    epsilon_ : float
        Epsilon spent by training and the missing counts (``inf`` if a domain
        step is not private).
    delta_ : float
    noise_multiplier_ : float
        The noise multiplier used.
    missing_counts_ : dict
        ``{column: noisy missing count}`` of the released counts.
    privacy_report_ : PrivacyLedger
    history_ : skorch.history.History
        One row per epoch: ``epoch``, ``train_loss``, ``dur`` and ``epsilon``
        (the accountant's epsilon after the epoch, the missing counts
        included): ``history_[:, "epsilon"]``.
    net_ : skorch.NeuralNet
        The training net; not pickled.
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
    >>> from sksynth.generators import DPSGDVAE
    >>> X = np.random.RandomState(0).uniform(0, 1, size=(200, 2))
    >>> vae = DPSGDVAE(latent_dim=2, encoder_dims=(16,), decoder_dims=(16,), epochs=2,
    ...                batch_size=50, target_epsilon=2.0, bounds={0: (0, 1), 1: (0, 1)},
    ...                random_state=0).fit(X)  # doctest: +SKIP
    >>> bool(vae.epsilon_ <= 2.0 + 1e-6)  # doctest: +SKIP
    True
    """

    _optional_dependency = "opacus"

    _parameter_constraints = {
        key: value for key, value in LipschitzVAE._parameter_constraints.items()
        if key not in ("lipschitz", "method", "release", "weights", "release_share",
                       "penalty_weight", "target_epsilon", "epochs")
    }
    _parameter_constraints.update({
        "target_epsilon": [Interval(Real, 0, None, closed="neither")],
        "noise_multiplier": [None, Interval(Real, 0, None, closed="neither")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "accountant": [StrOptions({"prv", "rdp"})],
    })

    def __init__(self, *, latent_dim=8, encoder_dims=(128, 128), decoder_dims=(128, 128),
                 encoder_std=1.0, clip=1.0,
                 target_epsilon=1.0, noise_multiplier=None, max_grad_norm=1.0, bounds=None,
                 categories=None, column_types=None, constraints=None, nullable=None,
                 min_group_size=DEFAULT_MIN_GROUP_SIZE,
                 delta=None, epochs=20, batch_size=256, lr=1e-3, accountant="prv",
                 callbacks=None, device="cpu", verbose=0, random_state=None):
        self.latent_dim = latent_dim
        self.encoder_dims = encoder_dims
        self.decoder_dims = decoder_dims
        self.encoder_std = encoder_std
        self.clip = clip
        self.target_epsilon = target_epsilon
        self.noise_multiplier = noise_multiplier
        self.max_grad_norm = max_grad_norm
        self.bounds = bounds
        self.categories = categories
        self.column_types = column_types
        self.constraints = constraints
        self.nullable = nullable
        self.min_group_size = min_group_size
        self.delta = delta
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.accountant = accountant
        self.callbacks = callbacks
        self.device = device
        self.verbose = verbose
        self.random_state = random_state

    def _layer_bound(self, n_layers, share):
        return None

    def _dp_weights(self):
        return True

    def _releases_codes(self):
        return False

    def _fixed_noise(self):
        return self.noise_multiplier is not None

    def _fit(self, frame, y_spec, X):
        """Train with DP-SGD on ``frame`` (and class labels)."""
        return _fit_dp_sgd(self, frame, X)
