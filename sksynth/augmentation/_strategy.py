"""Over-sampling targets: imbalanced-learn's ``sampling_strategy`` semantics.

Written here rather than imported so that sksynth imports, and
:class:`~sksynth.augmentation.SyntheticAugmenter` resamples, without
imbalanced-learn installed; ``tests/test_imbalanced_sampler.py`` checks every
form against imbalanced-learn's ``RandomOverSampler`` when it is installed.
"""

from collections.abc import Mapping
from numbers import Real

import numpy as np
from sklearn.utils.multiclass import type_of_target

#: The string forms, for over-sampling. ``"auto"`` means ``"not majority"``.
SAMPLING_STRATEGY_STRINGS = ("auto", "minority", "not minority", "not majority", "all")


def _class_counts(y):
    """Classes in sorted order (``np.unique``) with their counts."""
    classes, counts = np.unique(y, return_counts=True)
    return classes, counts.astype(int)


def _equalise(classes, counts, targeted):
    """Rows to add so that every targeted class reaches the majority's count."""
    n_max = int(counts.max())
    return {c: n_max - int(n) for c, n, t in zip(classes, counts, targeted) if t}


def _from_string(name, classes, counts):
    # argmax/argmin take the first class in sorted order on ties
    majority, minority = int(np.argmax(counts)), int(np.argmin(counts))
    index = np.arange(len(classes))
    targeted = {
        "auto": index != majority,
        "not majority": index != majority,
        "not minority": index != minority,
        "minority": index == minority,
        "all": np.ones(len(classes), dtype=bool),
    }[name]
    return _equalise(classes, counts, targeted)


def _from_ratio(ratio, y, classes, counts):
    """Binary only: the minority class grows to ``int(ratio * n_majority)`` rows."""
    if type_of_target(y) != "binary":
        raise ValueError(
            "sampling_strategy can be a float only for a binary target (it is the "
            "ratio n_minority / n_majority after resampling); for "
            f"{len(classes)} classes pass a dict {{class: n_samples}}."
        )
    majority = int(np.argmax(counts))
    n_max = int(counts[majority])
    to_add = {
        c: int(n_max * float(ratio) - int(n))
        for k, (c, n) in enumerate(zip(classes, counts))
        if k != majority
    }
    if any(n <= 0 for n in to_add.values()):
        raise ValueError(
            f"sampling_strategy={ratio!r} asks for no more rows than the minority class "
            f"already has (counts {dict(zip(classes.tolist(), counts.tolist()))}); an "
            "over-sampler only adds rows: increase the ratio."
        )
    return to_add


def _from_targets(targets, classes, counts, source):
    """A ``{class: n_samples after resampling}`` mapping, as rows to add."""
    if not isinstance(targets, Mapping):
        raise TypeError(
            f"a callable sampling_strategy must return a dict {{class: n_samples}}, "
            f"got {type(targets).__name__} from {source}."
        )
    known = dict(zip(classes.tolist(), counts.tolist()))
    unknown = [key for key in targets if key not in known]
    if unknown:
        raise ValueError(
            f"sampling_strategy names classes that are not in y: {unknown}; the "
            f"classes are {list(known)}."
        )
    for key, n_target in targets.items():
        if isinstance(n_target, (bool, np.bool_)) or not isinstance(n_target, Real):
            raise TypeError(
                f"sampling_strategy[{key!r}] must be a number of rows, got {n_target!r}."
            )
        if n_target < 0:
            raise ValueError(
                f"sampling_strategy[{key!r}] = {n_target!r}: a class cannot have a "
                "negative number of rows."
            )
        if n_target < known[key]:
            raise ValueError(
                f"sampling_strategy[{key!r}] = {n_target!r} is below the {known[key]} "
                "rows the class already has; an over-sampler only adds rows (values are "
                "the class sizes after resampling)."
            )
    # in the classes' sorted order, whatever the mapping's order
    return {c: int(targets[key]) - int(n) for c, key, n in zip(classes, known, counts)
            if key in targets}


def resolve_sampling_strategy(sampling_strategy, y):
    """Rows to add per class, imbalanced-learn's over-sampling semantics.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable
        ``float`` (binary ``y`` only): the ratio ``n_minority / n_majority``
        after resampling, the minority growing to
        ``int(ratio * n_majority)`` rows. ``str``: the classes grown to the
        majority's count, ``"minority"``, ``"not minority"``,
        ``"not majority"``, ``"all"`` or ``"auto"`` (= ``"not majority"``);
        ties go to the first class in sorted order. ``dict``: the size of
        each named class after resampling (at least its current size).
        ``callable``: ``y -> dict`` as above.
    y : ndarray of shape (n_samples,)
        Class labels.

    Returns
    -------
    to_add : dict
        ``{class: number of rows to add}``, classes in sorted order; classes
        that are not resampled are absent.
    """
    classes, counts = _class_counts(y)
    if classes.shape[0] < 2:
        raise ValueError(
            "a sampler needs samples of at least 2 classes in y; got 1 class: "
            f"{classes[0]!r}." if classes.shape[0] else "a sampler needs a non-empty y."
        )
    if isinstance(sampling_strategy, (bool, np.bool_)):
        raise TypeError(
            f"sampling_strategy must be a float, str, dict or callable, got the boolean "
            f"{sampling_strategy!r}."
        )
    if isinstance(sampling_strategy, str):
        if sampling_strategy not in SAMPLING_STRATEGY_STRINGS:
            raise ValueError(
                f"sampling_strategy={sampling_strategy!r} is not one of "
                f"{list(SAMPLING_STRATEGY_STRINGS)}."
            )
        to_add = _from_string(sampling_strategy, classes, counts)
    elif isinstance(sampling_strategy, Mapping):
        to_add = _from_targets(sampling_strategy, classes, counts, "the dict")
    elif isinstance(sampling_strategy, Real):
        if not 0 < sampling_strategy <= 1:
            raise ValueError(
                f"a float sampling_strategy must be in (0, 1], got {sampling_strategy!r}."
            )
        to_add = _from_ratio(sampling_strategy, y, classes, counts)
    elif callable(sampling_strategy):
        to_add = _from_targets(sampling_strategy(y), classes, counts,
                               getattr(sampling_strategy, "__name__", "the callable"))
    else:
        raise TypeError(
            "sampling_strategy must be a float, str, dict or callable, got "
            f"{type(sampling_strategy).__name__}."
        )
    return to_add
