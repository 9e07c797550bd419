"""Privacy: do the synthetic rows give away the real rows they were fitted on?

Distances are Euclidean in the encoding of :mod:`sksynth.metrics`: numeric
columns standardised by the real mean and standard deviation (so a change of
unit of a column changes nothing), categorical columns one-hot scaled so that
two different categories are at distance 1. Every comparison is made against
a *holdout* of real rows that the generator never saw: a synthetic row should
be no closer to the training rows than a fresh real row is.
"""

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state

from ._tables import check_max_samples, check_tables, subsample

__all__ = [
    "dcr_ratio",
    "distance_to_closest_record",
    "membership_inference_auc",
    "nearest_neighbour_distance_ratio",
    "privacy_scores",
]

def _neighbour_distances(reference, queries, n_neighbors, n_jobs):
    if reference.shape[0] < n_neighbors:
        raise ValueError(
            f"The reference table needs at least {n_neighbors} rows, got "
            f"{reference.shape[0]}."
        )
    nn = NearestNeighbors(n_neighbors=n_neighbors, n_jobs=n_jobs).fit(reference)
    return nn.kneighbors(queries, return_distance=True)[0]


def _exact_copies(reference, queries):
    """Boolean mask of the query rows that equal some reference row exactly."""
    def hashes(matrix):
        return pd.util.hash_pandas_object(pd.DataFrame(matrix), index=False).to_numpy()

    return np.isin(hashes(queries), hashes(reference))


def _closest(reference, queries, n_neighbors, n_jobs):
    """Neighbour distances, with exact copies at distance exactly 0.

    The Euclidean distances of the neighbour search carry rounding errors of
    about ``1e-7`` for coincident rows; copies are found by hashing instead.
    """
    distances = _neighbour_distances(reference, queries, n_neighbors, n_jobs)
    copies = _exact_copies(reference, queries)
    distances[copies, 0] = 0.0
    return distances, copies


def _nndr(distances):
    d1, d2 = distances[:, 0], distances[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(d2 > 0, d1 / np.where(d2 > 0, d2, 1.0), 0.0)
    return ratio


def _check_quantile(quantile):
    if isinstance(quantile, bool) or not isinstance(quantile, Real) or not 0 <= quantile <= 1:
        raise ValueError(f"quantile must be a number in [0, 1], got {quantile!r}.")
    return float(quantile)


def _safe_ratio(num, den):
    if den > 0:
        return float(num / den)
    return 1.0 if num == 0 else float("inf")


def distance_to_closest_record(real, X, *, n_jobs=None):
    """Distance from every row of ``X`` to its closest row of ``real`` (DCR).

    **Direction and range:** per row, in ``[0, inf)``; 0 means the row is a copy
    of a real row. Compare with the DCR of holdout rows (:func:`dcr_ratio`).

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real rows the generator was fitted on (the reference).
    X : array-like or DataFrame of shape (n_rows, n_features)
        Rows to measure: synthetic rows, or a holdout of real rows.
    n_jobs : int, default=None
        Parallel jobs of the neighbour search.

    Returns
    -------
    dcr : ndarray of shape (n_rows,)

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import distance_to_closest_record
    >>> real = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> np.round(distance_to_closest_record(real, [[0.0], [2.5]]), 3)
    array([0.   , 0.447])
    """
    schema = check_tables(real, X)
    enc = schema.encode(["real", "synthetic"])
    return _closest(enc["real"], enc["synthetic"], 1, n_jobs)[0][:, 0]


def nearest_neighbour_distance_ratio(real, X, *, n_jobs=None):
    """Nearest-neighbour distance ratio of every row of ``X`` against ``real``.

    ``NNDR = d_1 / d_2``: distance to the closest real row over distance to the
    second closest. A value near 0 means the row sits next to one particular
    real row, away from the others (an outlier reproduced); near 1, the row is
    as close to several real rows.

    **Direction and range:** per row, in ``[0, 1]``; higher is more private.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real rows (at least two).
    X : array-like or DataFrame of shape (n_rows, n_features)
        Rows to measure.
    n_jobs : int, default=None
        Parallel jobs of the neighbour search.

    Returns
    -------
    nndr : ndarray of shape (n_rows,)
        ``0`` where both distances are 0 (a copy of a repeated real row).

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import nearest_neighbour_distance_ratio
    >>> real = np.array([[0.0], [1.0], [4.0]])
    >>> nearest_neighbour_distance_ratio(real, [[0.5], [3.0]]).round(3)
    array([1. , 0.5])
    """
    schema = check_tables(real, X)
    enc = schema.encode(["real", "synthetic"])
    return _nndr(_closest(enc["real"], enc["synthetic"], 2, n_jobs)[0])


def dcr_ratio(real, synthetic, holdout, *, quantile=0.5, n_jobs=None):
    """Ratio of the DCR of synthetic rows to the DCR of holdout rows.

    ``q``-quantile of the synthetic rows' distance to the closest training row,
    divided by the same quantile for holdout rows (real rows the generator
    never saw).

    **Direction and range:** in ``[0, inf)``; about 1 (or above) is good: the
    synthetic rows are no closer to the training rows than fresh real rows.
    Values well below 1 mean the generator reproduces training rows.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real rows the generator was fitted on.
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The synthetic rows.
    holdout : array-like or DataFrame of shape (n_holdout, n_features)
        Real rows that the generator never saw.
    quantile : float in [0, 1], default=0.5
        Which quantile of the two distance distributions to compare (0.5: the
        medians; a small quantile such as 0.05 looks at the closest rows).
    n_jobs : int, default=None
        Parallel jobs of the neighbour search.

    Returns
    -------
    ratio : float
        1 when both quantiles are 0, ``inf`` when only the holdout's is.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import dcr_ratio
    >>> rng = np.random.default_rng(0)
    >>> real, holdout = rng.normal(size=(500, 3)), rng.normal(size=(500, 3))
    >>> round(dcr_ratio(real, real, holdout), 3)  # copies of the training rows
    0.0
    >>> bool(0.8 < dcr_ratio(real, rng.normal(size=(500, 3)), holdout) < 1.25)
    True
    """
    quantile = _check_quantile(quantile)
    schema = check_tables(real, synthetic, holdout)
    enc = schema.encode()
    d_syn = _closest(enc["real"], enc["synthetic"], 1, n_jobs)[0][:, 0]
    d_hold = _closest(enc["real"], enc["holdout"], 1, n_jobs)[0][:, 0]
    return _safe_ratio(np.quantile(d_syn, quantile), np.quantile(d_hold, quantile))


def _mia_auc(enc_real, enc_syn, enc_hold, max_samples, rng, n_jobs):
    n = min(enc_real.shape[0], enc_hold.shape[0])
    if max_samples is not None:
        n = min(n, max_samples)
    members = enc_real[subsample(enc_real.shape[0], n, rng)]
    non_members = enc_hold[subsample(enc_hold.shape[0], n, rng)]
    candidates = np.vstack([members, non_members])
    d = _closest(enc_syn, candidates, 1, n_jobs)[0][:, 0]
    is_member = np.r_[np.ones(len(members)), np.zeros(len(non_members))]
    return float(roc_auc_score(is_member, -d))


def membership_inference_auc(real, synthetic, holdout, *, max_samples=5000, random_state=0,
                             n_jobs=None):
    """ROC-AUC of a distance-based membership-inference attack.

    The attacker holds the synthetic data and candidate records, half of them
    training rows of the generator (members: rows of ``real``) and half real
    rows it never saw (non-members: rows of ``holdout``). It scores each
    candidate by minus its distance to the closest synthetic row (closer means
    "member"), as in the distance attacks of Hilprecht et al. (2019) and Chen
    et al. (2020), and the ROC-AUC of this score for the member labels is
    returned.

    **Direction and range:** closer to 0.5 is better; in ``[0, 1]``. 0.5 means
    the synthetic data do not reveal who was in the training set; 1 means
    every member is exposed.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The generator's training rows (the members).
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The released synthetic rows.
    holdout : array-like or DataFrame of shape (n_holdout, n_features)
        Real rows from the same population that the generator never saw.
    max_samples : int or None, default=5000
        At most this many candidates of each kind, drawn at random (the same
        number of members and non-members).
    random_state : int, RandomState instance or None, default=0
        Seeds the choice of candidates.
    n_jobs : int, default=None
        Parallel jobs of the neighbour search.

    Returns
    -------
    auc : float

    References
    ----------
    Hilprecht, B., Härterich, M. & Bernau, D. (2019). Monte Carlo and
    reconstruction membership inference attacks against generative models.
    *PoPETs*, 2019(4), 232-249.

    Chen, D., Yu, N., Zhang, Y. & Fritz, M. (2020). GAN-Leaks: a taxonomy of
    membership inference attacks against generative models. *ACM CCS*.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import membership_inference_auc
    >>> rng = np.random.default_rng(0)
    >>> real, holdout = rng.normal(size=(300, 2)), rng.normal(size=(300, 2))
    >>> membership_inference_auc(real, real, holdout)  # synthetic = copies
    1.0
    >>> bool(abs(membership_inference_auc(real, rng.normal(size=(300, 2)), holdout) - 0.5) < 0.1)
    True
    """
    max_samples = check_max_samples(max_samples, minimum=1)
    schema = check_tables(real, synthetic, holdout)
    enc = schema.encode()
    return _mia_auc(enc["real"], enc["synthetic"], enc["holdout"], max_samples,
                    check_random_state(random_state), n_jobs)


def _privacy(schema, *, quantile=0.5, max_samples=5000, random_state=0, n_jobs=None):
    rng = check_random_state(random_state)
    roles = [r for r in ("real", "synthetic", "holdout") if r in schema.frames]
    enc = schema.encode(roles)
    syn_rows = subsample(enc["synthetic"].shape[0], max_samples, rng)
    n_neighbors = 2 if enc["real"].shape[0] >= 2 else 1
    d_syn, copies = _closest(enc["real"], enc["synthetic"][syn_rows], n_neighbors, n_jobs)
    out = {
        "dcr_synthetic": float(np.quantile(d_syn[:, 0], quantile)),
        "exact_match_rate": float(np.mean(copies)),
    }
    if n_neighbors == 2:
        out["nndr_synthetic"] = float(np.quantile(_nndr(d_syn), quantile))
    if "holdout" in enc:
        hold_rows = subsample(enc["holdout"].shape[0], max_samples, rng)
        d_hold, hold_copies = _closest(enc["real"], enc["holdout"][hold_rows], n_neighbors,
                                       n_jobs)
        out["dcr_holdout"] = float(np.quantile(d_hold[:, 0], quantile))
        out["dcr_ratio"] = _safe_ratio(out["dcr_synthetic"], out["dcr_holdout"])
        out["exact_match_rate_holdout"] = float(np.mean(hold_copies))
        if n_neighbors == 2:
            out["nndr_holdout"] = float(np.quantile(_nndr(d_hold), quantile))
        out["mia_auc"] = _mia_auc(enc["real"], enc["synthetic"], enc["holdout"], max_samples,
                                  rng, n_jobs)
        # for the report: the raw distances of both kinds of rows
        out["_dcr"] = {"synthetic": d_syn[:, 0], "holdout": d_hold[:, 0]}
    else:
        out["_dcr"] = {"synthetic": d_syn[:, 0]}
    return out


def privacy_scores(real, synthetic, holdout=None, *, quantile=0.5, max_samples=5000,
                   random_state=0, n_jobs=None):
    """All privacy measures in one call.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The generator's training rows.
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The synthetic rows.
    holdout : array-like or DataFrame of shape (n_holdout, n_features), default=None
        Real rows the generator never saw; without it only the synthetic-side
        measures are returned (no ratio, no attack).
    quantile : float in [0, 1], default=0.5
        Quantile of the DCR and NNDR distributions reported.
    max_samples : int or None, default=5000
        At most this many synthetic and holdout rows are measured (the real
        reference is always complete).
    random_state : int, RandomState instance or None, default=0
        Seeds the subsamples.
    n_jobs : int, default=None
        Parallel jobs of the neighbour searches.

    Returns
    -------
    scores : Series
        ``dcr_synthetic`` and ``dcr_holdout`` (quantiles of the DCR, higher is
        more private), ``dcr_ratio`` (about 1 or more is good),
        ``exact_match_rate`` (share of synthetic rows that copy a real row,
        lower is better, in [0, 1]) next to ``exact_match_rate_holdout`` (the
        same share for fresh real rows: duplicates that occur naturally),
        ``nndr_synthetic`` and ``nndr_holdout`` (in [0, 1], higher is more
        private), ``mia_auc`` (closer to 0.5 is better).

    See Also
    --------
    dcr_ratio, nearest_neighbour_distance_ratio, membership_inference_auc

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import privacy_scores
    >>> rng = np.random.default_rng(0)
    >>> real, holdout = rng.normal(size=(200, 2)), rng.normal(size=(200, 2))
    >>> privacy_scores(real, real, holdout)[["exact_match_rate", "dcr_ratio", "mia_auc"]]
    exact_match_rate    1.0
    dcr_ratio           0.0
    mia_auc             1.0
    dtype: float64
    """
    quantile = _check_quantile(quantile)
    max_samples = check_max_samples(max_samples, minimum=1)
    schema = check_tables(real, synthetic, holdout)
    out = _privacy(schema, quantile=quantile, max_samples=max_samples,
                   random_state=random_state, n_jobs=n_jobs)
    out.pop("_dcr")
    return pd.Series(out, dtype=float)
