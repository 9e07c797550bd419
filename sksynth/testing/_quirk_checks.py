"""Value checks of the quirky-table catalogue: what a run's output must satisfy.

Each check takes the run's context (``ctx.X``, ``ctx.y``: the fitted table;
``ctx.out``, ``ctx.y_out``: what the estimator returned; ``ctx.case``) and
raises ``AssertionError`` saying what is wrong. Its docstring is the
one-line description that :meth:`~sksynth.testing.Expect.describe` shows;
:func:`_all` chains several.
"""

import numpy as np
import pandas as pd
from scipy import sparse


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
