"""One numeric or datetime column between fixed bounds, as a logit (or a log) of it."""

from numbers import Real

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.utils._param_validation import Interval, StrOptions

from ..utils._columns import text_datetime_format
from ._base import (
    _ORDERED,
    BaseConstraint,
    _as_bound,
    _as_floats,
    _from_log_distance,
    _modelled_floats,
    _positive_scale,
    _restore_on_grid,
    _step_of,
    _to_log_distance,
)

__all__ = ["Range"]

#: Share of the logit scale kept off each bound, so that values on a bound are finite.
_EDGE = 1e-6


class Range(BaseConstraint):
    """Column values lie in ``[low, high]`` (either bound may be left open).

    With both bounds the generator models ``z = logit(e + (1 - 2e) u)``, where
    ``u = (x - low) / (high - low)`` and ``e = 1e-6`` keeps values on a bound
    finite; with one bound, the distance to it on a log scale,
    ``z = log1p(|x - bound| / s)``. Any ``z`` decodes into the range, so every
    sampled row satisfies it. Integer columns are rounded inside
    ``[ceil(low), floor(high)]``; datetimes keep their resolution. Missing
    values are allowed and kept.

    Conditions on the column are translated (the map is one to one).

    Parameters
    ----------
    column : str or int
        The constrained column.
    low, high : float, datetime-like or None, default=None
        The bounds (inclusive), at least one of them; datetime columns take
        anything ``pandas.Timestamp`` reads.
    scale : float or None, default=None
        Unit ``s`` of the log scale when only one bound is given (the column's
        units; nanoseconds for datetimes). ``None`` uses the median distance of
        the training values from the bound.
    on_violation : {"raise", "drop"}, default="raise"
        What ``fit`` does with training rows outside the range.

    See Also
    --------
    Inequality : One column at least another.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sksynth.constraints import Range
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> X = pd.DataFrame({"share": np.random.default_rng(0).beta(2, 5, 300)})
    >>> gen = GaussianCopulaGenerator(marginals="kde", constraints=[Range("share", 0, 1)],
    ...                               random_state=0).fit(X)
    >>> bool(gen.sample(1000)["share"].between(0, 1).all())
    True
    """

    _parameter_constraints = {
        **BaseConstraint._parameter_constraints,
        "column": [str, int],
        "low": "no_validation",
        "high": "no_validation",
        "scale": [None, Interval(Real, 0, None, closed="neither")],
        "on_violation": [StrOptions({"raise", "drop"})],
    }
    _accepted_types = _ORDERED

    def __init__(self, column, low=None, high=None, *, scale=None, on_violation="raise"):
        self.column = column
        self.low = low
        self.high = high
        self.scale = scale
        self.on_violation = on_violation

    @property
    def columns(self):
        return [self.column]

    def _check_types(self, types):
        super()._check_types(types)
        self.kind_ = "datetime" if types[self.column] == "datetime" else "numeric"
        self.type_ = types[self.column]
        self.low_ = _as_bound(self.low, self.kind_, "low")
        self.high_ = _as_bound(self.high, self.kind_, "high")
        if self.low_ is None and self.high_ is None:
            raise ValueError(f"{self!r} needs a low or a high bound (or both).")
        if self.low_ is not None and self.high_ is not None and not self.low_ < self.high_:
            raise ValueError(f"{self!r}: low must be below high.")
        if self.type_ == "integer":  # the integers inside the bounds
            self.low_ = None if self.low_ is None else float(np.ceil(self.low_))
            self.high_ = None if self.high_ is None else float(np.floor(self.high_))

    def _values(self, X):
        return _as_floats(X[self.column], getattr(self, "kind_", "numeric"))

    def is_valid(self, X):
        """Whether each row's value lies in the range (missing values do).

        Parameters
        ----------
        X : DataFrame of shape (n_samples, n_features)

        Returns
        -------
        valid : ndarray of shape (n_samples,) of bool
        """
        if not hasattr(self, "kind_"):
            self._check_types({self.column: "datetime" if pd.api.types.is_datetime64_any_dtype(
                X[self.column].dtype) else "numeric"})
        x = self._values(X)
        with np.errstate(invalid="ignore"):
            bad = np.zeros(x.shape, dtype=bool)
            if self.low_ is not None:
                bad |= x < self.low_
            if self.high_ is not None:
                bad |= x > self.high_
        return ~bad

    def _fit(self, X, types):
        x = self._values(X)
        self.step_ = _step_of(types[self.column], x)
        self.dtype_ = X[self.column].dtype
        self.format_ = (text_datetime_format(X[self.column]) if self.kind_ == "datetime"
                        else None)
        if self.low_ is not None and self.high_ is not None:
            self.scale_ = None
        else:
            self.scale_ = (float(self.scale) if self.scale is not None
                           else _positive_scale(self._distance(x)))
        return self

    def _distance(self, x):
        return x - self.low_ if self.low_ is not None else self.high_ - x

    def transform(self, X):
        """Replace the column by its logit (two bounds) or log distance (one bound).

        Parameters
        ----------
        X : DataFrame of shape (n_samples, n_features)

        Returns
        -------
        Xt : DataFrame of shape (n_samples, n_features)
        """
        x = self._values(X)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.scale_ is None:
                u = (x - self.low_) / (self.high_ - self.low_)
                z = logit(_EDGE + (1 - 2 * _EDGE) * np.clip(u, 0.0, 1.0))
            else:
                z = _to_log_distance(self._distance(x), self.scale_)
        out = X.copy()
        out[self.column] = z
        return out

    def inverse_transform(self, Xt):
        """Map the modelled column back into the range.

        Parameters
        ----------
        Xt : DataFrame of shape (n_samples, n_features)

        Returns
        -------
        X : DataFrame of shape (n_samples, n_features)
        """
        z = _modelled_floats(Xt, self.column)
        with np.errstate(over="ignore", invalid="ignore"):
            if self.scale_ is None:
                u = np.clip((expit(z) - _EDGE) / (1 - 2 * _EDGE), 0.0, 1.0)
                x = self.low_ + u * (self.high_ - self.low_)
            else:
                d = _from_log_distance(z, self.scale_)
                x = self.low_ + d if self.low_ is not None else self.high_ - d
        if self.step_ > 0:
            x = np.floor(x / self.step_ + 0.5) * self.step_
        lo = -np.inf if self.low_ is None else self.low_
        hi = np.inf if self.high_ is None else self.high_
        if self.step_ > 0:  # the grid points inside the bounds
            lo = np.ceil(lo / self.step_) * self.step_ if np.isfinite(lo) else lo
            hi = np.floor(hi / self.step_) * self.step_ if np.isfinite(hi) else hi
        x = np.where(np.isnan(x), np.nan, np.clip(x, lo, hi))
        out = Xt.copy()
        out[self.column] = _restore_on_grid(x, self.kind_, self.type_, self.dtype_, self.step_,
                                            self.format_)
        return out

    def _log_jacobian(self, X):
        x = self._values(X)
        if self.scale_ is None:
            width = self.high_ - self.low_
            p = _EDGE + (1 - 2 * _EDGE) * np.clip((x - self.low_) / width, 0.0, 1.0)
            return np.log(1 - 2 * _EDGE) - np.log(width) - np.log(p * (1 - p))
        return -np.log(self.scale_ + np.maximum(self._distance(x), 0.0))

    def _conditions(self, conditions, n_rows, rng):
        if self.column not in conditions:
            return conditions
        value = conditions[self.column]
        frame = pd.DataFrame({self.column: np.broadcast_to(value, (n_rows,))})
        if not self.is_valid(frame).all():
            raise ValueError(f"the condition on {self.column!r} lies outside {self!r}.")
        z = self.transform(frame)[self.column].to_numpy()
        out = dict(conditions)
        out[self.column] = z if np.ndim(value) else (float(z[0]) if n_rows else np.nan)
        return out

    def _public_domain(self):
        if self.scale_ is not None:
            return None
        edge = float(logit(_EDGE))
        return "bounds", self.column, (edge, -edge)

    def _modelled_types(self):
        return {self.column: "numeric"}
