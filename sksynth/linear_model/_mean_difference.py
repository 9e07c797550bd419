"""The mean-difference classifier of the generative-augmentation study.

Zheng, Wu & Li (2023) study generative data augmentation on a binary Gaussian
mixture with the simplest linear learner there is: the direction
``theta = mean_i (2 y_i - 1) x_i`` and the rule "class 1 iff
``theta^T x >= 0``". It is uniformly stable with constant ``O(1/n)``, which is
what their bound needs, and it is a closed form, so thousands of trials cost
nothing.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

__all__ = ["MeanDifferenceClassifier"]


class MeanDifferenceClassifier(ClassifierMixin, BaseEstimator):
    """Binary linear classifier along the (weighted) difference of the class means.

    With labels mapped to signs ``s_i = -1`` (first class) and ``+1`` (second
    class) and weights ``w_i`` (1 by default):

    - ``fit_intercept=False`` is the estimator of Zheng et al. (2023):
      ``coef_ = sum_i w_i s_i x_i / sum_i w_i`` and ``intercept_ = 0``, so the
      boundary passes through the origin. It is consistent for a symmetric
      mixture ``x | y ~ N(s mu, sigma^2 I)``, where ``E[s x] = mu``.
    - ``fit_intercept=True`` (default) centres the rule between the classes:
      with the weighted class means ``m_-`` and ``m_+``,
      ``coef_ = (m_+ - m_-) / 2`` and ``intercept_ = -coef_ . (m_+ + m_-) / 2``,
      i.e. the nearest-centroid rule with Euclidean distance. For the
      symmetric mixture with balanced classes both options estimate the same
      direction; only the centred one works on data that are not centred at
      the origin, which is why it is the default.

    ``predict`` returns the second class where ``decision_function(X) >= 0``.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Centre the boundary at the midpoint of the class means; ``False``
        gives the paper's classifier through the origin.

    Attributes
    ----------
    coef_ : ndarray of shape (`n_features_in_`,)
        Direction ``theta`` of the rule.
    intercept_ : float
        Offset of the rule (0 when ``fit_intercept=False``).
    classes_ : ndarray of shape (2,)
        The two class labels; ``classes_[1]`` is the positive class.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    sklearn.neighbors.NearestCentroid : The same rule as ``fit_intercept=True``
        for any number of classes, without ``decision_function``.
    sksynth.studies.simulate_bgmm_gap : The GDA study this classifier serves.

    Notes
    -----
    Only two classes are supported, as in the paper; wrap the classifier in
    :class:`~sklearn.multiclass.OneVsRestClassifier` for more. There is no
    ``predict_proba``: the rule carries no probability model of its own. (Under
    the study's model ``x | y ~ N(s theta, sigma^2 I)`` one would have
    ``P(y = 1 | x) = 1 / (1 + exp(-2 theta^T x / sigma^2))``, which needs the
    noise level ``sigma`` that the classifier does not estimate.)

    Replacing one of ``n`` rows moves ``coef_`` by at most ``2 R / n`` for rows
    of norm at most ``R``, so the classifier is uniformly stable with a
    constant of order ``1 / n``: the property the stability bound of
    :func:`sksynth.theory.gda.gda_stability_bound` relies on.

    References
    ----------
    .. [1] Zheng, C., Wu, G. and Li, C. (2023). "Toward understanding
       generative data augmentation." NeurIPS 2023, arXiv:2305.17476.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.linear_model import MeanDifferenceClassifier
    >>> rng = np.random.RandomState(0)
    >>> y = np.repeat([0, 1], 100)
    >>> X = rng.normal(scale=0.6, size=(200, 2)) + np.where(y[:, None] == 1, 1.0, -1.0)
    >>> clf = MeanDifferenceClassifier(fit_intercept=False).fit(X, y)
    >>> bool(np.allclose(clf.coef_, [1.0, 1.0], atol=0.1))   # E[(2y - 1) x] = (1, 1)
    True
    >>> round(clf.score(X, y), 2)
    0.98
    >>> X_shifted = X + 5.0   # not centred at the origin: the default centres the rule
    >>> round(MeanDifferenceClassifier().fit(X_shifted, y).score(X_shifted, y), 2)
    0.98
    >>> paper = MeanDifferenceClassifier(fit_intercept=False).fit(X_shifted, y)
    >>> round(paper.score(X_shifted, y), 2)
    0.5
    """

    _parameter_constraints = {"fit_intercept": ["boolean"]}

    def __init__(self, *, fit_intercept=True):
        self.fit_intercept = fit_intercept

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Estimate the direction (and offset) from labelled rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Labels of exactly two classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights: the means become weighted means. Both classes need a
            positive total weight.

        Returns
        -------
        self : MeanDifferenceClassifier
            The fitted classifier.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        n_classes = self.classes_.shape[0]
        if n_classes > 2:
            raise ValueError(
                "Only binary classification is supported. The type of the target is "
                f"{type_of_target(y, input_name='y')} ({n_classes} classes); wrap "
                "MeanDifferenceClassifier in sklearn.multiclass.OneVsRestClassifier for "
                "more classes."
            )
        if n_classes < 2:
            raise ValueError(
                "MeanDifferenceClassifier needs samples of 2 classes in y; got 1 class: "
                f"{self.classes_[0]!r}."
            )
        weights = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        class_weight = np.bincount(y_enc, weights=weights, minlength=2)
        if np.any(class_weight <= 0):
            empty = self.classes_[np.flatnonzero(class_weight <= 0)[0]]
            raise ValueError(
                f"class {empty!r} has zero total sample_weight, so its mean is undefined; "
                "MeanDifferenceClassifier needs a positive weight in both classes."
            )
        signs = 2.0 * y_enc - 1.0
        if self.fit_intercept:
            means = np.stack(
                [weights[y_enc == k] @ X[y_enc == k] / class_weight[k] for k in range(2)]
            )
            self.coef_ = (means[1] - means[0]) / 2.0
            self.intercept_ = float(-self.coef_ @ (means[0] + means[1]) / 2.0)
        else:
            self.coef_ = (weights * signs) @ X / weights.sum()
            self.intercept_ = 0.0
        return self

    def decision_function(self, X):
        """Signed score of each row, positive for the second class.

        The score is ``x @ coef_ + intercept_``; ``predict`` returns
        ``classes_[1]`` where it is at least 0.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return X @ self.coef_ + self.intercept_

    def predict(self, X):
        """Predict ``classes_[1]`` where the score is at least 0, else ``classes_[0]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.classes_[(self.decision_function(X) >= 0).astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
