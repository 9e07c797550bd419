"""Differentially private synthetic tables from a Lipschitz-constrained VAE.

:class:`LipschitzVAE` follows Gross and Wunder (2023): privacy comes from the
noise of a fixed-variance Gaussian encoder, and the decoder's Lipschitz
constant is bounded (spectral normalisation or a Jacobian penalty). The
accounting (``epsilon_``, ``privacy_report_``) is the project's own, derived
in ``doc/privacy.rst`` (:mod:`sksynth.privacy`).

This module imports torch; ``sksynth.generators`` imports it lazily.
"""

import math
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

from .._accountant import gaussian_epsilon, gaussian_mu
from ..base import DEFAULT_MIN_GROUP_SIZE, _MAX_SEED, GeneratorMixin
from ._docs import fill_doc
from ._lipschitz_columns import _count_mu, _draw_categories, _split_mu
from ._lipschitz_domain import _DeclaredDomainMixin
from ._lipschitz_encoding import _BoundedColumnsMixin
from ._lipschitz_nets import (  # noqa: F401  (_jacobians, _power_iteration_norms: tests)
    _DTYPE,
    _Decoder,
    _Encoder,
    _jacobians,
    _power_iteration_norms,
)
from ._lipschitz_train import _LipschitzNet, _NegativeELBO, _Projection
from ._torch import check_callbacks, one_thread, picklable_state, resolve_device, restored_state
from ._torch_utils import _check_layer_widths

__all__ = ["LipschitzVAE"]

#: Fixed noise draws used by ``score_samples`` (the same for every row).
_SCORE_DRAWS = 16
#: Rows per forward pass outside training.
_CHUNK = 8192
#: Smallest learning rate of the decoder's output biases (see ``_param_groups``).
_BIAS_LR = 0.05


@fill_doc
class LipschitzVAE(_DeclaredDomainMixin, _BoundedColumnsMixin, ClassNamePrefixFeaturesOutMixin,
                   TransformerMixin, GeneratorMixin, BaseEstimator):
    """Differentially private VAE with a Lipschitz decoder (Gross and Wunder, 2023).

    A VAE on a mixed table whose Gaussian encoder has a *fixed* noise scale
    ``encoder_std`` and a mean projected onto the ball ``||mu(x)|| <= clip``,
    and whose decoder ``g`` (latent code to output scores) has Lipschitz
    constant at most ``lipschitz``. With ``release="posterior"`` the model
    releases, once, one noisy code ``z_i = mu(x_i) + encoder_std * e_i`` per
    training row; every :meth:`sample` decodes codes drawn from that pool, so
    the privacy cost does not grow with the number of epochs or of samples.
    Fitted with class labels, the decoder is class-conditional: a label head
    ``h(z)`` gives ``p(y | z)`` and the rows are decoded by ``g(z, y)``, so
    ``sample(y=k)`` draws rows of class ``k`` (what class ``k`` looks like is
    learnt by the weights, the step the ledger lists as ``assumed``).
    With ``weights="assumed"`` (the default, the paper's setting),
    ``epsilon_`` is that release's epsilon at ``delta_`` (Gaussian mechanism
    of sensitivity ``2 * clip``), under the assumption on the trained weights
    stated in the Notes. With ``weights="dp-sgd"`` the encoder and decoder
    are trained with DP-SGD (Opacus, the path of
    :class:`~sksynth.privacy.DPSGDVAE`) and ``epsilon_`` is the accountant's
    composition of training, the released codes and the missing counts: it
    covers everything that leaves ``fit``, and no step is assumed.
    ``privacy_report_`` lists every data-dependent step.

    Parameters
    ----------
    latent_dim : int, default=8
        Dimension of the latent code.
    encoder_dims : tuple of int, default=(128, 128)
        Hidden layer widths of the encoder (ReLU).
    decoder_dims : tuple of int, default=(128, 128)
        Hidden layer widths of the decoder (ReLU); with ``method="spectral"``
        each of its ``len(decoder_dims) + 1`` layers gets the spectral bound
        ``lipschitz ** (1 / (len(decoder_dims) + 1))``.
    lipschitz : float, default=1.0
        Bound on the Lipschitz constant of the decoder (latent code to output
        scores, Euclidean norms). It does not enter ``epsilon_``; with codes
        spread over a few units it caps how far apart output scores can be,
        so tables with many categories need a larger value (e.g. 10). What
        the benchmarks' value on Adult, 10, means (``benchmarks/README.md``,
        utility against ``lipschitz``, epsilon 1, one seed): with the
        assumed weights the per-layer bounds are active (the product of the
        layers' spectral norms is 5.5, against 8.2 unconstrained) but cost
        nothing (TSTR ROC-AUC 0.854 against 0.857 at 1e4, where nothing
        binds); utility falls only below 1 (0.838 at 0.3, 0.806 at 0.1).
        With ``weights="dp-sgd"`` and the posterior release, whose codes are
        mostly noise, the bound helps: 0.513 at 1e4, 0.581 at 10, 0.659 at 1.
    method : {"spectral", "penalty"}, default="spectral"
        ``"spectral"``: every decoder layer is normalised to spectral norm at
        most ``lipschitz ** (1 / n_layers)`` (exact, by SVD), a hard bound;
        ``"penalty"``: ``penalty_weight * mean((||J_g(z)||_2 - 0.9 lipschitz)_+^2)``
        is added to the loss at the batch's codes (a soft bound; check
        ``lipschitz_``).
    encoder_std : float, default=1.0
        Standard deviation of the encoder noise. Ignored when
        ``target_epsilon`` is set.
    clip : float, default=1.0
        Bound on the norm of the encoder mean (the sensitivity is ``2 * clip``).
    target_epsilon : float or None, default=None
        Calibrate ``encoder_std`` so that the release is
        ``(target_epsilon, delta)``-DP (analytic Gaussian mechanism).
    bounds : dict or None, default=None
        Public range ``{column: (low, high)}`` of numeric (integer, datetime)
        columns; values outside are clipped. Columns without a declared range
        use the observed minimum and maximum, which is *not private*
        (``epsilon_`` is then infinite).
    categories : dict or None, default=None
        Public category lists ``{column: [...]}`` of categorical and boolean
        columns (boolean columns are ``[False, True]`` by type); the key
        ``"__target__"`` declares the classes of ``y``. Undeclared sets are
        read from the data: not private. Values outside a declared list are
        encoded as "none of them" (and score ``-inf``).
    column_types : dict or None, default=None
        Types of some columns (see :class:`TabularEncoder`); others are
        inferred from dtypes. Identifier and semantic columns (see
        :class:`TabularEncoder`) are never modelled: sampled rows get fresh
        values.
    %(constraints)s
    nullable : None, "all" or list, default=None
        Which columns may hold missing values (names, or positions in ``X``),
        declared as public: ``"all"`` or a list; a missing value in fit in a
        column not listed is an error. ``None``: columns with a numpy integer
        or boolean dtype are complete by type, and the others' missing counts
        are released once with the Gaussian mechanism (5% of the GDP budget
        ``mu**2``, see ``privacy_report_``); a column whose noisy count is
        below 3 noise standard deviations is treated as complete (its few
        missing values are imputed: the middle of the range, or "none of the
        categories", in fit, scores and ``transform``). Complete columns are
        never sampled missing.
    min_group_size : int, default=5
        Tables with fewer rows are refused: a model of so few rows replays
        them, and the decoder's weights are not covered by ``epsilon_`` (the
        ledger's ``assumed`` step). The number of rows is part of the public
        schema, so the check spends no privacy; classes are not pooled, since
        which classes are small is not public.
    release : {"posterior", "prior"}, default="posterior"
        ``"posterior"``: decode the released noisy codes (covered by the
        accountant); ``"prior"``: decode codes drawn from the prior
        ``N(0, (clip**2 / latent_dim + encoder_std**2) I)``; its only data path
        is the trained weights, which no proof covers here (``epsilon_`` is
        infinite with ``weights="assumed"``; use :func:`sksynth.privacy.audit`).
        With ``weights="dp-sgd"`` the prior release is post-processing of DP
        weights, covered by ``epsilon_``, and the codes' share of the budget
        goes to training.
    weights : {"assumed", "dp-sgd"}, default="assumed"
        ``"assumed"``: the weights are trained without noise, and their
        dependence on a record is the paper's assumption, listed as the
        ``assumed`` step of ``privacy_report_`` (not covered by
        ``epsilon_``). ``"dp-sgd"``: train encoder, decoder (spectral bound
        kept: exact per-example gradients of the normalised layers) and the
        numeric scales with DP-SGD (per-example clipping at
        ``max_grad_norm``, Gaussian noise, Poisson batches of expected size
        ``batch_size``), and compose training, the released codes (one
        Gaussian mechanism, noise multiplier ``encoder_std_ / (2 clip)``)
        and the missing counts in one Opacus accountant (``accountant``);
        the missing rates are then calibrated to the noisy counts as in
        :class:`~sksynth.privacy.DPSGDVAE`. Needs Opacus and
        ``method="spectral"``. The adjacency is Opacus's (add or remove one
        record; see ``doc/privacy.rst``).
    release_share : float, default=0.5
        ``weights="dp-sgd"`` with ``target_epsilon``: the released codes get
        GDP parameter ``sqrt(release_share) * mu*`` (``mu*`` that of
        ``(target_epsilon, delta)``), the missing counts ``sqrt(0.05) * mu*``,
        and the DP-SGD noise is the smallest for which the accountant's
        composition of the three stays within ``target_epsilon``. In (0, 0.95).
    noise_multiplier : float or None, default=None
        ``weights="dp-sgd"`` without ``target_epsilon``: the DP-SGD noise
        multiplier (the codes then use ``encoder_std``); ``epsilon_`` is read
        from the accountant. Ignored when ``target_epsilon`` is set.
    max_grad_norm : float, default=1.0
        Per-example gradient clipping norm (``weights="dp-sgd"``).
    accountant : {"prv", "rdp"}, default="prv"
        Opacus accountant (``weights="dp-sgd"``); ``"rdp"`` is faster (the
        PRV accountant takes about a second per evaluation, and calibrating
        ``target_epsilon`` evaluates it a dozen times).
    delta : float or None, default=None
        Target delta; ``None`` uses ``1 / n_samples``.
    epochs : int, default=100
        Training epochs (they do not change ``epsilon_`` with the assumed
        weights; with ``weights="dp-sgd"`` they are DP-SGD steps and do).
    batch_size : int, default=256
    lr : float, default=1e-3
        Adam learning rate. The decoder's output biases, which carry the
        missing rates and category frequencies, learn at ``max(lr, 0.05)``.
    penalty_weight : float, default=10.0
        Weight of the Jacobian penalty (``method="penalty"``).
    callbacks : list of skorch callbacks, default=None
        :class:`skorch.callbacks.Callback` instances (or ``(name, callback)``
        pairs) added to the training net's (see ``net_``), e.g.
        ``LRScheduler``, ``Checkpoint``; they read ``net.history[-1]``
        (``epoch``, ``train_loss``, ``dur``). Raising ``KeyboardInterrupt``
        from one stops training with the weights reached (with
        ``weights="dp-sgd"`` the accountant has counted the steps taken).
    device : str or torch.device, default="cpu"
        Torch device for training (the fitted modules live on the CPU).
    verbose : int, default=0
        Show a progress bar over epochs (tqdm) with the last epoch's loss.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, batches, the released noise and sampling.

    Attributes
    ----------
    epsilon_ : float
        Epsilon of the release at ``delta_`` (``inf`` when a step is not
        private, e.g. undeclared bounds, or for ``release="prior"`` with the
        assumed weights). With ``weights="dp-sgd"``: the accountant's
        epsilon of training, codes and counts together.
    delta_ : float
        The delta used.
    mu_ : float
        GDP parameter of the release (``inf`` as for ``epsilon_``): the codes'
        composed with the missing counts', if any. ``nan`` with
        ``weights="dp-sgd"`` (composed by the accountant, not in GDP).
    noise_multiplier_ : float
        DP-SGD noise multiplier used (``weights="dp-sgd"`` only).
    encoder_std_ : float
        The encoder noise scale used (calibrated when ``target_epsilon`` is
        set, to the codes' share of the budget).
    missing_counts_ : dict
        ``{column: noisy missing count}`` of the columns whose counts were
        released (``nullable=None``); empty otherwise.
    privacy_report_ : PrivacyLedger
        Every data-dependent step with its status (``public``, ``gdp``,
        ``assumed`` or ``not_private``); ``privacy_report_.to_frame()``.
    lipschitz_ : float
        Largest spectral norm of the decoder Jacobian measured by power
        iteration at 256 points (prior draws and released codes).
    lipschitz_bound_ : float
        Product of the decoder layers' spectral norms: a global upper bound
        on its Lipschitz constant (at most ``lipschitz`` for ``"spectral"``).
    history_ : skorch.history.History
        One row per epoch: ``epoch``, ``train_loss`` (mean negative ELBO of
        the epoch's rows, penalty included), ``dur``; with
        ``weights="dp-sgd"`` also ``epsilon`` (the accountant's epsilon after
        the epoch, codes and counts included). ``history_[:, "train_loss"]`` is
        the loss curve.
    net_ : skorch.NeuralNet
        The training net (a :class:`sksynth.generators._torch.GeneratorNet`);
        not pickled (the fitted generator keeps its modules and ``history_``).
    column_types_ : dict
        Type of every column.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.
    classes_ : ndarray of shape (n_classes,)
        Class labels, when fitted with ``y``.

    See Also
    --------
    sksynth.privacy.audit : Empirical lower bound on epsilon by membership inference.
    sksynth.privacy.posterior_release_epsilon : The accountant used here.

    Notes
    -----
    With the assumed weights, the guarantee (``doc/privacy.rst``) treats the
    released pool of codes as
    the mechanism: conditional on the trained networks, one record's code is
    a Gaussian mechanism with sensitivity ``2 * clip`` and the decoding is
    post-processing. The networks themselves are trained on the data; that
    dependence is covered by the paper's argument (Lipschitz decoder, encoder
    noise), not by a proof here: it is listed as ``"assumed"`` in
    ``privacy_report_`` and checked empirically by
    :func:`sksynth.privacy.audit`. :meth:`transform` returns the noiseless
    encoder means, which are *not* a private release.

    ``weights="dp-sgd"`` removes the assumption: the weights are DP, the pool
    is a Gaussian mechanism given them, and the accountant composes both
    (with the counts); sampling, ``score_samples`` and ``inverse_transform``
    are post-processing, so the white-box audit
    (``attack="likelihood_ratio"``) is covered too. At a small epsilon the
    codes' noise ``encoder_std_`` is many times ``clip``, so the codes carry
    little and the decoder learns from noisy inputs; on Adult the prior
    release had the better utility at epsilon 1 and 10, and a small
    ``lipschitz`` (about 1) helps the posterior one (``benchmarks/README.md``).

    The networks are small, so training and sampling run torch on one CPU
    thread (the previous setting is restored afterwards).

    References
    ----------
    .. [1] Gross, B. and Wunder, G. (2023). "Differentially private synthetic
       data generation via Lipschitz-regularised variational autoencoders."
       arXiv:2304.11336.
    .. [2] Dong, J., Roth, A. and Su, W. J. (2022). "Gaussian differential
       privacy." JRSS-B 84(1).
    .. [3] Miyato, T., Kataoka, T., Koyama, M. and Yoshida, Y. (2018).
       "Spectral normalization for generative adversarial networks." ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.generators import LipschitzVAE
    >>> X = np.random.RandomState(0).uniform(0, 1, size=(200, 3))
    >>> vae = LipschitzVAE(latent_dim=2, encoder_dims=(16,), decoder_dims=(16,), epochs=5,
    ...                    target_epsilon=2.0, bounds={0: (0, 1), 1: (0, 1), 2: (0, 1)},
    ...                    random_state=0).fit(X)
    >>> round(vae.epsilon_, 6)
    2.0
    >>> bool(vae.lipschitz_ <= 1.0)
    True
    >>> vae.sample(4).shape
    (4, 3)

    Everything covered, the weights trained with DP-SGD (needs Opacus):

    >>> dp = LipschitzVAE(latent_dim=2, encoder_dims=(16,), decoder_dims=(16,), epochs=2,
    ...                   target_epsilon=2.0, weights="dp-sgd", accountant="rdp",
    ...                   bounds={0: (0, 1), 1: (0, 1), 2: (0, 1)},
    ...                   random_state=0).fit(X)  # doctest: +SKIP
    >>> bool(dp.epsilon_ <= 2.0 + 1e-9)  # doctest: +SKIP
    True
    """

    _input_kind = "mixed"

    _parameter_constraints = {
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "encoder_dims": [tuple, list],
        "decoder_dims": [tuple, list],
        "lipschitz": [Interval(Real, 0, None, closed="neither")],
        "method": [StrOptions({"spectral", "penalty"})],
        "encoder_std": [Interval(Real, 0, None, closed="neither")],
        "clip": [Interval(Real, 0, None, closed="neither")],
        "target_epsilon": [None, Interval(Real, 0, None, closed="neither")],
        "bounds": [None, dict],
        "categories": [None, dict],
        "column_types": [None, dict],
        "constraints": [None, list],
        "nullable": [None, StrOptions({"all"}), list, tuple],
        "min_group_size": [Interval(Integral, 1, None, closed="left")],
        "release": [StrOptions({"posterior", "prior"})],
        "weights": [StrOptions({"assumed", "dp-sgd"})],
        "release_share": [Interval(Real, 0, 0.95, closed="neither")],
        "noise_multiplier": [None, Interval(Real, 0, None, closed="neither")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither")],
        "accountant": [StrOptions({"prv", "rdp"})],
        "delta": [None, Interval(Real, 0, 1, closed="neither")],
        "epochs": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "penalty_weight": [Interval(Real, 0, None, closed="left")],
        "callbacks": [None, list],
        "device": [str, torch.device],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(self, *, latent_dim=8, encoder_dims=(128, 128),
                 decoder_dims=(128, 128), lipschitz=1.0, method="spectral",
                 encoder_std=1.0, clip=1.0, target_epsilon=None, bounds=None, categories=None,
                 column_types=None, constraints=None, nullable=None, min_group_size=DEFAULT_MIN_GROUP_SIZE,
                 release="posterior", weights="assumed", release_share=0.5,
                 noise_multiplier=None, max_grad_norm=1.0, accountant="prv", delta=None,
                 epochs=100, batch_size=256, lr=1e-3, penalty_weight=10.0, callbacks=None,
                 device="cpu", verbose=0, random_state=None):
        self.latent_dim = latent_dim
        self.encoder_dims = encoder_dims
        self.decoder_dims = decoder_dims
        self.lipschitz = lipschitz
        self.method = method
        self.encoder_std = encoder_std
        self.clip = clip
        self.target_epsilon = target_epsilon
        self.bounds = bounds
        self.categories = categories
        self.column_types = column_types
        self.constraints = constraints
        self.nullable = nullable
        self.min_group_size = min_group_size
        self.release = release
        self.weights = weights
        self.release_share = release_share
        self.noise_multiplier = noise_multiplier
        self.max_grad_norm = max_grad_norm
        self.accountant = accountant
        self.delta = delta
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.penalty_weight = penalty_weight
        self.callbacks = callbacks
        self.device = device
        self.verbose = verbose
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def _fit(self, frame, y_spec, X):
        """Fit the VAE on ``frame`` (and class labels) and release the noisy codes."""
        if self._dp_weights():
            if self.method == "penalty":
                raise ValueError(
                    "method='penalty' is not available with weights='dp-sgd': DP-SGD clips "
                    "per-example gradients, and the Jacobian penalty's double backward does "
                    "not go through Opacus's hooks; use method='spectral'.")
            if self.target_epsilon is None and self.noise_multiplier is None:
                raise ValueError(
                    "weights='dp-sgd' needs target_epsilon (the budget of the whole fit) or "
                    "noise_multiplier (the DP-SGD noise, with encoder_std for the codes).")
            from ._dpsgd import _fit_dp_sgd

            return _fit_dp_sgd(self, frame, X)
        device, dims = self._network_options()
        ledger, rng = self._fit_domain(frame, X)
        counted = self._counted_columns()
        if self.target_epsilon is not None:
            mu_total = gaussian_mu(self.target_epsilon, self.delta_)
            mu_codes, mu_counts = _split_mu(mu_total) if counted else (mu_total, 0.0)
            self.encoder_std_ = 2.0 * self.clip / mu_codes
        else:
            self.encoder_std_ = float(self.encoder_std)
            mu_counts = _count_mu(2.0 * self.clip / self.encoder_std_)
        self._release_missing(frame, counted, mu_counts, ledger, rng)
        data = self._encode(frame, None if self._y_spec is None else self._y_spec.encoded)
        self._build(data.shape[1], dims, rng)
        self._train(data, rng, device)
        # -- the release -----------------------------------------------------
        ledger.add("training (encoder and decoder weights)", "assumed",
                   note="the paper's assumption: weights are not released and their dependence "
                        "on a record is not accounted; audited by sksynth.privacy.audit")
        if self.release == "posterior":
            self._pool = self._release_codes(data, rng)
            ledger.add("released latent codes (one per row)", "gdp",
                       mu=2.0 * self.clip / self.encoder_std_,
                       note=f"Gaussian mechanism, sensitivity 2*clip={2 * self.clip:g}, "
                            f"std={self.encoder_std_:.4g}")
        else:
            self._pool = None
            ledger.add("decoder weights used to decode prior draws", "not_private",
                       note="release='prior': no proof covers the weights; use audit()")
        ledger.add("sampling", "public", note="post-processing of the released codes")
        self.privacy_report_ = ledger
        self.mu_ = ledger.mu()
        self.epsilon_ = gaussian_epsilon(self.mu_, self.delta_)
        with one_thread():
            self._measure_lipschitz()
        self._init_sampling_stream(rng)
        return self

    # Hooks of the DP-SGD path (``sksynth.privacy._dpsgd._fit_dp_sgd``), which
    # DPSGDVAE overrides.
    def _dp_weights(self):
        """Whether the weights are trained with DP-SGD (``weights="dp-sgd"``)."""
        return self.weights == "dp-sgd"

    def _releases_codes(self):
        """Whether the fit releases the pool of noisy codes (``release="posterior"``)."""
        return self.release == "posterior"

    def _fixed_noise(self):
        """DP-SGD at the given ``noise_multiplier`` (no ``target_epsilon``)."""
        return self.target_epsilon is None

    def _network_options(self):
        """``(device, (encoder_dims, decoder_dims))``, checked."""
        return resolve_device(self.device), (
            _check_layer_widths(self.encoder_dims, "encoder_dims"),
            _check_layer_widths(self.decoder_dims, "decoder_dims"))

    def _release_codes(self, data, rng):
        """The pool ``mu(x_i) + encoder_std_ * e_i`` of the encoded training rows."""
        gen = torch.Generator().manual_seed(int(rng.randint(_MAX_SEED)))
        with torch.no_grad():
            means = self._forward_chunks(self._encoder, torch.as_tensor(data, dtype=_DTYPE))
            noise = torch.randn(means.shape, generator=gen, dtype=_DTYPE)
            return means + self.encoder_std_ * noise

    # ------------------------------------------------------------- networks
    def _build(self, n_out, dims, rng):
        d = self.latent_dim
        self._n_features_out = d  # transform: lipschitzvae0, lipschitzvae1, ...
        self._n_out = n_out
        encoder_dims, decoder_dims = dims
        self._encoder = _Encoder((n_out, *encoder_dims, d), self.clip, rng)
        n_classes = 0 if self._y_spec is None else len(self._y_spec.classes)
        # with labels the rows' and the label's scores each get lipschitz / sqrt(2), so the
        # stacked map z -> [g(z, y), h(z)] stays within `lipschitz` for every label y
        share = 1.0 / math.sqrt(2.0) if n_classes else 1.0
        self._decoder = _Decoder((d, *decoder_dims, n_out - n_classes), rng,
                                 self._layer_bound(len(decoder_dims) + 1, share),
                                 n_classes, self._layer_bound(1, share))
        n_values = sum(1 for *_, kind in self._blocks() if kind == "value")
        self._log_scale = torch.nn.Parameter(torch.full((n_values,), math.log(0.1), dtype=_DTYPE))
        blocks = self._blocks()
        self._value_index = torch.as_tensor([a for a, _, k in blocks if k == "value"],
                                            dtype=torch.long)
        self._missing_index = torch.as_tensor([a for a, _, k in blocks if k == "missing"],
                                              dtype=torch.long)
        # per numeric column: its missing indicator, or column n_out (a zero pad) if none
        missing_of = [n_out] * len(self._value_index)
        for v, (a, _, _) in enumerate(b for b in blocks if b[2] == "value"):
            if (a + 1, a + 2, "missing") in blocks:
                missing_of[v] = a + 1
        self._value_missing_index = torch.as_tensor(missing_of, dtype=torch.long)
        self._softmax_blocks = [(a, b) for a, b, k in blocks if k in ("categories", "label")]
        # missing values start as rare (a data-independent choice): bias -5 on their scores
        last = self._decoder.body[-1]
        with torch.no_grad():
            last.bias[self._missing_index] = -5.0
            categorical = [c for c in self._columns if c.categories is not None]
            for column, (_, b, _) in zip(categorical,
                                         (b for b in blocks if b[2] == "categories")):
                if column.nullable:  # the last slot of a category block is "missing"
                    last.bias[b - 1] = -5.0

    def _param_groups(self, extra=(), fast=()):
        """Optimiser groups: the decoder's output biases learn at ``_BIAS_LR`` at least.

        The output biases carry the marginals (missing rates, category
        frequencies): with a Lipschitz (or DP-noised) decoder the weights can
        only spread the scores a little, and at ``lr=1e-3`` Adam moves a bias
        by about ``1e-3`` a step, so a fit of a few hundred steps never moved
        the missing logits far from their start (-5) and the missing rates
        came out several times too small.
        """
        bias = self._decoder.body[-1].bias
        rest = [p for p in (*self._encoder.parameters(), *self._decoder.parameters(), *extra)
                if p is not bias]
        return [{"params": rest},
                {"params": [bias, *fast], "lr": max(float(self.lr), _BIAS_LR)}]

    def _layer_bound(self, n_layers, share):
        """Spectral-norm bound of each of ``n_layers`` layers whose product gets
        ``share * lipschitz`` (None: unconstrained)."""
        if self.method != "spectral":
            return None
        return (share * self.lipschitz) ** (1.0 / n_layers)

    def _prior_var(self):
        return self.clip ** 2 / self.latent_dim + self.encoder_std_ ** 2

    def _kl(self, means):
        v, s2 = self._prior_var(), self.encoder_std_ ** 2
        d = means.shape[1]
        return 0.5 * ((means ** 2).sum(1) / v + d * (s2 / v - 1.0 - math.log(s2 / v)))

    def _train(self, data, rng, device):
        """Train encoder, decoder and scales on the encoded rows (the torch layer's net).

        Batches are a permutation per epoch drawn from ``rng``; the latent noise
        comes from a torch generator seeded by ``rng``. Sets ``net_`` and
        ``history_``; the modules end on the CPU in eval mode, the spectral
        bounds made exact (:class:`~._lipschitz_train._Projection`).
        """
        gen = torch.Generator(device=device).manual_seed(int(rng.randint(_MAX_SEED)))
        tensor = torch.as_tensor(data, dtype=_DTYPE, device=device)
        penalty = self.penalty_weight if self.method == "penalty" else 0.0
        self.net_ = _LipschitzNet(
            _NegativeELBO(self), noise=gen, penalty_weight=penalty,
            lipschitz_target=0.9 * self.lipschitz, max_epochs=self.epochs,
            batch_size=min(self.batch_size, tensor.shape[0]), optimizer=torch.optim.Adam,
            lr=self.lr, device=device, verbose=self.verbose,
            callbacks=[("projection", _Projection()),
                       *check_callbacks(self.callbacks, type(self).__name__)],
            callbacks__progress__desc=type(self).__name__,
            iterator_train__generator=rng)
        self.net_.fit({"rows": tensor})
        self.history_ = self.net_.history
        self._encoder.to("cpu").eval()
        self._decoder.to("cpu").eval()
        self._log_scale = torch.nn.Parameter(self._log_scale.detach().cpu())

    def __getstate__(self):
        return picklable_state(self.__dict__)

    def __setstate__(self, state):
        self.__dict__.update(restored_state(state))

    @staticmethod
    def _forward_chunks(module, tensor, labels=None):
        with torch.no_grad():
            return torch.cat([module(tensor[i:i + _CHUNK]) if labels is None
                              else module(tensor[i:i + _CHUNK], labels[i:i + _CHUNK])
                              for i in range(0, max(tensor.shape[0], 1), _CHUNK)])

    def _measure_lipschitz(self):
        gen = torch.Generator().manual_seed(0)
        Z = math.sqrt(self._prior_var()) * torch.randn(128, self.latent_dim, generator=gen,
                                                       dtype=_DTYPE)
        if self._pool is not None:
            pick = torch.randint(self._pool.shape[0], (128,), generator=gen)
            Z = torch.cat([Z, self._pool[pick]])
        labels = None
        if self._y_spec is not None:  # every class at every probe point
            n_classes = len(self._y_spec.classes)
            labels = self._onehot(np.repeat(np.arange(n_classes), len(Z)))
            Z = Z.repeat(n_classes, 1)
        with torch.no_grad():
            self.lipschitz_ = float(
                _power_iteration_norms(_jacobians(self._decoder, Z, labels)).max())
            self.lipschitz_bound_ = self._decoder.lipschitz_bound()

    # ------------------------------------------------------------- sampling
    def _sample(self, n_samples, y_enc, conditions, rng):
        """Rows decoded from released codes (``release="posterior"``) or prior draws."""
        with one_thread():
            return self._sample_rows(n_samples, y_enc, rng)

    def _sample_rows(self, n_samples, y_enc, rng):
        if self._pool is not None:
            candidates = self._pool
        else:
            m = max(4 * n_samples, 1024) if y_enc is not None else n_samples
            candidates = math.sqrt(self._prior_var()) * torch.as_tensor(
                rng.standard_normal((m, self.latent_dim)), dtype=_DTYPE)
        if y_enc is None:
            pick = (rng.randint(len(candidates), size=n_samples) if self._pool is not None
                    else np.arange(n_samples))
        if self._y_spec is not None:
            # label scores h(z): a label per code, or weights p(y = k | z) on the codes
            label_scores = (self._forward_chunks(self._decoder.head, candidates).numpy()
                            if len(candidates) else np.zeros((0, len(self._y_spec.classes))))
            if y_enc is None:
                y_enc = _draw_categories(label_scores[pick], rng)
            else:
                prob = np.exp(label_scores - label_scores.max(axis=1, keepdims=True))
                prob /= prob.sum(axis=1, keepdims=True)
                pick = np.empty(n_samples, dtype=np.intp)
                for k in np.unique(y_enc):
                    rows = np.flatnonzero(y_enc == k)
                    pick[rows] = rng.choice(len(candidates), size=rows.size,
                                            p=prob[:, k] / prob[:, k].sum())
        codes = candidates[torch.as_tensor(pick, dtype=torch.long)]
        scores = (self._forward_chunks(self._decoder, codes, self._onehot(y_enc)) if n_samples
                  else torch.zeros((0, self._n_out), dtype=_DTYPE))
        return self._decode(scores.numpy(), y_enc, rng)

    # --------------------------------------------------------- likelihoods
    def _prepare(self, X, y, with_unseen=False):
        check_is_fitted(self)
        frame = self._model_rows(X)
        y_enc = None
        if y is not None and self._y_spec is not None:
            y_enc = self._y_spec.encode(y, n_rows=frame.shape[0])
        return self._encoded(frame, y_enc, with_unseen)

    def _encoded(self, frame, y_enc, with_unseen=False):
        """Encoded rows (and labels; and which rows hold an unseen category)."""
        data = torch.as_tensor(self._encode(frame, y_enc), dtype=_DTYPE)
        if not with_unseen:
            return data, y_enc
        unseen = np.zeros(frame.shape[0], dtype=bool)
        for j, column in enumerate(self._columns):
            if column.categories is not None:
                values = self._spec.objects(frame, j)
                unseen |= ~column.missing(values) & (self._column_encoder._encode_column(
                    frame, j)[:, :len(column.categories)].sum(axis=1) == 0)
        return data, y_enc, unseen

    def _score_samples(self, frame, y_enc):
        """Evidence lower bound (ELBO) of each row, a lower bound on ``log p(x)``.

        The expectation over the encoder noise uses the same 16 fixed draws
        for every row, so the result is deterministic and row-wise. Numeric
        columns are scored as densities of the value (the affine scaling to
        ``[-1, 1]`` included); categorical columns as probabilities. With
        ``y`` (when fitted with ``y``): the joint ``log p(x, y)`` bound;
        without it, a bound on ``log p(x)`` with the label summed out of the
        decoder, ``log sum_k p(y=k | z) p(x | z, y=k)`` (the encoder then sees
        no label). A row holding a category outside a column's categories
        (declared, or seen in fit) scores ``-inf``: the model gives it
        probability zero (so :meth:`score` is ``-inf`` too).
        """
        data, y_enc, unseen = self._encoded(frame, y_enc, with_unseen=True)
        gen = torch.Generator().manual_seed(0)
        noise = torch.randn(_SCORE_DRAWS, self.latent_dim, generator=gen, dtype=_DTYPE)
        blocks = self._softmax_blocks
        log_jac = torch.as_tensor([math.log(2.0 / (c.high - c.low)) if c.high > c.low else 0.0
                                   for c in self._columns if c.categories is None],
                                  dtype=_DTYPE)
        out = []
        with torch.no_grad(), one_thread():
            for i in range(0, data.shape[0], _CHUNK):
                rows = data[i:i + _CHUNK]
                if self._y_spec is not None and y_enc is None:
                    a, b = blocks[-1]
                    rows = rows.clone()
                    rows[:, a:b] = 0.0  # the encoder does not see the label; summed out below
                means = self._encoder(rows)
                lik = torch.stack([self._code_log_lik(means + self.encoder_std_ * e, rows,
                                                      y_enc is None) for e in noise]).mean(0)
                # change of variables to the original units, for observed numeric values
                jac = ((1.0 - self._value_missing(rows)) * log_jac).sum(1)
                out.append((lik - self._kl(means) + jac).numpy())
        out = np.concatenate(out) if out else np.zeros(0)
        # an unseen category encodes as "none of them", which has no likelihood term
        out[unseen] = -np.inf
        return out

    def _code_log_lik(self, z, rows, marginal):
        """``log p(x, y | z)``, or ``log sum_k p(y=k | z) p(x | z, k)`` if ``marginal``."""
        if self._y_spec is None or not marginal:
            return self._log_lik(self._decoder(z, self._labels(rows)), rows, self._log_scale)
        a, b = self._softmax_blocks[-1]
        terms = []
        for k in range(b - a):  # the label block of `rows` is zero: no label term in _log_lik
            scores = self._decoder(z, self._onehot(np.full(len(z), k)))
            terms.append(self._log_lik(scores, rows, self._log_scale)
                         + torch.log_softmax(scores[:, a:b], dim=1)[:, k])
        return torch.logsumexp(torch.stack(terms), dim=0)

    # ------------------------------------------------------------ transform
    def transform(self, X):
        """Noiseless encoder means of the rows (not a private release).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, `n_features_in_`)

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim)
        """
        data, _ = self._prepare(X, None)
        return self._forward_chunks(self._encoder, data).numpy() if len(data) else np.zeros(
            (0, self.latent_dim))

    def inverse_transform(self, Z):
        """Decode latent codes to rows (most likely category, mean value).

        Parameters
        ----------
        Z : array-like of shape (n_samples, latent_dim)

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, `n_features_in_`)
            Rows in the fitted container (only ``X``, also when fitted with ``y``).
        """
        check_is_fitted(self)
        Z = check_array(Z, dtype=np.float64, input_name="Z")
        if Z.shape[1] != self.latent_dim:
            raise ValueError(f"Z has {Z.shape[1]} columns, but the latent dimension is "
                             f"{self.latent_dim}; pass the output of transform.")
        Z = torch.as_tensor(Z, dtype=_DTYPE)
        y_enc = None
        if self._y_spec is not None:  # the most likely label of each code
            y_enc = np.argmax(self._forward_chunks(self._decoder.head, Z).numpy(), axis=1)
        scores = self._forward_chunks(self._decoder, Z, self._onehot(y_enc)).numpy()
        return self._model_output(self._decode(scores, y_enc, None)[0])
