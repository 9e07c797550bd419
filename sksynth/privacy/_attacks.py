"""Membership-inference attacks on released synthetic data.

Each attack returns one score per candidate record; a higher score means
"more likely a member of the generator's training set". The black-box attacks
see only released synthetic rows and work on numeric (already encoded)
arrays; :func:`sksynth.privacy.audit` encodes mixed tables first. The
white-box :func:`likelihood_ratio_attack_scores` reads the fitted model's
``score_samples``.
"""

import numpy as np
from scipy.special import logsumexp
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.validation import check_array

__all__ = ["density_ratio_attack_scores", "distance_attack_scores",
           "likelihood_ratio_attack_scores"]


def _check(targets, synthetic):
    targets = check_array(targets, dtype=np.float64, input_name="targets")
    synthetic = check_array(synthetic, dtype=np.float64, input_name="synthetic")
    if targets.shape[1] != synthetic.shape[1]:
        raise ValueError(
            f"targets have {targets.shape[1]} columns but synthetic has {synthetic.shape[1]}; "
            "encode both the same way."
        )
    return targets, synthetic


def distance_attack_scores(targets, synthetic):
    """Minus the distance from each target to its closest synthetic row.

    The distance attack of Hilprecht et al. (2019) and Chen et al. (2020):
    a generator that reproduces (or nearly reproduces) a training record
    puts a synthetic row close to it.

    Parameters
    ----------
    targets : array-like of shape (n_targets, n_features)
        Candidate records (encoded as numbers).
    synthetic : array-like of shape (n_synthetic, n_features)
        Released synthetic rows (encoded the same way).

    Returns
    -------
    scores : ndarray of shape (n_targets,)
        ``-min_j ||target - synthetic_j||``; higher means "member".

    References
    ----------
    .. [1] Hilprecht, B., Härterich, M. and Bernau, D. (2019). "Monte Carlo
       and reconstruction membership inference attacks against generative
       models." PoPETs 2019(4).
    .. [2] Chen, D., Yu, N., Zhang, Y. and Fritz, M. (2020). "GAN-Leaks: a
       taxonomy of membership inference attacks against generative models."
       ACM CCS.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.privacy import distance_attack_scores
    >>> distance_attack_scores([[0.0, 0.0], [3.0, 4.0]], [[0.0, 0.0]])
    array([-0., -5.])
    """
    targets, synthetic = _check(targets, synthetic)
    distances, _ = NearestNeighbors(n_neighbors=1).fit(synthetic).kneighbors(targets)
    return -distances[:, 0]


def density_ratio_attack_scores(targets, synthetic, reference, *, bandwidth=None):
    """Log density ratio of the synthetic data to reference data at each target.

    A likelihood (shadow-data) attack in the spirit of LOGAN (Hayes et al.,
    2019) and DOMIAS (van Breugel et al., 2023): the attacker fits Gaussian
    kernel density estimates to the synthetic rows and to reference rows
    from the same population (its shadow data) and scores a target by
    ``log p_syn(target) - log p_ref(target)``; a generator that overfits a
    record puts excess synthetic density around it.

    Parameters
    ----------
    targets : array-like of shape (n_targets, n_features)
    synthetic : array-like of shape (n_synthetic, n_features)
    reference : array-like of shape (n_reference, n_features)
        Population rows the attacker holds (not the target).
    bandwidth : float or None, default=None
        Kernel bandwidth after scaling every column by the reference
        standard deviation; ``None`` uses Scott's rule
        ``n_reference ** (-1 / (n_features + 4))``.

    Returns
    -------
    scores : ndarray of shape (n_targets,)

    References
    ----------
    .. [1] Hayes, J., Melis, L., Danezis, G. and De Cristofaro, E. (2019).
       "LOGAN: membership inference attacks against generative models."
       PoPETs 2019(1).
    .. [2] van Breugel, B., Sun, H., Qian, Z. and van der Schaar, M. (2023).
       "Membership inference attacks against synthetic data through overfitting
       detection." AISTATS.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.privacy import density_ratio_attack_scores
    >>> rng = np.random.RandomState(0)
    >>> ref = rng.normal(size=(500, 2))
    >>> syn = np.vstack([rng.normal(size=(500, 2)), np.full((50, 2), 2.0)])
    >>> s = density_ratio_attack_scores([[2.0, 2.0], [0.0, 0.0]], syn, ref)
    >>> bool(s[0] > s[1])
    True
    """
    targets, synthetic = _check(targets, synthetic)
    reference = check_array(reference, dtype=np.float64, input_name="reference")
    if reference.shape[1] != targets.shape[1]:
        raise ValueError("reference must have the same columns as targets.")
    scale = reference.std(axis=0)
    scale[scale == 0] = 1.0
    p = targets.shape[1]
    if bandwidth is None:
        bandwidth = reference.shape[0] ** (-1.0 / (p + 4))
    elif not bandwidth > 0:
        raise ValueError(f"bandwidth must be > 0, got {bandwidth}.")

    def log_kde(data):
        diff = (targets[:, None, :] - data[None, :, :]) / scale / bandwidth
        return logsumexp(-0.5 * (diff ** 2).sum(-1), axis=1) - np.log(data.shape[0])

    return log_kde(synthetic) - log_kde(reference)


def likelihood_ratio_attack_scores(generator, targets, references, y_targets=None,
                                   y_references=None):
    """White-box score: the model's log-likelihood of each target minus that of a reference.

    ``log p_model(target) - log p_model(reference)`` from the fitted
    generator's ``score_samples``: a model that memorises the target gives
    it more likelihood than it gives a typical reference record (e.g. the
    row that replaces the target in the neighbouring data set), and taking
    the difference cancels what moves both with the fit (its overall quality
    for a seed). Thresholding it is the likelihood-ratio test of the two
    worlds when the score is Gaussian with a common variance in both (as in
    the offline likelihood-ratio attack of Carlini et al., 2022, whose
    per-target standardisation does not change a threshold test). It needs
    the model, not only its samples: for a release whose model is published
    or post-processing of a DP model (DP-SGD), an attack the claim must
    withstand.

    Parameters
    ----------
    generator : fitted generator
        Anything with ``score_samples(X[, y])``.
    targets : array-like or DataFrame of shape (n_targets, n_features)
        Candidate records, in the format the generator was fitted on.
    references : array-like or DataFrame of shape (n_targets, n_features)
        One reference record per target.
    y_targets, y_references : array-like of shape (n_targets,), default=None
        Their labels, for a generator fitted with ``y``.

    Returns
    -------
    scores : ndarray of shape (n_targets,)
        Finite (``-inf`` log-likelihoods are replaced by ``-1e300``).

    References
    ----------
    .. [1] Carlini, N., Chien, S., Nasr, M., Song, S., Terzis, A. and
       Tramer, F. (2022). "Membership inference attacks from first
       principles." IEEE S&P.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.generators import GaussianGenerator
    >>> from sksynth.privacy import likelihood_ratio_attack_scores
    >>> X = np.random.RandomState(0).normal(size=(20, 2))
    >>> X[0] = [6.0, 6.0]
    >>> gen = GaussianGenerator().fit(X)
    >>> bool(likelihood_ratio_attack_scores(gen, X[:1], X[1:2])[0] > -50)
    True
    """
    def score(X, y):
        values = generator.score_samples(X) if y is None else generator.score_samples(X, y)
        return np.nan_to_num(np.asarray(values, dtype=np.float64), nan=-1e300, neginf=-1e300,
                             posinf=1e300)

    out = score(targets, y_targets) - score(references, y_references)
    return np.nan_to_num(out, nan=0.0, neginf=-1e300, posinf=1e300)
