"""Gower distance between mixed-type rows, computed in memory-bounded chunks.

Gower (1971) compares two rows column by column and averages the per-column
dissimilarities, each in ``[0, 1]``:

- numeric columns (floats, integers, datetimes): ``|x - r| / R``, with ``R``
  the range (max - min) of the column over the real rows, capped at 1 (a
  candidate outside the real range is at most "one range" away); a column
  with a single real value (``R = 0``) gives 0 for an equal value and 1
  otherwise;
- categorical and boolean columns: 0 when the two categories are equal, 1
  otherwise; a category never seen in the real rows mismatches every real
  category;
- missing values, in any column: a missing value matches a missing value (0)
  and mismatches any present value (1).

The distance is the mean over the modelled columns, so it lies in ``[0, 1]``
and an exact copy of a real row (missing cells included) is at distance 0.
Gower's original coefficient instead skips, for each pair, the columns where
either value is missing; then a row with few observed values is compared on
those few columns only and can look like a copy of many real rows, which is
what a pruner of near-copies must not do.
"""

import numpy as np

from ..generators._marginals import _CategoryCoder
from ..generators._table_spec import _TableSpec

__all__ = []

#: Elements of one temporary ``(chunk, n_real)`` block (8 MiB of float64).
_CHUNK_ELEMENTS = 2**20


class _GowerEncoder:
    """Column typing, category codes and numeric ranges of the real rows.

    ``transform`` turns a table into a float matrix: numeric columns as floats,
    categorical columns as category codes (``-1`` for a category never seen in
    ``fit``), NaN for a missing value in either kind of column. The matrix of the
    real rows and that of the candidates are then compared by
    :meth:`min_distances`.

    Parameters
    ----------
    column_types : dict
        ``{column: type}`` for every column (see :mod:`sksynth.generators._table_spec`).
    """

    def __init__(self, column_types):
        self.column_types = column_types

    def fit(self, frame):
        self._spec = _TableSpec(frame, frame, self.column_types)
        self.categorical_ = np.array(
            [kind in ("categorical", "boolean") for kind in self._spec.types], dtype=bool
        )
        self._coders = {}
        ranges = np.zeros(self._spec.n_columns)
        for j, categorical in enumerate(self.categorical_):
            if categorical:
                self._coders[j] = _CategoryCoder(self._spec.objects(frame, j))
                continue
            values = self._spec.floats(frame, j)
            observed = values[~np.isnan(values)]
            if observed.size:
                ranges[j] = float(observed.max()) - float(observed.min())
            if not np.isfinite(ranges[j]):
                raise ValueError(
                    f"DistancePruner cannot compare column {self._spec.columns[j]!r}: its "
                    f"range ({observed.min():.3g} to {observed.max():.3g}) overflows float64. "
                    "Rescale that column (e.g. divide by a power of ten) before fitting."
                )
        self.ranges_ = ranges
        return self

    def transform(self, frame):
        n = frame.shape[0]
        Z = np.empty((n, self._spec.n_columns))
        for j, categorical in enumerate(self.categorical_):
            if categorical:
                coder = self._coders[j]
                codes = coder.codes(self._spec.objects(frame, j)).astype(np.float64)
                codes[codes == coder.n_categories] = np.nan  # missing
                Z[:, j] = codes
            else:
                Z[:, j] = self._spec.floats(frame, j)
        return Z

    def min_distances(self, Z, Z_real, *, exclude_self=False):
        """Gower distance from each row of ``Z`` to its closest row of ``Z_real``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_columns)
            Encoded candidate rows (:meth:`transform`).
        Z_real : ndarray of shape (n_real, n_columns)
            Encoded real rows.
        exclude_self : bool, default=False
            ``Z`` is ``Z_real`` and row ``i`` is not compared with itself
            (leave-one-out nearest neighbours).

        Returns
        -------
        distances : ndarray of shape (n_samples,)
        """
        return _min_gower(Z, Z_real, self.categorical_, self.ranges_, exclude_self=exclude_self)


def _column_dissimilarity(c, r, categorical, value_range):
    """Dissimilarities in [0, 1] between the values ``c`` (b, 1) and ``r`` (1, n)."""
    c_missing, r_missing = np.isnan(c), np.isnan(r)
    if categorical or value_range == 0:
        d = (c != r).astype(np.float64)
    else:
        d = np.minimum(np.abs(c - r) / value_range, 1.0)
    either = c_missing | r_missing
    if either.any():
        d = np.where(either, (c_missing != r_missing).astype(np.float64), d)
    return d


def _min_gower(Z, Z_real, categorical, ranges, *, exclude_self=False,
               chunk_elements=_CHUNK_ELEMENTS):
    """Row-wise minimum Gower distance, ``chunk_elements`` pairs at a time.

    Candidates are processed in blocks of ``max(1, chunk_elements // n_real)``
    rows, so memory is ``O(chunk_elements)`` whatever the number of rows, and
    time is ``O(n_samples * n_real * n_columns)``.
    """
    n, n_real = Z.shape[0], Z_real.shape[0]
    n_columns = Z_real.shape[1]
    out = np.empty(n)
    step = max(1, chunk_elements // max(n_real, 1))
    for start in range(0, n, step):
        stop = min(start + step, n)
        total = np.zeros((stop - start, n_real))
        for k in range(n_columns):
            total += _column_dissimilarity(Z[start:stop, k, None], Z_real[None, :, k],
                                           categorical[k], ranges[k])
        if exclude_self:
            rows = np.arange(start, stop)
            total[rows - start, rows] = np.inf
        out[start:stop] = total.min(axis=1) / n_columns
    return out
