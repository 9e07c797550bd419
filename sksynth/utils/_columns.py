"""Column-level helpers shared by the table spec and the constraints.

:func:`infer_type` says what a column holds (numeric, integer, categorical,
boolean, datetime), :func:`to_datetime_ns` turns datetimes into float
nanoseconds and :func:`restore_values` casts decoded values back to a column's
dtype. They sit below both :mod:`sksynth.generators` and
:mod:`sksynth.constraints`, so neither package imports the other's internals.
"""

import warnings

import numpy as np
import pandas as pd

from ._integers import _float_to_int

#: Most distinct values an integer column of a DataFrame may hold to be read as codes.
MAX_CODE_LEVELS = 10

#: Nanoseconds per datetime resolution, coarsest first.
NS_PER = {"D": 86_400 * 10**9, "s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def infer_type(series):
    """Type of one column: numeric, integer, categorical, boolean or datetime."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        observed = values[~np.isnan(values)]
        if observed.size and np.all(observed == np.rint(observed)):
            return "integer"
        return "numeric"
    if dtype.kind == "c":
        raise ValueError(f"Complex data not supported (column {series.name!r}).")
    try:
        kind = pd.api.types.infer_dtype(series, skipna=True)
    except TypeError:
        kind = "mixed"
    if kind == "boolean":
        return "boolean"
    if kind in ("integer", "floating", "mixed-integer-float", "decimal", "empty"):
        values = pd.to_numeric(series, errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        observed = values[~np.isnan(values)]
        if observed.size and np.all(observed == np.rint(observed)):
            return "integer"
        return "numeric"
    if kind in ("datetime64", "datetime", "date"):
        return "datetime"
    if kind == "string" and text_datetime_format(series) is not None:
        return "datetime"
    return "categorical"


def is_integer_coded(series):
    """Whether an integer column reads as category codes: few levels, close together.

    True when the column holds at most :data:`MAX_CODE_LEVELS` distinct
    observed values, all within a span of ``2 * MAX_CODE_LEVELS`` (so amounts
    that are mostly zero, such as a capital gain, stay numbers), and at least
    twice as many observed rows as distinct values (so a short column of
    distinct numbers is not taken for codes). Survey answers (1-7, 9 for no
    answer), flags (0/1), the years of a three-year study: a CSV stores them as
    integers, but they are labels. As categories, each code's share is learnt
    as a share, conditions and :class:`~sksynth.constraints.FixedCombinations`
    name codes, and the metrics compare shares rather than a density. Declare
    ``column_types={name: "integer"}`` to model such a column as a number.
    """
    observed = series.dropna()
    levels = observed.nunique()
    if not 0 < levels <= MAX_CODE_LEVELS or observed.size < 2 * levels:
        return False
    return float(observed.max()) - float(observed.min()) <= 2 * MAX_CODE_LEVELS


def text_datetime_format(series):
    """The ``strftime`` format of a text column whose every value is a date, else None.

    The format is guessed from the first value (``pandas``' guesser) and must hold
    a year and a month (so years or codes written as text stay what they are) and
    no time zone (``%z`` would not round-trip through strings); every observed
    value must then parse with it. A CSV's dates arrive as such text.
    """
    dtype = series.dtype
    if not (dtype == object or pd.api.types.is_string_dtype(dtype)) or isinstance(
            dtype, pd.CategoricalDtype):
        return None
    observed = series.dropna()
    if observed.empty or not all(isinstance(v, str) for v in observed.iloc[:1000]):
        return None
    from pandas.tseries.api import guess_datetime_format

    first = observed.iloc[0].strip()
    text = observed.astype(str).str.strip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' dayfirst hint: both orders are tried
        candidates = dict.fromkeys(guess_datetime_format(first, dayfirst=d) for d in (False, True))
    for fmt in candidates:  # 01/02/2021 reads both ways: the values decide
        if (fmt is None or not any(y in fmt for y in ("%Y", "%y"))
                or not any(m in fmt for m in ("%m", "%b", "%B")) or "%z" in fmt
                or "%Z" in fmt):
            continue
        try:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        except (TypeError, ValueError):
            continue
        if not parsed.isna().any():
            return fmt
    return None


def to_datetime_ns(series, format=None):
    """Datetime column as float nanoseconds since the epoch (NaN for NaT), UTC for tz.

    ``format``: the ``strftime`` format of a text column (by default the one
    :func:`text_datetime_format` finds).
    """
    if format is None and not pd.api.types.is_datetime64_any_dtype(series.dtype):
        format = text_datetime_format(series)
    if format is None:
        values = pd.to_datetime(series)
    else:
        text = pd.Series([v.strip() if isinstance(v, str) else v for v in series],
                         index=series.index, dtype=object)
        try:
            values = pd.to_datetime(text, format=format)
        except (TypeError, ValueError):  # e.g. Timestamps given as conditions
            values = pd.to_datetime(text, format="mixed")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    missing = values.isna().to_numpy()
    ints = values.to_numpy(dtype="datetime64[ns]").view("int64").astype(np.float64)
    ints[missing] = np.nan
    return ints


def restore_values(values, kind, dtype, *, resolution=1, offset=0, array_input=False,
                   format=None):
    """Decoded values of one column (floats with NaN, or objects) cast back to ``dtype``.

    Integer kinds are rounded and clipped to the dtype's range (never wrapped),
    datetimes rounded to ``resolution`` nanoseconds, categories and booleans
    rebuilt in their dtype; ``offset`` is added back to integers modelled as offsets.
    ``format``: datetimes of a text column are written back as text in it.
    """
    if kind in ("numeric", "integer"):
        values = np.asarray(values, dtype=np.float64)
        missing = np.isnan(values)
        if kind == "integer":
            values = np.rint(values)
        if pd.api.types.is_integer_dtype(dtype):
            ints = _float_to_int(np.where(missing, 0.0, values), dtype, offset)
            if isinstance(dtype, pd.api.extensions.ExtensionDtype):
                return pd.array(pd.Series(ints.astype(object)).where(~missing, None),
                                dtype=dtype)
            if missing.any():  # cannot happen for data fitted without NaN
                return pd.array(pd.Series(ints.astype(object)).where(~missing, None),
                                dtype="Int64")
            return ints
        if pd.api.types.is_bool_dtype(dtype):
            return values >= 0.5
        if pd.api.types.is_float_dtype(dtype) or dtype == object:
            if dtype == object:
                out = values.astype(object)
                out[missing] = np.nan
                return pd.Series(out, dtype=object)
            return pd.Series(values).astype(dtype).array
        return pd.Series(values).astype(dtype).array
    if kind == "datetime":
        values = np.asarray(values, dtype=np.float64)
        missing = np.isnan(values)
        step = resolution
        ints = (np.rint(np.where(missing, 0, values) / step) * step).astype(np.int64)
        stamps = pd.Series(ints.view("datetime64[ns]"))
        stamps[missing] = pd.NaT
        tz = getattr(dtype, "tz", None)
        if tz is not None:
            stamps = stamps.dt.tz_localize("UTC").dt.tz_convert(tz)
        if format is not None:  # dates that came as text go back as text, same format
            text = stamps.dt.strftime(format).astype(object)
            text[missing] = None if pd.api.types.is_string_dtype(dtype) and dtype != object \
                else np.nan
            if dtype == object or array_input:
                return pd.Series(text, dtype=object)
            return pd.array(text, dtype=dtype)
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return stamps.astype(dtype).array
        return pd.Series(stamps.astype(object).array, dtype=object)
    values = np.asarray(values, dtype=object)
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical(values, dtype=dtype)
    if pd.api.types.is_bool_dtype(dtype):
        if isinstance(dtype, pd.api.extensions.ExtensionDtype):
            return pd.array(values, dtype=dtype)
        return values.astype(bool)
    if dtype == object or array_input:
        return pd.Series(values, dtype=object)
    return pd.array(values, dtype=dtype)
