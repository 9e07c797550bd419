"""What ``fit`` saw of ``X`` and ``y``: the containers samples are restored into.

:class:`_ContainerSpec` records a numeric ``X`` (ndarray or DataFrame, columns,
dtypes) and restores float samples into it; :class:`_TargetSpec` records ``y``
(task, classes, container) and encodes and decodes labels.
"""

import numpy as np
import pandas as pd
from sklearn.utils.multiclass import type_of_target

from .utils._integers import _float_to_int


class _ContainerSpec:
    """What ``fit`` saw of ``X`` (and ``y``) so samples come back alike.

    Records the container type (ndarray or DataFrame), column names and dtypes,
    so that :meth:`restore` turns a float matrix of samples back into the same
    kind of object, with integer columns rounded and boolean columns thresholded.
    """

    def __init__(self, X):
        self.is_frame = isinstance(X, pd.DataFrame)
        if self.is_frame:
            self.columns = X.columns.copy()
            self.dtypes = X.dtypes.copy()
            self.dtype = None
        else:
            self.columns = None
            self.dtypes = None
            dtype = getattr(X, "dtype", None)
            self.dtype = dtype if dtype is not None and dtype.kind == "f" else np.float64

    def restore(self, X):
        """Return ``X`` (n_samples, n_features) float array in the fitted container."""
        if not self.is_frame:
            return np.asarray(X, dtype=self.dtype)
        frame = pd.DataFrame(X, columns=self.columns)
        for column, dtype in self.dtypes.items():
            frame[column] = _cast_numeric(frame[column].to_numpy(), dtype)
        return frame


def _cast_numeric(values, dtype):
    """Cast a float column to ``dtype``: round integers (clipped), threshold booleans."""
    if pd.api.types.is_bool_dtype(dtype):
        values = values >= 0.5
    elif pd.api.types.is_integer_dtype(dtype):
        values = _float_to_int(values, dtype)  # clipped inside the range: no wrap
    return pd.Series(values, copy=False).astype(dtype).array


class _TargetSpec:
    """What ``fit`` saw of ``y``: task type, classes and container."""

    def __init__(self, y, *, allow_regression):
        self.name = y.name if isinstance(y, pd.Series) else None
        self.is_series = isinstance(y, pd.Series)
        y_arr = np.asarray(y)
        if y_arr.ndim != 1:
            raise ValueError(
                f"y must be one-dimensional with shape (n_samples,), got shape {y_arr.shape}."
            )
        if y_arr.dtype.kind in "fc" and not np.all(np.isfinite(y_arr)):
            raise ValueError("Input y contains NaN or infinity; remove or impute those rows.")
        if y_arr.dtype == object and pd.isna(y_arr).any():
            raise ValueError("Input y contains NaN; remove or impute those rows.")
        target_type = type_of_target(y_arr, input_name="y", raise_unknown=True)
        if target_type in ("binary", "multiclass"):
            self.task = "classification"
            self.classes, self.encoded = np.unique(y_arr, return_inverse=True)
            self.dtype = y_arr.dtype
        elif target_type == "continuous":
            if not allow_regression:
                raise ValueError(
                    "y must hold class labels for this generator (got a continuous "
                    "target); use GaussianGenerator to model a regression target jointly."
                )
            self.task = "regression"
            self.classes = None
            self.encoded = y_arr.astype(np.float64)
            self.dtype = y_arr.dtype
        else:
            raise ValueError(
                f"Unsupported target type {target_type!r} for y: pass class labels or a "
                "one-dimensional continuous target."
            )

    def encode(self, y, n_rows=None):
        """Validate labels and return class indices or floats.

        ``n_rows``: the number of rows of the ``X`` that ``y`` goes with (scoring);
        a different length is an error.
        """
        y_arr = np.asarray(y)
        if y_arr.ndim != 1:
            raise ValueError(f"y must be one-dimensional, got shape {y_arr.shape}.")
        if n_rows is not None and len(y_arr) != n_rows:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {n_rows} and {len(y_arr)}."
            )
        if self.task == "regression":
            try:
                values = y_arr.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise TypeError("y must be numeric for a regression target.") from exc
            if not np.all(np.isfinite(values)):
                raise ValueError("y contains NaN or infinity; pass finite targets.")
            return values
        index = np.searchsorted(self.classes, y_arr)
        index = np.clip(index, 0, len(self.classes) - 1)
        unseen = self.classes[index] != y_arr
        if np.any(unseen):
            bad = np.unique(y_arr[unseen])[:5].tolist()
            raise ValueError(
                f"y contains labels never seen in fit: {bad}; the fitted classes are "
                f"{self.classes.tolist()}."
            )
        return index

    def decode(self, y_enc):
        """Turn class indices (or floats) back into labels in the fitted container."""
        if self.task == "classification":
            values = self.classes[y_enc]
        else:
            values = np.asarray(y_enc, dtype=self.dtype if self.dtype.kind == "f" else float)
        if self.is_series:
            return pd.Series(values, name=self.name)
        return values
