"""The generator contract for sequence generators (3-D input, e.g. SLDSVAE).

A generator whose tags say it takes 3-D arrays only (``input_tags.three_d_array``
and not ``two_d_array``) models sequences of shape (n_sequences, n_timesteps,
n_features); frames, categories and labels mean nothing to it. It gets this
variant of the contract instead:

- the table checks that do not depend on the container, run on sequence data
  (:mod:`._generator_checks`): ``sample`` before ``fit``, ``n_samples``
  validation, ``random_state`` of ``fit`` and of ``sample``, pickling, a
  finite held-out ``score``, a deterministic ``transform``, ``iter_sample``;
- checks of what is particular to sequences: the shape and dtype of the
  samples (float64 and float32), ``sample(n, n_timesteps=T)``, ``sample(0)``,
  ``clone`` / ``get_params`` / ``set_params``, 3-D input validation, and
  missing time steps (NaN) as the ``allow_nan`` tag says.
"""

import functools
import inspect
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags

from ._generator_checks import (
    _Profile,
    _assert_finite_scores,
    _check,
    _rows,
    _same,
    _set_seed,
    check_bad_n_samples,
    check_iter_sample,
    check_not_fitted,
    check_pickle,
    check_random_state_fit,
    check_random_state_sample,
    check_score_heldout,
    check_transform_deterministic,
)


def _is_sequence_generator(generator):
    """Whether the tags say ``generator`` takes 3-D arrays (sequences) and not tables."""
    try:
        tags = get_tags(generator)
    except (AttributeError, TypeError):
        return False
    return bool(tags.input_tags.three_d_array) and not tags.input_tags.two_d_array


# ---------------------------------------------------------------------------
# the check data
# ---------------------------------------------------------------------------
@dataclass
class _SequenceData:
    """Training and held-out sequences; training sequences with missing steps."""

    X: np.ndarray
    X_test: np.ndarray
    X_missing: object  # ndarray with NaN steps, or None (user data)
    profile: _Profile
    y: object = None  # the container-agnostic table checks read it: never labels here

    def fit(self, generator, *, with_y=None, X=None):
        """Fit ``generator`` on the training sequences (or on ``X``)."""
        return generator.fit(self.X if X is None else X)


def _sequence_profile(generator):
    tags = get_tags(generator)
    return _Profile(allow_nan=bool(tags.input_tags.allow_nan),
                    non_deterministic=bool(tags.non_deterministic), conditional=False)


def _default_sequences(profile, n_train=16, n_test=8, n_timesteps=12, seed=0):
    """Two sticky regimes (a level drifting up or down), three noisy features per step.

    ``X_missing`` is the training set with a gap of three steps in two
    sequences and one missing entry in a third.
    """
    rng = np.random.RandomState(seed)
    n = n_train + n_test
    states = np.empty((n, n_timesteps), dtype=int)
    states[:, 0] = rng.randint(2, size=n)
    for t in range(1, n_timesteps):
        switch = rng.random_sample(n) < 0.1
        states[:, t] = np.where(switch, 1 - states[:, t - 1], states[:, t - 1])
    steps = np.where(states == 1, 0.5, -0.5) + 0.2 * rng.standard_normal((n, n_timesteps))
    level = np.cumsum(steps, axis=1)
    X = (level[..., None] * np.array([1.0, -0.5, 2.0])
         + 0.3 * rng.standard_normal((n, n_timesteps, 3)))
    X_missing = X[:n_train].copy()
    X_missing[0, 4:7] = np.nan
    X_missing[3, 1:4] = np.nan
    X_missing[5, 8, 1] = np.nan
    return _SequenceData(X=X[:n_train], X_test=X[n_train:], X_missing=X_missing,
                         profile=profile)


def _user_sequences(data, profile):
    """Split user sequences 2:1 into training and held-out sequences."""
    if isinstance(data, tuple):
        raise ValueError("data for a sequence generator is one 3-D array X, not a tuple (X, y).")
    X = np.asarray(data, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(
            f"data for a sequence generator must have shape (n_sequences, n_timesteps, "
            f"n_features), got shape {X.shape}."
        )
    if len(X) < 6:
        raise ValueError(f"data must have at least 6 sequences for the checks, got {len(X)}.")
    cut = (2 * len(X)) // 3
    return _SequenceData(X=X[:cut], X_test=X[cut:], X_missing=None, profile=profile)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _assert_sequences(X_fit, X_new, n_sequences, where="sample", n_timesteps=None):
    """An ndarray of shape (n_sequences, n_timesteps, n_features), the fitted dtype."""
    assert not isinstance(X_new, tuple), (
        f"{where} must return the sequences alone for a generator fitted without y, got a tuple"
    )
    assert isinstance(X_new, np.ndarray), (
        f"{where} must return an ndarray of sequences, got {type(X_new).__name__}")
    n_timesteps = X_fit.shape[1] if n_timesteps is None else n_timesteps
    expected = (n_sequences, n_timesteps, X_fit.shape[2])
    assert X_new.shape == expected, (
        f"{where} must return shape (n_sequences, n_timesteps, n_features) = {expected}, got "
        f"{X_new.shape}")
    assert X_new.dtype == X_fit.dtype, (
        f"fitted on {X_fit.dtype} sequences, {where} returned {X_new.dtype}")
    if np.isfinite(X_fit).all():
        assert np.isfinite(X_new).all(), (
            f"the fitted sequences have no missing or infinite values but {where} returned some")


def _takes_n_timesteps(generator):
    if "n_timesteps" in getattr(generator, "_sample_options", ()):  # the generator template's
        return True
    try:
        return "n_timesteps" in inspect.signature(generator.sample).parameters
    except (TypeError, ValueError):
        return False


def _same_param(a, b):
    """Parameter values alike: the same object, equal values, or alike estimators."""
    if a is b:
        return True
    if hasattr(a, "get_params") and not isinstance(a, type):
        return (type(a) is type(b) and a.get_params(deep=False).keys()
                == b.get_params(deep=False).keys()
                and all(_same_param(v, b.get_params(deep=False)[k])
                        for k, v in a.get_params(deep=False).items()))
    return _same(a, b)


def _raises(error, func, what, name=None):
    """``func()`` raises ``error`` (whose message names ``name``, when given)."""
    try:
        func()
    except error as exc:
        assert name is None or name in str(exc), (
            f"the {error.__name__} for {what} must name {name}: {exc}")
        return
    except Exception as exc:
        raise AssertionError(
            f"{what} must raise {error.__name__}, raised {type(exc).__name__}: {exc}") from exc
    raise AssertionError(f"{what} must raise {error.__name__}")


# ---------------------------------------------------------------------------
# the checks particular to sequences
# ---------------------------------------------------------------------------
@_check
def check_sequence_sample_shape(generator, data):
    """``sample(n)`` returns float64 sequences of shape (n, n_timesteps, n_features)."""
    fitted = data.fit(_set_seed(generator, 0), X=data.X.astype(np.float64))
    _assert_sequences(data.X, fitted.sample(7), 7)


@_check
def check_sequence_float32(generator, data):
    """Fitted on float32 sequences, ``sample`` returns float32 sequences."""
    X = data.X.astype(np.float32)
    fitted = data.fit(_set_seed(generator, 0), X=X)
    _assert_sequences(X, fitted.sample(5), 5)


@_check
def check_sequence_n_timesteps(generator, data):
    """``sample(n, n_timesteps=T)`` sets the length; ``T`` < 1 or not an int raises."""
    if not _takes_n_timesteps(generator):
        return
    fitted = data.fit(_set_seed(generator, 0))
    T = data.X.shape[1] + 5
    _assert_sequences(data.X, fitted.sample(4, n_timesteps=T), 4,
                      where=f"sample(4, n_timesteps={T})", n_timesteps=T)
    batches = list(fitted.iter_sample(5, batch_size=2, n_timesteps=T, random_state=0))
    shapes = [np.shape(_rows(batch)) for batch in batches]
    assert shapes == [(2, T, data.X.shape[2])] * 2 + [(1, T, data.X.shape[2])], (
        f"iter_sample(5, batch_size=2, n_timesteps={T}) gave batches of shapes {shapes}")
    _raises(ValueError, lambda: fitted.sample(2, n_timesteps=0), "n_timesteps=0",
            "n_timesteps")
    _raises(TypeError, lambda: fitted.sample(2, n_timesteps=2.5), "n_timesteps=2.5",
            "n_timesteps")


@_check
def check_sequence_n_samples_zero(generator, data):
    """``sample(0)`` returns an empty array of shape (0, n_timesteps, n_features)."""
    fitted = data.fit(_set_seed(generator, 0))
    _assert_sequences(data.X, fitted.sample(0), 0, where="sample(0)")


@_check
def check_sequence_params(generator, data):
    """``clone``, ``get_params`` / ``set_params`` round trips; ``fit`` returns self, params kept.

    A clone has the same parameters and is unfitted (even a clone of a
    fitted generator); ``set_params(**get_params())`` changes nothing;
    ``fit`` returns the generator itself and leaves its parameters alone.
    """
    _set_seed(generator, 0)
    params = generator.get_params()

    def assert_params(other, what):
        got = other.get_params()
        assert set(got) == set(params), (
            f"{what}: parameters {sorted(set(got) ^ set(params))} appear or vanish")
        changed = sorted(k for k in params if not _same_param(got[k], params[k]))
        assert not changed, f"{what} changed the parameters {changed}"

    assert_params(clone(generator), "clone")
    assert generator.set_params(**params) is generator, "set_params must return self"
    assert_params(generator, "set_params(**get_params())")
    fitted = data.fit(generator)
    assert fitted is generator, f"fit must return self, returned {type(fitted).__name__}"
    assert_params(generator, "fit")
    _raises(NotFittedError, lambda: clone(fitted).sample(1),
            "sample on a clone of a fitted generator (clones are unfitted)")


@_check
def check_sequence_input_validation(generator, data):
    """2-D ``X`` and infinite values at ``fit``, and too few features afterwards, raise."""
    _raises(ValueError, lambda: clone(generator).fit(data.X[:, 0, :]),
            "fit on a 2-D array (n_sequences, n_features)")
    X_inf = data.X.copy()
    X_inf[0, 0, 0] = np.inf
    _raises(ValueError, lambda: clone(generator).fit(X_inf), "fit on sequences with inf")
    if data.X.shape[2] < 2:
        return
    fitted = data.fit(_set_seed(generator, 0))
    narrow = data.X_test[:, :, :-1]
    _raises(ValueError, lambda: fitted.score(narrow), "score on sequences with one feature "
            "fewer than in fit")
    if hasattr(fitted, "transform"):
        _raises(ValueError, lambda: fitted.transform(narrow), "transform on sequences with "
                "one feature fewer than in fit")


@_check
def check_sequence_missing_steps(generator, data):
    """Missing steps (NaN): fit, complete samples and finite scores; or a ValueError.

    With ``input_tags.allow_nan`` the generator fits sequences with missing
    steps, samples complete sequences, and scores and transforms such
    sequences to finite values; without it, ``fit`` raises ``ValueError``.
    """
    if data.X_missing is None:
        return
    if not data.profile.allow_nan:
        _raises(ValueError, lambda: generator.fit(data.X_missing),
                "fit on sequences with NaN (the allow_nan tag is False)")
        return
    fitted = data.fit(_set_seed(generator, 0), X=data.X_missing)
    _assert_sequences(data.X, fitted.sample(5), 5, where="sample after a fit with NaN steps")
    _assert_finite_scores(fitted, data.X_missing, "sequences with missing steps",
                          unit="sequence")
    if hasattr(fitted, "transform"):
        assert np.isfinite(np.asarray(fitted.transform(data.X_missing))).all(), (
            "transform of sequences with missing steps must be finite")


_SEQUENCE_CHECKS = (
    check_not_fitted,
    check_sequence_sample_shape,
    check_sequence_float32,
    check_sequence_n_timesteps,
    check_sequence_n_samples_zero,
    check_bad_n_samples,
    check_random_state_fit,
    check_random_state_sample,
    check_pickle,
    check_score_heldout,
    check_sequence_params,
    check_sequence_input_validation,
    check_sequence_missing_steps,
    check_transform_deterministic,
    check_iter_sample,
)


def _yield_sequence_checks(generator, *, data=None):
    """Yield every sequence check with its data bound; ``check(generator)`` runs it."""
    profile = _sequence_profile(generator)
    bound = _default_sequences(profile) if data is None else _user_sequences(data, profile)
    for check in _SEQUENCE_CHECKS:
        partial = functools.partial(check, data=bound)
        functools.update_wrapper(partial, check)
        yield partial
