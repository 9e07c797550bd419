"""Quirky tables (issue 19) over every public generator and pruner.

Each (estimator, case) pair runs :func:`sksynth.testing.run_quirk`: the
estimator must either produce output that passes the case's value check
(all-missing stays all-missing, constants stay exact, ids fresh and unique,
int64 near 2**63 without wrapping, missing rates within 4 binomial SEs, no
replay of a one-member class, exact copies of training rows no more frequent
than in a holdout sample of the same process), or raise the expected error
type with a message naming the column and the fix. The CLI cases (semicolon
CSV, overwrite, compressed summary, forged model) live in tests/test_cli.py.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from sksynth.testing import (
    QuirkSubject,
    exact_copy_rate,
    quirk_cases,
    quirk_subjects,
    run_quirk,
    tally_quirks,
)

# one torch thread for the small networks (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_torch_thread")

CASES = {case.name: case for case in quirk_cases()}
SUBJECTS = {subject.name: subject for subject in quirk_subjects(random_state=0)}
PAIRS = [(s, c) for s, subject in SUBJECTS.items() for c, case in CASES.items()
         if case.expect_for(subject.kind) is not None]


@pytest.mark.parametrize("subject_name, case_name", PAIRS,
                         ids=[f"{s}-{c}" for s, c in PAIRS])
def test_quirky_table(subject_name, case_name):
    result = run_quirk(SUBJECTS[subject_name], CASES[case_name], random_state=0)
    assert result.outcome in ("pass", "clear-error"), f"{result.outcome}: {result.message}"


def test_catalogue_covers_the_issue_and_the_extras():
    expected = {
        "string_id", "integer_id", "one_member_classes", "one_row", "int64_near_max",
        "uint64_near_max", "all_missing_column", "missing_rates", "constant_column",
        "near_constant_column", "unseen_category_score", "string_column", "datetime_column",
        "tz_datetime_column", "timestamp_objects", "timedelta_column", "bool_column",
        "mixed_object_column", "sparse_input", "zero_columns", "duplicate_column_names",
        "integer_column_names", "tuple_column_names", "values_near_1e300",
        "sequence_one_step", "sequence_values_near_1e300",
    }
    assert expected <= set(CASES)
    kinds = {subject.kind for subject in SUBJECTS.values()}
    assert {"numeric", "mixed", "pruner"} <= kinds
    assert {"GaussianCopulaGenerator", "GaussianGenerator", "GaussianMixtureGenerator",
            "DistancePruner"} <= set(SUBJECTS)


# ---------------------------------------------------------------------------
# the runner classifies what it sees (stand-in generators with known faults)
# ---------------------------------------------------------------------------
class _Replayer(BaseEstimator):
    """Returns training rows: a generator that leaks."""

    def __init__(self, fault="replay"):
        self.fault = fault

    def fit(self, X, y=None):
        if self.fault == "obscure":
            raise RuntimeError("could not convert string to float: 'u'")
        if self.fault == "clear" and not all(map(pd.api.types.is_numeric_dtype, X.dtypes)):
            raise TypeError("column 'city' holds strings; use GaussianCopulaGenerator")
        self.X_ = X
        return self

    def sample(self, n_samples=1):
        rows = np.arange(n_samples) % len(self.X_)
        out = self.X_.iloc[rows].reset_index(drop=True)
        if self.fault == "widen":
            out["const"] = np.linspace(7.4, 7.6, n_samples)
        return out


def _subject(fault, kind="numeric"):
    return QuirkSubject("Fake", _Replayer(fault), kind)


def test_runner_flags_replayed_rows_against_the_holdout_rate():
    result = run_quirk(_subject("replay"), CASES["numeric_baseline"])
    assert result.outcome == "silent-wrong"
    assert result.copy_rate == 1.0 and result.holdout_rate == 0.0
    assert "100.0% of sampled rows are training rows" in result.message


def test_runner_flags_replayed_ids():
    result = run_quirk(_subject("replay", "mixed"), CASES["string_id"])
    assert result.outcome == "silent-wrong"
    assert "100.0% of synthetic 'order_id' are training ids" in result.message


def test_runner_flags_an_obscure_error_and_accepts_a_clear_one():
    obscure = run_quirk(_subject("obscure"), CASES["string_column"])
    assert obscure.outcome == "obscure-error"
    assert obscure.message.startswith("RuntimeError: could not convert string to float")
    clear = run_quirk(_subject("clear"), CASES["string_column"])
    assert clear.outcome == "clear-error", clear.message


def test_runner_flags_a_missing_error_and_a_wrong_value():
    # a numeric-only generator that silently takes strings
    silent = run_quirk(_subject("replay"), CASES["string_column"])
    assert silent.outcome == "silent-wrong"
    assert silent.message.startswith("ran without the expected error")
    # the constant 7.5 comes back spread over [7.4, 7.6]
    wrong = run_quirk(_subject("widen"), CASES["constant_column"])
    assert wrong.outcome == "silent-wrong"
    assert "came back spread over [7.4" in wrong.message


def test_exact_copy_rate_and_tally():
    train = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": ["x", "y", "z"]})
    new = pd.DataFrame({"a": [np.nan, 3.0, 3.0, 1.0], "b": ["y", "z", "x", "y"]})
    assert exact_copy_rate(new, train) == 0.5  # NaN equals NaN; (3, "x") is new
    results = [run_quirk(_subject("replay"), CASES[name])
               for name in ("numeric_baseline", "string_column")]
    tally = tally_quirks(results)
    assert tally.loc["Fake", "tried"] == 2
    assert tally.loc["Fake", "silent-wrong"] == 2
    assert tally.loc["Fake", "max_copy_rate"] == 1.0
