"""Validation helpers shared by the pruners: numeric matrices and mixed tables.

Every pruner validates its rows through :func:`_validate_rows`. At ``fit`` it
decides, once, how the pruner sees rows:

- a plain numeric matrix (every column numbers or booleans, no missing value)
  takes the numeric path it always took (scikit-learn's ``validate_data``,
  with errors naming the offending columns), so the numbers stay exactly the
  same;
- any other table (strings, categories, datetimes, durations, missing values)
  is validated as a mixed table and, for pruners that need numbers, encoded by
  an encoder fitted on the real rows and applied unchanged to every candidate
  table: one-hot categories plus standardised numbers and missing indicators
  (:func:`_tabular_encoder`, for classifiers), or the column coding of the
  Gower distance (:class:`~._gower._GowerEncoder`, for distances).

Candidates follow the path chosen at ``fit``.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import _check_y, check_consistent_length

from ..generators._table_spec import _infer_type
from ..utils._validation import (
    _PRUNER_MISSING_FIX,
    _PRUNER_TYPES_FIX,
    _list_columns,
    _non_numeric_columns,
    _validate_numeric,
    _validate_table,
)


def _is_plain_numeric(X):
    """Whether ``X`` takes the numeric path: numbers or booleans only, no missing value.

    Containers whose columns cannot be inspected (sparse matrices, ragged lists,
    arrays that are not 2-D, complex numbers) take it too, so that scikit-learn
    reports what is wrong with them as before.
    """
    if sp.issparse(X):
        return True
    if isinstance(X, pd.DataFrame):
        return not _non_numeric_columns(X) and not X.isna().to_numpy().any()
    try:
        values = np.asarray(X)
    except (TypeError, ValueError):
        return True
    if values.ndim != 2 or values.dtype.kind in "biuc":
        return True
    if values.dtype.kind == "f":
        return not np.isnan(values).any()
    if values.dtype.kind != "O" or _non_numeric_columns(values):
        return False
    try:
        return not np.isnan(values.astype(np.float64)).any()
    except (TypeError, ValueError):
        return False


def _durations_as_numbers(frame):
    """Copy of ``frame`` whose timedelta columns are float nanoseconds (NaN for NaT)."""
    durations = [j for j, dtype in enumerate(frame.dtypes) if dtype.kind == "m"]
    if not durations:
        return frame
    frame = frame.copy()
    for j in durations:
        column = frame.iloc[:, j]
        values = column.to_numpy(dtype="timedelta64[ns]").view("int64").astype(np.float64)
        values[column.isna().to_numpy()] = np.nan
        frame.isetitem(j, values)
    return frame


def _column_types(frame):
    """``{column: type}`` for every column, each typed from its values.

    Declaring every column keeps the encoders from taking a column for an
    identifier: a pruner compares rows, and a copied identifier is part of a
    copied row.
    """
    return {name: _infer_type(column) for name, column in frame.items()}


def _tabular_encoder(frame):
    """Encoder for a classifier: one-hot categories, z-scored numbers, missing indicators."""
    from ..generators import TabularEncoder

    return TabularEncoder(column_types=_column_types(frame), numeric_method="standard",
                          handle_unknown="ignore")


def _gower_encoder(frame):
    """Encoder for the Gower distance: numbers, category codes, NaN for missing."""
    from ._gower import _GowerEncoder

    return _GowerEncoder(_column_types(frame))


def _refuse_non_numeric_candidates(pruner, X):
    """Name the columns that are not numbers when the pruner was fitted on numbers."""
    if isinstance(X, pd.DataFrame) and X.shape[1] == 0:
        return  # scikit-learn's message for zero columns
    bad = _non_numeric_columns(X)
    if bad:
        raise TypeError(
            f"{type(pruner).__name__} was fitted on numeric columns, so candidate rows must "
            f"hold numbers too, but these columns are not numbers: {_list_columns(bad)}. For "
            f"these columns, {_PRUNER_TYPES_FIX}."
        )


def _validate_rows(pruner, X, y="no_validation", *, reset=True, encoder=None,
                   as_table=False, **check_params):
    """Validate real (``reset=True``) or candidate rows for a pruner.

    Parameters
    ----------
    pruner : estimator
        The pruner; ``n_features_in_`` / ``feature_names_in_`` are set or checked,
        and at ``fit`` the chosen path is stored on it (``encoder_`` when
        ``encoder`` is given).
    X : array-like or DataFrame of shape (n_samples, n_features)
        Real or candidate rows.
    y : array-like, None or "no_validation", default="no_validation"
        Labels validated with the real rows (``reset=True`` only).
    reset : bool, default=True
        ``True`` at ``fit`` (real rows), ``False`` for candidates.
    encoder : callable or None, default=None
        ``encoder(frame)`` returns the unfitted encoder (``fit(frame)``,
        ``transform(frame)``) of a mixed table; ``None`` for a pruner that does
        not use the values (the table is only validated).
    as_table : bool, default=False
        Take the table path for a plain numeric matrix too: encode it
        (``DistancePruner(metric="gower")``), or accept any table as candidates
        (``BernoulliVerifier``, which does not use the values).
    **check_params
        Passed to ``validate_data`` on the numeric path.

    Returns
    -------
    X : ndarray, or DataFrame for a mixed table without ``encoder``
        The rows, encoded when the pruner was fitted on a mixed table.
    y : ndarray
        Only when ``y`` is validated.
    """
    with_y = not (isinstance(y, str) and y == "no_validation")
    if reset:
        table = as_table or not _is_plain_numeric(X)
        pruner._table_rows = table
    else:
        table = getattr(pruner, "_table_rows", False)
    if not table:
        if not reset:
            _refuse_non_numeric_candidates(pruner, X)
        if encoder is not None and reset:
            pruner.encoder_ = None
        return _validate_numeric(pruner, X, y, reset=reset, fix=_PRUNER_TYPES_FIX,
                                 missing_fix=_PRUNER_MISSING_FIX, **check_params)
    frame = _validate_table(pruner, X, reset=reset)
    if with_y:
        if y is None:  # scikit-learn's message
            raise ValueError(
                f"This {type(pruner).__name__} estimator requires y to be passed, but the "
                "target y is None."
            )
        y = _check_y(y, estimator=pruner)
        check_consistent_length(frame, y)
    frame = _durations_as_numbers(frame)
    if reset and encoder is not None:
        pruner.encoder_ = encoder(frame).fit(frame)
    fitted = getattr(pruner, "encoder_", None)
    if fitted is not None:
        frame = fitted.transform(frame)
    return (frame, y) if with_y else frame


def _mixed_input_tags(tags):
    """Input tags of a pruner that takes mixed tables (strings, categories, NaN)."""
    tags.input_tags.allow_nan = True
    tags.input_tags.categorical = True
    tags.input_tags.string = True
    return tags


def _check_candidate_labels(y, n_samples, *, name="y"):
    """Validate the candidate labels passed to ``keep_mask``/``score_samples``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Candidate labels (any hashable, sortable dtype).
    n_samples : int
        Number of rows of the validated ``X``.
    name : str, default="y"
        Name used in error messages.

    Returns
    -------
    y : ndarray of shape (n_samples,)
    """
    y = np.asarray(y.to_numpy() if isinstance(y, (pd.Series, pd.DataFrame)) else y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(
            f"{name} must be one-dimensional with shape (n_samples,), got shape {y.shape}."
        )
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X and {name} have inconsistent numbers of samples: {n_samples} and "
            f"{y.shape[0]}; pass one label per row of X."
        )
    if y.dtype.kind in "fc" and not np.all(np.isfinite(y)):
        raise ValueError(f"Input {name} contains NaN or infinity; remove or impute those rows.")
    if y.dtype == object and pd.isna(y).any():
        raise ValueError(f"Input {name} contains NaN; remove or impute those rows.")
    return y


def _check_correct(correct, n_samples, *, owner):
    """Validate a ground-truth mask: ``True`` where the row's label is correct.

    Parameters
    ----------
    correct : array-like of bool of shape (n_samples,) or None
        The mask. Integers 0/1 are accepted; ``None`` raises.
    n_samples : int
        Number of rows of the validated ``X``.
    owner : str
        What needs the mask, for the error message.

    Returns
    -------
    correct : ndarray of bool of shape (n_samples,)
    """
    if correct is None:
        raise ValueError(
            f"{owner} needs the ground truth: pass correct=<boolean array of shape "
            f"(n_samples,)>, True where the row's label is correct (e.g. "
            f"correct = (y_candidate == y_true))."
        )
    correct = np.asarray(
        correct.to_numpy() if isinstance(correct, (pd.Series, pd.DataFrame)) else correct
    )
    if correct.ndim != 1:
        raise ValueError(
            f"correct must be one-dimensional with shape (n_samples,), got shape "
            f"{correct.shape}."
        )
    if correct.shape[0] != n_samples:
        raise ValueError(
            f"X and correct have inconsistent numbers of samples: {n_samples} and "
            f"{correct.shape[0]}; pass one truth value per row of X."
        )
    if correct.dtype == bool:
        return correct
    if correct.dtype.kind in "iuf" and np.all(np.isin(correct, (0, 1))):
        return correct.astype(bool)
    raise ValueError(
        "correct must be a boolean mask (or 0/1 integers), True where the row's label "
        f"is correct; got dtype {correct.dtype}."
    )
