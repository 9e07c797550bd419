"""Label noise on top of any class-conditional generator."""

from numbers import Real

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import _num_samples

from ..base import (
    GeneratorMixin,
    WrappedGeneratorMixin,
    _seed_from,
    _seeded_clone,
    _TargetSpec,
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

    _input_kind = "wrapped"
    _sample_options = ("return_flipped",)

    def __init__(self, generator=None, *, rate=0.1, random_state=None):
        self.generator = generator
        self.rate = rate
        self.random_state = random_state

    def _fit(self, X, y):
        """Fit the wrapped generator on ``(X, y)``; ``y`` (class labels) is required."""
        if y is None:
            raise ValueError(
                "LabelNoise requires y to be passed, but the target y is None: fit it "
                "with class labels, fit(X, y)."
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

    def _sample(self, n_samples, y_enc, conditions, rng, return_flipped=False):
        """Rows with clean labels from the wrapped generator, then labels flipped.

        ``sample(..., return_flipped=True)`` also returns the boolean mask of the
        flipped labels, of shape (n_samples,).
        """
        y_clean = None if y_enc is None else self.classes_[y_enc]
        X_new, y_drawn = self.generator_.sample(n_samples, y=y_clean, random_state=rng)
        noisy, flipped = self._flip(y_drawn, rng)
        return (X_new, noisy, flipped) if return_flipped else (X_new, noisy)

    def _flip(self, y_clean, rng):
        clean = self._y_spec.encode(np.asarray(y_clean))
        n_classes = len(self.classes_)
        flipped = rng.random_sample(clean.shape[0]) < self.rate
        if n_classes < 2:
            flipped[:] = False
        # a uniform draw among the other classes: shift by 1..K-1 modulo K
        shift = rng.randint(1, max(n_classes, 2), size=clean.shape[0])
        noisy = np.where(flipped, (clean + shift) % max(n_classes, 1), clean)
        return noisy, flipped

    def _score_samples(self, X, y_enc):
        """``log p(x, y_noisy) = log sum_c p(x, c) P(y_noisy | c)``, with the wrapped
        generator's ``p(x, c)``; without ``y``, the marginal ``log p(x)``."""
        n_rows = _num_samples(X)
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
