"""What the PyTorch tabular generators share (:class:`TabularVAE`, :class:`ConditionalTabularGAN`).

- devices and seeding: :func:`~._torch.resolve_device`, :func:`_generators`,
  :func:`_linear` (layers initialised from an explicit ``torch.Generator``,
  so fits never read or advance torch's global random state);
- :class:`_Layout`: where each block of the encoded table lies in the
  network's data vector, the vectorised index tensors the losses use, and
  the *conditional vector* built from the discrete columns (categories, the
  missing indicators of numeric columns, and the class label);
- :class:`_ColumnArrays`: a table as numeric floats and discrete codes, for
  the quality score and the likelihood proxy;
- :class:`_NeuralTabularGenerator`: the estimator plumbing both models share
  (validation, encoding, conditions, chunked sampling, decoding, pickling).

This module imports torch: ``sksynth.generators`` imports it lazily, only
when one of the two classes is first used.
"""

import copy
import math
from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..base import (
    _MAX_SEED,
    GeneratorMixin,
    _rare_condition_message,
    _small_groups,
)
from ._marginals import _CategoryCoder
from ._tabular import TabularEncoder
from ._torch import (HeldOutQuality, ValidationStopping, check_callbacks, loaded_device,
                     one_thread, picklable_state, resolve_device, restored_state)

#: Name of the class-label block in a :class:`_Layout`.
_TARGET = "__target__"
#: Mixtures of the encoder are fitted on at most this many values per column.
_ENCODER_SUBSAMPLE = 10_000
#: Rows per forward pass when sampling or scoring.
_CHUNK = 20_000


# ---------------------------------------------------------------------------
# devices, seeding, layers
# ---------------------------------------------------------------------------
def _generators(seed, device):
    """A CPU generator (initialisation, permutations) and one on ``device`` (noise)."""
    cpu = torch.Generator(device="cpu").manual_seed(int(seed))
    if device.type == "cpu":
        return cpu, cpu
    return cpu, torch.Generator(device=device).manual_seed(int(seed) + 1)


def _check_layer_widths(widths, name):
    """``widths`` as a tuple of positive ints (hidden layer widths), or a ValueError naming
    the parameter."""
    widths = tuple(widths)
    if not all(isinstance(w, Integral) and not isinstance(w, bool) and w > 0 for w in widths):
        raise ValueError(f"{name} must be a tuple of positive integers (layer widths), got "
                         f"{widths!r}.")
    return widths


def _linear(n_in, n_out, generator):
    """``nn.Linear`` with PyTorch's default initialisation drawn from ``generator``."""
    layer = torch.nn.utils.skip_init(torch.nn.Linear, n_in, n_out)
    torch.nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
    bound = 1.0 / math.sqrt(n_in) if n_in > 0 else 0.0
    torch.nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
    return layer


def _adam(parameters, *, lr, weight_decay, betas=(0.9, 0.999)):
    """Adam with the fused kernel (one call per step) where torch offers it."""
    try:
        return torch.optim.Adam(parameters, lr=lr, betas=betas, weight_decay=weight_decay,
                                fused=True)
    except (RuntimeError, TypeError, ValueError):  # pragma: no cover - older torch builds
        return torch.optim.Adam(parameters, lr=lr, betas=betas, weight_decay=weight_decay)


def _cpu_state(module):
    """A module's state dict as CPU tensors (what pickles carry)."""
    return {key: value.detach().cpu().clone() for key, value in module.state_dict().items()}


# ---------------------------------------------------------------------------
# the quality score used for early stopping
# ---------------------------------------------------------------------------
def _bin_codes(real, synthetic, n_bins=10):
    """Codes of one numeric column: quantile bins of ``real`` plus a missing bin."""
    observed = real[~np.isnan(real)]
    edges = (np.unique(np.quantile(observed, np.linspace(0, 1, n_bins + 1))[1:-1])
             if observed.size else np.empty(0))
    k = edges.size + 1

    def codes(values):
        return np.where(np.isnan(values), k, np.searchsorted(edges, values, side="right"))

    return codes(real), codes(synthetic), k + 1


def _fidelity(real, synthetic, max_pairs=300, seed=0):
    """Column shapes and pair trends of two tables, in [0, 1] (1 = same distribution).

    ``real`` and ``synthetic`` are ``(num, cat)`` pairs from :class:`_ColumnArrays`.
    Numeric columns are cut at the deciles of the real rows (plus a missing
    bin), discrete columns keep their codes. The score is the mean of
    ``1 - TVD`` over the columns' marginals and over (at most ``max_pairs``)
    pairs' joint distributions, the two averages weighted equally -- a cheap,
    binned version of sdmetrics' "Column Shapes" and "Column Pair Trends".
    """
    (num_r, cat_r), (num_s, cat_s) = real, synthetic
    codes_r, codes_s, sizes = [], [], []
    for j in range(num_r.shape[1]):
        a, b, k = _bin_codes(num_r[:, j], num_s[:, j])
        codes_r.append(a)
        codes_s.append(b)
        sizes.append(k)
    for j in range(cat_r.shape[1]):
        k = int(max(cat_r[:, j].max(initial=0), cat_s[:, j].max(initial=0))) + 2
        codes_r.append(cat_r[:, j] + 1)  # unseen (-1) -> 0
        codes_s.append(cat_s[:, j] + 1)
        sizes.append(k)
    n_r, n_s = max(len(num_r), len(cat_r)), max(len(num_s), len(cat_s))

    def similarity(a, b, k):
        p = np.bincount(a, minlength=k) / n_r
        q = np.bincount(b, minlength=k) / n_s
        return 1.0 - 0.5 * np.abs(p - q).sum()

    shapes = [similarity(a, b, k) for a, b, k in zip(codes_r, codes_s, sizes)]
    p = len(sizes)
    pairs = [(i, j) for i in range(p) for j in range(i + 1, p)]
    if len(pairs) > max_pairs:
        keep = np.random.RandomState(seed).choice(len(pairs), max_pairs, replace=False)
        pairs = [pairs[i] for i in np.sort(keep)]
    trends = [similarity(codes_r[i] * sizes[j] + codes_r[j], codes_s[i] * sizes[j] + codes_s[j],
                         sizes[i] * sizes[j]) for i, j in pairs]
    if not trends:
        return float(np.mean(shapes))
    return float(0.5 * np.mean(shapes) + 0.5 * np.mean(trends))


class _ColumnArrays:
    """A table as numeric floats (NaN = missing) and discrete codes.

    Discrete (categorical, boolean) columns get the codes of their categories
    seen in ``fit``, ``n_categories`` for missing and -1 for categories never
    seen; the class label, when given, is one more discrete column.
    """

    def __init__(self, spec, frame):
        self.spec = spec
        self.numeric = [j for j, kind in enumerate(spec.types)
                        if kind not in ("categorical", "boolean")]
        self.discrete = [j for j, kind in enumerate(spec.types)
                         if kind in ("categorical", "boolean")]
        self.coders = {j: _CategoryCoder(spec.objects(frame, j)) for j in self.discrete}
        self.n_codes = [self.coders[j].n_categories + 1 for j in self.discrete]

    def __call__(self, frame, y_enc=None):
        n = frame.shape[0]
        num = np.empty((n, len(self.numeric)))
        for i, j in enumerate(self.numeric):
            num[:, i] = self.spec.floats(frame, j)
        cat = np.empty((n, len(self.discrete) + (y_enc is not None)), dtype=np.int64)
        for i, j in enumerate(self.discrete):
            cat[:, i] = self.coders[j].codes(self.spec.objects(frame, j))
        if y_enc is not None:
            cat[:, -1] = y_enc
        return num, cat


# ---------------------------------------------------------------------------
# layout of the encoded table and the conditional vector
# ---------------------------------------------------------------------------
class _Unit:
    """A discrete column the conditional vector can name (one-hot or missing indicator)."""

    def __init__(self, column, kind, start, stop, offset, labels, has_missing):
        self.column = column
        self.kind = kind  # "onehot" (a category block) or "indicator" (a missing flag)
        self.start, self.stop = start, stop  # columns in the data vector
        self.offset = offset  # first column in the conditional vector
        self.width = stop - start if kind == "onehot" else 2
        self.labels = labels  # the categories of the one-hot slots (without missing)
        self.has_missing = has_missing


class _Layout:
    """Index arrays for the data vector (the :class:`TabularEncoder` output) and the condition.

    The blocks of :attr:`TabularEncoder.output_info_` are grouped by what the
    network outputs for them: continuous values (``offset``/``value``: tanh),
    softmax blocks (``modes`` and ``categories``, padded to one width so that
    every block's softmax is a single tensor operation) and missing
    indicators (sigmoid).

    The *units* are what a conditional vector can name: the discrete
    columns (category blocks, and the missing indicator of each numeric
    column with missing values, as the pair ``[observed, missing]``) and,
    last, the class label (which is not in the data vector). The data part
    of the conditional vector of data rows ``T`` is ``T @ A + b``.
    """

    def __init__(self, encoder, frame, n_classes, *, conditional=True):
        spans = list(encoder.output_info_)
        self.d = encoder.n_features_out_
        missing_col = {s.column: s.start for s in spans if s.kind == "missing"}
        cont = [s for s in spans if s.kind in ("offset", "value")]
        self.cont_idx = np.array([s.start for s in cont], dtype=np.int64)
        self.cont_missing = np.array([missing_col.get(s.column, -1) for s in cont],
                                     dtype=np.int64)
        soft = [s for s in spans if s.kind in ("modes", "categories")]
        self.n_soft = len(soft)
        width = max([s.stop - s.start for s in soft], default=1)
        self.soft_idx = np.zeros((len(soft), width), dtype=np.int64)
        self.soft_valid = np.zeros((len(soft), width), dtype=bool)
        for b, s in enumerate(soft):
            self.soft_idx[b, :s.stop - s.start] = np.arange(s.start, s.stop)
            self.soft_valid[b, :s.stop - s.start] = True
        self.soft_missing = np.array([missing_col.get(s.column, -1) if s.kind == "modes" else -1
                                      for s in soft], dtype=np.int64)
        # category blocks (an all-zero block there is a category never seen)
        self.soft_is_category = np.array([s.kind == "categories" for s in soft], dtype=bool)
        self.ind_idx = np.array([s.start for s in spans if s.kind == "missing"], dtype=np.int64)
        # the softmax columns without padding, the block of each, and the 0/1 matrix
        # summing columns into blocks: softmaxes are then a few ops on (n, n_soft_cols)
        self.soft_cols = self.soft_idx[self.soft_valid].astype(np.int64)
        self.soft_seg = np.nonzero(self.soft_valid)[0].astype(np.int64)
        self.soft_sum = np.zeros((self.soft_cols.size, len(soft)))
        self.soft_sum[np.arange(self.soft_cols.size), self.soft_seg] = 1.0
        # outputs assembled as [continuous, softmax columns, indicators] -> data order
        order = np.concatenate([self.cont_idx, self.soft_cols, self.ind_idx]).astype(np.int64)
        self.restore = np.argsort(order)
        # log(4 sigma_k) of every mode slot: the Jacobian of mode-specific normalisation
        self.log_scale = np.zeros(self.d)
        for name, block in zip(getattr(encoder, "_spec").columns, getattr(encoder, "_blocks")):
            stds = getattr(block, "stds", None)
            mode_span = [s for s in spans if s.column == name and s.kind == "modes"]
            if stds is not None and mode_span:
                s = mode_span[0]
                self.log_scale[s.start:s.stop] = np.log(4.0 * np.asarray(stds))
        # units of the conditional vector
        self.units, offset = [], 0
        categories = encoder.categories_
        for s in spans if conditional else ():
            if s.kind == "categories":
                labels = list(categories[s.column])
                has_missing = bool(frame[s.column].isna().any())
                if has_missing:
                    labels = labels[:-1]
                unit = _Unit(s.column, "onehot", s.start, s.stop, offset, labels, has_missing)
            elif s.kind == "missing":
                unit = _Unit(s.column, "indicator", s.start, s.stop, offset, [], True)
            else:
                continue
            self.units.append(unit)
            offset += unit.width
        self.n_data_units = len(self.units)
        self.label_unit = None
        if n_classes:
            self.label_unit = len(self.units)
            self.units.append(_Unit(_TARGET, "label", -1, -1, offset, list(range(n_classes)),
                                    False))
            self.units[-1].width = n_classes
            offset += n_classes
        self.cdim = offset
        self.A = np.zeros((self.d, self.cdim))
        self.b = np.zeros(self.cdim)
        self.cond_unit = np.zeros(self.cdim, dtype=np.int64)
        n_data = self.n_data_units
        self.unit_idx = np.full((n_data, max([u.width for u in self.units[:n_data]], default=1)),
                                self.d, dtype=np.int64)
        self.unit_valid = np.zeros(self.unit_idx.shape, dtype=bool)
        for u, unit in enumerate(self.units):
            cols = slice(unit.offset, unit.offset + unit.width)
            self.cond_unit[cols] = u
            if unit.kind == "onehot":
                self.A[unit.start:unit.stop, cols] = np.eye(unit.width)
                self.unit_idx[u, :unit.width] = np.arange(unit.start, unit.stop)
            elif unit.kind == "indicator":  # [observed, missing] = [1 - m, m]
                self.A[unit.start, unit.offset] = -1.0
                self.A[unit.start, unit.offset + 1] = 1.0
                self.b[unit.offset] = 1.0
                self.unit_idx[u, :2] = [self.d, unit.start]  # logits [0, l] -> sigmoid
            if unit.kind != "label":
                self.unit_valid[u, :unit.width] = True

    def unit_codes(self, T):
        """Slot of every data unit in each data row ``T`` (n, d): (n, n_data_units) ints."""
        codes = np.empty((T.shape[0], self.n_data_units), dtype=np.int64)
        for u, unit in enumerate(self.units[:self.n_data_units]):
            if unit.kind == "onehot":
                codes[:, u] = np.argmax(T[:, unit.start:unit.stop], axis=1)
            else:
                codes[:, u] = T[:, unit.start] >= 0.5
        return codes

    def cond_from_codes(self, requests, n):
        """Conditional vectors (n, cdim) naming ``{unit: slots (n,)}``."""
        C = np.zeros((n, self.cdim), dtype=np.float32)
        rows = np.arange(n)
        for u, slots in requests.items():
            C[rows, self.units[u].offset + slots] = 1.0
        return C

    def write_units(self, T, requests):
        """Overwrite the blocks of conditioned data units in decoded rows ``T`` (in place)."""
        rows = np.arange(T.shape[0])
        for u, slots in requests.items():
            unit = self.units[u]
            if unit.kind == "onehot":
                T[:, unit.start:unit.stop] = 0.0
                T[rows, unit.start + slots] = 1.0
            elif unit.kind == "indicator":
                T[:, unit.start] = slots
        return T

    def tensors(self, device, dtype=torch.float32):
        """The index arrays as tensors on ``device`` (a dict); matrices in ``dtype``."""
        out = {k: torch.as_tensor(getattr(self, k), device=device) for k in (
            "cont_idx", "cont_missing", "soft_idx", "soft_missing", "ind_idx", "cond_unit",
            "unit_idx", "soft_cols", "soft_seg", "restore", "soft_valid", "unit_valid")}
        for k in ("A", "b", "soft_sum"):
            out[k] = torch.as_tensor(getattr(self, k), dtype=dtype, device=device)
        return out


def _block_max(values, L):
    """Maximum of ``values`` (n, n_soft_cols) within each softmax block: (n, n_blocks)."""
    with torch.no_grad():
        n = values.shape[0]
        out = values.new_full((n, L["soft_sum"].shape[1]), -torch.inf)
        return out.scatter_reduce(1, L["soft_seg"].expand(n, -1), values, "amax")


def _block_logsumexp(logits, L):
    """Log-sum-exp of every softmax block of ``logits`` (n, n_soft_cols): (n, n_blocks)."""
    shift = _block_max(logits, L)
    # index_select: several times faster than advanced indexing on CPU
    return torch.log(torch.exp(logits - shift.index_select(1, L["soft_seg"])) @ L["soft_sum"]) + shift


def _block_softmax(logits, L):
    """Softmax within every block of ``logits`` (n, n_soft_cols), same shape."""
    e = torch.exp(logits - _block_max(logits, L).index_select(1, L["soft_seg"]))
    return e / (e @ L["soft_sum"]).index_select(1, L["soft_seg"])


# ---------------------------------------------------------------------------
# the estimator plumbing
# ---------------------------------------------------------------------------
#: Parameters of the training and the table that TabularVAE and ConditionalTabularGAN
#: share, validated alike (each class adds its networks' own).
_TRAINING_CONSTRAINTS = {
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "validation_interval": [Interval(Integral, 1, None, closed="left")],
    "callbacks": [None, list],
    "column_types": [None, dict],
    "constraints": [None, list],
    "min_group_size": [Interval(Integral, 1, None, closed="left")],
    "device": [str, torch.device],
    "precision": [StrOptions({"float32", "bfloat16"})],
    "verbose": ["verbose"],
    "random_state": ["random_state"],
}


class _NeuralTabularGenerator(GeneratorMixin, TransformerMixin, BaseEstimator):
    """Fit preamble, conditions, chunked sampling, decoding and pickling.

    Subclasses set ``_conditional_units`` and implement ``fit`` (starting
    with :meth:`_prepare`), ``_generate(n, requests, generator, rng)``
    returning decoded data rows (n, d) as float64 NumPy with the requested
    units written in, and the ``_module_names`` / ``_build_modules(states)``
    pair used by pickling.

    Class labels are always part of the conditional vector: the networks
    model ``X | y`` and the labels of unconditional samples are drawn from
    their training frequencies (given the requested values, see
    :meth:`_complete_labels`).
    """

    _supports_regression_target = False
    _input_kind = "mixed"
    _accepts_conditions = True
    #: Most units a single condition may name (None: any number).
    _MAX_CONDITION_UNITS = None

    # -- fit ---------------------------------------------------------------
    def _prepare(self, frame, y_spec, X):
        """Encode the validated table: ``frame``, encoded rows (n, d) float32, labels, ``rng``."""
        n_classes = 0 if y_spec is None else len(self.classes_)
        self._device = resolve_device(self.device)
        self._check_params()
        rng = check_random_state(self.random_state)
        self.encoder_ = TabularEncoder(
            column_types=self._model_column_types(), handle_unknown="ignore",
            subsample=_ENCODER_SUBSAMPLE, random_state=rng.randint(_MAX_SEED),
        ).fit(X)
        # the encoder's view of the table: its types and hidden (fresh) columns
        self._spec = self.encoder_._spec
        self._columns = list(self._spec.columns)
        self.column_types_ = dict(self.encoder_.column_types_)
        T = self.encoder_.transform(X)
        self._layout = L = _Layout(self.encoder_, frame, n_classes,
                                   conditional=self._conditional_units)
        self._arrays = _ColumnArrays(self._spec, frame)
        self._n_train = frame.shape[0]
        labels = None
        self._small_classes = np.zeros(0, dtype=np.intp)
        if n_classes:  # (label, value) counts, to draw labels given requested values
            labels = self._y_spec.encoded.astype(np.int64)
            self._label_counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
            self._small_classes = _small_groups(
                labels, n_classes, self.min_group_size, what="class",
                names=self.classes_.tolist(), estimator=self)
            codes = L.unit_codes(T)
            self._label_joint = []
            for u in range(L.n_data_units):
                joint = np.zeros((n_classes, L.units[u].width))
                np.add.at(joint, (labels, codes[:, u]), 1.0)
                self._label_joint.append(joint)
        return frame, T.astype(np.float32), labels, rng

    def _check_params(self):
        """Extra parameter checks of the subclass (after the constraints)."""

    def _split(self, frame, T, rng):
        """Training and validation rows (validation only with early stopping)."""
        n = T.shape[0]
        if not self.early_stopping:
            return np.arange(n), None
        n_val = int(round(self.validation_fraction * n))
        if n_val < 2 or n - n_val < 2:
            raise ValueError(
                f"early_stopping=True needs at least 2 training and 2 validation rows; "
                f"validation_fraction={self.validation_fraction} of {n} rows leaves "
                f"{n - n_val} and {n_val}. Use more rows, another validation_fraction, or "
                "early_stopping=False."
            )
        perm = rng.permutation(n)
        return np.sort(perm[n_val:]), np.sort(perm[:n_val])

    def _validation_quality(self, frame, val_rows, rng):
        """A function giving the held-out quality of the current model."""
        y_val = None if self._y_spec is None else self._y_spec.encoded[val_rows]
        real = self._arrays(frame.iloc[val_rows], y_val)
        n_syn = int(min(max(len(val_rows), 1000), 5000))
        seed = rng.randint(_MAX_SEED)

        def validate():
            T, labels = self._generate_rows(n_syn, {}, np.random.RandomState(seed))
            synthetic = self._rows_to_arrays(T, labels)
            return {"val_quality": _fidelity(real, synthetic)}

        return validate

    def _rows_to_arrays(self, T, labels):
        frame = self.encoder_.inverse_transform(T)
        if not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame(frame)
        return self._arrays(frame, labels)

    # -- conditions ----------------------------------------------------------
    def _column_index(self, key):
        return self._spec.index(key, type(self).__name__, target="y= (class labels)")

    def _requests(self, conditions, y_enc, n):
        """``{unit: slots (n,)}`` for the conditions (and labels), checked."""
        requests = {}
        units_of = {}
        for u, unit in enumerate(self._layout.units):
            units_of.setdefault(unit.column, {})[unit.kind] = u
        name = type(self).__name__
        for key, value in conditions.items():
            j = self._column_index(key)
            column = self._columns[j]
            values = np.empty(n, dtype=object)
            values[:] = value if np.ndim(value) == 0 else list(value)
            missing = pd.isna(values).astype(bool)
            kind = self._spec.types[j]
            units = units_of.get(column, {})
            if kind in ("categorical", "boolean"):
                if "onehot" not in units:
                    raise ValueError(
                        f"{name} was fitted with conditional=False: it cannot condition on "
                        f"column {column!r}; refit with conditional=True."
                    )
                unit = self._layout.units[units["onehot"]]
                if missing.any() and not unit.has_missing:
                    raise ValueError(
                        f"cannot condition column {column!r} on a missing value: it had no "
                        "missing values in fit."
                    )
                slots = np.full(n, len(unit.labels), dtype=np.int64)
                if not missing.all():
                    index = pd.Index(unit.labels, dtype=object)
                    found = _get_indexer(index, values[~missing])
                    if (found < 0).any():
                        bad = pd.unique(np.asarray(values[~missing][found < 0],
                                                   dtype=object))[:5].tolist()
                        raise ValueError(
                            f"cannot condition column {column!r} on values never seen in fit: "
                            f"{bad}; the fitted categories are {list(unit.labels)[:20]}"
                            + (" and missing (NaN)." if unit.has_missing else ".")
                        )
                    slots[~missing] = found
                    self._check_group_sizes(j, column, values[~missing])
                requests[units["onehot"]] = slots
            else:
                if not missing.all():
                    raise ValueError(
                        f"cannot condition {kind} column {column!r} on a value: {name} "
                        "conditions exactly on discrete values (categories, booleans) and on "
                        f"missingness (np.nan) only. Condition on {kind} values with "
                        "GaussianCopulaGenerator."
                    )
                if "indicator" not in units:
                    if not self._conditional_units:
                        raise ValueError(
                            f"{name} was fitted with conditional=False: it cannot condition "
                            f"on column {column!r}; refit with conditional=True."
                        )
                    raise ValueError(
                        f"cannot condition column {column!r} on a missing value: it had no "
                        "missing values in fit."
                    )
                requests[units["indicator"]] = np.ones(n, dtype=np.int64)
        if y_enc is not None:
            requests[self._layout.label_unit] = np.asarray(y_enc, dtype=np.int64)
        limit = self._MAX_CONDITION_UNITS
        columns = [u for u in requests if u != self._layout.label_unit]
        if limit is not None and len(columns) > limit:
            named = [self._layout.units[u].column for u in columns]
            raise ValueError(
                f"{name} conditions on one discrete column at a time (besides y: its "
                f"conditional vector names one column, as in CTGAN); got {named}. Use "
                "TabularVAE or GaussianCopulaGenerator to condition on several."
            )
        return requests

    def _encode_rows(self, X):
        """Encoded rows of ``X`` for scoring, masks of the values that cannot be scored, floors.

        Returns ``(T, {"cont": ok, "soft": ok}, penalty)``: a category never
        seen in fit makes the row's score ``-inf`` (probability zero); a NaN in
        a numeric column without missing values in fit is left out of the
        likelihood and costs ``log(1 / (n_train + 1))``. Shared by the
        likelihood-type scores (TabularVAE's ELBO, TabularDiffusion's proxy).
        """
        frame = X
        T = self.encoder_.transform(frame)
        L = self._layout
        n = T.shape[0]
        floor = np.log(1.0 / (self._n_train + 1))
        penalty = np.zeros(n)
        cont_ok = np.ones((n, L.cont_idx.size))
        soft_ok = np.ones((n, L.n_soft))
        # categories never seen: their one-hot block is all zeros
        blocks = T[:, L.soft_idx.reshape(-1)].reshape(n, *L.soft_idx.shape)
        empty = (np.where(L.soft_valid, blocks, 0.0).sum(axis=2) == 0) & L.soft_is_category
        soft_ok[empty] = 0.0
        # probability zero (the copula's transform refuses the same rows): the score of a row
        # must not rise because one of its values is unknown to the model
        penalty[empty.any(axis=1)] = -np.inf
        # NaN in a numeric column without missing values in fit
        spans = self.encoder_.output_info_
        with_indicator = {s.column for s in spans if s.kind == "missing"}
        cont_columns = [s.column for s in spans if s.kind in ("offset", "value")]
        soft_columns = [s.column for s in spans if s.kind in ("modes", "categories")]
        for j, kind in enumerate(self._spec.types):
            name = self._columns[j]
            if kind in ("categorical", "boolean") or name in with_indicator:
                continue
            nan = np.isnan(self._spec.floats(frame, j))
            if nan.any():
                penalty += floor * nan
                cont_ok[:, [i for i, c in enumerate(cont_columns) if c == name]] *= ~nan[:, None]
                soft_ok[:, [i for i, c in enumerate(soft_columns) if c == name]] *= ~nan[:, None]
        return T, {"cont": cont_ok, "soft": soft_ok}, penalty

    def _check_group_sizes(self, j, column, values):
        """Refuse conditions on categories held by fewer than ``min_group_size`` rows."""
        coder = self._arrays.coders[j]
        counts = coder.counts[coder.codes(values)]
        rare = counts < self.min_group_size
        if rare.any():
            shown = pd.unique(np.asarray(values[rare], dtype=object))[:5].tolist()
            raise ValueError(_rare_condition_message(column, shown, self.min_group_size))

    # -- sampling --------------------------------------------------------------
    def _sample(self, n_samples, y_enc, conditions, rng):
        """Rows for :meth:`~sksynth.base.GeneratorMixin.sample`; ``conditions`` name
        categories (or booleans) seen in ``fit`` and held by at least
        ``min_group_size`` rows, or ``np.nan`` for a missing value of a column that
        had missing values (numeric columns included), as the class Notes say."""
        requests = self._requests(conditions, y_enc, n_samples)
        T, labels = self._generate_rows(n_samples, requests, rng)
        return self._decode(T, rng), labels

    def _complete_labels(self, requests, n, rng):
        """Labels of rows whose label was not requested, given the requested values.

        ``p(y | v_1, ..., v_k)`` is proportional to ``p(y) prod_i p(v_i | y)``
        from the training counts: exact for zero or one requested value (the
        empirical conditional), a naive-Bayes combination for several.
        """
        L = self._layout
        if L.label_unit is None or L.label_unit in requests:
            return requests
        counts = self._label_counts
        with np.errstate(divide="ignore"):
            log_prob = np.tile(np.log(counts), (n, 1))
            for u, slots in requests.items():
                log_prob += np.log(self._label_joint[u][:, slots].T) - np.log(counts)
        impossible = ~np.isfinite(log_prob.max(axis=1))
        log_prob[impossible] = np.log(counts)  # combination never seen: p(y)
        prob = np.exp(log_prob - log_prob.max(axis=1, keepdims=True))
        cum = np.cumsum(prob / prob.sum(axis=1, keepdims=True), axis=1)
        cum[:, -1] = 1.0
        labels = np.argmax(cum > rng.random_sample(n)[:, None], axis=1)
        return {**requests, L.label_unit: labels}

    def _generate_rows(self, n, requests, rng):
        """Decoded data rows (n, d) float64 and their labels (or None)."""
        requests = self._complete_labels(requests, n, rng)
        labels = requests.get(self._layout.label_unit)
        requests = self._pool_small_classes(requests, labels, rng)
        generator = torch.Generator(device=self._device).manual_seed(
            int(rng.randint(_MAX_SEED)))
        out = np.empty((n, self._layout.d))
        with one_thread():
            for start in range(0, n, _CHUNK):
                stop = min(start + _CHUNK, n)
                part = {u: slots[start:stop] for u, slots in requests.items()}
                out[start:stop] = self._generate(stop - start, part, generator, rng)
        return out, labels

    def _pool_small_classes(self, requests, labels, rng):
        """Rows of classes smaller than ``min_group_size`` come from the whole-table model.

        The network is asked for rows of a class drawn from the other classes'
        training frequencies; the row keeps its requested label. A class of a few
        rows is thus never generated from its own (memorised) condition.
        """
        small = getattr(self, "_small_classes", ())
        if labels is None or not len(small):
            return requests
        pooled = np.isin(labels, small)
        if not pooled.any():
            return requests
        weights = self._label_counts.copy()
        if weights[small].sum() < weights.sum():
            weights[small] = 0.0
        proxy = labels.copy()
        proxy[pooled] = rng.choice(weights.size, size=int(pooled.sum()), p=weights / weights.sum())
        return {**requests, self._layout.label_unit: proxy}

    def _decode(self, T, rng=None):
        """Decoded rows (n, d) in the fitted container."""
        if T.shape[0] == 0:  # decode one row for the container and dtypes, keep none
            X_new = self.encoder_.inverse_transform(np.zeros((1, self._layout.d)))
            return X_new.iloc[:0] if hasattr(X_new, "iloc") else X_new[:0]
        return self.encoder_.inverse_transform(T, random_state=rng)

    # -- pickling ------------------------------------------------------------
    def __getstate__(self):
        state = picklable_state(super().__getstate__())
        for name in self._module_names:
            module = state.pop(name, None)
            if module is not None:
                state[name + "__state"] = _cpu_state(module)
        for name in self._derived_names:
            state.pop(name, None)
        if "_device" in state:
            state["_device"] = str(state["_device"])
        return state

    def __setstate__(self, state):
        state = dict(state)
        states = {name: state.pop(name + "__state") for name in self._module_names
                  if name + "__state" in state}
        super().__setstate__(restored_state(state))
        if "_device" not in state:
            return
        self._device = loaded_device(state["_device"], type(self).__name__)
        self._build_modules(states)

    #: ``epochs="auto"``: SDV's epochs, raised to at least ``_auto_min_steps`` steps.
    _auto_epochs = 300
    _auto_min_steps = 0

    def _n_epochs(self, steps_per_epoch):
        """Epochs to run: ``epochs``, or the ``"auto"`` budget for ``steps_per_epoch``."""
        if self.epochs != "auto":
            return self.epochs
        return max(self._auto_epochs, math.ceil(self._auto_min_steps / steps_per_epoch))

    def _training_callbacks(self, validate=None, extra=()):
        """The user's callbacks, ``extra`` ones, and early stopping on ``validate()``.

        ``validate`` returns the held-out scores (``{"val_quality": ...}``);
        it runs every ``validation_interval`` epochs and training stops after
        ``n_iter_no_change`` validations without improvement (best weights
        restored). ``None``: no validation.
        """
        callbacks = check_callbacks(self.callbacks, type(self).__name__) + list(extra)
        if validate is not None:
            callbacks += [("held_out", HeldOutQuality(validate, self.validation_interval)),
                          ("early_stopping", ValidationStopping(patience=self.n_iter_no_change))]
        return callbacks

    def _record_training(self, net):
        """Keep the fitted ``net`` and its history; set ``n_epochs_`` and ``best_epoch_``."""
        self.net_ = net
        self.history_ = net.history
        stopping = dict(net.callbacks_).get("early_stopping")
        self.best_epoch_ = (stopping.best_epoch_ if stopping is not None and stopping.best_epoch_
                            else len(self.history_))
        self.n_epochs_ = len(self.history_)

    _module_names = ()
    _derived_names = ()


class _EncodedSpaceMixin:
    """``transform`` / ``inverse_transform`` in the :class:`TabularEncoder` encoding.

    For the tabular nets without a latent space of their own (the GAN, the
    diffusion model): the encoded space is the one the model works in.
    """

    def transform(self, X):
        """The :class:`TabularEncoder` encoding the model works in (deterministic).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, `n_features_in_`)

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_encoded)
            Categories never seen in ``fit`` are encoded as zeros.
        """
        check_is_fitted(self)
        return self.encoder_.transform(self._model_rows(X))

    def inverse_transform(self, Xt):
        """Decode encoded rows (see :meth:`TabularEncoder.inverse_transform`).

        Parameters
        ----------
        Xt : array-like of shape (n_samples, n_encoded)

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, `n_features_in_`)
        """
        check_is_fitted(self)
        return self._model_output(self.encoder_.inverse_transform(Xt))

    def get_feature_names_out(self, input_features=None):
        """Names of the encoded columns (see :meth:`TabularEncoder.get_feature_names_out`).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return self.encoder_.get_feature_names_out()


def _get_indexer(index, values):
    try:
        return index.get_indexer(values)
    except TypeError:  # unhashable values
        return np.full(len(values), -1)


def _deepcopy_double(module):
    """A float64 CPU copy of ``module`` in eval mode (deterministic inference)."""
    return copy.deepcopy(module).to("cpu").double().eval()
