"""Empirical keep rates ``(rho, phi)`` of a pruner."""

import inspect

import numpy as np
from sklearn.utils.validation import _num_samples

from ._common import _check_correct

__all__ = ["estimate_verifier_rates"]


def estimate_verifier_rates(pruner, X, y, correct):
    """Empirical keep rates of a fitted pruner on wrongly and correctly labelled rows.

    Parameters
    ----------
    pruner : fitted pruner
        Any object with ``keep_mask(X, y)``. When its ``keep_mask`` accepts a
        ``correct`` keyword (as :class:`BernoulliVerifier` does), ``correct``
        is passed through.
    X : array-like of shape (n_samples, n_features)
        Candidate rows.
    y : array-like of shape (n_samples,)
        Candidate labels (possibly noisy).
    correct : array-like of bool of shape (n_samples,)
        ``True`` where the label ``y`` is correct. Both correct and wrong rows
        must be present.

    Returns
    -------
    rho : float
        Fraction of wrongly-labelled rows that the pruner keeps (false-keep rate).
    phi : float
        Fraction of correctly-labelled rows that the pruner keeps (true-keep rate).

    Raises
    ------
    ValueError
        If ``correct`` has no ``True`` or no ``False`` entry: the corresponding
        rate is undefined, and a NaN would silently propagate into
        ``lambda = phi (1 - eps) - rho eps``.

    Notes
    -----
    ``rho`` and ``phi`` are the verifier parameters of El Firdoussi et al.
    (2024), "Maximizing the Potential of Synthetic Data: Insights from Random
    Matrix Theory", arXiv:2410.08942. Each estimate is a binomial proportion,
    with standard error ``sqrt(r (1 - r) / n)`` over the ``n`` rows of its group.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.pruning import BernoulliVerifier, estimate_verifier_rates
    >>> X = np.zeros((20_000, 1))
    >>> y = np.zeros(20_000, dtype=int)
    >>> correct = np.arange(20_000) % 2 == 0
    >>> verifier = BernoulliVerifier(rho=0.1, phi=0.8, random_state=0).fit(X)
    >>> rho, phi = estimate_verifier_rates(verifier, X, y, correct)
    >>> print(round(rho, 2), round(phi, 2))
    0.1 0.8
    """
    if not callable(getattr(pruner, "keep_mask", None)):
        raise TypeError(
            f"pruner must have a keep_mask(X, y) method, got {type(pruner).__name__}; "
            "pass a fitted pruner such as LabelVerifier().fit(X_real, y_real)."
        )
    correct = _check_correct(correct, _num_samples(X), owner="estimate_verifier_rates")
    if correct.all() or not correct.any():
        missing = "wrongly" if correct.all() else "correctly"
        raise ValueError(
            f"correct has no {missing} labelled rows, so "
            f"{'rho' if correct.all() else 'phi'} is undefined; pass candidates with both "
            "correct and wrong labels (e.g. inject label noise with a known mask)."
        )
    if "correct" in inspect.signature(pruner.keep_mask).parameters:
        mask = pruner.keep_mask(X, y, correct=correct)
    else:
        mask = pruner.keep_mask(X, y)
    mask = np.asarray(mask, dtype=bool)
    return float(mask[~correct].mean()), float(mask[correct].mean())
