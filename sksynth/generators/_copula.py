"""Gaussian-copula generator for mixed-type tables (numeric, categorical, missing)."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy import linalg
from scipy.special import log_ndtr, logsumexp, ndtr, ndtri
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.covariance import ledoit_wolf_shrinkage
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

from ..base import (
    DEFAULT_MIN_GROUP_SIZE,
    GeneratorMixin,
    _rare_condition_message,
    _small_groups,
)
from ._table_spec import _TableSpec, _to_datetime_ns
from ._tabular import _CategoryCoder, _interval_mean_score, _NumericMarginal, _scores

_MARGINALS = ("empirical", "kde", "parametric")
_LOG_2PI = np.log(2 * np.pi)


# ---------------------------------------------------------------------------
# latent columns: each maps values to probability intervals and back
# ---------------------------------------------------------------------------
class _ValueLatent:
    """The observed values of a numeric column, through its marginal CDF."""

    kind = "value"

    def __init__(self, marginal):
        self.marginal = marginal

    def bounds(self, values):
        return self.marginal.cdf_bounds(values)

    def decode(self, u):
        return self.marginal.quantile(u)

    def log_mass(self, values):
        return self.marginal.log_density(values)

    def pieces(self):
        """Atoms as constant pieces; the gaps between them are continuous (score = Z)."""
        m = self.marginal
        edges_lo, edges_hi = _edge_scores(m.atom_lo), _edge_scores(m.atom_hi)
        const = (edges_lo, edges_hi, _interval_mean_score(m.atom_lo, m.atom_hi))
        gap_lo = np.concatenate([[-np.inf], edges_hi])
        gap_hi = np.concatenate([edges_lo, [np.inf]])
        keep = gap_hi > gap_lo
        return const, (gap_lo[keep], gap_hi[keep])


class _CodeLatent:
    """Discrete codes ``0..K`` placed on consecutive intervals of (0, 1), most frequent first.

    Used for categories (code ``K`` = missing) and for missing indicators
    (codes 0 = observed, 1 = missing).
    """

    kind = "codes"

    def __init__(self, counts):
        counts = np.asarray(counts, dtype=np.float64)
        self.n = counts.sum()
        self.prob = counts / self.n
        present = np.flatnonzero(counts > 0)
        self.order = present[np.argsort(-counts[present], kind="stable")]
        self.cum = np.concatenate([[0.0], np.cumsum(self.prob[self.order])])
        self.cum[-1] = 1.0
        self.rank = np.full(counts.size, -1)
        self.rank[self.order] = np.arange(self.order.size)

    def bounds(self, codes):
        rank = self.rank[codes]
        return self.cum[rank], self.cum[rank + 1]

    def decode(self, u):
        pos = np.searchsorted(self.cum[1:-1], u, side="right")
        return self.order[pos]

    def pieces(self):
        lo, hi = _edge_scores(self.cum[:-1]), _edge_scores(self.cum[1:])
        means = _interval_mean_score(self.cum[:-1], self.cum[1:])
        return (lo, hi, means), (np.empty(0), np.empty(0))

    def log_mass(self, codes):
        floor = np.log(1.0 / (self.n + 1))
        codes = np.asarray(codes)
        valid = (codes >= 0) & (codes < self.prob.size)
        prob = self.prob[np.where(valid, codes, 0)]
        with np.errstate(divide="ignore"):
            return np.where(valid & (prob > 0), np.log(np.where(prob > 0, prob, 1.0)), floor)


class _Column:
    """How one table column (or the target) is modelled."""

    def __init__(self, name, kind):
        self.name = name
        self.kind = kind  # "numeric" or "codes"
        self.value = None  # index of the value / code latent
        self.missing = None  # index of the missing-indicator latent
        self.j = None  # position in the table (None for the target)
        self.constant = None  # the only value (float) or code, when not modelled
        self.all_missing = False
        self.coder = None
        self.marginal = None
        self.missing_rate = 0.0


def _edge_scores(u):
    """Normal scores of interval edges, with 0 and 1 sent to -inf and +inf."""
    u = np.asarray(u, dtype=np.float64)
    z = _scores(u)
    return np.where(u <= 0, -np.inf, np.where(u >= 1, np.inf, z))


def _hermite_coefficients(latent, n_terms):
    """``c_k = E[s(Z) He_k(Z)] / sqrt(k!)``, k = 1..n_terms, of a column's score function.

    ``s(Z) = E[Z | interval]`` on constant pieces and ``Z`` on continuous ones, so that
    by Mehler's formula ``Cov(s_i(Z_i), s_j(Z_j)) = sum_k rho^k c_ik c_jk``.
    """
    (c_lo, c_hi, c_mean), (g_lo, g_hi) = latent.pieces()
    edges = np.concatenate([c_lo, c_hi, g_lo, g_hi])
    finite = np.isfinite(edges)
    z = np.where(finite, edges, 0.0)
    dens = np.where(finite, np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi), 0.0)
    # normalised Hermite polynomials h_k = He_k / sqrt(k!) times the density, k = 0..n+1
    hphi = np.empty((n_terms + 2, edges.size))
    prev, cur = np.zeros_like(z), np.ones_like(z)
    hphi[0] = dens
    for k in range(1, n_terms + 2):
        prev, cur = cur, (z * cur - np.sqrt(k - 1) * prev) / np.sqrt(k)
        hphi[k] = cur * dens
    n_c, n_g = c_lo.size, g_lo.size
    D_c = hphi[:, :n_c] - hphi[:, n_c:2 * n_c]  # D_k(a, b) = h_k(a) phi(a) - h_k(b) phi(b)
    D_g = hphi[:, 2 * n_c:2 * n_c + n_g] - hphi[:, 2 * n_c + n_g:]
    k = np.arange(1, n_terms + 1)
    coef = (D_c[k - 1] / np.sqrt(k)[:, None]) @ c_mean
    if n_g:
        mass = (ndtr(g_hi) - ndtr(g_lo)).sum()
        lower = np.zeros(n_terms)
        lower[0] = mass
        lower[1:] = np.sqrt(k[1:] / (k[1:] - 1)) * D_g[k[1:] - 2].sum(axis=1)
        coef = coef + D_g[k].sum(axis=1) + lower
    # exact variance of s(Z) (its mean is 0): constant pieces plus int z^2 phi on the gaps
    variance = np.sum((ndtr(c_hi) - ndtr(c_lo)) * c_mean**2)
    if n_g:
        a_phi = np.where(np.isfinite(g_lo), g_lo, 0.0) * hphi[0, 2 * n_c:2 * n_c + n_g]
        b_phi = np.where(np.isfinite(g_hi), g_hi, 0.0) * hphi[0, 2 * n_c + n_g:]
        variance += np.sum(ndtr(g_hi) - ndtr(g_lo) + a_phi - b_phi)
    return coef, variance


def _latent_correlation(corr, coefs, variance):
    """Solve ``sum_k rho^k c_ik c_jk / sqrt(V_i V_j) = corr_ij`` for ``rho`` (bisection).

    The left side increases with ``rho`` for monotone score functions; values
    beyond what ``rho = +-1`` gives are clipped.
    """
    scale = np.sqrt(np.outer(variance, variance))
    scale[scale <= 0] = 1.0
    products = np.einsum("ik,jk->kij", coefs, coefs) / scale  # (K, L, L)

    def model(rho):  # Horner's scheme for sum_k rho^k products_k
        total = products[-1].copy()
        for term in products[-2::-1]:
            total *= rho
            total += term
        return total * rho

    lo, hi = -np.ones_like(corr), np.ones_like(corr)
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        above = model(mid) > corr
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return 0.5 * (lo + hi)


def _nearest_correlation(corr, floor=1e-8):
    """Clip the eigenvalues at ``floor`` and rescale to a unit diagonal."""
    eigval, eigvec = np.linalg.eigh(corr)
    if eigval[0] >= floor:
        return corr
    corr = (eigvec * np.maximum(eigval, floor)) @ eigvec.T
    d = np.sqrt(np.diag(corr))
    return corr / np.outer(d, d)


def _truncated_normal(mean, std, lo, hi, rng):
    """Draw ``N(mean, std^2)`` truncated to ``[lo, hi]`` by inverting the CDF (vectorised)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = (lo - mean) / std, (hi - mean) / std
    flip = a > 0  # work in the lower tail, where ndtr keeps its precision
    a2, b2 = np.where(flip, -b, a), np.where(flip, -a, b)
    pa, pb = ndtr(a2), ndtr(b2)
    u = rng.uniform(size=np.shape(mean))
    with np.errstate(divide="ignore", invalid="ignore"):
        x = ndtri(pa + u * (pb - pa))
    x = np.where(flip, -x, x)
    bad = ~np.isfinite(x)
    if bad.any():  # both bounds far in one tail: take the nearer bound
        near = np.where(np.abs(a) < np.abs(b), a, b)
        x = np.where(bad, near, x)
    return mean + std * np.clip(x, a, b)


def _row_patterns(kinds, base):
    """Distinct rows of a small-integer matrix (entries < ``base``) and each row's index.

    Rows are coded as base-``base`` integers so that ``np.unique`` sorts one
    integer per row (``np.unique(axis=0)`` sorts whole rows, far slower).
    """
    kinds = np.asarray(kinds, dtype=np.int64)
    if kinds.shape[1] > np.log(2.0**62) / np.log(base):
        patterns, which = np.unique(kinds, axis=0, return_inverse=True)
        return patterns, which.reshape(-1)
    codes = kinds @ base ** np.arange(kinds.shape[1], dtype=np.int64)
    _, first, which = np.unique(codes, return_index=True, return_inverse=True)
    return kinds[first], which.reshape(-1)


def _as_rows(value, n):
    """A condition (scalar or one value per row) as an object array of ``n`` values."""
    raw = np.empty(n, dtype=object)
    raw[:] = value if np.ndim(value) == 0 else list(value)
    return raw


#: Log-probabilities of interval conditions are floored here (about 1e-300), so that a
#: row whose conditions are only numerically improbable in every class keeps a label.
_LOG_PROB_FLOOR = -690.0


def _log_interval_probability(a, b):
    """``log(Phi(b) - Phi(a))`` for ``a <= b`` (standard normal), accurate in both tails."""
    flip = a > 0  # reflect into the lower tail, where log_ndtr keeps its precision
    a, b = np.where(flip, -b, a), np.where(flip, -a, b)
    log_a, log_b = log_ndtr(a), log_ndtr(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = log_b + np.log1p(-np.exp(log_a - log_b))
    return np.where(np.isnan(out), -np.inf, out)


def _log_box_probability(mean, cov, lo, hi, n_draws, rng):
    """``log P(lo <= W <= hi)`` for ``W ~ N(mean_i, cov)``, each row ``i`` (vectorised).

    One dimension is exact. More dimensions use the GHK simulator (Geweke,
    Hajivassiliou, Keane): with ``cov = L L^T``, draw the standardised
    coordinates one after the other from their truncated normals and average
    the product of the interval probabilities over ``n_draws`` draws, an
    unbiased estimate of the probability.
    """
    n, d = mean.shape
    if d == 1:
        std = np.sqrt(max(cov[0, 0], 1e-12))
        with np.errstate(invalid="ignore"):
            return _log_interval_probability((lo[:, 0] - mean[:, 0]) / std,
                                             (hi[:, 0] - mean[:, 0]) / std)
    factor = GaussianCopulaGenerator._cholesky(cov)
    lo_r, hi_r = np.repeat(lo - mean, n_draws, axis=0), np.repeat(hi - mean, n_draws, axis=0)
    e = np.zeros((n * n_draws, d))
    log_weight = np.zeros(n * n_draws)
    for t in range(d):
        shift = e[:, :t] @ factor[t, :t]
        diag = max(factor[t, t], 1e-12)
        with np.errstate(invalid="ignore"):
            a, b = (lo_r[:, t] - shift) / diag, (hi_r[:, t] - shift) / diag
        log_weight += _log_interval_probability(a, b)
        e[:, t] = _truncated_normal(np.zeros(a.shape), 1.0, a, b, rng)
    return logsumexp(log_weight.reshape(n, n_draws), axis=1) - np.log(n_draws)


class GaussianCopulaGenerator(GeneratorMixin, TransformerMixin, BaseEstimator):
    """Gaussian copula over mixed columns, with exact conditional sampling.

    Each column gets a marginal distribution and is mapped to normal scores;
    the scores follow a multivariate normal with a (shrunk) correlation
    matrix. Numeric columns use a marginal with atoms (values seen often, e.g.
    zeros or integers) and a continuous part; categorical and boolean columns
    place their categories on consecutive intervals of (0, 1), most frequent
    first; a numeric column with missing values gets a missing indicator that
    takes part in the copula, so missing rates and their dependence on other
    columns are reproduced. Fitted with class labels, it fits one copula per
    class (class-conditional) and ``sample(y=labels)`` draws each row from its
    label's copula; a continuous target is one more numeric column of a single
    copula (joint).

    Parameters
    ----------
    marginals : {"empirical", "kde", "parametric"} or dict, default="empirical"
        Continuous part of the numeric marginals: the smoothed empirical
        distribution (linear between observed values), a Gaussian kernel
        density estimate, or the best of normal, uniform, beta and gamma by
        Kolmogorov-Smirnov distance; all truncated to the observed range. A
        dict ``{column: method}`` sets some columns; the others are empirical.
    shrinkage : "ledoit_wolf" or float in [0, 1], default="ledoit_wolf"
        Shrink the correlation matrix of the normal scores towards the
        identity, by the Ledoit-Wolf estimate of the intensity or by a fixed
        intensity.
    column_types : dict, default=None
        Type of some columns, ``{column: type}`` with ``type`` in
        ``"numeric"``, ``"integer"``, ``"categorical"``, ``"boolean"``,
        ``"datetime"``, ``"id"`` or a semantic type such as ``"email"``; the
        others are inferred from their dtype, and identifiers from their values
        (see :class:`TabularEncoder`). Identifiers and semantic types are never
        modelled: sampled rows get fresh values (see Notes).
    constraints : list of constraints or None, default=None
        Rules every sampled row satisfies by construction, e.g.
        ``[Inequality("min_price", "max_price"), FixedCombinations(["species",
        "island"])]`` (see :mod:`sksynth.constraints`): the constrained columns
        are modelled through a reversible reparameterisation; training rows
        that break a rule are an error unless the constraint says
        ``on_violation="drop"``.
    min_group_size : int, default=5
        Privacy floor. A table with fewer rows is refused; a class with fewer
        rows is drawn from the copula of the whole table instead of its own
        (a :class:`~sksynth.base.PrivacyWarning` names it), and ``conditions``
        on a category held by fewer training rows (of the requested class) are
        refused, since rows drawn from so few would replay them. ``1`` turns
        the floor off.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampling stream advanced by :meth:`sample` (the fit itself
        is deterministic).

    Attributes
    ----------
    correlation_ : ndarray of shape (n_latent, n_latent)
        Correlation matrix of the normal scores (after shrinkage), in the
        order of ``latent_names_``. Fitted with class labels, that of the
        pooled copula of ``X`` alone, which :meth:`transform` uses (each class
        has its own copula for sampling and scoring).
    latent_names_ : ndarray of str
        One entry per modelled score: a column's name for its values and
        ``"<name>__missing"`` for its missing indicator (a continuous target
        is ``"__target__"``). Constant and all-missing columns have none.
    shrinkage_ : float
        The shrinkage intensity used (pooled copula).
    marginals_ : dict
        For each numeric column, the marginal used: ``"empirical"``,
        ``("kde", bandwidth)`` or ``(family, ks_distance)`` (pooled copula).
    column_types_ : dict
        Type of every column, inferred or given (the same in every class).
    classes_ : ndarray of shape (n_classes,)
        Class labels, when fitted with class labels.
    class_prior_ : ndarray of shape (n_classes,)
        Proportion of each class in the training rows, when fitted with
        class labels: :meth:`sample` draws the labels with these
        probabilities.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    TabularEncoder : Mixed table to float matrix, for neural generators.
    GaussianGenerator : Multivariate normal generator for numeric data.

    Notes
    -----
    *Scores.* A continuous value gets the score ``Phi^-1(F(x))``; a value
    with a probability interval ``(F(x-), F(x)]`` (a category, an atom, a
    missing flag) gets ``E[Z | Phi(Z) in interval]``, the same at ``fit`` and
    in :meth:`transform` (deterministic). Averaging over intervals attenuates
    correlations; the latent correlation of each pair is recovered from the
    Pearson correlation of its scores by inverting Mehler's expansion
    ``Cov(s_i, s_j) = sum_k rho^k c_ik c_jk`` (``c_k`` the Hermite coefficients
    of each column's score function, 100 terms, bisection), which is exact for
    latent Gaussian data (the polychoric/polyserial correlation). Pairs are
    estimated on the rows where both are observed, then the matrix is made
    positive definite (eigenvalue clipping) and shrunk.

    *Sampling* draws the scores from ``N(0, R)`` and maps each back by interval
    lookup or the quantile function (``np.interp``, ``np.searchsorted``): no
    per-row Python. Numeric outputs stay within the observed range; integer
    columns are rounded; categories never seen are never produced.

    *Conditions* (``sample(conditions={column: value}, y=...)``, a scalar for
    every row or one value per row; ``np.nan``, ``None`` or ``NaT`` ask for a
    missing value; keys are column names for DataFrames and positions for
    arrays) must have been possible in ``fit``: categories seen (and held by at
    least ``min_group_size`` rows), numbers within the observed range, whole
    numbers for integer columns, missing only where values were missing;
    otherwise a ``ValueError`` says which. Identifier columns cannot be
    conditioned on. Sampling under them is exact, without rejection: a continuous value fixes its score, an interval value
    (category, atom, missing flag) restricts it to an interval. With at most
    one interval condition per row the interval score is drawn from its
    truncated normal conditional given the point conditions, then the other
    scores from their Gaussian conditional: an exact draw. With two or more
    interval conditions in a row, their scores come from a Gibbs sampler on
    the truncated multivariate normal (50 sweeps, vectorised over rows), whose
    draws are exact only in the limit.

    *Likelihood.* :meth:`score_samples` is a proxy: the sum of the marginal
    log-densities (log-probabilities for interval values) plus the log
    copula density at the scores of :meth:`transform`; missing values are
    marginalised out of the copula, values off the observed range get a
    Laplace tail, and a category never seen in ``fit`` has probability zero:
    its row scores ``-inf`` (as :meth:`transform` refuses it).

    *Class labels.* A single copula with the label as one more categorical
    column cannot express class-dependent distributions beyond two classes
    (the latent order of the classes is arbitrary, so a class in the middle
    of it shares its neighbours' dependence). Fitted with class labels, the
    generator therefore fits one copula (marginals and correlation) per
    class on that class's rows, with the column types of the whole table,
    and keeps the class proportions ``class_prior_`` (``pi``):
    ``sample(n)`` draws the labels from ``pi`` and each row from its
    class's copula; ``sample(y=labels)`` draws row ``i`` from the copula of
    ``labels[i]``; ``conditions`` apply within each class's copula, and
    without ``y`` the labels are drawn from ``P(y | conditions)``
    proportional to ``pi_y p_y(conditions)``, where ``p_y`` is the
    probability of the interval conditions times the density of the
    continuous ones under class ``y``'s copula (exact with at most one
    interval condition per row, otherwise the GHK simulator [5]_ with a
    fixed seed; a probability of a value the class never had is 0). A
    class's copula produces only what its class had: categories and ranges
    of its own rows; a class with fewer than ``min_group_size`` rows is
    instead drawn from the pooled copula of the whole table, so its rows are
    not reproduced.
    ``score_samples(X, y)`` is ``log pi_y`` plus the class's proxy and
    ``score_samples(X)`` their log-sum-exp over the classes. :meth:`transform`,
    :meth:`inverse_transform`, ``correlation_`` and ``latent_names_`` belong
    to a pooled copula fitted to ``X`` alone (what ``fit(X)`` gives), so the
    representation does not depend on the labels. Fitting costs about twice
    a fit without labels (the pooled copula plus the class copulas).

    References
    ----------
    .. [1] Nelsen, R. B. (2006). *An Introduction to Copulas*, 2nd ed. Springer.
    .. [2] Olsson, U., Drasgow, F. and Dorans, N. J. (1982). "The polyserial
       correlation coefficient." Psychometrika 47(3) (the Hermite-expansion
       link between latent and observed correlations).
    .. [3] Patki, N., Wedge, R. and Veeramachaneni, K. (2016). "The Synthetic
       Data Vault." IEEE DSAA 2016.
    .. [4] Ledoit, O. and Wolf, M. (2004). "A well-conditioned estimator for
       large-dimensional covariance matrices." Journal of Multivariate
       Analysis 88(2).
    .. [5] Train, K. (2009). *Discrete Choice Methods with Simulation*, 2nd
       ed., section 5.6.3 (the Geweke-Hajivassiliou-Keane simulator of
       multivariate normal rectangle probabilities). Cambridge University
       Press.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> rng = np.random.RandomState(0)
    >>> income = rng.lognormal(10, 0.5, size=1000).round()
    >>> X = pd.DataFrame({"income": income,
    ...                   "owner": np.where(income > 25_000, "yes", "no")})
    >>> gen = GaussianCopulaGenerator(random_state=0).fit(X)
    >>> X_new = gen.sample(2000)
    >>> X_new.dtypes.equals(X.dtypes), set(X_new["owner"]) <= {"yes", "no"}
    (True, True)
    >>> rich = gen.sample(500, conditions={"owner": "yes"})
    >>> bool((rich["owner"] == "yes").all()), bool(rich["income"].median() > income.mean())
    (True, True)

    With class labels, each class gets its own copula:

    >>> y = np.repeat(["a", "b", "c"], 300)
    >>> X = pd.DataFrame({"x": rng.normal(np.repeat([0.0, 4.0, 8.0], 300))})
    >>> gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    >>> X_b, y_b = gen.sample(y=["b"] * 1000)
    >>> round(float(X_b["x"].mean())), bool((y_b == "b").all())
    (4, True)
    """

    _supports_regression_target = True
    _input_kind = "mixed"
    _accepts_conditions = True
    _GIBBS_SWEEPS = 50
    _HERMITE_TERMS = 100

    _parameter_constraints = {
        "marginals": [StrOptions(set(_MARGINALS)), dict],
        "shrinkage": [StrOptions({"ledoit_wolf"}), Interval(Real, 0, 1, closed="both")],
        "column_types": [None, dict],
        "constraints": [None, list],
        "min_group_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, marginals="empirical", shrinkage="ledoit_wolf", column_types=None, constraints=None,
                 min_group_size=DEFAULT_MIN_GROUP_SIZE, random_state=None):
        self.marginals = marginals
        self.shrinkage = shrinkage
        self.column_types = column_types
        self.constraints = constraints
        self.min_group_size = min_group_size
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def _fit(self, frame, y_spec, X):
        """Fit the marginals and the copula to ``frame`` (and ``y_spec``): one copula per
        class for class labels, one of ``(X, y)`` for a continuous target."""
        n_rows = frame.shape[0]
        by_class = y_spec is not None and y_spec.task == "classification"
        # the copula of X alone (class labels) or of (X, y) (continuous target)
        self._fit_copula(frame, X, None if by_class else y_spec)
        self._y_spec = y_spec
        self._class_models = None
        self.__dict__.pop("class_prior_", None)
        if by_class:
            labels = y_spec.encoded
            self.class_prior_ = np.bincount(labels, minlength=len(self.classes_)) / n_rows
            # One copula per class, with the column types of the whole table (a class
            # alone could look different, e.g. integer-valued floats). Their draws come
            # from this generator's stream, so they keep no stream of their own. Classes
            # too small to model on their own share the copula of the whole table.
            small = _small_groups(labels, len(self.classes_), self.min_group_size,
                                  what="class", names=self.classes_.tolist(), estimator=self)
            pooled = None
            if small.size:
                pooled = clone(self)
                pooled._fit_copula(frame, frame, None, spec=self._spec)
            self._class_models = []
            for k in range(len(self.classes_)):
                if k in small:
                    self._class_models.append(pooled)
                    continue
                model = clone(self)
                model._fit_copula(frame.iloc[np.flatnonzero(labels == k)], frame, None,
                                  spec=self._spec)
                self._class_models.append(model)
        self._init_sampling_stream(check_random_state(self.random_state))
        return self

    def _fit_copula(self, frame, X, y_spec, spec=None):
        """Fit marginals and correlation to ``frame`` (and a continuous target ``y_spec``).

        ``spec`` (the whole table's) fixes the column types and hidden columns
        instead of inferring them from ``frame``.
        """
        self._spec = (_TableSpec(frame, X, self._model_column_types()) if spec is None
                      else spec)
        methods = self._marginal_methods()
        n_rows = frame.shape[0]
        self._n_train = n_rows
        self._y_spec = y_spec
        self._columns, self._latents, names, score_columns = [], [], [], []
        self.marginals_ = {}

        def add_latent(latent, name, lo, hi, observed):
            score = _interval_mean_score(lo, hi)
            score[~observed] = np.nan
            self._latents.append(latent)
            names.append(name)
            score_columns.append(score)
            return len(self._latents) - 1

        table = [(name, kind, j) for j, (name, kind) in
                 enumerate(zip(self._spec.columns, self._spec.types))]
        if y_spec is not None:
            table.append(("__target__", "numeric", None))
        target = None if y_spec is None else y_spec.encoded
        for name, kind, j in table:
            column = _Column(name, "codes" if kind in ("categorical", "boolean") else "numeric")
            column.j = j
            if column.kind == "codes":
                raw = self._spec.objects(frame, j)
                dtype = self._spec.dtypes[j]
                order = list(dtype.categories) if isinstance(dtype, pd.CategoricalDtype) else (
                    [False, True] if kind == "boolean" else None)
                column.coder = _CategoryCoder(raw, order)
            values, missing, _ = self._represent(column, frame, target)
            observed = ~missing
            column.missing_rate = float(missing.mean())
            if not observed.any():
                column.all_missing = True
            elif column.kind == "codes":
                counts = column.coder.counts[:-1]
                if np.count_nonzero(counts) == 1:
                    column.constant = int(np.flatnonzero(counts)[0])
                else:
                    latent = _CodeLatent(counts)
                    placeholder = np.where(observed, values, latent.order[0])
                    column.value = add_latent(latent, str(name), *latent.bounds(placeholder),
                                              observed)
            else:
                method = methods.get(name, "empirical") if j is not None else "empirical"
                column.marginal = _NumericMarginal(values[observed], method)
                self.marginals_[name] = (column.marginal.method
                                         if column.marginal.distribution is None
                                         else column.marginal.distribution)
                if column.marginal.is_constant:
                    column.constant = column.marginal.low
                else:
                    placeholder = np.where(observed, values, column.marginal.low)
                    column.value = add_latent(_ValueLatent(column.marginal), str(name),
                                              *column.marginal.cdf_bounds(placeholder), observed)
            if missing.any() and observed.any():
                latent = _CodeLatent([observed.sum(), missing.sum()])
                column.missing = add_latent(latent, f"{name}__missing",
                                            *latent.bounds(missing.astype(int)),
                                            np.ones(n_rows, dtype=bool))
            self._columns.append(column)
        self.column_types_ = self._spec.column_types
        self.latent_names_ = np.asarray(names, dtype=object)
        Z = np.column_stack(score_columns) if score_columns else np.empty((n_rows, 0))
        self.correlation_, self.shrinkage_ = self._estimate_correlation(Z)
        self._factor = self._cholesky(self.correlation_)
        self._x_latents = np.array(
            [i for c in self._columns[:self._spec.n_columns] for i in (c.value, c.missing)
             if i is not None], dtype=np.intp)

    def _marginal_methods(self):
        if isinstance(self.marginals, str):
            return {name: self.marginals for name in getattr(self, "_spec").columns}
        bad = {k: v for k, v in self.marginals.items() if v not in _MARGINALS}
        if bad:
            raise ValueError(
                f"marginals maps columns to unknown methods {bad}; use one of {list(_MARGINALS)}."
            )
        unknown = set(self.marginals) - set(self._spec.columns)
        if unknown:
            raise ValueError(
                f"marginals names columns that X does not have: {sorted(map(str, unknown))}."
            )
        return dict(self.marginals)

    def _estimate_correlation(self, Z):
        """Latent correlation of the scores (Hermite-corrected), made PSD and shrunk.

        Also stores the correlation of the scores themselves (``_score_corr``)
        and their standard deviations (``_score_std``), used by the likelihood proxy.
        """
        n_latent = Z.shape[1]
        if n_latent == 0:
            self._score_corr, self._score_std = np.empty((0, 0)), np.empty(0)
            return np.empty((0, 0)), 0.0
        observed = ~np.isnan(Z)
        mask = observed.astype(np.float64)
        Z0 = np.where(observed, Z, 0.0)
        count = mask.T @ mask
        sum_x = Z0.T @ mask  # sum of z_i over rows where z_j is observed too
        sum_xx = (Z0**2).T @ mask
        sum_xy = Z0.T @ Z0
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = sum_xy - sum_x * sum_x.T / count
            var_i = sum_xx - sum_x**2 / count
            corr = cov / np.sqrt(var_i * var_i.T)
        corr[~np.isfinite(corr) | (count < 2)] = 0.0
        corr = np.clip((corr + corr.T) / 2, -1.0, 1.0)
        np.fill_diagonal(corr, 1.0)
        if self.shrinkage == "ledoit_wolf":
            if Z.shape[0] > 1 and n_latent > 1:
                std = np.nanstd(Z, axis=0)
                standard = np.where(observed, (Z0 - np.nanmean(Z, axis=0)) / np.where(
                    std > 0, std, 1.0), 0.0)
                shrinkage = float(ledoit_wolf_shrinkage(standard, assume_centered=True))
            else:
                shrinkage = 0.0
        else:
            shrinkage = float(self.shrinkage)
        std = np.nanstd(Z, axis=0)
        self._score_std = np.where(std > 1e-12, std, 1.0)
        self._score_corr = self._shrink(_nearest_correlation(corr), shrinkage)
        # Scores of interval values are E[Z | interval], which attenuates correlations;
        # undo it through the Hermite expansion of each column's score function.
        coefs, variance = zip(*[_hermite_coefficients(latent, self._HERMITE_TERMS)
                                for latent in self._latents])
        latent = _latent_correlation(corr, np.array(coefs), np.array(variance))
        latent = np.clip((latent + latent.T) / 2, -1.0, 1.0)
        np.fill_diagonal(latent, 1.0)
        return self._shrink(_nearest_correlation(latent), shrinkage), shrinkage

    @staticmethod
    def _shrink(corr, shrinkage):
        corr = (1 - shrinkage) * corr + shrinkage * np.eye(corr.shape[0])
        np.fill_diagonal(corr, 1.0)
        return corr

    @staticmethod
    def _cholesky(matrix):
        if matrix.shape[0] == 0:
            return matrix
        ridge = 0.0
        for _ in range(8):
            try:
                return linalg.cholesky(matrix + ridge * np.eye(matrix.shape[0]), lower=True)
            except linalg.LinAlgError:
                ridge = max(10 * ridge, 1e-10)
        raise ValueError("The correlation matrix is not positive definite.")  # pragma: no cover

    # ------------------------------------------------------------- sampling
    def _sample(self, n_samples, y_enc, conditions, rng):
        """Rows (and encoded targets) for :meth:`~sksynth.base.GeneratorMixin.sample`.

        ``conditions``: see the class Notes ("Conditions").
        """
        requests = [(self._column_index(key), _as_rows(value, n_samples))
                    for key, value in conditions.items()]
        if self._class_models is not None:
            return self._sample_by_class(n_samples, y_enc, requests, rng)
        if y_enc is not None:
            requests.append((len(self._columns) - 1, _as_rows(y_enc, n_samples)))
        bounds, exact, _, _ = self._condition_bounds(requests, n_samples)
        Z = self._draw_scores(n_samples, bounds, rng)
        values = self._decode_values(Z, exact)
        n_x = self._spec.n_columns
        X_new = self._spec.restore(values[:n_x], rng)
        return X_new, (None if self._y_spec is None else values[n_x])

    def _sample_by_class(self, n, y_enc, requests, rng):
        """Rows from the class copulas, for given labels or labels drawn first.

        Without ``y``, labels come from the class proportions, or from
        ``P(y | conditions)`` when there are conditions; each class's rows are
        then drawn from its copula (under the conditions) and put back in order.
        """
        if requests:  # values impossible for the whole table raise here, as without y
            self._condition_bounds(requests, n)
        if y_enc is not None:
            labels = np.asarray(y_enc, dtype=np.intp)
        elif requests:
            labels = self._draw_labels(requests, n, rng)
        else:
            labels = rng.choice(len(self.classes_), size=n, p=self.class_prior_)
        columns = [np.empty(n, dtype=object if column.kind == "codes" else np.float64)
                   for column in self._columns]
        for k in np.unique(labels):
            rows = np.flatnonzero(labels == k)
            model = self._class_models[k]
            try:
                bounds, exact, _, _ = model._condition_bounds(
                    [(j, raw[rows]) for j, raw in requests], rows.size)
            except ValueError as exc:
                label = self.classes_[k:k + 1].tolist()[0]
                raise ValueError(
                    f"for the rows requested with y={label!r}: {exc} Each class has its own "
                    "copula, fitted on that class's rows: condition these rows on values their "
                    "class had, or leave y out to draw the labels given the conditions."
                ) from None
            Z = model._draw_scores(rows.size, bounds, rng)
            for column, values in zip(columns, model._decode_values(Z, exact)):
                column[rows] = values
        return self._spec.restore(columns, rng), labels

    def _draw_labels(self, requests, n, rng):
        """Labels from ``P(y | conditions)``, proportional to ``pi_y p_y(conditions)``."""
        try:  # rows with the same conditions share their posterior: evaluate it once
            table = pd.DataFrame({i: raw for i, (_, raw) in enumerate(requests)})
            groups = table.groupby(list(table.columns), dropna=False, sort=False).ngroup()
            groups = groups.to_numpy()
            first = np.unique(groups, return_index=True)[1]
        except TypeError:  # unhashable values: row by row
            groups = first = np.arange(n)
        distinct = [(j, raw[first]) for j, raw in requests]
        log_post = np.column_stack(
            [np.log(prior) + model._condition_log_prob(distinct, first.size)
             for prior, model in zip(self.class_prior_, self._class_models)])[groups]
        best = log_post.max(axis=1)
        dead = np.flatnonzero(~np.isfinite(best))
        if dead.size:
            raise ValueError(
                f"the conditions of rows {dead[:5].tolist()} are impossible in every class: "
                "each class has its own copula, fitted on that class's rows, and none of them "
                "had all of these values (categories, ranges, missing values); relax the "
                "conditions of these rows."
            )
        cum = np.cumsum(np.exp(log_post - best[:, None]), axis=1)
        u = rng.uniform(size=n) * cum[:, -1]
        return np.minimum(np.sum(cum <= u[:, None], axis=1), len(self.classes_) - 1)

    def _column_index(self, key):
        return self._spec.index(key, type(self).__name__)

    def _represent(self, column, frame, y_enc, values=None):
        """``(values, missing, unseen)`` of a column: floats or category codes.

        Codes use ``n_categories`` for missing and -1 for categories never seen.
        ``values`` (an object array) replaces the column of ``frame``.
        """
        j = column.j
        if column.kind == "codes":
            if values is None:
                values = (np.asarray(y_enc).astype(object) if j is None
                          else self._spec.objects(frame, j))
            codes = column.coder.codes(values)
            missing = codes == column.coder.n_categories
            return codes, missing, codes < 0
        if values is None:
            floats = (np.asarray(y_enc, dtype=np.float64) if j is None
                      else self._spec.floats(frame, j))
        elif j is None:
            floats = np.asarray(values, dtype=np.float64)
        elif self._spec.types[j] == "datetime":
            floats = _to_datetime_ns(pd.Series(values))
        else:
            try:  # through the spec: integers beyond 2**53 are offsets there
                floats = self._spec.as_floats(pd.Series(values, dtype=object), j)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"conditions for numeric column {column.name!r} must be numbers or NaN."
                ) from exc
        missing = np.isnan(floats)
        return floats, missing, np.zeros(floats.shape[0], dtype=bool)

    def _condition_bounds(self, requests, n, *, strict=True):
        """Probability bounds of the conditions on each latent score.

        ``requests`` lists ``(column index, object array of n values)``.
        Returns ``{latent: (lo, hi)}`` (a point where ``lo == hi``, free where
        ``(0, 1)``), the exact output values ``{column index: values}``, the
        sum of the marginal log-densities of the continuous (point) values, and
        the rows whose conditions the copula cannot produce. Those raise a
        ``ValueError`` naming the problem when ``strict``; otherwise their
        conditions are left free.
        """
        bounds, exact = {}, {}
        log_density = np.zeros(n)
        impossible = np.zeros(n, dtype=bool)
        for j, raw in requests:
            column = self._columns[j]
            values, missing, _ = self._represent(column, None, None, raw)
            bad, message = self._condition_problems(column, raw, values, missing)
            if message is not None:
                if strict:
                    raise ValueError(message)
                impossible |= bad
            exact[j] = values
            if column.all_missing:
                continue
            if column.missing is not None:
                flags = np.where(bad, 0, missing.astype(int))
                lo, hi = self._latents[column.missing].bounds(flags)
                bounds[column.missing] = (np.where(bad, 0.0, lo), np.where(bad, 1.0, hi))
            skip = missing | bad
            if column.value is not None and not skip.all():
                latent = self._latents[column.value]
                placeholder = column.marginal.low if column.kind == "numeric" else latent.order[0]
                lo, hi = latent.bounds(np.where(skip, placeholder, values))
                lo[skip], hi[skip] = 0.0, 1.0
                bounds[column.value] = (lo, hi)
                if column.kind == "numeric":
                    point = ~skip & (lo == hi)
                    log_density[point] += column.marginal.log_density(values[point])
        return bounds, exact, log_density, impossible

    def _condition_problems(self, column, raw, values, missing):
        """Rows whose condition on ``column`` is impossible, and the first problem's message."""
        bad = np.zeros(values.shape[0], dtype=bool)
        messages = []
        if column.kind == "codes":
            message = column.coder.unseen(raw, values, column.name)
            if message is not None:
                bad |= (values < 0) | (missing & (not column.coder.has_missing))
                messages.append("cannot condition on it: " + message)
            counts = column.coder.counts[:-1]
            seen = (values >= 0) & ~missing
            rare = seen & (counts[np.where(seen, values, 0)] < self.min_group_size)
            if rare.any():
                bad |= rare
                shown = pd.unique(np.asarray(raw, dtype=object)[rare])[:5].tolist()
                messages.append(_rare_condition_message(column.name, shown,
                                                        self.min_group_size))
        if missing.any() and column.missing is None and not column.all_missing:
            bad |= missing
            messages.append(f"cannot condition column {column.name!r} on a missing value: it "
                            "had no missing values in fit.")
        if column.all_missing and not missing.all():
            bad |= ~missing
            messages.append(f"cannot condition column {column.name!r} on a value: it was "
                            "entirely missing in fit.")
        if column.kind == "numeric" and not column.all_missing:
            more, more_messages = self._numeric_problems(column, values, ~missing)
            bad |= more
            messages += more_messages
        return bad, (messages[0] if messages else None)

    def _numeric_problems(self, column, values, present):
        """Numeric values off the range, fractional for integers, or of probability zero."""
        marginal = column.marginal
        name = column.name
        values = np.where(present, values, marginal.low)
        bad = np.zeros(values.shape[0], dtype=bool)
        messages = []
        off = present & ((values < marginal.low) | (values > marginal.high))
        if off.any():
            messages.append(
                f"cannot condition column {name!r} on {values[off][:5].tolist()}: outside the "
                f"range seen in fit [{marginal.low}, {marginal.high}]."
            )
        bad |= off
        if column.j is not None and self._spec.is_integer(column.j):
            fractional = present & (values != np.rint(values))
            if fractional.any():
                messages.append(
                    f"cannot condition integer column {name!r} on non-integer values "
                    f"{values[fractional][:5].tolist()}."
                )
            bad |= fractional
        if column.constant is None:
            lo, hi = marginal.cdf_bounds(values)
            back = marginal.quantile(0.5 * (lo + hi))
            tol = 1e-9 * (marginal.scale + np.abs(values))
            zero = present & ~bad & (np.abs(back - values) > tol)
            if zero.any():
                messages.append(
                    f"cannot condition column {name!r} on {values[zero][:5].tolist()}: these "
                    "values have probability zero under the fitted marginal (they lie between "
                    "values seen in fit that the marginal keeps as separate atoms)."
                )
            bad |= zero
        return bad, messages

    def _condition_log_prob(self, requests, n):
        """Log-probability of each row's conditions under the copula; ``-inf`` if impossible.

        Interval values (categories, atoms, missing flags) count by their
        probability, continuous values by their density:
        ``sum_j log f_j(x_j) + log c(z_points) + log P(interval scores | z_points)``,
        the last exact for one interval condition and a GHK estimate for more.
        Rows with equal conditions are evaluated once.
        """
        if n == 0:
            return np.zeros(0)
        bounds, _, log_density, impossible = self._condition_bounds(requests, n, strict=False)
        conditioned = np.array(sorted(bounds), dtype=np.intp)
        m = conditioned.size
        key = np.column_stack([bounds[i][0] for i in conditioned]
                              + [bounds[i][1] for i in conditioned]
                              + [log_density, impossible.astype(np.float64)])
        key, inverse = np.unique(key, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        u_lo, u_hi = key[:, :m], key[:, m:2 * m]
        out = key[:, 2 * m].copy()
        kinds = np.where(u_lo == u_hi, 1, 2)  # 0 = free, 1 = point, 2 = interval
        kinds[(u_lo <= 0) & (u_hi >= 1)] = 0
        z_point, z_lo, z_hi = _scores(u_lo), _edge_scores(u_lo), _edge_scores(u_hi)
        n_draws = int(np.clip(2_000_000 // key.shape[0], 32, 512))
        ghk_rng = np.random.RandomState(0)  # the same estimate every call
        patterns, which = _row_patterns(kinds, 3)
        for p, pattern in enumerate(patterns):
            rows = np.flatnonzero(which == p)
            point, interval = conditioned[pattern == 1], conditioned[pattern == 2]
            z = z_point[np.ix_(rows, pattern == 1)]
            if point.size:  # Gaussian copula density of the point scores
                factor = self._cholesky(self.correlation_[np.ix_(point, point)])
                white = linalg.solve_triangular(factor, z.T, lower=True).T
                log_det = 2 * np.sum(np.log(np.diag(factor)))
                out[rows] -= 0.5 * (np.sum(white**2, axis=1) - np.sum(z**2, axis=1) + log_det)
            if interval.size:
                mean, cov = self._conditional(interval, point, z)
                box = _log_box_probability(mean, cov, z_lo[np.ix_(rows, pattern == 2)],
                                           z_hi[np.ix_(rows, pattern == 2)], n_draws, ghk_rng)
                out[rows] += np.maximum(box, _LOG_PROB_FLOOR)
        out[key[:, 2 * m + 1] > 0] = -np.inf
        return out[inverse]

    def _draw_scores(self, n, bounds, rng):
        """Draw ``Z ~ N(0, R)`` given per-row interval/point constraints on some scores."""
        n_latent = self.correlation_.shape[0]
        if not bounds:
            return rng.standard_normal((n, n_latent)) @ self._factor.T
        conditioned = np.array(sorted(bounds), dtype=np.intp)
        u_lo = np.column_stack([bounds[i][0] for i in conditioned])
        u_hi = np.column_stack([bounds[i][1] for i in conditioned])
        # 0 = free, 1 = point, 2 = interval
        kinds = np.where(u_lo == u_hi, 1, 2)
        kinds[(u_lo <= 0) & (u_hi >= 1)] = 0
        # a point at u = 0 or 1 (the ends of a smooth marginal) keeps a finite score
        z_point, z_lo, z_hi = _scores(u_lo), _edge_scores(u_lo), _edge_scores(u_hi)
        Z = np.empty((n, n_latent))
        patterns, which = _row_patterns(kinds, 3)
        for p, pattern in enumerate(patterns):
            rows = np.flatnonzero(which == p)
            point = conditioned[pattern == 1]
            interval = conditioned[pattern == 2]
            fixed = np.concatenate([point, interval])
            free = np.setdiff1d(np.arange(n_latent), fixed)
            block = np.empty((rows.size, n_latent))
            block[:, point] = z_point[np.ix_(rows, pattern == 1)]
            if interval.size:
                mean, cov = self._conditional(interval, point, block[:, point])
                lo, hi = z_lo[np.ix_(rows, pattern == 2)], z_hi[np.ix_(rows, pattern == 2)]
                block[:, interval] = self._draw_truncated(mean, cov, lo, hi, rng)
            if free.size:
                mean, cov = self._conditional(free, fixed, block[:, fixed])
                factor = self._cholesky(cov)
                block[:, free] = mean + rng.standard_normal((rows.size, free.size)) @ factor.T
            Z[rows] = block
        return Z

    def _conditional(self, target, given, z_given):
        """Mean (rows, |target|) and covariance of ``Z_target | Z_given = z_given``."""
        R = self.correlation_
        if given.size == 0:
            return np.zeros((z_given.shape[0], target.size)), R[np.ix_(target, target)]
        weights = linalg.solve(R[np.ix_(given, given)] + 1e-10 * np.eye(given.size),
                               R[np.ix_(given, target)], assume_a="pos")
        cov = R[np.ix_(target, target)] - R[np.ix_(target, given)] @ weights
        return z_given @ weights, (cov + cov.T) / 2

    def _draw_truncated(self, mean, cov, lo, hi, rng):
        """Truncated multivariate normal: exact for one dimension, Gibbs otherwise."""
        std = np.sqrt(np.maximum(np.diag(cov), 1e-12))
        z = _truncated_normal(mean, std, lo, hi, rng)
        if mean.shape[1] == 1:
            return z
        precision = np.linalg.inv(cov + 1e-10 * np.eye(cov.shape[0]))
        cond_std = 1.0 / np.sqrt(np.diag(precision))
        for _ in range(self._GIBBS_SWEEPS):
            for k in range(mean.shape[1]):
                others = np.delete(np.arange(mean.shape[1]), k)
                shift = (z[:, others] - mean[:, others]) @ precision[k, others] / precision[k, k]
                z[:, k] = _truncated_normal(mean[:, k] - shift, cond_std[k], lo[:, k], hi[:, k],
                                            rng)
        return z

    def _decode_values(self, Z, exact):
        """Scores to column values (categories, floats with NaN), then the target if any.

        Conditioned columns get exactly the requested values.
        """
        n = Z.shape[0]
        U = ndtr(Z)
        out = []
        for j, column in enumerate(self._columns):
            codes = column.kind == "codes"
            if j in exact:
                out.append(column.coder.decode(exact[j]) if codes else exact[j])
                continue
            if column.all_missing:
                values = (np.full(n, column.coder.n_categories) if codes else np.full(n, np.nan))
            elif column.constant is not None:
                values = np.full(n, column.constant)
            else:
                values = self._latents[column.value].decode(U[:, column.value])
            if column.missing is not None:
                is_missing = self._latents[column.missing].decode(U[:, column.missing]) == 1
                values = np.where(is_missing, column.coder.n_categories if codes else np.nan,
                                  values)
            out.append(column.coder.decode(values) if codes else values)
        return out

    # --------------------------------------------------------- scores/latents
    def _row_scores(self, frame, y_enc=None, *, strict):
        """Deterministic scores (n, n_latent) with NaN where absent, and log-masses (n,)."""
        n = frame.shape[0]
        Z = np.full((n, self.correlation_.shape[0]), np.nan)
        log_mass = np.zeros(n)
        floor = np.log(1.0 / (self._n_train + 1))
        for column in self._columns:
            if column.j is None and y_enc is None:
                continue
            values, missing, unseen = self._represent(column, frame, y_enc)
            if strict and unseen.any():
                raw = self._spec.objects(frame, column.j)
                raise ValueError(column.coder.unseen(raw, values, column.name)
                                 + " Only categories seen in fit have normal scores.")
            # a category the model never saw has probability zero (transform refuses it)
            log_mass[unseen] = -np.inf
            if column.all_missing:
                log_mass += np.where(missing, 0.0, floor)
                continue
            if column.missing is not None:
                latent = self._latents[column.missing]
                flags = missing.astype(int)
                log_mass += latent.log_mass(flags)
                Z[:, column.missing] = _interval_mean_score(*latent.bounds(flags))
            else:
                log_mass += np.where(missing, floor, 0.0)
            usable = ~missing & ~unseen
            if column.constant is not None:
                if column.kind == "codes":
                    same = values == column.constant
                    log_mass += np.where(missing | same, 0.0, floor)
                else:
                    filled = np.where(missing, column.constant, values)
                    log_mass += np.where(filled == column.constant, 0.0,
                                         column.marginal.log_density(filled))
                continue
            latent = self._latents[column.value]
            placeholder = column.marginal.low if column.kind == "numeric" else latent.order[0]
            filled = np.where(usable, values, placeholder)
            log_mass += np.where(missing, 0.0, np.where(usable, latent.log_mass(filled), floor))
            Z[:, column.value] = np.where(usable, _interval_mean_score(*latent.bounds(filled)),
                                          np.nan)
        return Z, log_mass

    def _score_samples(self, frame, y_enc):
        """Log-likelihood proxy of each row (see Notes): for class labels
        ``log pi_y + log p(x | y)`` under the class's copula, or without ``y`` the
        marginal ``log sum_k pi_k p(x | k)``; ``-inf`` for a category never seen."""
        if self._class_models is None:
            return self._log_likelihood(frame, y_enc)
        log_prior = np.log(self.class_prior_)
        if y_enc is None:
            return logsumexp(np.column_stack(
                [log_prior[k] + model._log_likelihood(frame)
                 for k, model in enumerate(self._class_models)]), axis=1)
        out = np.empty(frame.shape[0])
        for k in np.unique(y_enc):
            rows = np.flatnonzero(y_enc == k)
            out[rows] = log_prior[k] + self._class_models[k]._log_likelihood(frame.iloc[rows])
        return out

    def _log_likelihood(self, frame, y_enc=None):
        """Likelihood proxy of one copula: marginal log-masses plus log copula density."""
        Z, log_mass = self._row_scores(frame, y_enc, strict=False)
        return log_mass + self._log_copula_density(Z)

    def _log_copula_density(self, Z):
        """Gaussian copula log-density of each row's present scores (standardised).

        Uses the correlation of the scores themselves (not the latent one): the
        scores of interval values are discrete, and the latent correlation can be
        nearly singular (e.g. two columns missing together).
        """
        out = np.zeros(Z.shape[0])
        present = ~np.isnan(Z)
        if Z.shape[1] == 0:
            return out
        patterns, which = _row_patterns(present, 2)
        for p, pattern in enumerate(patterns):
            idx = np.flatnonzero(pattern)
            if idx.size == 0:
                continue
            rows = which == p
            z = Z[np.ix_(rows, idx)] / self._score_std[idx]
            factor = self._cholesky(self._score_corr[np.ix_(idx, idx)])
            white = linalg.solve_triangular(factor, z.T, lower=True).T
            log_det = 2 * np.sum(np.log(np.diag(factor)))
            out[rows] = -0.5 * (np.sum(white**2, axis=1) - np.sum(z**2, axis=1) + log_det)
        return out

    def transform(self, X):
        """Normal scores of the rows (deterministic).

        Values with a probability interval (categories, atoms, missing flags)
        get the mean normal score of their interval; a missing value gets its
        conditional expectation given the row's other scores.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, `n_features_in_`)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_latent_x)
            One column per score of ``X`` (``latent_names_`` without the
            target), standard normal for data from the fitted model.
        """
        check_is_fitted(self)
        frame = self._model_rows(X)
        Z, _ = self._row_scores(frame, None, strict=True)
        Z = Z[:, self._x_latents]
        missing = np.isnan(Z)
        if missing.any():
            R = self.correlation_[np.ix_(self._x_latents, self._x_latents)]
            precision = np.linalg.inv(R)
            filled = np.where(missing, 0.0, Z)
            diag = np.diag(precision)
            expected = -(filled @ precision.T - filled * diag) / diag
            Z = np.where(missing, expected, Z)
        return Z

    def inverse_transform(self, Z):
        """Map normal scores back to rows.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_latent_x)
            Scores in the layout of :meth:`transform`.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, `n_features_in_`)
        """
        check_is_fitted(self)
        Z = check_array(Z, dtype=np.float64, input_name="Z", ensure_min_features=0)
        if Z.shape[1] != self._x_latents.size:
            raise ValueError(
                f"Z has {Z.shape[1]} columns but the generator has {self._x_latents.size} "
                "scores for X; pass the output of transform."
            )
        full = np.zeros((Z.shape[0], self.correlation_.shape[0]))
        full[:, self._x_latents] = Z
        return self._model_output(
            self._spec.restore(self._decode_values(full, {})[:self._spec.n_columns]))

    def get_feature_names_out(self, input_features=None):
        """Names of the scores returned by :meth:`transform`.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored (the names seen in ``fit`` are used).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return self.latent_names_[self._x_latents]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags
