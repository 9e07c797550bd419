"""Label verifiers: keep synthetic rows whose labels are believed correct.

:class:`LabelVerifier` is a practical verifier (a classifier trained on the real
rows); :class:`BernoulliVerifier` is the idealised verifier of the random-matrix
analysis, which needs to be told which labels are correct.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..base import PrunerMixin, _seed_from
from ._common import (
    _check_candidate_labels,
    _check_correct,
    _mixed_input_tags,
    _tabular_encoder,
    _validate_rows,
)

__all__ = ["BernoulliVerifier", "LabelVerifier"]


def _default_classifier():
    return LogisticRegression(max_iter=1000)


def _classifier_has_predict_proba(verifier):
    """``available_if`` check: the (fitted or to-be-fitted) classifier has predict_proba."""
    estimator = getattr(verifier, "estimator_", None)
    if estimator is None:
        estimator = verifier.estimator if verifier.estimator is not None else _default_classifier()
    if not hasattr(estimator, "predict_proba"):
        raise AttributeError(
            f"{type(estimator).__name__} has no predict_proba, so LabelVerifier.score_samples "
            "is unavailable; wrap it, e.g. CalibratedClassifierCV(estimator)."
        )
    return True


class LabelVerifier(PrunerMixin, BaseEstimator):
    """Keep candidate rows whose label a classifier trained on real rows agrees with.

    ``fit`` trains a clone of ``estimator`` on the trusted (real) rows. A
    candidate (synthetic) row ``(x, y)`` is then judged by the classifier:

    - ``method="agree"`` keeps it when ``y`` equals the classifier's prediction
      at ``x``;
    - ``method="proba"`` keeps it when the predicted probability of ``y``,
      ``P(y | x)``, is at least ``threshold``.

    The rows may form a mixed table (numbers, strings, categories, booleans,
    datetimes, durations, missing values): the classifier then sees them
    through an encoder fitted on the real rows (see Notes).

    Parameters
    ----------
    estimator : classifier, default=None
        Classifier with ``fit`` and ``predict`` (and ``predict_proba`` for
        ``method="proba"`` and :meth:`score_samples`). It is cloned before
        fitting. ``None`` uses ``LogisticRegression(max_iter=1000)``.
    method : {"agree", "proba"}, default="agree"
        Keep rule, see above.
    threshold : float in [0, 1], default=0.5
        Minimum ``P(y | x)`` for a row to be kept with ``method="proba"``;
        ignored with ``method="agree"``.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in ``fit``.
    encoder_ : TabularEncoder or None
        The encoding of a mixed table, fitted on the real rows
        (``TabularEncoder(numeric_method="standard", handle_unknown="ignore")``);
        ``None`` when ``fit`` got a plain numeric matrix, which the classifier
        sees as it is.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    BernoulliVerifier : Idealised verifier with known keep rates (for simulations).
    estimate_verifier_rates : Measure the ``(rho, phi)`` rates of any pruner.

    Notes
    -----
    A classifier-based verifier is the practical counterpart of the
    ``(rho, phi)`` verifier analysed by El Firdoussi et al. (2024): on a
    candidate set with label-noise rate ``eps`` its false-keep rate ``rho``
    (wrong labels kept) and true-keep rate ``phi`` (correct labels kept) can be
    measured with :func:`estimate_verifier_rates`, and synthetic data helps
    when ``lambda = phi (1 - eps) - rho eps > 0``. With ``method="agree"`` and
    a Bayes-optimal classifier, ``rho`` and ``1 - phi`` both equal the Bayes
    error. Feng et al. (2024) show that such verification is what lets models
    trained on synthesised data avoid collapse.

    Mixed tables: when the real rows are not a plain numeric matrix (a column
    of strings, categories, datetimes or durations, or any missing value),
    ``fit`` fits a :class:`~sksynth.generators.TabularEncoder` on them and the
    classifier is trained and queried on its output: one-hot categories and
    booleans (missing is a category of its own when the real rows have it),
    numbers, datetimes and durations as z-scores (missing values at the real
    mean, plus a 0/1 missing indicator when the real rows have missing values).
    In candidate rows, a category never seen in ``fit`` gets an all-zero
    one-hot block (no category), and a missing value where the real rows had
    none gets the real mean (numbers) or an all-zero block (categories), so
    that no candidate table of the fitted columns makes scoring fail. Every
    column is used, including text columns that look like identifiers. A plain
    numeric matrix (numbers or booleans, no missing value) is passed to the
    classifier unchanged, as before mixed tables were accepted.

    References
    ----------
    .. [1] A. El Firdoussi, M. E. A. Seddik, S. Hayou, R. Alami, A. Alzubaidi
       and H. Hacid, "Maximizing the Potential of Synthetic Data: Insights from
       Random Matrix Theory", arXiv:2410.08942, 2024.
    .. [2] Y. Feng, E. Dohmatob, P. Yang, F. Charton and J. Kempe, "Beyond
       Model Collapse: Scaling Up with Synthesized Data Requires
       Reinforcement", arXiv:2406.07515, 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.pruning import LabelVerifier
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.randn(100, 2) - 2, rng.randn(100, 2) + 2])
    >>> y = np.repeat([0, 1], 100)
    >>> verifier = LabelVerifier().fit(X, y)
    >>> X_new = np.array([[-2.0, -2.0], [2.0, 2.0], [0.3, 0.3]])
    >>> y_new = np.array([0, 0, 1])
    >>> verifier.keep_mask(X_new, y_new)
    array([ True, False,  True])
    >>> verifier.score_samples(X_new, y_new).round(3)
    array([0.999, 0.001, 0.671])
    >>> X_kept, y_kept = verifier.filter(X_new, y_new)
    >>> y_kept
    array([0, 1])

    A mixed table is encoded for the classifier; an island never seen in
    ``fit`` (Torgersen) leaves the decision to the other columns, here an
    uninformative mass (probability near 0.5):

    >>> import pandas as pd
    >>> rng = np.random.RandomState(1)
    >>> X = pd.DataFrame({"island": rng.choice(["Biscoe", "Dream"], 200),
    ...                   "mass": rng.normal(4000, 500, 200)})
    >>> X.loc[::25, "mass"] = np.nan
    >>> y = np.where(X["island"] == "Biscoe", "Gentoo", "Adelie")
    >>> verifier = LabelVerifier().fit(X, y)
    >>> verifier.encoder_.get_feature_names_out().tolist()
    ['island=Biscoe', 'island=Dream', 'mass__value', 'mass__missing']
    >>> new = pd.DataFrame({"island": ["Biscoe", "Dream", "Torgersen"],
    ...                     "mass": [4100.0, np.nan, 3900.0]})
    >>> verifier.score_samples(new, ["Gentoo", "Gentoo", "Adelie"]).round(2)
    array([0.97, 0.03, 0.51])
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "method": [StrOptions({"agree", "proba"})],
        "threshold": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(self, *, estimator=None, method="agree", threshold=0.5):
        self.estimator = estimator
        self.method = method
        self.threshold = threshold

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Train the verifying classifier on trusted (real) rows.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Real rows: a numeric matrix or a mixed table (see Notes).
        y : array-like of shape (n_samples,)
            Their class labels; at least two classes are needed.

        Returns
        -------
        self : LabelVerifier
            The fitted verifier.
        """
        X, y = _validate_rows(self, X, y, encoder=_tabular_encoder)
        check_classification_targets(y)
        classes = np.unique(y)
        if classes.shape[0] < 2:
            raise ValueError(
                "y must contain at least two classes to train the verifying classifier; "
                f"got one class ({classes[0]!r}). Fit LabelVerifier on real rows of every "
                "class."
            )
        estimator = self.estimator if self.estimator is not None else _default_classifier()
        if self.method == "proba" and not hasattr(estimator, "predict_proba"):
            raise ValueError(
                f"method='proba' needs a classifier with predict_proba, but "
                f"{type(estimator).__name__} has none; use method='agree' or a "
                "probabilistic classifier (e.g. CalibratedClassifierCV)."
            )
        self.estimator_ = clone(estimator).fit(X, y)
        self.classes_ = np.asarray(getattr(self.estimator_, "classes_", classes))
        return self

    def _encode(self, y, n_samples):
        """Return the column index in ``classes_`` of each candidate label."""
        y = _check_candidate_labels(y, n_samples)
        try:
            index = np.clip(np.searchsorted(self.classes_, y), 0, len(self.classes_) - 1)
            unseen = self.classes_[index] != y
        except TypeError:  # labels not comparable with the fitted classes
            unseen = np.ones(y.shape[0], dtype=bool)
            index = None
        if np.any(unseen):
            bad = list(dict.fromkeys(y[unseen].tolist()))[:5]
            raise ValueError(
                f"y contains labels never seen in fit: {bad}; the fitted classes are "
                f"{self.classes_.tolist()}. Refit the verifier on real rows that cover "
                "every class, or drop those candidates."
            )
        return index

    @available_if(_classifier_has_predict_proba)
    def score_samples(self, X, y=None):
        """Probability the classifier gives to each candidate's label.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Candidate rows, with the columns of the real rows.
        y : array-like of shape (n_samples,), default=None
            Candidate labels, all seen in ``fit``. ``None`` scores the
            classifier's own predicted label, i.e. returns its confidence
            ``max_k P(k | x)``.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``P(y | x)`` in [0, 1]; higher means more trustworthy.
        """
        check_is_fitted(self)
        X = _validate_rows(self, X, reset=False)
        proba = self.estimator_.predict_proba(X)
        if y is None:
            return proba.max(axis=1)
        index = self._encode(y, X.shape[0])
        return proba[np.arange(X.shape[0]), index]

    def keep_mask(self, X, y=None):
        """Boolean mask of the candidate rows whose label the verifier accepts.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Candidate rows, with the columns of the real rows.
        y : array-like of shape (n_samples,)
            Candidate labels (required: a label verifier needs labels).

        Returns
        -------
        mask : ndarray of bool of shape (n_samples,)
            ``True`` for rows to keep.
        """
        check_is_fitted(self)
        X = _validate_rows(self, X, reset=False)
        if y is None:
            raise ValueError(
                "LabelVerifier.keep_mask needs the candidate labels: call keep_mask(X, y) "
                "or filter(X, y)."
            )
        index = self._encode(y, X.shape[0])
        if self.method == "agree":
            predicted = np.asarray(self.estimator_.predict(X))
            return predicted == self.classes_[index]
        proba = self.estimator_.predict_proba(X)
        return proba[np.arange(X.shape[0]), index] >= self.threshold

    def __sklearn_tags__(self):
        tags = _mixed_input_tags(super().__sklearn_tags__())
        tags.target_tags.required = True
        return tags


class BernoulliVerifier(PrunerMixin, BaseEstimator):
    """Idealised verifier with known keep rates ``rho`` (wrong labels) and ``phi`` (correct).

    Each candidate row is kept independently: with probability ``phi`` when its
    label is correct and with probability ``rho`` when it is wrong. The verifier
    therefore needs the truth, passed as ``correct`` (a boolean mask) to
    :meth:`keep_mask`, :meth:`score_samples` and :meth:`filter`; it is meant for
    simulations and for studying how verification quality affects a model.
    The values of ``X`` are never used, so it may be a numeric matrix or a
    mixed table (strings, categories, datetimes, missing values) alike; only
    its number of columns (and their names) are checked.

    Parameters
    ----------
    rho : float in [0, 1], default=0.0
        Probability of keeping a wrongly-labelled row (false-keep rate).
    phi : float in [0, 1], default=1.0
        Probability of keeping a correctly-labelled row (true-keep rate).
    random_state : int, RandomState instance or None, default=None
        Seeds, at ``fit``, the stream from which :meth:`keep_mask` draws.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    LabelVerifier : Practical verifier trained on real rows.
    estimate_verifier_rates : Measure ``(rho, phi)`` of any pruner.

    Notes
    -----
    This is the verifier of El Firdoussi et al. (2024, Eq. 5): for a candidate
    with true label ``y`` and given label ``y~``, the keep indicator is
    ``q ~ Bernoulli(phi)`` if ``y~ == y`` and ``q ~ Bernoulli(rho)`` otherwise.
    With label-noise rate ``eps`` the kept fraction is
    ``alpha = phi (1 - eps) + rho eps`` and the signal that reaches a linear
    classifier scales with ``lambda = phi (1 - eps) - rho eps``; synthetic data
    stop helping once ``eps >= (1 + rho / phi)^-1``. ``rho=0, phi=1`` is a
    perfect verifier and ``rho=phi`` keeps rows at random.

    Reproducibility: ``fit`` seeds an internal stream from ``random_state``;
    each :meth:`keep_mask` (or :meth:`filter`) call without its own
    ``random_state`` advances it, so successive calls draw fresh masks and
    refitting with the same integer ``random_state`` replays the same sequence;
    ``keep_mask(..., random_state=k)`` gives an exactly reproducible mask.
    :meth:`score_samples` is deterministic.

    References
    ----------
    .. [1] A. El Firdoussi, M. E. A. Seddik, S. Hayou, R. Alami, A. Alzubaidi
       and H. Hacid, "Maximizing the Potential of Synthetic Data: Insights from
       Random Matrix Theory", arXiv:2410.08942, 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.pruning import BernoulliVerifier
    >>> X = np.zeros((10_000, 2))
    >>> correct = np.arange(10_000) % 4 != 0   # one label in four is wrong
    >>> verifier = BernoulliVerifier(rho=0.2, phi=0.9, random_state=0).fit(X)
    >>> verifier.score_samples(X[:4], correct=correct[:4])
    array([0.2, 0.9, 0.9, 0.9])
    >>> mask = verifier.keep_mask(X, correct=correct)
    >>> print(round(mask[~correct].mean(), 1), round(mask[correct].mean(), 1))
    0.2 0.9
    >>> X_kept = verifier.filter(X, correct=correct, random_state=0)
    >>> print(X_kept.shape[0] == verifier.keep_mask(X, correct=correct, random_state=0).sum())
    True
    """

    _parameter_constraints = {
        "rho": [Interval(Real, 0, 1, closed="both")],
        "phi": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, rho=0.0, phi=1.0, random_state=None):
        self.rho = rho
        self.phi = phi
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of features and seed the keep-mask stream.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Real rows, numeric or a mixed table (only their number of features,
            and their column names, are used).
        y : None
            Ignored.

        Returns
        -------
        self : BernoulliVerifier
            The fitted verifier.
        """
        _validate_rows(self, X, as_table=True)  # the values themselves are unused
        self._keep_rng = np.random.RandomState(_seed_from(self.random_state))
        return self

    def _keep_probability(self, X, y, correct):
        check_is_fitted(self)
        X = _validate_rows(self, X, reset=False)
        if y is not None:
            _check_candidate_labels(y, X.shape[0])
        correct = _check_correct(correct, X.shape[0], owner="BernoulliVerifier")
        return np.where(correct, float(self.phi), float(self.rho))

    def score_samples(self, X, y=None, *, correct=None):
        """Keep probability of each candidate row: ``phi`` if correct, ``rho`` if not.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Candidate rows, with the columns of the real rows.
        y : array-like of shape (n_samples,), default=None
            Candidate labels; only their number is checked.
        correct : array-like of bool of shape (n_samples,)
            ``True`` where the row's label is correct. Required: without it a
            ``ValueError`` is raised, since the verifier has no other source
            of truth.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``phi`` for correct rows and ``rho`` for wrong ones.
        """
        return self._keep_probability(X, y, correct)

    def keep_mask(self, X, y=None, *, correct=None, random_state=None):
        """Draw the keep indicators ``q_i ~ Bernoulli(phi if correct else rho)``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Candidate rows, with the columns of the real rows.
        y : array-like of shape (n_samples,), default=None
            Candidate labels; only their number is checked.
        correct : array-like of bool of shape (n_samples,)
            ``True`` where the row's label is correct. Required.
        random_state : int, RandomState instance or None, default=None
            Seed for this call alone; ``None`` advances the stream seeded at
            ``fit``.

        Returns
        -------
        mask : ndarray of bool of shape (n_samples,)
            ``True`` for rows to keep.
        """
        probability = self._keep_probability(X, y, correct)
        rng = self._keep_rng if random_state is None else check_random_state(random_state)
        return rng.random_sample(probability.shape[0]) < probability

    def __sklearn_tags__(self):
        return _mixed_input_tags(super().__sklearn_tags__())
