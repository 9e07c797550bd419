"""Shared handling of the tables that the metrics compare.

Every metric takes a *real* table and a *synthetic* one (and sometimes a
*holdout* table of real rows the generator never saw). They may be NumPy arrays
or DataFrames with numeric, categorical, string, boolean or datetime columns,
with missing values. :func:`check_tables` validates them against the real
table (same columns, compatible types) and returns a :class:`TableSchema` that
knows the kind of every column and turns the tables into

- float columns with ``NaN`` for numeric columns (:meth:`TableSchema.numeric`),
- shared integer codes for categorical columns (:meth:`TableSchema.codes`),
  where a missing value is a category of its own,
- a numeric design matrix (:meth:`TableSchema.encode`) for distances, kernels
  and classifiers: numeric columns standardised by the *real* mean and standard
  deviation (so every metric built on it is invariant to a change of unit of a
  column), a missing-value indicator where a numeric column has missing values,
  and one-hot categorical columns scaled by ``1/sqrt(2)`` so that two different
  categories are at distance 1, as are two numeric values one real standard
  deviation apart.
"""

import numbers

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

__all__ = ["TableSchema", "check_tables", "single_openmp_thread", "subsample"]

#: Categorical columns with more categories than this keep the most frequent
#: ones (in the real table) and pool the rest in the one-hot encoding.
MAX_ONE_HOT = 50


def _as_frame(X, name, reference_columns=None):
    """Return ``X`` as a DataFrame (without copying data when possible)."""
    if X is None:
        raise ValueError(f"{name} is None; pass a table (array or DataFrame).")
    if sp.issparse(X):
        raise TypeError(f"{name} is a sparse matrix; pass a dense array or a DataFrame.")
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if isinstance(X, pd.DataFrame):
        frame = X
    else:
        array = np.asarray(X)
        if array.ndim == 1:
            array = array.reshape(-1, 1)
        if array.ndim != 2:
            raise ValueError(
                f"{name} must be two-dimensional (n_samples, n_features), got shape "
                f"{array.shape}."
            )
        columns = None
        if reference_columns is not None and len(reference_columns) == array.shape[1]:
            columns = reference_columns
        frame = pd.DataFrame(array, columns=columns)
        # object arrays from np.asarray(list of mixed rows): let pandas find numbers
        frame = frame.infer_objects()
    if frame.shape[0] == 0:
        raise ValueError(f"{name} has no rows; pass at least one row.")
    if frame.shape[1] == 0:
        raise ValueError(f"{name} has no columns; pass at least one column.")
    if not frame.columns.is_unique:
        dup = frame.columns[frame.columns.duplicated()].unique().tolist()
        raise ValueError(f"{name} has duplicated column names {dup}; rename them.")
    return frame


def _kind(series):
    """``"numeric"`` or ``"categorical"`` for one column of the real table."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return "numeric"
    if pd.api.types.is_numeric_dtype(dtype):
        if dtype.kind == "c":
            raise ValueError(f"Complex data not supported (column {series.name!r}).")
        return "numeric"
    return "categorical"


def _to_float(series, name):
    """A column as float64 with NaN for missing values (datetimes as nanoseconds)."""
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        if pd.api.types.is_timedelta64_dtype(dtype):
            values = series.to_numpy(dtype="timedelta64[ns]")
        else:
            if getattr(series.dt, "tz", None) is not None:
                series = series.dt.tz_convert("UTC").dt.tz_localize(None)
            values = series.to_numpy(dtype="datetime64[ns]")
        out = values.view("int64").astype(np.float64)
        out[np.isnat(values)] = np.nan
        return out
    if pd.api.types.is_bool_dtype(dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        out = pd.to_numeric(series, errors="raise")
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Column {series.name!r} is numeric in the real table but {name} holds "
            f"non-numeric values ({exc}); make both tables use the same column types."
        ) from None
    out = np.asarray(out.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    if np.isinf(out).any():
        raise ValueError(
            f"Column {series.name!r} of {name} contains infinity; replace it by a finite "
            "value or NaN (missing)."
        )
    return out


class TableSchema:
    """Column kinds of the real table, and encoders shared by all compared tables.

    Parameters
    ----------
    frames : dict of str to DataFrame
        The validated tables by role (``"real"`` first), with the real table's
        columns in the real table's order.
    """

    def __init__(self, frames):
        self.frames = frames
        real = frames["real"]
        self.columns = list(real.columns)
        self.kinds = {col: _kind(real[col]) for col in self.columns}
        self._numeric_cache = {}
        self._code_cache = {}

    @property
    def numeric_columns(self):
        return [c for c in self.columns if self.kinds[c] == "numeric"]

    @property
    def categorical_columns(self):
        return [c for c in self.columns if self.kinds[c] == "categorical"]

    def numeric(self, role, column):
        """Float values (NaN = missing) of a numeric ``column`` of table ``role``."""
        key = (role, column)
        if key not in self._numeric_cache:
            self._numeric_cache[key] = _to_float(self.frames[role][column], role)
        return self._numeric_cache[key]

    def codes(self, column):
        """Shared integer codes of a categorical column in every table.

        Returns
        -------
        codes : dict of str to ndarray of int
            Codes per table role; a missing value gets the code ``n_codes - 1``
            when any table has missing values in that column.
        labels : list
            The category of each code (``None`` for the missing-value code).
        """
        if column not in self._code_cache:
            roles = list(self.frames)
            parts = [self.frames[r][column] for r in roles]
            values = pd.concat([p.astype(object) for p in parts], ignore_index=True)
            codes, uniques = pd.factorize(values, use_na_sentinel=True, sort=False)
            labels = list(uniques)
            if (codes < 0).any():
                codes = np.where(codes < 0, len(labels), codes)
                labels.append(None)
            out, start = {}, 0
            for role, part in zip(roles, parts):
                out[role] = codes[start : start + len(part)]
                start += len(part)
            self._code_cache[column] = (out, labels)
        return self._code_cache[column]

    def encode(self, roles=None, *, rows=None, columns=None):
        """Numeric design matrices of the tables, standardised on the real table.

        Parameters
        ----------
        roles : list of str, default=None
            Which tables to encode (all by default).
        rows : dict of str to ndarray of int, default=None
            Row indices to keep per table (all rows by default).
        columns : list, default=None
            Columns to encode (all by default).

        Returns
        -------
        matrices : dict of str to ndarray of shape (n_rows, n_encoded)
        """
        roles = list(self.frames) if roles is None else list(roles)
        rows = rows or {}
        blocks = {role: [] for role in roles}
        for col in self.columns if columns is None else columns:
            if self.kinds[col] == "numeric":
                real = self.numeric("real", col)
                mean = np.nanmean(real) if np.isfinite(real).any() else 0.0
                scale = np.nanstd(real) if np.isfinite(real).sum() > 1 else 0.0
                scale = scale if scale > 0 else 1.0
                any_missing = any(np.isnan(self.numeric(r, col)).any() for r in self.frames)
                for role in roles:
                    values = self.numeric(role, col)
                    if role in rows:
                        values = values[rows[role]]
                    missing = np.isnan(values)
                    z = np.where(missing, 0.0, (values - mean) / scale)
                    blocks[role].append(z[:, None])
                    if any_missing:
                        blocks[role].append(missing[:, None].astype(np.float64))
            else:
                codes, labels = self.codes(col)
                real_codes = codes["real"]
                counts = np.bincount(real_codes, minlength=len(labels))
                if len(labels) <= MAX_ONE_HOT:
                    keep = np.arange(len(labels))
                else:  # the most frequent real categories; the rest share a column
                    keep = np.argsort(-counts, kind="stable")[:MAX_ONE_HOT]
                    keep = keep[counts[keep] > 0]
                lookup = np.full(len(labels), len(keep), dtype=np.int64)
                lookup[keep] = np.arange(len(keep))
                width = len(keep) + (1 if len(keep) < len(labels) else 0)
                for role in roles:
                    c = codes[role] if role not in rows else codes[role][rows[role]]
                    one_hot = np.zeros((len(c), width))
                    one_hot[np.arange(len(c)), lookup[c]] = 1.0 / np.sqrt(2.0)
                    blocks[role].append(one_hot)
        return {role: np.hstack(blocks[role]) for role in roles}


def check_tables(real, synthetic=None, holdout=None, *, target=None, extra=None):
    """Validate the compared tables and return their :class:`TableSchema`.

    Parameters
    ----------
    real, synthetic, holdout : array-like or DataFrame
        The tables; ``synthetic`` and ``holdout`` may be None. An array takes
        the real table's column names when it has as many columns.
    target : str, default=None
        A column every given table must hold.
    extra : dict of str to array-like, default=None
        More tables by role, checked like ``synthetic``.

    Returns
    -------
    schema : TableSchema
    """
    real = _as_frame(real, "real")
    frames = {"real": real}
    given = {"synthetic": synthetic, "holdout": holdout}
    given.update(extra or {})
    for role, table in given.items():
        if table is None:
            continue
        frame = _as_frame(table, role, reference_columns=real.columns)
        missing = [c for c in real.columns if c not in frame.columns]
        unknown = [c for c in frame.columns if c not in real.columns]
        if missing or unknown:
            detail = []
            if missing:
                detail.append(f"missing columns {missing[:10]}")
            if unknown:
                detail.append(f"columns not in real {unknown[:10]}")
            raise ValueError(
                f"{role} does not have the columns of real: {'; '.join(detail)}. "
                "Pass tables with the same columns (in any order)."
            )
        frames[role] = frame[list(real.columns)]
    if target is not None and target not in real.columns:
        raise ValueError(
            f"target={target!r} is not a column of real; choose one of "
            f"{list(real.columns)[:20]}."
        )
    schema = TableSchema(frames)
    for col in schema.numeric_columns:
        for role in frames:
            schema.numeric(role, col)  # type errors surface here, naming the column
    return schema


def subsample(n_rows, max_samples, random_state):
    """Indices of at most ``max_samples`` rows out of ``n_rows`` (all rows if None)."""
    if max_samples is None or n_rows <= max_samples:
        return np.arange(n_rows)
    rng = check_random_state(random_state)
    return np.sort(rng.choice(n_rows, size=max_samples, replace=False))


def check_max_samples(max_samples, name="max_samples", minimum=2):
    """Validate an optional row cap."""
    if max_samples is None:
        return None
    if isinstance(max_samples, (bool, np.bool_)) or not isinstance(max_samples, numbers.Integral):
        raise TypeError(f"{name} must be an int or None, got {max_samples!r}.")
    if max_samples < minimum:
        raise ValueError(f"{name} must be >= {minimum} or None, got {max_samples}.")
    return int(max_samples)


def single_openmp_thread():
    """Context manager running OpenMP code (histogram gradient boosting) on one thread.

    On small machines shared with other work, OpenMP's busy-waiting threads make
    a multi-threaded gradient-boosting fit ten to twenty times slower than a
    single-threaded one (measured: 46 s against 2.5 s for the same detection
    test on a loaded 2-core machine); parallelism comes from ``n_jobs`` instead.
    """
    return threadpool_limits(limits=1, user_api="openmp")
