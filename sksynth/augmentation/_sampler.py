"""Augmentation as an imbalanced-learn over-sampler (``fit_resample``)."""

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, _fit_context
from sklearn.utils import InputTags, Tags, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _num_samples, column_or_1d

from ..base import _seed_from, _seeded_clone, _take_rows
from ..generators import GaussianMixtureGenerator
from ._draw import AUGMENTATION_CONSTRAINTS, AugmentationMixin, check_labelled_draw
from ._strategy import SAMPLING_STRATEGY_STRINGS, resolve_sampling_strategy


@dataclass(slots=True)
class SamplerTags:
    """imbalanced-learn's sampler tags: whether ``sample_indices_`` is set."""

    sample_indices: bool = False


@dataclass(slots=True)
class SamplerInputTags(InputTags):
    """scikit-learn's input tags plus imbalanced-learn's ``dataframe``."""

    dataframe: bool = True


@dataclass(slots=True)
class SamplerEstimatorTags(Tags):
    """scikit-learn's tags plus imbalanced-learn's ``sampler_tags``.

    The fields imbalanced-learn's own ``Tags`` adds, declared here so that
    ``imblearn.utils.estimator_checks`` reads the tags of a sampler that does
    not import imbalanced-learn.
    """

    input_tags: SamplerInputTags = field(default_factory=SamplerInputTags)
    sampler_tags: SamplerTags = field(default_factory=SamplerTags)


class _Containers:
    """What ``fit_resample`` received, so the result comes back alike.

    Lists give lists, DataFrames DataFrames with the same columns and dtypes
    (pandas sparse columns included; the index is reset), Series Series with
    the same name and dtype, arrays arrays of the same dtype, and a one-hot
    (one-vs-all) ``y`` a one-hot ``y``.
    """

    def __init__(self, X, y):
        self.X_list = isinstance(X, list)
        self.X_frame = isinstance(X, pd.DataFrame)
        self.X_dtypes = X.dtypes.copy() if self.X_frame else None
        self.y_list = isinstance(y, list)
        self.y_series = isinstance(y, pd.Series)
        self.y_frame = isinstance(y, pd.DataFrame)
        self.y_name = y.name if self.y_series else None
        self.y_columns = y.columns.copy() if self.y_frame else None
        self.y_dtype = getattr(y, "dtype", None) if not self.y_frame else y.dtypes.iloc[0]
        self.one_vs_all = False

    def target(self, y):
        """1-D labels; a one-hot ``y`` becomes class indices (imbalanced-learn's rule)."""
        check_classification_targets(y)
        if type_of_target(y) == "multilabel-indicator":
            y = np.asarray(y)
            if np.any(y.sum(axis=1) > 1):
                raise ValueError(
                    "Multilabel and multioutput targets are not supported: y has rows "
                    "with more than one label; a sampler takes one class per row (a "
                    "one-hot y with exactly one 1 per row is read as class indices)."
                )
            self.one_vs_all = True
            self.ova_shape_dtype = (y.shape[1], y.dtype)
            return y.argmax(axis=1)
        return column_or_1d(y)

    @staticmethod
    def dense_frame(X):
        """pandas sparse columns as dense ones (generators take dense data)."""
        if not isinstance(X, pd.DataFrame):
            return X
        sparse = [c for c, dt in X.dtypes.items() if isinstance(dt, pd.SparseDtype)]
        if not sparse:
            return X
        return X.astype({c: X.dtypes[c].subtype for c in sparse})

    def restore(self, X_res, y_res):
        if self.X_frame:
            X_res = X_res.reset_index(drop=True).astype(self.X_dtypes)
        elif self.X_list:
            X_res = np.asarray(X_res).tolist()
        if self.one_vs_all:
            # as many columns as given (label_binarize would give one column for two)
            n_columns, dtype = self.ova_shape_dtype
            y_res = np.eye(n_columns, dtype=dtype)[np.asarray(y_res, dtype=int)]
        elif self.y_frame:
            y_res = pd.DataFrame(np.asarray(y_res).reshape(-1, 1), columns=self.y_columns)
            y_res = y_res.astype(self.y_dtype)
        elif self.y_series:
            y_res = pd.Series(np.asarray(y_res), name=self.y_name).astype(self.y_dtype)
        elif self.y_list:
            y_res = np.asarray(y_res).tolist()
        elif self.y_dtype is not None:
            y_res = np.asarray(y_res).astype(self.y_dtype, copy=False)
        return X_res, y_res


class SyntheticAugmenter(AugmentationMixin, OneToOneFeatureMixin, BaseEstimator):
    """Over-sample with a generator's rows, as an imbalanced-learn sampler.

    ``fit_resample(X, y)`` fits a clone of ``generator`` on ``(X, y)`` and
    returns the real rows followed by synthetic rows drawn from the generator
    conditioned on their class, as many per class as ``sampling_strategy``
    asks, with imbalanced-learn's semantics (the same counts as
    ``imblearn.over_sampling.RandomOverSampler`` or ``SMOTE`` for the same
    ``sampling_strategy``). With a ``pruner`` (fitted on the real rows) the
    rows it rejects are replaced by fresh draws of the same class, up to
    ``max_rounds`` rounds: rejection sampling from the generator restricted to
    what the pruner accepts. In an ``imblearn.pipeline.Pipeline`` the
    resampling happens in ``fit`` only, so predictions and scores use real
    rows. Use :class:`AugmentedClassifier` instead when synthetic rows should
    be weighted, or to add a budget of rows in the training proportions.

    Parameters
    ----------
    generator : generator, default=None
        Class-conditional generator (``sample(y=labels)`` draws ``X | y``);
        ``None`` uses :class:`~sksynth.generators.GaussianMixtureGenerator`.
    sampling_strategy : float, str, dict or callable, default="auto"
        How many rows each class gets, as in imbalanced-learn's over-samplers:

        - ``float`` (binary ``y`` only): the ratio ``N_minority / N_majority``
          after resampling, in ``(0, 1]``; the minority class grows to
          ``int(ratio * N_majority)`` rows;
        - ``str``: the classes to grow to the majority class's size:
          ``"minority"``, ``"not minority"``, ``"not majority"``, ``"all"``, or
          ``"auto"`` (= ``"not majority"``); the class counts then come out
          exactly equal;
        - ``dict``: ``{class: number of rows after resampling}`` for the named
          classes (each at least its current size); other classes are left
          alone;
        - callable: ``y -> dict`` as above, e.g. to double every class,
          ``lambda y: {c: 2 * n for c, n in zip(*np.unique(y, return_counts=True))}``.
    pruner : pruner, default=None
        Filter fitted on the real rows, e.g.
        :class:`~sksynth.pruning.LabelVerifier`; rejected rows are redrawn.
    max_rounds : int, default=10
        Rounds of drawing with a pruner (each round draws the rows still
        missing, scaled up by the inverse of the class's acceptance rate so
        far, at most tenfold). If a class is still short after the last round
        a warning says so and fewer rows are returned. Without a pruner one
        round always suffices.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator, the pruner and the sampling.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: number of synthetic rows to add}``, classes in sorted order;
        classes left alone are absent.
    generator_ : generator or None
        The generator fitted by the last ``fit_resample`` (``None`` when it
        had nothing to add).
    pruner_ : pruner or None
        The pruner fitted by the last ``fit_resample``.
    n_synthetic_ : int
        Synthetic rows drawn by the last ``fit_resample``, rejected ones
        included.
    n_kept_ : int
        Synthetic rows returned by the last ``fit_resample``
        (``sum(sampling_strategy_.values())`` unless a pruner left a class
        short).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    AugmentedClassifier : Augmentation as a meta-estimator, with weights.

    Notes
    -----
    The output follows imbalanced-learn's conventions: lists give lists,
    DataFrames DataFrames with the same columns and dtypes (a fresh
    ``RangeIndex``), Series Series with the same name, arrays keep their
    dtype, and a one-hot ``y`` (one 1 per row) is resampled as class indices
    and returned one-hot. Synthetic rows follow the real ones, grouped by
    class in sorted order. Their labels are the generator's (a generator that
    honours ``sample(y=labels)`` returns the requested ones; a label-noise
    wrapper such as :class:`~sksynth.generators.LabelNoise` flips some).

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.augmentation import SyntheticAugmenter
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(30, 2)), np.array([0] * 20 + [1] * 10)
    >>> sampler = SyntheticAugmenter(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist(), sampler.sampling_strategy_
    ((40, 2), [20, 20], {np.int64(1): 10})
    >>> X_res, y_res = SyntheticAugmenter(sampling_strategy={0: 25, 1: 25},
    ...                                   random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [25, 25]
    """

    _DEFAULT_GENERATOR = GaussianMixtureGenerator

    _parameter_constraints = {
        "generator": AUGMENTATION_CONSTRAINTS["generator"],
        "sampling_strategy": [
            Interval(Real, 0, 1, closed="right"),
            StrOptions(set(SAMPLING_STRATEGY_STRINGS)),
            Mapping,
            callable,
        ],
        "pruner": AUGMENTATION_CONSTRAINTS["pruner"],
        "max_rounds": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        generator=None,
        *,
        sampling_strategy="auto",
        pruner=None,
        max_rounds=10,
        random_state=None,
    ):
        self.generator = generator
        self.sampling_strategy = sampling_strategy
        self.pruner = pruner
        self.max_rounds = max_rounds
        self.random_state = random_state

    def _check_X_y(self, X, y):
        """Validate the inputs; returns the generator's view of them and the containers."""
        containers = _Containers(X, y)
        y = containers.target(y)
        X = containers.dense_frame(X)
        X, y = self._validate_fit_data(X, y)
        return X, np.asarray(y), containers

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Check ``X`` and ``y`` and compute ``sampling_strategy_``; nothing is drawn.

        Use :meth:`fit_resample`, which fits the generator.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Real rows.
        y : array-like of shape (n_samples,)
            Real class labels.

        Returns
        -------
        self : object
            The sampler, with ``sampling_strategy_`` set.
        """
        X, y, _ = self._check_X_y(X, y)
        self.sampling_strategy_ = resolve_sampling_strategy(self.sampling_strategy, y)
        return self

    @_fit_context(prefer_skip_nested_validation=False)
    def fit_resample(self, X, y):
        """Return the real rows followed by the synthetic rows ``sampling_strategy`` asks for.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Real rows. A DataFrame reaches the generator as it is (pandas
            sparse columns made dense), so mixed-type frames reach a generator
            that handles them.
        y : array-like of shape (n_samples,)
            Real class labels (or a one-hot matrix with one 1 per row).

        Returns
        -------
        X_resampled : array-like of shape (n_samples + `n_kept_`, n_features)
            Real rows, then synthetic ones, in the container of ``X``.
        y_resampled : array-like of shape (n_samples + `n_kept_`,)
            Their labels, in the container of ``y``.
        """
        X, y, containers = self._check_X_y(X, y)
        self.sampling_strategy_ = resolve_sampling_strategy(self.sampling_strategy, y)
        X_res, y_res = self._fit_resample(X, y)
        return containers.restore(X_res, y_res)

    def _fit_resample(self, X, y):
        """Fit the generator (and pruner) on ``(X, y)``; stack real and synthetic rows."""
        rng = check_random_state(self.random_state)
        self.generator_, self.pruner_ = None, None
        self.n_synthetic_ = self.n_kept_ = 0
        wanted = {c: n for c, n in self.sampling_strategy_.items() if n > 0}
        if not wanted:
            return X, y
        self.generator_ = _seeded_clone(self._default_generator(), _seed_from(rng)).fit(X, y)
        if self.pruner is not None:
            self.pruner_ = _seeded_clone(self.pruner, _seed_from(rng)).fit(X, y)
        blocks = self._draw(wanted, y.dtype, rng)
        X_parts = [X] + [_as_rows_of(X, block[0]) for block in blocks]
        y_parts = [y] + [np.asarray(block[1]).astype(y.dtype, copy=False) for block in blocks]
        self.n_kept_ = sum(_num_samples(part) for part in X_parts[1:])
        if isinstance(X, pd.DataFrame):
            X_res = pd.concat(X_parts, ignore_index=True)
        else:
            X_res = np.concatenate(X_parts, axis=0)
        return X_res, np.concatenate(y_parts)

    def _draw(self, wanted, y_dtype, rng):
        """Draw, prune and redraw until each class has its rows (or rounds run out).

        Returns a list of ``(X_block, y_block)`` per class, in sorted class order.
        """
        classes = list(wanted)
        kept = {c: [] for c in classes}
        n_kept = dict.fromkeys(classes, 0)
        drawn = dict.fromkeys(classes, 0)
        for _ in range(self.max_rounds if self.pruner_ is not None else 1):
            missing = {c: wanted[c] - n_kept[c] for c in classes if n_kept[c] < wanted[c]}
            if not missing:
                break
            request = {}
            for c, n in missing.items():
                rate = n_kept[c] / drawn[c] if drawn[c] else 1.0
                request[c] = int(np.ceil(n / max(rate, 0.1)))
            labels = np.repeat(np.asarray(list(request), dtype=y_dtype), list(request.values()))
            X_new, y_new = check_labelled_draw(
                self.generator_, self.generator_.sample(y=labels, random_state=rng))
            self.n_synthetic_ += labels.shape[0]
            keep = np.ones(labels.shape[0], dtype=bool)
            if self.pruner_ is not None:
                keep = np.asarray(self.pruner_.keep_mask(X_new, y_new), dtype=bool)
            for c in missing:
                rows = np.flatnonzero(keep & (labels == c))[: missing[c]]
                drawn[c] += request[c]
                kept[c].append((_take_rows(X_new, _mask(rows, labels.shape[0])),
                                _take_rows(y_new, _mask(rows, labels.shape[0]))))
                n_kept[c] += rows.shape[0]
        short = {c: (n_kept[c], wanted[c]) for c in classes if n_kept[c] < wanted[c]}
        if short:
            detail = ", ".join(
                f"class {c.item() if hasattr(c, 'item') else c!r}: {k} of {n}"
                for c, (k, n) in short.items()
            )
            warnings.warn(
                f"the pruner rejected too many synthetic rows: after {self.max_rounds} "
                f"rounds {detail} rows were kept; the classes are not resampled to "
                "sampling_strategy. Raise max_rounds or use a less strict pruner.",
                UserWarning,
            )
        blocks = []
        for c in classes:
            parts = kept[c]
            if isinstance(parts[0][0], pd.DataFrame):
                X_block = pd.concat([p[0] for p in parts], ignore_index=True)
            else:
                X_block = np.concatenate([np.asarray(p[0]) for p in parts], axis=0)
            blocks.append((X_block, np.concatenate([np.asarray(p[1]) for p in parts])))
        return blocks

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        generator = self._default_generator().__sklearn_tags__().input_tags
        input_tags = SamplerInputTags(
            **{f.name: getattr(tags.input_tags, f.name) for f in fields(InputTags)},
            dataframe=True,
        )
        input_tags.sparse = False
        input_tags.allow_nan = generator.allow_nan
        input_tags.string = generator.string
        input_tags.categorical = generator.categorical
        others = {f.name: getattr(tags, f.name) for f in fields(Tags) if f.name != "input_tags"}
        out = SamplerEstimatorTags(**others, input_tags=input_tags, sampler_tags=SamplerTags())
        out.estimator_type = "sampler"
        out.target_tags.required = True
        return out


def _mask(rows, n):
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def _as_rows_of(X, X_new):
    """Synthetic rows in the container and dtype of the real rows."""
    if isinstance(X, pd.DataFrame):
        if not isinstance(X_new, pd.DataFrame):
            X_new = pd.DataFrame(np.asarray(X_new), columns=X.columns)
        return X_new
    return np.asarray(X_new).astype(X.dtype, copy=False)
