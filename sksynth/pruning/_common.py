"""Validation helpers shared by the pruners."""

import numpy as np
import pandas as pd

from ..utils._validation import _PRUNER_MISSING_FIX, _PRUNER_TYPES_FIX, _validate_numeric


def _validate_rows(pruner, X, y="no_validation", *, reset=True, **check_params):
    """Validate real or candidate rows for a pruner (numeric columns only).

    Columns that are not numbers or hold NaN, a DataFrame without columns and (when
    fitting) columns whose variance overflows get an error naming them; the rest is
    scikit-learn's ``validate_data``.
    """
    return _validate_numeric(pruner, X, y, reset=reset, fix=_PRUNER_TYPES_FIX,
                             missing_fix=_PRUNER_MISSING_FIX, **check_params)


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
