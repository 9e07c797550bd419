"""Base classes and shared validation for generators and pruners.

A *generator* is a scikit-learn transformer that can also draw new rows
(:class:`GeneratorMixin`); a *pruner* is fitted on trusted (real) rows and
then judges candidate (synthetic) rows (:class:`PrunerMixin`). The contracts
are described in ``doc/design.rst``.
"""

import numbers
import warnings

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.base import TransformerMixin, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data

from .constraints._base import ConstraintSet
from ._specs import _ContainerSpec, _TargetSpec
from .utils._validation import _validate_numeric, _validate_table

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "GeneratorMixin",
    "PrivacyWarning",
    "PrunerMixin",
    "WrappedGeneratorMixin",
    "check_n_samples",
    "is_generator",
    "is_pruner",
]

_MAX_SEED = np.iinfo(np.int32).max

#: Default ``min_group_size`` of every generator: a class, a category used for
#: conditioning or a whole table with fewer training rows is never modelled on its own,
#: since a model of a handful of rows replays them.
DEFAULT_MIN_GROUP_SIZE = 5


class PrivacyWarning(UserWarning):
    """Warning about a choice that affects what synthetic rows reveal of training rows.

    Raised, for example, when a column is inferred to be an identifier (and is
    synthesised afresh) or when classes too small to model on their own are pooled.

    Examples
    --------
    >>> import warnings
    >>> from sksynth.base import PrivacyWarning
    >>> issubclass(PrivacyWarning, UserWarning)
    True
    """


def _check_min_rows(estimator, n_rows, min_group_size):
    """Refuse a training table with fewer than ``min_group_size`` rows.

    A model of fewer rows than that reproduces them (a one-row table comes back
    verbatim), so the generator refuses it unless the user lowers ``min_group_size``.
    """
    if n_rows < min_group_size:
        raise ValueError(
            f"{type(estimator).__name__} was given {n_rows} sample(s) but min_group_size="
            f"{min_group_size}: a model of so few rows would replay them (privacy). Pass more "
            f"rows, or set min_group_size={max(n_rows, 1)} to accept that risk explicitly."
        )


def _rare_condition_message(column, values, min_group_size):
    """Why ``conditions`` on ``values`` of ``column`` (held by too few rows) are refused."""
    return (
        f"cannot condition column {column!r} on {values}: fewer than min_group_size="
        f"{min_group_size} training rows hold them, and rows drawn for so few would replay "
        "them (privacy). Lower min_group_size to allow it."
    )


def _small_groups(labels, n_groups, min_group_size, *, what, names, estimator):
    """Indices of the groups with fewer than ``min_group_size`` rows (warned about).

    Parameters
    ----------
    labels : ndarray of shape (n_samples,) of int
        Group index of each training row, in ``[0, n_groups)``.
    n_groups : int
    min_group_size : int
    what : str
        What a group is, for the warning (e.g. ``"class"``).
    names : sequence
        The name of each group, for the warning.
    estimator : object
        The generator, for the warning.

    Returns
    -------
    small : ndarray of int
        Groups (with at least one row) that must not be modelled on their own.
    """
    counts = np.bincount(labels, minlength=n_groups)
    small = np.flatnonzero((counts > 0) & (counts < min_group_size))
    if small.size:
        shown = [names[k] for k in small[:5]]
        warnings.warn(
            f"{type(estimator).__name__}: {small.size} {what}(es) have fewer than "
            f"min_group_size={min_group_size} training rows ({shown}"
            f"{' ...' if small.size > 5 else ''}); they are drawn from the model of the "
            "whole table instead of their own, so that their rows are not replayed. Set "
            "min_group_size=1 to model every group on its own (privacy risk).",
            PrivacyWarning,
            stacklevel=3,
        )
    return small


def check_n_samples(n_samples, name="n_samples", *, allow_zero=True):
    """Validate a number of rows to draw.

    Parameters
    ----------
    n_samples : int
        The requested number of rows.
    name : str, default="n_samples"
        Parameter name used in error messages.
    allow_zero : bool, default=True
        Whether ``0`` is accepted.

    Returns
    -------
    n_samples : int
        The validated count as a Python ``int``.

    Raises
    ------
    TypeError
        If ``n_samples`` is not an integer (floats and booleans are refused).
    ValueError
        If ``n_samples`` is negative (or zero when ``allow_zero=False``).

    Examples
    --------
    >>> from sksynth.base import check_n_samples
    >>> check_n_samples(np.int64(3))
    3
    """
    if isinstance(n_samples, (bool, np.bool_)) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(
            f"{name} must be a non-negative integer, got {n_samples!r} of type "
            f"{type(n_samples).__name__}; pass e.g. {name}=100."
        )
    n_samples = int(n_samples)
    lower = 0 if allow_zero else 1
    if n_samples < lower:
        raise ValueError(f"{name} must be an integer >= {lower}, got {n_samples}.")
    return n_samples


def _has_methods(estimator, *names):
    """Whether ``estimator`` has a callable attribute of each name (duck typing)."""
    return all(callable(getattr(estimator, name, None)) for name in names)


def is_generator(estimator):
    """Return True if ``estimator`` follows the generator contract (has ``sample``).

    Examples
    --------
    >>> from sksynth.generators import GaussianGenerator
    >>> is_generator(GaussianGenerator())
    True
    """
    return _has_methods(estimator, "sample", "fit")


def is_pruner(estimator):
    """Return True if ``estimator`` follows the pruner contract (has ``keep_mask``).

    Examples
    --------
    >>> from sksynth.pruning import LabelVerifier
    >>> is_pruner(LabelVerifier())
    True
    """
    return _has_methods(estimator, "keep_mask", "fit")


def _seed_from(random_state):
    """Draw an integer seed from anything ``check_random_state`` accepts."""
    return int(check_random_state(random_state).randint(_MAX_SEED))


def _seeded_clone(estimator, seed):
    """Clone ``estimator`` and set every ``random_state`` the user left at None.

    Nested parameters (``step__random_state``) are seeded too; a seed the user
    chose is kept.
    """
    estimator = clone(estimator)
    unset = {
        key: seed
        for key, value in estimator.get_params(deep=True).items()
        if (key == "random_state" or key.endswith("__random_state")) and value is None
    }
    return estimator.set_params(**unset)


class GeneratorMixin:
    """Mixin for generators: the one template of ``sample``, ``iter_sample`` and scoring.

    The public methods validate once and delegate to private workers, in the
    manner of scikit-learn's ``BaseMixture``:

    - :meth:`fit` validates ``X`` and ``y`` as the generator declares
      (``_input_kind``), refuses tables under ``min_group_size`` rows and calls
      ``_fit`` (see :meth:`_fit_validated` for what it receives).
    - :meth:`sample` checks the request (``n_samples``, labels ``y``,
      ``conditions``, declared sampling options, the random stream) and calls
      ``_sample(n_samples, y_enc, conditions, rng, **options)``, which returns
      ``(X_new, y_new_enc, *extra)``: ``X_new`` a float array restored into the
      fitted container by ``_x_spec`` (numeric generators), or the restored
      rows themselves (generators without ``_x_spec``); ``y_new_enc`` encoded
      labels (or ``None``), decoded here; ``extra`` appended to the result.
    - :meth:`iter_sample` streams :meth:`sample` in batches.
    - :meth:`score_samples` validates ``X`` as the generator declares
      (``_input_kind``) and ``y``, then calls ``_score_samples(X, y_enc)``;
      :meth:`score` is its mean.

    A generator declares what it accepts, so that anything else gets one clear
    error: ``_input_kind`` (``"numeric"``: a float matrix, ``"mixed"``: tables of
    any column types, ``"sequences"``: 3-D arrays, ``"wrapped"``: whatever the
    wrapped generator takes), ``_accepts_conditions`` (``sample(conditions=...)``),
    ``_sample_options`` (extra keyword arguments of ``sample``, e.g.
    ``n_timesteps``) and ``_supports_regression_target``. No generator overrides
    ``fit``, ``sample`` or the scoring methods.

    Randomness: ``fit`` seeds an internal random stream from ``random_state``;
    each :meth:`sample` call without its own ``random_state`` advances it, so
    successive calls give new rows and refitting replays the same sequence;
    ``sample(..., random_state=k)`` gives exactly reproducible rows.
    """

    #: Whether the generator can model a continuous target jointly with ``X``.
    _supports_regression_target = False
    #: What ``X`` the generator models: "numeric", "mixed", "sequences" or "wrapped".
    _input_kind = "numeric"
    #: Whether ``sample`` takes ``conditions={column: value}``.
    _accepts_conditions = False
    #: Extra keyword arguments ``sample`` passes on to ``_sample``.
    _sample_options = ()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self._input_kind == "mixed":
            # mixed tables: strings, categories and missing values are modelled, and the
            # augmentation meta-estimators pass such frames through unvalidated
            tags.input_tags.allow_nan = True
            tags.input_tags.categorical = True
            tags.input_tags.string = True
        return tags
    #: Whether a fit with ``y`` lets ``sample(y=...)`` draw ``X | y`` (False: y is ignored).
    _samples_given_y = True

    # -- fitting -------------------------------------------------------------
    def fit(self, X, y=None):
        """Fit the generator to ``X`` (and ``y``).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training rows of the kind the generator models (its class
            docstring says which): numbers; tables of numbers, strings,
            categories, booleans and datetimes with missing values; or
            sequences of shape (n_sequences, n_timesteps, n_features).
        y : array-like of shape (n_samples,), default=None
            Class labels (``sample(y=...)`` then draws ``X | y``), a
            continuous target for generators that model one jointly with
            ``X``, or ignored (the class docstring says which).

        Returns
        -------
        self : object
            The fitted generator.
        """
        # a generator that wraps a user's generator keeps validating its parameters
        fit = _fit_wrapper if self._input_kind == "wrapped" else _fit_model
        return fit(self, X, y)

    def _fit_validated(self, X, y):
        """Validate ``X`` and ``y`` as the generator declares, then call ``_fit``.

        ``_fit`` receives, by ``_input_kind``:

        - ``"numeric"``: ``_fit(X, y_enc)``, ``X`` a float64 array and ``y_enc``
          class indices, floats or ``None`` (``_x_spec``, ``_y_spec`` and
          ``classes_`` are set);
        - ``"mixed"``: ``_fit(frame, y_spec, X)``, the validated DataFrame, the
          ``_TargetSpec`` of ``y`` (or ``None``; also set as ``_y_spec``) and
          ``X`` as passed (its container is restored at sampling);
        - ``"sequences"``: ``_fit(X, y)``, ``X`` as ``_validate_sequences``
          returns it;
        - ``"wrapped"``: ``_fit(X, y)`` as passed (the wrapped generator
          validates them), with ``n_features_in_`` recorded and lengths checked.

        Tables smaller than ``min_group_size`` rows are refused here.
        """
        kind = self._input_kind
        if kind == "numeric":
            X, y_enc = self._validate_fit_input(X, y)
            _check_min_rows(self, X.shape[0], getattr(self, "min_group_size", 1))
            self._fit(X.astype(np.float64, copy=False), y_enc)
        elif kind == "mixed":
            frame = _validate_table(self, X, reset=True)
            if y is not None:
                _check_lengths(frame.shape[0], y)
            # constraints rewrite columns before the model sees them (sksynth.constraints)
            self._constraints = ConstraintSet(
                getattr(self, "constraints", None), getattr(self, "column_types", None),
                type(self).__name__, self.min_group_size)
            X, keep = self._constraints.fit(frame, X)
            if self._constraints:
                frame = X
                if keep is not None and y is not None:
                    y = _take_rows(y, keep)
            _check_min_rows(self, frame.shape[0], self.min_group_size)
            self.__dict__.pop("classes_", None)
            self._y_spec = None
            if y is not None:
                self._y_spec = _TargetSpec(
                    y, allow_regression=self._supports_regression_target)
                if self._y_spec.task == "classification":
                    self.classes_ = self._y_spec.classes
            self._fit(frame, self._y_spec, X)
            if self._constraints and hasattr(self, "column_types_"):
                self.column_types_ = self._constraints.input_column_types(self.column_types_)
        elif kind == "sequences":
            self._fit(self._validate_sequences(X, reset=True), y)
        elif kind == "wrapped":
            validate_data(self, X, skip_check_array=True)
            if y is not None:
                _check_lengths(_num_samples(X), y)
            self._fit(X, y)
        else:  # pragma: no cover - a declaration error of a new generator
            raise NotImplementedError(
                f"{type(self).__name__} declares an unknown _input_kind={kind!r}."
            )
        return self

    def _model_column_types(self):
        """``column_types`` of the frame the model sees (constraints' columns included)."""
        constraints = getattr(self, "_constraints", None)
        column_types = getattr(self, "column_types", None)
        return constraints.model_column_types(column_types) if constraints else column_types

    def _validate_fit_input(self, X, y=None, **check_params):
        """Record the input containers and validate ``X`` (and ``y``).

        Returns the validated float ``X`` and the encoded target (class indices,
        floats, or ``None``).
        """
        self._x_spec = _ContainerSpec(X)
        self.__dict__.pop("classes_", None)
        check_params.setdefault("dtype", [np.float64, np.float32])
        X = _validate_numeric(self, X, **check_params)
        if y is None:
            self._y_spec = None
            return X, None
        _check_lengths(X.shape[0], y)
        self._y_spec = _TargetSpec(y, allow_regression=self._supports_regression_target)
        if self._y_spec.task == "classification":
            self.classes_ = self._y_spec.classes
        return X, self._y_spec.encoded

    def _init_sampling_stream(self, random_state):
        """Seed the stream that ``sample`` advances when called without a seed."""
        self._sampling_rng = np.random.RandomState(_seed_from(random_state))

    # -- sampling ------------------------------------------------------------
    def sample(self, n_samples=1, *, y=None, conditions=None, random_state=None, **options):
        """Draw new rows from the fitted distribution.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to draw. ``0`` returns an empty result with the
            fitted columns. When ``y`` or array-valued ``conditions`` are given
            it must be 1 (the default) or their length.
        y : array-like of shape (n_rows,), default=None
            Targets to condition on: rows are drawn from ``X | y``. Only for
            generators fitted with ``y``.
        conditions : dict, default=None
            ``{column: value}`` (a scalar for every row, or one value per row)
            to sample under, for generators that take conditions (see their
            class documentation for which values): the conditioned columns hold
            exactly the requested values. Others raise a ``ValueError``.
        random_state : int, RandomState instance or None, default=None
            Seed for this call alone. ``None`` advances the generator's own
            stream, seeded by its ``random_state`` at ``fit``.
        **options : dict
            Sampling options some generators declare (e.g. ``n_timesteps`` of
            :class:`~sksynth.generators.SLDSVAE`, ``return_flipped`` of
            :class:`~sksynth.generators.LabelNoise`); others raise a ``TypeError``.

        Returns
        -------
        X_new : ndarray or DataFrame of shape (n_samples, `n_features_in_`)
            Drawn rows, in the container, columns and dtypes seen at ``fit``.
        y_new : ndarray or Series of shape (n_samples,)
            Only when fitted with ``y``: the targets of the drawn rows.
        """
        check_is_fitted(self)
        unknown = sorted(set(options) - set(self._sample_options))
        if unknown:
            allowed = ", ".join(self._sample_options) or "none"
            raise TypeError(
                f"{type(self).__name__}.sample() got unexpected keyword argument(s) {unknown}; "
                f"its sampling options are: {allowed}."
            )
        n_samples, y_enc, conditions = self._check_sample_request(n_samples, y, conditions)
        rng = self._sampling_rng if random_state is None else check_random_state(random_state)
        constraints = getattr(self, "_constraints", None)
        if constraints:
            conditions = constraints.conditions(conditions, n_samples, rng)
        X_new, y_new, *extra = self._sample(n_samples, y_enc, conditions, rng, **options)
        out = self._format_sample(X_new, y_new)
        if not extra:
            return out
        return (*(out if isinstance(out, tuple) else (out,)), *extra)

    def _check_sample_request(self, n_samples, y, conditions):
        """Validate ``n_samples``, labels ``y`` and ``conditions`` of a draw.

        ``conditions={column: value}`` takes scalar or 1-D values; every 1-D
        value and ``y`` share one length, which then sets ``n_samples`` (left
        at 1 or equal to it).

        Returns
        -------
        n_samples : int
        y_enc : ndarray or None
        conditions : dict
        """
        n_samples = check_n_samples(n_samples)
        if conditions is not None and not isinstance(conditions, dict):
            raise TypeError(
                f"conditions must be a dict {{column: value}}, got {type(conditions).__name__}."
            )
        conditions = dict(conditions or {})
        if conditions and not self._accepts_conditions:
            raise ValueError(
                f"{type(self).__name__} does not sample under conditions (got conditions on "
                f"{list(conditions)[:5]}); GaussianCopulaGenerator conditions on any column, "
                "TabularVAE and ConditionalTabularGAN on discrete ones."
            )
        y_enc = None
        if y is not None and not self._samples_given_y:
            raise ValueError(
                f"{type(self).__name__} does not sample given y: it models X alone and its "
                "fit ignores y (put an outcome in X as a column, or condition the generator "
                "it wraps)."
            )
        if y is not None:
            if self._y_spec is None:
                raise ValueError(
                    "y was passed to sample() but the generator was fitted without y; "
                    "refit with fit(X, y) to sample conditionally."
                )
            y_enc = self._y_spec.encode(y)
        lengths = {len(y_enc)} if y_enc is not None else set()
        for key, value in conditions.items():
            if np.ndim(value) > 1:
                raise ValueError(
                    f"conditions[{key!r}] must be a scalar or 1-D, got shape {np.shape(value)}."
                )
            if np.ndim(value) == 1:
                lengths.add(len(value))
        if len(lengths) > 1:
            raise ValueError(f"y and the conditions have different lengths {sorted(lengths)}.")
        if lengths:
            n_rows = lengths.pop()
            if n_samples not in (1, n_rows):
                raise ValueError(
                    f"n_samples={n_samples} does not match the {n_rows} values given in y or "
                    "conditions; leave n_samples at its default or set it to that length."
                )
            n_samples = n_rows
        return n_samples, y_enc, conditions

    def iter_sample(self, n_samples, batch_size=10_000, *, conditions=None, random_state=None,
                    **options):
        """Stream ``n_samples`` rows in batches of at most ``batch_size``.

        Memory stays proportional to ``batch_size`` whatever ``n_samples`` is.

        Parameters
        ----------
        n_samples : int
            Total number of rows.
        batch_size : int, default=10_000
            Rows per batch.
        conditions : dict, default=None
            Scalar conditions applied to every row (see :meth:`sample`).
        random_state : int, RandomState instance or None, default=None
            Seed for the whole stream; ``None`` advances the generator's own stream.
        **options : dict
            Sampling options, as for :meth:`sample`.

        Yields
        ------
        batch : ndarray, DataFrame or tuple
            What :meth:`sample` returns, for each batch.
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        batch_size = check_n_samples(batch_size, "batch_size", allow_zero=False)
        if conditions is not None:
            options["conditions"] = conditions
        return self._iter_batches(n_samples, batch_size, random_state, **options)

    def _iter_batches(self, n_samples, batch_size, random_state, **sample_params):
        """The stream behind :meth:`iter_sample`: one seed for the whole stream, and
        ``sample(size, random_state=rng, **sample_params)`` per batch."""
        rng = self._sampling_rng if random_state is None else check_random_state(random_state)
        for start in range(0, n_samples, batch_size):
            yield self.sample(min(batch_size, n_samples - start), random_state=rng,
                              **sample_params)

    def _format_sample(self, X_new, y_new):
        x_spec = getattr(self, "_x_spec", None)
        X_out = X_new if x_spec is None else x_spec.restore(X_new)
        X_out = self._model_output(X_out)
        if getattr(self, "_y_spec", None) is None:
            return X_out
        return X_out, self._y_spec.decode(y_new)

    # -- likelihood ----------------------------------------------------------
    def _validate_rows(self, X):
        """Validate rows to score or transform, as the generator declared (``_input_kind``)."""
        if self._input_kind == "numeric":
            return _validate_numeric(self, X, reset=False, dtype=[np.float64, np.float32])
        if self._input_kind == "mixed":
            return _validate_table(self, X, reset=False)
        if self._input_kind == "sequences":
            return self._validate_sequences(X, reset=False)
        # "wrapped": the wrapped generator validates
        validate_data(self, X, reset=False, skip_check_array=True)
        return X

    def _model_rows(self, X):
        """Rows to score or transform as the model sees them: validated, constraints applied."""
        frame = self._validate_rows(X)
        constraints = getattr(self, "_constraints", None)
        return constraints.transform(frame) if constraints else frame

    def _model_output(self, X_model):
        """Rows from the model (its container) back in the training container and columns."""
        constraints = getattr(self, "_constraints", None)
        return constraints.inverse(X_model) if constraints else X_model

    def score_samples(self, X, y=None):
        """Log-likelihood of each row under the fitted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)
            Rows to evaluate.
        y : array-like of shape (n_samples,), default=None
            Targets, for generators fitted with ``y``: gives the joint
            ``log p(x, y)``; ``None`` gives the marginal ``log p(x)``.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            Rows the model gives probability zero (e.g. a category never seen
            in ``fit``) score ``-inf``.
        """
        check_is_fitted(self)
        X = self._validate_rows(X)
        y_enc = None
        if y is not None and getattr(self, "_y_spec", None) is not None:
            y_enc = self._y_spec.encode(y, n_rows=_num_samples(X))
        constraints = getattr(self, "_constraints", None)
        if not constraints:
            return self._score_samples(X, y_enc)
        # the density of the input: the model's density of the rewritten columns times the
        # Jacobian of the rewriting; rows a constraint forbids have probability zero
        out = self._score_samples(constraints.transform(X), y_enc) + constraints.log_jacobian(X)
        out[~constraints.is_valid(X)] = -np.inf
        return out

    def score(self, X, y=None):
        """Mean log-likelihood of ``X`` (and ``y``), comparable across sample sizes.

        This is what ``GridSearchCV(generator, ...)`` maximises.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)
        y : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X, y)))


@_fit_context(prefer_skip_nested_validation=True)
def _fit_model(generator, X, y):
    return generator._fit_validated(X, y)


@_fit_context(prefer_skip_nested_validation=False)
def _fit_wrapper(generator, X, y):
    return generator._fit_validated(X, y)


def _check_lengths(n_rows, y):
    if _num_samples(y) != n_rows:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: {n_rows} and {_num_samples(y)}."
        )


class WrappedGeneratorMixin(TransformerMixin):
    """Delegate the latent representation to a fitted inner generator ``generator_``.

    For generators that wrap another one (label noise, debiasing): their
    ``transform``, ``inverse_transform`` and ``get_feature_names_out`` are the
    inner generator's. Place it left of ``GeneratorMixin``. It derives from
    ``TransformerMixin`` so that ``set_output`` wraps the ``transform`` defined
    here (scikit-learn only wraps methods a ``TransformerMixin`` subclass defines).
    """

    def transform(self, X):
        """The wrapped generator's latent representation of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)

        Returns
        -------
        Z : ndarray
        """
        check_is_fitted(self)
        return self.generator_.transform(X)

    def inverse_transform(self, Z):
        """The wrapped generator's inverse of :meth:`transform`.

        Parameters
        ----------
        Z : array-like

        Returns
        -------
        X : ndarray
        """
        check_is_fitted(self)
        return self.generator_.inverse_transform(Z)

    def get_feature_names_out(self, input_features=None):
        """Output feature names of the wrapped generator's :meth:`transform`.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Unused, kept for API consistency.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return self.generator_.get_feature_names_out(input_features)


class PrunerMixin:
    """Mixin for pruners: filters fitted on trusted rows that judge candidate rows.

    Subclasses implement ``fit(X, y)`` and ``keep_mask(X, y=None)`` (usually via
    ``score_samples`` and a threshold); :meth:`filter` is derived.
    """

    def filter(self, X, y=None, **kwargs):
        """Return the rows (and labels) that the pruner keeps.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Candidate rows.
        y : array-like of shape (n_samples,), default=None
            Candidate labels.
        **kwargs : dict
            Passed to :meth:`keep_mask` (e.g. ``correct`` for
            :class:`~sksynth.pruning.BernoulliVerifier`).

        Returns
        -------
        X_kept : same container as X, of shape (n_kept, n_features)
        y_kept : same container as y, of shape (n_kept,)
            Only when ``y`` is given.
        """
        mask = self.keep_mask(X, y, **kwargs)
        X_kept = _take_rows(X, mask)
        if y is None:
            return X_kept
        return X_kept, _take_rows(y, mask)


def _take_rows(data, mask):
    """Row-select ``data`` (ndarray, DataFrame, Series or list) with a boolean mask."""
    if hasattr(data, "iloc"):
        return data.iloc[np.flatnonzero(mask)]
    return np.asarray(data)[mask]


def _stack_rows(first, second):
    """Concatenate two row blocks of the same container type."""
    if isinstance(first, (pd.DataFrame, pd.Series)):
        return pd.concat([first, second], ignore_index=True)
    return np.concatenate([np.asarray(first), np.asarray(second)], axis=0)


def _log_gaussian_mixture(log_joint):
    """Marginal log-likelihood from per-component ``log p(x, k)`` (n, K)."""
    return logsumexp(log_joint, axis=1)
