"""Label noise on top of any class-conditional generator."""

from numbers import Real

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data

from ..base import (
    GeneratorMixin,
    WrappedGeneratorMixin,
    _seed_from,
    _seeded_clone,
    _TargetSpec,
    check_n_samples,
)
from ._gaussian import GaussianMixtureGenerator


class LabelNoise(WrappedGeneratorMixin, GeneratorMixin, TransformerMixin, BaseEstimator):
    """Flip the labels a class-conditional generator samples, at a known rate.

    Each sampled label is replaced, with probability ``rate``, by a different
    class drawn uniformly (for two classes: the other class). The rows
    themselves come from the wrapped generator given the *clean* label, so
    ``sample(..., return_flipped=True)`` tells which labels are wrong, which
    is what verifier studies need to measure ``rho`` and ``phi`` (El Firdoussi
    et al., 2024, label noise ``eps``).

    Parameters
    ----------
    generator : generator estimator, default=None
        A generator that can be fitted with class labels and sampled with
        ``sample(n, y=..., random_state=...)``. ``None`` uses
        :class:`GaussianMixtureGenerator`.
    rate : float in [0, 1], default=0.1
        Probability that a sampled label is flipped.
    random_state : int, RandomState instance or None, default=None
        Seeds the wrapped generator's fit and this generator's sampling stream.

    Attributes
    ----------
    generator_ : generator estimator
        The fitted clone of ``generator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in fit.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.generators import LabelNoise
    >>> rng = np.random.RandomState(0)
    >>> y = np.repeat([0, 1], 100)
    >>> X = rng.normal(size=(200, 2)) + y[:, None]
    >>> noisy = LabelNoise(rate=0.2, random_state=0).fit(X, y)
    >>> X_new, y_new, flipped = noisy.sample(10_000, return_flipped=True)
    >>> bool(abs(flipped.mean() - 0.2) < 4 * np.sqrt(0.2 * 0.8 / 10_000))
    True
    """

    _parameter_constraints = {
        "generator": [None, HasMethods(["fit", "sample"])],
        "rate": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
    }

    def __init__(self, generator=None, *, rate=0.1, random_state=None):
        self.generator = generator
        self.rate = rate
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the wrapped generator on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Class labels (required).

        Returns
        -------
        self : object
            The fitted generator.
        """
        if y is None:
            raise ValueError(
                "LabelNoise requires y to be passed, but the target y is None: fit it "
                "with class labels, fit(X, y)."
            )
        # the wrapped generator validates X (it may model mixed types or NaN)
        validate_data(self, X, skip_check_array=True)
        if _num_samples(X) != _num_samples(y):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {_num_samples(X)} and "
                f"{_num_samples(y)}."
            )
        self._y_spec = _TargetSpec(y, allow_regression=False)
        self.classes_ = self._y_spec.classes
        if self._y_spec.task != "classification":
            raise ValueError("LabelNoise needs class labels in y, not a continuous target.")
        rng = check_random_state(self.random_state)
        generator = GaussianMixtureGenerator() if self.generator is None else self.generator
        self.generator_ = _seeded_clone(generator, _seed_from(rng)).fit(X, y)
        self._init_sampling_stream(rng)
        return self

    def sample(self, n_samples=1, *, y=None, random_state=None, return_flipped=False):
        """Draw rows with clean labels, then flip labels with probability ``rate``.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows (ignored when ``y`` is given, unless equal to ``len(y)``).
        y : array-like of shape (n_rows,), default=None
            Clean labels to condition on before flipping.
        random_state : int, RandomState instance or None, default=None
            Seed for this call alone; ``None`` advances the sampling stream.
        return_flipped : bool, default=False
            Also return the boolean mask of flipped labels.

        Returns
        -------
        X_new : ndarray or DataFrame of shape (n_samples, `n_features_in_`)
        y_noisy : ndarray or Series of shape (n_samples,)
        flipped : ndarray of shape (n_samples,), dtype=bool
            Only when ``return_flipped=True``.
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        rng = self._sampling_rng if random_state is None else check_random_state(random_state)
        X_new, y_clean = self.generator_.sample(n_samples, y=y, random_state=rng)
        y_noisy, flipped = self._flip(y_clean, rng)
        if return_flipped:
            return X_new, y_noisy, flipped
        return X_new, y_noisy

    def _flip(self, y_clean, rng):
        clean = self._y_spec.encode(np.asarray(y_clean))
        n_classes = len(self.classes_)
        flipped = rng.random_sample(clean.shape[0]) < self.rate
        if n_classes < 2:
            flipped[:] = False
        # a uniform draw among the other classes: shift by 1..K-1 modulo K
        shift = rng.randint(1, max(n_classes, 2), size=clean.shape[0])
        noisy = np.where(flipped, (clean + shift) % max(n_classes, 1), clean)
        labels = self.classes_[noisy]
        if isinstance(y_clean, pd.Series):
            labels = pd.Series(labels, name=y_clean.name, index=y_clean.index)
        return labels, flipped

    def score_samples(self, X, y=None):
        """Log-likelihood of each row (and noisy label) under the noisy model.

        ``log p(x, y_noisy) = log sum_c p(x, c) P(y_noisy | c)``, with the wrapped
        generator's ``p(x, c)``; without ``y``, the marginal ``log p(x)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)
        y : array-like of shape (n_samples,), default=None

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        n_rows = _num_samples(X)
        y_enc = None if y is None else self._y_spec.encode(y, n_rows=n_rows)
        n_classes = len(self.classes_)
        log_joint = np.column_stack(
            [self.generator_.score_samples(X, y=np.repeat(c, n_rows)) for c in self.classes_]
        )
        if y_enc is None:
            return logsumexp(log_joint, axis=1)
        if n_classes < 2:
            return log_joint[:, 0]
        log_keep = np.log1p(-self.rate) if self.rate < 1 else -np.inf
        log_move = np.log(self.rate / (n_classes - 1)) if self.rate > 0 else -np.inf
        transition = np.full((n_classes, n_classes), log_move)
        np.fill_diagonal(transition, log_keep)
        return logsumexp(log_joint + transition[:, y_enc].T, axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        generator = GaussianMixtureGenerator() if self.generator is None else self.generator
        tags.input_tags = generator.__sklearn_tags__().input_tags
        tags.target_tags.required = True
        return tags
