"""Constraints (sksynth.constraints): every sampled row valid, marginals kept, conditions.

Issue 21, item 1. The tables plant rules that an unconstrained generator breaks (the
"without" tests show it), so the 100% checks can fail.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from sksynth.constraints import BaseConstraint, FixedCombinations, Inequality, Range
from sksynth.generators import (
    ConditionalTabularGAN,
    GaussianCopulaGenerator,
    LipschitzVAE,
    TabularVAE,
)
from sksynth.inference import DebiasedGenerator, MeanTarget

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _table(n=400, seed=0):
    """Prices with low <= high, an age in [18, 89], species living on some islands, dates."""
    rng = np.random.default_rng(seed)
    low = rng.normal(10, 2, n)
    species = rng.choice(["Adelie", "Gentoo", "Chinstrap"], n)
    island = np.where(species == "Adelie", rng.choice(["Dream", "Torgersen"], n),
                      np.where(species == "Gentoo", "Biscoe", "Dream"))
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 100, n), "D")
    return pd.DataFrame({
        "min_price": low,
        "max_price": low + rng.exponential(1.0, n),
        "age": rng.integers(18, 90, n),
        "species": species,
        "island": island,
        "start": start,
        "end": start + pd.to_timedelta(rng.integers(0, 30, n), "D"),
    })


CONSTRAINTS = [Inequality("min_price", "max_price"), Range("age", 18, 89),
               FixedCombinations(["species", "island"]), Inequality("start", "end")]


def _validity(real, rows):
    """Share of rows satisfying each planted rule."""
    pairs = set(zip(real["species"], real["island"]))
    return {
        "prices": float((rows["min_price"] <= rows["max_price"]).mean()),
        "age": float(rows["age"].between(18, 89).mean()),
        "pairs": float(np.mean([p in pairs for p in zip(rows["species"], rows["island"])])),
        "dates": float((rows["start"] <= rows["end"]).mean()),
    }


GENERATORS = {
    "copula": lambda c: GaussianCopulaGenerator(constraints=c, random_state=0),
    "vae": lambda c: TabularVAE(constraints=c, epochs=5, random_state=0),
    "gan": lambda c: ConditionalTabularGAN(constraints=c, epochs=3, random_state=0),
    "lipschitz": lambda c: LipschitzVAE(constraints=c, epochs=3, random_state=0),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_every_sampled_row_is_valid(name):
    real = _table()
    gen = GENERATORS[name](CONSTRAINTS).fit(real)
    rows = gen.sample(3000)
    assert list(rows.columns) == list(real.columns)
    assert rows.dtypes.tolist() == real.dtypes.tolist()
    assert _validity(real, rows) == {"prices": 1.0, "age": 1.0, "pairs": 1.0, "dates": 1.0}
    assert gen.column_types_["start"] == "datetime"
    assert gen.column_types_["species"] == "categorical"
    assert np.isfinite(gen.score(real))


def test_the_dp_sgd_vae_takes_constraints_too():
    from sksynth.generators import DPSGDVAE

    real = _table(300)
    gen = DPSGDVAE(constraints=CONSTRAINTS, epochs=1, target_epsilon=50.0,
                   random_state=0).fit(real)
    assert min(_validity(real, gen.sample(1000)).values()) == 1.0


def test_without_constraints_the_rules_break():
    """The planted rules are not kept by chance: an unconstrained fit breaks each."""
    real = _table()
    rows = GaussianCopulaGenerator(random_state=0).fit(real).sample(3000)
    validity = _validity(real, rows)
    assert validity["prices"] < 0.95 and validity["pairs"] < 0.95
    assert validity["dates"] < 0.95


def test_marginals_of_constrained_columns_still_match():
    real = _table(2000, seed=1)
    rows = GaussianCopulaGenerator(constraints=CONSTRAINTS, random_state=0).fit(
        real).sample(4000)
    for column in ("min_price", "max_price", "age"):
        assert stats.ks_2samp(real[column], rows[column]).statistic < 0.06, column
    gap = rows["max_price"] - rows["min_price"]
    assert stats.ks_2samp(real["max_price"] - real["min_price"], gap).statistic < 0.06
    share = pd.crosstab(rows["species"], rows["island"], normalize=True)
    truth = pd.crosstab(real["species"], real["island"], normalize=True)
    # multinomial sampling error of 4000 rows: sd <= 0.008 per cell
    assert np.abs(share.reindex_like(truth).fillna(0) - truth).to_numpy().max() < 0.035


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), integer=st.booleans(), strict=st.booleans(),
       ties=st.booleans())
def test_planted_inequality_and_range_hold_on_random_tables(seed, integer, strict, ties):
    rng = np.random.default_rng(seed)
    n = 120
    low = rng.normal(0, 50, n)
    gap = rng.exponential(5, n)
    if ties:
        gap[: n // 4] = 0.0
    if strict:
        gap = gap + (1.0 if integer else 1e-3)
    X = pd.DataFrame({"low": low, "high": low + gap, "share": rng.uniform(0.1, 0.9, n)})
    if integer:
        X["low"] = np.floor(X["low"]).astype(np.int64)
        X["high"] = X["low"] + np.ceil(gap).astype(np.int64)
    X["high"] = X["high"].astype(X["low"].dtype)
    constraints = [Inequality("low", "high", strict=strict), Range("share", 0.1, 0.9)]
    gen = GaussianCopulaGenerator(constraints=constraints, random_state=seed).fit(X)
    rows = gen.sample(500)
    assert ((rows["high"] > rows["low"]) if strict else (rows["high"] >= rows["low"])).all()
    assert rows["share"].between(0.1, 0.9).all()
    assert rows.dtypes.tolist() == X.dtypes.tolist()


@pytest.mark.parametrize("constraint", CONSTRAINTS, ids=repr)
def test_transform_then_inverse_gives_the_rows_back(constraint):
    from sksynth.constraints._base import ConstraintSet

    real = _table(200)
    cs = ConstraintSet([constraint], None, "test")
    model, _ = cs.fit(real, real)
    back = cs.inverse(model)
    for column in constraint.columns:
        if real[column].dtype.kind == "f":
            np.testing.assert_allclose(back[column], real[column], rtol=1e-9, atol=1e-9)
        else:
            assert (back[column].to_numpy() == real[column].to_numpy()).all(), column


def test_violating_training_rows_raise_by_default_and_drop_on_request():
    real = _table(200)
    real.loc[[3, 7], "max_price"] = real.loc[[3, 7], "min_price"] - 1
    with pytest.raises(ValueError, match=r"2 training row\(s\) violate Inequality.*rows \[3, 7\]"
                                         r".*on_violation='drop'"):
        GaussianCopulaGenerator(constraints=[Inequality("min_price", "max_price")]).fit(real)
    y = np.arange(200) % 2
    gen = GaussianCopulaGenerator(
        constraints=[Inequality("min_price", "max_price", on_violation="drop")],
        random_state=0)
    with pytest.warns(UserWarning, match="dropped 2 of 200 training rows"):
        gen.fit(real, y)
    rows, labels = gen.sample(500)
    assert (rows["min_price"] <= rows["max_price"]).all() and len(labels) == 500


def test_conditions_are_translated_through_the_constraints():
    real = _table()
    gen = GaussianCopulaGenerator(constraints=CONSTRAINTS, random_state=0).fit(real)
    some = gen.sample(300, conditions={"species": "Adelie"})
    assert (some["species"] == "Adelie").all()
    assert set(some["island"]) == {"Dream", "Torgersen"}  # both of its islands, no other
    both = gen.sample(50, conditions={"species": "Gentoo", "island": "Biscoe"})
    assert (both["island"] == "Biscoe").all()
    ranged = gen.sample(20, conditions={"age": 40})
    assert (ranged["age"] == 40).all()
    prices = gen.sample(20, conditions={"min_price": 9.0, "max_price": 12.5})
    np.testing.assert_allclose(prices["max_price"], 12.5)
    np.testing.assert_allclose(prices["min_price"], 9.0)
    low_only = gen.sample(200, conditions={"min_price": 9.0})
    assert (low_only["max_price"] >= 9.0).all()
    with pytest.raises(ValueError, match="never seen in training"):
        gen.sample(5, conditions={"species": "Gentoo", "island": "Dream"})
    with pytest.raises(ValueError, match="cannot condition on 'max_price' alone"):
        gen.sample(5, conditions={"max_price": 12.0})
    with pytest.raises(ValueError, match="outside Range"):
        gen.sample(5, conditions={"age": 95})


def test_conditions_of_the_neural_generators_go_through_combinations():
    real = _table()
    gen = TabularVAE(constraints=CONSTRAINTS, epochs=3, random_state=0).fit(real)
    rows = gen.sample(200, conditions={"species": "Adelie"})
    assert (rows["species"] == "Adelie").all()
    assert set(rows["island"]) <= {"Dream", "Torgersen"}


class SumOf(BaseConstraint):
    """A user-written constraint: ``total == a + b``; the model never sees ``total``."""

    def __init__(self, a, b, total):
        self.a, self.b, self.total = a, b, total

    @property
    def columns(self):
        return [self.a, self.b, self.total]

    @property
    def rewrites(self):
        return [self.total]

    def is_valid(self, X):
        return np.isclose(X[self.a] + X[self.b], X[self.total])

    def transform(self, X):
        return X.drop(columns=[self.total])

    def inverse_transform(self, Xt):
        out = Xt.copy()
        out[self.total] = out[self.a] + out[self.b]
        return out


def test_a_user_written_constraint_follows_the_protocol():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    X["total"] = X["a"] + X["b"]
    gen = GaussianCopulaGenerator(constraints=[SumOf("a", "b", "total")], random_state=0)
    rows = gen.fit(X).sample(500)
    assert list(rows.columns) == ["a", "b", "total"]
    np.testing.assert_allclose(rows["a"] + rows["b"], rows["total"])
    with pytest.raises(ValueError, match=r"cannot condition on \['total'\].*rewrites"):
        gen.sample(3, conditions={"total": 1.0})


def test_numpy_input_keeps_its_container():
    rng = np.random.default_rng(0)
    low = rng.normal(size=300)
    X = np.column_stack([low, low + rng.exponential(size=300)])
    gen = GaussianCopulaGenerator(constraints=[Inequality(0, 1)], random_state=0).fit(X)
    rows = gen.sample(400)
    assert isinstance(rows, np.ndarray) and rows.dtype == np.float64
    assert (rows[:, 1] >= rows[:, 0]).all()


def test_scores_forbid_invalid_rows_and_pickling_keeps_the_constraints():
    real = _table()
    gen = GaussianCopulaGenerator(constraints=CONSTRAINTS, random_state=0).fit(real)
    bad = real.iloc[:3].copy()
    bad["max_price"] = bad["min_price"] - 1
    assert np.isneginf(gen.score_samples(bad)).all()
    assert np.isfinite(gen.score_samples(real.iloc[:3])).all()
    again = pickle.loads(pickle.dumps(gen))
    pd.testing.assert_frame_equal(again.sample(50, random_state=1), gen.sample(50, random_state=1))
    assert CONSTRAINTS[0].__dict__.keys() == Inequality("a", "b").__dict__.keys()  # unfitted


def test_score_includes_the_jacobian_of_the_rewriting():
    """A copula on one column with Range(0, 1): the score is a density of x, not of logit x.

    The density of x integrates to 1 over [0, 1]; that of the logit would not.
    """
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"share": rng.beta(2, 5, 2000)})
    gen = GaussianCopulaGenerator(marginals="kde", constraints=[Range("share", 0, 1)],
                                  random_state=0).fit(X)
    grid = pd.DataFrame({"share": np.linspace(0.0005, 0.9995, 2000)})
    mass = np.exp(gen.score_samples(grid)).mean()  # Riemann sum over [0, 1]
    assert abs(mass - 1.0) < 0.05


def test_debiased_generator_samples_through_its_generators_constraints():
    real = _table(600)[["min_price", "max_price", "age", "species", "island"]]
    inner = GaussianCopulaGenerator(constraints=[Inequality("min_price", "max_price"),
                                                 FixedCombinations(["species", "island"])])
    gen = DebiasedGenerator(inner, targets=[MeanTarget("age")], n_aux=20_000,
                            random_state=0).fit(real)
    rows = gen.sample(2000)
    assert (rows["min_price"] <= rows["max_price"]).all()
    assert set(zip(rows["species"], rows["island"])) <= set(zip(real["species"],
                                                                real["island"]))
    # the debiasing shift of a constrained column can break the rule: said, not hidden
    gen = DebiasedGenerator(inner, targets=[MeanTarget("max_price")], n_aux=20_000,
                            random_state=0).fit(real)
    gen._parts[0].corrections["mean(max_price)"] = -5.0
    with pytest.warns(UserWarning, match=r"shift.*violate Inequality"):
        gen.sample(2000)


def test_private_generators_record_whether_the_constraints_are_public():
    real = _table(300)
    pairs = sorted(set(zip(real["species"], real["island"])))
    public = [Range("age", 18, 89), FixedCombinations(["species", "island"],
                                                      combinations=pairs)]
    gen = LipschitzVAE(constraints=public, epochs=1, random_state=0).fit(real)
    entry = [r for r in gen.privacy_report_.rows if r["step"] == "constraints"]
    assert entry and entry[0]["status"] == "public"
    gen = LipschitzVAE(constraints=[FixedCombinations(["species", "island"])], epochs=1,
                       random_state=0).fit(real)
    entry = [r for r in gen.privacy_report_.rows if r["step"] == "constraints"]
    assert entry[0]["status"] == "not_private"


def test_bad_constraints_get_clear_errors():
    real = _table(100)
    with pytest.raises(ValueError, match="names a column 'nope'"):
        GaussianCopulaGenerator(constraints=[Range("nope", 0, 1)]).fit(real)
    with pytest.raises(ValueError, match="'species' is categorical"):
        GaussianCopulaGenerator(constraints=[Inequality("species", "age")]).fit(real)
    with pytest.raises(ValueError, match="both rewrite column 'age'"):
        GaussianCopulaGenerator(constraints=[Range("age", 0, 100), Range("age", 1, 99)]).fit(real)
    with pytest.raises(TypeError, match="is not a constraint"):
        GaussianCopulaGenerator(constraints=[object()]).fit(real)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GaussianCopulaGenerator(constraints=[Inequality("min_price", "max_price")]).fit(real)


def test_model_files_keep_the_constraints():
    """``sksynth fit`` model files (no pickle) rebuild constrained generators exactly."""
    from sksynth._persistence import dumps, loads

    real = _table(300)
    gen = GaussianCopulaGenerator(constraints=CONSTRAINTS, random_state=0).fit(real)
    again = loads(dumps(gen))
    pd.testing.assert_frame_equal(again.sample(40, random_state=2), gen.sample(40, random_state=2))
