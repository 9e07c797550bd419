"""A catalogue of quirky tables and a runner that says how each estimator takes them.

Each :class:`QuirkCase` makes a small table (and optional ``y``) from a
data-generating process and states, for numeric-only generators, mixed-type
generators and pruners, what must happen (an :class:`Expect`): the estimator
runs and a value check on its output holds, or it raises a given error type
whose message matches a regular expression naming the column and the fix.
:func:`run_quirks` fits every subject (:func:`quirk_subjects`) on every case
that applies to it and classifies the outcome:

- ``"pass"``: ran, and the value check held;
- ``"clear-error"``: raised one of the expected errors;
- ``"obscure-error"``: raised an error of another type, or whose message does
  not match (names neither the column nor the fix);
- ``"silent-wrong"``: ran, but the value check failed, an expected error was
  not raised, or sampled rows copy training rows more often than a second
  sample of the same process does (the holdout reference).

The cases follow issue 19 (identifiers replayed, tiny classes replayed, int64
wrapping, missingness, constant columns, unseen categories, obscure errors of
numeric-only estimators) plus duplicate and non-string column names,
timezone-aware datetimes, timedeltas, booleans, mixed object columns, sparse
input, one row, zero columns and values near 1e300.
"""

import importlib
import importlib.util
import re
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import clone

__all__ = [
    "Expect",
    "QuirkCase",
    "QuirkResult",
    "QuirkSubject",
    "exact_copy_rate",
    "quirk_cases",
    "quirk_subjects",
    "run_quirk",
    "run_quirks",
    "tally_quirks",
]

OUTCOMES = ("pass", "clear-error", "obscure-error", "silent-wrong")

# what a message must offer as the fix: a generator that takes the input, or what to do
_FIX = (r"(GaussianCopulaGenerator|TabularVAE|ConditionalTabularGAN|LipschitzVAE|convert|"
        r"encode|astype|impute|Imputer|drop|remove|rescale|scale)")


def _names(column, *also):
    """A regex (any order, any line) requiring ``column`` and each pattern in ``also``."""
    parts = [rf"(?=.*(?<![\w]){re.escape(str(column))}(?![\w]))"]
    parts += [f"(?=.*{pattern})" for pattern in also]
    return "(?s)" + "".join(parts)


@dataclass(frozen=True)
class Expect:
    """What must happen to one kind of estimator on one case.

    Parameters
    ----------
    check : callable or None
        ``check(ctx)`` raising ``AssertionError`` when the output is wrong; ``None``
        when running without an error is itself wrong.
    errors : tuple of (exception types, regex)
        Accepted errors; a raised error must be an instance of the types and its
        message must match the regex (``re.search``).
    """

    check: object = None
    errors: tuple = ()

    def accepts(self, exc):
        return any(isinstance(exc, types) and re.search(regex, str(exc))
                   for types, regex in self.errors)

    def describe(self):
        parts = ["ok" + (f" ({self.check.__doc__.strip()})" if self.check.__doc__ else "")
                 ] if self.check is not None else []
        parts += [f"{'/'.join(t.__name__ for t in np.atleast_1d(types))} matching {regex!r}"
                  for types, regex in self.errors]
        return " or ".join(parts)


def _error(regex, types=(ValueError, TypeError)):
    return Expect(errors=((types, regex),))


@dataclass(frozen=True)
class QuirkCase:
    """One quirky input and what each kind of estimator must do with it.

    ``make(rng, n)`` returns ``(X, y)`` (``y`` may be None) drawn from the case's
    process; a second call with another ``rng`` gives the holdout reference.
    ``action`` is ``"sample"`` (fit, then ``sample(n_samples)``), ``"sample_y"``
    (fit with ``y``, then ``sample(y=[label] * n_samples)``) or ``"score_unseen"``
    (fit, then ``score_samples`` of valid rows and of rows holding a category never
    seen in fit). ``trained``: the check is statistical, so neural generators get
    their longer settings.
    """

    name: str
    covers: str
    make: object
    numeric: Expect = None
    mixed: Expect = None
    pruner: Expect = None
    sequence: Expect = None
    action: str = "sample"
    n_rows: int = 200
    n_samples: int = 400
    trained: bool = False
    params: dict = field(default_factory=dict)

    def expect_for(self, kind):
        return {"numeric": self.numeric, "mixed": self.mixed, "pruner": self.pruner,
                "sequence": self.sequence}[kind]


@dataclass(frozen=True)
class QuirkSubject:
    """An estimator under test: ``kind`` is ``"numeric"``, ``"mixed"``, ``"pruner"`` or
    ``"sequence"`` (3-D input);
    ``trained`` is the same estimator with settings long enough for statistical checks."""

    name: str
    estimator: object
    kind: str
    trained: object = None


@dataclass
class QuirkResult:
    subject: str
    case: str
    outcome: str
    message: str
    copy_rate: float = np.nan
    holdout_rate: float = np.nan
    seconds: float = np.nan


@dataclass
class _Context:
    X: object
    y: object
    out: object  # sampled X, filtered X, or (valid scores, unseen scores)
    y_out: object
    case: QuirkCase


# ---------------------------------------------------------------------------
# value checks
# ---------------------------------------------------------------------------
def _frame(X):
    if sparse.issparse(X):
        X = X.toarray()
    return X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))


def _kept(ctx):
    """container, columns and dtypes kept"""
    X, out = ctx.X, ctx.out
    if isinstance(X, pd.DataFrame):
        assert isinstance(out, pd.DataFrame), f"returned {type(out).__name__}, not a DataFrame"
        assert out.columns.equals(X.columns) and out.columns.dtype == X.columns.dtype, (
            f"columns {list(out.columns)!r} differ from the fitted {list(X.columns)!r}")
        changed = {c: (str(X.dtypes.iloc[j]), str(out.dtypes.iloc[j]))
                   for j, c in enumerate(X.columns) if X.dtypes.iloc[j] != out.dtypes.iloc[j]}
        assert not changed, f"dtypes changed (fitted, sampled): {changed}"
    else:
        shape = np.shape(out)
        assert len(shape) == X.ndim and shape[1:] == X.shape[1:], (
            f"sampled shape {shape} does not match the fitted {X.shape}")
        if not sparse.issparse(X):
            assert np.asarray(out).dtype == X.dtype, f"dtype {np.asarray(out).dtype} != {X.dtype}"
    if ctx.case.action != "prune":
        assert len(out) == ctx.case.n_samples, f"{len(out)} rows, not {ctx.case.n_samples}"


def _all(*checks):
    def check(ctx):
        for one in checks:
            one(ctx)
    check.__doc__ = "; ".join(c.__doc__.strip() for c in checks if c.__doc__)
    return check


def _all_missing(column):
    def check(ctx):
        rate = ctx.out[column].isna().mean()
        assert rate == 1.0, f"all-missing column {column!r} is {100 * (1 - rate):.1f}% filled"
    check.__doc__ = f"all-missing {column!r} stays all-missing"
    return check


def _constant(column):
    def check(ctx):
        value = ctx.X[column].iloc[0]
        got = ctx.out[column].to_numpy()
        assert np.all(got == value), (
            f"constant {column!r}={value} came back spread over [{np.min(got)}, "
            f"{np.max(got)}]")
    check.__doc__ = f"constant {column!r} stays exactly constant"
    return check


def _scale_kept(column, low=0.2, high=5.0):
    def check(ctx):
        train = ctx.X[column].to_numpy(dtype=float)
        got = ctx.out[column].to_numpy(dtype=float)
        ratio = np.std(got) / np.std(train)
        assert low <= ratio <= high, (
            f"{column!r}: sd {np.std(train):.3g} in fit, {np.std(got):.3g} sampled "
            f"(ratio {ratio:.3g}, expected within [{low}, {high}])")
        centre = np.abs(np.mean(got) - np.mean(train)) / np.std(train)
        assert centre <= 10, f"{column!r}: mean moved by {centre:.3g} training sds"
    check.__doc__ = f"near-constant {column!r} keeps its scale (sd ratio in [{low}, {high}])"
    return check


def _int_in_range(column):
    def check(ctx):
        train, got = ctx.X[column], ctx.out[column]
        assert got.dtype == train.dtype, f"{column!r}: dtype {got.dtype} != {train.dtype}"
        # exact integer arithmetic: values near 2**63 do not fit a float's 53 bits
        lo, hi = int(train.min()), int(train.max())
        span = max(hi - lo, 1)
        values = [int(v) for v in got]
        far = [v for v in values if not lo - 10 * span <= v <= hi + 10 * span]
        assert not far, (f"{column!r}: {len(far)} values far outside the fitted [{lo}, {hi}], "
                         f"e.g. {far[0]} (wrapped)")
        offsets = np.array([v - lo for v in values], dtype=float)
        ratio = np.std(offsets) / np.std([int(v) - lo for v in train])
        assert 0.2 <= ratio <= 5, f"{column!r}: spread changed by a factor {ratio:.3g}"
    check.__doc__ = f"{column!r} keeps its integer dtype, scale and range (no wrap)"
    return check


def _fresh_ids(column, pattern=None):
    def check(ctx):
        train, got = ctx.X[column], ctx.out[column]
        copied = got.isin(set(train)).mean()
        assert copied == 0, f"{100 * copied:.1f}% of synthetic {column!r} are training ids"
        assert got.is_unique, f"{column!r}: {got.duplicated().sum()} repeated synthetic ids"
        if pattern is not None:
            wrong = got[~got.astype(str).str.fullmatch(pattern)]
            assert wrong.empty, f"{column!r}: {wrong.iloc[0]!r} lost the format {pattern!r}"
        else:
            assert train.min() <= got.min() and got.max() <= train.max(), (
                f"{column!r}: ids outside the fitted range")
    check.__doc__ = f"synthetic {column!r} unique, fresh (none a training id), same format"
    return check


def _missing_rate(*columns):
    def check(ctx):
        n_fit, n_new = len(ctx.X), len(ctx.out)
        for column in columns:
            p = ctx.X[column].isna().mean()
            q = ctx.out[column].isna().mean()
            se = np.sqrt(p * (1 - p) * (1 / n_fit + 1 / n_new))
            assert abs(q - p) <= 4 * se, (f"{column!r}: missing rate {p:.3f} in fit, {q:.3f} "
                                          f"sampled (more than 4 SE = {4 * se:.3f} apart)")
    check.__doc__ = f"missing rates of {list(columns)} within 4 binomial SEs"
    return check


def _within_training(column):
    def check(ctx):
        seen = {(type(v), v) for v in ctx.X[column].dropna()}
        new = [v for v in ctx.out[column].dropna() if (type(v), v) not in seen]
        assert not new, f"{column!r}: values never seen in fit, e.g. {new[0]!r}"
    check.__doc__ = f"{column!r} values (type and value) are training values"
    return check


def _finite_in_range(column=None):
    def check(ctx):
        train = _frame(ctx.X).to_numpy(dtype=float)
        got = _frame(ctx.out).to_numpy(dtype=float)
        j = slice(None) if column is None else list(_frame(ctx.X).columns).index(column)
        assert np.all(np.isfinite(got[:, j])), "non-finite sampled values"
        lo, hi = np.min(train[:, j], axis=0), np.max(train[:, j], axis=0)
        span = hi - lo
        assert np.all(got[:, j] >= lo - span) and np.all(got[:, j] <= hi + span), (
            "sampled values far outside the fitted range")
    check.__doc__ = "finite and within the fitted range (+- its width)"
    return check


def _datetime_in_range(column):
    def check(ctx):
        train, got = pd.Series(ctx.X[column]), pd.Series(ctx.out[column])
        got_t = pd.to_datetime(got) if got.dtype == object else got
        train_t = pd.to_datetime(train) if train.dtype == object else train
        assert got_t.min() >= train_t.min() and got_t.max() <= train_t.max(), (
            f"{column!r}: sampled values outside the fitted range")
    check.__doc__ = f"{column!r} within the fitted range"
    return check


def _text_dates_kept(column, fmt):
    def check(ctx):
        got = pd.Series(ctx.out[column]).dropna()
        parsed = pd.to_datetime(got, format=fmt, errors="coerce")
        assert parsed.notna().all(), f"{column!r}: sampled dates not written as {fmt!r}"
        train = pd.to_datetime(pd.Series(ctx.X[column]).dropna(), format=fmt)
        assert parsed.min() >= train.min() and parsed.max() <= train.max(), (
            f"{column!r}: sampled dates outside the fitted range")
        assert got.nunique() > 1, f"{column!r}: one date only"
    check.__doc__ = f"{column!r} read as dates, written back as text in {fmt!r}, in range"
    return check


def _finite_sequences(ctx):
    """finite sequences within the fitted range (+- its width)"""
    train = np.asarray(ctx.X, dtype=float).reshape(-1, ctx.X.shape[-1])
    got = np.asarray(ctx.out, dtype=float).reshape(-1, ctx.X.shape[-1])
    assert np.all(np.isfinite(got)), f"{np.mean(~np.isfinite(got)):.0%} non-finite values"
    lo, hi = train.min(axis=0), train.max(axis=0)
    assert np.all((got >= lo - (hi - lo)) & (got <= hi + (hi - lo))), (
        "sampled values far outside the fitted range")


def _no_near_copy_of(label):
    def check(ctx):
        X = _frame(ctx.X).to_numpy(dtype=float)
        rows = X[np.asarray(ctx.y) == label]
        got = _frame(ctx.out).to_numpy(dtype=float)
        sd = np.std(X, axis=0) + 1e-300
        near = np.all(np.abs(got[:, None, :] - rows[None]) <= 1e-3 * sd, axis=2).any(axis=1)
        assert not near.any(), (f"{near.sum()} of {len(got)} rows sampled for class {label!r} "
                                f"(one training member) replay its row")
        if ctx.y_out is not None:
            assert np.all(np.asarray(ctx.y_out) == label), "returned labels differ from y"
    check.__doc__ = f"no sampled row (near-)equals the training row of 1-member class {label!r}"
    return check


def _no_near_copy_of_rows(ctx):
    """no sampled row (near-)equals the single training row"""
    X = _frame(ctx.X).to_numpy(dtype=float)
    got = _frame(ctx.out).to_numpy(dtype=float)
    scale = np.maximum(np.abs(X[0]), 1.0)
    near = np.all(np.abs(got - X[0]) <= 1e-3 * scale, axis=1)
    assert not near.any(), f"{near.sum()} of {len(got)} sampled rows replay the one training row"


def _unseen_scores_neg_inf(ctx):
    """valid rows score finite, rows with an unseen category score -inf"""
    valid, unseen = ctx.out
    assert np.all(np.isfinite(valid)), "valid rows got non-finite scores"
    assert np.all(np.isneginf(unseen)), (
        f"rows with an unseen category scored {np.round(unseen[:3], 2).tolist()} "
        f"(valid rows: median {np.median(valid):.2f}), not -inf")


def _filtered(ctx):
    """filter returns a subset of rows in the input container"""
    assert _frame(ctx.out).shape[1] == _frame(ctx.X).shape[1], "filter changed the columns"
    assert len(ctx.out) <= len(ctx.X), "filter returned more rows than it was given"


def _filtered_rows(ctx):
    """filter returns some of the input rows, unchanged, in the input's DataFrame"""
    _filtered(ctx)
    X, out = ctx.X, ctx.out
    assert isinstance(out, pd.DataFrame), f"returned {type(out).__name__}, not a DataFrame"
    assert out.columns.equals(X.columns), "filter changed the column names"
    assert out.index.isin(X.index).all(), "filter returned rows that were not passed in"
    pd.testing.assert_frame_equal(out, X.loc[out.index])


# ---------------------------------------------------------------------------
# the tables
# ---------------------------------------------------------------------------
def _numeric(rng, n):
    return pd.DataFrame({
        "age": rng.integers(18, 90, n).astype(np.int64),
        "income": np.round(rng.lognormal(10, 0.5, n), 2),
        "score": rng.normal(0, 1, n),
    })


def _mixed(rng, n):
    X = _numeric(rng, n)
    X["city"] = rng.choice(["Lyon", "Oslo", "Porto", "Quito"], n, p=[.4, .3, .2, .1])
    X["color"] = pd.Categorical(rng.choice(["red", "green", "blue"], n))
    return X


def _with(column, values_fn, base=_numeric):
    def make(rng, n):
        X = base(rng, n)
        X[column] = values_fn(rng, n)
        return X, None
    return make


def _make_string_id(rng, n):
    X = _numeric(rng, n)
    X.insert(0, "order_id", [f"ORD-{k:06d}" for k in rng.choice(10**6, n, replace=False)])
    return X, None


def _make_int_id(rng, n):
    X = _numeric(rng, n)
    X.insert(0, "customer_id", rng.choice(np.arange(10**6, 10**7), n, replace=False))
    return X, None


def _make_tiny_classes(rng, n):
    X = pd.DataFrame(rng.integers(0, 100_000, (n, 3)), columns=["a", "b", "c"])
    X["d"] = rng.normal(0, 1, n)
    y = np.array(["big1", "big2"] * (n // 2) + ["big1"] * (n % 2), dtype=object)
    y[:2] = ["solo1", "solo2"]
    return X, y


def _make_missing(rng, n):
    X = _numeric(rng, n)
    X.loc[rng.random(n) < 0.10, "income"] = np.nan
    X.loc[rng.random(n) < 0.33, "score"] = np.nan
    return X, None


def _make_near_max(dtype):
    def make(rng, n):
        info = np.iinfo(dtype)
        X = _numeric(rng, n)
        X["big"] = (np.array(info.max, dtype=dtype)
                    - rng.integers(0, 10**6, n).astype(dtype)).astype(dtype)
        return X, None
    return make


def _make_duplicates(rng, n):
    X = _numeric(rng, n)
    X.columns = ["dup_col", "dup_col", "score"]
    return X, None


def _renamed(names):
    def make(rng, n):
        X = _numeric(rng, n)
        X.columns = pd.Index(names, tupleize_cols=False)
        return X, None
    return make


def _make_mixed_object(rng, n):
    X = _numeric(rng, n)
    X["code"] = pd.Series(rng.choice(np.array([1, 2, "x", "y"], dtype=object), n), dtype=object)
    return X, None


def _make_timestamps(rng, n):
    X = _numeric(rng, n)
    days = rng.integers(0, 365, n)
    X["when"] = pd.Series([pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(d)) for d in days],
                          dtype=object)
    return X, None


def _dates(tz=None):
    def values(rng, n):
        base = pd.Timestamp("2024-01-01", tz=tz)
        return pd.Series(base + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h"))
    return values


def _make_sparse(rng, n):
    dense = rng.normal(0, 1, (n, 4)) * (rng.random((n, 4)) < 0.3)
    return sparse.csr_matrix(dense), None


def _make_float32(rng, n):
    return rng.normal(0, 1, (n, 3)).astype(np.float32), None


def _make_huge(rng, n):
    X = _numeric(rng, n)
    X["big"] = 1e300 * (1 + 0.1 * rng.normal(0, 1, n))
    return X, None


def _clear_or(check, *errors):
    return Expect(check=check, errors=tuple(errors))


_VE = (ValueError, TypeError)


def _not_numeric(column):
    """numeric-only estimators: a clear error naming the column and the fix"""
    return _error(_names(column, _FIX))


def quirk_cases():
    """The catalogue: one :class:`QuirkCase` per quirky input (issue 19 and more).

    Returns
    -------
    cases : list of QuirkCase
    """
    nan_named = _error(r"(?s)(?=.*(NaN|missing))(?=.*\b(income|score)\b)")
    id_str = "order_id"
    huge = _clear_or(_all(_kept, _finite_in_range("big")),
                     (_VE, _names("big", r"(large|overflow|scale|range|finite|1e\+?300)")))
    small_group = (ValueError, r"(min_group_size|fewer than|too few)")
    # generators that model X alone (DebiasedGenerator) say so when asked for X | y
    no_y_model = (ValueError, r"does not sample given y")
    datetime_ok = (_VE, _names("when", r"(datetime|date|Timestamp|time)"))
    return [
        QuirkCase("string_id", "identifier columns are replayed (string ids)", _make_string_id,
                  numeric=_not_numeric(id_str),
                  mixed=Expect(_all(_kept, _fresh_ids(id_str, r"ORD-\d{6}")))),
        QuirkCase("integer_id", "identifier columns are replayed (integer ids)", _make_int_id,
                  numeric=Expect(_kept),
                  mixed=Expect(_all(_kept, _fresh_ids("customer_id")))),
        QuirkCase("one_member_classes", "rows of tiny classes are replayed (sample(y=k))",
                  _make_tiny_classes, action="sample_y", params={"label": "solo1"},
                  numeric=_clear_or(_all(_kept, _no_near_copy_of("solo1")), small_group,
                                    no_y_model),
                  mixed=_clear_or(_all(_kept, _no_near_copy_of("solo1")), small_group,
                                  no_y_model)),
        QuirkCase("one_row", "a one-row table comes back verbatim",
                  lambda rng, n: (_numeric(rng, n), None), n_rows=1,
                  numeric=_clear_or(_all(_kept, _no_near_copy_of_rows), small_group),
                  mixed=_clear_or(_all(_kept, _no_near_copy_of_rows), small_group),
                  pruner=Expect(_filtered, errors=((ValueError, r"(at least (cv=)?(2|two)|minimum "
                                                                r"of 2|fewer than|too few)"),))),
        QuirkCase("int64_near_max", "integers near the int64 limit wrap to -2^63",
                  _make_near_max(np.int64),
                  numeric=Expect(_all(_kept, _int_in_range("big"))),
                  mixed=Expect(_all(_kept, _int_in_range("big")))),
        QuirkCase("uint64_near_max", "uint64 near 2^64 becomes 0", _make_near_max(np.uint64),
                  numeric=Expect(_all(_kept, _int_in_range("big"))),
                  mixed=Expect(_all(_kept, _int_in_range("big")))),
        QuirkCase("all_missing_column", "an all-missing column comes back filled",
                  _with("notes", lambda rng, n: np.full(n, np.nan)),
                  numeric=_error(_names("notes", r"(NaN|missing)")),
                  mixed=Expect(_all(_kept, _all_missing("notes"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("missing_rates", "missing rates of 10% / 33% are not reproduced",
                  _make_missing, trained=True, n_rows=400,
                  numeric=nan_named, mixed=Expect(_all(_kept, _missing_rate("income", "score"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("constant_column", "constant columns are widened (reg_covar unscaled)",
                  _with("const", lambda rng, n: np.full(n, 7.5)),
                  numeric=Expect(_all(_kept, _constant("const"))),
                  mixed=Expect(_all(_kept, _constant("const")))),
        QuirkCase("near_constant_column", "sd 1e-12 becomes 1e-3", trained=True,
                  make=_with("tiny_sd", lambda rng, n: 3.0 + 1e-12 * rng.normal(0, 1, n)),
                  numeric=Expect(_all(_kept, _scale_kept("tiny_sd"))),
                  mixed=Expect(_all(_kept, _scale_kept("tiny_sd")))),
        QuirkCase("unseen_category_score", "score of a row with an unseen category is finite",
                  lambda rng, n: (_mixed(rng, n), None), action="score_unseen",
                  params={"column": "city", "value": "Atlantis"},
                  mixed=_clear_or(_unseen_scores_neg_inf,
                                  (ValueError, _names("city", r"(unseen|never seen|unknown|not "
                                                              r"seen|Atlantis)")))),
        QuirkCase("string_column", "numeric-only estimators on string/category columns",
                  lambda rng, n: (_mixed(rng, n), None),
                  numeric=_error(r"(?s)(?=.*\b(city|color)\b)" + f"(?=.*{_FIX})"),
                  mixed=Expect(_all(_kept, _within_training("city"), _within_training("color"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("datetime_column", "numeric-only estimators on datetime columns",
                  _with("when", _dates()), numeric=_not_numeric("when"),
                  mixed=_clear_or(_all(_kept, _datetime_in_range("when")), datetime_ok),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("text_dates", "dates stored as text, day first (as a CSV gives them)",
                  _with("when", lambda rng, n: pd.Series(
                      (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n),
                                                                    "D")).strftime("%d/%m/%Y"),
                      dtype=object)),
                  numeric=_not_numeric("when"),
                  mixed=Expect(_all(_kept, _text_dates_kept("when", "%d/%m/%Y"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("tz_datetime_column", "timezone-aware datetimes",
                  _with("when", _dates("Europe/Paris")), numeric=_not_numeric("when"),
                  mixed=_clear_or(_all(_kept, _datetime_in_range("when")), datetime_ok),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("timestamp_objects", "numeric-only estimators on Timestamp objects",
                  _make_timestamps, numeric=_not_numeric("when"),
                  mixed=_clear_or(_all(_kept, _datetime_in_range("when")), datetime_ok),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("timedelta_column", "timedelta columns",
                  _with("wait", lambda rng, n: pd.to_timedelta(rng.integers(1, 600, n), "min")),
                  numeric=_not_numeric("wait"),
                  mixed=_clear_or(_kept, (_VE, _names("wait", r"(timedelta|duration|time)"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("integer_codes", "survey codes stored as integers (1-3, 5, 9 = no answer)",
                  _with("answer", lambda rng, n: rng.choice([1, 2, 3, 5, 9], n,
                                                            p=[.4, .3, .15, .1, .05])),
                  numeric=Expect(_kept),
                  mixed=Expect(_all(_kept, _within_training("answer"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("bool_column", "boolean columns keep their dtype",
                  _with("flag", lambda rng, n: rng.random(n) < 0.3),
                  numeric=Expect(_kept), mixed=Expect(_kept), pruner=Expect(_filtered_rows)),
        QuirkCase("mixed_object_column", "an object column of ints and strings",
                  _make_mixed_object, numeric=_not_numeric("code"),
                  mixed=_clear_or(_all(_kept, _within_training("code")),
                                  (_VE, _names("code", r"(mixed|type)"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("sparse_input", "a scipy sparse matrix", _make_sparse,
                  numeric=_clear_or(_all(_kept, _finite_in_range()),
                                    (_VE, r"(?s)(?=.*[Ss]parse)(?=.*(dense|toarray))")),
                  mixed=_clear_or(_all(_kept, _finite_in_range()),
                                  (_VE, r"(?s)(?=.*[Ss]parse)(?=.*(dense|toarray))"))),
        QuirkCase("zero_columns", "zero-column X", lambda rng, n: (pd.DataFrame(index=range(n)),
                                                                   None),
                  numeric=_error(r"(0 feature|zero column|no column|at least one (column|feat))",
                                 ValueError),
                  mixed=_error(r"(0 feature|zero column|no column|at least one (column|feat))",
                               ValueError),
                  pruner=_error(r"(0 feature|zero column|no column|at least one (column|feat))",
                                ValueError)),
        QuirkCase("duplicate_column_names", "two columns with one name", _make_duplicates,
                  numeric=_error(_names("dup_col", "([Dd]uplicate|unique)"), ValueError),
                  mixed=_error(_names("dup_col", "([Dd]uplicate|unique)"), ValueError),
                  pruner=_error(_names("dup_col", "([Dd]uplicate|unique)"), ValueError)),
        QuirkCase("integer_column_names", "non-string column names (ints)", _renamed([0, 1, 2]),
                  numeric=Expect(_kept), mixed=Expect(_kept)),
        QuirkCase("tuple_column_names", "non-string column names (tuples)",
                  _renamed([("a", 1), ("b", 2), ("c", 3)]),
                  numeric=_clear_or(_kept, (_VE, r"(column|feature) names?")),
                  mixed=_clear_or(_kept, (_VE, r"(column|feature) names?"))),
        QuirkCase("values_near_1e300", "values near 1e300 (obscure 'infs or NaNs')",
                  _make_huge, numeric=huge, mixed=huge,
                  pruner=_clear_or(_filtered, (_VE, _names("big", r"(large|overflow|scale|"
                                                                   r"range|finite|1e\+?300)")))),
        QuirkCase("float32_array", "a float32 ndarray keeps its dtype", _make_float32,
                  numeric=Expect(_all(_kept, _finite_in_range())),
                  mixed=Expect(_all(_kept, _finite_in_range()))),
        QuirkCase("sequence_one_step", "SLDSVAE with one time step (a KMeans message)",
                  lambda rng, n: (rng.normal(size=(n, 1, 2)), None), n_rows=20, n_samples=10,
                  sequence=_error(r"time ?step", ValueError)),
        QuirkCase("sequence_values_near_1e300", "SLDSVAE near 1e300: all samples non-finite",
                  lambda rng, n: (1e300 * (1 + 0.1 * rng.normal(size=(n, 10, 2))), None),
                  n_rows=20, n_samples=10,
                  sequence=_clear_or(_all(_kept, _finite_sequences),
                                     (_VE, r"(?s)(?=.*(feature|column))(?=.*(large|overflow|"
                                           r"rescale|finite|1e\+?300))"))),
        QuirkCase("sequence_baseline", "ordinary sequences",
                  lambda rng, n: (np.cumsum(rng.normal(size=(n, 10, 2)), axis=1), None),
                  n_rows=20, n_samples=10, sequence=Expect(_all(_kept, _finite_sequences))),
        QuirkCase("numeric_baseline", "an ordinary numeric table",
                  lambda rng, n: (_numeric(rng, n), None),
                  numeric=Expect(_kept), mixed=Expect(_kept), pruner=Expect(_filtered)),
    ]


# ---------------------------------------------------------------------------
# the estimators
# ---------------------------------------------------------------------------
# (fast, trained) settings: fast ones fit a 200-row table in about a second; trained ones
# take the few hundred steps that missing rates and scales need.
_NEURAL = {
    "TabularVAE": ({"epochs": 2, "batch_size": 50, "embedding_dim": 8,
                    "compress_dims": (16,), "decompress_dims": (16,)},
                   {"epochs": 40, "batch_size": 16, "embedding_dim": 16,
                    "compress_dims": (32, 32), "decompress_dims": (32, 32)}),
    "ConditionalTabularGAN": ({"epochs": 2, "batch_size": 50, "embedding_dim": 8,
                               "generator_dim": (16,), "discriminator_dim": (16,)},
                              {"epochs": 40, "batch_size": 50, "embedding_dim": 16,
                               "generator_dim": (32, 32), "discriminator_dim": (32, 32)}),
    "LipschitzVAE": ({"epochs": 2, "batch_size": 64, "hidden": (16,)},
                     {"epochs": 60, "batch_size": 32, "hidden": (32, 32)}),
    # a fixed noise multiplier and the RDP accountant skip opacus' noise calibration,
    # which takes seconds per fit
    "DPSGDVAE": ({"epochs": 2, "batch_size": 64, "hidden": (16,), "noise_multiplier": 1.0,
                  "accountant": "rdp"},
                 {"epochs": 60, "batch_size": 32, "hidden": (32, 32), "noise_multiplier": 1.0,
                  "accountant": "rdp"}),
}


def quirk_subjects(random_state=0, *, pruners=True):
    """The public generators (small settings) and pruners the catalogue runs over.

    :class:`~sksynth.generators.DPSGDVAE` is included only when opacus is installed,
    the neural generators only when torch is.

    Returns
    -------
    subjects : list of QuirkSubject
    """
    from .. import generators, pruning

    rs = {"random_state": random_state}
    subjects = [
        QuirkSubject("GaussianCopulaGenerator", generators.GaussianCopulaGenerator(**rs), "mixed"),
        QuirkSubject("GaussianGenerator", generators.GaussianGenerator(**rs), "numeric"),
        QuirkSubject("GaussianMixtureGenerator", generators.GaussianMixtureGenerator(**rs),
                     "numeric"),
    ]
    homes = {"DPSGDVAE": ("sksynth.generators", "opacus")}
    for name, (fast, trained) in _NEURAL.items():
        module, needs = homes.get(name, ("sksynth.generators", "torch"))
        if importlib.util.find_spec(needs) is None:
            continue
        cls = getattr(importlib.import_module(module), name)
        subjects.append(QuirkSubject(name, cls(**fast, **rs), "mixed", cls(**trained, **rs)))
    from ..inference import DebiasedGenerator

    # the issue names DebiasedGenerator over a numeric-only generator as obscure too
    subjects.append(QuirkSubject("DebiasedGenerator(GaussianGenerator)", DebiasedGenerator(
        generators.GaussianGenerator(), n_aux=1000, **rs), "numeric"))
    if importlib.util.find_spec("torch") is not None:
        subjects.append(QuirkSubject("SLDSVAE", generators.SLDSVAE(
            epochs=2, pretrain_epochs=1, max_iter=2, hidden_sizes=(8,), **rs), "sequence"))
    if pruners:
        subjects += [
            QuirkSubject("DistancePruner", pruning.DistancePruner(), "pruner"),
            QuirkSubject("DetectionPruner", pruning.DetectionPruner(cv=2, **rs), "pruner"),
            QuirkSubject("LabelVerifier", pruning.LabelVerifier(), "pruner"),
        ]
    return subjects


# ---------------------------------------------------------------------------
# the runner
# ---------------------------------------------------------------------------
_NA = object()  # stands for any missing value in row keys


def _row_keys(X):
    frame = _frame(X).reset_index(drop=True)
    frame.columns = range(frame.shape[1])
    values = frame.astype(object).where(frame.notna(), _NA)
    return [tuple(row) for row in values.itertuples(index=False, name=None)]


def exact_copy_rate(X_new, X_train):
    """Fraction of rows of ``X_new`` exactly equal to some row of ``X_train``.

    Missing values compare equal to each other; containers may differ.

    Examples
    --------
    >>> import numpy as np
    >>> exact_copy_rate(np.array([[1, 2], [3, 4]]), np.array([[1, 2], [5, 6]]))
    0.5
    """
    if len(X_new) == 0 if not sparse.issparse(X_new) else X_new.shape[0] == 0:
        return 0.0
    train = set(_row_keys(X_train))
    return float(np.mean([key in train for key in _row_keys(X_new)]))


def _act(estimator, case, X, y, rng):
    """Fit ``estimator`` and produce what the case checks."""
    if case.action == "prune":
        labels = y if y is not None else rng.integers(0, 2, _n_rows(X))
        estimator.fit(X, labels)
        return estimator.filter(X, labels)
    if case.action == "sample_y":
        estimator.fit(X, y)
        out = estimator.sample(y=[case.params["label"]] * case.n_samples)
        return out if isinstance(out, tuple) else (out, None)
    estimator.fit(X) if y is None else estimator.fit(X, y)
    if case.action == "score_unseen":
        column, value = case.params["column"], case.params["value"]
        bad = X.iloc[:20].copy()
        bad[column] = bad[column].astype(object)
        bad[column] = value
        return (np.asarray(estimator.score_samples(X.iloc[20:40])),
                np.asarray(estimator.score_samples(bad))), None
    out = estimator.sample(case.n_samples)
    return out if isinstance(out, tuple) else (out, None)


def _n_rows(X):
    return X.shape[0]


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def run_quirk(subject, case, random_state=0):
    """Run one subject on one case.

    Returns
    -------
    result : QuirkResult or None
        ``None`` when the case does not apply to the subject's kind.
    """
    expect = case.expect_for(subject.kind)
    if expect is None:
        return None
    if subject.kind == "pruner":
        case = _as_prune(case)
    rng = np.random.default_rng(random_state)
    X, y = case.make(rng, case.n_rows)
    estimator = clone(subject.trained if case.trained and subject.trained is not None
                      else subject.estimator)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, y_out = _act(estimator, case, X, y, rng)
    except Exception as exc:  # noqa: BLE001 - classifying every failure is the point
        seconds = time.perf_counter() - start
        if expect.accepts(exc):
            return QuirkResult(subject.name, case.name, "clear-error", _first_line(exc),
                               seconds=seconds)
        return QuirkResult(subject.name, case.name, "obscure-error",
                           f"{_first_line(exc)} [expected {expect.describe()}]", seconds=seconds)
    seconds = time.perf_counter() - start
    if expect.check is None:
        return QuirkResult(subject.name, case.name, "silent-wrong",
                           f"ran without the expected error [{expect.describe()}]",
                           seconds=seconds)
    ctx = _Context(X, y, out, y_out, case)
    try:
        expect.check(ctx)
    except Exception as exc:  # noqa: BLE001 - a check failing on malformed output too
        message = str(exc) if isinstance(exc, AssertionError) else _first_line(exc)
        return QuirkResult(subject.name, case.name, "silent-wrong", message, seconds=seconds)
    result = QuirkResult(subject.name, case.name, "pass", "", seconds=seconds)
    if case.action in ("sample", "sample_y") and np.ndim(out) <= 2:
        holdout, _ = case.make(np.random.default_rng(random_state + 10_007), case.n_samples)
        result.copy_rate = exact_copy_rate(out, X)
        result.holdout_rate = exact_copy_rate(holdout, X)
        h, n = result.holdout_rate, _n_rows(out)
        slack = 3 * np.sqrt(h * (1 - h) * (1 / n + 1 / _n_rows(holdout))) + 1 / n
        if result.copy_rate > h + slack:
            result.outcome = "silent-wrong"
            result.message = (f"{100 * result.copy_rate:.1f}% of sampled rows are training rows;"
                              f" a holdout sample of the same process has {100 * h:.1f}%")
    return result


def _as_prune(case):
    return QuirkCase(case.name, case.covers, case.make, case.numeric, case.mixed, case.pruner,
                     action="prune", n_rows=max(case.n_rows, 1), n_samples=case.n_samples,
                     trained=False, params=case.params)


def run_quirks(subjects=None, cases=None, random_state=0):
    """Run every subject on every case that applies to it.

    Parameters
    ----------
    subjects : list of QuirkSubject, default=None
        Defaults to :func:`quirk_subjects`.
    cases : list of QuirkCase, default=None
        Defaults to :func:`quirk_cases`.
    random_state : int, default=0
        Seed of the tables (the holdout reference uses ``random_state + 10007``).

    Returns
    -------
    results : list of QuirkResult
    """
    subjects = quirk_subjects(random_state) if subjects is None else subjects
    cases = quirk_cases() if cases is None else cases
    results = []
    for subject in subjects:
        for case in cases:
            result = run_quirk(subject, case, random_state)
            if result is not None:
                results.append(result)
    return results


def tally_quirks(results):
    """Count the outcomes per subject, with the worst exact-copy rate vs its holdout.

    Returns
    -------
    tally : DataFrame
        One row per subject: ``tried``, one column per outcome, and
        ``max_copy_rate`` / ``holdout_rate`` of the table where the copy rate exceeds
        the holdout rate the most.
    """
    frame = pd.DataFrame([vars(r) for r in results])
    rows = []
    for subject, group in frame.groupby("subject", sort=False):
        row = {"subject": subject, "tried": len(group)}
        row.update({o: int((group.outcome == o).sum()) for o in OUTCOMES})
        rated = group.dropna(subset=["copy_rate"])
        if len(rated):
            worst = rated.loc[(rated.copy_rate - rated.holdout_rate).idxmax()]
            row.update(max_copy_rate=worst.copy_rate, holdout_rate=worst.holdout_rate,
                       worst_table=worst.case)
        else:
            row.update(max_copy_rate=np.nan, holdout_rate=np.nan, worst_table="")
        rows.append(row)
    return pd.DataFrame(rows).set_index("subject")
