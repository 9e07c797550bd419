"""Metadata a CSV user can rely on (issue 21, item 2): dates in text, ordinals, overrides."""

import io
import warnings

import numpy as np
import pandas as pd
import pytest

from sksynth.generators import GaussianCopulaGenerator, TabularEncoder, TabularVAE
from sksynth.utils._columns import infer_type, text_datetime_format

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _csv_table(n=300, fmt="%d/%m/%Y", seed=0):
    """A table as read back from a CSV: the dates are text."""
    rng = np.random.default_rng(seed)
    when = pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 400, n), "D")
    frame = pd.DataFrame({"when": when.strftime(fmt), "x": rng.normal(size=n),
                          "year": rng.choice(["2019", "2020"], n),
                          "size": rng.choice(["S", "M", "L"], n)})
    frame.loc[[3, 9], "when"] = np.nan
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)), dtype={"year": str})


@pytest.mark.parametrize("fmt", ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d %b %Y",
                                 "%Y-%m-%d %H:%M:%S"])
def test_text_dates_are_datetimes_and_keep_their_format(fmt):
    X = _csv_table(fmt=fmt)
    assert text_datetime_format(X["when"]) == fmt
    gen = GaussianCopulaGenerator(random_state=0).fit(X)
    assert gen.column_types_["when"] == "datetime"
    rows = gen.sample(500)
    assert rows["when"].dtype == X["when"].dtype
    observed = rows["when"].dropna()
    parsed = pd.to_datetime(observed, format=fmt)  # raises if a value is not in fmt
    train = pd.to_datetime(X["when"].dropna(), format=fmt)
    assert parsed.min() >= train.min() and parsed.max() <= train.max()
    assert observed.nunique() > 50  # a distribution of dates, not a few replayed strings
    assert 0 < rows["when"].isna().mean() < 0.05  # 2 of 300 missing in fit


def test_text_that_is_not_a_date_stays_categorical():
    assert infer_type(pd.Series(["2019", "2020", "2019"], dtype=object)) == "categorical"
    assert infer_type(pd.Series(["12:30", "13:00"], dtype=object)) == "categorical"
    assert infer_type(pd.Series(["2020-01-03", "soon"], dtype=object)) == "categorical"
    assert infer_type(pd.Series(["2020-01-03+01:00", "2020-01-04+01:00"])) == "categorical"


def test_ordered_categoricals_are_ordinal_and_keep_their_order():
    rng = np.random.default_rng(0)
    size = pd.Categorical(rng.choice(["S", "M", "L"], 400), categories=["S", "M", "L"],
                          ordered=True)
    X = pd.DataFrame({"size": size, "x": rng.normal(size=400)})
    gen = GaussianCopulaGenerator(random_state=0).fit(X)
    assert gen.column_types_["size"] == "ordinal"
    rows = gen.sample(200)
    assert rows["size"].dtype == X["size"].dtype and rows["size"].cat.ordered
    enc = TabularEncoder().fit(X)
    assert enc.column_types_["size"] == "ordinal"


def test_declared_types_override_the_inference():
    X = _csv_table()
    gen = GaussianCopulaGenerator(column_types={"when": "categorical", "size": "ordinal"},
                                  random_state=0).fit(X)
    assert gen.column_types_["when"] == "categorical"
    assert gen.column_types_["size"] == "ordinal"
    assert set(gen.sample(100)["when"].dropna()) <= set(X["when"].dropna())


def test_neural_generators_read_text_dates_too():
    X = _csv_table()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gen = TabularVAE(epochs=2, random_state=0).fit(X)
    assert gen.column_types_["when"] == "datetime"
    pd.to_datetime(gen.sample(100)["when"].dropna(), format="%d/%m/%Y")


def test_conditioning_a_neural_generator_on_a_date_names_its_type():
    X = _csv_table()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gen = TabularVAE(epochs=1, random_state=0).fit(X)
    with pytest.raises(ValueError, match="cannot condition datetime column 'when'"):
        gen.sample(3, conditions={"when": "01/04/2021"})


def test_integer_codes_with_few_levels_are_categorical():
    # survey answers 1-7 and a 0/1 flag from a CSV: codes, not measurements
    rng = np.random.default_rng(0)
    n = 400
    answer = rng.choice([1, 2, 3, 4, 5, 6, 7], n, p=[.3, .05, .05, .1, .05, .05, .4])
    frame = pd.DataFrame({"answer": answer, "flag": rng.integers(0, 2, n),
                          "year": rng.choice([2007, 2008, 2009], n),
                          "age": rng.integers(18, 90, n), "x": rng.normal(size=n)})
    X = pd.read_csv(io.StringIO(frame.to_csv(index=False)))
    gen = GaussianCopulaGenerator(random_state=0).fit(X)
    assert gen.column_types_ == {"answer": "categorical", "flag": "categorical",
                                 "year": "categorical", "age": "integer", "x": "numeric"}
    rows = gen.sample(4000)
    assert (rows.dtypes == X.dtypes).all()
    # the U-shaped answers keep their shape: 30% and 40% at the ends, 5% in between
    share = rows["answer"].value_counts(normalize=True)
    expected = X["answer"].value_counts(normalize=True)
    np.testing.assert_allclose(share.reindex(expected.index), expected, atol=0.03)
    assert set(rows["year"]) == {2007, 2008, 2009}
    # a declared type wins
    numeric = GaussianCopulaGenerator(column_types={"answer": "integer"},
                                      random_state=0).fit(X)
    assert numeric.column_types_["answer"] == "integer"


def test_integer_codes_rule():
    from sksynth.utils._columns import MAX_CODE_LEVELS, is_integer_coded

    assert is_integer_coded(pd.Series([1, 2, 1, 2]))
    assert is_integer_coded(pd.Series(list(range(MAX_CODE_LEVELS)) * 2))
    assert not is_integer_coded(pd.Series(list(range(MAX_CODE_LEVELS + 1)) * 5))
    assert not is_integer_coded(pd.Series([1, 2, 3, 4, 5]))  # five distinct numbers
    assert is_integer_coded(pd.Series([1, None, 2, 1, 2, None], dtype="Int64"))
    assert not is_integer_coded(pd.Series([None, None], dtype="Int64"))


def test_integer_arrays_stay_integers():
    # an ndarray has no column semantics to go by: sklearn reads it as numbers
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 3, 200), rng.normal(size=200)])
    gen = GaussianCopulaGenerator(random_state=0).fit(X.astype(np.int64))
    assert set(gen.column_types_.values()) == {"integer"}


def test_amounts_that_are_mostly_zero_stay_numbers():
    from sksynth.utils._columns import is_integer_coded

    gain = pd.Series([0] * 95 + [2174, 14084, 5178, 2174, 7688])
    assert not is_integer_coded(gain)
    assert is_integer_coded(pd.Series([1, 2, 3, 5, 9] * 4))  # 9: no answer
