"""Fidelity: how close the synthetic distribution is to the real one.

All functions take a real and a synthetic table (arrays or DataFrames of mixed
types, see :mod:`sksynth.metrics`) and return numbers whose direction and range
are stated in each docstring.
"""

from numbers import Integral

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.utils import check_random_state

from ._tables import check_max_samples, check_tables, single_openmp_thread, subsample

__all__ = [
    "association_difference",
    "association_matrix",
    "column_distances",
    "detection_auc",
    "mmd",
    "quality_score",
]


# ---------------------------------------------------------------------------
# one-dimensional distances
# ---------------------------------------------------------------------------
def _ks_statistic(a, b):
    """Two-sample Kolmogorov-Smirnov statistic, a missing value counted as ``+inf``.

    Without missing values this is ``scipy.stats.ks_2samp(a, b).statistic``.
    """
    a_obs = np.sort(a[~np.isnan(a)])
    b_obs = np.sort(b[~np.isnan(b)])
    grid = np.concatenate([a_obs, b_obs])
    if grid.size == 0:
        return 0.0
    cdf_a = np.searchsorted(a_obs, grid, side="right") / a.size
    cdf_b = np.searchsorted(b_obs, grid, side="right") / b.size
    return float(np.max(np.abs(cdf_a - cdf_b)))


def _total_variation(codes_a, codes_b, n_codes):
    """Total variation distance ``0.5 * sum_k |p_k - q_k|`` between two code samples."""
    p = np.bincount(codes_a, minlength=n_codes) / codes_a.size
    q = np.bincount(codes_b, minlength=n_codes) / codes_b.size
    return float(0.5 * np.abs(p - q).sum())


def _column_distances(schema, a="real", b="synthetic"):
    rows = []
    for col in schema.columns:
        if schema.kinds[col] == "numeric":
            dist = _ks_statistic(schema.numeric(a, col), schema.numeric(b, col))
            rows.append((col, "numeric", "ks", dist))
        else:
            codes, labels = schema.codes(col)
            dist = _total_variation(codes[a], codes[b], len(labels))
            rows.append((col, "categorical", "tv", dist))
    return pd.DataFrame(rows, columns=["column", "kind", "statistic", "distance"])


def column_distances(real, synthetic):
    """Distance between the real and synthetic marginal of every column.

    Numeric columns (integer, float, datetime) use the two-sample
    Kolmogorov-Smirnov statistic ``sup_x |F_real(x) - F_syn(x)|``; categorical
    columns (category, string, object, boolean) use the total variation
    distance ``0.5 * sum_k |p_k - q_k|``.

    **Direction and range:** lower is better; each distance lies in ``[0, 1]``
    and is 0 when the two marginals are equal.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real table. Its column types decide the statistic.
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The synthetic table, with the same columns (in any order).

    Returns
    -------
    distances : DataFrame
        One row per column with ``column``, ``kind`` (``"numeric"`` or
        ``"categorical"``), ``statistic`` (``"ks"`` or ``"tv"``) and
        ``distance``.

    See Also
    --------
    quality_score : One number summarising the marginals and associations.

    Notes
    -----
    Missing values: in a numeric column a missing value counts as a point mass
    at ``+inf``, so the KS statistic is at least the difference of the missing
    shares (without missing values it equals ``scipy.stats.ks_2samp``); in a
    categorical column a missing value is a category of its own.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.metrics import column_distances
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "a", "b", "b"]})
    >>> syn = pd.DataFrame({"x": [1.0, 2.0, 3.0, 9.0], "c": ["a", "b", "b", "b"]})
    >>> column_distances(real, syn)[["column", "statistic", "distance"]]
      column statistic  distance
    0      x        ks      0.25
    1      c        tv      0.25
    """
    return _column_distances(check_tables(real, synthetic))


# ---------------------------------------------------------------------------
# associations
# ---------------------------------------------------------------------------
def _pearson(x, y):
    if x.size < 2:
        return 0.0
    x = x - x.mean()
    y = y - y.mean()
    denom = np.sqrt((x @ x) * (y @ y))
    if x.size < 2 or denom <= 0 or not np.isfinite(denom):
        return 0.0
    return float(np.clip((x @ y) / denom, -1.0, 1.0))


def _numeric_association(x, y, method):
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    if method == "spearman":
        x, y = rankdata(x), rankdata(y)
    return _pearson(x, y)


def _cramers_v(codes_a, codes_b, n_a, n_b):
    """Cramér's V of two code vectors (no continuity correction)."""
    table = np.bincount(codes_a * n_b + codes_b, minlength=n_a * n_b).reshape(n_a, n_b)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    n = table.sum()
    k = min(table.shape) - 1
    if k <= 0 or n == 0:
        return 0.0
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = np.sum((table - expected) ** 2 / expected)
    return float(np.sqrt(min(chi2 / (n * k), 1.0)))


def _correlation_ratio(codes, values, n_codes):
    """Correlation ratio ``eta = sqrt(SS_between / SS_total)`` of ``values`` on ``codes``."""
    ok = ~np.isnan(values)
    codes, values = codes[ok], values[ok]
    if values.size < 2:
        return 0.0
    centred = values - values.mean()
    total = centred @ centred
    if total <= 0:
        return 0.0
    counts = np.bincount(codes, minlength=n_codes)
    sums = np.bincount(codes, weights=centred, minlength=n_codes)
    present = counts > 0
    between = np.sum(sums[present] ** 2 / counts[present])
    return float(np.sqrt(np.clip(between / total, 0.0, 1.0)))


def _association_matrix(schema, role, numeric_method):
    cols = schema.columns
    p = len(cols)
    matrix = np.eye(p)
    for i in range(p):
        for j in range(i + 1, p):
            a, b = cols[i], cols[j]
            kinds = (schema.kinds[a], schema.kinds[b])
            if kinds == ("numeric", "numeric"):
                value = _numeric_association(
                    schema.numeric(role, a), schema.numeric(role, b), numeric_method
                )
            elif kinds == ("categorical", "categorical"):
                (codes_a, labels_a), (codes_b, labels_b) = schema.codes(a), schema.codes(b)
                value = _cramers_v(codes_a[role], codes_b[role], len(labels_a), len(labels_b))
            else:
                cat, num = (a, b) if kinds[0] == "categorical" else (b, a)
                codes, labels = schema.codes(cat)
                value = _correlation_ratio(codes[role], schema.numeric(role, num), len(labels))
            matrix[i, j] = matrix[j, i] = value
    return pd.DataFrame(matrix, index=cols, columns=cols)


def _signed_pairs(schema):
    """Boolean (p, p) mask of the pairs whose association is signed (numeric-numeric)."""
    numeric = np.array([schema.kinds[c] == "numeric" for c in schema.columns])
    return np.outer(numeric, numeric)


def _check_numeric_method(numeric_method):
    if numeric_method not in ("pearson", "spearman"):
        raise ValueError(
            f"numeric_method must be 'pearson' or 'spearman', got {numeric_method!r}."
        )


def association_matrix(X, *, numeric_method="pearson"):
    """Pairwise association between the columns of a mixed table.

    - numeric-numeric: Pearson (or Spearman) correlation, in ``[-1, 1]``;
    - categorical-categorical: Cramér's V, in ``[0, 1]``;
    - numeric-categorical: the correlation ratio ``eta``, in ``[0, 1]``.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        The table.
    numeric_method : {"pearson", "spearman"}, default="pearson"
        Correlation for pairs of numeric columns.

    Returns
    -------
    matrix : DataFrame of shape (n_features, n_features)
        Symmetric, with ones on the diagonal.

    Notes
    -----
    Pairs with a missing numeric value are dropped pair by pair; a missing
    categorical value is a category. Undefined associations (a constant
    column, fewer than two complete rows) are 0. Cramér's V is
    ``sqrt(chi2 / (n (min(r, c) - 1)))`` without continuity correction
    (Cramér, 1946); the correlation ratio is
    ``sqrt(sum_k n_k (mean_k - mean)^2 / sum_i (x_i - mean)^2)`` (Pearson, 1905).

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.metrics import association_matrix
    >>> X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 4.0, 6.0, 8.5],
    ...                   "c": ["a", "a", "b", "b"]})
    >>> association_matrix(X).round(3)
           x      y      c
    x  1.000  0.998  0.894
    y  0.998  1.000  0.883
    c  0.894  0.883  1.000
    """
    _check_numeric_method(numeric_method)
    return _association_matrix(check_tables(X), "real", numeric_method)


def _association_difference(schema, numeric_method, a="real", b="synthetic"):
    real = _association_matrix(schema, a, numeric_method)
    syn = _association_matrix(schema, b, numeric_method)
    diff = syn - real
    p = len(schema.columns)
    if p < 2:
        return 0.0, diff
    normalised = np.abs(diff.to_numpy()) / np.where(_signed_pairs(schema), 2.0, 1.0)
    upper = np.triu_indices(p, k=1)
    return float(normalised[upper].mean()), diff


def association_difference(real, synthetic, *, numeric_method="pearson", return_matrix=False):
    """How much the pairwise associations of the synthetic table differ from the real ones.

    The associations are those of :func:`association_matrix`. Each pair's
    absolute difference is normalised to ``[0, 1]`` (divided by 2 for
    correlations, which range over ``[-1, 1]``) and averaged over all pairs of
    distinct columns.

    **Direction and range:** lower is better; in ``[0, 1]``, 0 when every
    pairwise association is reproduced.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real table.
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The synthetic table, with the same columns.
    numeric_method : {"pearson", "spearman"}, default="pearson"
        Correlation for pairs of numeric columns.
    return_matrix : bool, default=False
        Also return the signed difference matrix (synthetic minus real).

    Returns
    -------
    difference : float
        Mean normalised absolute difference over pairs (0 with one column).
    matrix : DataFrame of shape (n_features, n_features)
        Only when ``return_matrix=True``: synthetic minus real associations.

    See Also
    --------
    association_matrix : The associations compared.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import association_difference
    >>> rng = np.random.default_rng(0)
    >>> real = rng.multivariate_normal([0, 0], [[1, .9], [.9, 1]], size=2000)
    >>> shuffled = np.column_stack([real[:, 0], rng.permutation(real[:, 1])])
    >>> round(association_difference(real, real), 3)
    0.0
    >>> bool(association_difference(real, shuffled) > 0.4)
    True
    """
    _check_numeric_method(numeric_method)
    value, diff = _association_difference(check_tables(real, synthetic), numeric_method)
    return (value, diff) if return_matrix else value


# ---------------------------------------------------------------------------
# maximum mean discrepancy
# ---------------------------------------------------------------------------
def _squared_distances(A, B):
    sq = (A * A).sum(axis=1)[:, None] + (B * B).sum(axis=1)[None, :] - 2.0 * A @ B.T
    return np.maximum(sq, 0.0)


def _mmd(schema, max_samples, random_state, a="real", b="synthetic"):
    rows = _paired_subsample(schema, a, b, max_samples, random_state)[0]
    enc = schema.encode([a, b], rows=rows)
    X, Y = enc[a], enc[b]
    Z = np.vstack([X, Y])
    sq = _squared_distances(Z, Z)
    iu = np.triu_indices(Z.shape[0], k=1)
    dists = np.sqrt(sq[iu])
    sigma = np.median(dists) if dists.size else 1.0
    if not sigma > 0:  # over half the pairs coincide: fall back to the mean distance
        positive = dists[dists > 0]
        sigma = positive.mean() if positive.size else 1.0
    K = np.exp(-sq / (2.0 * sigma**2))
    m = X.shape[0]
    k_xx = K[:m, :m].mean()
    k_yy = K[m:, m:].mean()
    k_xy = K[:m, m:].mean()
    return float(max(k_xx + k_yy - 2.0 * k_xy, 0.0)), float(sigma)


def mmd(real, synthetic, *, max_samples=1000, random_state=0):
    """Squared maximum mean discrepancy with a Gaussian kernel (median heuristic).

    ``MMD^2 = E k(x, x') + E k(y, y') - 2 E k(x, y)`` with ``x`` real and ``y``
    synthetic rows and ``k(u, v) = exp(-||u - v||^2 / (2 sigma^2))``, where
    ``sigma`` is the median distance between rows of the pooled sample (the
    median heuristic of Gretton et al., 2012). Rows are compared in the encoding
    of :mod:`sksynth.metrics`: numeric columns standardised by the real mean and
    standard deviation, categorical columns one-hot.

    **Direction and range:** lower is better; in ``[0, 2]``, 0 when the two
    (sub)samples are identical.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real table.
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The synthetic table, with the same columns.
    max_samples : int or None, default=1000
        Rows drawn at random from each table (the cost is quadratic). None uses
        every row.
    random_state : int, RandomState instance or None, default=0
        Seeds the row subsample.

    Returns
    -------
    mmd2 : float
        The biased (V-statistic) estimate of ``MMD^2``, which is never negative.

    Notes
    -----
    The biased estimate is used so that identical samples score exactly 0; its
    expectation under equal distributions is of order ``1/n``. The kernel
    bandwidth depends on the pooled sample, and the standardisation on the real
    one, so the value is invariant to a change of unit of any numeric column.

    References
    ----------
    Gretton, A., Borgwardt, K. M., Rasch, M. J., Schölkopf, B. & Smola, A.
    (2012). A kernel two-sample test. *JMLR*, 13, 723-773.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import mmd
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(300, 2))
    >>> round(mmd(real, real), 6)
    0.0
    >>> bool(mmd(real, real + 1.0) > 10 * mmd(real, rng.normal(size=(300, 2))))
    True
    """
    max_samples = check_max_samples(max_samples)
    return _mmd(check_tables(real, synthetic), max_samples, random_state)[0]


# ---------------------------------------------------------------------------
# classifier two-sample test
# ---------------------------------------------------------------------------
def _paired_subsample(schema, a, b, max_samples, random_state):
    """Row subsamples of two tables (the same rows when they have as many), and a seed.

    Both tables are subsampled with the same seed, so two identical tables give
    identical subsamples and the measures built on them their perfect value.
    """
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    rows = {
        a: subsample(len(schema.frames[a]), max_samples, seed),
        b: subsample(len(schema.frames[b]), max_samples, seed),
    }
    return rows, seed


def _ordinal_design(schema, roles, rows, columns=None):
    """Numeric values with NaN and categorical codes, plus the categorical mask."""
    blocks = {role: [] for role in roles}
    mask = []
    for col in schema.columns if columns is None else columns:
        if schema.kinds[col] == "numeric":
            for role in roles:
                blocks[role].append(schema.numeric(role, col)[rows[role]])
            mask.append(False)
        else:
            codes, labels = schema.codes(col)
            for role in roles:
                blocks[role].append(codes[role][rows[role]].astype(np.float64))
            mask.append(len(labels) <= 255)
    return {role: np.column_stack(blocks[role]) for role in roles}, np.array(mask)


def _detection_auc(schema, classifier, cv, max_samples, random_state, n_jobs,
                   a="real", b="synthetic"):
    rows, seed = _paired_subsample(schema, a, b, max_samples, random_state)
    n_a, n_b = len(rows[a]), len(rows[b])
    if min(n_a, n_b) < cv:
        raise ValueError(
            f"detection needs at least cv={cv} rows in each table, got {n_a} real and "
            f"{n_b} synthetic rows; lower cv or pass more rows."
        )
    ordinal, mask = _ordinal_design(schema, [a, b], rows)
    if classifier is None:
        design = ordinal
        classifier = HistGradientBoostingClassifier(
            max_iter=100, categorical_features=mask if mask.any() else None,
            random_state=seed,
        )
    else:
        design = schema.encode([a, b], rows=rows)
        classifier = clone(classifier)
    Z = np.vstack([design[a], design[b]])
    label = np.r_[np.zeros(n_a, dtype=int), np.ones(n_b, dtype=int)]
    # Identical rows share a fold: a copy of a real row must not be learnt as
    # "synthetic" and then score its twin (that would push the AUC below 0.5).
    groups = pd.util.hash_pandas_object(
        pd.DataFrame(np.vstack([ordinal[a], ordinal[b]])), index=False
    ).to_numpy()
    n_groups = np.unique(groups).size
    if n_groups < cv:
        raise ValueError(
            f"detection needs at least cv={cv} distinct rows, got {n_groups}; lower cv."
        )
    folds = GroupKFold(n_splits=cv, shuffle=True, random_state=seed)
    method = "predict_proba" if hasattr(classifier, "predict_proba") else "decision_function"
    with single_openmp_thread():
        scores = cross_val_predict(classifier, Z, label, groups=groups, cv=folds,
                                   method=method, n_jobs=n_jobs)
    if scores.ndim == 2:
        scores = scores[:, 1]
    return float(roc_auc_score(label, scores))


def detection_auc(real, synthetic, *, classifier=None, cv=5, max_samples=10_000,
                  random_state=0, n_jobs=None):
    """ROC-AUC of a cross-fitted classifier that tells synthetic rows from real ones.

    A classifier is trained to predict whether a row is synthetic (1) or real
    (0); each row is scored by the model of the fold that did not see it
    (``cv``-fold cross-fitting), and the ROC-AUC of these out-of-fold scores is
    returned: a classifier two-sample test (Lopez-Paz & Oquab, 2017). Identical
    rows are kept in the same fold, so a synthetic copy of a real row is never
    learnt as "synthetic" to then score its real twin; two tables holding the
    same rows score exactly 0.5.

    **Direction and range:** closer to 0.5 is better; in ``[0, 1]``. 0.5 means
    the classifier cannot tell the tables apart, 1 that it separates them
    perfectly. Values below 0.5 arise only by chance.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real table.
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The synthetic table, with the same columns.
    classifier : estimator, default=None
        A scikit-learn classifier with ``predict_proba`` or
        ``decision_function``; it receives the numeric encoding of
        :mod:`sksynth.metrics` (standardised numeric, one-hot categorical).
        ``None`` uses a ``HistGradientBoostingClassifier`` on the raw numeric
        values and native categorical codes.
    cv : int, default=5
        Number of cross-fitting folds (at least 2).
    max_samples : int or None, default=10_000
        Rows drawn at random from each table. None uses every row.
    random_state : int, RandomState instance or None, default=0
        Seeds the subsample, the folds and the default classifier.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib).

    Returns
    -------
    auc : float

    Notes
    -----
    The folds run with one OpenMP thread each (see ``n_jobs`` for parallel
    folds): on small shared machines multi-threaded gradient boosting is
    many times slower than single-threaded.

    References
    ----------
    Lopez-Paz, D. & Oquab, M. (2017). Revisiting classifier two-sample tests.
    *ICLR*.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import detection_auc
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(500, 3))
    >>> bool(abs(detection_auc(real, rng.normal(size=(500, 3))) - 0.5) < 0.1)
    True
    >>> bool(detection_auc(real, rng.normal(2.0, 1.0, size=(500, 3))) > 0.95)
    True
    """
    if isinstance(cv, bool) or not isinstance(cv, Integral) or cv < 2:
        raise ValueError(f"cv must be an integer >= 2, got {cv!r}.")
    if classifier is not None and not (
        hasattr(classifier, "fit")
        and (hasattr(classifier, "predict_proba") or hasattr(classifier, "decision_function"))
    ):
        raise TypeError(
            "classifier must be a scikit-learn classifier with predict_proba or "
            f"decision_function, got {classifier!r}."
        )
    max_samples = check_max_samples(max_samples)
    schema = check_tables(real, synthetic)
    return _detection_auc(schema, classifier, int(cv), max_samples, random_state, n_jobs)


# ---------------------------------------------------------------------------
# overall score
# ---------------------------------------------------------------------------
def _quality(schema, numeric_method="pearson", a="real", b="synthetic"):
    shapes = 1.0 - _column_distances(schema, a, b)["distance"].mean()
    if len(schema.columns) < 2:
        return float(shapes), float(shapes), float("nan")
    trends = 1.0 - _association_difference(schema, numeric_method, a, b)[0]
    return float(0.5 * (shapes + trends)), float(shapes), float(trends)


def quality_score(real, synthetic, *, numeric_method="pearson"):
    """Overall fidelity in ``[0, 1]``: marginals and pairwise associations.

    ``quality = (shapes + trends) / 2`` where ``shapes = 1 - mean column
    distance`` (:func:`column_distances`) and ``trends = 1 -``
    :func:`association_difference`. With a single column it is ``shapes``.

    **Direction and range:** higher is better; in ``[0, 1]``, 1 when every
    marginal and every pairwise association of the real table is reproduced.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real table.
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The synthetic table, with the same columns.
    numeric_method : {"pearson", "spearman"}, default="pearson"
        Correlation for pairs of numeric columns.

    Returns
    -------
    score : float

    Notes
    -----
    The score looks at one- and two-dimensional summaries only; pair it with
    :func:`detection_auc` or :func:`mmd`, which see the joint distribution.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import quality_score
    >>> rng = np.random.default_rng(0)
    >>> real = rng.multivariate_normal([0, 0], [[1, .9], [.9, 1]], size=1000)
    >>> quality_score(real, real)
    1.0
    >>> shuffled = np.column_stack([real[:, 0], rng.permutation(real[:, 1])])
    >>> bool(quality_score(real, shuffled) < 0.8)
    True
    """
    _check_numeric_method(numeric_method)
    return _quality(check_tables(real, synthetic), numeric_method)[0]
