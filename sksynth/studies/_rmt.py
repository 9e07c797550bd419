"""Monte-Carlo check of the random-matrix theory of synthetic data (El Firdoussi et al., 2024).

:func:`simulate_accuracy` fits :class:`~sksynth.linear_model.RMTRidgeClassifier`
on simulated real and synthetic Gaussian-mixture rows (label noise, a
:class:`~sksynth.pruning.BernoulliVerifier`) and sets its test accuracy beside
the prediction of :func:`sksynth.theory.rmt.test_accuracy`.
"""

from collections import namedtuple

import numpy as np
from scipy.special import ndtr
from sklearn.utils import check_random_state

from ..datasets import make_gaussian_mixture
from ..generators import GaussianMixtureGenerator, LabelNoise
from ..linear_model import RMTRidgeClassifier
from ..pruning import BernoulliVerifier
from ..theory.rmt import kept_fraction, test_accuracy

__all__ = ["SimulationResult", "simulate_accuracy"]

SimulationResult = namedtuple("SimulationResult", ["accuracy", "theory"])
SimulationResult.__doc__ = """Monte-Carlo accuracies and predictions (:func:`simulate_accuracy`).

accuracy : ndarray of shape (n_trials,)
    Test accuracy of the fitted classifier in each trial.
theory : ndarray of shape (n_trials,)
    The predicted accuracy for each trial: the same number for every trial,
    except with ``case="generator"`` where it is conditional on that trial's
    fitted generator.
"""


_CASES = ("exact", "toy", "generator")


def simulate_accuracy(n, m, p, *, mean_norm=1.0, case="toy", n_hat=None, eps=0.0, rho=0.0,
                      phi=1.0, gamma=1.0, synthetic_weight=1.0, n_trials=10, n_test=None,
                      random_state=None):
    """Monte-Carlo test accuracy of :class:`~sksynth.linear_model.RMTRidgeClassifier`.

    Each trial draws ``n`` real rows ``x = y mu + z`` (balanced labels,
    :func:`~sksynth.datasets.make_gaussian_mixture`) and ``m`` synthetic rows
    with balanced clean labels, flips each synthetic label with probability
    ``eps``, keeps rows with a :class:`~sksynth.pruning.BernoulliVerifier`
    ``(rho, phi)``, fits the classifier with ``synthetic_mask`` and
    ``keep_mask`` (pruned rows count in ``N``, as in the paper), and measures
    its accuracy on real test rows. The synthetic rows come from

    - ``case="exact"``: the true distribution ``N(+-mu, I)``;
    - ``case="toy"``: ``N(+-mu, Z Z^T / n_hat)`` with a fresh ``Z`` (of shape
      ``(p, n_hat)``) per trial, the paper's toy setting;
    - ``case="generator"``: a
      :class:`~sksynth.generators.GaussianMixtureGenerator` (``"tied"``)
      fitted on ``n_hat`` fresh real rows, its labels flipped by
      :class:`~sksynth.generators.LabelNoise`: estimated means and
      covariance, i.e. the paper's ``(mu_hat, C_hat)`` generator.

    Parameters
    ----------
    n : int
        Real training rows (>= 0).
    m : int
        Synthetic rows before verification (>= 0); ``n + m > 0``.
    p : int
        Dimension (>= 1).
    mean_norm : float, default=1.0
        ``||mu||``; the direction of ``mu`` is drawn once, at random.
    case : {"exact", "toy", "generator"}, default="toy"
        Synthetic distribution, see above.
    n_hat : int, default=None
        Rows behind the generator's estimates (``"toy"`` and
        ``"generator"``; at least 4 for ``"generator"``).
    eps, rho, phi : float, default=0.0, 0.0, 1.0
        Label noise and verifier rates.
    gamma : float, default=1.0
        Ridge parameter (``alpha`` of the classifier).
    synthetic_weight : float, default=1.0
        Weight of the kept synthetic rows.
    n_trials : int, default=10
        Number of independent training sets.
    n_test : int, default=None
        None: the exact accuracy of each fitted ``w`` on the real
        distribution, ``Phi(w^T mu / ||w||)`` (no test-sampling noise); an int:
        the accuracy on ``n_test`` fresh real rows.
    random_state : int, RandomState instance or None, default=None
        Seeds everything.

    Returns
    -------
    result : SimulationResult
        ``(accuracy, theory)``, arrays of shape ``(n_trials,)``; ``theory``
        is :func:`~sksynth.theory.rmt.test_accuracy` for the case
        (conditional on each trial's generator for ``"generator"``, with the
        common offset of its class means folded into the covariance).

    Examples
    --------
    >>> from sksynth.studies import simulate_accuracy
    >>> sim = simulate_accuracy(300, 600, 150, mean_norm=1.2, case="toy", n_hat=300,
    ...                         eps=0.2, rho=0.2, phi=0.9, n_trials=5, random_state=0)
    >>> print(round(float(sim.accuracy.mean()), 2), round(float(sim.theory[0]), 2))
    0.86 0.86
    """
    if case not in _CASES:
        raise ValueError(f"case must be one of {_CASES}, got {case!r}.")
    for name, value, low in (("n", n, 0), ("m", m, 0), ("p", p, 1), ("n_trials", n_trials, 1)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
                or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}.")
    if n + m == 0:
        raise ValueError("n + m must be > 0: the classifier needs at least one row.")
    if case == "exact" and n_hat is not None:
        raise ValueError("case='exact' has an exact generator: leave n_hat as None.")
    if case != "exact":
        low = 4 if case == "generator" else 1
        if isinstance(n_hat, (bool, np.bool_)) or not isinstance(n_hat, (int, np.integer)) \
                or n_hat < low:
            raise ValueError(f"case={case!r} needs n_hat, an int >= {low}; got {n_hat!r}.")
    kept_fraction(eps, rho, phi)  # checks the three rates
    if n_test is not None and (not isinstance(n_test, (int, np.integer)) or n_test < 1):
        raise ValueError(f"n_test must be None or an int >= 1, got {n_test!r}.")
    rng = check_random_state(random_state)
    _, _, mu = make_gaussian_mixture(0, p, mean_norm=mean_norm, random_state=rng,
                                     return_mean=True)
    common = dict(eps=eps, rho=rho, phi=phi, gamma=gamma, synthetic_weight=synthetic_weight)
    if case != "generator":
        predicted = test_accuracy(n, m, p, mean_norm=mean_norm,
                                  n_hat=None if case == "exact" else n_hat, **common)
    accuracy, theory = np.empty(n_trials), np.empty(n_trials)
    for trial in range(n_trials):
        X_r, y_r = make_gaussian_mixture(n, p, mean=mu, random_state=rng)
        _, y_s = make_gaussian_mixture(m, 1, random_state=rng)  # balanced clean labels
        if case == "generator":
            X_hat, y_hat = make_gaussian_mixture(n_hat, p, mean=mu, random_state=rng)
            noisy = LabelNoise(GaussianMixtureGenerator(covariance_type="tied"), rate=eps,
                               random_state=rng).fit(X_hat, y_hat)
            X_s, y_noisy, flipped = noisy.sample(y=y_s, return_flipped=True) if m else (
                np.empty((0, p)), y_s, np.zeros(0, dtype=bool))
            means = noisy.generator_.means_  # classes_ = [-1, 1]
            offset = (means[0] + means[1]) / 2
            theory[trial] = test_accuracy(
                n, m, mean=mu, mean_synthetic=(means[1] - means[0]) / 2,
                covariance_synthetic=noisy.generator_.covariances_ + np.outer(offset, offset),
                **common)
        else:
            noise = rng.standard_normal((m, p))
            if case == "toy":  # covariance Z Z^T / n_hat, drawn at the cheaper size
                Z = rng.standard_normal((p, n_hat))
                if n_hat < p:
                    noise = rng.standard_normal((m, n_hat)) @ Z.T / np.sqrt(n_hat)
                else:
                    noise = noise @ np.linalg.cholesky(Z @ Z.T / n_hat).T
            X_s = y_s[:, None] * mu + noise
            flipped = rng.random_sample(m) < eps
            y_noisy = np.where(flipped, -y_s, y_s)
            theory[trial] = predicted
        keep = np.ones(m, dtype=bool)
        if m:
            verifier = BernoulliVerifier(rho=rho, phi=phi, random_state=rng).fit(X_s)
            keep = verifier.keep_mask(X_s, correct=~flipped)
        X_all = np.vstack([X_r, X_s])
        y_all = np.concatenate([y_r, y_noisy])
        synthetic = np.arange(n + m) >= n
        clf = RMTRidgeClassifier(alpha=gamma, synthetic_weight=synthetic_weight)
        if np.unique(y_all).shape[0] < 2:  # a degenerate draw: nothing to learn
            accuracy[trial] = 0.5
            continue
        clf.fit(X_all, y_all, synthetic_mask=synthetic,
                keep_mask=np.concatenate([np.ones(n, dtype=bool), keep]))
        w = clf.coef_[0] if clf.classes_[1] == 1 else -clf.coef_[0]
        if n_test is None:
            norm = np.linalg.norm(w)
            accuracy[trial] = 0.5 if norm == 0 else ndtr(w @ mu / norm)
        else:
            X_t, y_t = make_gaussian_mixture(n_test, p, mean=mu, random_state=rng)
            accuracy[trial] = np.mean(np.where(X_t @ w >= 0, 1, -1) == y_t)
    return SimulationResult(accuracy, theory)
