"""Column domains and missing values of :class:`LipschitzVAE` and ``DPSGDVAE``.

Each modelled column is encoded on a domain that is either declared (public)
or read from the data (not private, recorded as such in the ledger). Which
columns may hold missing values is part of that domain:

- declared by the user (``nullable="all"`` or a list of columns): public;
- columns whose dtype cannot hold a missing value (numpy integer and boolean
  dtypes): complete by type (the dtypes are public schema);
- otherwise (``nullable=None``) decided from the columns' missing counts,
  released once with the Gaussian mechanism (:class:`_MissingCounts`): a
  column whose noisy count is below ``_COMPLETE_SDS`` noise standard
  deviations is treated as complete (post-processing, no extra cost).

The counts take the share ``_MISSING_SHARE`` of the release's GDP budget
``mu**2`` (:func:`_split_mu`, :func:`_count_mu`). :func:`_draw_categories` draws a
category per row from decoded scores.
"""

import math

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from ._tabular import _check_bounds

#: Share of the GDP budget ``mu**2`` spent on the missing counts.
_MISSING_SHARE = 0.05
#: A noisy count below this many noise standard deviations means "complete".
_COMPLETE_SDS = 3.0
#: Largest shift of a missing logit (a rate of 0 or 1).
_LOGIT_CAP = 60.0


class _Column:
    """Domain of one column, either declared or read from the data.

    A *nullable* column gets a missing slot: the second output of a numeric
    column, the last category slot of a categorical one. Other columns have
    none, so they are never sampled missing; ``complete_reason`` says why a
    column is complete (shown when a row to score has a missing value there).
    ``imputed``: complete by its private missing count, so a missing value is
    encoded as the imputed one (the middle of the range, or none of the
    categories) instead of refused. :class:`TabularEncoder` encodes and
    decodes the column on this domain (:meth:`domain`).
    """

    def __init__(self, name, kind, *, low=None, high=None, categories=None, nullable=True):
        self.name, self.kind, self.nullable = name, kind, nullable
        self.low, self.high, self.categories = low, high, categories
        self.complete_reason = "it had no missing values in fit"
        self.imputed = False

    @property
    def width(self):
        # numeric: value in [-1, 1] (+ missing indicator); categorical: one-hot (+ missing slot)
        return (1 if self.categories is None else len(self.categories)) + int(self.nullable)

    def missing(self, values):
        """Missing-value mask of ``values`` (floats for numeric columns, objects otherwise)."""
        if self.categories is None:
            return np.isnan(np.asarray(values, dtype=np.float64))
        return np.asarray(pd.isna(pd.Series(values, dtype=object)))

    def domain(self):
        """The declared domain :class:`TabularEncoder` encodes the column on (``_on_domains``)."""
        part = ({"bounds": (self.low, self.high)} if self.categories is None
                else {"categories": self.categories})
        return {**part, "nullable": self.nullable, "impute": self.imputed}


def _declared(mapping, name, j):
    """Entry of ``mapping`` for the column ``name`` at position ``j`` (None if absent)."""
    if mapping is None:
        return None
    if name in mapping:
        return mapping[name]
    return mapping.get(j) if not isinstance(name, (int, np.integer)) else None


def _column_domain(spec, frame, j, bounds, categories, ledger):
    """The :class:`_Column` of modelled column ``j`` (complete until decided), ledger rows."""
    name, kind = spec.columns[j], spec.types[j]
    values = _values(spec, frame, j, kind in ("categorical", "boolean"))
    if kind in ("categorical", "boolean"):
        declared = _declared(categories, name, j)
        if kind == "boolean" and declared is None:
            declared = [False, True]
            ledger.add(f"categories of {name!r}", "public", note="boolean by type")
        elif declared is None:
            observed = pd.Series(values, dtype=object).dropna()
            declared = sorted(observed.unique().tolist(), key=repr)
            ledger.add(f"categories of {name!r}", "not_private",
                       note="read from the data; declare them in `categories`")
        else:
            declared = list(dict.fromkeys(declared))  # a category listed twice is one
            if not declared:
                raise ValueError(f"categories[{name!r}] is empty; list the categories.")
            ledger.add(f"categories of {name!r}", "public", note="declared by the user")
        return _Column(name, kind, categories=declared, nullable=False)
    declared = _declared(bounds, name, j)
    if declared is None:
        observed = values[~np.isnan(values)]
        low, high = ((float(observed.min()), float(observed.max())) if observed.size
                     else (0.0, 0.0))
        ledger.add(f"bounds of {name!r}", "not_private",
                   note="observed min/max; declare them in `bounds`")
    else:
        low, high = _check_bounds(declared, kind, f"bounds[{name!r}]")
        ledger.add(f"bounds of {name!r}", "public",
                   note="declared by the user; values outside are clipped")
    return _Column(name, kind, low=low, high=high, nullable=False)


def _values(spec, frame, j, categorical):
    return spec.objects(frame, j) if categorical else spec.floats(frame, j)


def _can_be_missing(spec, j):
    """False for the placeholder column and numpy integer/boolean dtypes (public schema)."""
    if spec.kept[j] is None:
        return False
    dtype = spec.dtypes[j]
    return not (isinstance(dtype, np.dtype) and dtype.kind in "iub")


def _check_nullable(nullable, spec):
    """Validate a ``nullable`` list against the columns (names, or positions)."""
    if nullable is None or isinstance(nullable, str):
        return
    names = list(spec.all_columns)
    for entry in nullable:
        by_name = any(entry == n for n in names)
        by_position = (isinstance(entry, (int, np.integer)) and not isinstance(entry, bool)
                       and 0 <= entry < len(names))
        if not (by_name or by_position):
            raise ValueError(f"nullable names a column {entry!r} that X does not have; the "
                             f"columns are {names}.")


def _is_declared_nullable(nullable, spec, j):
    """Whether modelled column ``j`` is listed in a declared ``nullable``."""
    if isinstance(nullable, str):  # "all"
        return True
    name = spec.columns[j]
    position = spec.kept[j]
    for entry in nullable:
        if entry == name:
            return True
        if (isinstance(entry, (int, np.integer)) and not isinstance(entry, bool)
                and not isinstance(name, (int, np.integer)) and entry == position):
            return True
    return False


def _split_mu(mu_total):
    """``(mu_rest, mu_counts)`` with ``mu_rest**2 + mu_counts**2 = mu_total**2``."""
    return (math.sqrt(1.0 - _MISSING_SHARE) * mu_total, math.sqrt(_MISSING_SHARE) * mu_total)


def _count_mu(mu_rest):
    """GDP parameter of the counts when the rest of the release spends ``mu_rest``."""
    return mu_rest * math.sqrt(_MISSING_SHARE / (1.0 - _MISSING_SHARE))


class _MissingCounts:
    """Missing counts of ``k`` columns released once with the Gaussian mechanism.

    Under replace-one (or add/remove) adjacency a record changes each count
    by at most 1, so the vector of counts has L2 sensitivity ``sqrt(k)``;
    Gaussian noise of standard deviation ``sd = sqrt(k) / mu`` per count
    makes the release ``mu``-GDP. Everything below is post-processing.
    """

    def __init__(self, missing, mu, n_rows, rng):
        missing = np.asarray(missing, dtype=bool)
        self.k = missing.shape[1]
        self.n_rows = int(n_rows)
        self.mu = float(mu)
        self.sd = math.sqrt(self.k) / self.mu
        self.noisy = missing.sum(axis=0) + self.sd * rng.standard_normal(self.k)
        self.threshold = _COMPLETE_SDS * self.sd

    @property
    def present(self):
        """Columns treated as holding missing values (noisy count above the threshold)."""
        return self.noisy > self.threshold

    @property
    def rates(self):
        """Noisy missing rates in ``[0, 1]``: 0 below the threshold, 1 within it of ``n``."""
        rates = np.clip(self.noisy / self.n_rows, 0.0, 1.0)
        rates[self.noisy <= self.threshold] = 0.0
        rates[self.noisy >= self.n_rows - self.threshold] = 1.0
        return rates


def _missing_offsets(logits, weights, targets):
    """Shifts ``b_j`` with ``sum_i weights_i * sigmoid(logits[i, j] + b_j) = targets[j]``.

    ``logits`` (m, k): the missing logit of each column at ``m`` weighted
    codes; a target of 0 or 1 gets ``-+_LOGIT_CAP`` beyond the logits' range.
    The left side is increasing in ``b_j``, so the root is unique.
    """
    logits = np.asarray(logits, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    out = np.zeros(logits.shape[1])
    for j, target in enumerate(targets):
        u = logits[:, j]
        lo, hi = -float(u.max()) - _LOGIT_CAP, -float(u.min()) + _LOGIT_CAP
        if target <= 0.0:
            out[j] = lo
        elif target >= 1.0:
            out[j] = hi
        else:
            out[j] = brentq(lambda b: float(weights @ expit(u + b)) - target, lo, hi,
                            xtol=1e-10)
    return out


def _draw_categories(block, rng):
    """Index of a category per row: drawn from the softmax, or the arg-max if rng is None."""
    if rng is None or block.shape[0] == 0:
        return np.argmax(block, axis=1) if block.shape[1] else np.zeros(len(block), np.intp)
    logits = block - block.max(axis=1, keepdims=True)
    prob = np.exp(logits)
    prob /= prob.sum(axis=1, keepdims=True)
    u = rng.uniform(size=(block.shape[0], 1))
    return np.minimum((prob.cumsum(axis=1) < u).sum(axis=1), block.shape[1] - 1)
