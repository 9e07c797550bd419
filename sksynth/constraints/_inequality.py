"""``low <= high`` between two numeric or datetime columns, as a gap on a log scale."""

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval, StrOptions

from ..utils._columns import restore_values, text_datetime_format
from ._base import (
    _ORDERED,
    BaseConstraint,
    _as_floats,
    _from_log_distance,
    _modelled_floats,
    _positive_scale,
    _restore_on_grid,
    _step_of,
    _to_log_distance,
)

__all__ = ["Inequality"]


class Inequality(BaseConstraint):
    """Column ``high`` is at least column ``low`` in every row (``>`` if ``strict``).

    The generator models ``low`` as it is and, in place of ``high``, the gap
    ``g = high - low`` on a log scale: ``z = log1p(g / s)`` (``z = log(g / s)``
    when ``strict`` and the columns are continuous), with ``s`` the ``scale``.
    Any ``z`` decodes to ``g >= 0`` (``g > 0``), so every sampled row satisfies
    the inequality. Integer and datetime columns keep their grid: the gap is
    rounded to whole units (days, seconds, ... as both columns' values allow),
    and a strict inequality adds one unit. A row with either value missing
    satisfies the constraint; a row with ``high`` but no ``low`` cannot be
    represented (the gap needs ``low``) and counts as a violation.

    Conditions (``sample(conditions=...)``): on ``low`` alone, or on both
    columns; a condition on ``high`` alone is refused (the model holds the gap,
    not ``high``).

    Parameters
    ----------
    low : str or int
        Column holding the smaller value.
    high : str or int
        Column holding the larger value.
    strict : bool, default=False
        Whether ``high > low`` (rather than ``>=``) is required.
    scale : float or None, default=None
        Unit ``s`` of the log scale, in the columns' units (nanoseconds for
        datetimes). ``None`` uses the median positive gap of the training rows
        (a statistic of the data: pass a value to keep it public).
    on_violation : {"raise", "drop"}, default="raise"
        What ``fit`` does with training rows that break the inequality.

    Attributes
    ----------
    scale_ : float
        The unit of the log scale used.

    See Also
    --------
    Range : One column between fixed bounds.
    FixedCombinations : Only combinations of values seen in training.

    References
    ----------
    The reparameterisation follows SDV's ``Inequality`` constraint (a log
    difference); here it also keeps integer and datetime grids and strictness.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sksynth.constraints import Inequality
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> rng = np.random.default_rng(0)
    >>> low = rng.normal(10, 2, 300)
    >>> X = pd.DataFrame({"min_price": low, "max_price": low + rng.exponential(3, 300)})
    >>> gen = GaussianCopulaGenerator(constraints=[Inequality("min_price", "max_price")],
    ...                               random_state=0).fit(X)
    >>> rows = gen.sample(1000)
    >>> bool((rows["min_price"] <= rows["max_price"]).all())
    True
    """

    _parameter_constraints = {
        **BaseConstraint._parameter_constraints,
        "low": [str, int],
        "high": [str, int],
        "strict": ["boolean"],
        "scale": [None, Interval(Real, 0, None, closed="neither")],
        "on_violation": [StrOptions({"raise", "drop"})],
    }
    _accepted_types = _ORDERED

    def __init__(self, low, high, *, strict=False, scale=None, on_violation="raise"):
        self.low = low
        self.high = high
        self.strict = strict
        self.scale = scale
        self.on_violation = on_violation

    @property
    def columns(self):
        return [self.low, self.high]

    @property
    def rewrites(self):
        """The column ``transform`` replaces: ``high``."""
        return [self.high]

    def _check_types(self, types):
        super()._check_types(types)
        kinds = {types[self.low] == "datetime", types[self.high] == "datetime"}
        if len(kinds) > 1:
            raise ValueError(
                f"{self!r}: {self.low!r} is {types[self.low]} and {self.high!r} is "
                f"{types[self.high]}; an inequality compares two numeric or two datetime "
                "columns."
            )
        self.kind_ = "datetime" if types[self.low] == "datetime" else "numeric"

    # -- validity ----------------------------------------------------------------------
    def _pair(self, X):
        kind = getattr(self, "kind_", None) or (
            "datetime" if pd.api.types.is_datetime64_any_dtype(X[self.low].dtype) else "numeric")
        return _as_floats(X[self.low], kind), _as_floats(X[self.high], kind)

    def is_valid(self, X):
        """Whether each row satisfies the inequality (missing values do).

        Parameters
        ----------
        X : DataFrame of shape (n_samples, n_features)

        Returns
        -------
        valid : ndarray of shape (n_samples,) of bool
        """
        low, high = self._pair(X)
        with np.errstate(invalid="ignore"):
            broken = high <= low if self.strict else high < low
        return ~broken

    def _bad_rows(self, X):
        low, high = self._pair(X)
        return np.isnan(low) & ~np.isnan(high)

    # -- the reparameterisation -----------------------------------------------------------
    def _fit(self, X, types):
        low, high = self._pair(X)
        both = [types[self.low], types[self.high]]
        self.step_ = max(_step_of(t, v) for t, v in zip(both, (low, high)))
        self.dtype_ = X[self.high].dtype
        self.format_ = text_datetime_format(X[self.high]) if self.kind_ == "datetime" else None
        self.high_type_ = types[self.high]
        gap = self._gap(low, high)
        self.scale_ = float(self.scale) if self.scale is not None else _positive_scale(gap)
        return self

    def _gap(self, low, high):
        """``high - low``, less one grid step for a strict inequality on a grid (so >= 0)."""
        gap = high - low
        if self.strict and self.step_ > 0:
            gap = gap - self.step_
        return gap

    @property
    def _log_gap(self):
        """Whether the gap is modelled as ``log(g / s)`` (strict, continuous)."""
        return self.strict and self.step_ == 0

    def transform(self, X):
        """Replace ``high`` by the log-scale gap above ``low``.

        Parameters
        ----------
        X : DataFrame of shape (n_samples, n_features)

        Returns
        -------
        Xt : DataFrame of shape (n_samples, n_features)
        """
        low, high = self._pair(X)
        g = self._gap(low, high) / self.scale_
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.log(g) if self._log_gap else _to_log_distance(g, 1.0)
        out = X.copy()
        out[self.high] = z
        return out

    def inverse_transform(self, Xt):
        """Rebuild ``high`` from ``low`` and the gap: valid for any gap values.

        Parameters
        ----------
        Xt : DataFrame of shape (n_samples, n_features)

        Returns
        -------
        X : DataFrame of shape (n_samples, n_features)
        """
        low = _as_floats(Xt[self.low], self.kind_)
        z = _modelled_floats(Xt, self.high)
        with np.errstate(over="ignore"):
            gap = (self.scale_ * np.exp(z) if self._log_gap
                   else _from_log_distance(z, self.scale_))
        if self.step_ > 0:
            gap = np.floor(gap / self.step_ + 0.5) * self.step_
            if self.strict:
                gap = gap + self.step_
        high = low + gap
        out = Xt.copy()
        out[self.high] = _restore_on_grid(high, self.kind_, self.high_type_, self.dtype_,
                                          self.step_, self.format_)
        if self.high_type_ == "integer" and self.kind_ != "datetime":  # rounding to the dtype may not cross low
            back = _as_floats(out[self.high], "numeric")
            with np.errstate(invalid="ignore"):
                fix = back < low if not self.strict else back <= low
            if fix.any():
                high[fix] = low[fix] + (1.0 if self.strict else 0.0)
                out[self.high] = restore_values(high, "integer", self.dtype_)
        return out

    def _log_jacobian(self, X):
        low, high = self._pair(X)
        g = self._gap(low, high)
        if self._log_gap:
            return -np.log(g)
        return -np.log(self.scale_ + np.maximum(g, 0.0))

    def _conditions(self, conditions, n_rows, rng):
        if self.high not in conditions:
            return conditions
        if self.low not in conditions:
            raise ValueError(
                f"cannot condition on {self.high!r} alone: {self!r} models it as a gap above "
                f"{self.low!r}; condition on both columns, or on {self.low!r}."
            )
        frame = pd.DataFrame({self.low: np.broadcast_to(conditions[self.low], (n_rows,)),
                              self.high: np.broadcast_to(conditions[self.high], (n_rows,))})
        if not self.is_valid(frame).all() or self._bad_rows(frame).any():
            raise ValueError(f"the conditions on {self.low!r} and {self.high!r} violate {self!r}.")
        out = dict(conditions)
        z = self.transform(frame)[self.high].to_numpy()
        out[self.high] = z if np.ndim(conditions[self.high]) or np.ndim(
            conditions[self.low]) else float(z[0]) if n_rows else np.nan
        return out

    def _modelled_types(self):
        return {self.high: "numeric"}
