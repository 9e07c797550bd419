"""TVAE-style variational autoencoder for mixed tables, conditional on discrete columns."""

import math
from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import logsumexp, softmax
from sklearn.base import ClassNamePrefixFeaturesOutMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

from ..base import DEFAULT_MIN_GROUP_SIZE, _MAX_SEED
from ._docs import fill_doc
from ._torch_utils import (
    _CHUNK,
    _TRAINING_CONSTRAINTS,
    _NeuralTabularGenerator,
    _check_layer_widths,
    _deepcopy_double,
    _generators,
)
from ._vae_nets import _VAENet, _VAETrainer, _likelihood_order, _log_likelihood

#: Fixed standard-normal draws of the Monte-Carlo ELBO in ``score_samples``.
_N_SCORE_DRAWS = 16
#: ``epochs="auto"``: SDV's 300 epochs, and at least this many gradient steps. On
#: make_disease, 6,000 steps bring the generator's stage-wise therapy rates and
#: blood-pressure means close enough that the debiased therapy coefficient's
#: second-order remainder falls to 0.02-0.16 of its standard error at every n in
#: 50-5000 (8 seeds, benchmarks/debiasing_remainder.py); SDV's 300 epochs left it at
#: 0.6-2.0 of it for n <= 1600.
_AUTO_EPOCHS = 300
_AUTO_MIN_STEPS = 6000


@fill_doc
class TabularVAE(ClassNamePrefixFeaturesOutMixin, _NeuralTabularGenerator):
    """Variational autoencoder for mixed-type tables (TVAE), with exact discrete conditions.

    The table is encoded by :class:`TabularEncoder` (mode-specific
    normalisation of numeric columns, one-hot categories, missing
    indicators); an MLP encoder maps each encoded row to a Gaussian
    posterior over a latent ``z`` and an MLP decoder maps ``z`` back to the
    parameters of ``p(x | z)``: a Gaussian for each normalised offset
    (through ``tanh``, with a learned scale), a softmax for each mode and
    category block and a Bernoulli for each missing indicator -- the TVAE
    of Xu et al. (2019) [1]_, with SDV's default sizes. Both networks also
    receive a *conditional vector* naming values of discrete columns, so
    that ``sample(conditions=...)`` and ``sample(y=...)`` are exact (see
    Notes).

    Parameters
    ----------
    latent_dim : int, default=128
        Size of the latent ``z`` (SDV's ``embedding_dim``; the parameter names
        are the package's shared vocabulary of the neural generators, see
        ``doc/design.rst``).
    encoder_dims : tuple of int, default=(128, 128)
        Hidden layer widths of the encoder (ReLU; SDV's ``compress_dims``).
    decoder_dims : tuple of int, default=(128, 128)
        Hidden layer widths of the decoder (ReLU; SDV's ``decompress_dims``).
    weight_decay : float, default=1e-5
        Weight decay of the Adam optimiser (SDV's ``l2scale``).
    batch_size : int, default=500
        Rows per gradient step; an epoch is one pass over the training rows.
    epochs : int or "auto", default="auto"
        Passes over the training rows (0 leaves the networks at their random
        initialisation). ``"auto"`` runs SDV's 300 epochs, raised on small
        tables to reach at least 6,000 gradient steps:
        ``max(300, ceil(6000 / steps_per_epoch))`` with ``steps_per_epoch =
        ceil(n_train / batch_size)``. 300 epochs of 500-row batches are only
        300 steps on tables of up to 500 rows, too few for the model to learn
        the relations between columns (see Notes). Pass ``epochs=300`` for
        SDV's exact schedule.
    loss_factor : float, default=2.0
        Weight of the reconstruction term in the training loss (TVAE's
        ``loss_factor``; a beta-VAE with ``beta = 1 / loss_factor``).
    lr : float, default=1e-3
        Adam's learning rate.
    conditional : bool, default=True
        Train as a conditional VAE on the discrete columns (categories,
        booleans, missing indicators), so that :meth:`sample` accepts
        ``conditions``. ``False`` trains the plain TVAE (class labels stay
        conditional when fitted with ``y``).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows; every
        ``validation_interval`` epochs, score the model's samples against
        them (``val_quality``, see Notes); stop when it has not improved for
        ``n_iter_no_change`` validations and keep the best weights.
    %(neural_validation)s
    callbacks : list of skorch callbacks, default=None
        :class:`skorch.callbacks.Callback` instances (or ``(name, callback)``
        pairs) added to the training net's (see ``net_``): e.g.
        ``LRScheduler``, ``Checkpoint``, ``ProgressBar``. They read
        ``net.history[-1]`` (``epoch``, ``train_loss``, ``dur``, and
        ``val_quality`` and ``val_elbo`` on validation epochs); raising
        ``KeyboardInterrupt`` stops training, as skorch's ``EarlyStopping``
        does.
    %(neural_table)s
    random_state : int, RandomState instance or None, default=None
        Seeds the encoder, the network initialisation, the batches and the
        noise (fits are reproducible on the CPU), and the sampling stream.

    Attributes
    ----------
    encoder_ : TabularEncoder
        The fitted table encoder.
    column_types_ : dict
        Type of every column, inferred or given.
    history_ : skorch.history.History
        The training history, one dict per epoch (see ``callbacks``), each with
        the ``batches`` it ran; ``history_[:, "train_loss"]`` is the loss curve.
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
    ConditionalTabularGAN : CTGAN-style conditional GAN on the same encoding.
    GaussianCopulaGenerator : Fast mixed-type generator with exact numeric conditions.
    TabularEncoder : The table encoding.

    Notes
    -----
    *Training* runs on the package's torch layer (a skorch net, see
    ``doc/design.rst``, "The torch layer"): the net's ``infer`` reveals the
    conditions, encodes and decodes a batch and ``get_loss`` is the negative
    ELBO, one likelihood per block with a learned noise scale clamped to
    [0.01, 1] after every step (as TVAE). Everything is vectorised: one
    softmax over all blocks padded to a common width, the batch drawn by
    indexing a tensor that stays on the device (no ``DataLoader``
    collation), fused Adam; per-epoch time stayed within 5% of the
    hand-written loop it replaced (``benchmarks/bench_torch_layer.py``).

    *Training budget.* SDV's TVAE trains 300 epochs of 500-row batches,
    which is 300 gradient steps on any table of up to 500 rows and 1,200 on
    1,600 rows. That is far from converged: on
    :func:`~sksynth.datasets.make_disease` (therapy independent of stage)
    such a model makes the therapy rate depend on stage (by up to 0.48 at
    ``n = 50``) and shrinks the therapy effect on blood pressure from -20 to
    about -8 for ``n <= 160``, which is what biases debiased inference
    (:class:`~sksynth.inference.DebiasedGenerator`) on small data. With
    ``epochs="auto"`` every fit takes at least 6,000 steps (300 epochs still
    on larger tables): over 8 seeds the largest stage gap falls to 0.27 at
    ``n = 50`` and 0.14 at ``n = 160``, the effect is about -15 there and -18
    to -19 for ``n >= 500``, and the samples are closer to the population
    (quality score of ``n`` synthetic rows against 20,000 fresh ones, 4
    seeds: 0.81 -> 0.85 at ``n = 50``, 0.86 -> 0.92 at ``n = 160``, 0.93 ->
    0.96 at ``n = 1600``). The price is time on small tables (12-37 CPU
    seconds for ``n`` from 50 to 1,600 instead of 1-8) and, on very small
    tables, synthetic rows closer to the training rows: DCR ratio 0.91 ->
    0.53 and membership-inference AUC 0.58 -> 0.65 at ``n = 50``, 0.91 ->
    0.82 and 0.55 -> 0.57 at ``n = 160``, no change at ``n = 1600``
    (``benchmarks/tvae_training_budget.py``). Where the samples are released
    and privacy matters more than fidelity, pass ``epochs=300`` (SDV's
    schedule) or use a private generator
    (:class:`~sksynth.generators.LipschitzVAE`).

    *Conditions.* The discrete columns (categories, booleans, and the
    missing indicator of each numeric column with missing values) are
    *units* of a conditional vector ``c`` given to the encoder and the
    decoder (a conditional VAE [3]_). During training, each row reveals
    nothing with probability 1/2, and otherwise each unit with probability
    1/2: the model learns ``p(x)`` (nothing revealed) and ``p(x | revealed
    values)`` for any set of units. ``sample(conditions=...)`` reveals the
    requested values, draws ``z`` from the prior and decodes, then writes
    the requested values into their blocks: conditioned columns hold
    exactly the requested values and the other columns follow the learned
    conditional, with no rejection. A value never seen in ``fit``, a missing
    value for a column that had none, or a numeric value raises a
    ``ValueError``. Class labels (when fitted with ``y``) are always
    revealed: the networks model ``X | y``; the labels of unconditional rows
    are drawn from their training frequencies, given the requested values
    (exactly for one condition, ``p(y) prod_i p(v_i | y)`` for several).

    *Sampling* follows TVAE: ``z ~ N(0, I)``, offsets ``tanh(out) +
    sigma * eps``, modes and categories by arg-max (which keeps them
    coherent with the numeric values decoded from the same ``z``); missing
    indicators are drawn from their Bernoulli probabilities, since an
    arg-max would turn a column missing at random in 90% of the rows into
    one always missing. :class:`TabularEncoder` decodes, so categories are
    never invented and numeric values stay within the observed range
    (integers rounded). Missingness is part of the data the network models,
    so missing rates and their dependence on other columns are learned.

    *Score.* :meth:`score_samples` is the evidence lower bound of each row
    (with ``loss_factor = 1``): a 16-draw Monte-Carlo estimate with fixed
    draws (deterministic) of ``E_q[log p(x | z)] - KL(q || p)``, plus the
    log-Jacobian ``-log(4 sigma_k)`` of mode-specific normalisation, so that
    it is a log-density of the row in the data's own units; a row holding a
    category never seen in ``fit`` (or missing where the column had no
    missing value) scores ``-inf``, and so does :meth:`score` of a table
    with such a row; a missing numeric value where fit had none costs
    ``log(1 / (n + 1))``. Fitted with ``y``, it is
    the bound on ``log p(x, y)`` and, without ``y``, the log-sum-exp of the
    bounds over the classes. :meth:`transform` returns the posterior means
    (weighted by the classes' posterior probabilities when fitted with ``y``).

    *Early stopping* uses a held-out *quality* score, not the loss:
    ``val_quality`` compares up to 5,000 sampled rows with the held-out rows
    by the mean of ``1 - TVD`` over the columns' marginals and over pairs'
    joint distributions (numeric columns cut at the held-out deciles, a
    binned version of sdmetrics' Column Shapes and Column Pair Trends).

    References
    ----------
    .. [1] Xu, L., Skoularidou, M., Cuesta-Infante, A. and Veeramachaneni, K.
       (2019). "Modeling tabular data using conditional GAN." NeurIPS 2019,
       arXiv:1907.00503.
    .. [2] Kingma, D. P. and Welling, M. (2014). "Auto-encoding variational
       Bayes." ICLR 2014, arXiv:1312.6114.
    .. [3] Sohn, K., Lee, H. and Yan, X. (2015). "Learning structured output
       representation using deep conditional generative models." NeurIPS 2015.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth.generators import TabularVAE
    >>> rng = np.random.RandomState(0)
    >>> group = rng.choice(["a", "b"], size=500)
    >>> X = pd.DataFrame({"group": group,
    ...                   "value": np.where(group == "a", 0.0, 5.0) + rng.normal(size=500)})
    >>> vae = TabularVAE(epochs=30, random_state=0).fit(X)
    >>> X_new = vae.sample(1000)
    >>> X_new.dtypes.equals(X.dtypes), set(X_new["group"]) <= {"a", "b"}
    (True, True)
    >>> b_rows = vae.sample(500, conditions={"group": "b"})
    >>> bool((b_rows["group"] == "b").all()), bool(b_rows["value"].mean() > 2.5)
    (True, True)
    """

    _parameter_constraints = {
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "encoder_dims": [tuple, list],
        "decoder_dims": [tuple, list],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "loss_factor": [Interval(Real, 0, None, closed="neither")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "conditional": ["boolean"],
        **_TRAINING_CONSTRAINTS,
    }

    _auto_epochs = _AUTO_EPOCHS
    _auto_min_steps = _AUTO_MIN_STEPS
    _module_names = ("_net",)
    _derived_names = ("_net64", "_L", "_L_cpu", "_score_eps")

    def __init__(self, *, latent_dim=128, encoder_dims=(128, 128),
                 decoder_dims=(128, 128), weight_decay=1e-5, batch_size=500, epochs="auto",
                 loss_factor=2.0, lr=1e-3, conditional=True, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=5, validation_interval=10,
                 callbacks=None, column_types=None, constraints=None,
                 min_group_size=DEFAULT_MIN_GROUP_SIZE, device="cpu", precision="float32",
                 verbose=0, random_state=None):
        self.latent_dim = latent_dim
        self.encoder_dims = encoder_dims
        self.decoder_dims = decoder_dims
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.loss_factor = loss_factor
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
        for name in ("encoder_dims", "decoder_dims"):
            _check_layer_widths(getattr(self, name), name)

    # ------------------------------------------------------------------ fit
    def _fit(self, frame, y_spec, X):
        """Fit the encoder and train the VAE on ``frame`` (and class labels)."""
        frame, T, labels, rng = self._prepare(frame, y_spec, X)
        device = self._device
        gen_cpu, gen_dev = _generators(rng.randint(_MAX_SEED), device)
        L = self._layout
        self._net = _VAENet(L.d, L.cdim, L.cont_idx.size, self.latent_dim,
                            tuple(self.encoder_dims), tuple(self.decoder_dims), gen_cpu,
                            order=_likelihood_order(L))
        self._net.to(device)
        self._L = L.tensors(device)
        self._L_cpu = L.tensors("cpu", torch.float64)
        train_rows, val_rows = self._split(frame, T, rng)
        slots, present = self._condition_slots(T, labels)
        parts = self._targets(T) + [present]
        # one float matrix: a batch is one indexing operation, its pieces are views
        bounds = np.cumsum([0] + [p.shape[1] for p in parts])
        rows = {"packed": torch.as_tensor(np.hstack(parts)[train_rows], device=device),
                "slots": torch.as_tensor(slots[train_rows], device=device)}
        n_train = train_rows.size
        batch_size = min(self.batch_size, n_train)
        if val_rows is None:
            validate = None
        else:
            quality = self._validation_quality(frame, val_rows, rng)
            T_val = T[val_rows]
            y_val = None if labels is None else labels[val_rows]

            def validate():
                self._net64 = _deepcopy_double(self._net)
                logs = quality()
                logs["val_elbo"] = float(np.mean(self._elbo(T_val.astype(np.float64), y_val)))
                return logs

        callbacks = self._training_callbacks(validate)
        self._score_eps = torch.as_tensor(
            np.random.RandomState(0).standard_normal((_N_SCORE_DRAWS, self.latent_dim)))
        net = _VAETrainer(
            self._net, layout=L, layout_tensors=self._L,
            pieces=[slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])],
            loss_factor=float(self.loss_factor), precision=self.precision,
            noise=gen_dev, max_epochs=self._n_epochs(math.ceil(n_train / batch_size)),
            batch_size=batch_size, iterator_train__generator=gen_cpu,
            optimizer=torch.optim.Adam, lr=self.lr,
            optimizer__weight_decay=self.weight_decay, optimizer__fused=True,
            callbacks=callbacks, callbacks__progress__desc=type(self).__name__,
            device=device, verbose=int(self.verbose),
        ).fit(rows)
        self._record_training(net)
        self._n_features_out = self.latent_dim  # transform: tabularvae0, tabularvae1, ...
        net = self._net
        net.eval()
        self._net64 = _deepcopy_double(net)
        self._init_sampling_stream(rng)
        return self

    def _targets(self, T):
        """Per-row pieces of the likelihood, computed once from the encoded rows ``T``.

        Returns ``T``, the continuous targets and their observed mask, the mask
        of the softmax blocks, the missing indicators and the one-hot targets of
        the softmax columns (float32 arrays).
        """
        L = self._layout
        ones = np.ones((T.shape[0], 1), dtype=T.dtype)
        T1 = np.hstack([T, 1.0 - T, ones])  # column d + k holds 1 - T[:, k]; last is 1
        x_cont = T[:, L.cont_idx]
        obs_cont = T1[:, np.where(L.cont_missing >= 0, L.d + L.cont_missing, 2 * L.d)]
        soft_obs = T1[:, np.where(L.soft_missing >= 0, L.d + L.soft_missing, 2 * L.d)]
        x_ind = T[:, L.ind_idx]
        x_soft = T[:, L.soft_cols]
        return [np.ascontiguousarray(a, dtype=np.float32) for a in (
            T, x_cont, obs_cont, soft_obs, x_ind, x_soft)]

    def _condition_slots(self, T, labels):
        """Training conditions as slots: ``(n, n_units)`` indices into the conditional
        vector (the slot each row holds in every unit) and ``(n, n_units)`` 0/1 weights
        (1 where the row's block names a slot), so that a revealed subset of units is
        ``c = sum of the revealed rows`` of a first layer's condition matrix."""
        L = self._layout
        codes = L.unit_codes(T)
        if L.label_unit is not None:  # the last unit
            codes = np.column_stack([codes, np.asarray(labels, dtype=np.int64)])
        present = np.ones(codes.shape, dtype=np.float32)
        for u, unit in enumerate(L.units[:L.n_data_units]):
            if unit.kind == "onehot":  # all zeros: a category never seen names no slot
                present[:, u] = T[:, unit.start:unit.stop].max(axis=1)
        return codes + np.array([unit.offset for unit in L.units], dtype=np.int64), present

    # ------------------------------------------------------------- sampling
    def _generate(self, n, requests, generator, rng):
        L, net = self._layout, self._net
        device = self._device
        with torch.no_grad():
            c = None
            if L.cdim:
                c = torch.as_tensor(L.cond_from_codes(requests, n), device=device)
            z = torch.randn((n, self.latent_dim), generator=generator, device=device)
            out = net.decode_ordered(z, c)  # continuous, softmax, indicators: slices
            n_cont, n_ind = L.cont_idx.size, L.ind_idx.size
            if n_cont:
                noise = torch.randn((n, n_cont), generator=generator, device=device)
                out[:, :n_cont] = torch.tanh(out[:, :n_cont]) + net.sigma * noise
            if n_ind:  # missing flags: Bernoulli draws (an arg-max loses rare flags)
                u = torch.rand((n, n_ind), generator=generator, device=device)
                out[:, L.d - n_ind:] = (torch.sigmoid(out[:, L.d - n_ind:]) > u).to(out.dtype)
            T = out[:, net.restore].cpu().double().numpy()
        return L.write_units(T, requests)

    # ---------------------------------------------------------- likelihood
    def _label_cond(self, labels, n):
        """The label part of the conditional vector (n, cdim): one-hot, or frequencies."""
        L = self._layout
        C = np.zeros((n, L.cdim), dtype=np.float32)
        if L.label_unit is not None:
            unit = L.units[L.label_unit]
            if labels is None:  # no label: the class frequencies
                C[:, unit.offset:unit.offset + unit.width] = (
                    self._label_counts / self._label_counts.sum())
            else:
                C[np.arange(n), unit.offset + np.asarray(labels, dtype=np.int64)] = 1.0
        return C

    def _elbo(self, T, labels=None, extra=None):
        """ELBO of encoded rows ``T`` (n, d), in float64, given ``labels`` (nothing else revealed).

        ``extra`` holds masks of values that cannot be scored (categories never
        seen, NaN in a column without missing values), see :meth:`_encode_rows`.
        """
        L = self._layout
        net = self._net64
        pieces = self._targets(T)
        pieces = [torch.as_tensor(p.astype(np.float64)) for p in pieces]
        x, x_cont, obs_cont, soft_obs, x_ind, x_soft = pieces
        if extra is not None:
            obs_cont = obs_cont * torch.as_tensor(extra["cont"])
            soft_obs = soft_obs * torch.as_tensor(extra["soft"])
        cond = torch.as_tensor(self._label_cond(labels, T.shape[0]), dtype=torch.float64)
        Lt = self._L_cpu
        n = T.shape[0]
        eps = self._score_eps
        k = eps.shape[0]
        elbo = np.empty(n)
        step = max(1, _CHUNK // k)

        def rep(t):
            return t.repeat(k, *([1] * (t.dim() - 1)))

        with torch.no_grad():
            for start in range(0, n, step):
                rows = slice(start, min(start + step, n))
                b = rows.stop - rows.start
                c = cond[rows]
                mu, logvar = net.encode(x[rows], c)
                z = mu.unsqueeze(0) + eps.unsqueeze(1) * torch.exp(0.5 * logvar).unsqueeze(0)
                out = net.decode_ordered(z.reshape(k * b, -1), rep(c))
                rec = _log_likelihood(out, rep(x_cont[rows]), rep(obs_cont[rows]),
                                      rep(x_soft[rows]), rep(soft_obs[rows]),
                                      rep(x_ind[rows]), net.sigma, Lt).reshape(k, b).mean(0)
                kl = 0.5 * (mu**2 + logvar.exp() - 1.0 - logvar).sum(dim=1)
                elbo[rows] = (rec - kl).numpy()
        # Jacobian of mode-specific normalisation: density of x = density of offset / (4 s_k)
        blocks = T[:, L.soft_idx.reshape(-1)].reshape(n, *L.soft_idx.shape)
        log_scale = np.where(L.soft_valid, L.log_scale[L.soft_idx], 0.0)
        jac = (blocks * log_scale).sum(axis=2) * soft_obs.numpy()
        return elbo - jac.sum(axis=1)

    def _class_elbos(self, T, extra):
        """``log p(k) + ELBO(x | k)`` for every class k: (n, n_classes)."""
        log_prior = np.log(self._label_counts / self._label_counts.sum())
        return np.column_stack([log_prior[k] + self._elbo(T, np.full(T.shape[0], k), extra)
                                for k in range(len(self.classes_))])

    def _score_samples(self, frame, y_enc):
        """Evidence lower bound of each row (see Notes): on ``log p(x, y)`` with
        labels, on ``log p(x)`` without; ``-inf`` for a category never seen in fit."""
        T, extra, penalty = self._encode_rows(frame)
        if self._y_spec is None:
            return self._elbo(T, None, extra) + penalty
        if y_enc is not None:
            log_prior = np.log(self._label_counts[y_enc] / self._label_counts.sum())
            return log_prior + self._elbo(T, y_enc, extra) + penalty
        return logsumexp(self._class_elbos(T, extra), axis=1) + penalty

    # ------------------------------------------------------ latent space
    def transform(self, X):
        """Posterior means of the latent ``z`` (deterministic).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, `n_features_in_`)

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim)
            ``E[z | x]`` under the encoder, nothing revealed; fitted with
            ``y``, the average over the classes weighted by their posterior
            probabilities.
        """
        check_is_fitted(self)
        T, extra, _ = self._encode_rows(self._model_rows(X))
        if self._y_spec is None:
            return self._posterior_mean(T, None)
        weights = softmax(self._class_elbos(T, extra), axis=1)
        return sum(w[:, None] * self._posterior_mean(T, np.full(T.shape[0], k))
                   for k, w in enumerate(weights.T))

    def _posterior_mean(self, T, labels):
        cond = torch.as_tensor(self._label_cond(labels, T.shape[0]), dtype=torch.float64)
        out = np.empty((T.shape[0], self.latent_dim))
        with torch.no_grad():
            for start in range(0, T.shape[0], _CHUNK):
                rows = slice(start, start + _CHUNK)
                x = torch.as_tensor(T[rows], dtype=torch.float64)
                out[rows] = self._net64.encode(x, cond[rows])[0].numpy()
        return out

    def inverse_transform(self, Z):
        """Decode latent vectors deterministically (offsets without noise, arg-max blocks).

        Parameters
        ----------
        Z : array-like of shape (n_samples, latent_dim)
            Latent vectors; fitted with ``y``, the decoder gets the class
            frequencies in place of a label.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, `n_features_in_`)
            Rows in the container, columns and dtypes seen in ``fit``.
        """
        check_is_fitted(self)
        Z = check_array(Z, dtype=np.float64, input_name="Z")
        if Z.shape[1] != self.latent_dim:
            raise ValueError(
                f"Z has {Z.shape[1]} columns, but the latent space has latent_dim="
                f"{self.latent_dim}; pass the output of transform."
            )
        L = self._layout
        cond = torch.as_tensor(self._label_cond(None, Z.shape[0]), dtype=torch.float64)
        with torch.no_grad():
            out = self._net64.decode(torch.as_tensor(Z), cond).numpy()
        out[:, L.cont_idx] = np.tanh(out[:, L.cont_idx])
        out[:, L.ind_idx] = out[:, L.ind_idx] > 0
        return self.encoder_.inverse_transform(out)

    # ------------------------------------------------------------ pickling
    def _build_modules(self, states):
        L = self._layout
        net = _VAENet(L.d, L.cdim, L.cont_idx.size, self.latent_dim,
                      tuple(self.encoder_dims), tuple(self.decoder_dims),
                      torch.Generator().manual_seed(0), order=_likelihood_order(L))
        net.load_state_dict(states["_net"])
        self._net = net.to(self._device).eval()
        self._net64 = _deepcopy_double(net)
        self._L = L.tensors(self._device)
        self._L_cpu = L.tensors("cpu", torch.float64)
        self._score_eps = torch.as_tensor(
            np.random.RandomState(0).standard_normal((_N_SCORE_DRAWS, self.latent_dim)))
