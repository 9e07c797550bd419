"""Running an estimator on a quirky table and saying how it took it.

A :class:`QuirkCase` makes a small table and states, per kind of estimator,
what must happen (an :class:`Expect`): the estimator runs and a value check
on its output holds, or it raises a given error type whose message matches a
regular expression naming the column and the fix. :func:`run_quirk` fits one
:class:`QuirkSubject` on one case and classifies the outcome
(:class:`QuirkResult`):

- ``"pass"``: ran, and the value check held;
- ``"clear-error"``: raised one of the expected errors;
- ``"obscure-error"``: raised an error of another type, or whose message does
  not match (names neither the column nor the fix);
- ``"silent-wrong"``: ran, but the value check failed, an expected error was
  not raised, or sampled rows copy training rows more often than a second
  sample of the same process does (the holdout reference).

:func:`tally_quirks` counts the outcomes per subject. The catalogue of cases
and subjects, and :func:`run_quirks` over it, are in :mod:`._quirk_catalogue`;
the value checks in :mod:`._quirk_checks`.
"""

import re
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import clone

from ._quirk_checks import _frame

__all__ = [
    "Expect",
    "QuirkCase",
    "QuirkResult",
    "QuirkSubject",
    "exact_copy_rate",
    "run_quirk",
    "tally_quirks",
]

OUTCOMES = ("pass", "clear-error", "obscure-error", "silent-wrong")


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
