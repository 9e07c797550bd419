"""CTGAN-style conditional GAN for mixed tables (conditional vector, PacGAN, WGAN-GP)."""

import math
from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from skorch.callbacks import PassthroughScoring
from scipy.special import logsumexp
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import DEFAULT_MIN_GROUP_SIZE, _MAX_SEED
from ._docs import fill_doc
from ._gan_nets import _TAU, _ConditionSampler, _Discriminator, _GANTrainer, _Generator
from ._torch import DrawnBatches
from ._torch_utils import (
    _TRAINING_CONSTRAINTS,
    _EncodedSpaceMixin,
    _NeuralTabularGenerator,
    _check_layer_widths,
    _generators,
    _block_softmax,
)

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
#: Unconditional rows used to recalibrate the missing rates after fit.
_N_CALIBRATION = 5000
#: Rows drawn at the end of fit for the Parzen-window score.
_N_REFERENCE = 1000
#: Training rows used to choose the Parzen bandwidths.
_N_BANDWIDTH = 300
#: ``epochs="auto"``: SDV's 300 epochs, and at least this many gradient steps. On
#: make_disease the debiased therapy coefficient's second-order remainder was
#: 1.6-2.9 of its standard error (root mean square over seeds) after SDV's 300
#: epochs at n in {160, 500, 1600}; 6,000 steps brought it to 0.19 at n = 160 but
#: left 0.65-0.74 at n = 500 and 1600, 12,000 steps 0.17 and 0.11 there
#: (benchmarks/gan_training_budget.py; class Notes, "Training budget").
_AUTO_EPOCHS = 300
_AUTO_MIN_STEPS = 12000


@fill_doc
class ConditionalTabularGAN(_EncodedSpaceMixin, _NeuralTabularGenerator):
    """Conditional tabular GAN (CTGAN): conditional vector, PacGAN critic, WGAN-GP.

    The table is encoded by :class:`TabularEncoder` (mode-specific
    normalisation, one-hot categories, missing indicators). A residual
    generator maps noise and a *conditional vector* -- one discrete column
    and one of its values -- to a row (``tanh`` offsets, Gumbel-softmax modes
    and categories, relaxed-Bernoulli missing indicators); a critic judges
    packs of ``pac`` rows with their conditional vectors, trained with the
    Wasserstein loss and a gradient penalty. Training-by-sampling picks the
    conditioning column uniformly and its value by log-frequency, so rare
    categories are learned. This is CTGAN (Xu et al., 2019) [1]_ with SDV's
    default sizes and rates.

    Parameters
    ----------
    latent_dim : int, default=128
        Size of the generator's noise input (SDV's ``embedding_dim``; the
        names are the neural generators' shared vocabulary, see
        ``doc/design.rst``).
    generator_dims : tuple of int, default=(256, 256)
        Widths of the generator's residual blocks (SDV's ``generator_dim``).
    discriminator_dims : tuple of int, default=(256, 256)
        Widths of the critic's hidden layers (leaky ReLU, dropout 0.5).
    lr : float, default=2e-4
        Adam learning rate of the generator (betas 0.5, 0.9; SDV's
        ``generator_lr``).
    weight_decay : float, default=1e-6
        Weight decay of the generator (SDV's ``generator_decay``).
    discriminator_lr : float, default=2e-4
        Adam learning rate of the critic.
    discriminator_weight_decay : float, default=1e-6
        Weight decay of the critic.
    batch_size : int, default=500
        Rows per step; a multiple of ``pac``.
    discriminator_steps : int, default=1
        Critic updates per generator update.
    log_frequency : bool, default=True
        Draw training conditions by the log of the category frequencies
        (``False``: by the frequencies). Missing rates are then recalibrated
        after training (see Notes).
    epochs : int or "auto", default="auto"
        Epochs of ``max(n_train // batch_size, 1)`` steps (0 leaves the
        networks untrained). ``"auto"`` runs SDV's 300 epochs, raised on
        small tables to reach at least 12,000 gradient steps:
        ``max(300, ceil(12000 / steps_per_epoch))``, the same as 300 epochs
        from 20,000 training rows on (at ``batch_size=500``). 300 epochs are
        only 300 steps on tables of fewer than 1,000 rows, too few for the
        generator to learn the relations between columns (see Notes). Pass
        ``epochs=300`` for SDV's exact schedule.
    pac : int, default=10
        Rows per pack the critic sees together (PacGAN).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows; every
        ``validation_interval`` epochs, score samples against them
        (``val_quality``: a quality score, not the GAN loss); stop when it has
        not improved for ``n_iter_no_change`` validations and keep the best
        generator.
    %(neural_validation)s
    callbacks : list of skorch callbacks, default=None
        :class:`skorch.callbacks.Callback` instances (or ``(name, callback)``
        pairs) added to the training net's (see ``net_``; ``net.module_`` is
        the generator network). They read ``net.history[-1]`` (``epoch``,
        ``train_loss`` of the generator, ``train_loss_d`` of the critic,
        ``dur``, and ``val_quality`` on validation epochs); raising
        ``KeyboardInterrupt`` stops training.
    %(neural_table)s
    random_state : int, RandomState instance or None, default=None
        Seeds the encoder, the networks, the conditions, batches and noise
        (fits are reproducible on the CPU), and the sampling stream.

    Attributes
    ----------
    encoder_ : TabularEncoder
        The fitted table encoder.
    column_types_ : dict
        Type of every column, inferred or given.
    history_ : skorch.history.History
        The training history, one dict per epoch (see ``callbacks``);
        ``history_[:, "train_loss"]`` is the generator's loss curve.
    %(neural_net_attributes)s
    best_epoch_ : int
        Epoch whose generator the model keeps.
    bandwidth_ : dict
        The Parzen-window score's settings: ``"scale"`` (multiplier of
        Scott's bandwidths) and ``"smoothing"`` (of discrete columns).
    classes_ : ndarray of shape (n_classes,)
        Class labels, when fitted with ``y``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    TabularVAE : TVAE-style variational autoencoder (has a likelihood bound).
    GaussianCopulaGenerator : Fast mixed-type generator with exact numeric conditions.
    TabularEncoder : The table encoding.

    Notes
    -----
    *Training* runs on the package's torch layer (a skorch net, see
    ``doc/design.rst``, "The torch layer") whose ``train_step`` alternates two
    optimisers: the critic with gradient penalty, then the generator with
    the conditional cross-entropy. It is vectorised: conditions and matching
    rows are drawn with a few NumPy calls per batch (no per-row Python), the
    Gumbel-softmax of every block is one padded tensor operation, the critic
    scores real, fake and interpolated packs in one forward pass, and the
    critic's step does not backpropagate into the generator.

    *Training budget.* SDV's CTGAN trains 300 epochs of ``max(n // 500,
    1)`` steps: 300 steps on any table of fewer than 1,000 rows, 900 on
    1,600. That is far from converged: on
    :func:`~sksynth.datasets.make_disease` (therapy effect -20 on blood
    pressure) such a generator's therapy coefficient is about -2 at ``n =
    160`` and -0.4 at ``n = 500``, and what the one-step correction of
    :class:`~sksynth.inference.DebiasedGenerator` cannot remove (the
    debiased coefficient's second-order remainder, a product of the
    generator's errors in the treatment and outcome models) is 1.6, 1.6 and
    2.9 of the debiased standard error at ``n`` = 160, 500 and 1,600 (root
    mean square over 4, 2 and 2 seeds). At a fixed number of steps the
    remainder does not shrink with ``n`` (after 6,000 steps its root mean
    square is 0.44, 0.93 and 0.46 at ``n`` = 160, 500 and 1,600), while the
    standard error shrinks as ``n^-1/2``, so larger tables need more steps: 6,000
    steps bring it to 0.19 standard errors at ``n = 160`` but leave 0.74 and
    0.65 at ``n`` = 500 and 1,600; 12,000 steps give 0.17 and 0.11 there.
    ``epochs="auto"`` therefore trains at least 12,000 steps. The price is
    time: 200-220 CPU seconds per fit on tables of 500 to 1,600 rows (one
    torch thread on a busy machine) instead of 5-15. These are a few seeds
    per size (``benchmarks/README.md``); 12,000 steps were not measured
    below ``n = 500``.

    *Conditions.* Categorical and boolean columns and the missing indicator
    of each numeric column with missing values are the *units* a
    conditional vector can name; class labels (when fitted with ``y``) are
    always part of it, and the generator also predicts them (an auxiliary
    cross-entropy, which sharpens ``X | y``). ``sample(conditions={col:
    value})`` or ``sample(y=labels)`` puts the values in the conditional
    vector and writes them into the generated rows, so the columns hold
    exactly the requested values while the rest follows the generator's
    conditional, with no rejection. One unit per call besides ``y`` (the
    vector names one column, as in CTGAN); a value never seen in ``fit``, a
    missing value for a column that had none, or a numeric value raises a
    ``ValueError``. Unconditional rows draw the label from its training
    frequencies (given the requested value, if any), the unit uniformly and
    its value by its frequency given the label (not its log-frequency, so
    that the mixture of the conditionals is the joint distribution), and
    write that value in too. Batch normalisation uses its running
    statistics when sampling: batch statistics over rows that share one
    condition would cancel the condition's effect.

    *Sampling*: ``tanh`` offsets, modes and categories drawn from the
    softmax (the Gumbel-max trick), missing indicators from their
    Bernoulli. Training conditions at log-frequency over-represent missing
    values, and the generator's missing rates followed (penguins' 0.6% came
    back as 8%): after training, each missing logit (a numeric column's
    indicator, a categorical column's missing slot) is shifted by a constant
    so that 5,000 unconditional rows have the training missing rate.
    :class:`TabularEncoder` decodes, so categories are never invented and
    numeric values stay within the observed range (integers rounded).

    *Score.* A GAN has no likelihood; :meth:`score_samples` is a documented
    proxy, the Parzen-window log-likelihood used to evaluate GANs since
    Goodfellow et al. (2014) [3]_: the log-density of each row under a
    product kernel density estimate centred on 1,000 rows drawn from the
    generator at the end of ``fit`` -- Gaussian kernels for numeric values
    (Scott's bandwidths times a scale), Aitchison-Aitken kernels for
    categories and missingness -- with the scale and smoothing chosen by the
    likelihood of 300 training rows. It is in the data's own units, as the
    other generators' log-likelihoods; a row with a category never seen in
    ``fit`` scores ``-inf``. :meth:`transform` is the
    :class:`TabularEncoder` encoding the generator works in.

    References
    ----------
    .. [1] Xu, L., Skoularidou, M., Cuesta-Infante, A. and Veeramachaneni, K.
       (2019). "Modeling tabular data using conditional GAN." NeurIPS 2019,
       arXiv:1907.00503.
    .. [2] Lin, Z., Khetan, A., Fanti, G. and Oh, S. (2018). "PacGAN: the
       power of two samples in generative adversarial networks." NeurIPS 2018;
       Gulrajani, I., Ahmed, F., Arjovsky, M., Dumoulin, V. and Courville, A.
       (2017). "Improved training of Wasserstein GANs." NeurIPS 2017.
    .. [3] Goodfellow, I. et al. (2014). "Generative adversarial nets."
       NeurIPS 2014 (the Parzen-window evaluation).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth.generators import ConditionalTabularGAN
    >>> rng = np.random.RandomState(0)
    >>> group = rng.choice(["a", "b"], size=500)
    >>> X = pd.DataFrame({"group": group,
    ...                   "value": np.where(group == "a", 0.0, 5.0) + rng.normal(size=500)})
    >>> gan = ConditionalTabularGAN(epochs=5, batch_size=100, random_state=0).fit(X)
    >>> X_new = gan.sample(1000)
    >>> X_new.dtypes.equals(X.dtypes), set(X_new["group"]) <= {"a", "b"}
    (True, True)
    >>> bool((gan.sample(200, conditions={"group": "b"})["group"] == "b").all())
    True
    """

    _parameter_constraints = {
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "generator_dims": [tuple, list],
        "discriminator_dims": [tuple, list],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "discriminator_lr": [Interval(Real, 0, None, closed="neither")],
        "discriminator_weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "discriminator_steps": [Interval(Integral, 1, None, closed="left")],
        "log_frequency": ["boolean"],
        "epochs": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "pac": [Interval(Integral, 1, None, closed="left")],
        **_TRAINING_CONSTRAINTS,
    }

    _auto_epochs = _AUTO_EPOCHS
    _auto_min_steps = _AUTO_MIN_STEPS
    _conditional_units = True
    _MAX_CONDITION_UNITS = 1
    _module_names = ("_generator",)
    _derived_names = ("_L",)

    def __init__(self, *, latent_dim=128, generator_dims=(256, 256),
                 discriminator_dims=(256, 256), lr=2e-4, weight_decay=1e-6,
                 discriminator_lr=2e-4, discriminator_weight_decay=1e-6, batch_size=500,
                 discriminator_steps=1, log_frequency=True, epochs="auto", pac=10,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=5,
                 validation_interval=10, callbacks=None, column_types=None, constraints=None,
                 min_group_size=DEFAULT_MIN_GROUP_SIZE, device="cpu",
                 precision="float32", verbose=0, random_state=None):
        self.latent_dim = latent_dim
        self.generator_dims = generator_dims
        self.discriminator_dims = discriminator_dims
        self.lr = lr
        self.weight_decay = weight_decay
        self.discriminator_lr = discriminator_lr
        self.discriminator_weight_decay = discriminator_weight_decay
        self.batch_size = batch_size
        self.discriminator_steps = discriminator_steps
        self.log_frequency = log_frequency
        self.epochs = epochs
        self.pac = pac
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.validation_interval = validation_interval
        self.callbacks = callbacks
        self.column_types = column_types
        self.constraints = constraints
        self.min_group_size = min_group_size
        self.device = device
        self.precision = precision
        self.verbose = verbose
        self.random_state = random_state

    def _check_params(self):
        if self.batch_size % self.pac:
            raise ValueError(
                f"batch_size={self.batch_size} must be a multiple of pac={self.pac} (the "
                "critic scores packs of pac rows); e.g. batch_size=500 with pac=10."
            )
        for name in ("generator_dims", "discriminator_dims"):
            _check_layer_widths(getattr(self, name), name)

    # ------------------------------------------------------------------ fit
    def _fit(self, frame, y_spec, X):
        """Fit the encoder and train the GAN on ``frame`` (and class labels)."""
        frame, T, labels, rng = self._prepare(frame, y_spec, X)
        device = self._device
        gen_cpu, gen_dev = _generators(rng.randint(_MAX_SEED), device)
        L = self._layout
        self._L = L.tensors(device)
        train_rows, val_rows = self._split(frame, T, rng)
        codes = L.unit_codes(T)
        target = L.label_unit
        self._units = np.arange(L.n_data_units)
        self._sampler = _ConditionSampler(
            codes[train_rows], [L.units[u].width for u in self._units],
            None if labels is None else labels[train_rows],
            0 if target is None else L.units[target].width, self.log_frequency)
        # the generator also outputs logits of the class label, trained to match the
        # label of its conditional vector (an auxiliary loss: it sharpens X | y a lot)
        generator = _Generator(self.latent_dim + L.cdim, tuple(self.generator_dims),
                               self._n_outputs(), gen_cpu).to(device)
        critic = _Discriminator(L.d + L.cdim, tuple(self.discriminator_dims), self.pac,
                                gen_cpu).to(device)
        self._generator = generator
        data = torch.as_tensor(T[train_rows], device=device)
        b = self.batch_size
        steps = max(train_rows.size // b, 1)
        np_rng = np.random.RandomState(rng.randint(_MAX_SEED))
        sampler = self._sampler
        units_t = torch.as_tensor(self._units, device=device)
        target_t = None
        if target is not None:
            target_t = torch.full((b,), target, dtype=torch.int64, device=device)
            target_labels = torch.as_tensor(labels[train_rows], device=device)
        offsets = torch.as_tensor([u.offset for u in L.units], dtype=torch.int64, device=device)
        arange_b = torch.arange(b, device=device)

        def conditions():
            """Training conditions: C (b, cdim), the revealed units and slots, matching rows."""
            unit, slot, rows = sampler.draw(b, np_rng)
            rows = torch.as_tensor(rows, device=device)
            if not L.cdim:
                return None, [], rows
            C = torch.zeros((b, L.cdim), device=device)
            revealed = []
            if unit is not None:
                unit = units_t[torch.as_tensor(unit, device=device)]
                slot = torch.as_tensor(slot, device=device)
                C[arange_b, offsets[unit] + slot] = 1.0
                revealed.append((unit, slot))
            if target_t is not None:
                label = target_labels[rows]
                C[arange_b, offsets[target_t] + label] = 1.0
                revealed.append((None, label))
            return C, revealed, rows

        if val_rows is None:
            validate = None
        else:
            quality = self._validation_quality(frame, val_rows, rng)

            def validate():
                generator.eval()
                logs = quality()
                generator.train()
                return logs

        callbacks = self._training_callbacks(validate, extra=[(
            "train_loss_d", PassthroughScoring(name="train_loss_d", on_train=True))])
        net = _GANTrainer(
            generator, critic=critic, data=data, draw_conditions=conditions,
            activate=self._activate, condition_loss=self._condition_loss,
            permute=np_rng.permutation, width=L.d,
            latent_dim=self.latent_dim, pac=self.pac,
            discriminator_steps=self.discriminator_steps, noise=gen_dev,
            precision=self.precision, critic_lr=self.discriminator_lr,
            critic_weight_decay=self.discriminator_weight_decay,
            max_epochs=self._n_epochs(steps), batch_size=b,
            iterator_train=DrawnBatches, iterator_train__n_batches=steps,
            optimizer=torch.optim.Adam, lr=self.lr, optimizer__betas=(0.5, 0.9),
            optimizer__weight_decay=self.weight_decay, optimizer__fused=True,
            callbacks=callbacks, callbacks__progress__desc=type(self).__name__,
            device=device, verbose=int(self.verbose),
        ).fit({"steps": torch.empty(steps, 0)})
        self._record_training(net)
        generator.eval()
        self._sampler.rows = None  # the training rows are not kept after fit
        self._calibrate_missing(np.random.RandomState(rng.randint(_MAX_SEED)))
        self._fit_parzen(frame.iloc[train_rows], train_rows, rng)
        self._init_sampling_stream(rng)
        return self

    def _n_outputs(self):
        L = self._layout
        return L.d + (0 if L.label_unit is None else L.units[L.label_unit].width)

    def _activate(self, out, generator):
        """Differentiable outputs: tanh offsets, Gumbel-softmax blocks, relaxed Bernoulli flags."""
        Lt = self._L
        b = out.shape[0]
        # index_select: several times faster than advanced indexing on CPU
        parts = [torch.tanh(out.index_select(1, Lt["cont_idx"]))]
        if self._layout.n_soft:  # Gumbel-softmax of every block
            logits = out.index_select(1, Lt["soft_cols"])
            gumbel = -torch.empty_like(logits).exponential_(generator=generator).log()
            parts.append(_block_softmax((logits + gumbel) / _TAU, Lt))
        if self._layout.ind_idx.size:
            u = torch.rand((b, self._layout.ind_idx.size), generator=generator,
                           device=out.device).clamp_(1e-6, 1 - 1e-6)
            noise = torch.log(u) - torch.log1p(-u)
            parts.append(torch.sigmoid((out.index_select(1, Lt["ind_idx"]) + noise) / _TAU))
        return torch.cat(parts, dim=1).index_select(1, Lt["restore"])

    def _condition_loss(self, out, unit, slot):
        """Cross-entropy of the generator's logits for the conditioned unit (CTGAN)."""
        Lt = self._L
        padded = torch.cat([out, out.new_zeros((out.shape[0], 1))], dim=1)
        idx = Lt["unit_idx"][unit]
        logits = padded.gather(1, idx).masked_fill(~Lt["unit_valid"][unit], -torch.inf)
        return F.cross_entropy(logits, slot)

    def _missing_logits(self, out):
        """(unit, data column, logit of "missing") of every unit with missing values."""
        found = []
        for u in self._units:
            unit = self._layout.units[u]
            if unit.kind == "indicator":
                found.append((u, unit.start, out[:, unit.start]))
            elif unit.kind == "onehot" and unit.has_missing:  # the block's last slot
                rest = torch.logsumexp(out[:, unit.start:unit.stop - 1], dim=1)
                found.append((u, unit.stop - 1, out[:, unit.stop - 1] - rest))
        return found

    def _calibrate_missing(self, rng):
        """Shift each missing logit so that unconditional rows have the training missing rate.

        Training-by-sampling draws the missing slot at log-frequency (a column
        0.6% missing is the condition in 16% of its unit's draws), which helps
        learn *when* values are missing but pulls the generator's one missing
        logit towards that rate: penguins' 0.6% came back as 8%. A constant
        shift per column, found on 5,000 unconditional rows, restores the
        rate and keeps the learnt dependence (the order of the logits).
        """
        self._missing_shift = None
        if not len(self._units):
            return
        n = _N_CALIBRATION
        generator = torch.Generator(device=self._device).manual_seed(int(rng.randint(_MAX_SEED)))
        out, by_unit = self._generate(n, {}, generator, rng, raw=True)
        cols, shifts = [], []
        for u, col, logit in self._missing_logits(out):
            counts = self._sampler.counts[u, :self._layout.units[u].width]
            rate = counts[-1] / max(counts.sum(), 1)
            free = np.ones(n, dtype=bool)  # rows whose unit was not written by the condition
            if int(u) in by_unit:
                free[by_unit[int(u)][0]] = False
            logit = logit.double().cpu().numpy()[free]
            lo, hi = -30.0, 30.0
            for _ in range(60):  # bisection: the mean probability is increasing in the shift
                mid = 0.5 * (lo + hi)
                if np.mean(1.0 / (1.0 + np.exp(-(logit + mid)))) < rate:
                    lo = mid
                else:
                    hi = mid
            cols.append(col)
            shifts.append(0.5 * (lo + hi))
        if cols:
            self._missing_shift = (np.asarray(cols, dtype=np.int64),
                                   np.asarray(shifts, dtype=np.float32))

    # ------------------------------------------------------------- sampling
    def _generate(self, n, requests, generator, rng, raw=False):
        L, Lt = self._layout, self._L
        device = self._device
        requests = dict(requests)
        by_unit = {}
        if L.units:  # complete the conditions (label and unit) that were not requested
            target = L.label_unit
            label = requests.get(target) if target is not None else None
            asked = [u for u in requests if u != target]
            unit = slot = None
            if asked:
                unit = np.full(n, int(np.flatnonzero(self._units == asked[0])[0]))
                slot = requests[asked[0]]
            unit, slot, label = self._sampler.complete(n, rng, unit, slot, label)
            if target is not None:
                requests[target] = label
            if unit is not None:
                for u in np.unique(unit):
                    rows = np.flatnonzero(unit == u)
                    by_unit[int(self._units[u])] = (rows, slot[rows])
        with torch.no_grad():
            z = torch.randn((n, self.latent_dim), generator=generator, device=device)
            if L.cdim:
                C = L.cond_from_codes({u: s for u, s in requests.items()
                                       if u == L.label_unit}, n)
                for u, (rows, slots) in by_unit.items():
                    C[rows, L.units[u].offset + slots] = 1.0
                z = torch.cat([z, torch.as_tensor(C, device=device)], dim=1)
            out = self._generator(z)[:, :L.d]
            if raw:
                return out, by_unit
            shift = getattr(self, "_missing_shift", None)
            if shift is not None:
                cols = torch.as_tensor(shift[0], device=out.device)
                out[:, cols] += torch.as_tensor(shift[1], dtype=out.dtype, device=out.device)
            if L.cont_idx.size:
                out[:, Lt["cont_idx"]] = torch.tanh(out[:, Lt["cont_idx"]])
            if L.n_soft:  # Gumbel-max: the decoder's arg-max draws from the softmax
                flat = Lt["soft_cols"]
                noise = torch.empty((n, flat.numel()), device=device).exponential_(
                    generator=generator).log()
                out[:, flat] = out[:, flat] - noise
            if L.ind_idx.size:
                u = torch.rand((n, L.ind_idx.size), generator=generator, device=device)
                out[:, Lt["ind_idx"]] = (torch.sigmoid(out[:, Lt["ind_idx"]]) > u).to(out.dtype)
            T = out.cpu().double().numpy()
        for u, (rows, slots) in by_unit.items():
            T[rows] = L.write_units(T[rows], {u: slots})
        return T

    # ------------------------------------------------ Parzen-window proxy score
    def _fit_parzen(self, frame, train_rows, rng):
        """Reference rows from the generator and the kernel settings (see Notes)."""
        T, labels = self._generate_rows(_N_REFERENCE, {},
                                        np.random.RandomState(rng.randint(_MAX_SEED)))
        num, cat = self._rows_to_arrays(T, labels)
        self._ref_num, self._ref_cat = num, cat
        m = num.shape[0]
        sd = np.nanstd(num, axis=0) if num.shape[1] else np.empty(0)
        sd = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
        self._ref_mean = np.where(np.isfinite(np.nanmean(num, axis=0)), np.nanmean(num, axis=0),
                                  0.0) if num.shape[1] else np.empty(0)
        self._ref_sd = sd
        self._scott = sd * m ** (-1.0 / (num.shape[1] + cat.shape[1] + 4))
        n_codes = list(self._arrays.n_codes) + (
            [len(self.classes_)] if self._y_spec is not None else [])
        self._n_codes = np.maximum(np.asarray(n_codes, dtype=np.float64), 2.0)
        pick = check_random_state(rng.randint(_MAX_SEED)).permutation(len(frame))[:_N_BANDWIDTH]
        y_enc = None if self._y_spec is None else self._y_spec.encoded[train_rows][pick]
        q_num, q_cat = self._arrays(frame.iloc[pick], y_enc)
        best = None
        for scale in (0.25, 0.5, 1.0, 2.0):
            for smoothing in (0.01, 0.05, 0.2):
                value = float(np.mean(self._parzen(q_num, q_cat, scale, smoothing)))
                if best is None or value > best[0]:
                    best = (value, scale, smoothing)
        self.bandwidth_ = {"scale": best[1], "smoothing": best[2]}

    def _parzen(self, num, cat, scale, smoothing, n_cat=None):
        """Log-density of rows under the product-kernel estimate on the reference rows."""
        n_cat = cat.shape[1] if n_cat is None else n_cat
        ref_num, ref_cat = self._ref_num, self._ref_cat[:, :n_cat]
        m = ref_num.shape[0]
        log_keep, log_move = np.log1p(-smoothing), np.log(smoothing)
        out = np.empty(num.shape[0])
        for start in range(0, num.shape[0], 500):
            rows = slice(start, start + 500)
            total = np.zeros((num[rows].shape[0], m))
            for j in range(num.shape[1]):
                x, r = num[rows, j][:, None], ref_num[:, j][None, :]
                seen_x, seen_r = ~np.isnan(x), ~np.isnan(r)
                h = scale * self._scott[j]
                near = (-0.5 * ((np.where(seen_x, x, 0.0) - np.where(seen_r, r, 0.0)) / h) ** 2
                        - np.log(h) - _HALF_LOG_2PI)
                broad = (-0.5 * ((np.where(seen_x, x, 0.0) - self._ref_mean[j])
                                 / self._ref_sd[j]) ** 2 - np.log(self._ref_sd[j])
                         - _HALF_LOG_2PI)
                total += np.where(seen_x, np.where(seen_r, log_keep + near, log_move + broad),
                                  np.where(seen_r, log_move, log_keep))
            for j in range(n_cat):
                same = cat[rows, j][:, None] == ref_cat[:, j][None, :]
                total += np.where(same, log_keep, log_move - np.log(self._n_codes[j] - 1.0))
            out[rows] = logsumexp(total, axis=1) - np.log(m)
        return out

    def _score_samples(self, frame, y_enc):
        """Parzen log-likelihood of each row (see Notes); ``-inf`` for a category never
        seen in fit (or a missing value in a categorical column that had none), which
        the generator never makes."""
        num, cat = self._arrays(frame, y_enc)
        out = self._parzen(num, cat, self.bandwidth_["scale"], self.bandwidth_["smoothing"])
        # the kernel's smoothing would give a category never seen (or a missing value where
        # the column had none) a finite score, at times above a valid row's: the generator
        # never makes it, so its probability is zero (the copula's transform refuses it)
        for i, j in enumerate(self._arrays.discrete):
            coder = self._arrays.coders[j]
            out[(cat[:, i] < 0)
                | ((cat[:, i] == coder.n_categories) & (not coder.has_missing))] = -np.inf
        return out

    # ------------------------------------------------------------ pickling
    def _build_modules(self, states):
        L = self._layout
        generator = _Generator(self.latent_dim + L.cdim, tuple(self.generator_dims),
                               self._n_outputs(), torch.Generator().manual_seed(0))
        generator.load_state_dict(states["_generator"])
        self._generator = generator.to(self._device).eval()
        self._L = L.tensors(self._device)
