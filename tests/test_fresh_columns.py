"""Columns never modelled: identifiers, semantic types, all-missing; exact big integers."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from sksynth.base import PrivacyWarning
from sksynth.generators import GaussianCopulaGenerator, TabularEncoder, TabularVAE
from sksynth.generators._fresh import _looks_like_id
from sksynth.utils._integers import _float_to_int


def _orders(n=200, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "order_id": [f"ORD-{i:05d}-X" for i in rng.permutation(n)],
        "customer_id": rng.choice(10**9, size=n, replace=False).astype(np.int64),
        "amount": rng.gamma(2.0, 30.0, n),
        "shop": rng.choice(["north", "south", "east"], n),
    })


def _fit(generator, X, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrivacyWarning)
        return generator.fit(X, *args)


# ---------------------------------------------------------------------------
# the inference rule
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("values, name, expected", [
    ([f"u{i}" for i in range(30)], "user", True),              # distinct text
    ([f"u{i % 10}" for i in range(30)], "user", False),        # repeated text
    ([f"u{i}" for i in range(8)], "user", False),              # too few rows to tell
    (list(range(100, 130)), "n", True),                        # a counter fills its range
    (list(np.arange(30) * 7919 + 3), "customerId", True),       # named like an id
    (list(np.arange(30) * 7919 + 3), "income", False),          # distinct, spread: measured
    (list(range(29)) + [3], "id", False),                      # one repeat: not an id
])
def test_identifier_inference_rule(values, name, expected):
    series = pd.Series(values, name=name)
    kind = "categorical" if isinstance(values[0], str) else "integer"
    assert _looks_like_id(series, kind) is expected


def test_float_and_categorical_columns_are_never_inferred_ids():
    assert not _looks_like_id(pd.Series(np.arange(30.0) + 0.5, name="id"), "numeric")
    codes = pd.Series([f"c{i}" for i in range(30)], name="code", dtype="category")
    assert not _looks_like_id(codes, "categorical")


# ---------------------------------------------------------------------------
# fresh ids
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: GaussianCopulaGenerator(random_state=0),
    lambda: TabularVAE(epochs=2, batch_size=50, random_state=0),
])
def test_ids_are_fresh_unique_and_in_format(make):
    X = _orders()
    with pytest.warns(PrivacyWarning, match="'order_id' looks like an identifier"):
        gen = make().fit(X)
    assert gen.column_types_["order_id"] == "id" and gen.column_types_["customer_id"] == "id"
    S = gen.sample(3000)
    assert list(S.columns) == list(X.columns) and (S.dtypes == X.dtypes).all()
    for column in ["order_id", "customer_id"]:
        assert not S[column].isin(X[column]).any()   # 100% were training ids before
        assert S[column].is_unique
    assert S["order_id"].str.fullmatch(r"ORD-\d{5}-X").all()
    assert S["customer_id"].between(X["customer_id"].min(), X["customer_id"].max()).all()
    # ids are drawn from the sampling stream: reproducible, and new with each call
    pd.testing.assert_frame_equal(gen.sample(50, random_state=3), gen.sample(50, random_state=3))
    assert not gen.sample(50)["order_id"].equals(gen.sample(50)["order_id"])


def test_counter_ids_continue_past_their_range_and_keep_missing_rate():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"row": np.arange(1, 401), "x": rng.normal(size=400),
                      "note": [None if i % 4 == 0 else f"free text {i} by {i * 7}"
                               for i in range(400)]})
    gen = _fit(GaussianCopulaGenerator(random_state=0), X)
    assert gen.column_types_["row"] == "id" and gen.column_types_["note"] == "id"
    S = gen.sample(2000)
    assert not S["row"].isin(X["row"]).any() and S["row"].is_unique and S["row"].min() > 400
    observed = S["note"].dropna()
    assert not observed.isin(X["note"]).any()
    assert observed.str.fullmatch(r"[a-z]{4} [a-z]{4} \d+ [a-z]{2} \d+").all()
    # missing rate 0.25, within 4 binomial SEs of 2000 draws
    assert abs(S["note"].isna().mean() - 0.25) < 4 * np.sqrt(0.25 * 0.75 / 2000)


def test_declared_id_and_declared_model_override_inference():
    X = _orders()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyWarning)  # declared: no warning
        gen = GaussianCopulaGenerator(random_state=0, column_types={
            "order_id": "categorical", "customer_id": "id", "shop": "id"}).fit(X)
    S = gen.sample(500)
    assert S["order_id"].isin(X["order_id"]).all()  # modelled, as asked: replayed
    assert not S["shop"].isin(X["shop"]).any()


def test_conditions_on_hidden_columns_and_tables_of_ids_only_are_refused():
    gen = _fit(GaussianCopulaGenerator(), _orders())
    with pytest.raises(ValueError, match="cannot condition on column 'order_id'.*'id'"):
        gen.sample(3, conditions={"order_id": "ORD-00001-X"})
    ids = _orders()[["order_id"]]  # nothing to model: fresh ids only
    S = _fit(GaussianCopulaGenerator(random_state=0), ids).sample(30)
    assert list(S.columns) == ["order_id"] and not S["order_id"].isin(ids["order_id"]).any()


def test_encoder_hides_ids_from_the_encoding():
    X = _orders()
    encoder = _fit(TabularEncoder(), X)
    names = encoder.get_feature_names_out()
    assert not any(name.startswith(("order_id", "customer_id")) for name in names)
    back = encoder.inverse_transform(encoder.transform(X), random_state=0)
    assert list(back.columns) == list(X.columns)
    assert not back["order_id"].isin(X["order_id"]).any()
    np.testing.assert_allclose(back["amount"], X["amount"], rtol=1e-6)


def test_semantic_types_come_from_faker_and_never_copy():
    pytest.importorskip("faker")
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"email": [f"person{i % 7}@example.org" for i in range(60)],
                      "x": rng.normal(size=60)})
    gen = GaussianCopulaGenerator(column_types={"email": "email"}, random_state=0).fit(X)
    S = gen.sample(200)
    assert gen.column_types_["email"] == "email"
    assert not S["email"].isin(X["email"]).any()
    assert S["email"].str.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+").all()
    pd.testing.assert_frame_equal(gen.sample(20, random_state=1), gen.sample(20, random_state=1))


def test_semantic_types_without_faker_fail_at_fit(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_faker(name, *args, **kwargs):
        if name == "faker":
            raise ImportError("no faker")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_faker)
    X = pd.DataFrame({"who": ["a", "b"] * 10, "x": np.arange(20.0)})
    with pytest.raises(ImportError, match=re.escape("pip install 'sksynth[faker]'")):
        GaussianCopulaGenerator(column_types={"who": "name"}).fit(X)


# ---------------------------------------------------------------------------
# all-missing columns and big integers
# ---------------------------------------------------------------------------
def test_all_missing_columns_stay_all_missing_with_their_dtype():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=100), "gone": np.nan,
                      "when": pd.Series([pd.NaT] * 100, dtype="datetime64[ns]"),
                      "text": pd.Series([None] * 100, dtype=object)})
    for gen in [GaussianCopulaGenerator(random_state=0),
                TabularVAE(epochs=2, batch_size=50, random_state=0)]:
        S = gen.fit(X).sample(300)
        assert S[["gone", "when", "text"]].isna().all().all()
        assert (S.dtypes == X.dtypes).all()


def test_integers_near_the_64_bit_limits_round_trip_exactly():
    rng = np.random.default_rng(0)
    top = np.iinfo(np.int64).max
    X = pd.DataFrame({
        "near_max": top - rng.integers(0, 50, 300),
        "near_min": np.iinfo(np.int64).min + rng.integers(0, 50, 300),
        "u64": (np.uint64(2**64 - 1) - rng.integers(0, 50, 300).astype(np.uint64)),
        "x": rng.normal(size=300),
    })
    assert X["near_max"].dtype == np.int64 and X["u64"].dtype == np.uint64
    gen = GaussianCopulaGenerator(random_state=0).fit(X)
    S = gen.sample(2000)
    assert (S.dtypes == X.dtypes).all()
    for column in ["near_max", "near_min", "u64"]:  # wrapped to -2**63 / 0 before
        assert S[column].min() >= X[column].min() and S[column].max() <= X[column].max()
        assert S[column].isin(X[column]).mean() > 0.9  # atoms: the values themselves
    assert S["near_max"].max() == X["near_max"].max()
    # an exact condition on a value float64 cannot hold
    value = int(X["near_max"].iloc[0])
    rows = gen.sample(5, conditions={"near_max": value})
    assert (rows["near_max"] == value).all()
    encoder = TabularEncoder().fit(X)
    back = encoder.inverse_transform(encoder.transform(X))
    pd.testing.assert_series_equal(back["u64"], X["u64"])
    pd.testing.assert_series_equal(back["near_min"], X["near_min"])


def test_float_to_int_never_wraps():
    huge = np.array([1e30, -1e30, 9.3e18, 2.0**63])
    out = _float_to_int(huge, np.int64)
    assert (out[[0, 2, 3]] > 0).all() and out[1] < 0
    assert out[0] <= np.iinfo(np.int64).max
    assert _float_to_int(np.array([2.0**64, -5.0]), np.uint64).tolist() == [
        2**64 - 2048, 0]


def test_model_files_keep_fresh_columns_and_offsets(tmp_path):
    pytest.importorskip("faker")
    from sksynth.cli import load_model, save_model

    X = _orders().assign(big=lambda d: np.iinfo(np.int64).max - np.arange(len(d)),
                         email=[f"p{i % 9}@example.org" for i in range(200)])
    gen = _fit(GaussianCopulaGenerator(column_types={"email": "email"}, random_state=0), X)
    path = tmp_path / "ids.skm"
    save_model({"generator": gen}, str(path))
    loaded = load_model(str(path))[1]["generator"]
    pd.testing.assert_frame_equal(loaded.sample(40, random_state=2), gen.sample(40, random_state=2))
