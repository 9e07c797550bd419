"""Conditional sampling of the Gaussian copula's latent scores, and its probabilities.

Conditions on column values become bounds on the latent scores
(:func:`_condition_bounds`: a point for a continuous value, an interval for a
category, an atom or a missing flag). :func:`_draw_scores` draws the scores
given those bounds, row pattern by row pattern: exactly with at most one
interval condition per row, by Gibbs sweeps over a truncated multivariate
normal otherwise. :func:`_log_condition_probability` gives each row's
probability of its conditions (the GHK simulator for several interval
conditions), which the class-conditional copula uses to draw labels given the
conditions; :func:`_log_copula_density` is the copula density of the
likelihood proxy.
"""

import numpy as np
import pandas as pd
from scipy import linalg
from scipy.special import log_ndtr, logsumexp, ndtr, ndtri

from ..base import _rare_condition_message
from ._copula_marginals import _cholesky, _edge_scores, _represent
from ._marginals import _scores

#: Sweeps of the Gibbs sampler over two or more interval conditions in one row.
_GIBBS_SWEEPS = 50


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
    factor = _cholesky(cov)
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


def _copula_log_density(corr, z):
    """Gaussian copula log-density of the rows of ``z`` (standard normal margins).

    ``log N(z; 0, corr) - log N(z; 0, I)``, by the Cholesky factor of ``corr``.
    """
    factor = _cholesky(corr)
    white = linalg.solve_triangular(factor, z.T, lower=True).T
    log_det = 2 * np.sum(np.log(np.diag(factor)))
    return -0.5 * (np.sum(white**2, axis=1) - np.sum(z**2, axis=1) + log_det)


# ---------------------------------------------------------------------------
# conditions on column values as bounds on the latent scores
# ---------------------------------------------------------------------------
def _condition_bounds(columns, latents, spec, min_group_size, requests, n, *, strict=True):
    """Probability bounds of the conditions on each latent score.

    ``columns``, ``latents`` and ``spec`` are a fitted copula's; ``requests``
    lists ``(column index, object array of n values)``.
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
        column = columns[j]
        values, missing, _ = _represent(spec, column, None, None, raw)
        bad, message = _condition_problems(column, raw, values, missing, spec, min_group_size)
        if message is not None:
            if strict:
                raise ValueError(message)
            impossible |= bad
        exact[j] = values
        if column.all_missing:
            continue
        if column.missing is not None:
            flags = np.where(bad, 0, missing.astype(int))
            lo, hi = latents[column.missing].bounds(flags)
            bounds[column.missing] = (np.where(bad, 0.0, lo), np.where(bad, 1.0, hi))
        skip = missing | bad
        if column.value is not None and not skip.all():
            latent = latents[column.value]
            placeholder = column.marginal.low if column.kind == "numeric" else latent.order[0]
            lo, hi = latent.bounds(np.where(skip, placeholder, values))
            lo[skip], hi[skip] = 0.0, 1.0
            bounds[column.value] = (lo, hi)
            if column.kind == "numeric":
                point = ~skip & (lo == hi)
                log_density[point] += column.marginal.log_density(values[point])
    return bounds, exact, log_density, impossible


def _condition_problems(column, raw, values, missing, spec, min_group_size):
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
        rare = seen & (counts[np.where(seen, values, 0)] < min_group_size)
        if rare.any():
            bad |= rare
            shown = pd.unique(np.asarray(raw, dtype=object)[rare])[:5].tolist()
            messages.append(_rare_condition_message(column.name, shown, min_group_size))
    if missing.any() and column.missing is None and not column.all_missing:
        bad |= missing
        messages.append(f"cannot condition column {column.name!r} on a missing value: it "
                        "had no missing values in fit.")
    if column.all_missing and not missing.all():
        bad |= ~missing
        messages.append(f"cannot condition column {column.name!r} on a value: it was "
                        "entirely missing in fit.")
    if column.kind == "numeric" and not column.all_missing:
        more, more_messages = _numeric_problems(column, values, ~missing, spec)
        bad |= more
        messages += more_messages
    return bad, (messages[0] if messages else None)


def _numeric_problems(column, values, present, spec):
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
    if column.j is not None and spec.is_integer(column.j):
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


def _bound_kinds(u_lo, u_hi):
    """Per row and conditioned score: 0 = free, 1 = point, 2 = interval; and its scores.

    Returns ``(kinds, z_point, z_lo, z_hi)``: a point at ``u = 0`` or ``1`` (the
    ends of a smooth marginal) keeps a finite score, interval edges there are
    infinite.
    """
    kinds = np.where(u_lo == u_hi, 1, 2)
    kinds[(u_lo <= 0) & (u_hi >= 1)] = 0
    return kinds, _scores(u_lo), _edge_scores(u_lo), _edge_scores(u_hi)


# ---------------------------------------------------------------------------
# drawing the scores under the bounds, and the probability of the bounds
# ---------------------------------------------------------------------------
def _draw_scores(correlation, factor, n, bounds, rng):
    """Draw ``Z ~ N(0, R)`` given per-row interval/point constraints on some scores.

    ``correlation`` is ``R`` and ``factor`` its Cholesky factor; ``bounds`` is
    the first output of :func:`_condition_bounds`.
    """
    n_latent = correlation.shape[0]
    if not bounds:
        return rng.standard_normal((n, n_latent)) @ factor.T
    conditioned = np.array(sorted(bounds), dtype=np.intp)
    u_lo = np.column_stack([bounds[i][0] for i in conditioned])
    u_hi = np.column_stack([bounds[i][1] for i in conditioned])
    kinds, z_point, z_lo, z_hi = _bound_kinds(u_lo, u_hi)
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
            mean, cov = _conditional(correlation, interval, point, block[:, point])
            lo, hi = z_lo[np.ix_(rows, pattern == 2)], z_hi[np.ix_(rows, pattern == 2)]
            block[:, interval] = _draw_truncated(mean, cov, lo, hi, rng)
        if free.size:
            mean, cov = _conditional(correlation, free, fixed, block[:, fixed])
            free_factor = _cholesky(cov)
            block[:, free] = mean + rng.standard_normal((rows.size, free.size)) @ free_factor.T
        Z[rows] = block
    return Z


def _conditional(R, target, given, z_given):
    """Mean (rows, |target|) and covariance of ``Z_target | Z_given = z_given``, ``Z ~ N(0, R)``."""
    if given.size == 0:
        return np.zeros((z_given.shape[0], target.size)), R[np.ix_(target, target)]
    weights = linalg.solve(R[np.ix_(given, given)] + 1e-10 * np.eye(given.size),
                           R[np.ix_(given, target)], assume_a="pos")
    cov = R[np.ix_(target, target)] - R[np.ix_(target, given)] @ weights
    return z_given @ weights, (cov + cov.T) / 2


def _draw_truncated(mean, cov, lo, hi, rng):
    """Truncated multivariate normal: exact for one dimension, Gibbs otherwise."""
    std = np.sqrt(np.maximum(np.diag(cov), 1e-12))
    z = _truncated_normal(mean, std, lo, hi, rng)
    if mean.shape[1] == 1:
        return z
    precision = np.linalg.inv(cov + 1e-10 * np.eye(cov.shape[0]))
    cond_std = 1.0 / np.sqrt(np.diag(precision))
    for _ in range(_GIBBS_SWEEPS):
        for k in range(mean.shape[1]):
            others = np.delete(np.arange(mean.shape[1]), k)
            shift = (z[:, others] - mean[:, others]) @ precision[k, others] / precision[k, k]
            z[:, k] = _truncated_normal(mean[:, k] - shift, cond_std[k], lo[:, k], hi[:, k],
                                        rng)
    return z


def _log_condition_probability(correlation, bounds, log_density, impossible):
    """Log-probability of each row's conditions under the copula; ``-inf`` if impossible.

    ``bounds``, ``log_density`` and ``impossible`` come from
    :func:`_condition_bounds` (not strict). Interval values (categories, atoms,
    missing flags) count by their probability, continuous values by their density:
    ``sum_j log f_j(x_j) + log c(z_points) + log P(interval scores | z_points)``,
    the last exact for one interval condition and a GHK estimate for more.
    Rows with equal conditions are evaluated once.
    """
    conditioned = np.array(sorted(bounds), dtype=np.intp)
    m = conditioned.size
    key = np.column_stack([bounds[i][0] for i in conditioned]
                          + [bounds[i][1] for i in conditioned]
                          + [log_density, impossible.astype(np.float64)])
    key, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    u_lo, u_hi = key[:, :m], key[:, m:2 * m]
    out = key[:, 2 * m].copy()
    kinds, z_point, z_lo, z_hi = _bound_kinds(u_lo, u_hi)
    n_draws = int(np.clip(2_000_000 // key.shape[0], 32, 512))
    ghk_rng = np.random.RandomState(0)  # the same estimate every call
    patterns, which = _row_patterns(kinds, 3)
    for p, pattern in enumerate(patterns):
        rows = np.flatnonzero(which == p)
        point, interval = conditioned[pattern == 1], conditioned[pattern == 2]
        z = z_point[np.ix_(rows, pattern == 1)]
        if point.size:  # Gaussian copula density of the point scores
            out[rows] += _copula_log_density(correlation[np.ix_(point, point)], z)
        if interval.size:
            mean, cov = _conditional(correlation, interval, point, z)
            box = _log_box_probability(mean, cov, z_lo[np.ix_(rows, pattern == 2)],
                                       z_hi[np.ix_(rows, pattern == 2)], n_draws, ghk_rng)
            out[rows] += np.maximum(box, _LOG_PROB_FLOOR)
    out[key[:, 2 * m + 1] > 0] = -np.inf
    return out[inverse]


def _log_copula_density(Z, score_corr, score_std):
    """Gaussian copula log-density of each row's present scores (standardised).

    Uses the correlation of the scores themselves (``score_corr``, with their
    standard deviations ``score_std``), not the latent one: the scores of
    interval values are discrete, and the latent correlation can be nearly
    singular (e.g. two columns missing together).
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
        z = Z[np.ix_(rows, idx)] / score_std[idx]
        out[rows] = _copula_log_density(score_corr[np.ix_(idx, idx)], z)
    return out
