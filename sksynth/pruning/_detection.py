"""Detection pruning: drop synthetic rows that a classifier tells apart from real ones."""

from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from ..base import PrunerMixin, _seed_from, _seeded_clone
from ._common import (
    _check_candidate_labels,
    _mixed_input_tags,
    _tabular_encoder,
    _validate_rows,
)

__all__ = ["DetectionPruner"]


def _fit_predict_fold(classifier, X, target, train, test):
    """Fit on ``train`` with balanced classes; return balanced ``P(synthetic)`` on ``test``."""
    classifier = clone(classifier)
    X_train, y_train = X[train], target[train]
    if has_fit_parameter(classifier, "sample_weight"):
        weight = compute_sample_weight("balanced", y_train)
        classifier.fit(X_train, y_train, sample_weight=weight)
        correct_prior = False
    else:
        classifier.fit(X_train, y_train)
        correct_prior = True
    column = int(np.flatnonzero(np.asarray(classifier.classes_) == 1)[0])
    proba = classifier.predict_proba(X[test])[:, column]
    if correct_prior:
        # Bayes' rule: move from the fold's class prior to equal priors.
        prior = y_train.mean()
        odds = (proba / prior) / np.maximum((1.0 - proba) / (1.0 - prior), 1e-300)
        proba = odds / (1.0 + odds)
    return test, proba


class DetectionPruner(PrunerMixin, BaseEstimator):
    """Drop candidate rows that a real-vs-synthetic classifier flags as synthetic.

    ``fit`` stores the real rows. For a set of candidate (synthetic) rows, a
    classifier is trained to tell real rows (class 0) from candidates
    (class 1), with class-balancing sample weights and ``cv``-fold stratified
    cross-fitting, so that every row, real or candidate, gets an out-of-fold
    probability ``P(synthetic | x)`` from a model that never saw it. A
    candidate's score is its conformal p-value against the real rows::

        score(x) = (1 + #{real i : P(synthetic | x_i) >= P(synthetic | x)}) / (n_real + 1)

    i.e. the fraction of real rows that look at least as synthetic as ``x``.
    Candidates with ``score > threshold`` are kept. The rows may form a mixed
    table (numbers, strings, categories, booleans, datetimes, durations,
    missing values): the detector then sees them through an encoder fitted on
    the real rows (see Notes).

    Parameters
    ----------
    classifier : classifier, default=None
        Classifier with ``fit`` and ``predict_proba``, cloned for each fold;
        ``random_state`` parameters left at ``None`` are fixed from this
        pruner's ``random_state``. If its ``fit`` takes no ``sample_weight``,
        the probabilities are re-balanced by Bayes' rule instead. ``None``
        uses :class:`~sklearn.ensemble.HistGradientBoostingClassifier`: fast
        (histogram-based), scale-free (no preprocessing) and nonlinear, so it
        also detects differences in spread, correlation or support that a
        linear model misses.
    threshold : float in [0, 1), default=0.05
        Significance level: a candidate is dropped when its score (p-value)
        is ``<= threshold``. Candidates drawn from the real distribution are
        then kept with probability at least about ``1 - threshold``, whatever
        the classifier. ``0`` keeps everything.
    cv : int, default=5
        Number of stratified folds; both the real and the candidate rows must
        number at least ``cv``.
    random_state : int, RandomState instance or None, default=None
        Seeds, at ``fit``, the fold split and the classifier. Scores are
        deterministic for a fitted pruner.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib). ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; ``-1`` uses all processors.

    Attributes
    ----------
    encoder_ : TabularEncoder or None
        The encoding of a mixed table, fitted on the real rows
        (``TabularEncoder(numeric_method="standard", handle_unknown="ignore")``);
        ``None`` when ``fit`` got a plain numeric matrix, which the detector
        sees as it is.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    DistancePruner : Drop near-copies of real records.

    Notes
    -----
    Classifier two-sample tests (Lopez-Paz and Oquab, 2017) judge a synthetic
    data set by how well a classifier separates it from real data; the
    "detection" metric of synthetic-data benchmarks is its ROC AUC
    (:meth:`detection_auc`, 0.5 when indistinguishable). With balanced classes
    ``P(synthetic | x) = q(x) / (p(x) + q(x))`` estimates the density ratio
    of synthetic to real data, so rows with high probability lie where the
    generator puts mass that real data do not: discriminator rejection
    sampling (Azadi et al., 2019) drops such rows. A raw cut such as
    ``P(synthetic | x) < 0.5`` would drop about half of the rows even when
    the two distributions are identical (the out-of-fold probabilities then
    scatter around 0.5), hence the p-value calibration (Vovk et al., 2005)
    against the real rows' out-of-fold probabilities.

    Scoring is transductive: the classifier is trained on the candidates
    passed to :meth:`score_samples` / :meth:`keep_mask`, so a row's score
    depends on the other candidates of the call (but not on their order).

    Mixed tables: when the real rows are not a plain numeric matrix (a column
    of strings, categories, datetimes or durations, or any missing value),
    ``fit`` fits a :class:`~sksynth.generators.TabularEncoder` on them and the
    real rows and every candidate table are encoded with it before the
    detector sees them, as in :class:`LabelVerifier`: one-hot categories
    (missing as a category of its own when the real rows have it), z-scored
    numbers, datetimes and durations with a 0/1 missing indicator. A category
    never seen in ``fit`` gets an all-zero one-hot block, which the detector
    can learn to flag, and a missing value where the real rows had none gets
    the real mean (numbers) or an all-zero block (categories). A plain numeric
    matrix is passed to the detector unchanged.

    References
    ----------
    .. [1] D. Lopez-Paz and M. Oquab, "Revisiting Classifier Two-Sample Tests",
       ICLR, 2017.
    .. [2] S. Azadi, C. Olsson, T. Darrell, I. Goodfellow and A. Odena,
       "Discriminator Rejection Sampling", ICLR, 2019.
    .. [3] V. Vovk, A. Gammerman and G. Shafer, "Algorithmic Learning in a
       Random World", Springer, 2005.

    Examples
    --------
    A fast linear detector suffices for this mean shift (the default
    gradient-boosting detector also catches nonlinear differences):

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sksynth.pruning import DetectionPruner
    >>> rng = np.random.RandomState(0)
    >>> X_real = rng.randn(300, 2)
    >>> candidates = np.vstack([rng.randn(150, 2), rng.randn(150, 2) + 4])
    >>> pruner = DetectionPruner(classifier=LogisticRegression(), random_state=0)
    >>> pruner = pruner.fit(X_real)
    >>> mask = pruner.keep_mask(candidates)
    >>> print(round(mask[:150].mean(), 2), round(mask[150:].mean(), 2))
    0.99 0.0
    >>> print(round(pruner.detection_auc(candidates), 2))
    0.74
    """

    _parameter_constraints = {
        "classifier": [HasMethods(["fit", "predict_proba"]), None],
        "threshold": [Interval(Real, 0, 1, closed="left")],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(self, *, classifier=None, threshold=0.05, cv=5, random_state=None, n_jobs=None):
        self.classifier = classifier
        self.threshold = threshold
        self.cv = cv
        self.random_state = random_state
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Store the real rows the candidates will be compared with.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Real rows, a numeric matrix or a mixed table (see Notes); at
            least ``cv``.
        y : None
            Ignored.

        Returns
        -------
        self : DetectionPruner
            The fitted pruner.
        """
        X = _validate_rows(self, X, encoder=_tabular_encoder, dtype=[np.float64, np.float32])
        if X.shape[0] < self.cv:
            raise ValueError(
                f"DetectionPruner needs at least cv={self.cv} real rows for stratified "
                f"cross-fitting, got n_samples={X.shape[0]}; pass more rows or lower cv."
            )
        self._fit_X = X
        self._seed = _seed_from(self.random_state)
        return self

    def _cross_fit(self, X):
        """Out-of-fold balanced ``P(synthetic)`` for the real rows and the candidates."""
        check_is_fitted(self)
        X = _validate_rows(self, X, reset=False, dtype=[np.float64, np.float32])
        n_real, n_candidates = self._fit_X.shape[0], X.shape[0]
        if n_candidates < self.cv:
            raise ValueError(
                f"DetectionPruner needs at least cv={self.cv} candidate rows to cross-fit "
                f"the detector, got {n_candidates}; pass more rows at once or lower cv."
            )
        # Canonical row order, so the result does not depend on the order of X.
        order = np.lexsort(X.T[::-1])
        data = np.concatenate([self._fit_X, X[order]], axis=0)
        target = np.r_[np.zeros(n_real, dtype=int), np.ones(n_candidates, dtype=int)]
        classifier = self.classifier
        if classifier is None:
            classifier = HistGradientBoostingClassifier()
        classifier = _seeded_clone(classifier, self._seed)
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self._seed)
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_predict_fold)(classifier, data, target, train, test)
            for train, test in folds.split(data, target)
        )
        proba = np.empty(n_real + n_candidates)
        for test, fold_proba in results:
            proba[test] = fold_proba
        proba_candidates = np.empty(n_candidates)
        proba_candidates[order] = proba[n_real:]
        return proba[:n_real], proba_candidates

    def detection_proba(self, X):
        """Out-of-fold probability that each candidate row is synthetic.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Candidate rows with the columns of the real rows (at least ``cv``).

        Returns
        -------
        proba : ndarray of shape (n_samples,)
            Class-balanced ``P(synthetic | x)``; about 0.5 where real and
            candidate rows are indistinguishable.
        """
        return self._cross_fit(X)[1]

    def detection_auc(self, X):
        """ROC AUC of the cross-fitted real-vs-candidate classifier.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Candidate rows with the columns of the real rows (at least ``cv``).

        Returns
        -------
        auc : float
            0.5 when the candidates cannot be told apart from the real rows,
            1.0 when they are perfectly separable.
        """
        proba_real, proba_candidates = self._cross_fit(X)
        target = np.r_[np.zeros(proba_real.shape[0]), np.ones(proba_candidates.shape[0])]
        return float(roc_auc_score(target, np.r_[proba_real, proba_candidates]))

    def score_samples(self, X, y=None):
        """Conformal p-value of each candidate: how real it looks to the detector.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Candidate rows with the columns of the real rows (at least ``cv``), scored jointly.
        y : None
            Ignored.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            In ``[1 / (n_real + 1), 1]``: the fraction (with the conformal +1)
            of real rows whose out-of-fold ``P(synthetic)`` is at least the
            candidate's. Higher means more trustworthy; about uniform for
            candidates from the real distribution.
        """
        proba_real, proba_candidates = self._cross_fit(X)
        n_real = proba_real.shape[0]
        n_less = np.searchsorted(np.sort(proba_real), proba_candidates, side="left")
        return (1.0 + n_real - n_less) / (n_real + 1.0)

    def keep_mask(self, X, y=None):
        """Boolean mask of the candidates whose p-value exceeds ``threshold``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Candidate rows with the columns of the real rows (at least ``cv``).
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
        return scores > self.threshold

    def __sklearn_tags__(self):
        return _mixed_input_tags(super().__sklearn_tags__())
