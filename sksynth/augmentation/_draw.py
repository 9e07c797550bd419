"""Drawing the synthetic rows an augmentation adds: fit, sample, prune."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from sklearn.utils.validation import validate_data

from ..base import _seed_from, _seeded_clone, _stack_rows, _take_rows, check_n_samples

# Shared by every augmenting estimator; each adds its own keys.
AUGMENTATION_CONSTRAINTS = {
    "generator": [None, HasMethods(["fit", "sample"])],
    "n_synthetic": [Interval(Real, 0, None, closed="left")],
    "pruner": [None, HasMethods(["fit", "keep_mask"])],
    "random_state": ["random_state"],
}
CLASS_DISTRIBUTIONS = StrOptions({"match", "balanced"})


def resolve_n_synthetic(n_synthetic, n_real):
    """Number of rows to draw: an int is a count, a float a multiple of ``n_real``."""
    if isinstance(n_synthetic, (bool, np.bool_)):
        raise TypeError(
            "n_synthetic must be an int (a number of rows) or a float (a multiple of the "
            f"training-set size), got the boolean {n_synthetic!r}."
        )
    if isinstance(n_synthetic, Integral):
        return check_n_samples(n_synthetic, "n_synthetic")
    if isinstance(n_synthetic, Real) and np.isfinite(n_synthetic) and n_synthetic >= 0:
        return int(round(float(n_synthetic) * n_real))
    raise ValueError(
        "n_synthetic must be a non-negative int (a number of rows) or float (a multiple "
        f"of the training-set size), got {n_synthetic!r}."
    )


def allocate_labels(classes, y_counts, n_synthetic, class_distribution, rng):
    """Labels to condition the generator on, in random order.

    ``"match"`` allocates ``n_synthetic`` in proportion to the training counts
    (largest remainder); ``"balanced"`` gives each class the same share.
    """
    if class_distribution == "balanced":
        share = np.full(len(classes), n_synthetic / len(classes))
    else:
        share = y_counts * n_synthetic / y_counts.sum()
    counts = np.floor(share).astype(int)
    remainder = n_synthetic - counts.sum()
    counts[np.argsort(-(share - counts), kind="stable")[:remainder]] += 1
    labels = np.repeat(np.asarray(classes), counts)
    return labels[rng.permutation(labels.shape[0])]


def draw_synthetic(X, y, *, generator, n_synthetic, pruner, rng, labels=None):
    """Fit ``generator`` (and ``pruner``) on ``(X, y)``, sample and prune.

    Parameters
    ----------
    X, y : the real training rows and targets.
    generator : unfitted generator, cloned here.
    n_synthetic : int, number of rows to draw (before pruning).
    pruner : unfitted pruner or None, cloned here and fitted on the real rows.
    rng : RandomState driving every random choice.
    labels : array or None, labels to condition on (classification).

    Returns
    -------
    X_syn, y_syn : the kept synthetic rows and targets.
    generator_, pruner_ : the fitted clones.
    """
    generator_ = _seeded_clone(generator, _seed_from(rng)).fit(X, y)
    if labels is None:
        drawn = generator_.sample(n_synthetic, random_state=rng)
    else:
        drawn = generator_.sample(y=labels, random_state=rng)
    X_syn, y_syn = check_labelled_draw(generator_, drawn)
    pruner_ = None
    if pruner is not None:
        pruner_ = _seeded_clone(pruner, _seed_from(rng)).fit(X, y)
        mask = np.asarray(pruner_.keep_mask(X_syn, y_syn), dtype=bool)
        X_syn, y_syn = _take_rows(X_syn, mask), _take_rows(y_syn, mask)
    return X_syn, y_syn, generator_, pruner_


def check_labelled_draw(generator, drawn):
    """``(X, y)`` of a generator fitted with ``y``, or a clear error when it returned X only."""
    if not (isinstance(drawn, tuple) and len(drawn) == 2):
        raise TypeError(
            f"generator {type(generator).__name__} returned X only from sample() after "
            "fit(X, y); augmentation needs a class-conditional generator that models the "
            "target and returns (X, y)."
        )
    return drawn


def stack_real_and_synthetic(X, y, X_syn, y_syn):
    """Real rows first, then synthetic ones, in the container of the real rows."""
    y_real = y if hasattr(y, "iloc") else np.asarray(y)
    y_new = y_syn if hasattr(y_real, "iloc") else np.asarray(y_syn)
    return _stack_rows(X, X_syn), _stack_rows(y_real, y_new)


class AugmentationMixin:
    """Validation shared by the estimators that augment with a generator.

    Input checks follow the generator's capabilities: numeric-only generators
    get numeric, finite input (errors at ``fit``); generators whose tags allow
    categorical/string columns or NaN receive the data untouched, and the
    estimator raises its own error if it cannot take NaN (a ``Pipeline`` that
    imputes first does not always declare that it can).
    """

    def _default_generator(self):
        return self._DEFAULT_GENERATOR() if self.generator is None else self.generator

    def _check_params_for_input(self):
        tags = self._default_generator().__sklearn_tags__().input_tags
        return {
            "dtype": None if (tags.categorical or tags.string) else "numeric",
            "ensure_all_finite": not tags.allow_nan,
        }

    def _validate_fit_data(self, X, y):
        """Validate ``X, y``; keep DataFrames/Series as they are for the generator."""
        X_checked, y_checked = validate_data(self, X, y, **self._check_params_for_input())
        X = X if hasattr(X, "iloc") else X_checked
        y = y if hasattr(y, "iloc") else y_checked
        return X, y

    def _validate_predict_data(self, X):
        X_checked = validate_data(self, X, reset=False, **self._check_params_for_input())
        return X if hasattr(X, "iloc") else X_checked
