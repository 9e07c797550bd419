"""Column typing of mixed tables: :class:`_TableSpec`, shared by every mixed-type generator.

:class:`_TableSpec` infers the type of each column (numeric, integer,
categorical, boolean, datetime, identifier), hides the columns no model may see
(see :mod:`._fresh`), turns columns into floats or category codes, and rebuilds
a table of the fitted container, columns and dtypes from decoded columns.
Integers beyond 2**53 are modelled as exact offsets (:func:`_offset_floats`,
:func:`_float_to_int`).
"""

import numpy as np
import pandas as pd

from ..utils._columns import NS_PER as _NS_PER
from ..utils._columns import infer_type as _infer_type
from ..utils._columns import is_integer_coded
from ..utils._columns import restore_values, text_datetime_format
from ..utils._columns import to_datetime_ns as _to_datetime_ns
from ._fresh import SEMANTIC_TYPES, _hidden_columns

__all__ = ["COLUMN_TYPES"]

#: The column types a mixed table may hold.
COLUMN_TYPES = ("numeric", "integer", "categorical", "ordinal", "boolean", "datetime", "id",
                *SEMANTIC_TYPES)

#: Name of the constant column models see when every column is made afresh.
_PLACEHOLDER = "__no_modelled_column__"

#: Largest magnitude below which float64 holds every integer.
_FLOAT_EXACT = 2**53



# ---------------------------------------------------------------------------
# column types
# ---------------------------------------------------------------------------
def _offset_floats(column, offset, name):
    """Integer values minus ``offset`` as float64 (NaN for missing), exact below 2**53.

    The difference is taken in unsigned 64-bit arithmetic (modulo 2**64, which
    is exact because every value lies in ``[offset, offset + 2**64)``), so int64
    and uint64 columns near their limits lose nothing before the conversion.
    """
    missing = column.isna().to_numpy()
    values = column.to_numpy(dtype=object, na_value=offset) if missing.any() else (
        column.to_numpy())
    try:
        wide = np.asarray([int(v) for v in values], dtype=object) if values.dtype == object \
            else values
        unsigned = (np.asarray(wide % 2**64, dtype=np.uint64) if wide.dtype == object
                    else wide.astype(np.uint64))
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"column {name!r} is integer but holds non-integer values.") from exc
    out = (unsigned - np.uint64(offset % 2**64)).astype(np.float64)
    out[missing] = np.nan
    return out


class _TableSpec:
    """What ``fit`` saw of a mixed table: container, columns, types, dtypes.

    Columns that no model may see (identifiers, semantic types, columns missing
    in every row; see :mod:`._fresh`) are hidden: ``columns``, ``types``,
    ``dtypes``, ``n_columns`` and the column index ``j`` of :meth:`floats`,
    :meth:`objects` and :meth:`restore` refer to the *modelled* columns only,
    while the frames passed in and the container given back hold every column.
    ``restore`` builds the same kind of object from decoded columns (categorical
    values, floats with NaN for missing), rounding integer columns, clipping to
    the integer dtype's range and casting back to each column's dtype, and makes
    the hidden columns afresh.

    An integer column of a DataFrame that reads as category codes
    (:func:`~sksynth.utils._columns.is_integer_coded`) is typed categorical
    unless ``column_types`` declares it or it is among ``numbers`` (columns
    with declared bounds).

    Integer columns whose values exceed 2**53 in magnitude (where float64 skips
    integers) are modelled as offsets from their smallest value, so that their
    values round-trip exactly and never wrap.
    """

    def __init__(self, frame, X, column_types=None, numbers=()):
        self.is_frame = isinstance(X, pd.DataFrame)
        self.all_columns = frame.columns.copy()
        self.all_dtypes = list(frame.dtypes)
        self.array_dtype = None if self.is_frame else np.asarray(X).dtype
        overrides = dict(column_types or {})
        unknown = set(overrides) - set(self.all_columns)
        if unknown:
            raise ValueError(
                f"column_types names columns that X does not have: {sorted(map(str, unknown))}; "
                f"the columns are {list(self.all_columns)}."
            )
        types = []
        for name, column in frame.items():
            kind = overrides.get(name)
            if kind is None:
                kind = _infer_type(column)
                if kind == "integer" and self.is_frame and name not in numbers \
                        and is_integer_coded(column):
                    kind = "categorical"  # survey codes, flags: their levels, not a line
                elif kind == "categorical" and isinstance(column.dtype, pd.CategoricalDtype) \
                        and column.dtype.ordered:
                    kind = "ordinal"  # modelled as a categorical that keeps its order
            elif kind not in COLUMN_TYPES:
                raise ValueError(
                    f"column_types[{name!r}]={kind!r} is not a column type; use one of "
                    f"{list(COLUMN_TYPES)}."
                )
            types.append(kind)
        self.hidden = _hidden_columns(frame, types, set(overrides))
        self.all_types = types
        self.kept = [j for j in range(len(types)) if j not in self.hidden]
        if self.kept:
            self.columns = self.all_columns[self.kept]
            self.dtypes = [self.all_dtypes[j] for j in self.kept]
            # an ordinal is modelled as a categorical in its dtype's (or sorted) order
            self.types = ["categorical" if types[j] == "ordinal" else types[j]
                          for j in self.kept]
        else:  # only identifiers: the models see one constant column, dropped at restore
            self.kept = [None]
            self.columns = pd.Index([_PLACEHOLDER])
            self.dtypes = [np.dtype(np.float64)]
            self.types = ["numeric"]
        self.resolution, self.offsets, self.formats = {}, {}, {}
        for j, kind in enumerate(self.types):
            if self.kept[j] is None:
                continue
            column = frame.iloc[:, self.kept[j]]
            if kind == "datetime":
                fmt = (None if pd.api.types.is_datetime64_any_dtype(column.dtype)
                       else text_datetime_format(column))
                if fmt is not None:
                    self.formats[j] = fmt
                ns = _to_datetime_ns(column, fmt)
                observed = ns[~np.isnan(ns)].astype(np.int64)
                self.resolution[j] = next(
                    (step for step in _NS_PER.values() if np.all(observed % step == 0)), 1
                )
            elif pd.api.types.is_integer_dtype(self.dtypes[j]) and column.notna().any():
                low, high = int(column.min()), int(column.max())
                if max(abs(low), abs(high)) > _FLOAT_EXACT:
                    self.offsets[j] = low

    @property
    def n_columns(self):
        return len(self.types)

    @property
    def column_types(self):
        """``{column: type}`` of every column, hidden ones included."""
        return dict(zip(self.all_columns, self.all_types))

    def index(self, key, owner, target="y="):
        """Position among the modelled columns of the column named ``key`` (conditions)."""
        try:
            position = self.all_columns.get_loc(key)
        except (KeyError, TypeError, pd.errors.InvalidIndexError):
            position = None
        if not isinstance(position, (int, np.integer)):
            raise ValueError(
                f"conditions names a column {key!r} that X did not have; the columns are "
                f"{list(self.all_columns)} (pass the target through {target})."
            )
        if position in self.hidden:
            kind = self.hidden[position].kind
            what = ("entirely missing in fit" if kind == "missing" else
                    f"of type {kind!r}: its values are made afresh, never learnt")
            raise ValueError(
                f"{owner} cannot condition on column {key!r}: it is {what}."
            )
        return self.kept.index(int(position))

    def floats(self, frame, j):
        """Column ``j`` as float64 with NaN for missing values (numeric types only)."""
        if self.kept[j] is None:
            return np.zeros(frame.shape[0])
        return self.as_floats(frame.iloc[:, self.kept[j]], j)

    def as_floats(self, column, j):
        """Values ``column`` (a Series) of modelled column ``j`` as floats, as :meth:`floats`."""
        if self.types[j] == "datetime":
            return _to_datetime_ns(column, self.formats.get(j))
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        if j in self.offsets:
            return _offset_floats(column, self.offsets[j], self.columns[j])
        try:
            values = pd.to_numeric(column, errors="raise")
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"column {self.columns[j]!r} is {self.types[j]} but holds non-numeric values; "
                "fix the data or set its type with column_types."
            ) from exc
        values = pd.Series(values).to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isinf(values).any():
            raise ValueError(
                f"column {self.columns[j]!r} contains infinity; replace it by a finite value "
                "or NaN (missing)."
            )
        return values

    def objects(self, frame, j):
        """Column ``j`` as an object array (categorical and boolean types)."""
        values = frame.iloc[:, self.kept[j]].astype(object).to_numpy()
        return values

    def is_integer(self, j):
        return self.types[j] in ("integer", "datetime")

    def restore(self, columns, rng=None):
        """Rebuild the fitted container from the decoded modelled columns.

        ``rng`` (a ``RandomState``) draws the hidden columns; ``None`` uses a
        fixed seed (deterministic decoding, e.g. ``inverse_transform``).
        """
        n_rows = len(columns[0]) if columns else 0
        modelled = iter(self._restore_column(j, values) for j, values in enumerate(columns)
                        if self.kept[j] is not None)
        if self.hidden and rng is None:
            rng = np.random.RandomState(0)
        series = [self.hidden[p].draw(n_rows, rng) if p in self.hidden else next(modelled)
                  for p in range(len(self.all_types))]
        if self.is_frame:
            series = [pd.Series(s, copy=False).reset_index(drop=True) for s in series]
            frame = pd.concat(series, axis=1, ignore_index=True) if series else pd.DataFrame(
                index=pd.RangeIndex(n_rows))
            return frame.set_axis(self.all_columns, axis=1)
        if self.array_dtype is not None and self.array_dtype.kind in "fiub":
            out_dtype = self.array_dtype if self.array_dtype.kind == "f" else np.float64
            if not series:
                return np.empty((0, 0), dtype=out_dtype)
            return np.column_stack([np.asarray(s, dtype=np.float64) for s in series]).astype(
                out_dtype, copy=False
            )
        out = np.empty((n_rows, len(series)), dtype=object)
        for j, values in enumerate(series):
            out[:, j] = np.asarray(values, dtype=object)
        return out

    def _restore_column(self, j, values):
        return restore_values(values, self.types[j], self.dtypes[j],
                              resolution=self.resolution.get(j, 1),
                              offset=self.offsets.get(j, 0),
                              array_input=self.array_dtype is not None,
                              format=self.formats.get(j))
