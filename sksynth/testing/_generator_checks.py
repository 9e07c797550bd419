"""The generator contract for tables: the checks, their data and helpers.

scikit-learn's ``check_estimator`` never calls ``sample``; these checks do,
the way imbalanced-learn checks its samplers. Each check is a function
``check(generator, data)`` that raises ``AssertionError`` naming the broken
property; :func:`_yield_table_checks` binds the data in. The checks that do
not depend on the container (``n_samples`` validation, ``random_state``,
pickling, held-out score, ``transform``, ``iter_sample``) also serve the
sequence variant (:mod:`._sequence_checks`). The public entry points,
:func:`~sksynth.testing.check_generator` and
:func:`~sksynth.testing.parametrize_with_generator_checks`, are in
:mod:`._contract`.
"""

import functools
import inspect
import pickle
from dataclasses import dataclass

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags

from ._strategies import _STRING_DTYPE, tabular_frames

# ---------------------------------------------------------------------------
# what the generator accepts, and the data the checks use
# ---------------------------------------------------------------------------
@dataclass
class _Profile:
    categorical: bool = False
    string: bool = False
    allow_nan: bool = False
    requires_y: bool = False
    non_deterministic: bool = False
    conditional: bool = True  # sample() takes y: conditional sampling is offered

    def kinds(self):
        kinds = ["float", "int", "bool"]
        if self.categorical:
            kinds.append("category")
        if self.string:
            kinds.append("string")
        return kinds


def _offers_conditional_sampling(generator):
    declared = getattr(generator, "_samples_given_y", None)  # the generator template's
    if declared is not None:
        return bool(declared)
    try:
        parameters = inspect.signature(generator.sample).parameters
    except (TypeError, ValueError):
        return True
    return "y" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def _profile(generator):
    """Read the input and target tags (defaults for objects without sklearn tags)."""
    conditional = _offers_conditional_sampling(generator)
    try:
        tags = get_tags(generator)
    except (AttributeError, TypeError):
        return _Profile(conditional=conditional)
    return _Profile(
        categorical=bool(tags.input_tags.categorical),
        string=bool(tags.input_tags.string),
        allow_nan=bool(tags.input_tags.allow_nan),
        requires_y=bool(tags.target_tags.required),
        non_deterministic=bool(tags.non_deterministic),
        conditional=conditional,
    )


@dataclass
class _CheckData:
    """Training and held-out rows for the checks, chosen from the generator's tags."""

    X: object
    y: object
    X_test: object
    y_test: object
    X_array: np.ndarray
    profile: _Profile
    max_examples: int

    def fit(self, generator, *, with_y=None, X=None):
        """Fit ``generator`` on the training rows (with labels when asked or required)."""
        with_y = self.profile.requires_y if with_y is None else with_y
        X = self.X if X is None else X
        if with_y:
            return generator.fit(X, self.y)
        return generator.fit(X)


def _default_data(profile, max_examples, n_train=150, n_test=60, seed=0):
    """Three well-separated classes; the columns the tags say the generator accepts.

    ``x_num`` separates the classes (means 0, 4, 8, unit variance), ``x_skew``
    is log-normal (with a few NaN when ``allow_nan``), ``x_int`` counts,
    ``x_bool`` booleans; mixed-type generators also get a categorical column
    with a rare level seen in three training rows only, and/or a string
    column.
    """
    rng = np.random.RandomState(seed)
    n = n_train + n_test
    y = np.arange(n) % 3
    rng.shuffle(y)
    columns = {
        "x_num": 4.0 * y + rng.standard_normal(n),
        "x_skew": np.exp(rng.standard_normal(n)),
        "x_int": (rng.poisson(3.0, size=n) + 2 * y).astype(np.int64),
        "x_bool": rng.random_sample(n) < 0.2 + 0.3 * y,
    }
    if profile.allow_nan:
        columns["x_skew"][rng.choice(n, size=n // 20, replace=False)] = np.nan
    if profile.categorical:
        levels = np.array(["a", "b", "c"], dtype=object)[(y + (rng.random_sample(n) < 0.3)) % 3]
        levels[rng.choice(n_train, size=3, replace=False)] = "rare"
        columns["x_cat"] = pd.Categorical(levels, categories=["a", "b", "c", "rare"])
    if profile.string:
        columns["x_str"] = pd.Series(rng.choice(["red", "green", "blue"], size=n),
                                     dtype=_STRING_DTYPE)
    frame = pd.DataFrame(columns)
    X_array = frame[["x_num", "x_skew", "x_int"]].to_numpy(dtype=np.float64)[:n_train]
    X_array = np.nan_to_num(X_array, nan=1.0)
    return _CheckData(
        X=frame.iloc[:n_train].reset_index(drop=True), y=y[:n_train],
        X_test=frame.iloc[n_train:].reset_index(drop=True), y_test=y[n_train:],
        X_array=X_array, profile=profile, max_examples=max_examples,
    )


def _user_data(data, profile, max_examples):
    """Split user data 2:1 into training and held-out rows."""
    X, y = data if isinstance(data, tuple) else (data, None)
    if y is None and profile.requires_y:
        raise ValueError(
            "data must be a tuple (X, y): this generator requires y (its target_tags.required "
            "tag is True)."
        )
    n = len(X)
    if n < 6:
        raise ValueError(f"data must have at least 6 rows for the checks, got {n}.")
    cut = (2 * n) // 3

    def rows(obj, index):
        return obj.iloc[index].reset_index(drop=True) if hasattr(obj, "iloc") else np.asarray(
            obj)[index]

    train, test = np.arange(cut), np.arange(cut, n)
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    numeric = frame.select_dtypes(include=["number"]).to_numpy(dtype=np.float64)
    X_array = numeric[:cut] if numeric.shape[1] else None
    if X_array is not None and not np.all(np.isfinite(X_array)):
        X_array = None
    return _CheckData(
        X=rows(X, train), y=None if y is None else rows(y, train),
        X_test=rows(X, test), y_test=None if y is None else rows(y, test),
        X_array=X_array, profile=profile, max_examples=max_examples,
    )


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _rows(out):
    """``X`` of what ``sample`` returned."""
    return out[0] if isinstance(out, tuple) else out


def _assert_same(a, b, what):
    if isinstance(a, tuple) or isinstance(b, tuple):
        assert isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b), (
            f"{what}: one result is a tuple and the other not"
        )
        for left, right in zip(a, b):
            _assert_same(left, right, what)
        return
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=what)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, obj=what)
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=what)


def _same(a, b):
    try:
        _assert_same(a, b, "")
    except AssertionError:
        return False
    return True


def _categorical_columns(frame):
    return [
        column for column, dtype in frame.dtypes.items()
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
    ]


def _observed(series):
    return set(series.dropna().tolist())


def _fresh_columns(generator):
    """Columns the fitted generator makes afresh (identifiers, semantic types)."""
    while not hasattr(generator, "column_types_") and hasattr(generator, "generator_"):
        generator = generator.generator_  # wrappers: the wrapped generator's columns
    types = getattr(generator, "column_types_", None) or {}
    return {column for column, kind in types.items() if kind not in _MODELLED_TYPES}


_MODELLED_TYPES = {"numeric", "integer", "categorical", "boolean", "datetime"}


def _assert_like_fitted(X_fit, X_new, n_rows, where="sample", generator=None):
    """Container, columns, shape; categories, dtypes and completeness as fitted.

    Columns that ``generator`` makes afresh (identifiers) must instead hold no
    training value at all.
    """
    fresh = _fresh_columns(generator)
    is_frame = isinstance(X_fit, pd.DataFrame)
    expected = pd.DataFrame if is_frame else np.ndarray
    assert isinstance(X_new, expected), (
        f"{where} must return {'a DataFrame' if is_frame else 'an ndarray'} for a generator "
        f"fitted on {'a DataFrame' if is_frame else 'an ndarray'}, got {type(X_new).__name__}"
    )
    if is_frame:
        assert list(X_new.columns) == list(X_fit.columns), (
            f"{where} must return the fitted columns in order: expected "
            f"{list(X_fit.columns)}, got {list(X_new.columns)}"
        )
    assert X_new.shape == (n_rows, X_fit.shape[1]), (
        f"{where} must return shape {(n_rows, X_fit.shape[1])}, got {X_new.shape}"
    )
    if not is_frame:
        return
    for column in fresh:
        copied = _observed(X_new[column]) & _observed(X_fit[column])
        assert not copied, (
            f"column {column!r} is made afresh (not modelled) but "
            f"{where} returned training values {sorted(map(str, copied))[:5]}"
        )
    for column in _categorical_columns(X_fit):
        if column in fresh:
            continue
        extra = _observed(X_new[column]) - _observed(X_fit[column])
        assert not extra, (
            f"column {column!r}: sampled categories {sorted(map(str, extra))} were never seen "
            f"in fit (fitted: {sorted(map(str, _observed(X_fit[column])))})"
        )
    wrong = {col: (str(X_fit[col].dtype), str(X_new[col].dtype)) for col in X_fit.columns
             if X_new[col].dtype != X_fit[col].dtype}
    assert not wrong, f"{where} must keep the fitted dtypes; (fitted, sampled): {wrong}"
    for column in X_fit.columns:
        if X_fit[column].notna().all():
            assert X_new[column].notna().all(), (
                f"column {column!r} has no missing values in fit but {where} returned some"
            )
            if pd.api.types.is_float_dtype(X_fit[column].dtype):
                assert np.isfinite(X_new[column].to_numpy(dtype=float)).all(), (
                    f"column {column!r}: {where} returned infinite values"
                )


def _set_seed(generator, seed):
    if "random_state" not in generator.get_params():
        raise AssertionError(
            f"{type(generator).__name__} has no random_state parameter; the generator contract "
            "seeds fitting and sampling with it"
        )
    return generator.set_params(random_state=seed)


def _check(func):
    """Prefix failures with the check's name and the generator, keep hypothesis notes."""

    @functools.wraps(func)
    def wrapper(generator, data):
        try:
            func(clone(generator), data)
        except Exception as exc:
            notes = "\n".join(getattr(exc, "__notes__", []))
            message = f"{func.__name__} failed for {type(generator).__name__}: "
            if not isinstance(exc, AssertionError):
                message += f"{type(exc).__name__}: "
            message += str(exc) + (f"\n{notes}" if notes else "")
            raise AssertionError(message) from exc

    return wrapper


# ---------------------------------------------------------------------------
# the checks
# ---------------------------------------------------------------------------
@_check
def check_not_fitted(generator, data):
    """``sample`` before ``fit`` raises ``NotFittedError``."""
    try:
        generator.sample(1)
    except NotFittedError:
        return
    except Exception as exc:
        raise AssertionError(
            f"sample before fit must raise NotFittedError, raised {type(exc).__name__}: {exc}"
        ) from exc
    raise AssertionError("sample before fit must raise NotFittedError, it returned rows")


@_check
def check_sample_container(generator, data):
    """Samples come back in the fitted container, columns, dtypes; ``(X, y)`` with a target."""
    fitted = data.fit(_set_seed(generator, 0))
    out = fitted.sample(7)
    with_y = data.profile.requires_y
    assert isinstance(out, tuple) == with_y, (
        "sample must return (X, y) for a generator fitted with y and X alone otherwise; got "
        f"{'a tuple' if isinstance(out, tuple) else type(out).__name__} (fitted with y: {with_y})"
    )
    _assert_like_fitted(data.X, _rows(out), 7, generator=fitted)
    if with_y:
        assert len(out[1]) == 7, f"sample(7) returned {len(out[1])} labels"


@_check
def check_sample_array(generator, data):
    """An ndarray ``X`` comes back as an ndarray of the same float dtype and width."""
    if data.X_array is None:
        return
    for dtype in (np.float64, np.float32):
        X = data.X_array.astype(dtype)
        fitted = data.fit(_set_seed(generator, 0), X=X)
        X_new = _rows(fitted.sample(5))
        _assert_like_fitted(X, X_new, 5, generator=fitted)
        assert X_new.dtype == dtype, (
            f"fitted on a {np.dtype(dtype).name} array, sample returned {X_new.dtype}"
        )


def _target_fits(data):
    """The ``with_y`` of each fit to check: as the profile fits, and with ``y`` too when a
    generator that need not take ``y`` is conditional and the data has one."""
    if data.profile.requires_y or data.y is None or not data.profile.conditional:
        return [data.profile.requires_y]
    return [data.profile.requires_y, True]


@_check
def check_sample_categories(generator, data):
    """Sampled categories (and labels) are a subset of those seen in fit."""
    for with_y in _target_fits(data):
        fitted = data.fit(_set_seed(clone(generator), 0), with_y=with_y)
        out = fitted.sample(300)
        _assert_like_fitted(data.X, _rows(out), 300, generator=fitted)
        if isinstance(out, tuple):
            extra = set(np.asarray(out[1]).tolist()) - set(np.asarray(data.y).tolist())
            assert not extra, f"sampled labels {sorted(extra)} were never seen in fit"


@_check
def check_sample_on_tabular_frames(generator, data):
    """On mixed frames from ``tabular_frames`` (the kinds the tags allow), samples match fit.

    Columns, dtypes, categories and completeness, on frames with constant,
    skewed and outlying columns, rare levels and (when the generator allows
    NaN) missing values; a failure is shrunk to a small frame.
    """
    profile = data.profile
    frames = tabular_frames(dtypes=profile.kinds(), min_rows=5, max_rows=40,
                            missing="partial" if profile.allow_nan else False)
    # labels for every possible row; a frame uses the first len(frame) of them
    labels = (st.lists(st.integers(0, 2), min_size=40, max_size=40) if profile.requires_y
              else st.none())

    @settings(max_examples=data.max_examples, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.large_base_example])
    @given(frame=frames, labels=labels)
    def fits_and_samples_alike(frame, labels):
        fitted = clone(generator).set_params(random_state=0)
        if labels is None:
            fitted.fit(frame)
        else:
            fitted.fit(frame, np.asarray(labels[:len(frame)]))
        out = fitted.sample(20, random_state=0)
        _assert_like_fitted(frame, _rows(out), 20, generator=fitted)

    _set_seed(generator, 0)  # fails early, with the contract's message, without one
    fits_and_samples_alike()


@_check
def check_random_state_fit(generator, data):
    """Same ``random_state`` replays the same samples; another seed, or another call, differs."""
    first = data.fit(_set_seed(clone(generator), 0))
    second = data.fit(_set_seed(clone(generator), 0))
    other = data.fit(_set_seed(clone(generator), 1))
    a1, a2 = first.sample(20), first.sample(20)
    b1, b2 = second.sample(20), second.sample(20)
    if not data.profile.non_deterministic:
        assert _same(a1, b1) and _same(a2, b2), (
            "two generators fitted with the same random_state must replay the same samples "
            "(does it ignore random_state, e.g. by using the global numpy RNG?)"
        )
    assert not _same(a1, a2), "successive sample() calls must give new rows"
    assert not _same(a1, other.sample(20)), (
        "generators fitted with random_state=0 and 1 gave the same samples: random_state "
        "is ignored"
    )


@_check
def check_random_state_sample(generator, data):
    """``sample(random_state=k)`` is reproducible, depends on k, and leaves the stream alone."""
    fitted = data.fit(_set_seed(generator, 0))
    twin = pickle.loads(pickle.dumps(fitted))
    s1 = fitted.sample(20, random_state=7)
    _assert_same(s1, fitted.sample(20, random_state=7),
                 "sample(random_state=7) must give the same rows every time")
    _assert_same(fitted.sample(20, random_state=np.random.RandomState(3)),
                 fitted.sample(20, random_state=np.random.RandomState(3)),
                 "sample(random_state=RandomState(3)) must be reproducible")
    assert not _same(s1, fitted.sample(20, random_state=8)), (
        "sample(random_state=7) and sample(random_state=8) gave the same rows: the per-call "
        "random_state is ignored"
    )
    _assert_same(fitted.sample(20), twin.sample(20),
                 "a seeded sample() call must leave the generator's own stream untouched")


@_check
def check_pickle(generator, data):
    """A pickled fitted generator samples, scores and transforms exactly as the original."""
    fitted = data.fit(_set_seed(generator, 0))
    fitted.sample(3)  # advance the stream before pickling
    copy = pickle.loads(pickle.dumps(fitted))
    for _ in range(2):
        _assert_same(fitted.sample(6), copy.sample(6),
                     "after a pickle round trip, sample must continue the same stream")
    if hasattr(fitted, "score"):
        assert fitted.score(data.X_test) == copy.score(data.X_test), (
            "after a pickle round trip, score differs")
    if hasattr(fitted, "transform"):
        _assert_same(fitted.transform(data.X_test), copy.transform(data.X_test),
                     "after a pickle round trip, transform differs")


def _assert_finite_scores(fitted, X, where, unit="row"):
    """``score(X)`` is a finite number and ``score_samples(X)`` one finite value per row."""
    score = fitted.score(X)
    assert np.ndim(score) == 0 and np.isfinite(score), (
        f"score on {where} must be a finite number, got {score!r}")
    if hasattr(fitted, "score_samples"):
        per_row = np.asarray(fitted.score_samples(X))
        assert per_row.shape == (len(X),) and np.isfinite(per_row).all(), (
            f"score_samples on {where} must be finite, one value per {unit}")


@_check
def check_score_heldout(generator, data):
    """``score`` (mean log-likelihood or its documented proxy) is finite on held-out rows."""
    for with_y in _target_fits(data):
        fitted = data.fit(_set_seed(clone(generator), 0), with_y=with_y)
        _assert_finite_scores(fitted, data.X_test, "held-out rows")
        if with_y:
            score = fitted.score(data.X_test, data.y_test)
            assert np.ndim(score) == 0 and np.isfinite(score), (
                f"score(X, y) on held-out rows must be a finite number, got {score!r}")


def _requested_labels(data, per_class):
    classes = np.unique(np.asarray(data.y))
    labels = np.repeat(classes, per_class)
    np.random.RandomState(0).shuffle(labels)
    return classes, labels


@_check
def check_conditional_labels(generator, data):
    """``sample(y=labels)`` returns one row per requested label, with those labels."""
    fitted = data.fit(_set_seed(generator, 0), with_y=True)
    _, labels = _requested_labels(data, 20)
    out = fitted.sample(y=labels)
    assert isinstance(out, tuple) and len(out) == 2, "sample(y=...) must return (X, y)"
    X_new, y_new = out
    assert len(X_new) == len(labels) and len(y_new) == len(labels), (
        f"sample(y=labels) must return {len(labels)} rows, got {len(X_new)} rows and "
        f"{len(y_new)} labels")
    np.testing.assert_array_equal(
        np.asarray(y_new), labels,
        err_msg="sample(y=labels) must return the requested labels, in order")
    again = fitted.sample(len(labels), y=labels)
    assert len(again[0]) == len(labels), "sample(len(y), y=y) must be accepted"


@_check
def check_conditional_rows(generator, data):
    """Rows drawn for label k look like the training rows of class k.

    On the numeric column that best separates the classes, the mean of the
    rows drawn with ``y=k`` must be nearest to the training mean of class k
    (checked when the training class means are at least one within-class
    standard deviation apart).
    """
    fitted = data.fit(_set_seed(generator, 0), with_y=True)
    classes, labels = _requested_labels(data, 200)
    frame = data.X if isinstance(data.X, pd.DataFrame) else pd.DataFrame(np.asarray(data.X))
    y = np.asarray(data.y)
    best, best_gap = None, 0.0
    for column in frame.select_dtypes(include=["number"]).columns:
        values = frame[column].to_numpy(dtype=float)
        means = np.array([np.nanmean(values[y == c]) for c in classes])
        spread = np.sqrt(np.nanmean([np.nanvar(values[y == c]) for c in classes]))
        if len(classes) < 2 or not np.isfinite(spread) or spread == 0:
            continue
        gap = np.min(np.diff(np.sort(means))) / spread
        if gap > best_gap:
            best, best_gap, best_means = column, gap, means
    if best is None or best_gap < 1.0:
        return
    X_new = _rows(fitted.sample(y=labels))
    new = (X_new if isinstance(X_new, pd.DataFrame) else pd.DataFrame(np.asarray(X_new),
           columns=frame.columns))[best].to_numpy(dtype=float)
    training = dict(zip(classes.tolist(), np.round(best_means, 3).tolist()))
    for c in classes.tolist():
        drawn = np.nanmean(new[labels == c])
        nearest = classes.tolist()[int(np.argmin(np.abs(best_means - drawn)))]
        assert nearest == c, (
            f"rows sampled with y={c!r} have mean {drawn:.3g} in column {best!r}, nearest to "
            f"the training mean of class {nearest!r} (training class means: {training}): "
            "conditional sampling is not honoured"
        )


@_check
def check_conditional_errors(generator, data):
    """Unseen labels, a mismatched ``n_samples`` and ``y`` without a fitted target raise."""
    fitted = data.fit(_set_seed(clone(generator), 0), with_y=True)
    classes = np.unique(np.asarray(data.y))
    unseen = (classes.max() + 1000 if np.issubdtype(classes.dtype, np.number)
              else "__never_seen__")
    for kwargs, what in [({"y": [classes[0], unseen]}, "a label never seen in fit"),
                         ({"n_samples": 5, "y": classes[:1].tolist() * 2},
                          "n_samples=5 with two labels")]:
        try:
            fitted.sample(**kwargs)
        except ValueError:
            continue
        raise AssertionError(f"sample with {what} must raise ValueError")
    if data.profile.requires_y:
        return
    unlabelled = data.fit(_set_seed(clone(generator), 0), with_y=False)
    try:
        unlabelled.sample(y=classes[:2])
    except ValueError:
        return
    raise AssertionError("sample(y=...) on a generator fitted without y must raise ValueError")


@_check
def check_n_samples_zero(generator, data):
    """``sample(0)`` returns an empty result with the fitted columns and dtypes."""
    fitted = data.fit(_set_seed(generator, 0))
    out = fitted.sample(0)
    _assert_like_fitted(data.X, _rows(out), 0, where="sample(0)", generator=fitted)
    if isinstance(out, tuple):
        assert len(out[1]) == 0, "sample(0) must return no labels"


@_check
def check_bad_n_samples(generator, data):
    """Negative ``n_samples`` raises ValueError, non-integers TypeError, naming the parameter."""
    fitted = data.fit(_set_seed(generator, 0))
    for bad, error in [(-1, ValueError), (2.5, TypeError), ("3", TypeError), (None, TypeError),
                       (True, TypeError)]:
        try:
            fitted.sample(bad)
        except error as exc:
            assert "n_samples" in str(exc), (
                f"the {error.__name__} for n_samples={bad!r} must name n_samples: {exc}")
            continue
        except Exception as exc:
            raise AssertionError(
                f"sample(n_samples={bad!r}) must raise {error.__name__}, raised "
                f"{type(exc).__name__}: {exc}") from exc
        raise AssertionError(f"sample(n_samples={bad!r}) must raise {error.__name__}")


@_check
def check_transform_deterministic(generator, data):
    """``transform`` is deterministic: repeated, after sampling, and across equal fits."""
    if not hasattr(generator, "transform"):
        return
    fitted = data.fit(_set_seed(clone(generator), 0))
    first = fitted.transform(data.X_test)
    _assert_same(first, fitted.transform(data.X_test), "transform must be deterministic")
    fitted.sample(10)
    _assert_same(first, fitted.transform(data.X_test), "sampling must not change transform")
    if not data.profile.non_deterministic:
        twin = data.fit(_set_seed(clone(generator), 0))
        _assert_same(first, twin.transform(data.X_test),
                     "equal fits (same random_state) must transform alike")


@_check
def check_iter_sample(generator, data):
    """``iter_sample`` yields batches adding up to ``n_samples``, reproducible with a seed."""
    if not hasattr(generator, "iter_sample"):
        return
    fitted = data.fit(_set_seed(generator, 0))
    batches = list(fitted.iter_sample(25, batch_size=10, random_state=1))
    sizes = [len(_rows(batch)) for batch in batches]
    assert sizes == [10, 10, 5], f"iter_sample(25, batch_size=10) gave batches of {sizes}"
    again = list(fitted.iter_sample(25, batch_size=10, random_state=1))
    for left, right in zip(batches, again):
        _assert_same(left, right, "iter_sample with a random_state must be reproducible")


_TABLE_CHECKS = (
    check_not_fitted,
    check_sample_container,
    check_sample_array,
    check_sample_categories,
    check_sample_on_tabular_frames,
    check_n_samples_zero,
    check_bad_n_samples,
    check_random_state_fit,
    check_random_state_sample,
    check_pickle,
    check_score_heldout,
    check_conditional_labels,
    check_conditional_rows,
    check_conditional_errors,
    check_transform_deterministic,
    check_iter_sample,
)
_CONDITIONAL = {check_conditional_labels, check_conditional_rows, check_conditional_errors}


def _yield_table_checks(generator, *, data=None, max_examples=10):
    """Yield every table check with its data bound; ``check(generator)`` runs it."""
    profile = _profile(generator)
    bound = (_default_data(profile, max_examples) if data is None
             else _user_data(data, profile, max_examples))
    for check in _TABLE_CHECKS:
        if check in _CONDITIONAL and (bound.y is None or not profile.conditional):
            continue
        partial = functools.partial(check, data=bound)
        functools.update_wrapper(partial, check)
        yield partial
