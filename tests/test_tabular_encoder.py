"""Tests of TabularEncoder: round trips on mixed frames, layout, errors."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sksynth.datasets import load_adult
from sksynth.generators import TabularEncoder

KINDS = ["float", "int", "category", "string", "bool", "datetime", "all_missing", "constant",
         "single_category"]


def _column(kind, n, rng, with_missing):
    if kind == "float":
        values = pd.Series(rng.lognormal(size=n))
    elif kind == "int":
        values = pd.Series(rng.integers(-5, 50, size=n))
    elif kind == "category":
        values = pd.Series(pd.Categorical(rng.choice(["x", "y", "z"], size=n),
                                          categories=["z", "y", "x", "unused"]))
    elif kind == "string":
        values = pd.Series(rng.choice(["red", "green", "blue", "na"], size=n), dtype=object)
    elif kind == "bool":
        values = pd.Series(rng.random(n) < 0.3)
    elif kind == "datetime":
        values = pd.Series(pd.Timestamp("2020-01-01")
                           + pd.to_timedelta(rng.integers(0, 1000, size=n), unit="D"))
    elif kind == "all_missing":
        return pd.Series(np.full(n, np.nan))
    elif kind == "constant":
        values = pd.Series(np.full(n, 7.5))
    else:
        values = pd.Series(["only"] * n, dtype=object)
    if with_missing and n > 1 and kind not in ("int", "bool"):
        values = values.copy()
        values.iloc[rng.random(n) < 0.3] = None
    return values


mixed_frames = st.tuples(
    st.integers(1, 30),
    st.lists(st.tuples(st.sampled_from(KINDS), st.booleans()), min_size=1, max_size=6),
    st.integers(0, 10_000),
)


def _frame(spec):
    n, kinds, seed = spec
    rng = np.random.default_rng(seed)
    return pd.DataFrame({f"c{j}_{kind}": _column(kind, n, rng, missing)
                         for j, (kind, missing) in enumerate(kinds)})


def _assert_round_trip(frame, back):
    assert list(back.columns) == list(frame.columns)
    assert back.dtypes.to_dict() == frame.dtypes.to_dict()
    for name in frame.columns:
        original, decoded = frame[name], back[name]
        if original.dtype.kind == "f" and not name.endswith(("int", "constant")):
            np.testing.assert_allclose(decoded.to_numpy(float), original.to_numpy(float),
                                       rtol=1e-9, atol=1e-9, equal_nan=True)
        else:  # categorical, boolean, integer, datetime, constant, all-missing: exact
            # (missing values come back as NaN / NaT, whatever marker they had)
            np.testing.assert_array_equal(decoded.isna(), original.isna())
            observed = original.notna().to_numpy()
            pd.testing.assert_series_equal(decoded[observed], original[observed],
                                           check_names=False)


@pytest.mark.parametrize("method", ["mode_specific", "quantile", "standard"])
@settings(max_examples=15, deadline=None)
@given(spec=mixed_frames)
def test_round_trip_on_mixed_frames(method, spec):
    frame = _frame(spec)
    encoder = TabularEncoder(numeric_method=method, random_state=0).fit(frame)
    encoded = encoder.transform(frame)
    assert encoded.shape == (len(frame), encoder.n_features_out_)
    assert np.isfinite(encoded).all()
    _assert_round_trip(frame, encoder.inverse_transform(encoded))


@settings(max_examples=15, deadline=None)
@given(spec=mixed_frames)
def test_output_spans_tile_the_output_and_one_hot_blocks_sum_to_one(spec):
    frame = _frame(spec)
    encoder = TabularEncoder(random_state=0).fit(frame)
    encoded = encoder.transform(frame)
    stops = 0
    for span in encoder.output_info_:
        assert span.start == stops
        stops = span.stop
        block = encoded[:, span.start:span.stop]
        if span.kind in ("modes", "categories"):
            np.testing.assert_array_equal(block.sum(axis=1), 1.0)
        if span.kind == "missing":
            np.testing.assert_array_equal(block[:, 0], frame[span.column].isna())
    assert stops == encoder.n_features_out_ == len(encoder.get_feature_names_out())


def test_adult_round_trip_is_exact():
    X = load_adult().data.iloc[:3000]
    encoder = TabularEncoder(numeric_method="quantile").fit(X)
    back = encoder.inverse_transform(encoder.transform(X))
    pd.testing.assert_frame_equal(back, X.reset_index(drop=True))
    assert encoder.column_types_["age"] == "integer"
    assert encoder.column_types_["workclass"] == "categorical"


def test_mode_specific_normalisation_finds_separated_modes():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-10, 1, 500), rng.normal(10, 1, 500)])
    encoder = TabularEncoder(random_state=0).fit(pd.DataFrame({"x": x}))
    block = encoder._blocks[0]
    assert block.means.size == 2
    np.testing.assert_allclose(np.sort(block.means), [-10, 10], atol=0.3)
    encoded = encoder.transform(pd.DataFrame({"x": x}))
    # offsets are (x - mu_k) / (4 sigma_k): mostly within [-1, 1]
    assert np.mean(np.abs(encoded[:, 0]) < 1) > 0.99


def test_unseen_category_raises_or_is_ignored():
    X = pd.DataFrame({"c": ["a", "b", "a"], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="never seen in fit: \\['q'\\]"):
        TabularEncoder().fit(X).transform(pd.DataFrame({"c": ["q", "a"], "x": [1.0, 2.0]}))
    encoder = TabularEncoder(handle_unknown="ignore", numeric_method="standard").fit(X)
    encoded = encoder.transform(pd.DataFrame({"c": ["q"], "x": [1.0]}))
    span = encoder.output_info_[0]
    np.testing.assert_array_equal(encoded[0, span.start:span.stop], 0.0)


def test_missing_value_at_transform_of_column_without_missing_values_raises():
    X = pd.DataFrame({"c": ["a", "b", "a"]})
    with pytest.raises(ValueError, match="no missing values"):
        TabularEncoder().fit(X).transform(pd.DataFrame({"c": [None]}))


def test_rare_categories_are_grouped_and_decoded():
    values = np.array(["a"] * 50 + ["b"] * 40 + ["r1"] * 3 + ["r2"] * 2 + ["r3"])
    X = pd.DataFrame({"c": values})
    encoder = TabularEncoder(min_frequency=5).fit(X)
    assert list(encoder.categories_["c"]) == ["a", "b", "__rare__"]
    back = encoder.inverse_transform(encoder.transform(X))["c"]
    assert back[:90].tolist() == values[:90].tolist()
    assert set(back[90:]) == {"r1"}  # the rare slot decodes to its most frequent member
    drawn = encoder.inverse_transform(np.tile([0.0, 0.0, 1.0], (3000, 1)), random_state=0)["c"]
    shares = drawn.value_counts(normalize=True)
    np.testing.assert_allclose(shares[["r1", "r2", "r3"]], [0.5, 1 / 3, 1 / 6], atol=0.04)


def test_decoding_scores_clips_and_rounds():
    X = pd.DataFrame({"n": np.arange(10, 20)})  # a counter: declared, or it would be an id
    encoder = TabularEncoder(numeric_method="standard", column_types={"n": "integer"}).fit(X)
    back = encoder.inverse_transform(np.array([[-100.0], [0.01], [100.0]]))["n"]
    assert back.tolist() == [10, 15, 19] and back.dtype == np.int64


def test_column_types_override_and_errors():
    X = pd.DataFrame({"code": [1, 2, 3, 2], "x": [0.5, 1.5, 2.5, 3.5]})
    encoder = TabularEncoder(column_types={"code": "categorical"}).fit(X)
    assert encoder.column_types_ == {"code": "categorical", "x": "numeric"}
    assert encoder.output_info_[0].kind == "categories"
    with pytest.raises(ValueError, match="is not a column type"):
        TabularEncoder(column_types={"code": "text"}).fit(X)
    with pytest.raises(ValueError, match="does not have"):
        TabularEncoder(column_types={"nope": "numeric"}).fit(X)
    with pytest.raises(ValueError, match="encodes into"):
        encoder.inverse_transform(np.zeros((2, 1)))


def test_arrays_of_objects_and_pandas_output():
    X = np.array([["a", 1.0], ["b", 2.0], ["a", np.nan]], dtype=object)
    encoder = TabularEncoder(numeric_method="standard").fit(X)
    back = encoder.inverse_transform(encoder.transform(X))
    assert isinstance(back, np.ndarray) and back.dtype == object
    assert back[0, 0] == "a" and np.isnan(back[2, 1])
    out = encoder.set_output(transform="pandas").transform(X)
    assert list(out.columns) == ["0=a", "0=b", "1__value", "1__missing"]


def test_pickle_round_trip():
    X = load_adult().data.iloc[:500]
    encoder = TabularEncoder(random_state=0).fit(X)
    clone = pickle.loads(pickle.dumps(encoder))
    np.testing.assert_array_equal(clone.transform(X), encoder.transform(X))


# -- declared-domain mode ------------------------------------------------------
def _declared_frame(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "x": rng.uniform(-2, 6, n),
        "k": pd.Series(rng.integers(0, 10, n)),
        "c": pd.Series(rng.choice(["a", "b", "c"], n), dtype=object),
        "when": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 30, n), unit="D"),
    })


DOMAINS = {"x": {"bounds": (-2.0, 6.0), "nullable": True},
           "k": {"bounds": (0, 9)},
           "c": {"categories": ["a", "b", "c"], "nullable": True},
           "when": {"bounds": ("2021-01-01", "2021-01-30")}}


def test_declared_domains_round_trip_and_layout():
    X = _declared_frame()
    X.loc[[1, 5], "x"] = np.nan
    X.loc[[2, 7], "c"] = None
    enc = TabularEncoder(domains=DOMAINS).fit(X)
    Xt = enc.transform(X)
    assert [(s.column, s.kind, s.start, s.stop) for s in enc.output_info_] == [
        ("x", "value", 0, 1), ("x", "missing", 1, 2), ("k", "value", 2, 3),
        ("c", "categories", 3, 7), ("when", "value", 7, 8)]
    assert enc.n_features_out_ == Xt.shape[1] == 8
    assert list(enc.categories_["c"]) == ["a", "b", "c", "__missing__"]
    assert list(enc.get_feature_names_out()) == [
        "x__value", "x__missing", "k__value", "c=a", "c=b", "c=c", "c=__missing__",
        "when__value"]
    assert np.all(np.abs(Xt[:, [0, 2, 7]]) <= 1.0)
    np.testing.assert_array_equal(Xt[:, 1], X["x"].isna())
    back = enc.inverse_transform(Xt)
    assert back["c"].equals(X["c"]) and back["k"].equals(X["k"])
    assert back["when"].equals(X["when"])
    np.testing.assert_allclose(back["x"], X["x"], rtol=1e-12)
    # scores decode like encoded rows: clipped to the bounds, indicators at 0.5
    scores = Xt.copy()
    scores[:, 0], scores[:, 1] = 3.0, 0.4
    assert np.all(enc.inverse_transform(scores)["x"] == 6.0)


def test_declared_domain_is_never_read_from_the_data():
    # values outside the bounds are clipped: the encoding is the same whatever they are
    X = _declared_frame()[["x", "c", "k", "when"]]  # the declared columns' blocks first
    domains = {"x": {"bounds": (0.0, 4.0)}, "c": {"categories": ["a", "b"]}}
    outside = X["x"].gt(4.0)
    assert outside.any() and X["c"].eq("c").any()
    X_other = X.copy()
    X_other.loc[outside, "x"] = 1e6
    X_other.loc[X["x"].lt(0.0), "x"] = -3e5
    encs = [TabularEncoder(domains=domains, handle_unknown="ignore").fit(F)
            for F in (X, X_other, X.iloc[:3])]
    outs = [enc.transform(X) for enc in encs]
    for out in outs[1:]:
        np.testing.assert_array_equal(out[:, :3], outs[0][:, :3])
    np.testing.assert_array_equal(outs[0][:, 0], np.clip(X["x"], 0, 4) / 2.0 - 1.0)
    np.testing.assert_array_equal(encs[0].transform(X)[:, 0], encs[1].transform(X_other)[:, 0])
    # a category outside the declared set encodes as zeros (or raises by default)
    unseen = X["c"].eq("c").to_numpy()
    np.testing.assert_array_equal(outs[0][unseen, 1:3], 0.0)
    np.testing.assert_array_equal(outs[0][~unseen, 1:3].sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="outside its declared categories"):
        TabularEncoder(domains=domains).fit(X).transform(X)


def test_declared_domain_missing_values_and_errors():
    X = _declared_frame()
    X.loc[3, "x"] = np.nan
    X.loc[4, "c"] = None
    with pytest.raises(ValueError, match="no missing slot"):
        TabularEncoder(domains={"x": {"bounds": (-2, 6)}}).fit(X).transform(X)
    enc = TabularEncoder(domains={"x": {"bounds": (-2, 6), "impute": True},
                                  "c": {"categories": ["a", "b", "c"], "impute": True}}).fit(X)
    Xt = enc.transform(X)
    assert Xt[3, 0] == 0.0  # the middle of the range
    span, = [s for s in enc.output_info_ if s.column == "c"]
    assert span.stop - span.start == 3
    np.testing.assert_array_equal(Xt[4, span.start:span.stop], 0.0)  # none of the categories
    for bad, match in [({"x": {"bounds": (5, 1)}}, "low <= high"),
                       ({"x": {"bounds": 3}}, "must be a pair"),
                       ({"x": {"categories": ["a"]}}, "declares categories"),
                       ({"c": {"bounds": (0, 1)}}, "declares bounds"),
                       ({"c": {"categories": []}}, "no categories"),
                       ({"x": {"bounds": (0, 1), "categories": ["a"]}}, "must be a dict"),
                       ({"nope": {"bounds": (0, 1)}}, "does not have")]:
        with pytest.raises(ValueError, match=match):
            TabularEncoder(domains=bad).fit(X)
