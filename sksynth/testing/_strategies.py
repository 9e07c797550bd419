"""Hypothesis strategies: mixed-type frames, data-generating processes, generator draws."""

import math
import numbers
from typing import NamedTuple

import numpy as np
import pandas as pd
from hypothesis import strategies as st
from sklearn.utils.validation import check_is_fitted

from ..base import is_generator
from ._dgp import GaussianMixtureDGP, LinearDGP, PartiallyLinearDGP

__all__ = [
    "ColumnSpec",
    "KINDS",
    "from_generator",
    "gaussian_mixtures",
    "linear_models",
    "partially_linear_models",
    "tabular_frames",
]

#: Column kinds drawn by :func:`tabular_frames`, in shrinking order.
KINDS = ("float", "int", "bool", "category", "string", "datetime")
_ALIASES = {"numeric": ("float", "int", "bool"), "all": KINDS}
#: Shapes of each kind, in shrinking order (the first is the simplest).
SHAPES = {
    "float": ("normal", "constant", "skewed", "outliers"),
    "int": ("spread", "constant", "counts"),
    "bool": ("mixed",),
    "category": ("common", "rare", "unused"),
    "string": ("few", "unique"),
    "datetime": ("dates", "timestamps"),
}
MISSING = ("none", "some", "all")
_MISSING_OPTIONS = {False: ("none",), "partial": ("none", "some"), True: MISSING}
_STRING_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
_EPOCH = np.datetime64("2020-01-01T00:00:00", "s")
_MAX_SEED = 2**32 - 1


class ColumnSpec(NamedTuple):
    """How :func:`tabular_frames` drew one column.

    Attributes
    ----------
    kind : str
        One of ``"float"``, ``"int"``, ``"bool"``, ``"category"``,
        ``"string"``, ``"datetime"``.
    shape : str
        The value pattern (e.g. ``"skewed"``, ``"rare"``); see
        :func:`tabular_frames`.
    missing : str
        ``"none"``, ``"some"`` (at least one but not every value missing) or
        ``"all"``.
    """

    kind: str
    shape: str
    missing: str


# ---------------------------------------------------------------------------
# mixed-type frames
# ---------------------------------------------------------------------------
def _floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _fixed_length(elements, n):
    return st.lists(elements, min_size=n, max_size=n)


def _resolve_kinds(dtypes):
    if dtypes is None:
        return KINDS
    if isinstance(dtypes, str):
        dtypes = [dtypes]
    kinds = []
    for kind in dtypes:
        for name in _ALIASES.get(kind, (kind,)):
            if name not in KINDS:
                raise ValueError(
                    f"dtypes contains {kind!r}; choose among {list(KINDS)} or the aliases "
                    f"{list(_ALIASES)}."
                )
            if name not in kinds:
                kinds.append(name)
    if not kinds:
        raise ValueError("dtypes is empty; pass at least one column kind, e.g. dtypes='numeric'.")
    return tuple(k for k in KINDS if k in kinds)


def _column_layout(columns, kinds):
    """A strategy for the list of (name, kind) pairs of the frame."""
    if isinstance(columns, dict):
        pairs = list(columns.items())
        for _, kind in pairs:
            _resolve_kinds([kind])
        return st.just([(str(name), _resolve_kinds([kind])[0]) for name, kind in pairs])
    if isinstance(columns, (list, tuple)) and columns and all(isinstance(c, str) for c in columns):
        resolved = [_resolve_kinds([kind])[0] for kind in columns]
        return st.just([(f"{kind}_{j}", kind) for j, kind in enumerate(resolved)])
    if columns is None:
        low, high = 1, 5
    elif isinstance(columns, numbers.Integral) and not isinstance(columns, bool):
        low = high = int(columns)
    elif (isinstance(columns, tuple) and len(columns) == 2
          and all(isinstance(c, numbers.Integral) for c in columns)):
        low, high = int(columns[0]), int(columns[1])
    else:
        raise TypeError(
            "columns must be None, an int, a (min, max) tuple of ints, a list of column "
            f"kinds or a dict name -> kind; got {columns!r}."
        )
    if low < 1 or high < low:
        raise ValueError(f"columns must give 1 <= min <= max, got ({low}, {high}).")
    return st.lists(st.sampled_from(kinds), min_size=low, max_size=high).map(
        lambda chosen: [(f"{kind}_{j}", kind) for j, kind in enumerate(chosen)]
    )


@st.composite
def _values(draw, kind, shape, n):
    """Non-missing values of one column, as a Python list."""
    if kind == "float":
        if shape == "constant":
            return [draw(_floats(-1e3, 1e3))] * n
        if shape == "skewed":  # log-normal-like: exp of a spread of exponents
            return [math.exp(v) for v in draw(_fixed_length(_floats(-2.0, 8.0), n))]
        values = draw(_fixed_length(_floats(-100.0, 100.0), n))
        if shape == "outliers":
            rows = draw(st.lists(st.integers(0, n - 1), min_size=1,
                                 max_size=max(1, n // 10), unique=True))
            for row in rows:
                values[row] = draw(st.sampled_from([1e6, -1e6, 1e9]))
        return values
    if kind == "int":
        if shape == "constant":
            return [draw(st.integers(-1000, 1000))] * n
        if shape == "counts":
            return draw(_fixed_length(st.integers(0, 5), n))
        return draw(_fixed_length(st.integers(-10**6, 10**6), n))
    if kind == "bool":
        return draw(_fixed_length(st.booleans(), n))
    if kind == "category":
        n_levels = draw(st.integers(1, 5))
        levels = "abcde"[:n_levels]
        if shape == "rare" and n >= 2 and n_levels >= 2:
            values = [levels[i] for i in draw(_fixed_length(st.integers(0, n_levels - 2), n))]
            values[draw(st.integers(0, n - 1))] = levels[-1]
            return values
        return [levels[i] for i in draw(_fixed_length(st.integers(0, n_levels - 1), n))]
    if kind == "string":
        text = st.text(alphabet="abxyz _", max_size=4)
        if shape == "unique":
            return draw(st.lists(text, min_size=n, max_size=n, unique=True))
        pool = draw(st.lists(text, min_size=1, max_size=4, unique=True))
        return [pool[i] for i in draw(_fixed_length(st.integers(0, len(pool) - 1), n))]
    # datetime: whole days, or seconds within about a year
    if shape == "dates":
        offsets = draw(_fixed_length(st.integers(0, 3650), n))
        return [_EPOCH + np.timedelta64(d, "D") for d in offsets]
    offsets = draw(_fixed_length(st.integers(0, 366 * 86_400), n))
    return [_EPOCH + np.timedelta64(s, "s") for s in offsets]


def _to_series(kind, shape, values, missing_rows):
    """Build the column with its dtype, then blank the missing rows."""
    n = len(values)
    mask = np.zeros(n, dtype=bool)
    mask[list(missing_rows)] = True
    has_missing = bool(mask.any())
    if kind == "float":
        array = np.asarray(values, dtype=np.float64)
        array[mask] = np.nan
        return pd.Series(array)
    if kind == "int":
        if not has_missing:
            return pd.Series(np.asarray(values, dtype=np.int64))
        return pd.Series([None if m else v for v, m in zip(values, mask)], dtype="Int64")
    if kind == "bool":
        if not has_missing:
            return pd.Series(np.asarray(values, dtype=bool))
        return pd.Series([None if m else v for v, m in zip(values, mask)], dtype="boolean")
    if kind == "category":
        kept = [v for v, m in zip(values, mask) if not m]
        categories = sorted(set(kept))
        if shape == "unused":  # a declared level that never occurs
            categories.append("unused")
        return pd.Series(pd.Categorical([None if m else v for v, m in zip(values, mask)],
                                        categories=categories))
    if kind == "string":
        return pd.Series([None if m else v for v, m in zip(values, mask)], dtype=_STRING_DTYPE)
    array = np.asarray(values, dtype="datetime64[s]")
    array[mask] = np.datetime64("NaT")
    return pd.Series(array.astype("datetime64[ns]"))


@st.composite
def _column(draw, kind, n, patterns):
    shape = draw(st.sampled_from(SHAPES[kind]))
    allowed = [p for p in patterns if p != "some" or n >= 2]
    missing = draw(st.sampled_from(allowed))
    if missing == "some":
        rows = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n - 1, unique=True))
    elif missing == "all":
        rows = range(n)
    else:
        rows = ()
    values = draw(_values(kind, shape, n))
    return _to_series(kind, shape, values, rows), ColumnSpec(kind, shape, missing)


def tabular_frames(columns=None, *, min_rows=1, max_rows=30, missing=False, dtypes=None,
                   with_spec=False):
    """Strategy for mixed-type pandas DataFrames that shrink to small, readable ones.

    Each column has a *kind* (its dtype family), a *shape* (its value
    pattern) and a *missingness* pattern, all drawn by hypothesis:

    ============  ==============================  ========================================
    kind          dtype (dtype with missing)      shapes
    ============  ==============================  ========================================
    ``float``     ``float64`` (NaN)               ``normal`` (values in [-100, 100]),
                                                  ``constant``, ``skewed`` (``exp`` of
                                                  [-2, 8]), ``outliers`` (up to 10% of
                                                  rows at ``±1e6`` or ``1e9``)
    ``int``       ``int64`` (``Int64``)           ``spread`` (±1e6), ``constant``,
                                                  ``counts`` (0-5)
    ``bool``      ``bool`` (``boolean``)          ``mixed``
    ``category``  ``category`` (levels "a"-"e")   ``common``, ``rare`` (a level seen
                                                  once), ``unused`` (a declared level
                                                  ``"unused"`` never seen)
    ``string``    ``str`` (pandas>=3) / object    ``few`` (a pool of <= 4 short texts,
                                                  "" included), ``unique`` (one per row)
    ``datetime``  ``datetime64[ns]`` (NaT)        ``dates`` (days from 2020-01-01),
                                                  ``timestamps`` (seconds within a year)
    ============  ==============================  ========================================

    Shrinking goes towards fewer rows and columns, the first kind and shape
    of each list above, no missing values, and zeros or short strings, so a
    failing property is reported on a frame of a few rows.

    Parameters
    ----------
    columns : None, int, tuple of (int, int), list of str or dict, default=None
        ``None``: 1 to 5 columns; an int: exactly that many; ``(min, max)``:
        a range. Kinds are then drawn from ``dtypes`` and columns are named
        ``"<kind>_<position>"``. A list of kinds fixes the kinds (named the
        same way); a dict ``{name: kind}`` fixes names and kinds.
    min_rows : int, default=1
        Fewest rows.
    max_rows : int, default=30
        Most rows.
    missing : bool or "partial", default=False
        ``False``: no missing values. ``"partial"``: each column is complete
        or has some (not all) values missing. ``True``: a column may also be
        entirely missing.
    dtypes : str or list of str, default=None
        Kinds to draw from (ignored when ``columns`` fixes them): any of
        ``"float"``, ``"int"``, ``"bool"``, ``"category"``, ``"string"``,
        ``"datetime"``, or the aliases ``"numeric"`` (float, int, bool) and
        ``"all"``. ``None`` means all.
    with_spec : bool, default=False
        Draw ``(frame, spec)`` where ``spec`` maps each column name to its
        :class:`ColumnSpec`, so a property (or a test of coverage) can see
        what was drawn.

    Returns
    -------
    strategy : hypothesis SearchStrategy
        Of ``pandas.DataFrame`` (with a ``RangeIndex``), or of
        ``(DataFrame, dict)`` when ``with_spec=True``.

    See Also
    --------
    from_generator : Frames shaped like real data, from a fitted generator.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from sksynth.testing import tabular_frames
    >>> seen = []
    >>> @settings(max_examples=20, derandomize=True, database=None)
    ... @given(tabular_frames(columns=["float", "category"], min_rows=3, max_rows=5))
    ... def test_rows(frame):
    ...     assert 3 <= len(frame) <= 5
    ...     seen.append(str(frame["category_1"].dtype))
    >>> test_rows()
    >>> set(seen)
    {'category'}
    """
    kinds = _resolve_kinds(dtypes)
    if not (isinstance(min_rows, numbers.Integral) and isinstance(max_rows, numbers.Integral)):
        raise TypeError(f"min_rows and max_rows must be ints, got {min_rows!r}, {max_rows!r}.")
    if min_rows < 1 or max_rows < min_rows:
        raise ValueError(
            f"need 1 <= min_rows <= max_rows, got min_rows={min_rows}, max_rows={max_rows}."
        )
    key = missing if isinstance(missing, str) else bool(missing)
    if key not in _MISSING_OPTIONS:
        raise ValueError(f"missing must be True, False or 'partial', got {missing!r}.")
    patterns = _MISSING_OPTIONS[key]
    layout = _column_layout(columns, kinds)

    @st.composite
    def frames(draw):
        n = draw(st.integers(min_rows, max_rows))
        data, spec = {}, {}
        for name, kind in draw(layout):
            series, spec[name] = draw(_column(kind, n, patterns))
            data[name] = series
        frame = pd.DataFrame(data)
        return (frame, spec) if with_spec else frame

    return frames()


# ---------------------------------------------------------------------------
# draws from a fitted generator
# ---------------------------------------------------------------------------
def _int_range(value, name, low=0):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        bounds = (int(value), int(value))
    elif (isinstance(value, tuple) and len(value) == 2
          and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value)):
        bounds = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{name} must be an int or a (min, max) tuple of ints, got {value!r}.")
    if bounds[0] < low or bounds[1] < bounds[0]:
        raise ValueError(f"{name} must satisfy {low} <= min <= max, got {value!r}.")
    return st.integers(*bounds)


def _float_range(value, name, low=None, high=None):
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        bounds = (float(value), float(value))
    elif (isinstance(value, tuple) and len(value) == 2
          and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value)):
        bounds = (float(value[0]), float(value[1]))
    else:
        raise TypeError(f"{name} must be a number or a (min, max) tuple, got {value!r}.")
    if (bounds[1] < bounds[0] or (low is not None and bounds[0] < low)
            or (high is not None and bounds[1] > high)):
        raise ValueError(
            f"{name} must be a (min, max) range with min <= max inside "
            f"[{low if low is not None else '-inf'}, {high if high is not None else 'inf'}], "
            f"got {value!r}."
        )
    if bounds[0] == bounds[1]:
        return st.just(bounds[0])
    # two decimals keep reprs of drawn parameters readable
    return _floats(*bounds).map(lambda v: min(max(round(v, 2), bounds[0]), bounds[1]))


def from_generator(generator, n_samples=(1, 100)):
    """Strategy for data sets drawn from a fitted sksynth (or compatible) generator.

    Each example is ``generator.sample(n, random_state=seed)`` with ``n`` and
    ``seed`` drawn by hypothesis, so a property runs on data shaped like the
    data the generator was fitted on (same container, columns, dtypes and
    categories) and a failure shrinks to the fewest rows and seed 0. The
    generator's own random stream is not advanced.

    Parameters
    ----------
    generator : fitted generator
        Anything with ``sample(n_samples, random_state=...)``.
    n_samples : int or tuple of (int, int), default=(1, 100)
        Rows per draw: a fixed number or a ``(min, max)`` range.

    Returns
    -------
    strategy : hypothesis SearchStrategy
        Of what ``generator.sample`` returns: ``X``, or ``(X, y)`` for a
        generator fitted with a target.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from sksynth.generators import GaussianGenerator
    >>> from sksynth.testing import from_generator
    >>> gen = GaussianGenerator(random_state=0).fit(np.random.RandomState(0).normal(size=(50, 2)))
    >>> @settings(max_examples=10, derandomize=True, database=None)
    ... @given(from_generator(gen, n_samples=(5, 20)))
    ... def test_shape(X):
    ...     assert X.shape[1] == 2 and 5 <= X.shape[0] <= 20
    >>> test_shape()
    """
    if not is_generator(generator):
        raise TypeError(
            f"from_generator needs a generator with fit and sample, got {type(generator).__name__}."
        )
    check_is_fitted(generator)
    sizes = _int_range(n_samples, "n_samples")
    seeds = st.integers(0, 2**31 - 2)
    return st.builds(lambda n, seed: generator.sample(n, random_state=seed), sizes, seeds)


# ---------------------------------------------------------------------------
# data-generating processes
# ---------------------------------------------------------------------------
def _vector(draw, strategy, size):
    return np.asarray(draw(_fixed_length(strategy, size)), dtype=float)


def linear_models(*, n_samples=(50, 500), n_features=(1, 5), coef=(-3.0, 3.0),
                  intercept=(-5.0, 5.0), noise=(0.5, 2.0), correlation=(0.0, 0.8),
                  feature_scale=(0.1, 10.0), as_frame=False):
    """Strategy for linear-regression data-generating processes with planted coefficients.

    Draws ``coef`` (one per feature), ``intercept``, ``noise``, the AR(1)
    ``correlation`` of the Gaussian design and one ``feature_scale`` per
    feature, then ``n_samples`` rows ``y = X coef + intercept + noise * e``
    (see :class:`LinearDGP`). Every argument is a fixed value or a
    ``(min, max)`` range to draw from; real parameters are rounded to two
    decimals so counterexamples read well.

    Parameters
    ----------
    n_samples : int or tuple of (int, int), default=(50, 500)
    n_features : int or tuple of (int, int), default=(1, 5)
    coef : float or tuple of (float, float), default=(-3.0, 3.0)
        Range of each coefficient.
    intercept : float or tuple of (float, float), default=(-5.0, 5.0)
    noise : float or tuple of (float, float), default=(0.5, 2.0)
        Standard deviation of the Gaussian noise (> 0).
    correlation : float or tuple of (float, float), default=(0.0, 0.8)
        AR(1) correlation between neighbouring features, in [0, 0.99].
    feature_scale : float or tuple of (float, float), default=(0.1, 10.0)
        Standard deviation of each feature (> 0).
    as_frame : bool, default=False
        ``X`` as a DataFrame (columns ``x0, x1, ...``) and ``y`` as a Series.

    Returns
    -------
    strategy : hypothesis SearchStrategy of :class:`LinearDGP`
        ``dgp.X``, ``dgp.y`` hold the data; ``dgp.params`` the truth
        (``coef``, ``intercept``, ``noise``, ``correlation``,
        ``feature_scale``); ``dgp.stderr("coef")`` the OLS standard errors.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from sklearn.linear_model import LinearRegression
    >>> from sksynth.testing import linear_models
    >>> @settings(max_examples=10, derandomize=True, database=None)
    ... @given(linear_models(n_samples=200))
    ... def test_ols(dgp):
    ...     coef = LinearRegression().fit(dgp.X, dgp.y).coef_
    ...     assert (abs(coef - dgp.params["coef"]) <= 5 * dgp.stderr("coef")).all()
    >>> test_ols()
    """
    sizes = _int_range(n_samples, "n_samples", low=2)
    dims = _int_range(n_features, "n_features", low=1)
    coefs = _float_range(coef, "coef")
    intercepts = _float_range(intercept, "intercept")
    noises = _float_range(noise, "noise", low=1e-12)
    rhos = _float_range(correlation, "correlation", low=0.0, high=0.99)
    scales = _float_range(feature_scale, "feature_scale", low=1e-12)

    @st.composite
    def processes(draw):
        n, p = draw(sizes), draw(dims)
        return LinearDGP(
            n, draw(st.integers(0, _MAX_SEED)), as_frame=as_frame,
            coef=_vector(draw, coefs, p), intercept=draw(intercepts), noise=draw(noises),
            correlation=draw(rhos), feature_scale=_vector(draw, scales, p),
        )

    return processes()


def gaussian_mixtures(*, n_samples=(100, 1000), n_components=(1, 3), n_features=(1, 4),
                      means=(-5.0, 5.0), scale=(0.5, 2.0), correlation=(0.0, 0.5),
                      weight=(1.0, 4.0), as_frame=False):
    """Strategy for Gaussian-mixture data-generating processes with planted moments.

    Draws, per component, a mean vector, per-feature standard deviations
    (``scale``), an equicorrelation and an unnormalised weight, then
    ``n_samples`` labelled rows (see :class:`GaussianMixtureDGP`; ``y`` is the
    component, and every component has at least two rows).

    Parameters
    ----------
    n_samples : int or tuple of (int, int), default=(100, 1000)
    n_components : int or tuple of (int, int), default=(1, 3)
    n_features : int or tuple of (int, int), default=(1, 4)
    means : float or tuple of (float, float), default=(-5.0, 5.0)
        Range of each mean coordinate.
    scale : float or tuple of (float, float), default=(0.5, 2.0)
        Range of each per-feature standard deviation (> 0).
    correlation : float or tuple of (float, float), default=(0.0, 0.5)
        Range of each component's equicorrelation, in [0, 0.99].
    weight : float or tuple of (float, float), default=(1.0, 4.0)
        Range of the unnormalised component weights (> 0): with the default,
        no component is more than four times as likely as another.
    as_frame : bool, default=False
        ``X`` as a DataFrame and ``y`` as a Series.

    Returns
    -------
    strategy : hypothesis SearchStrategy of :class:`GaussianMixtureDGP`
        ``dgp.params`` holds ``means`` (K, p), ``covariances`` (K, p, p) and
        ``weights`` (K,).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from sksynth.testing import gaussian_mixtures
    >>> @settings(max_examples=10, derandomize=True, database=None)
    ... @given(gaussian_mixtures(n_components=2))
    ... def test_labels(dgp):
    ...     assert set(dgp.y) == {0, 1}
    >>> test_labels()
    """
    sizes = _int_range(n_samples, "n_samples", low=2)
    components = _int_range(n_components, "n_components", low=1)
    dims = _int_range(n_features, "n_features", low=1)
    locations = _float_range(means, "means")
    scales = _float_range(scale, "scale", low=1e-12)
    rhos = _float_range(correlation, "correlation", low=0.0, high=0.99)
    weights = _float_range(weight, "weight", low=1e-12)

    @st.composite
    def processes(draw):
        k, p = draw(components), draw(dims)
        n = max(draw(sizes), 2 * k)
        return GaussianMixtureDGP(
            n, draw(st.integers(0, _MAX_SEED)), as_frame=as_frame,
            means=[_vector(draw, locations, p) for _ in range(k)],
            scales=[_vector(draw, scales, p) for _ in range(k)],
            correlations=_vector(draw, rhos, k), weights=_vector(draw, weights, k),
        )

    return processes()


def partially_linear_models(*, n_samples=(200, 1000), n_features=(1, 4), theta=(-3.0, 3.0),
                            noise=(0.5, 2.0), treatment="continuous", treatment_noise=(0.5, 2.0),
                            confounding=(-1.0, 1.0), nonlinearity=(0.0, 1.0), as_frame=False):
    """Strategy for partially linear models ``Y = theta A + g(X) + e`` with a planted ``theta``.

    The treatment ``A`` and the outcome both depend on the covariates
    (confounding), linearly and through a smooth non-linear term, so a naive
    regression of ``Y`` on ``A`` is biased while a Robinson / double machine
    learning estimator recovers ``theta`` (see :class:`PartiallyLinearDGP`).

    Parameters
    ----------
    n_samples : int or tuple of (int, int), default=(200, 1000)
    n_features : int or tuple of (int, int), default=(1, 4)
        Number of covariates (the treatment comes on top).
    theta : float or tuple of (float, float), default=(-3.0, 3.0)
        The treatment effect.
    noise : float or tuple of (float, float), default=(0.5, 2.0)
        Outcome noise standard deviation (> 0).
    treatment : {"continuous", "binary"}, default="continuous"
        Gaussian treatment around ``m(X)``, or Bernoulli with logit ``m(X)``.
    treatment_noise : float or tuple of (float, float), default=(0.5, 2.0)
        Standard deviation of a continuous treatment around ``m(X)`` (> 0).
    confounding : float or tuple of (float, float), default=(-1.0, 1.0)
        Range of the linear coefficients of the covariates in ``m`` and ``g``.
    nonlinearity : float or tuple of (float, float), default=(0.0, 1.0)
        Range of the amplitudes of the ``cos(2 x_0)`` term in ``m`` and in
        ``g`` (drawn separately): confounding that a linear adjustment for
        the covariates misses.
    as_frame : bool, default=False
        ``X`` as a DataFrame (``treatment, x0, x1, ...``), ``y`` as a Series.

    Returns
    -------
    strategy : hypothesis SearchStrategy of :class:`PartiallyLinearDGP`
        ``dgp.params["theta"]`` is the truth, ``dgp.stderr("theta")`` the
        efficient standard error; ``dgp.treatment_mean`` and
        ``dgp.outcome_mean`` are the true nuisance functions.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from sksynth.testing import partially_linear_models
    >>> @settings(max_examples=5, derandomize=True, database=None)
    ... @given(partially_linear_models(treatment="binary"))
    ... def test_binary(dgp):
    ...     assert set(dgp.X[:, 0]) <= {0.0, 1.0}
    >>> test_binary()
    """
    if treatment not in ("continuous", "binary"):
        raise ValueError(f"treatment must be 'continuous' or 'binary', got {treatment!r}.")
    binary = treatment == "binary"
    sizes = _int_range(n_samples, "n_samples", low=2)
    dims = _int_range(n_features, "n_features", low=1)
    thetas = _float_range(theta, "theta")
    noises = _float_range(noise, "noise", low=1e-12)
    treatment_noises = _float_range(treatment_noise, "treatment_noise", low=1e-12)
    linear = _float_range(confounding, "confounding")
    wiggles = _float_range(nonlinearity, "nonlinearity")

    @st.composite
    def processes(draw):
        n, p = draw(sizes), draw(dims)
        params = dict(theta=draw(thetas), noise=draw(noises))
        if not binary:
            params["treatment_noise"] = draw(treatment_noises)
        params.update(
            treatment_coef=_vector(draw, linear, p), treatment_wiggle=draw(wiggles),
            outcome_coef=_vector(draw, linear, p), outcome_wiggle=draw(wiggles),
        )
        return PartiallyLinearDGP(n, draw(st.integers(0, _MAX_SEED)), as_frame=as_frame,
                                  binary=binary, **params)

    return processes()
