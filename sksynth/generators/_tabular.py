"""The :class:`TabularEncoder`: a mixed table as a float matrix, and back, for neural generators.

Numeric columns become mode-specific normalised offsets (a Bayesian Gaussian
mixture per column, as CTGAN/TVAE), normal scores of their quantiles or one
standardised value; categories a one-hot block (rare ones pooled on request),
with missing indicators where a column had missing values. The category codes and one-dimensional marginals it builds on
live in :mod:`._marginals`; column typing, hidden columns and restoring the
fitted container in :mod:`._table_spec`.
"""

import warnings
from collections import namedtuple
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.special import ndtr
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

from ..utils._validation import _check_representable_scale, _validate_table
from ._marginals import _CategoryCoder, _interval_mean_score, _NumericMarginal
from ._table_spec import COLUMN_TYPES, _TableSpec

__all__ = ["TabularEncoder", "OutputSpan", "COLUMN_TYPES"]

# ---------------------------------------------------------------------------
# the encoder
# ---------------------------------------------------------------------------
OutputSpan = namedtuple("OutputSpan", ["column", "kind", "start", "stop"])
OutputSpan.__doc__ = """Where one block of a column lies in :class:`TabularEncoder`'s output.

``kind`` is ``"offset"`` (scaled offset within the mode, continuous),
``"modes"`` (one-hot mode indicator: softmax), ``"value"`` (one continuous
value), ``"categories"`` (one-hot category: softmax) or ``"missing"`` (0/1
missing indicator: sigmoid). ``start:stop`` are the output columns.
"""

_RARE = "__rare__"


class _NumericBlock:
    """Encoding of one numeric (integer, datetime) column."""

    discrete = False

    def __init__(self, values, method, max_modes, weight_threshold, seed, subsample=None):
        observed = ~np.isnan(values)
        self.has_missing = bool((~observed).any())
        self.all_missing = not observed.any()
        self.method = method
        if self.all_missing:
            self.n_out = 1
            return
        obs = values[observed]
        self.low, self.high = float(obs.min()), float(obs.max())
        self.impute = float(obs.mean())
        if method == "mode_specific":
            self._fit_modes(obs, max_modes, weight_threshold, seed, subsample)
            self.n_out = 1 + self.means.size
        elif method == "quantile":
            self.marginal = _NumericMarginal(obs, "empirical")
            self.n_out = 1
        else:
            self.mean, self.std = float(obs.mean()), float(obs.std()) or 1.0
            self.n_out = 1
        self.n_out += self.has_missing

    def _fit_modes(self, obs, max_modes, weight_threshold, seed, subsample=None):
        n_unique = np.unique(obs).size
        k = min(max_modes, n_unique)
        tiny = 1e-6 * max(float(np.std(obs)), abs(float(obs.mean())), 1e-12)
        if k < 2:
            self.means, self.stds, self.weights = np.array([obs[0]]), np.array([1.0]), np.ones(1)
            return
        mixture = BayesianGaussianMixture(
            n_components=k,
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=1e-3,
            max_iter=100,
            random_state=seed,
        )
        with warnings.catch_warnings():
            # an unconverged variational fit still gives usable modes (as in CTGAN)
            warnings.simplefilter("ignore", ConvergenceWarning)
            fit_on = obs
            if subsample is not None and obs.size > subsample:
                pick = np.random.RandomState(seed).choice(obs.size, subsample, replace=False)
                fit_on = obs[np.sort(pick)]
            mixture.fit(fit_on[:, None])
        active = mixture.weights_ > weight_threshold
        if not active.any():
            active[np.argmax(mixture.weights_)] = True
        self.means = mixture.means_[active, 0]
        self.stds = np.maximum(np.sqrt(mixture.covariances_[active].reshape(-1)), tiny)
        self.weights = mixture.weights_[active] / mixture.weights_[active].sum()

    def encode(self, values):
        n = values.shape[0]
        out = np.zeros((n, self.n_out))
        missing = np.isnan(values)
        if self.all_missing:
            out[:, 0] = 1.0
            return out
        x = np.where(missing, self.impute, values)
        if self.method == "mode_specific":
            log_post = (np.log(self.weights) - np.log(self.stds)
                        - 0.5 * ((x[:, None] - self.means) / self.stds) ** 2)
            mode = np.argmax(log_post, axis=1)
            out[:, 0] = (x - self.means[mode]) / (4 * self.stds[mode])
            out[np.arange(n), 1 + mode] = 1.0
        elif self.method == "quantile":
            out[:, 0] = _interval_mean_score(*self.marginal.cdf_bounds(x))
        else:
            out[:, 0] = (x - self.mean) / self.std
        if self.has_missing:
            out[:, -1] = missing
        return out

    def decode(self, block, clip):
        n = block.shape[0]
        if self.all_missing:
            return np.full(n, np.nan)
        if self.method == "mode_specific":
            modes = block[:, 1:1 + self.means.size]
            mode = np.argmax(modes, axis=1)
            x = self.means[mode] + 4 * self.stds[mode] * block[:, 0]
        elif self.method == "quantile":
            x = self.marginal.quantile(ndtr(block[:, 0]))
        else:
            x = self.mean + self.std * block[:, 0]
        if clip:
            x = np.clip(x, self.low, self.high)
        if self.has_missing:
            x = np.where(block[:, -1] >= 0.5, np.nan, x)
        return x

    def names(self, name):
        if self.all_missing:
            return [f"{name}__missing"]
        if self.method == "mode_specific":
            out = [f"{name}__offset"] + [f"{name}__mode{k}" for k in range(self.means.size)]
        else:
            out = [f"{name}__value"]
        return out + ([f"{name}__missing"] if self.has_missing else [])

    def spans(self, column, start):
        if self.all_missing:
            return [OutputSpan(column, "missing", start, start + 1)]
        if self.method == "mode_specific":
            k = self.means.size
            out = [OutputSpan(column, "offset", start, start + 1),
                   OutputSpan(column, "modes", start + 1, start + 1 + k)]
        else:
            out = [OutputSpan(column, "value", start, start + 1)]
        if self.has_missing:
            out.append(OutputSpan(column, "missing", start + self.n_out - 1, start + self.n_out))
        return out


class _CategoricalBlock:
    """One-hot encoding of a categorical or boolean column, rare categories grouped."""

    discrete = True

    def __init__(self, values, min_frequency, order):
        self.coder = _CategoryCoder(values, order)
        counts = self.coder.counts[:-1]
        n = len(values)
        if min_frequency is None:
            rare = np.zeros(counts.size, dtype=bool)
        else:
            threshold = min_frequency if isinstance(min_frequency, Integral) else min_frequency * n
            rare = counts < threshold
            if rare.sum() < 2:
                rare[:] = False
        kept = np.flatnonzero(~rare)
        # slot of each fitted category (and of the missing code)
        self.slot = np.empty(counts.size + 1, dtype=np.intp)
        self.slot[kept] = np.arange(kept.size)
        self.has_rare = bool(rare.any())
        self.slot[np.flatnonzero(rare)] = kept.size
        self.rare_members = np.flatnonzero(rare)
        self.rare_weights = counts[rare] / max(counts[rare].sum(), 1)
        self.n_kept = kept.size
        self.kept = kept
        self.has_missing = self.coder.has_missing
        self.slot[-1] = kept.size + self.has_rare
        self.n_out = kept.size + self.has_rare + self.has_missing
        # category code of each slot (the rare slot -> its most frequent member)
        top_rare = self.rare_members[np.argmax(counts[rare])] if self.has_rare else -1
        self.slot_code = np.concatenate(
            [kept, [top_rare] if self.has_rare else [], [counts.size] if self.has_missing else []]
        ).astype(np.intp)
        self.labels = [str(c) for c in self.coder.categories[kept]] + (
            [_RARE] if self.has_rare else []) + (["__missing__"] if self.has_missing else [])

    def encode(self, values, name, handle_unknown):
        codes = self.coder.codes(values)
        message = self.coder.unseen(values, codes, name)
        bad = (codes < 0) | ((codes == self.coder.n_categories) & (not self.has_missing))
        if message is not None and handle_unknown == "error":
            raise ValueError(message + " Set handle_unknown='ignore' to encode them as zeros.")
        out = np.zeros((codes.shape[0], self.n_out))
        rows = np.flatnonzero(~bad)
        out[rows, self.slot[codes[rows]]] = 1.0
        return out

    def decode(self, block, rng):
        slot = np.argmax(block, axis=1)
        codes = self.slot_code[slot]
        if rng is not None and self.has_rare:
            in_rare = slot == self.n_kept
            codes[in_rare] = rng.choice(self.rare_members, size=in_rare.sum(),
                                        p=self.rare_weights)
        return self.coder.decode(codes)

    def names(self, name):
        return [f"{name}={label}" for label in self.labels]

    def spans(self, column, start):
        return [OutputSpan(column, "categories", start, start + self.n_out)]


# ---------------------------------------------------------------------------
# declared domains: blocks whose domain is given, never read from the data
# ---------------------------------------------------------------------------
_DOMAIN_KEYS = {"bounds", "categories", "nullable", "impute"}


def _check_bounds(declared, kind, label):
    """``(low, high)`` floats of declared bounds (datetimes as nanoseconds), checked."""
    try:
        low, high = declared
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{label} must be a pair (low, high), got {declared!r}.") from exc
    if kind == "datetime":
        low, high = (float(pd.Timestamp(v).value) for v in (low, high))
    low, high = float(low), float(high)
    if not (np.isfinite(low) and np.isfinite(high) and low <= high):
        raise ValueError(f"{label}=({low}, {high}) must be finite with low <= high.")
    return low, high


class _DeclaredBlock:
    """What both declared blocks share: the missing slot (the last output) and its absence.

    A column without a missing slot (``nullable=False``) encodes a missing
    value as its imputed value when ``impute`` (numeric: the middle of the
    range; categorical: none of the categories), and refuses it otherwise.
    """

    discrete = False

    def _missing(self, missing, name):
        if not (self.has_missing or self.impute) and missing.any():
            raise ValueError(f"column {name!r} has missing values, but its declared domain has "
                             "no missing slot; declare it with nullable=True (or impute=True).")


class _DeclaredNumericBlock(_DeclaredBlock):
    """A numeric column on declared bounds ``[low, high]``, scaled to ``[-1, 1]``."""

    def __init__(self, low, high, nullable, impute):
        self.low, self.high = low, high
        self.has_missing, self.impute = bool(nullable), bool(impute)
        self.n_out = 1 + self.has_missing

    def encode(self, values, name, handle_unknown=None):
        values = np.asarray(values, dtype=np.float64)
        missing = np.isnan(values)
        self._missing(missing, name)
        out = np.zeros((values.shape[0], self.n_out))
        span = self.high - self.low
        # values outside the bounds are clipped: the bounds, not the data, set the scale
        x = np.clip(np.where(missing, 0.5 * (self.low + self.high), values), self.low, self.high)
        out[:, 0] = 0.0 if span == 0 else 2.0 * (x - self.low) / span - 1.0
        if self.has_missing:
            out[:, -1] = missing
        return out

    def from_parts(self, value, missing):
        """Values from scaled floats ``value`` (clipped to [-1, 1]) and a missing mask."""
        x = self.low + 0.5 * (np.clip(value, -1.0, 1.0) + 1.0) * (self.high - self.low)
        return np.where(missing, np.nan, x)

    def decode(self, block, rng=None):
        missing = block[:, -1] >= 0.5 if self.has_missing else np.zeros(len(block), bool)
        return self.from_parts(block[:, 0], missing)

    def names(self, name):
        return [f"{name}__value"] + ([f"{name}__missing"] if self.has_missing else [])

    def spans(self, column, start):
        out = [OutputSpan(column, "value", start, start + 1)]
        if self.has_missing:
            out.append(OutputSpan(column, "missing", start + 1, start + 2))
        return out


class _DeclaredCategoricalBlock(_DeclaredBlock):
    """One-hot over declared categories, a last slot for "missing" where nullable."""

    discrete = True

    def __init__(self, categories, nullable, impute):
        self.categories = list(categories)
        self.has_missing, self.impute = bool(nullable), bool(impute)
        self.n_out = len(self.categories) + self.has_missing

    def encode(self, values, name, handle_unknown):
        series = pd.Series(values, dtype=object)
        missing = np.asarray(pd.isna(series))
        self._missing(missing, name)
        # get_indexer gives -1 for a value outside the declared set (and for missing)
        codes = pd.Index(self.categories, dtype=object).get_indexer(series.where(~missing, None))
        unseen = (codes < 0) & ~missing
        if handle_unknown == "error" and unseen.any():
            raise ValueError(
                f"column {name!r} has values outside its declared categories, e.g. "
                f"{series[unseen].iloc[0]!r}. Set handle_unknown='ignore' to encode them as "
                "zeros.")
        out = np.zeros((codes.shape[0], self.n_out))
        rows = np.flatnonzero(codes >= 0)
        out[rows, codes[rows]] = 1.0  # values outside the declared set: all zeros
        if self.has_missing:
            out[:, -1] = missing
        return out

    def from_parts(self, slot, missing):
        """Categories of the slot indices ``slot`` (None where ``missing``)."""
        out = np.asarray(self.categories, dtype=object)[np.minimum(slot, len(self.categories)
                                                                   - 1)]
        out[missing] = None
        return out

    def decode(self, block, rng=None):
        slot = np.argmax(block, axis=1)
        return self.from_parts(slot, (slot == self.n_out - 1) & self.has_missing)

    def names(self, name):
        return [f"{name}={c}" for c in self.categories] + (
            [f"{name}=__missing__"] if self.has_missing else [])

    def spans(self, column, start):
        return [OutputSpan(column, "categories", start, start + self.n_out)]


def _declared_block(domain, kind, name):
    """The block of a column with a declared ``domain`` (a dict, see ``TabularEncoder``)."""
    if not isinstance(domain, dict) or set(domain) - _DOMAIN_KEYS \
            or ("bounds" in domain) == ("categories" in domain):
        raise ValueError(
            f"domains[{name!r}] must be a dict with 'bounds' (low, high) or 'categories' (a "
            f"list), and optionally 'nullable' and 'impute' (booleans); got {domain!r}.")
    nullable, impute = domain.get("nullable", False), domain.get("impute", False)
    if "categories" in domain:
        if kind not in ("categorical", "boolean"):
            raise ValueError(f"domains[{name!r}] declares categories, but the column is "
                             f"{kind}; declare bounds, or set its column_types entry.")
        categories = list(dict.fromkeys(domain["categories"]))  # listed twice is one
        if not categories:
            raise ValueError(f"domains[{name!r}] has no categories; list them.")
        return _DeclaredCategoricalBlock(categories, nullable, impute)
    if kind in ("categorical", "boolean"):
        raise ValueError(f"domains[{name!r}] declares bounds, but the column is {kind}; "
                         "declare categories, or set its column_types entry.")
    low, high = _check_bounds(domain["bounds"], kind, f"domains[{name!r}]['bounds']")
    return _DeclaredNumericBlock(low, high, nullable, impute)


class TabularEncoder(TransformerMixin, BaseEstimator):
    """Encode a mixed-type table as a float matrix, and decode it back.

    The reusable front end of neural tabular generators (TVAE/CTGAN style):
    each column becomes a block of output columns, described by
    ``output_info_``.

    - numeric columns (floats, integers, datetimes as nanoseconds):
      ``"mode_specific"`` normalisation (Xu et al., 2019): a variational
      Gaussian mixture (``BayesianGaussianMixture`` with a Dirichlet-process
      prior) per column, then a one-hot indicator of the most likely mode and
      the offset ``(x - mu_k) / (4 sigma_k)``; or ``"quantile"`` (normal scores
      of the empirical CDF) or ``"standard"`` (z-scores);
    - categorical and boolean columns: one-hot, categories rarer than
      ``min_frequency`` grouped into one slot;
    - missing values: numeric columns get a 0/1 indicator column (the value
      block holds the mean of the observed values there); categorical columns
      get a "missing" category slot. Decoding restores NaN (NaT, None) where
      the indicator is set;
    - columns with a declared domain (``domains``): a numeric column is
      scaled from its bounds ``[low, high]`` to ``[-1, 1]`` (values outside
      are clipped), a categorical one is one-hot over its declared categories
      (values outside them encode as zeros with ``handle_unknown="ignore"``);
      nothing about such a column is read from the data in ``fit``, so its
      encoding depends on the declaration and on the row being encoded only.

    Parameters
    ----------
    column_types : dict, default=None
        Type of some columns, ``{column: type}`` with ``type`` one of
        ``"numeric"``, ``"integer"``, ``"categorical"``, ``"boolean"``,
        ``"datetime"``; keys are column names for DataFrames and positions for
        arrays. Other columns are inferred from their dtype: bool, datetime,
        integer (also floats holding only whole numbers), numeric floats,
        categorical (category, string and object columns).
    numeric_method : {"mode_specific", "quantile", "standard"}, default="mode_specific"
        How numeric columns are encoded (see above).
    max_modes : int, default=10
        Most mixture components per numeric column (``"mode_specific"``).
    weight_threshold : float, default=0.005
        Components with a smaller mixture weight are dropped.
    min_frequency : int or float, default=None
        Categories seen fewer times (int) or with a smaller frequency (float in
        (0, 1)) share one "rare" slot; grouping happens only when at least two
        categories are rare. ``None`` keeps every category (exact round trip).
    handle_unknown : {"error", "ignore"}, default="error"
        What :meth:`transform` does with a category never seen in ``fit``:
        raise a ``ValueError`` naming it, or encode the row's block as zeros.
    clip : bool, default=True
        Clip decoded numeric values to the range seen in ``fit``.
    subsample : int or None, default=None
        Fit each column's mixture (``"mode_specific"``) on at most this many
        observed values, drawn at random, for speed on large tables; the
        range, the imputed mean and the encoding itself use every row.
        ``None`` fits on all values.
    random_state : int, RandomState instance or None, default=None
        Seeds the mixtures' initialisation (and the ``subsample`` draw).
    domains : dict, default=None
        Declared domains of some columns, ``{column: domain}`` (keys as in
        ``column_types``), each a dict with ``"bounds": (low, high)`` for a
        numeric, integer or datetime column or ``"categories": list`` for a
        categorical or boolean one, and optionally ``"nullable"`` (bool,
        default False: a missing indicator, or a last ``"__missing__"``
        category slot) and ``"impute"`` (bool, default False: a missing value
        of a column that is not nullable encodes as the middle of the range,
        or as none of the categories, instead of raising). Their output
        blocks are ``"value"`` (+ ``"missing"``) and ``"categories"`` spans;
        decoding maps ``[-1, 1]`` back to ``[low, high]`` and ignores
        ``clip``. Other columns are encoded as above.

    Attributes
    ----------
    column_types_ : dict
        Type of every column, inferred or given.
    output_info_ : list of OutputSpan
        One ``(column, kind, start, stop)`` entry per output block, in order.
    categories_ : dict
        For categorical and boolean columns: the categories of each one-hot
        slot (``"__rare__"`` and ``"__missing__"`` for the special slots).
    n_features_out_ : int
        Number of output columns.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    GaussianCopulaGenerator : Mixed-type generator built on the same column typing.

    Notes
    -----
    ``inverse_transform(transform(X))`` returns ``X`` exactly for categorical,
    boolean, integer and datetime columns (at the resolution seen in ``fit``)
    when no category is grouped, and up to floating-point error for other
    numeric columns. :meth:`inverse_transform` accepts scores rather than
    exact one-hot rows (it takes the arg-max of each one-hot block and
    thresholds missing indicators at 0.5), so it decodes a network's output
    directly. Rows decoded into the "rare" slot get its most frequent
    category, or a category drawn by frequency when ``random_state`` is given.

    References
    ----------
    .. [1] Xu, L., Skoularidou, M., Cuesta-Infante, A. and Veeramachaneni, K.
       (2019). "Modeling tabular data using conditional GAN." NeurIPS 2019,
       arXiv:1907.00503.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.generators import TabularEncoder
    >>> X = pd.DataFrame({"age": [23, 35, 51, 35, None],
    ...                   "job": ["a", "b", "a", None, "c"]})
    >>> enc = TabularEncoder(numeric_method="standard").fit(X)
    >>> enc.transform(X).shape
    (5, 6)
    >>> [(s.column, s.kind) for s in enc.output_info_]
    [('age', 'value'), ('age', 'missing'), ('job', 'categories')]
    >>> bool(enc.inverse_transform(enc.transform(X)).equals(X))
    True
    """

    _parameter_constraints = {
        "column_types": [None, dict],
        "numeric_method": [StrOptions({"mode_specific", "quantile", "standard"})],
        "max_modes": [Interval(Integral, 1, None, closed="left")],
        "weight_threshold": [Interval(Real, 0, 1, closed="left")],
        "min_frequency": [None, Interval(Integral, 1, None, closed="left"),
                          Interval(Real, 0, 1, closed="neither")],
        "handle_unknown": [StrOptions({"error", "ignore"})],
        "clip": ["boolean"],
        "subsample": [None, Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "domains": [None, dict],
    }

    def __init__(self, *, column_types=None, numeric_method="mode_specific", max_modes=10,
                 weight_threshold=0.005, min_frequency=None, handle_unknown="error", clip=True,
                 subsample=None, random_state=None, domains=None):
        self.column_types = column_types
        self.numeric_method = numeric_method
        self.max_modes = max_modes
        self.weight_threshold = weight_threshold
        self.min_frequency = min_frequency
        self.handle_unknown = handle_unknown
        self.clip = clip
        self.subsample = subsample
        self.random_state = random_state
        self.domains = domains

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the type and encoding of every column.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The table; may mix numbers, strings, categories, booleans,
            datetimes and missing values.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        frame = _validate_table(self, X, reset=True)
        domains = self.domains or {}
        bounded = {key for key, domain in domains.items()
                   if isinstance(domain, dict) and "bounds" in domain}
        self._spec = _TableSpec(frame, X, self.column_types, numbers=bounded)
        unknown = set(domains) - set(self._spec.columns)
        if unknown:
            raise ValueError(
                f"domains names columns that X does not have (or that are not modelled): "
                f"{sorted(map(str, unknown))}; the columns are {list(self._spec.columns)}.")
        rng = check_random_state(self.random_state)
        self._blocks = []
        for j, kind in enumerate(self._spec.types):
            seed = rng.randint(np.iinfo(np.int32).max)
            name = self._spec.columns[j]
            if name in domains:
                block = _declared_block(domains[name], kind, name)
            elif kind in ("categorical", "boolean"):
                dtype = self._spec.dtypes[j]
                order = list(dtype.categories) if isinstance(dtype, pd.CategoricalDtype) else None
                if kind == "boolean":
                    order = [False, True]
                block = _CategoricalBlock(self._spec.objects(frame, j), self.min_frequency, order)
            else:
                values = self._spec.floats(frame, j)
                # mixtures and standardisation square the values: refuse what overflows
                _check_representable_scale(self, values[~np.isnan(values), None],
                                           [repr(self._spec.columns[j])])
                block = _NumericBlock(values, self.numeric_method, self.max_modes,
                                      self.weight_threshold, seed, self.subsample)
            self._blocks.append(block)
        self.column_types_ = self._spec.column_types
        self._describe()
        return self

    @classmethod
    def _on_domains(cls, spec, domains):
        """An encoder fitted on declared ``domains`` alone (one dict per column of ``spec``).

        For a generator that types its table itself (``spec``, a
        ``_TableSpec``) and decides the domains (:class:`LipschitzVAE`): no
        row is read. It encodes validated frames with :meth:`_encode_frame`
        (values outside the categories as zeros).
        """
        encoder = cls(handle_unknown="ignore")
        encoder._spec = spec
        # the generator checked its domains (bounds of datetimes already in nanoseconds)
        encoder._blocks = [
            _DeclaredCategoricalBlock(d["categories"], d["nullable"], d["impute"])
            if "categories" in d else _DeclaredNumericBlock(*d["bounds"], d["nullable"],
                                                             d["impute"])
            for d in domains]
        encoder.column_types_ = spec.column_types
        encoder._describe()
        return encoder

    def _describe(self):
        """``output_info_``, ``categories_`` and ``n_features_out_`` of the fitted blocks."""
        self.output_info_, self.categories_, start = [], {}, 0
        for name, block in zip(self._spec.columns, self._blocks):
            self.output_info_.extend(block.spans(name, start))
            start += block.n_out
            if isinstance(block, _CategoricalBlock):
                self.categories_[name] = np.array(
                    [*block.coder.categories[block.kept], *([_RARE] if block.has_rare else []),
                     *(["__missing__"] if block.has_missing else [])], dtype=object)
            elif block.discrete:
                self.categories_[name] = np.array(
                    [*block.categories, *(["__missing__"] if block.has_missing else [])],
                    dtype=object)
        self.n_features_out_ = start

    def transform(self, X):
        """Encode ``X`` as floats.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, `n_features_in_`)

        Returns
        -------
        Xt : ndarray of shape (n_samples, `n_features_out_`)
        """
        check_is_fitted(self)
        return self._encode_frame(_validate_table(self, X, reset=False))

    def _encode_frame(self, frame):
        """Encoded rows of a validated frame (the columns of ``_spec``)."""
        return np.hstack([self._encode_column(frame, j) for j in range(len(self._blocks))])

    def _encode_column(self, frame, j):
        """The output block of column ``j`` of a validated frame."""
        block, name = self._blocks[j], self._spec.columns[j]
        if isinstance(block, _NumericBlock):
            return block.encode(self._spec.floats(frame, j))
        if block.discrete:
            return block.encode(self._spec.objects(frame, j), name, self.handle_unknown)
        return block.encode(self._spec.floats(frame, j), name)

    def _decode_parts(self, j, value, missing):
        """Column ``j`` (declared domain) from its value part and missing mask.

        ``value``: scaled floats, or category slot indices; the values before
        ``_spec.restore``. For a generator that draws these parts itself.
        """
        return self._blocks[j].from_parts(value, missing)

    def inverse_transform(self, X, *, random_state=None):
        """Decode encoded rows into a table like the one seen in ``fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_out_`)
            Encoded rows, or scores in the same layout (one-hot blocks are
            decoded by arg-max, missing indicators thresholded at 0.5).
        random_state : int, RandomState instance or None, default=None
            When given, rows decoded into the "rare" slot get a rare category
            drawn by frequency instead of the most frequent one.

        Returns
        -------
        X_original : ndarray or DataFrame of shape (n_samples, `n_features_in_`)
            In the container, column order and dtypes seen in ``fit``.
        """
        check_is_fitted(self)
        X = check_array(X, dtype=np.float64, input_name="X")
        if X.shape[1] != self.n_features_out_:
            raise ValueError(
                f"X has {X.shape[1]} columns, but {type(self).__name__} encodes into "
                f"{self.n_features_out_}; pass the output of transform (or a generator)."
            )
        rng = None if random_state is None else check_random_state(random_state)
        columns, start = [], 0
        for block in self._blocks:
            part = X[:, start:start + block.n_out]
            start += block.n_out
            if isinstance(block, _NumericBlock):
                columns.append(block.decode(part, self.clip))
            else:
                columns.append(block.decode(part, rng))
        return self._spec.restore(columns, rng)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, e.g. ``age__offset``, ``job=a``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored (the names seen in ``fit`` are used), kept for API
            compatibility.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        names = []
        for name, block in zip(self._spec.columns, self._blocks):
            names.extend(block.names(name))
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags
