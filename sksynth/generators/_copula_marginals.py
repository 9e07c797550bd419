"""Latent marginals of the Gaussian copula: columns to normal scores and back.

Every modelled column of :class:`~sksynth.generators.GaussianCopulaGenerator`
is one or two latent scores: its values (:class:`_ValueLatent` through a
numeric marginal, :class:`_CodeLatent` for categories) and, where it had
missing values, a missing indicator. This module fits them (:func:`_fit_columns`),
maps rows to scores and marginal log-masses (:func:`_row_scores`) and scores back
to values (:func:`_decode_values`), and estimates the latent correlation of the
scores (:func:`_estimate_correlation`, Hermite-corrected for interval values).
"""

import numpy as np
import pandas as pd
from scipy import linalg
from scipy.special import ndtr
from sklearn.covariance import ledoit_wolf_shrinkage

from ._table_spec import _to_datetime_ns
from ._marginals import _CategoryCoder, _interval_mean_score, _NumericMarginal, _scores

#: Terms of the Hermite expansion that links observed and latent correlations.
_HERMITE_TERMS = 100


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


def _shrink(corr, shrinkage):
    corr = (1 - shrinkage) * corr + shrinkage * np.eye(corr.shape[0])
    np.fill_diagonal(corr, 1.0)
    return corr


def _cholesky(matrix):
    """Lower Cholesky factor, with the smallest ridge (from 1e-10 up) that makes it exist."""
    if matrix.shape[0] == 0:
        return matrix
    ridge = 0.0
    for _ in range(8):
        try:
            return linalg.cholesky(matrix + ridge * np.eye(matrix.shape[0]), lower=True)
        except linalg.LinAlgError:
            ridge = max(10 * ridge, 1e-10)
    raise ValueError("The correlation matrix is not positive definite.")  # pragma: no cover


def _estimate_correlation(Z, latents, shrinkage):
    """Latent correlation of the scores (Hermite-corrected), made PSD and shrunk.

    ``shrinkage`` is the generator's parameter (``"ledoit_wolf"`` or an
    intensity). Returns ``(correlation, intensity, score_corr, score_std)``:
    the last two are the correlation of the scores themselves and their
    standard deviations, used by the likelihood proxy.
    """
    n_latent = Z.shape[1]
    if n_latent == 0:
        return np.empty((0, 0)), 0.0, np.empty((0, 0)), np.empty(0)
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
    if shrinkage == "ledoit_wolf":
        if Z.shape[0] > 1 and n_latent > 1:
            std = np.nanstd(Z, axis=0)
            standard = np.where(observed, (Z0 - np.nanmean(Z, axis=0)) / np.where(
                std > 0, std, 1.0), 0.0)
            shrinkage = float(ledoit_wolf_shrinkage(standard, assume_centered=True))
        else:
            shrinkage = 0.0
    else:
        shrinkage = float(shrinkage)
    std = np.nanstd(Z, axis=0)
    score_std = np.where(std > 1e-12, std, 1.0)
    score_corr = _shrink(_nearest_correlation(corr), shrinkage)
    # Scores of interval values are E[Z | interval], which attenuates correlations;
    # undo it through the Hermite expansion of each column's score function.
    coefs, variance = zip(*[_hermite_coefficients(latent, _HERMITE_TERMS)
                            for latent in latents])
    latent = _latent_correlation(corr, np.array(coefs), np.array(variance))
    latent = np.clip((latent + latent.T) / 2, -1.0, 1.0)
    np.fill_diagonal(latent, 1.0)
    return _shrink(_nearest_correlation(latent), shrinkage), shrinkage, score_corr, score_std


# ---------------------------------------------------------------------------
# the marginal maps: table columns to scores and back
# ---------------------------------------------------------------------------
def _represent(spec, column, frame, y_enc, values=None):
    """``(values, missing, unseen)`` of a column: floats or category codes.

    Codes use ``n_categories`` for missing and -1 for categories never seen.
    ``values`` (an object array) replaces the column of ``frame``; ``spec`` is
    the fitted table's :class:`~sksynth.generators._table_spec._TableSpec`.
    """
    j = column.j
    if column.kind == "codes":
        if values is None:
            values = (np.asarray(y_enc).astype(object) if j is None
                      else spec.objects(frame, j))
        codes = column.coder.codes(values)
        missing = codes == column.coder.n_categories
        return codes, missing, codes < 0
    if values is None:
        floats = (np.asarray(y_enc, dtype=np.float64) if j is None
                  else spec.floats(frame, j))
    elif j is None:
        floats = np.asarray(values, dtype=np.float64)
    elif spec.types[j] == "datetime":
        floats = _to_datetime_ns(pd.Series(values))
    else:
        try:  # through the spec: integers beyond 2**53 are offsets there
            floats = spec.as_floats(pd.Series(values, dtype=object), j)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"conditions for numeric column {column.name!r} must be numbers or NaN."
            ) from exc
    missing = np.isnan(floats)
    return floats, missing, np.zeros(floats.shape[0], dtype=bool)


def _fit_columns(spec, frame, target, methods):
    """Fit every column's marginal (and the target's, when ``target`` is given).

    ``methods`` maps column names to marginal methods (default empirical).
    Returns ``(columns, latents, names, Z, marginals)``: the :class:`_Column`
    list, the latent scores' marginals with their names, the training rows'
    scores ``Z`` (NaN where a value is missing) and the marginal used for each
    numeric column.
    """
    n_rows = frame.shape[0]
    columns, latents, names, score_columns = [], [], [], []
    marginals = {}

    def add_latent(latent, name, lo, hi, observed):
        score = _interval_mean_score(lo, hi)
        score[~observed] = np.nan
        latents.append(latent)
        names.append(name)
        score_columns.append(score)
        return len(latents) - 1

    table = [(name, kind, j) for j, (name, kind) in enumerate(zip(spec.columns, spec.types))]
    if target is not None:
        table.append(("__target__", "numeric", None))
    for name, kind, j in table:
        column = _Column(name, "codes" if kind in ("categorical", "boolean") else "numeric")
        column.j = j
        if column.kind == "codes":
            raw = spec.objects(frame, j)
            dtype = spec.dtypes[j]
            order = list(dtype.categories) if isinstance(dtype, pd.CategoricalDtype) else (
                [False, True] if kind == "boolean" else None)
            column.coder = _CategoryCoder(raw, order)
        values, missing, _ = _represent(spec, column, frame, target)
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
            marginals[name] = (column.marginal.method if column.marginal.distribution is None
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
        columns.append(column)
    Z = np.column_stack(score_columns) if score_columns else np.empty((n_rows, 0))
    return columns, latents, names, Z, marginals


def _row_scores(columns, latents, spec, n_train, frame, y_enc=None, *, strict):
    """Deterministic scores (n, n_latent) with NaN where absent, and log-masses (n,).

    ``n_train`` (the training rows) sets the floor of values a marginal never
    saw; with ``strict``, a category never seen raises a ``ValueError``.
    """
    n = frame.shape[0]
    Z = np.full((n, len(latents)), np.nan)
    log_mass = np.zeros(n)
    floor = np.log(1.0 / (n_train + 1))
    for column in columns:
        if column.j is None and y_enc is None:
            continue
        values, missing, unseen = _represent(spec, column, frame, y_enc)
        if strict and unseen.any():
            raw = spec.objects(frame, column.j)
            raise ValueError(column.coder.unseen(raw, values, column.name)
                             + " Only categories seen in fit have normal scores.")
        # a category the model never saw has probability zero (transform refuses it)
        log_mass[unseen] = -np.inf
        if column.all_missing:
            log_mass += np.where(missing, 0.0, floor)
            continue
        if column.missing is not None:
            latent = latents[column.missing]
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
        latent = latents[column.value]
        placeholder = column.marginal.low if column.kind == "numeric" else latent.order[0]
        filled = np.where(usable, values, placeholder)
        log_mass += np.where(missing, 0.0, np.where(usable, latent.log_mass(filled), floor))
        Z[:, column.value] = np.where(usable, _interval_mean_score(*latent.bounds(filled)),
                                      np.nan)
    return Z, log_mass


def _decode_values(columns, latents, Z, exact):
    """Scores to column values (categories, floats with NaN), then the target if any.

    Conditioned columns get exactly the requested values ``exact`` (by column index).
    """
    n = Z.shape[0]
    U = ndtr(Z)
    out = []
    for j, column in enumerate(columns):
        codes = column.kind == "codes"
        if j in exact:
            out.append(column.coder.decode(exact[j]) if codes else exact[j])
            continue
        if column.all_missing:
            values = (np.full(n, column.coder.n_categories) if codes else np.full(n, np.nan))
        elif column.constant is not None:
            values = np.full(n, column.constant)
        else:
            values = latents[column.value].decode(U[:, column.value])
        if column.missing is not None:
            is_missing = latents[column.missing].decode(U[:, column.missing]) == 1
            values = np.where(is_missing, column.coder.n_categories if codes else np.nan,
                              values)
        out.append(column.coder.decode(values) if codes else values)
    return out
