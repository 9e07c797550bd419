"""Diffusion model for mixed tables: Gaussian diffusion of numeric values, masked diffusion
of discrete ones, with exact discrete conditions."""

import math
from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import logsumexp
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import DEFAULT_MIN_GROUP_SIZE, _MAX_SEED
from ._diffusion_nets import _T, _Denoiser, _DiffusionTrainer, _diffusion_loss, _noisy, _Tokens
from ._docs import fill_doc
from ._torch_utils import (
    _CHUNK,
    _TRAINING_CONSTRAINTS,
    _EncodedSpaceMixin,
    _NeuralTabularGenerator,
    _check_layer_widths,
    _deepcopy_double,
    _generators,
)

#: Timesteps (and fixed noise and masks) of the ``score_samples`` proxy.
_N_SCORE_STEPS = 8
#: ``epochs="auto"``: 300 epochs, and at least this many gradient steps on small tables.
_AUTO_EPOCHS = 300
_AUTO_MIN_STEPS = 3000


@fill_doc
class TabularDiffusion(_EncodedSpaceMixin, _NeuralTabularGenerator):
    """Diffusion model for mixed-type tables (TabDDPM-like), with exact discrete conditions.

    The table is encoded by :class:`TabularEncoder` (mode-specific
    normalisation of numeric columns, one-hot categories, missing
    indicators). The continuous offsets (standardised) follow a Gaussian
    diffusion (DDPM [1]_, cosine schedule [2]_, 1,000 steps, the network
    predicts the noise); every discrete block -- a category, a boolean, the
    mode of a numeric value, a missing indicator -- is a token of a masked
    (absorbing-state) diffusion [3]_: at time ``t`` each token is hidden
    with probability ``t / T`` and the network predicts the categories of
    the hidden ones. One MLP denoiser with a sinusoidal timestep embedding
    sees both parts at once, as TabDDPM's [4]_ does (which uses multinomial
    diffusion for the categories instead).

    Parameters
    ----------
    denoiser_dims : tuple of int, default=(256, 256)
        Hidden layer widths of the denoiser MLP (SiLU).
    n_steps : int, default=50
        Denoising steps of :meth:`sample`: an evenly spaced subsequence of
        the 1,000 training timesteps (DDIM [5]_ for the numeric part, see
        Notes). Sampling time is proportional to it; fewer steps cost
        fidelity: cluster means are pulled together and a category's
        dependence on the other columns weakens (``tests/test_diffusion.py``
        checks 10 and 1 steps), since tokens unmasked at the same step are
        drawn independently.
    weight_decay : float, default=1e-5
        Weight decay of the Adam optimiser.
    batch_size : int, default=512
        Rows per gradient step; an epoch is one pass over the training rows.
    epochs : int or "auto", default="auto"
        Passes over the training rows (0 leaves the denoiser at its random
        initialisation). ``"auto"``: 300, raised on small tables to reach at
        least 3,000 gradient steps (``max(300, ceil(3000 /
        steps_per_epoch))``).
    lr : float, default=1e-3
        Adam's learning rate.
    conditional : bool, default=True
        Train with random subsets of the discrete columns revealed, so that
        :meth:`sample` accepts ``conditions`` (see Notes). Class labels are
        always revealed when fitted with ``y``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows; every
        ``validation_interval`` epochs, score the model's samples against
        them (``val_quality``, as :class:`TabularVAE`); stop when it has not
        improved for ``n_iter_no_change`` validations and keep the best
        weights.
    %(neural_validation)s
    callbacks : list of skorch callbacks, default=None
        :class:`skorch.callbacks.Callback` instances (or ``(name, callback)``
        pairs) added to the training net's (see ``net_``); they read
        ``net.history[-1]`` (``epoch``, ``train_loss``, ``dur``, and
        ``val_quality`` on validation epochs).
    %(neural_table)s
    random_state : int, RandomState instance or None, default=None
        Seeds the encoder, the initialisation, the batches, the noise and
        the masks (fits are reproducible on the CPU), and the sampling stream.

    Attributes
    ----------
    encoder_ : TabularEncoder
        The fitted table encoder.
    column_types_ : dict
        Type of every column, inferred or given.
    history_ : skorch.history.History
        The training history, one dict per epoch; ``history_[:, "train_loss"]``
        is the loss curve.
    %(neural_net_attributes)s
    best_epoch_ : int
        Epoch whose weights the model keeps (the last one without early stopping).
    classes_ : ndarray of shape (n_classes,)
        Class labels, when fitted with ``y``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    TabularVAE : Variational autoencoder on the same encoding.
    ConditionalTabularGAN : CTGAN-style conditional GAN on the same encoding.

    Notes
    -----
    *Training* runs on the package's torch layer (``doc/design.rst``, "The
    torch layer"): each batch draws one timestep per row (stratified over the
    batch), noises the continuous values and masks the tokens; the loss is
    the mean squared error of the predicted noise plus the cross-entropy of
    the masked tokens weighted by ``-alpha'(t) / (1 - alpha(t)) = 1 / t``
    (the masked-diffusion ELBO weight of MDLM [3]_ with ``alpha(t) = 1 - t``
    in continuous time), each part averaged over its values. The learning
    rate decays linearly from ``lr`` to 0 over the planned steps (as
    TabDDPM's trainer): with a constant rate the last weights are noisy
    enough that the cluster masses of the samples drift by several points
    between epochs on the test table of ``tests/test_diffusion.py``. This
    schedule sets the optimiser's rate at every step, so an ``LRScheduler``
    among ``callbacks`` has no effect.

    *Conditions* are exact, by conditioning the denoiser, not by rejection.
    The discrete columns (categories, booleans, the missing indicator of
    each numeric column with missing values) are *units*; during training
    each row reveals nothing with probability 1/2, otherwise each unit with
    probability 1/2: a revealed token is never masked, the denoiser sees a
    reveal flag for it, and it carries no loss. ``sample(conditions=...)``
    and ``sample(y=...)`` reveal the requested values from the first step,
    so every row holds them. The labels of unconditional rows are drawn from
    their training frequencies given the requested values (as
    :class:`TabularVAE`). ``conditions`` on a numeric value raise a
    ``ValueError`` (missingness, ``np.nan``, can be conditioned on).

    *Sampling* starts from Gaussian noise and all tokens masked (but the
    revealed ones) and runs ``n_steps`` steps ``t -> s`` down the timestep
    subsequence. Numeric part: the deterministic DDIM update from the
    predicted clean values, clipped to the training range. Discrete part:
    each still-masked token is unmasked with probability ``(alpha_s -
    alpha_t) / (1 - alpha_t) = (t - s) / t`` and, if so, drawn from the
    predicted categories; every token is unmasked at the last step.
    :class:`TabularEncoder` decodes (categories are never invented, numeric
    values stay in the observed range).

    *Precision*: ``"float32"`` is the tested setting; ``"bfloat16"`` runs the
    denoiser under autocast in training as the other neural generators do,
    untested here (no timing, no quality check).

    *Encoding*: numeric columns get :class:`TabularEncoder`'s mode-specific
    normalisation (an offset, diffused as a Gaussian, and a mode, a token),
    not TabDDPM's quantile normalisation: the shared preamble of the neural
    generators fixes the encoder's numeric method.

    *Score.* A diffusion model has no closed-form likelihood;
    :meth:`score_samples` is a documented *proxy*: minus the training loss of
    the row averaged over 8 fixed timesteps with fixed noise and masks (the
    same for every row, so the score is deterministic and a row's score does
    not depend on the other rows), in float64 on the CPU. Higher is better;
    it is not a log-density and is not comparable across models. A row with
    a category never seen in ``fit`` scores ``-inf``. Fitted with ``y``, it
    is ``log p(y)`` plus the proxy given ``y``, and without ``y`` the
    log-sum-exp of those over the classes.

    References
    ----------
    .. [1] Ho, J., Jain, A. and Abbeel, P. (2020). "Denoising diffusion
       probabilistic models." NeurIPS 2020, arXiv:2006.11239.
    .. [2] Nichol, A. and Dhariwal, P. (2021). "Improved denoising diffusion
       probabilistic models." ICML 2021, arXiv:2102.09672.
    .. [3] Sahoo, S. S. et al. (2024). "Simple and effective masked diffusion
       language models." NeurIPS 2024, arXiv:2406.07524.
    .. [4] Kotelnikov, A., Baranchuk, D., Rubachev, I. and Babenko, A. (2023).
       "TabDDPM: Modelling tabular data with diffusion models." ICML 2023,
       arXiv:2209.15421.
    .. [5] Song, J., Meng, C. and Ermon, S. (2021). "Denoising diffusion
       implicit models." ICLR 2021, arXiv:2010.02502.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth.generators import TabularDiffusion
    >>> rng = np.random.RandomState(0)
    >>> group = rng.choice(["a", "b"], size=500)
    >>> X = pd.DataFrame({"group": group,
    ...                   "value": np.where(group == "a", 0.0, 5.0) + rng.normal(size=500)})
    >>> model = TabularDiffusion(epochs=100, n_steps=20, random_state=0).fit(X)
    >>> X_new = model.sample(1000)
    >>> X_new.dtypes.equals(X.dtypes), set(X_new["group"]) <= {"a", "b"}
    (True, True)
    >>> b_rows = model.sample(500, conditions={"group": "b"})
    >>> bool((b_rows["group"] == "b").all()), bool(b_rows["value"].mean() > 2.5)
    (True, True)
    """

    _parameter_constraints = {
        "denoiser_dims": [tuple, list],
        "n_steps": [Interval(Integral, 1, _T, closed="both")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "conditional": ["boolean"],
        **_TRAINING_CONSTRAINTS,
    }

    _auto_epochs = _AUTO_EPOCHS
    _auto_min_steps = _AUTO_MIN_STEPS
    _module_names = ("_net",)
    _derived_names = ("_net64",)

    def __init__(self, *, denoiser_dims=(256, 256), n_steps=50, weight_decay=1e-5,
                 batch_size=512, epochs="auto", lr=1e-3, conditional=True,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=5,
                 validation_interval=10, callbacks=None, column_types=None, constraints=None,
                 min_group_size=DEFAULT_MIN_GROUP_SIZE, device="cpu", precision="float32",
                 verbose=0, random_state=None):
        self.denoiser_dims = denoiser_dims
        self.n_steps = n_steps
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.lr = lr
        self.conditional = conditional
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

    @property
    def _conditional_units(self):
        return self.conditional

    def _check_params(self):
        _check_layer_widths(self.denoiser_dims, "denoiser_dims")

    # ------------------------------------------------------------------ fit
    def _fit(self, frame, y_spec, X):
        """Fit the encoder and train the denoiser on ``frame`` (and class labels)."""
        frame, T, labels, rng = self._prepare(frame, y_spec, X)
        device = self._device
        gen_cpu, gen_dev = _generators(rng.randint(_MAX_SEED), device)
        L = self._layout
        n_classes = 0 if labels is None else len(self.classes_)
        self._tokens = tok = _Tokens(L, n_classes)
        # the denoiser works on standardised offsets (mode-specific offsets have sd ~ 0.25)
        x_cont = T[:, L.cont_idx].astype(np.float64)
        self._cont_mean = x_cont.mean(axis=0) if x_cont.size else np.zeros(L.cont_idx.size)
        std = x_cont.std(axis=0) if x_cont.size else np.ones(L.cont_idx.size)
        self._cont_std = np.where(std > 1e-8, std, 1.0)
        z = (x_cont - self._cont_mean) / self._cont_std
        self._cont_low = z.min(axis=0) if z.size else np.zeros(0)
        self._cont_high = z.max(axis=0) if z.size else np.zeros(0)
        codes, known = tok.codes(T, L, labels)
        self._net = self._new_denoiser(gen_cpu).to(device)
        train_rows, val_rows = self._split(frame, T, rng)
        rows = {"x0": torch.as_tensor(z[train_rows], dtype=torch.float32, device=device),
                "codes": torch.as_tensor(codes[train_rows], device=device),
                "known": torch.as_tensor(known[train_rows], device=device)}
        n_train = train_rows.size
        batch_size = min(self.batch_size, n_train)
        validate = None
        if val_rows is not None:
            validate = self._validation_quality(frame, val_rows, rng)
        max_epochs = self._n_epochs(math.ceil(n_train / batch_size))
        net = _DiffusionTrainer(
            self._net, total_steps=max_epochs * math.ceil(n_train / batch_size),
            unit_token=torch.as_tensor(tok.unit_token[:L.n_data_units], device=device),
            label_token=tok.n - 1 if tok.has_label else None, precision=self.precision,
            noise=gen_dev, max_epochs=max_epochs,
            batch_size=batch_size, iterator_train__generator=gen_cpu,
            optimizer=torch.optim.Adam, lr=self.lr,
            optimizer__weight_decay=self.weight_decay, optimizer__fused=True,
            callbacks=self._training_callbacks(validate),
            callbacks__progress__desc=type(self).__name__,
            device=device, verbose=int(self.verbose),
        ).fit(rows)
        self._record_training(net)
        self._net.eval()
        self._net64 = _deepcopy_double(self._net)
        self._init_sampling_stream(rng)
        return self

    def _new_denoiser(self, generator):
        return _Denoiser(self._layout.cont_idx.size, self._tokens.sizes,
                         tuple(self.denoiser_dims), generator)

    # ------------------------------------------------------------- sampling
    def _timesteps(self):
        """The sampler's timesteps ``T = t_K > ... > t_0 = 0`` (evenly spaced, distinct)."""
        return np.unique(np.round(np.linspace(0, _T, self.n_steps + 1)).astype(np.int64))[::-1]

    def _generate(self, n, requests, generator, rng):
        L, tok, net, device = self._layout, self._tokens, self._net, self._device
        was_training = net.training
        net.eval()
        with torch.no_grad():
            n_cont = L.cont_idx.size
            x = torch.randn((n, n_cont), generator=generator, device=device)
            codes = torch.zeros((n, tok.n), dtype=torch.int64, device=device)
            reveal = torch.zeros((n, tok.n), dtype=torch.bool, device=device)
            for u, slots in requests.items():
                k = int(tok.unit_token[u])
                codes[:, k] = torch.as_tensor(np.asarray(slots, dtype=np.int64), device=device)
                reveal[:, k] = True
            mask = ~reveal
            low = torch.as_tensor(self._cont_low, dtype=x.dtype, device=device)
            high = torch.as_tensor(self._cont_high, dtype=x.dtype, device=device)
            ab = net.alpha_bar
            steps = self._timesteps()
            for t, s in zip(steps[:-1], steps[1:]):
                t_vec = torch.full((n,), int(t), dtype=torch.int64, device=device)
                eps, logits = net(x, codes, mask, reveal, t_vec)
                ab_t, ab_s = ab[t], ab[s]
                x0 = torch.clamp((x - (1 - ab_t).sqrt() * eps) / ab_t.sqrt(), low, high)
                eps = (x - ab_t.sqrt() * x0) / (1 - ab_t).sqrt()
                x = ab_s.sqrt() * x0 + (1 - ab_s).sqrt() * eps if s > 0 else x0
                if tok.n:
                    unmask = mask & (torch.rand((n, tok.n), generator=generator, device=device)
                                     < (t - s) / t)
                    # Gumbel-max: a draw from each token's predicted categories
                    g = -torch.log(-torch.log(
                        torch.rand(logits.shape, generator=generator, device=device)
                        .clamp_(1e-20, 1.0 - 1e-7)))
                    drawn = torch.argmax(logits + g, dim=2)
                    codes = torch.where(unmask, drawn, codes)
                    mask = mask & ~unmask
            x_cont = x.cpu().double().numpy() * self._cont_std + self._cont_mean
            T = tok.rows(x_cont, codes.cpu().numpy(), L)
        net.train(was_training)
        return L.write_units(T, requests)

    # ------------------------------------------------------------ score proxy
    def _score_draws(self):
        """Fixed timesteps, noise and mask draws of the proxy (shared by every row)."""
        rs = np.random.RandomState(0)
        t = np.round((np.arange(_N_SCORE_STEPS) + 0.5) / _N_SCORE_STEPS * _T).astype(np.int64)
        eps = rs.standard_normal((_N_SCORE_STEPS, self._layout.cont_idx.size))
        u = rs.random_sample((_N_SCORE_STEPS, self._tokens.n))
        return t, eps, u

    def _proxy(self, T, labels, known_extra):
        """Minus the mean denoising loss of encoded rows ``T`` (float64, CPU) given labels."""
        L, tok, net = self._layout, self._tokens, self._net64
        codes, known = tok.codes(T, L, labels)
        known &= known_extra
        z = (T[:, L.cont_idx] - self._cont_mean) / self._cont_std
        t_all, eps_all, u_all = self._score_draws()
        n = T.shape[0]
        out = np.zeros(n)
        reveal_row = np.zeros(tok.n, dtype=bool)
        if tok.has_label:
            reveal_row[-1] = True
        with torch.no_grad():
            for start in range(0, n, _CHUNK):
                rows = slice(start, min(start + _CHUNK, n))
                b = rows.stop - rows.start
                x0 = torch.as_tensor(z[rows])
                c = torch.as_tensor(codes[rows])
                kn = torch.as_tensor(known[rows])
                reveal = torch.as_tensor(np.tile(reveal_row, (b, 1)))
                for t, eps, u in zip(t_all, eps_all, u_all):
                    t_vec = torch.full((b,), int(t), dtype=torch.int64)
                    eps_t = torch.as_tensor(np.tile(eps, (b, 1)))
                    u_t = torch.as_tensor(np.tile(u, (b, 1)))
                    x_t, mask = _noisy(net, x0, c, t_vec, eps_t, u_t, reveal)
                    eps_hat, logits = net(x_t, c, mask, reveal, t_vec)
                    loss = _diffusion_loss(eps_hat, logits, eps_t, c, mask, kn, t_vec, _T)
                    out[rows] -= loss.numpy() / len(t_all)
        return out

    def _score_samples(self, frame, y_enc):
        """The denoising-loss proxy of each row (see Notes); ``-inf`` for a category never
        seen in fit."""
        T, extra, penalty = self._encode_rows(frame)
        # a numeric value missing where fit had none: its mode token is not scored
        known = np.ones((T.shape[0], self._tokens.n), dtype=bool)
        known[:, :self._layout.n_soft] = extra["soft"] > 0
        if self._y_spec is None:
            return self._proxy(T, None, known) + penalty
        log_prior = np.log(self._label_counts / self._label_counts.sum())
        if y_enc is not None:
            return log_prior[y_enc] + self._proxy(T, y_enc, known) + penalty
        per_class = np.column_stack([
            log_prior[k] + self._proxy(T, np.full(T.shape[0], k), known)
            for k in range(len(self.classes_))])
        return logsumexp(per_class, axis=1) + penalty

    # ------------------------------------------------------------ pickling
    def _build_modules(self, states):
        net = self._new_denoiser(torch.Generator().manual_seed(0))
        net.load_state_dict(states["_net"])
        self._net = net.to(self._device).eval()
        self._net64 = _deepcopy_double(net)
