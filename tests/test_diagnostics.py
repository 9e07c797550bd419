"""sksynth.metrics.diagnose: validity checks and warnings when a generator clearly failed."""

import numpy as np
import pandas as pd
import pytest

from sksynth.constraints import Inequality
from sksynth.generators import GaussianCopulaGenerator
from sksynth.metrics import diagnose, evaluate

N = 3000


def _draw(rng, n=N):
    """A mixed table: a continuous pair, an integer column, a category, a binary target."""
    x = rng.normal(size=n)
    return pd.DataFrame({
        "x": x,
        "age": np.clip(np.round(40 + 12 * rng.normal(size=n)), 17, 90).astype(int),
        "c": rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2]),
        "y": np.where(x + 0.5 * rng.normal(size=n) > 0, "yes", "no"),
    })


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(0)
    return _draw(rng), _draw(rng), _draw(rng)  # real, holdout, a fresh draw


def test_a_fresh_draw_of_the_real_distribution_gets_no_warning(tables):
    real, holdout, fresh = tables
    diagnosis = diagnose(real, fresh, holdout=holdout, target="y")
    assert diagnosis.warnings == []
    validity = diagnosis.validity.set_index("column")
    assert list(diagnosis.validity["check"]) == ["range", "range", "categories", "categories"]
    # a fresh draw falls outside the real range in a few rows only; categories all seen
    assert validity.loc["x", "value"] > 0.99 and validity.loc["c", "value"] == 1.0
    values = diagnosis.results.set_index("metric")["value"]
    assert values["detection_auc"] < 0.6 and 0.9 < values["dcr_ratio"] < 1.1


def test_a_collapsed_category_and_a_collapsed_number_are_flagged(tables):
    real, holdout, fresh = tables
    collapsed = fresh.assign(c="a")
    collapsed.loc[collapsed.index[: int(0.95 * N)], "age"] = 40
    found = diagnose(real, collapsed, holdout=holdout, detection=False).warnings
    category = [w for w in found if w.startswith("collapsed column 'c'")]
    assert len(category) == 1
    assert "category 'b' has 30" in category[0] and "0.0% of synthetic rows" in category[0]
    assert "1 more category likewise" in category[0] and "1/5" in category[0]
    number = [w for w in found if w.startswith("collapsed column 'age'")]
    assert len(number) == 1 and "the value 40 holds 95." in number[0]
    assert "of synthetic rows and 3." in number[0]  # 40 holds about 3% of real ages
    # a category that keeps more than 1/5 of its share is no collapse
    kept = fresh.copy()
    kept.loc[kept.index[: int(0.1 * N)], "c"] = "a"
    assert not [w for w in diagnose(real, kept, holdout=holdout, detection=False).warnings
                if w.startswith("collapsed")]


def test_a_copy_of_the_real_rows_gets_the_dcr_and_copy_warnings(tables):
    real, holdout, _ = tables
    found = diagnose(real, real, holdout=holdout, detection=False).warnings
    assert any(w.startswith("dcr_ratio 0.000 < 1") for w in found)
    assert any(w.startswith("exact_match_rate 100.00% > exact_match_rate_holdout 0.00%")
               for w in found)
    # without a holdout there is nothing to compare with
    assert diagnose(real, real, detection=False).warnings == []


def test_shuffled_columns_get_the_detection_warning(tables):
    real, holdout, fresh = tables
    rng = np.random.default_rng(1)

    def pair(t):  # a second, strongly correlated column: shuffling breaks the pair
        return t.assign(z=t["x"] + 0.1 * np.random.default_rng(2).normal(size=len(t)))

    shuffled = pair(fresh).apply(lambda col: col.to_numpy()[rng.permutation(len(col))])
    found = diagnose(pair(real), shuffled, holdout=pair(holdout)).warnings
    detection = [w for w in found if w.startswith("detection_auc")]
    assert len(detection) == 1 and ">= 0.95" in detection[0]


def test_a_target_cut_from_its_features_gets_the_utility_warning(tables):
    real, holdout, fresh = tables
    broken = fresh.assign(y=fresh["y"].to_numpy()[np.random.default_rng(3).permutation(N)])
    found = diagnose(real, broken, holdout=holdout, target="y", detection=False).warnings
    utility = [w for w in found if w.startswith("tstr_roc_auc")]
    assert len(utility) == 1 and "< trtr_roc_auc" in utility[0] and "- 0.1" in utility[0]


def test_constraint_validity_of_constrained_and_unconstrained_generators():
    rng = np.random.default_rng(4)
    low = rng.normal(size=2000)
    real = pd.DataFrame({"low": low, "high": low + rng.exponential(0.2, size=2000),
                         "g": rng.choice(["u", "v"], size=2000)})
    rule = Inequality("low", "high")
    plain = GaussianCopulaGenerator(random_state=0).fit(real)
    syn = plain.sample(2000, random_state=0)
    diagnosis = diagnose(real, syn, constraints=[rule], detection=False)
    row = diagnosis.validity[diagnosis.validity["check"] == "constraint"].iloc[0]
    assert row["column"] == repr(rule) and row["value"] < 1.0
    assert any(w.startswith(f"constraint {rule!r}:") and "threshold: 100%" in w
               for w in diagnosis.warnings)
    # no constraint given, none held by the generator: nothing to check
    assert "constraint" not in set(diagnose(real, syn, generator=plain,
                                            detection=False).validity["check"])
    constrained = GaussianCopulaGenerator(constraints=[rule], random_state=0).fit(real)
    diagnosis = diagnose(real, constrained.sample(2000, random_state=0),
                         generator=constrained, detection=False)
    row = diagnosis.validity[diagnosis.validity["check"] == "constraint"].iloc[0]
    assert row["value"] == 1.0 and not [w for w in diagnosis.warnings
                                        if w.startswith("constraint")]


def test_key_columns_must_stay_unique_and_fresh(tables):
    real, holdout, fresh = tables
    real = real.assign(id=np.arange(N))
    good = fresh.assign(id=np.arange(N, 2 * N))
    bad = fresh.assign(id=np.r_[np.arange(N // 2), np.full(N - N // 2, 10 * N)])
    ok = diagnose(real, good, detection=False)
    assert ok.validity.set_index("check").loc["key", "value"] == 1.0
    assert ok.warnings == []
    found = diagnose(real, bad, detection=False)
    assert found.validity.set_index("check").loc["key", "value"] == 0.0
    assert any(w.startswith("key column 'id': 0.0%") for w in found.warnings)
    # a continuous column is unique by chance: no key
    assert "key" not in set(diagnose(real.drop(columns="id"), fresh,
                                     detection=False).validity["check"])


def test_range_and_category_validity():
    real = pd.DataFrame({"n": np.arange(100.0),
                         "when": pd.date_range("2024-01-01", periods=100, freq="D"),
                         "c": ["a", "b"] * 50})
    syn = real.copy()
    syn.loc[:9, "n"] = 1000.0
    syn.loc[:19, "c"] = "new"
    syn.loc[:4, "when"] = pd.Timestamp("2030-01-01")
    validity = diagnose(real, syn, detection=False).validity
    assert list(validity["check"]) == ["range", "range", "categories", "key"]  # n: a key
    validity = validity[validity["check"] != "key"].set_index("column")
    assert validity.loc["n", "value"] == 0.9 and validity.loc["c", "value"] == 0.8
    assert validity.loc["when", "value"] == 0.95
    assert validity.loc["when", "detail"] == "real range [2024-01-01, 2024-04-09]"
    assert "1 categories not in real, e.g. 'new'" in validity.loc["c", "detail"]


def test_evaluate_returns_the_same_warnings_and_validity(tables):
    real, holdout, fresh = tables
    collapsed = fresh.assign(c="a")
    results = evaluate(real, collapsed, holdout=holdout, detection=False, n_bootstrap=10)
    diagnosis = diagnose(real, collapsed, holdout=holdout, detection=False)
    assert results.attrs["warnings"] == diagnosis.warnings != []
    assert results.attrs["validity"] == diagnosis.validity.to_dict("records")
    assert set(results["category"]) == {"fidelity", "privacy"}
    # the attrs survive concatenation of the tables of several generators
    both = pd.concat([results.assign(generator="a"), results.assign(generator="b")])
    assert len(both) == 2 * len(results)


def test_parameters_are_validated(tables):
    real, holdout, fresh = tables
    with pytest.raises(ValueError, match="max_samples"):
        diagnose(real, fresh, max_samples=3)
    with pytest.raises(ValueError, match="generator"):
        diagnose(real, fresh, generator="copula")
    with pytest.raises(ValueError, match="target was given without holdout"):
        diagnose(real, fresh, target="y")
