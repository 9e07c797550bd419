"""Empirical privacy audit: membership inference on neighbouring data sets.

If a release is ``(epsilon, delta)``-DP, every test that tells apart the
worlds "trained on D" and "trained on D'" (neighbours) has
``TPR <= e^epsilon FPR + delta`` and ``1 - FPR <= e^epsilon (1 - TPR) + delta``
(Kairouz et al., 2015). Measuring TPR and FPR of an attack over many
independent trainings, with Clopper-Pearson confidence bounds, therefore gives
a lower bound on epsilon that holds with the stated confidence (Jagielski et
al., 2020; Nasr et al., 2021).
"""

import math
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy.stats import beta
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state

from ._attacks import (
    density_ratio_attack_scores,
    distance_attack_scores,
    likelihood_ratio_attack_scores,
)

__all__ = ["AuditResult", "audit", "clopper_pearson", "epsilon_lower_bound"]

_ATTACKS = ("distance", "density_ratio", "likelihood_ratio")


def clopper_pearson(k, n, alpha=0.05):
    """Exact two-sided ``1 - alpha`` confidence interval of a binomial proportion.

    Parameters
    ----------
    k : int
        Successes.
    n : int
        Trials (``n >= 1``).
    alpha : float, default=0.05

    Returns
    -------
    low, high : float

    Examples
    --------
    >>> from sksynth.privacy import clopper_pearson
    >>> low, high = clopper_pearson(0, 10)
    >>> round(low, 4), round(high, 4)
    (0.0, 0.3085)
    """
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n >= 1, got k={k}, n={n}.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}.")
    low = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


@dataclass
class AuditResult:
    """Outcome of :func:`audit` / :func:`epsilon_lower_bound`.

    Attributes
    ----------
    epsilon_lower : float
        Lower bound on epsilon holding with confidence ``1 - alpha``.
    epsilon_point : float
        The same bound from the observed rates without confidence intervals
        (an optimistic point estimate, not a bound).
    threshold : float
        Attack threshold giving ``epsilon_lower``.
    tpr, fpr : float
        Observed rates at that threshold.
    n_in, n_out : int
        Trials in each world.
    delta : float
        Delta used in the bound.
    alpha : float
        One minus the confidence level.
    auc : float
        ROC-AUC of the attack scores (0.5: no better than guessing).
    epsilon_claimed : float or None
        ``epsilon_`` reported by the audited generator (``audit`` only).
    scores_in, scores_out : ndarray
        The attack scores in each world.
    """

    epsilon_lower: float
    epsilon_point: float
    threshold: float
    tpr: float
    fpr: float
    n_in: int
    n_out: int
    delta: float
    alpha: float
    auc: float
    epsilon_claimed: float = None
    scores_in: np.ndarray = None
    scores_out: np.ndarray = None

    @property
    def consistent(self):
        """True when the claim is not contradicted (``epsilon_lower <= epsilon_claimed``)."""
        if self.epsilon_claimed is None:
            return None
        return bool(self.epsilon_lower <= self.epsilon_claimed)


def _log_ratio(num, den):
    if num <= 0:
        return 0.0
    if den <= 0:
        return math.inf
    return max(0.0, math.log(num / den))


def epsilon_lower_bound(scores_in, scores_out, *, delta=0.0, alpha=0.05, n_thresholds=20):
    """Lower bound on epsilon from attack scores in the two neighbouring worlds.

    For each threshold ``t`` (``n_thresholds`` quantiles of the pooled
    scores), the attack says "member" when ``score >= t``. With one-sided
    Clopper-Pearson bounds ``TPR_lo`` and ``FPR_hi`` at level
    ``alpha / (2 * n_thresholds)`` (Bonferroni over the thresholds and the
    two rates, so the whole search keeps confidence ``1 - alpha``),

    ``epsilon >= max(log((TPR_lo - delta) / FPR_hi), log((1 - FPR_hi - delta) / (1 - TPR_lo)))``.

    Parameters
    ----------
    scores_in : array-like of shape (n_in,)
        Scores of the target when it was in the training set.
    scores_out : array-like of shape (n_out,)
        Scores of the target when it was replaced.
    delta : float, default=0.0
        The delta of the claim being audited.
    alpha : float, default=0.05
    n_thresholds : int, default=20

    Returns
    -------
    result : AuditResult

    Examples
    --------
    >>> from sksynth.privacy import epsilon_lower_bound
    >>> res = epsilon_lower_bound([1.0] * 200, [0.0] * 200)
    >>> round(res.epsilon_lower, 2)
    3.81
    """
    from sklearn.metrics import roc_auc_score

    s_in = np.asarray(scores_in, dtype=np.float64).ravel()
    s_out = np.asarray(scores_out, dtype=np.float64).ravel()
    if s_in.size == 0 or s_out.size == 0:
        raise ValueError("scores_in and scores_out must both be non-empty.")
    if not 0 <= delta < 1:
        raise ValueError(f"delta must lie in [0, 1), got {delta}.")
    if not isinstance(n_thresholds, Integral) or n_thresholds < 1:
        raise ValueError(f"n_thresholds must be a positive integer, got {n_thresholds!r}.")
    pooled = np.concatenate([s_in, s_out])
    if not np.all(np.isfinite(pooled)):
        raise ValueError("attack scores must be finite.")
    thresholds = np.unique(np.quantile(pooled, np.linspace(0, 1, n_thresholds + 1)[1:],
                                       method="higher"))
    level = 2 * alpha / (2 * len(thresholds))  # two-sided CP at 2a gives one-sided a
    best = (0.0, 0.0, float(thresholds[0]), 0.0, 0.0)
    for t in thresholds:
        k_in, k_out = int((s_in >= t).sum()), int((s_out >= t).sum())
        tpr, fpr = k_in / s_in.size, k_out / s_out.size
        tpr_lo = clopper_pearson(k_in, s_in.size, level)[0]
        fpr_hi = clopper_pearson(k_out, s_out.size, level)[1]
        bound = max(_log_ratio(tpr_lo - delta, fpr_hi),
                    _log_ratio(1 - fpr_hi - delta, 1 - tpr_lo))
        point = max(_log_ratio(tpr - delta, fpr), _log_ratio(1 - fpr - delta, 1 - tpr))
        if bound > best[0] or (bound == best[0] and point > best[1]):
            best = (bound, point, float(t), tpr, fpr)
    auc = float(roc_auc_score(np.r_[np.ones(s_in.size), np.zeros(s_out.size)], pooled))
    return AuditResult(epsilon_lower=best[0], epsilon_point=best[1], threshold=best[2],
                       tpr=best[3], fpr=best[4], n_in=s_in.size, n_out=s_out.size,
                       delta=float(delta), alpha=float(alpha), auc=auc,
                       scores_in=s_in, scores_out=s_out)


def _as_frame(X):
    return X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))


def _featurizer(frame):
    """Numbers for the attacks: standardised numeric columns and one-hot categories."""
    from ..generators import TabularEncoder

    encoder = TabularEncoder(numeric_method="standard", handle_unknown="ignore").fit(frame)
    return encoder.transform


def _make(generator_factory, seed):
    if hasattr(generator_factory, "fit"):
        generator = clone(generator_factory)
        if "random_state" in generator.get_params():
            generator.set_params(random_state=seed)
        return generator
    return generator_factory(seed)


def _attack_one_fit(generator_factory, seed, data, labels, as_array, n_synthetic, featurize,
                    columns, attack, target_row, reference, pair):
    """One trial in one world: fit, release, score the target; with the claimed epsilon/delta.

    ``pair``: the target and the replacement rows (and labels) in the fitted
    format, for the white-box attack.
    """
    generator = _make(generator_factory, seed)
    fit_data = data.to_numpy() if as_array else data
    if labels is None:
        generator.fit(fit_data)
    else:
        generator.fit(fit_data, labels)
    if attack == "likelihood_ratio":
        score = likelihood_ratio_attack_scores(generator, *pair)[0]
    else:
        synthetic = generator.sample(n_synthetic)
        if labels is not None:
            synthetic = synthetic[0]
        released = featurize(_as_frame(synthetic).set_axis(columns, axis=1))
        if attack == "distance":
            score = distance_attack_scores(target_row, released)[0]
        else:
            score = density_ratio_attack_scores(target_row, released, reference)[0]
    epsilon = float(generator.epsilon_) if hasattr(generator, "epsilon_") else None
    delta = float(generator.delta_) if hasattr(generator, "delta_") else None
    return score, epsilon, delta


def audit(generator_factory, X, y=None, *, target="outlier", replacement="typical",
          n_trials=50, n_synthetic=None, attack="distance", delta=None, alpha=0.05,
          n_thresholds=20, n_jobs=None, random_state=None):
    """Audit a generator's privacy claim by membership inference on neighbours.

    Builds two neighbouring data sets that differ in one row (replace-one
    adjacency, the adjacency of :mod:`sksynth.privacy`'s accountant): ``D_in``
    is ``X``; ``D_out`` is ``X`` with the *target* row replaced by a
    *replacement* row. In each of ``n_trials`` independent trials a fresh
    generator is fitted on each data set (so ``2 * n_trials`` fits), releases
    ``n_synthetic`` rows, and the attack scores the target against them.
    :func:`epsilon_lower_bound` turns the scores into a lower bound on
    epsilon with confidence ``1 - alpha``.

    Parameters
    ----------
    generator_factory : estimator or callable
        An unfitted generator (cloned for each fit, its ``random_state`` set
        to a fresh seed) or ``callable(seed) -> generator``.
    X : array-like or DataFrame of shape (n_samples, n_features)
        The data set ``D_in``.
    y : array-like of shape (n_samples,), default=None
        Labels, passed to ``fit`` (the attack uses ``X`` only).
    target : "outlier" or int, default="outlier"
        Row index of the target, or ``"outlier"``: the row farthest from its
        10 nearest neighbours (mean distance, after encoding), the worst case for most
        generators.
    replacement : "typical" or int, default="typical"
        Row index whose copy replaces the target in ``D_out``, or
        ``"typical"``: the row closest to its 10 nearest neighbours.
    n_trials : int, default=50
        Trials per world.
    n_synthetic : int or None, default=None
        Rows released per fit (``None``: ``len(X)``).
    attack : {"distance", "density_ratio", "likelihood_ratio"}, default="distance"
        Black-box, on the released rows: :func:`distance_attack_scores` or
        :func:`density_ratio_attack_scores` (with ``D_out`` without the target
        as the attacker's reference data). White-box, on the fitted model:
        ``"likelihood_ratio"``, :func:`likelihood_ratio_attack_scores` of the
        target against the replacement row (``score_samples`` of both; no
        rows are sampled). It audits what the model reveals, which is the
        release only where the model is published or the claim covers it
        (e.g. DP-SGD).
    delta : float or None, default=None
        Delta of the bound; ``None`` uses the generator's ``delta_`` if it has
        one, else 0.
    alpha : float, default=0.05
        One minus the confidence level.
    n_thresholds : int, default=20
        Thresholds searched (see :func:`epsilon_lower_bound`).
    n_jobs : int or None, default=None
        Fits run in parallel (joblib); ``None`` means 1, ``-1`` all CPUs.
        Every fit has its own seed drawn from ``random_state`` beforehand,
        so the result does not depend on ``n_jobs``.
    random_state : int, RandomState instance or None, default=None
        Seeds the generators.

    Returns
    -------
    result : AuditResult
        With ``epsilon_claimed`` set to the generator's ``epsilon_`` (if any;
        the largest over the fits).

    References
    ----------
    .. [1] Jagielski, M., Ullman, J. and Oprea, A. (2020). "Auditing
       differentially private machine learning: how private is private SGD?"
       NeurIPS.
    .. [2] Nasr, M., Song, S., Thakurta, A., Papernot, N. and Carlini, N.
       (2021). "Adversary instantiation: lower bounds for differentially
       private machine learning." IEEE S&P.
    .. [3] Kairouz, P., Oh, S. and Viswanath, P. (2015). "The composition
       theorem for differential privacy." ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.generators import GaussianGenerator
    >>> from sksynth.privacy import audit
    >>> X = np.random.RandomState(0).normal(size=(40, 2))
    >>> res = audit(GaussianGenerator(), X, n_trials=20, random_state=0)
    >>> bool(res.epsilon_lower < 1.0)
    True
    """
    if attack not in _ATTACKS:
        raise ValueError(f"attack must be one of {_ATTACKS}, got {attack!r}.")
    if not isinstance(n_trials, Integral) or n_trials < 1:
        raise ValueError(f"n_trials must be a positive integer, got {n_trials!r}.")
    frame = _as_frame(X)
    n = frame.shape[0]
    if n < 2:
        raise ValueError("X needs at least 2 rows to build neighbouring data sets.")
    featurize = _featurizer(frame)
    encoded = featurize(frame)
    k = min(10, n - 1) + 1  # mean distance to the 10 nearest other rows
    dist = NearestNeighbors(n_neighbors=k).fit(encoded).kneighbors(encoded)[0][:, 1:].mean(1)
    if isinstance(target, str):
        if target != "outlier":
            raise ValueError(f"target must be 'outlier' or a row index, got {target!r}.")
        target = int(np.argmax(dist))
    if isinstance(replacement, str):
        if replacement != "typical":
            raise ValueError(
                f"replacement must be 'typical' or a row index, got {replacement!r}.")
        order = np.argsort(dist)
        replacement = int(order[0] if order[0] != target else order[1])
    for name, value in (("target", target), ("replacement", replacement)):
        if not isinstance(value, Integral) or not 0 <= value < n:
            raise ValueError(f"{name} must be a row index in [0, {n}), got {value!r}.")
    if target == replacement:
        raise ValueError("target and replacement must be different rows.")
    n_synthetic = n if n_synthetic is None else int(n_synthetic)
    d_out = frame.copy()
    d_out.iloc[target] = frame.iloc[replacement]
    y_out = None
    if y is not None:
        y_out = np.asarray(y).copy()
        y_out[target] = y_out[replacement]
    as_array = not isinstance(X, pd.DataFrame)
    worlds = [(frame, y), (d_out, y_out)]
    rows = [frame.iloc[[target]], frame.iloc[[replacement]]]
    if as_array:
        rows = [r.to_numpy() for r in rows]
    labels = [None, None] if y is None else [np.asarray(y)[[target]],
                                             np.asarray(y)[[replacement]]]
    pair = (rows[0], rows[1], labels[0], labels[1])
    target_row = encoded[[target]]
    reference = np.delete(featurize(d_out), target, axis=0)
    rng = check_random_state(random_state)
    seeds = [int(rng.randint(np.iinfo(np.int32).max)) for _ in range(2 * n_trials)]
    # fits alternate between the worlds: even ones on D_in, odd ones on D_out
    jobs = (delayed(_attack_one_fit)(generator_factory, seed, *worlds[k % 2], as_array,
                                     n_synthetic, featurize, frame.columns, attack, target_row,
                                     reference, pair)
            for k, seed in enumerate(seeds))
    fits = Parallel(n_jobs=n_jobs)(jobs)
    scores = ([f[0] for f in fits[0::2]], [f[0] for f in fits[1::2]])
    claimed = [f[1] for f in fits if f[1] is not None]
    deltas = [f[2] for f in fits if f[2] is not None]
    if delta is None:
        delta = max(deltas) if deltas else 0.0
    result = epsilon_lower_bound(scores[0], scores[1], delta=delta, alpha=alpha,
                                 n_thresholds=n_thresholds)
    result.epsilon_claimed = max(claimed) if claimed else None
    return result
