"""Category codes and one-dimensional marginals of mixed tables.

Shared by every generator of mixed tables and by the Gower distance:

- :class:`_CategoryCoder` maps categories (and missing values) to codes;
- :class:`_NumericMarginal` is a one-dimensional distribution with atoms
  (values seen many times) and a continuous part (empirical, KDE or
  parametric) stored as a piecewise-linear quantile function, so that the
  CDF, its inverse and the density are vectorised ``np.interp`` calls;
- :func:`_scores` and :func:`_interval_mean_score`: normal scores of
  probabilities (points and intervals).
"""

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import ndtr, ndtri

#: Smallest and largest probability used before ``ndtri`` (scores stay within about +-8.2).
_U_EPS = 1e-16

# ---------------------------------------------------------------------------
# category codes
# ---------------------------------------------------------------------------
def _hashable_values(values):
    """Object values as a list where unhashable cells are replaced by their ``repr``."""
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        try:
            hash(value)
            out[i] = value
        except TypeError:
            out[i] = repr(value)
    return out


class _CategoryCoder:
    """Codes of the observed categories of a column; code ``len(categories)`` = missing."""

    def __init__(self, values, order=None):
        values = np.asarray(values, dtype=object)
        missing = pd.isna(values)
        observed = values[~missing]
        try:
            codes, uniques = pd.factorize(observed, sort=False)
        except TypeError:
            observed = _hashable_values(observed)
            codes, uniques = pd.factorize(observed, sort=False)
        counts = np.bincount(codes, minlength=len(uniques))
        if order is not None:  # keep a categorical dtype's order
            rank = {cat: i for i, cat in enumerate(order)}
            keys = np.array([rank.get(u, len(rank)) for u in uniques])
            perm = np.argsort(keys, kind="stable")
        else:
            try:
                perm = np.argsort(np.asarray(uniques, dtype=object), kind="stable")
            except TypeError:  # unorderable mix (e.g. str and int): first appearance
                perm = np.arange(len(uniques))
        self.categories = np.asarray(uniques, dtype=object)[perm]
        self.counts = np.append(counts[perm], np.count_nonzero(missing))
        self.has_missing = bool(missing.any())
        self._index = pd.Index(self.categories, dtype=object)

    @property
    def n_categories(self):
        return len(self.categories)

    def codes(self, values):
        """Codes of ``values``; missing -> ``n_categories``, unseen -> -1."""
        values = np.asarray(values, dtype=object)
        missing = pd.isna(values)
        try:
            codes = self._index.get_indexer(values)
        except TypeError:
            codes = self._index.get_indexer(_hashable_values(values))
        codes[missing] = self.n_categories
        return codes

    def unseen(self, values, codes, name):
        """Error message for values never seen in fit (or None)."""
        values = np.asarray(values, dtype=object)
        missing = pd.isna(values)
        bad = (codes < 0) | (missing & (not self.has_missing))
        if not bad.any():
            return None
        shown = pd.unique(np.asarray(values[bad], dtype=object))[:5].tolist()
        return (
            f"column {name!r} holds values never seen in fit: {shown}; the fitted categories "
            f"are {self.categories.tolist()[:20]}"
            + (" and missing (NaN)" if self.has_missing else " (no missing values)")
            + "."
        )

    def decode(self, codes):
        """Values of ``codes`` (``n_categories`` -> NaN)."""
        table = np.append(self.categories, np.nan).astype(object)
        return table[np.asarray(codes)]


# ---------------------------------------------------------------------------
# numeric marginals
# ---------------------------------------------------------------------------
def _interval_mean_score(u_lo, u_hi):
    """``E[Z | Phi(Z) in (u_lo, u_hi)]`` for standard normal ``Z``; the point when equal."""
    u_lo = np.clip(u_lo, _U_EPS, 1 - _U_EPS)
    u_hi = np.clip(u_hi, _U_EPS, 1 - _U_EPS)
    a, b = ndtri(u_lo), ndtri(u_hi)
    mass = u_hi - u_lo
    wide = mass > 1e-12
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (stats.norm.pdf(a) - stats.norm.pdf(b)) / np.where(wide, mass, 1.0)
    return np.where(wide, mean, 0.5 * (a + b))


def _scores(u):
    """Normal scores of probabilities (clipped away from 0 and 1)."""
    return ndtri(np.clip(u, _U_EPS, 1 - _U_EPS))


class _NumericMarginal:
    """Distribution of one numeric column: atoms plus a continuous part.

    Values seen at least ``max(2, 0.001 n)`` times are atoms (their CDF jumps
    by their frequency); the rest follow an empirical, KDE or parametric
    distribution truncated to the observed range. The quantile function is
    piecewise linear through ``(knots_u, knots_x)`` (flat at atoms), so
    sampled values stay within ``[low, high]``.
    """

    _GRID = 1025
    _MAX_CENTRES = 2000
    _PARAMETRIC = ("norm", "uniform", "beta", "gamma")

    def __init__(self, values, method="empirical"):
        values = np.sort(np.asarray(values, dtype=np.float64))
        n = values.shape[0]
        self.n = n
        self.low, self.high = float(values[0]), float(values[-1])
        self.scale = float(np.std(values)) or max(abs(self.low), 1.0)
        uniq, counts = np.unique(values, return_counts=True)
        atom = counts >= max(2, 0.001 * n)
        self.atoms = uniq[atom]
        self.method = method
        self.distribution = None
        continuous = np.repeat(uniq[~atom], counts[~atom])
        if method == "empirical" or continuous.size < 5 or uniq.size < 3:
            self.method = "empirical" if method == "empirical" or atom.all() else method
            self._empirical(uniq, counts, atom, n)
        else:
            self._smooth(uniq, counts, atom, continuous, method)
        self.atom_lo, self.atom_hi = self._atom_bounds()

    # -- construction ----------------------------------------------------------
    def _empirical(self, uniq, counts, atom, n):
        cum = np.cumsum(counts) / n
        start = cum - counts / n
        mid = 0.5 * (start + cum)
        u = np.column_stack([np.where(atom, start, mid), cum])
        x = np.column_stack([uniq, uniq])
        keep = np.column_stack([np.ones_like(atom), atom])
        self.knots_u, self.knots_x = u[keep], x[keep]

    def _smooth(self, uniq, counts, atom, continuous, method):
        n = counts.sum()
        p_atoms = counts[atom] / n
        p_cont = 1.0 - p_atoms.sum()
        lo_c, hi_c = self.low, self.high
        cdf = self._continuous_cdf(continuous, method, lo_c, hi_c)
        grid = np.linspace(lo_c, hi_c, self._GRID)
        grid = grid[~np.isin(grid, self.atoms)]
        cum_atoms = np.concatenate([[0.0], np.cumsum(p_atoms)])
        below = cum_atoms[np.searchsorted(self.atoms, grid, side="right")]
        u_grid = below + p_cont * cdf(grid)
        before = cum_atoms[:-1] + p_cont * cdf(self.atoms)
        x = np.concatenate([grid, self.atoms, self.atoms])
        u = np.concatenate([u_grid, before, before + p_atoms])
        order = np.lexsort((u, x))
        self.knots_x, self.knots_u = x[order], np.maximum.accumulate(u[order])

    def _continuous_cdf(self, values, method, lo, hi):
        """CDF of the continuous part, truncated to ``[lo, hi]`` (vectorised callable)."""
        if values.size > self._MAX_CENTRES:
            values = np.quantile(values, np.linspace(0, 1, self._MAX_CENTRES))
        if method == "kde":
            std = np.std(values)
            iqr = np.subtract(*np.percentile(values, [75, 25]))
            spread = min(std, iqr / 1.349) if iqr > 0 else std
            h = 0.9 * spread * values.size ** (-0.2) or (hi - lo) / 100 or 1.0
            self.distribution = ("kde", float(h))

            def raw(x):
                x = np.atleast_1d(x)
                out = np.empty(x.shape)
                for start in range(0, x.size, 256):  # bounded memory
                    block = x[start:start + 256, None]
                    out[start:start + 256] = ndtr((block - values) / h).mean(axis=1)
                return out
        else:
            raw = self._best_parametric(values, lo, hi)
        at_lo, at_hi = raw(np.array([lo]))[0], raw(np.array([hi]))[0]
        span = at_hi - at_lo
        if not span > 1e-12:
            return lambda x: (np.asarray(x) - lo) / max(hi - lo, 1e-300)
        return lambda x: np.clip((raw(np.asarray(x)) - at_lo) / span, 0.0, 1.0)

    def _best_parametric(self, values, lo, hi):
        """Fit the candidate families; keep the smallest Kolmogorov-Smirnov distance."""
        width = hi - lo
        eps = 1e-6 * max(width, 1.0)
        ecdf = np.arange(1, values.size + 1) / values.size
        best = None
        for name in self._PARAMETRIC:
            try:
                with np.errstate(all="ignore"):
                    if name == "norm":
                        dist = stats.norm(values.mean(), values.std() or 1.0)
                    elif name == "uniform":
                        dist = stats.uniform(lo, width or 1.0)
                    elif name == "beta":
                        a, b, _, _ = stats.beta.fit(values, floc=lo - eps, fscale=width + 2 * eps)
                        dist = stats.beta(a, b, loc=lo - eps, scale=width + 2 * eps)
                    else:
                        a, loc, scale = stats.gamma.fit(values, floc=lo - eps)
                        dist = stats.gamma(a, loc=loc, scale=scale)
                    cdf = dist.cdf(values)
                    distance = np.max(np.maximum(np.abs(cdf - ecdf),
                                                 np.abs(cdf - ecdf + 1 / values.size)))
            except (ValueError, RuntimeError, FloatingPointError):  # pragma: no cover
                continue
            if np.isfinite(distance) and (best is None or distance < best[0]):
                best = (distance, name, dist)
        self.distribution = (best[1], float(best[0]))
        return best[2].cdf

    def _atom_bounds(self):
        """CDF just below and at each atom."""
        idx_hi = np.searchsorted(self.knots_x, self.atoms, side="right") - 1
        idx_lo = np.searchsorted(self.knots_x, self.atoms, side="left")
        return self.knots_u[idx_lo], self.knots_u[idx_hi]

    # -- evaluation ------------------------------------------------------------
    @property
    def is_constant(self):
        return self.low == self.high

    def atom_index(self, x):
        """Index of the atom equal to each ``x``, or -1."""
        if self.atoms.size == 0:
            return np.full(np.shape(x), -1)
        idx = np.clip(np.searchsorted(self.atoms, x), 0, self.atoms.size - 1)
        return np.where(self.atoms[idx] == x, idx, -1)

    def cdf_bounds(self, x):
        """``(F(x-), F(x))``: an interval at atoms, a point elsewhere (clamped to the range)."""
        x = np.asarray(x, dtype=np.float64)
        u = np.interp(x, self.knots_x, self.knots_u)
        lo, hi = u.copy(), u.copy()
        atom = self.atom_index(x)
        is_atom = atom >= 0
        lo[is_atom] = self.atom_lo[atom[is_atom]]
        hi[is_atom] = self.atom_hi[atom[is_atom]]
        return lo, hi

    def quantile(self, u):
        """Inverse CDF (piecewise linear, flat at atoms)."""
        return np.interp(u, self.knots_u, self.knots_x)

    def log_density(self, x):
        """Log mass at atoms, log density elsewhere, with a Laplace tail off the range.

        A proxy for held-out rows: values outside ``[low, high]`` get
        ``log(1 / (2 n)) - |d| / scale - log(scale)``.
        """
        x = np.asarray(x, dtype=np.float64)
        floor = np.log(0.5 / self.n) - np.log(self.scale)
        outside = np.maximum(self.low - x, 0) + np.maximum(x - self.high, 0)
        idx = np.clip(np.searchsorted(self.knots_x, x, side="right"), 1, self.knots_x.size - 1)
        dx = self.knots_x[idx] - self.knots_x[idx - 1]
        du = self.knots_u[idx] - self.knots_u[idx - 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(dx > 0, du / np.where(dx > 0, dx, 1.0), 0.0)
            log_slope = np.log(np.maximum(slope, np.exp(floor)))
        out = np.where(outside > 0, floor - outside / self.scale, log_slope)
        atom = self.atom_index(x)
        is_atom = atom >= 0
        out[is_atom] = np.log(
            self.atom_hi[atom[is_atom]] - self.atom_lo[atom[is_atom]]
        )
        return out
