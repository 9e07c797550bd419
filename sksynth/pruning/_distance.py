"""Distance-to-closest-record pruning: a guard against memorised rows."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..base import PrunerMixin
from ._common import _check_candidate_labels, _validate_rows

__all__ = ["DistancePruner"]

_METRICS = {"euclidean", "l2", "manhattan", "l1", "cityblock", "chebyshev", "cosine"}


class DistancePruner(PrunerMixin, BaseEstimator):
    """Drop candidate rows that lie closer to a real record than real rows do to each other.

    ``fit`` (optionally) standardises the real rows and measures, for each real
    row, the distance to its nearest *other* real row (leave-one-out). Their
    ``quantile``-quantile is ``threshold_``. A candidate row is scored by its
    distance to the closest real record (DCR) and kept when that distance is at
    least ``threshold_``: near-copies of real rows, which a generator may have
    memorised, are removed, while fresh draws from the real distribution are
    kept at a rate of about ``1 - quantile``.

    Parameters
    ----------
    metric : {"euclidean", "manhattan", "chebyshev", "cosine", "l1", "l2", \
            "cityblock"} or callable, default="euclidean"
        Distance, as in :class:`~sklearn.neighbors.NearestNeighbors`.
    quantile : float in [0, 1], default=0.05
        Quantile of the real leave-one-out nearest-neighbour distances used as
        the threshold. ``0`` only drops rows closer than the closest real pair
        (exact copies when real rows are distinct); larger values prune more.
    scale : bool, default=True
        Standardise features (with the real rows' mean and standard deviation)
        before measuring distances, so that no feature dominates by its units.
    n_jobs : int, default=None
        Parallel jobs for the neighbour search. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; ``-1`` uses all processors.

    Attributes
    ----------
    scaler_ : StandardScaler or None
        The fitted scaler (``None`` when ``scale=False``).
    nearest_neighbors_ : NearestNeighbors
        Index of the (scaled) real rows.
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

    References
    ----------
    .. [1] N. Park, M. Mohammadi, K. Gorde, S. Jajodia, H. Park and Y. Kim,
       "Data Synthesis based on Generative Adversarial Networks", PVLDB 11(10),
       2018.
    .. [2] Z. Zhao, A. Kunar, R. Birke and L. Y. Chen, "CTAB-GAN: Effective
       Table Data Synthesizing", ACML, 2021.

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
        X : array-like of shape (n_samples, n_features)
            Real rows; at least two.
        y : None
            Ignored.

        Returns
        -------
        self : DistancePruner
            The fitted pruner.
        """
        X = _validate_rows(self, X, dtype=[np.float64, np.float32])
        if X.shape[0] < 2:
            raise ValueError(
                f"DistancePruner needs at least 2 real rows to measure nearest-neighbour "
                f"distances, got n_samples={X.shape[0]}."
            )
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
        X : array-like of shape (n_samples, n_features)
            Candidate rows.
        y : None
            Ignored.

        Returns
        -------
        distances : ndarray of shape (n_samples,)
            Distance in the (scaled) feature space; higher means farther from
            any real record, i.e. less likely memorised.
        """
        check_is_fitted(self)
        X = _validate_rows(self, X, reset=False, dtype=[np.float64, np.float32])
        distance, _ = self.nearest_neighbors_.kneighbors(self._scaled(X))
        return distance[:, 0]

    def keep_mask(self, X, y=None):
        """Boolean mask of the candidates at least ``threshold_`` from every real row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Candidate rows.
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
