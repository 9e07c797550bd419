"""Augmentation as an imbalanced-learn style sampler (``fit_resample``)."""

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples

from ..generators import GaussianMixtureGenerator
from ._draw import (
    AUGMENTATION_CONSTRAINTS,
    CLASS_DISTRIBUTIONS,
    AugmentationMixin,
    allocate_labels,
    draw_synthetic,
    resolve_n_synthetic,
    stack_real_and_synthetic,
)


class SyntheticAugmenter(AugmentationMixin, BaseEstimator):
    """Append synthetic rows to a training set, as an imbalanced-learn sampler.

    ``fit_resample(X, y)`` fits a clone of ``generator`` (and ``pruner``) on
    ``(X, y)`` and returns the real rows followed by the kept synthetic rows.
    In an ``imblearn.pipeline.Pipeline`` the resampling happens in ``fit`` only,
    so predictions and scores use real rows. Use :class:`AugmentedClassifier`
    instead when synthetic rows should be weighted.

    Parameters
    ----------
    generator : generator, default=None
        Class-conditional generator; ``None`` uses
        :class:`~sksynth.generators.GaussianMixtureGenerator`.
    n_synthetic : int or float, default=1.0
        An int is a number of rows; a float a multiple of the number of rows.
    pruner : pruner, default=None
        Filter fitted on the real rows.
    class_distribution : {"match", "balanced"}, default="match"
        Labels of the synthetic rows: in the training proportions, or equal
        counts per class (which rebalances an imbalanced training set).
    random_state : int, RandomState instance or None, default=None
        Seeds the generator, the pruner and the sampling.

    Attributes
    ----------
    generator_ : generator or None
        The generator fitted by the last ``fit_resample``.
    pruner_ : pruner or None
        The pruner fitted by the last ``fit_resample``.
    n_synthetic_ : int
        Synthetic rows drawn by the last ``fit_resample``.
    n_kept_ : int
        Synthetic rows returned by the last ``fit_resample``.
    n_features_in_ : int
        Number of features seen during fit.

    See Also
    --------
    AugmentedClassifier : Augmentation as a meta-estimator, with weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.augmentation import SyntheticAugmenter
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(30, 2)), np.array([0] * 20 + [1] * 10)
    >>> X_res, y_res = SyntheticAugmenter(n_synthetic=30, class_distribution="balanced",
    ...                                   random_state=0).fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((60, 2), [35, 25])
    """

    _DEFAULT_GENERATOR = GaussianMixtureGenerator

    _parameter_constraints = {
        **AUGMENTATION_CONSTRAINTS,
        "class_distribution": [CLASS_DISTRIBUTIONS],
    }

    def __init__(
        self,
        generator=None,
        *,
        n_synthetic=1.0,
        pruner=None,
        class_distribution="match",
        random_state=None,
    ):
        self.generator = generator
        self.n_synthetic = n_synthetic
        self.pruner = pruner
        self.class_distribution = class_distribution
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Check ``X`` and ``y``; the generator is fitted by :meth:`fit_resample`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        self._validate_fit_data(X, y)
        check_classification_targets(y)
        return self

    def fit_resample(self, X, y):
        """Return the real rows followed by the kept synthetic rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Real rows.
        y : array-like of shape (n_samples,)
            Real class labels.

        Returns
        -------
        X_resampled : array-like of shape (n_samples + `n_kept_`, n_features)
        y_resampled : array-like of shape (n_samples + `n_kept_`,)
        """
        X, y = self._validate_fit_data(X, y)
        check_classification_targets(y)
        rng = check_random_state(self.random_state)
        classes, counts = np.unique(np.asarray(y), return_counts=True)
        self.n_synthetic_ = resolve_n_synthetic(self.n_synthetic, _num_samples(X))
        self.generator_, self.pruner_ = None, None
        if self.n_synthetic_ == 0:
            self.n_kept_ = 0
            return X, y
        labels = allocate_labels(classes, counts, self.n_synthetic_, self.class_distribution, rng)
        X_syn, y_syn, self.generator_, self.pruner_ = draw_synthetic(
            X, y, generator=self._default_generator(), n_synthetic=self.n_synthetic_,
            pruner=self.pruner,
            rng=rng, labels=labels,
        )
        self.n_kept_ = _num_samples(X_syn)
        return stack_real_and_synthetic(X, y, X_syn, y_syn)
