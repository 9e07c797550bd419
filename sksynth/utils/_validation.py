"""Input validation shared by every estimator: numeric matrices and mixed tables.

- :func:`_validate_numeric` is ``validate_data`` for numeric-only estimators
  (Gaussian generators; pruners on a plain numeric matrix), with errors that
  name the offending column
  and the estimator that would take it;
- :func:`_validate_table` checks a mixed table (array or DataFrame) and records
  ``n_features_in_`` / ``feature_names_in_`` without converting it to numbers.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import check_array, validate_data


_MIXED_TYPES_FIX = (
    "use GaussianCopulaGenerator, which models mixed column types (numbers, categories, "
    "text labels, dates), or drop or encode these columns"
)
#: The fixes named when a numeric-only generator is given missing values.
_MISSING_FIX = (
    "impute them first (e.g. sklearn.impute.SimpleImputer) or drop those rows; "
    "GaussianCopulaGenerator models missing values"
)
#: The fix named when a pruner fitted on a numeric matrix meets NaN (or infinity anywhere).
_PRUNER_MISSING_FIX = (
    "impute them or drop those rows; a pruner encodes missing values (NaN) itself when "
    "the real rows it is fitted on hold some, but never takes infinite values"
)
#: The fix named when a pruner fitted on a numeric matrix is given columns that are not numbers.
_PRUNER_TYPES_FIX = (
    "encode them as numbers as the real rows were, or fit the pruner on the real rows with "
    "these columns as they are (a pruner fitted on a mixed table encodes it itself)"
)


def _column_names(X):
    """Names to show for the columns of ``X``: its labels, or ``column j``."""
    if isinstance(X, pd.DataFrame):
        return [repr(name) for name in X.columns]
    return [f"column {j}" for j in range(np.shape(X)[1])]


def _not_a_number_reason(values):
    """Why a 1-D object array is not numeric (``None`` if every present value is a number)."""
    present = values[~pd.isna(values)]
    try:
        present.astype(np.float64)
    except (TypeError, ValueError) as exc:
        return f"object values; {exc}"
    return None


def _list_columns(bad):
    """``"name (reason); ..."`` for the first five ``(name, reason)`` pairs, and how many more."""
    shown = "; ".join(f"{name} ({reason})" for name, reason in bad[:5])
    return shown + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")


def _non_numeric_columns(X):
    """``[(name, reason)]`` for the columns of a 2-D ``X`` that do not hold numbers.

    Only containers whose column types are known are inspected (DataFrames,
    ndarrays, lists); anything else is left to scikit-learn's validation.
    """
    if isinstance(X, pd.DataFrame):
        found = []
        for name, (_, column) in zip(_column_names(X), X.items()):
            dtype = column.dtype
            if isinstance(dtype, pd.CategoricalDtype):
                found.append((name, "category"))
            elif pd.api.types.is_bool_dtype(dtype) or (
                pd.api.types.is_numeric_dtype(dtype)
                and not pd.api.types.is_timedelta64_dtype(dtype)
            ):
                continue
            elif dtype == object:
                reason = _not_a_number_reason(column.to_numpy())
                if reason is not None:
                    found.append((name, reason))
            else:  # datetime, timedelta, period, interval, string, ...
                found.append((name, str(dtype)))
        return found
    if isinstance(X, (list, tuple)):
        try:
            X = np.asarray(X)
        except ValueError:  # ragged: scikit-learn says so
            return []
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype.kind in "biufc":
        return []
    if X.dtype.kind in "mM":
        return [(name, str(X.dtype)) for name in _column_names(X)]
    found = []
    for name, values in zip(_column_names(X), X.T):
        reason = _not_a_number_reason(values.astype(object))
        if reason is not None:
            found.append((name, reason))
    return found


def _check_numeric_columns(estimator, X, *, fix=_MIXED_TYPES_FIX):
    """Refuse, naming them, the columns of ``X`` a numeric-only estimator cannot take.

    Also refuses a DataFrame without columns with scikit-learn's message (pandas
    would otherwise fail on the dtype of an empty selection).
    """
    if isinstance(X, pd.DataFrame) and X.shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
            f"required by {type(estimator).__name__}; pass at least one column."
        )
    bad = _non_numeric_columns(X)
    if bad:
        raise TypeError(
            f"{type(estimator).__name__} takes numeric columns only, but these columns "
            f"are not numbers: {_list_columns(bad)}. For these columns, {fix}."
        )


def _check_representable_scale(estimator, X, names):
    """Refuse columns whose variance overflows float64 (e.g. values near 1e300).

    Covariances, standardisation and Cholesky factors all square the centred
    values; past about 1e154 those squares are infinite and every later
    number is NaN, so refuse with the columns to rescale instead.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.size == 0:
        return
    with np.errstate(over="ignore", invalid="ignore"):
        mean = X.mean(axis=0)
        # the sum of squares is what a covariance or a standard deviation computes
        spread = np.sum((X - mean) ** 2, axis=0)
    bad = np.flatnonzero(~(np.isfinite(mean) & np.isfinite(spread)))
    if bad.size:
        shown = ", ".join(
            f"{names[j]} (values up to {np.max(np.abs(X[:, j])):.3g})" for j in bad[:5]
        )
        raise ValueError(
            f"{type(estimator).__name__} cannot represent column(s) {shown}: their variance "
            "overflows float64. Rescale those columns before fitting (e.g. divide by a "
            "power of ten or take a logarithm) and undo it on the synthetic rows."
        )


def _check_missing_columns(estimator, X, exc, fix):
    """Re-raise scikit-learn's NaN/infinity error naming the columns that hold them."""
    try:
        values = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise exc from None
    if values.ndim != 2:
        raise exc from None
    missing = np.isnan(values).sum(axis=0)
    infinite = np.isinf(values).sum(axis=0)
    names = _column_names(X if isinstance(X, pd.DataFrame) else values)
    shown = []
    for j in np.flatnonzero((missing > 0) | (infinite > 0))[:5]:
        counts = [f"{count} {what}" for count, what in
                  ((missing[j], "NaN"), (infinite[j], "infinite")) if count]
        shown.append(f"{names[j]} ({', '.join(counts)})")
    if not shown:
        raise exc from None
    first_line = str(exc).splitlines()[0]  # scikit-learn's "Input X contains NaN."
    raise ValueError(
        f"{first_line} {type(estimator).__name__} does not model missing or infinite "
        "values (NaN, inf), "
        f"but these columns hold some: {', '.join(shown)}. For these values, {fix}."
    ) from exc


def _validate_numeric(estimator, X, y="no_validation", *, reset=True, fix=_MIXED_TYPES_FIX,
                      missing_fix=_MISSING_FIX, check_scale=None, **check_params):
    """``validate_data`` for numeric-only estimators, with errors that name the column.

    Non-numeric columns (text, category, datetime, Timestamp objects) and a
    DataFrame without columns are refused before conversion; when fitting
    (``check_scale`` defaults to ``reset``), so are columns whose variance
    overflows. Returns what ``validate_data`` returns.
    """
    _check_numeric_columns(estimator, X, fix=fix)
    # y is passed through as given: validate_data reports a missing y itself
    try:
        out = validate_data(estimator, X, y, reset=reset, **check_params)
    except ValueError as exc:
        if "NaN" not in str(exc) and "infinity" not in str(exc):
            raise
        _check_missing_columns(estimator, X, exc, missing_fix)
    no_y = y is None or (isinstance(y, str) and y == "no_validation")
    X_valid = out if no_y else out[0]
    check_scale = reset if check_scale is None else check_scale
    if check_scale and isinstance(X_valid, np.ndarray) and X_valid.ndim == 2:
        names = _column_names(X if isinstance(X, pd.DataFrame) else X_valid)
        _check_representable_scale(estimator, X_valid, names)
    return out


def _validate_table(estimator, X, *, reset):
    """Check a mixed table and return it as a DataFrame (columns as passed or 0..p-1).

    Numbers stay numbers and strings stay strings; ``n_features_in_`` and
    ``feature_names_in_`` are set (``reset=True``) or checked (``reset=False``).
    """
    if sp.issparse(X):
        raise TypeError(
            f"{type(estimator).__name__} does not accept sparse input (a sparse matrix was "
            "passed); pass a dense array or a DataFrame, e.g. X.toarray()."
        )
    if isinstance(X, pd.DataFrame):
        validate_data(estimator, X, reset=reset, skip_check_array=True)
        frame = X
        if frame.shape[1] == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={frame.shape}) while a minimum of 1 "
                "is required."
            )
        if frame.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={frame.shape}) while a minimum of 1 "
                "is required."
            )
        for name, column in frame.items():
            if column.dtype.kind == "c":
                raise ValueError(f"Complex data not supported (column {name!r}).")
            if column.dtype.kind == "f" and np.isinf(column.to_numpy()).any():
                raise ValueError(
                    f"Input X contains infinity in column {name!r}; replace it by a finite "
                    "value or NaN (missing)."
                )
    else:
        X = check_array(
            X, dtype=None, ensure_all_finite="allow-nan", input_name="X", estimator=estimator
        )
        if X.dtype.kind == "c":
            raise ValueError("Complex data not supported.")
        validate_data(estimator, X, reset=reset, skip_check_array=True)
        frame = pd.DataFrame(X, copy=False)
    return frame
