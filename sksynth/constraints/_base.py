"""What every constraint shares: the protocol, validity checks of training rows, and
:class:`ConstraintSet`, which applies a list of constraints around a generator's model.

A constraint is a *reversible reparameterisation* of some columns: ``transform``
maps rows that satisfy it onto columns on which every value is allowed (a gap on a
log scale, a logit, one categorical for a combination), the generator models those,
and ``inverse_transform`` maps whatever the model draws back onto rows that satisfy
the constraint. So every sampled row is valid by construction, with no rejection.
"""

import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from ..utils._columns import infer_type, restore_values, to_datetime_ns

__all__ = ["BaseConstraint", "ConstraintSet"]

#: Column types a built-in constraint may read as numbers.
_ORDERED = ("numeric", "integer", "datetime")
#: Types whose values are never modelled, hence never constrained.
_UNMODELLED = ("id",)


class BaseConstraint(BaseEstimator):
    """Base class of the built-in constraints (and a template for your own).

    A constraint implements this small protocol, on DataFrames whose columns
    are named as in the training table:

    - ``columns`` : list of the column names it reads;
    - ``rewrites`` (optional) : those of ``columns`` that ``transform``
      replaces (default: all of them);
    - ``fit(X)`` (optional) : learn what the reparameterisation needs;
    - ``is_valid(X)`` : boolean array of shape (n_rows,), which rows satisfy it;
    - ``transform(X)`` : a DataFrame in which the constrained columns are
      replaced by unconstrained ones (any value of them must decode to a valid
      row);
    - ``inverse_transform(Xt)`` : the original columns back, valid for any
      values of the transformed ones.

    Constraints are applied in an order in which no constraint reads a column
    that another has already rewritten (see :class:`ConstraintSet`), and
    inverted in the reverse order; no two constraints may rewrite the same
    column. A user-written constraint needs only those
    methods and ``columns``; it can be any object, ``sample(conditions=...)``
    refuses conditions on its columns.

    Parameters
    ----------
    on_violation : {"raise", "drop"}
        What ``fit`` does with training rows that violate the constraint:
        raise a ``ValueError`` naming them, or drop them (with a warning that
        counts them).
    """

    _parameter_constraints = {"on_violation": [str]}

    #: Column types this constraint accepts (None: any modelled type).
    _accepted_types = None

    # -- hooks of the built-ins ---------------------------------------------------
    def _fit(self, X, types):
        """Learn from the valid training rows ``X``; ``types`` = ``{column: type}``."""

    def _log_jacobian(self, X):
        """``log |d transform / d x|`` of each row, for scoring (0 for discrete maps)."""
        return np.zeros(X.shape[0])

    def _conditions(self, conditions, n_rows, rng):
        """Translate ``conditions`` on original columns into conditions after ``transform``.

        This default refuses conditions on the columns the constraint rewrites.
        """
        _refuse_conditions(self, conditions)
        return conditions

    def _modelled_types(self):
        """``{column: type}`` of the columns that ``transform`` writes."""
        return {}

    def _bad_rows(self, X):
        """Rows that cannot be modelled although not invalid (default: none)."""
        return np.zeros(X.shape[0], dtype=bool)

    # -- protocol -------------------------------------------------------------------
    def fit(self, X, y=None):
        """Learn the reparameterisation from valid rows ``X`` (a DataFrame).

        Parameters
        ----------
        X : DataFrame of shape (n_samples, n_features)
            Training rows; they must satisfy the constraint.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        self._validate_params()
        types = {c: infer_type(X[c]) for c in self.columns}
        self._check_types(types)
        bad = _invalid_rows(self, X)
        if bad.any():
            raise ValueError(_violation_message(self, X, bad))
        self._fit(X, types)
        return self

    def _check_types(self, types):
        if self._accepted_types is None:
            return
        for column in self.columns:
            if types[column] not in self._accepted_types:
                raise ValueError(
                    f"{self!r}: column {column!r} is {types[column]}, but this constraint "
                    f"needs {' or '.join(self._accepted_types)} columns; set the column's "
                    "type with column_types if it is mistyped."
                )


def _invalid_rows(constraint, X):
    """Rows that break ``constraint`` or that it cannot represent (``_bad_rows``)."""
    bad = ~np.asarray(constraint.is_valid(X), dtype=bool)
    if hasattr(constraint, "_bad_rows"):
        bad |= constraint._bad_rows(X)
    return bad


def _refuse_conditions(constraint, conditions):
    asked = sorted(set(_written(constraint)) & set(conditions), key=str)
    if asked:
        raise ValueError(
            f"cannot condition on {asked}: {constraint!r} rewrites them and cannot translate "
            "conditions; condition on other columns."
        )


def _violation_message(constraint, X, bad):
    rows = np.flatnonzero(bad)
    shown = X.iloc[rows[:3]][list(constraint.columns)].to_dict("records")
    return (
        f"{rows.size} training row(s) violate {constraint!r} (rows {rows[:5].tolist()}"
        f"{' ...' if rows.size > 5 else ''}, e.g. {shown}); fix the data, or pass "
        "on_violation='drop' to the constraint to leave these rows out of the fit."
    )


def _columns_of(constraint):
    columns = getattr(constraint, "columns", None)
    if columns is None or isinstance(columns, (str, numbers.Number)):
        raise TypeError(
            f"{constraint!r} has no list of `columns`: a constraint names the columns it "
            "reads and rewrites (see sksynth.constraints.BaseConstraint)."
        )
    return list(columns)


def _check_protocol(constraint):
    missing = [m for m in ("is_valid", "transform", "inverse_transform")
               if not callable(getattr(constraint, m, None))]
    if missing:
        raise TypeError(
            f"{constraint!r} is not a constraint: it lacks {missing} (see "
            "sksynth.constraints.BaseConstraint for the protocol)."
        )


def _as_floats(column, kind):
    """A numeric or datetime column as float64 (nanoseconds for datetimes), NaN for missing."""
    if kind == "datetime":
        return to_datetime_ns(column)
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _modelled_floats(Xt, column):
    """A column the model drew (a gap, a logit) as float64, NaN for missing."""
    return pd.to_numeric(Xt[column], errors="coerce").to_numpy(dtype=np.float64,
                                                               na_value=np.nan)


def _to_log_distance(distance, scale):
    """``log1p(d / s)`` of a distance ``d >= 0`` (0 stays 0: ties are an atom)."""
    return np.log1p(np.maximum(distance, 0.0) / scale)


def _from_log_distance(z, scale):
    """The inverse of :func:`_to_log_distance` for any ``z`` (``z < 0`` decodes to 0)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return scale * np.expm1(np.maximum(z, 0.0))


def _restore_on_grid(values, kind, type_, dtype, step, format):
    """Floats (ns for datetimes) back in the column's dtype, on its grid and format."""
    kind = "datetime" if kind == "datetime" else (
        "integer" if type_ == "integer" else "numeric")
    return restore_values(values, kind, dtype, resolution=max(int(step), 1), format=format)


def _as_bound(value, kind, name):
    """A bound given by the user as a float in the column's units (ns for datetimes)."""
    if value is None:
        return None
    if kind == "datetime":
        return float(pd.Timestamp(value).value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number for a {kind} column, got {value!r}.")
    return float(value)


def _step_of(kind, values):
    """The grid the decoded values must lie on: 1 for integers, the resolution for datetimes."""
    if kind == "integer":
        return 1.0
    if kind == "datetime":
        observed = values[~np.isnan(values)].astype(np.int64)
        for step in (86_400 * 10**9, 10**9, 10**6, 10**3):
            if np.all(observed % step == 0):
                return float(step)
        return 1.0
    return 0.0


def _positive_scale(values):
    """Median of the positive values (the unit of a log reparameterisation), 1 if none."""
    positive = values[np.isfinite(values) & (values > 0)]
    return float(np.median(positive)) if positive.size else 1.0


class ConstraintSet:
    """A fitted list of constraints: the generator template's view of them.

    ``fit`` checks the training rows (raising, or dropping those a constraint
    allows it to drop), orders the constraints so that none reads a column
    another has rewritten, and fits each on the valid rows. Then
    :meth:`transform` gives the frame the model sees, :meth:`inverse` turns
    what the model draws back into rows of the training table's container,
    :meth:`conditions` translates ``sample(conditions=...)``, :meth:`is_valid`
    and :meth:`log_jacobian` serve scoring. With no constraints every method is
    the identity.

    Parameters
    ----------
    constraints : list or None
        The generator's ``constraints`` parameter.
    column_types : dict or None
        The generator's ``column_types`` (types of the constrained columns).
    owner : str
        The generator's name, for messages.
    """

    def __init__(self, constraints, column_types, owner, min_group_size=1):
        self.constraints = [] if constraints is None else list(constraints)
        self.column_types = dict(column_types or {})
        self.owner = owner
        self.min_group_size = min_group_size

    def __bool__(self):
        return bool(self.constraints)

    # -- fit -------------------------------------------------------------------------
    def fit(self, frame, X):
        """Fit to the validated training ``frame`` (``X`` as passed, for its container).

        Returns
        -------
        frame_t : DataFrame or the input ``X``
            What the model is fitted to (``X`` itself without constraints).
        keep : ndarray of bool or None
            Training rows kept (None: all).
        """
        if not self.constraints:
            return X, None
        self.input_columns = frame.columns.copy()
        self.input_dtypes = list(frame.dtypes)
        self.is_frame = isinstance(X, pd.DataFrame)
        self.array_dtype = None if self.is_frame else np.asarray(X).dtype
        fitted = [clone(c, safe=False) for c in self.constraints]
        types = {}
        for c in fitted:
            _check_protocol(c)
            for column in _columns_of(c):
                if column not in frame.columns:
                    raise ValueError(
                        f"{c!r} names a column {column!r} that X does not have; the columns "
                        f"are {list(frame.columns)}."
                    )
                kind = self.column_types.get(column) or infer_type(frame[column])
                if kind in _UNMODELLED or kind not in (*_ORDERED, "categorical",
                                                         "ordinal", "boolean"):
                    raise ValueError(
                        f"{c!r} constrains column {column!r} of type {kind!r}, which is never "
                        "modelled (its values are made afresh); drop the constraint or set "
                        "the column's type with column_types."
                    )
                types[column] = kind
        keep = np.ones(frame.shape[0], dtype=bool)
        for c in fitted:
            if hasattr(c, "_check_types"):
                c._validate_params()
                c._check_types(types)
            bad = _invalid_rows(c, frame)
            if not bad.any():
                continue
            if getattr(c, "on_violation", "raise") != "drop":
                raise ValueError(_violation_message(c, frame, bad))
            warnings.warn(
                f"{self.owner}: dropped {int(bad.sum())} of {frame.shape[0]} training rows "
                f"that violate {c!r} (on_violation='drop').", UserWarning, stacklevel=4)
            keep &= ~bad
        if not keep.all():
            frame = frame.iloc[np.flatnonzero(keep)].reset_index(drop=True)
        self.fitted_ = self._ordered(fitted)
        for c in self.fitted_:
            if hasattr(c, "_fit"):  # parameters and types were checked above
                c._fit(frame, types)
                c.min_count_ = self.min_group_size
            elif callable(getattr(c, "fit", None)):
                c.fit(frame)
        self.types_ = types
        frame_t = self.transform(frame)
        self.model_columns_ = frame_t.columns.copy()
        return frame_t, (None if keep.all() else keep)

    def _ordered(self, fitted):
        """Constraints in an order where none reads a column that an earlier one rewrote.

        Constraint ``a`` reading (not rewriting) a column that ``b`` rewrites goes
        before ``b`` (Kahn's algorithm on those edges); a column rewritten twice, or a
        cycle, is an error.
        """
        writer = {}
        for c in fitted:
            for column in _written(c):
                if column in writer:
                    raise ValueError(
                        f"{writer[column]!r} and {c!r} both rewrite column {column!r}; "
                        "combine them into one constraint (e.g. list the columns in one "
                        "FixedCombinations) or drop one."
                    )
                writer[column] = c
        after = {id(c): set() for c in fitted}  # id(b) -> ids that must come before b
        for a in fitted:
            for column in set(_columns_of(a)) - set(_written(a)):
                if column in writer:
                    after[id(writer[column])].add(id(a))
        order, placed, pending = [], set(), list(fitted)
        while pending:
            ready = [c for c in pending if after[id(c)] <= placed]
            if not ready:
                raise ValueError(
                    "the constraints read and rewrite each other's columns in a cycle: "
                    f"{pending}; break the cycle."
                )
            order.append(ready[0])
            placed.add(id(ready[0]))
            pending.remove(ready[0])
        return order

    # -- the model's view ------------------------------------------------------------
    def transform(self, frame):
        """Rows as the model sees them (the identity without constraints)."""
        if not self.constraints:
            return frame
        out = frame
        for c in self.fitted_:
            out = c.transform(out)
        return out

    def inverse(self, X_t):
        """Rows the model drew (in its container) back in the training container."""
        if not self.constraints:
            return X_t
        frame = X_t if isinstance(X_t, pd.DataFrame) else pd.DataFrame(
            X_t, columns=self.model_columns_)
        for c in reversed(self.fitted_):
            frame = c.inverse_transform(frame)
        frame = frame[list(self.input_columns)].reset_index(drop=True)
        return self._container(frame)

    def _container(self, frame):
        if self.is_frame:
            return frame
        if self.array_dtype is not None and self.array_dtype.kind in "fiub":
            out_dtype = self.array_dtype if self.array_dtype.kind == "f" else np.float64
            return frame.to_numpy(dtype=np.float64, na_value=np.nan).astype(out_dtype,
                                                                             copy=False)
        return frame.to_numpy(dtype=object)

    def is_valid(self, frame):
        """Boolean array: which rows satisfy every constraint (and can be modelled)."""
        ok = np.ones(frame.shape[0], dtype=bool)
        for c in getattr(self, "fitted_", []):
            ok &= ~_invalid_rows(c, frame)
        return ok

    def log_jacobian(self, frame):
        """``log |d transform / d x|`` of each row (so scores are densities of the input)."""
        total = np.zeros(frame.shape[0])
        out = frame
        for c in getattr(self, "fitted_", []):
            if hasattr(c, "_log_jacobian"):
                with np.errstate(divide="ignore", invalid="ignore"):
                    total += np.nan_to_num(c._log_jacobian(out), nan=0.0)
            out = c.transform(out)
        return total

    def conditions(self, conditions, n_rows, rng):
        """``sample(conditions=...)`` on original columns, as conditions on the model's."""
        if not self.constraints or not conditions:
            return conditions
        conditions = dict(conditions)
        for c in self.fitted_:
            if hasattr(c, "_conditions"):
                conditions = c._conditions(conditions, n_rows, rng)
            else:
                _refuse_conditions(c, conditions)
        return conditions

    def model_column_types(self, column_types):
        """``column_types`` for the model's frame: the user's, plus those the constraints write."""
        if not self.constraints:
            return column_types
        rewritten = {col for c in self.fitted_ for col in _written(c)}
        out = {k: v for k, v in dict(column_types or {}).items() if k not in rewritten}
        for c in self.fitted_:
            if hasattr(c, "_modelled_types"):
                out.update(c._modelled_types())
        return {k: v for k, v in out.items() if k in self.model_columns_}

    def model_domains(self, bounds, categories):
        """Declared ``bounds`` / ``categories`` of a private generator, for the model's frame.

        Declarations of rewritten columns are dropped (they describe the input, not
        the rewritten values); the rewritten columns get the domains their
        constraints know without reading data (``_public_domain``), others are then
        read from the data by the generator and recorded as not private.
        Sets ``public_`` and ``ledger_note_``.
        """
        rewritten = {col for c in self.fitted_ for col in _written(c)}
        bounds = {k: v for k, v in dict(bounds or {}).items() if k not in rewritten}
        categories = {k: v for k, v in dict(categories or {}).items() if k not in rewritten}
        read = []
        for c in self.fitted_:
            domain = c._public_domain() if hasattr(c, "_public_domain") else None
            if domain is None:
                read.append(repr(c))
                continue
            kind, column, value = domain
            (bounds if kind == "bounds" else categories)[column] = value
        self.public_ = not read
        self.ledger_note_ = (
            "every constraint's reparameterisation is public (declared bounds or combinations)"
            if not read else
            f"{read} use statistics of the data (a scale, a gap's range, the combinations "
            "seen); Range with both bounds and FixedCombinations(combinations=...) are "
            "public")
        return bounds, categories

    def input_column_types(self, model_types):
        """``column_types_`` of the training table from those of the model's frame."""
        if not self.constraints:
            return model_types
        out = {}
        for column in self.input_columns:
            out[column] = self.types_.get(column, model_types.get(column))
        return out


def _written(constraint):
    written = getattr(constraint, "rewrites", None)
    return list(_columns_of(constraint) if written is None else written)


def _rewrites(constraint, column):
    return column in _written(constraint)
