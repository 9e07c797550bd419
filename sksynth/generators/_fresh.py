"""Columns that are never modelled: identifiers, semantic types and all-missing columns.

A generator must not replay values that point at a person. Such columns are taken
out of the table before any model sees it (:class:`~._table_spec._TableSpec` hides
them) and are made afresh when sampled rows are restored:

- ``"id"`` columns (inferred or declared): values in the format of the training
  ids (integers in their range; strings with the same fixed prefix and suffix,
  length and character class at each position), unique within a draw and never
  equal to a training id;
- semantic types (``"email"``, ``"name"``, ``"phone"``, ...): drawn from Faker
  (the optional ``faker`` extra), never equal to a training value;
- columns missing in every training row: missing in every sampled row.

Each keeps the column's missing rate. Values are drawn from the caller's random
stream, so ``sample(random_state=k)`` stays reproducible.
"""

import re
import string
import warnings

import numpy as np
import pandas as pd

from ..base import PrivacyWarning

__all__ = ["ID_MIN_ROWS", "ID_UNIQUE_FRACTION", "SEMANTIC_TYPES"]

#: Fewest observed values for a column to be inferred as an identifier.
ID_MIN_ROWS = 10
#: Share of distinct values (among observed ones) from which a text column is an identifier.
ID_UNIQUE_FRACTION = 0.95

#: Declared semantic types and the Faker method that makes each.
SEMANTIC_TYPES = {
    "email": "email",
    "name": "name",
    "first_name": "first_name",
    "last_name": "last_name",
    "phone": "phone_number",
    "address": "address",
    "street_address": "street_address",
    "city": "city",
    "postcode": "postcode",
    "country": "country",
    "company": "company",
    "job": "job",
    "url": "url",
    "ipv4": "ipv4",
    "iban": "iban",
    "ssn": "ssn",
}

# Name tokens that mark an integer column as an identifier (split on _, -, space, camelCase).
_ID_TOKENS = {"id", "ids", "key", "uuid", "guid", "identifier", "ssn", "account", "serial"}
_MAX_ROUNDS = 64


def _name_tokens(name):
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    return {token.lower() for token in re.split(r"[\s_\-.:/]+", text) if token}


def _looks_like_id(series, kind):
    """Whether a column (already typed ``kind``) holds identifiers.

    Text columns (object or string dtype, not a pandas ``Categorical``): at least
    ``ID_MIN_ROWS`` observed values of which at least ``ID_UNIQUE_FRACTION`` are
    distinct. Integer-dtype columns: all observed values distinct, at least
    ``ID_MIN_ROWS`` of them, and either a name like an identifier (``id``,
    ``customer_id``, ``orderKey``, ``uuid``, ...) or values that fill at least half
    of their range (a counter). Measured integers (incomes, weights) are all
    distinct in small tables too but spread over a much wider range.
    """
    dtype = series.dtype
    observed = series.dropna()
    n = len(observed)
    if n < ID_MIN_ROWS:
        return False
    if kind == "categorical" and not isinstance(dtype, pd.CategoricalDtype) and (
            dtype == object or pd.api.types.is_string_dtype(dtype)):
        try:
            distinct = observed.nunique()
        except TypeError:  # unhashable cells
            return False
        return distinct >= ID_UNIQUE_FRACTION * n
    if kind == "integer" and pd.api.types.is_integer_dtype(dtype):
        if observed.nunique() < n:
            return False
        if _name_tokens(series.name) & _ID_TOKENS:
            return True
        span = int(observed.max()) - int(observed.min()) + 1
        return n >= 0.5 * span
    return False


class _FreshColumn:
    """How one hidden column is made afresh: ``draw(n, rng)`` gives its values.

    Parameters
    ----------
    kind : {"id", "missing"} or a key of :data:`SEMANTIC_TYPES`
    series : Series
        The training column.
    """

    def __init__(self, kind, series):
        self.kind = kind
        self.dtype = series.dtype
        missing = series.isna().to_numpy()
        self.missing_rate = float(missing.mean()) if len(series) else 0.0
        observed = series[~missing]
        self.integer = kind == "id" and pd.api.types.is_integer_dtype(self.dtype)
        if kind == "missing":
            return
        if self.integer:
            self.low, self.high = int(observed.min()), int(observed.max())
            # training ids as Python ints (exact for uint64 too)
            self.seen = np.unique(observed.to_numpy().astype(object))
            info = np.iinfo(np.dtype(getattr(self.dtype, "numpy_dtype", self.dtype)))
            self.bounds = (int(info.min), int(info.max))
            return
        text = observed.astype(str).to_numpy(dtype=object)
        self.seen = set(text)
        if kind == "id":
            # Fixed prefix and suffix, without the digits they end (start) with: those are
            # part of a counter ("ORD-00123" and "ORD-00187" share "ORD-00", not a format).
            self.prefix = _common_prefix(text).rstrip(string.digits)
            rest = [value[len(self.prefix):] for value in text]
            self.suffix = _common_prefix([value[::-1] for value in rest])[::-1].lstrip(
                string.digits)
            cut = len(self.suffix)
            self.templates = sorted({value[:len(value) - cut] if cut else value
                                     for value in rest})
        else:
            _faker()  # fail at fit, not at sample, when Faker is missing

    # -- drawing -------------------------------------------------------------
    def draw(self, n, rng):
        """``n`` values (object or integer array) with the training missing rate."""
        missing = rng.random_sample(n) < self.missing_rate if self.missing_rate else None
        if self.kind == "missing":
            try:
                return pd.Series(np.full(n, None, dtype=object)).astype(self.dtype).array
            except (TypeError, ValueError):
                return pd.Series(np.full(n, None, dtype=object), dtype=object)
        if self.integer:
            values = self._draw_integers(n, rng)
        elif self.kind == "id":
            values = self._draw_strings(n, rng)
        else:
            values = self._draw_semantic(n, rng)
        return self._container(values, missing)

    def _container(self, values, missing):
        if missing is not None and missing.any():
            values = np.asarray(values, dtype=object)
            values[missing] = None
        dtype = self.dtype
        if self.integer and (missing is None or not missing.any()):
            if isinstance(dtype, pd.api.extensions.ExtensionDtype):
                return pd.array(values, dtype=dtype)
            return np.asarray(values).astype(dtype)
        if isinstance(dtype, pd.CategoricalDtype):
            return pd.Categorical(values)  # fresh values cannot keep the training categories
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) or pd.api.types.is_string_dtype(
                dtype) and dtype != object:
            try:
                return pd.array(values, dtype=dtype)
            except (TypeError, ValueError):
                pass
        if self.integer:  # missing values in a NumPy integer column cannot happen in fit
            return pd.array(values, dtype="Int64")
        return pd.Series(values, dtype=object)

    def _draw_integers(self, n, rng):
        """``n`` distinct integers in the training range (widened if too full), not seen."""
        low, high = self.low, self.high
        free = (high - low + 1) - len(self.seen)
        if free < n:  # the range is (nearly) full, as for counters: continue above it
            high = min(self.bounds[1], high + 2 * n - free)
            free = (high - low + 1) - len(self.seen)
            if free < n:
                low = max(self.bounds[0], low - 2 * n + free)
                free = (high - low + 1) - len(self.seen)
            if free < n:
                raise ValueError(
                    f"cannot make {n} fresh integer ids: the integer type has only {free} "
                    "values left that are not training ids."
                )
        span = high - low + 1
        fits = -(2**63) <= low and high < 2**63 and span < 2**62
        seen = self.seen.astype(np.int64) if fits else self.seen
        if span <= 4 * (n + len(seen)) + 1024:  # small range: choose among the free values
            candidates = np.setdiff1d(np.arange(low, high + 1, dtype=np.int64 if fits else object),
                                      seen, assume_unique=True)
            return candidates[rng.choice(len(candidates), size=n, replace=False)]
        out = np.empty(0, dtype=np.int64 if fits else object)
        for _ in range(_MAX_ROUNDS):
            size = 2 * (n - len(out)) + 8
            if fits:
                draws = low + rng.randint(0, span, size=size, dtype=np.int64)
            else:  # beyond int64 (uint64 ids): exact Python integers
                offsets = rng.randint(0, 2**62, size=(size, 2), dtype=np.int64)
                draws = np.array([low + (int(a) * 2**62 + int(b)) % span for a, b in offsets],
                                 dtype=object)
            draws = draws[~np.isin(draws, seen)]
            out = pd.unique(np.concatenate([out, draws]))
            if len(out) >= n:
                return np.asarray(out[:n])
        raise RuntimeError("could not draw fresh integer ids")  # pragma: no cover

    def _draw_strings(self, n, rng):
        """Ids in the training format: fixed prefix/suffix, a training id's character classes."""
        out, taken = [], set(self.seen)
        pending = n
        for extra in range(_MAX_ROUNDS):
            picks = rng.randint(len(self.templates), size=pending)
            for i in picks:
                middle = _scramble(self.templates[i], rng)
                if extra >= _MAX_ROUNDS // 2:  # the format's space is exhausted: lengthen it
                    size = 1 + (extra - _MAX_ROUNDS // 2) // 8
                    middle += "".join(rng.choice(list(string.digits), size=size))
                value = f"{self.prefix}{middle}{self.suffix}"
                if value not in taken:
                    taken.add(value)
                    out.append(value)
            pending = n - len(out)
            if pending == 0:
                return np.asarray(out, dtype=object)
        raise RuntimeError("could not draw fresh string ids")  # pragma: no cover

    def _draw_semantic(self, n, rng):
        fake = _faker()
        fake.seed_instance(int(rng.randint(2**31 - 1)))
        method = getattr(fake, SEMANTIC_TYPES[self.kind])
        out = []
        while len(out) < n:
            value = str(method()).replace("\n", ", ")
            if value not in self.seen:
                out.append(value)
        return np.asarray(out, dtype=object)


def _common_prefix(values):
    values = list(values)
    if not values:
        return ""
    first, last = min(values), max(values)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


_CLASSES = (string.digits, string.ascii_uppercase, string.ascii_lowercase)


def _scramble(template, rng):
    """``template`` with every digit and letter replaced by a random one of its class."""
    chars = list(template)
    for i, char in enumerate(chars):
        for pool in _CLASSES:
            if char in pool:
                chars[i] = pool[rng.randint(len(pool))]
                break
        else:
            if char.isalpha():  # letters outside ASCII: a lowercase ASCII letter
                chars[i] = string.ascii_lowercase[rng.randint(26)]
            elif char.isdigit():
                chars[i] = string.digits[rng.randint(10)]
    return "".join(chars)


def _faker():
    try:
        from faker import Faker
    except ImportError as exc:
        raise ImportError(
            "semantic column types (email, name, phone, ...) are made by Faker, which is not "
            "installed: pip install 'sksynth[faker]' (or faker)."
        ) from exc
    return Faker()


def _hidden_columns(frame, types, declared):
    """``{position: _FreshColumn}`` for the columns no model may see.

    ``types`` are the inferred or declared types; ``declared`` the names the user
    typed with ``column_types``. Inferred identifiers are warned about.
    """
    hidden = {}
    for j, (name, column) in enumerate(frame.items()):
        kind = types[j]
        if kind == "id" or kind in SEMANTIC_TYPES:
            hidden[j] = _FreshColumn(kind, column)
        elif name not in declared and _looks_like_id(column, kind):
            warnings.warn(
                f"column {name!r} looks like an identifier (its values are nearly all "
                "distinct): synthetic rows get fresh ids in its format, never training ids. "
                f"Declare column_types={{{name!r}: 'categorical'}} (or 'integer') to model it "
                "instead; its values would then be replayed.",
                PrivacyWarning, stacklevel=5,
            )
            types[j] = "id"
            hidden[j] = _FreshColumn("id", column)
    # columns missing everywhere need no model, unless no other column is left to model
    empty = [j for j in range(len(types)) if j not in hidden and frame.iloc[:, j].isna().all()]
    if len(hidden) + len(empty) < len(types):
        for j in empty:
            hidden[j] = _FreshColumn("missing", frame.iloc[:, j])
    return hidden
