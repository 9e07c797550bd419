"""Distance-to-closest-record pruning: a guard against memorised rows."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..base import PrunerMixin
from ._common import (
    _check_candidate_labels,
    _gower_encoder,
    _mixed_input_tags,
    _validate_rows,
)

__all__ = ["DistancePruner"]

_METRICS = {"euclidean", "l2", "manhattan", "l1", "cityblock", "chebyshev", "cosine", "gower"}


class DistancePruner(PrunerMixin, BaseEstimator):
    """Drop candidate rows that lie closer to a real record than real rows do to each other.

    ``fit`` (optionally) standardises the real rows and measures, for each real
    row, the distance to its nearest *other* real row (leave-one-out). Their
    ``quantile``-quantile is ``threshold_``. A candidate row is scored by its
    distance to the closest real record (DCR) and kept when that distance is at
    least ``threshold_``: near-copies of real rows, which a generator may have
    memorised, are removed, while fresh draws from the real distribution are
    kept at a rate of about ``1 - quantile``.

    The rows may form a mixed table (numbers, strings, categories, booleans,
    datetimes, durations, missing values); they are then compared with the
    Gower distance (see Notes).

    Parameters
    ----------
    metric : {"euclidean", "manhattan", "chebyshev", "cosine", "l1", "l2", \
            "cityblock", "gower"} or callable, default="euclidean"
        Distance between plain numeric rows, as in
        :class:`~sklearn.neighbors.NearestNeighbors`, or ``"gower"``. Real rows
        that are not a plain numeric matrix (a column of strings, categories,
        datetimes or durations, or any missing value) are always compared with
        the Gower distance, whatever ``metric`` says: the other metrics have no
        meaning for categories or missing values. ``metric_`` records the
        distance used.
    quantile : float in [0, 1], default=0.05
        Quantile of the real leave-one-out nearest-neighbour distances used as
        the threshold. ``0`` only drops rows closer than the closest real pair
        (exact copies when real rows are distinct); larger values prune more.
    scale : bool, default=True
        Standardise features (with the real rows' mean and standard deviation)
        before measuring distances, so that no feature dominates by its units.
        Ignored by the Gower distance, which divides each numeric column by
        its range instead.
    n_jobs : int, default=None
        Parallel jobs for the neighbour search. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; ``-1`` uses all processors.
        The Gower distance runs in one process.

    Attributes
    ----------
    metric_ : str or callable
        The distance used: ``metric``, or ``"gower"`` for a mixed table.
    encoder_ : object or None
        For the Gower distance, the column coding fitted on the real rows: its
        ``categorical_`` marks the categorical and boolean columns, its
        ``ranges_`` holds each numeric column's range (0 for the others).
        ``None`` for the other metrics.
    scaler_ : StandardScaler or None
        The fitted scaler (``None`` when ``scale=False`` or for the Gower
        distance).
    nearest_neighbors_ : NearestNeighbors or None
        Index of the (scaled) real rows (``None`` for the Gower distance).
    threshold_ : float
        Minimum distance to the closest real record for a candidate to be kept.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    DetectionPruner : Drop rows a classifier can tell apart from real ones.

    Notes
    -----
    The distance to the closest record (DCR) and its comparison with the
    real-to-real nearest-neighbour distances is a standard privacy diagnostic
    for synthetic tabular data (Park et al., 2018; Zhao et al., 2021); using it
    as a filter removes rows that reproduce training records. It is a heuristic
    guard, not a differential-privacy guarantee.

    The Gower distance (Gower, 1971) between two rows is the mean over the
    columns of per-column dissimilarities in ``[0, 1]``:

    - numbers, datetimes and durations: ``|x - r| / R``, with ``R`` the
      column's range over the real rows, capped at 1 (a candidate beyond the
      real range is at most one range away); a column with a single real
      value gives 0 for that value and 1 for any other;
    - categories and booleans: 0 if equal, 1 if not; a category never seen in
      ``fit`` mismatches every real category, so it adds ``1 / n_columns``
      to the distance instead of making scoring fail;
    - missing values, in any column: 0 against a missing value, 1 against any
      present value. Gower's original coefficient instead skips the columns
      where either row is missing, which would measure a mostly-missing row on
      its few present values and make it look like a copy of many real rows.

    A copy of a real row, missing cells included, is therefore at distance 0.
    Columns missing in every real row are left out; every other column counts,
    including text columns that look like identifiers (a copied identifier is
    part of a copied record). Distances are computed exactly, in blocks of
    candidate rows against all real rows (about 2**20 pairs, 8 MiB, at a time),
    in ``O(n_candidates * n_real * n_columns)`` time; the leave-one-out
    threshold compares the real rows with one another, ``O(n_real ** 2)``.
    A plain numeric matrix keeps ``metric`` (and ``scale``) unless
    ``metric="gower"``.

    References
    ----------
    .. [1] N. Park, M. Mohammadi, K. Gorde, S. Jajodia, H. Park and Y. Kim,
       "Data Synthesis based on Generative Adversarial Networks", PVLDB 11(10),
       2018.
    .. [2] Z. Zhao, A. Kunar, R. Birke and L. Y. Chen, "CTAB-GAN: Effective
       Table Data Synthesizing", ACML, 2021.
    .. [3] J. C. Gower, "A General Coefficient of Similarity and Some of Its
       Properties", Biometrics 27(4), 857-871, 1971.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.pruning import DistancePruner
    >>> rng = np.random.RandomState(0)
    >>> X_real = rng.randn(500, 3)
    >>> pruner = DistancePruner(quantile=0.05).fit(X_real)
    >>> print(round(pruner.threshold_, 3))
    0.133
    >>> candidates = np.vstack([X_real[:3] + 1e-3, rng.randn(3, 3)])
    >>> pruner.score_samples(candidates).round(3)
    array([0.002, 0.002, 0.002, 0.244, 0.346, 0.289])
    >>> pruner.keep_mask(candidates)
    array([False, False, False,  True,  True,  True])

    A mixed table is compared with the Gower distance: a copy is at 0, an
    unseen city (Quito) mismatches every real one, and a missing age
    mismatches every present age:

    >>> import pandas as pd
    >>> real = pd.DataFrame({"city": ["Lyon", "Oslo", "Lyon", "Porto"],
    ...                      "age": [23, 35, 51, np.nan]})
    >>> pruner = DistancePruner(quantile=0.25).fit(real)
    >>> print(pruner.metric_, round(pruner.threshold_, 3))
    gower 0.5
    >>> candidates = pd.DataFrame({"city": ["Lyon", "Quito", "Oslo"],
    ...                            "age": [23, 40, np.nan]})
    >>> pruner.score_samples(candidates).round(3)
    array([0.   , 0.589, 0.5  ])
    >>> pruner.keep_mask(candidates)
    array([False,  True,  True])
    """

    _parameter_constraints = {
        "metric": [StrOptions(_METRICS), callable],
        "quantile": [Interval(Real, 0, 1, closed="both")],
        "scale": ["boolean"],
        "n_jobs": [Integral, None],
    }

    def __init__(self, *, metric="euclidean", quantile=0.05, scale=True, n_jobs=None):
        self.metric = metric
        self.quantile = quantile
        self.scale = scale
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Index the real rows and set ``threshold_``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Real rows, a numeric matrix or a mixed table (see Notes); at
            least two.
        y : None
            Ignored.

        Returns
        -------
        self : DistancePruner
            The fitted pruner.
        """
        X = _validate_rows(self, X, encoder=_gower_encoder, as_table=self.metric == "gower",
                           dtype=[np.float64, np.float32])
        if X.shape[0] < 2:
            raise ValueError(
                f"DistancePruner needs at least 2 real rows to measure nearest-neighbour "
                f"distances, got n_samples={X.shape[0]}."
            )
        if self.encoder_ is not None:  # a mixed table, or metric="gower"
            self.metric_, self.scaler_, self.nearest_neighbors_ = "gower", None, None
            self._fit_Z = X
            loo_distance = self.encoder_.min_distances(X, X, exclude_self=True)
            self.threshold_ = float(np.quantile(loo_distance, self.quantile))
            return self
        self.metric_ = self.metric
        self.scaler_ = StandardScaler().fit(X) if self.scale else None
        Z = self._scaled(X)
        self.nearest_neighbors_ = NearestNeighbors(
            n_neighbors=1, metric=self.metric, n_jobs=self.n_jobs
        ).fit(Z)
        # X=None: each real row's nearest neighbour among the *other* real rows.
        loo_distance, _ = self.nearest_neighbors_.kneighbors()
        self.threshold_ = float(np.quantile(loo_distance[:, 0], self.quantile))
        return self

    def _scaled(self, X):
        return X if self.scaler_ is None else self.scaler_.transform(X)

    def score_samples(self, X, y=None):
        """Distance from each candidate row to its closest real record.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Candidate rows, with the columns of the real rows.
        y : None
            Ignored.

        Returns
        -------
        distances : ndarray of shape (n_samples,)
            Distance in the (scaled) feature space, or Gower distance in
            ``[0, 1]``; higher means farther from any real record, i.e. less
            likely memorised.
        """
        check_is_fitted(self)
        X = _validate_rows(self, X, reset=False, dtype=[np.float64, np.float32])
        if self.encoder_ is not None:
            return self.encoder_.min_distances(X, self._fit_Z)
        distance, _ = self.nearest_neighbors_.kneighbors(self._scaled(X))
        return distance[:, 0]

    def keep_mask(self, X, y=None):
        """Boolean mask of the candidates at least ``threshold_`` from every real row.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Candidate rows, with the columns of the real rows.
        y : array-like of shape (n_samples,), default=None
            Ignored apart from checking that it has one entry per row.

        Returns
        -------
        mask : ndarray of bool of shape (n_samples,)
            ``True`` for rows to keep.
        """
        scores = self.score_samples(X)
        if y is not None:
            _check_candidate_labels(y, scores.shape[0])
        return scores >= self.threshold_

    def __sklearn_tags__(self):
        return _mixed_input_tags(super().__sklearn_tags__())
