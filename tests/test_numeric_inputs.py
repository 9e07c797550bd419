"""Numeric-only generators and pruners: clear errors, exact constants, no integer wrap,
small classes (issue 19)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sksynth._specs import _cast_numeric
from sksynth.base import PrivacyWarning
from sksynth.generators import GaussianGenerator, GaussianMixtureGenerator, LabelNoise
from sksynth.inference import DebiasedGenerator
from sksynth.pruning import BernoulliVerifier, DetectionPruner, DistancePruner, LabelVerifier

N = 40


def _numeric_frame(n=N, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})


def _labels(n=N):
    return np.tile([0, 1], n // 2)


GENERATORS = [
    GaussianGenerator,
    GaussianMixtureGenerator,
    LabelNoise,
    lambda: LabelNoise(GaussianGenerator()),
    lambda: DebiasedGenerator(GaussianGenerator()),
]
PRUNERS = [LabelVerifier, BernoulliVerifier, DetectionPruner, DistancePruner]
ESTIMATORS = GENERATORS + PRUNERS
IDS = ["gaussian", "mixture", "noise", "noise-gaussian", "debiased-gaussian",
       "label-verifier", "bernoulli-verifier", "detection", "distance"]

BAD_COLUMNS = {
    "str": lambda n: pd.Series(["u", "v"] * (n // 2)),
    "object-str": lambda n: pd.Series(["u", "v"] * (n // 2), dtype=object),
    "category": lambda n: pd.Series(pd.Categorical(["x", "y"] * (n // 2))),
    "datetime": lambda n: pd.Series(pd.date_range("2020-01-01", periods=n)),
    "datetime-tz": lambda n: pd.Series(pd.date_range("2020-01-01", periods=n, tz="UTC")),
    "timestamp-objects": lambda n: pd.Series([pd.Timestamp("2020-01-01")] * n, dtype=object),
    "timedelta": lambda n: pd.Series(pd.to_timedelta(np.arange(n), unit="D")),
}


GENERATOR_IDS = IDS[:len(GENERATORS)]
PRUNER_IDS = IDS[len(GENERATORS):]


# pruners take mixed tables (tests/test_pruning.py): only the numeric generators refuse them
@pytest.mark.parametrize("kind", list(BAD_COLUMNS))
@pytest.mark.parametrize("make", GENERATORS, ids=GENERATOR_IDS)
def test_non_numeric_columns_are_named_with_the_fix(make, kind):
    X = _numeric_frame().assign(bad=BAD_COLUMNS[kind](N))
    match = r"numeric columns only.*'bad' \(.*GaussianCopulaGenerator"
    with pytest.raises(TypeError, match=match):
        make().fit(X, _labels())


def test_object_array_names_the_column_index():
    X = np.column_stack([np.arange(N, dtype=float), ["u"] * N]).astype(object)
    with pytest.raises(TypeError, match=r"column 1 \(object values; could not convert string "
                                        r"to float: 'u'\).*GaussianCopulaGenerator"):
        GaussianGenerator().fit(X)
    # a pruner takes the same table and measures Gower distances on it
    X = np.column_stack([np.arange(N, dtype=float).astype(object), [pd.Timestamp(0)] * N])
    assert DistancePruner().fit(X).metric_ == "gower"


def test_object_columns_of_numbers_are_accepted():
    X = _numeric_frame().astype(object)
    generator = GaussianGenerator(random_state=0).fit(X)
    np.testing.assert_allclose(generator.location_, _numeric_frame().mean().to_numpy())


def test_scoring_and_transform_paths_name_non_numeric_columns():
    X = _numeric_frame()
    bad = X.assign(b=["u", "v"] * (N // 2))
    for fitted in (GaussianGenerator().fit(X), GaussianMixtureGenerator().fit(X, _labels())):
        with pytest.raises(TypeError, match=r"'b' \(str\)"):
            fitted.score_samples(bad)
        with pytest.raises(TypeError, match=r"'b' \(str\)"):
            fitted.transform(bad)
    for pruner in (DistancePruner().fit(X), DetectionPruner(cv=2).fit(X),
                   LabelVerifier().fit(X, _labels())):
        with pytest.raises(TypeError, match=r"'b' \(str\).*encode them as numbers"):
            pruner.keep_mask(bad, _labels())


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_zero_columns_get_the_sklearn_message(make):
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(40, 0\)\) while a "
                                         r"minimum of 1 is required"):
        make().fit(_numeric_frame()[[]], _labels())


@pytest.mark.parametrize("make", [m for m in ESTIMATORS if m is not BernoulliVerifier],
                         ids=[i for i in IDS if i != "bernoulli-verifier"])
def test_values_whose_variance_overflows_are_refused(make):
    X = _numeric_frame().assign(big=np.linspace(-1e300, 1e300, N))
    with pytest.raises(ValueError, match=r"'big' \(values up to 1e\+300\): their variance "
                                         r"overflows float64\. Rescale"):
        make().fit(X, _labels())


def test_bernoulli_verifier_ignores_the_scale_it_does_not_use():
    X = _numeric_frame().assign(big=np.linspace(-1e300, 1e300, N))
    verifier = BernoulliVerifier(random_state=0).fit(X)
    assert verifier.n_features_in_ == 3


def test_large_but_representable_values_are_modelled():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"big": 1e100 * rng.normal(size=500), "b": rng.normal(size=500)})
    sample = GaussianGenerator(random_state=0).fit(X).sample(4000)
    assert np.isfinite(sample.to_numpy()).all()
    assert sample["big"].std() / X["big"].std() == pytest.approx(1.0, abs=0.1)
    distances = DistancePruner().fit(X).score_samples(X.iloc[:5] * 1.001)
    assert np.isfinite(distances).all()


# ---------------------------------------------------------------------------
# integers near the limits of their dtype
# ---------------------------------------------------------------------------
def test_cast_clips_to_the_largest_float_inside_the_dtype():
    big = np.array([1e30, -1e30, 2.0**63, 2.0**64])
    assert _cast_numeric(big, np.dtype("int64")).tolist() == [2**63 - 1024, -2**63,
                                                              2**63 - 1024, 2**63 - 1024]
    assert _cast_numeric(big, np.dtype("uint64")).tolist() == [2**64 - 2048, 0,
                                                               2**63, 2**64 - 2048]
    assert _cast_numeric(big, pd.Int64Dtype()).tolist() == [2**63 - 1024, -2**63,
                                                            2**63 - 1024, 2**63 - 1024]
    assert _cast_numeric(np.array([300.0, -300.0]), np.dtype("int8")).tolist() == [127, -128]


def test_int64_and_uint64_near_their_limits_do_not_wrap():
    rng = np.random.RandomState(0)
    i64, u64 = np.iinfo(np.int64), np.iinfo(np.uint64)
    offsets = rng.randint(0, 10**6, size=200)
    X = pd.DataFrame({
        "high": (i64.max - offsets * 10**12).astype(np.int64),
        "low": (i64.min + offsets * 10**12).astype(np.int64),
        "unsigned": (u64.max - offsets.astype(np.uint64) * np.uint64(10**12)),
    })
    sample = GaussianGenerator(random_state=0).fit(X).sample(2000)
    assert sample.dtypes.to_dict() == X.dtypes.to_dict()
    # about 4% of the draws (mean 1.7 sd inside the limit) are clipped back inside it
    assert (sample["high"] == 2**63 - 1024).mean() > 0.02
    assert sample["high"].min() > 0 and sample["high"].max() <= i64.max
    assert sample["low"].max() < 0 and sample["low"].min() >= i64.min
    values = sample["unsigned"].to_numpy()
    assert values.min() > 2**63 and values.max() <= u64.max


# ---------------------------------------------------------------------------
# constant and near-constant columns
# ---------------------------------------------------------------------------
def _with_constants(n=400, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame({
        "a": rng.normal(size=n),
        "const": np.full(n, 7.5),
        "tiny": 1.0 + 1e-12 * rng.normal(size=n),
        "b": rng.normal(size=n) + np.repeat([0.0, 3.0], n // 2),
    })


CONSTANT_FITS = [
    (GaussianGenerator, {}, False),
    (GaussianGenerator, {"covariance_type": "diag"}, False),
    (GaussianGenerator, {}, True),
    (GaussianMixtureGenerator, {"covariance_type": "full", "n_components": 2}, False),
    (GaussianMixtureGenerator, {"covariance_type": "tied", "n_components": 2}, False),
    (GaussianMixtureGenerator, {"covariance_type": "diag", "n_components": 2}, False),
    (GaussianMixtureGenerator, {"covariance_type": "full"}, True),
    (GaussianMixtureGenerator, {"covariance_type": "tied"}, True),
    (GaussianMixtureGenerator, {"covariance_type": "diag"}, True),
    (GaussianMixtureGenerator, {"covariance_type": "tied_diag"}, True),
]


@pytest.mark.parametrize("cls, params, labelled", CONSTANT_FITS)
def test_constant_columns_stay_exact_and_tiny_ones_keep_their_scale(cls, params, labelled):
    X = _with_constants()
    y = np.repeat([0, 1], 200) if labelled else None
    generator = cls(random_state=0, **params).fit(X, y)
    out = generator.sample(3000)
    sample = out[0] if labelled else out
    assert (sample["const"] == 7.5).all()
    # sample sd of 3000 draws is within 2% of the model's sd; allow 20%
    assert sample["tiny"].std() / X["tiny"].std() == pytest.approx(1.0, abs=0.2)
    assert abs(sample["tiny"].mean() - 1.0) < 1e-12
    scores = generator.score_samples(X, y)
    assert np.isfinite(scores).all()
    moved = X.assign(const=7.5 + 1e-9)
    assert np.all(generator.score_samples(moved, y) == -np.inf)


def test_shrinkage_keeps_a_constant_column_exact():
    # shrinking towards trace(S)/p * I mixes the scales of the features by design, so
    # only the constant column (sampled apart from the Gaussian) is checked here
    X = _with_constants().drop(columns="tiny")
    generator = GaussianGenerator(shrinkage="ledoit_wolf", random_state=0).fit(X)
    assert (generator.sample(500)["const"] == 7.5).all()
    assert np.isfinite(generator.score_samples(X)).all()


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_constant_column_scores_as_a_point_mass(covariance_type):
    X = _with_constants().drop(columns="tiny")
    generator = GaussianGenerator(covariance_type=covariance_type).fit(X)
    varying = ["a", "b"]
    index = [X.columns.get_loc(c) for c in varying]
    covariance = generator.covariances_[0]
    covariance = np.diag(covariance) if covariance.ndim == 1 else covariance
    expected = stats.multivariate_normal(
        generator.location_[index], covariance[np.ix_(index, index)]
    ).logpdf(X[varying].to_numpy())
    np.testing.assert_allclose(generator.score_samples(X), expected, rtol=1e-9)


def test_regularisation_is_relative_to_each_column_variance():
    X = _with_constants()
    generator = GaussianGenerator(reg_covar=1e-6).fit(X)
    variance = X.var(ddof=1).to_numpy()
    np.testing.assert_allclose(np.diag(generator.covariance_)[[0, 2, 3]],
                               variance[[0, 2, 3]] * (1 + 1e-6 * (len(X) - 1) / len(X)),
                               rtol=1e-9)
    assert np.diag(generator.covariance_)[1] == 1e-6  # the floor of a constant column


# ---------------------------------------------------------------------------
# small classes
# ---------------------------------------------------------------------------
def _with_rare_class(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2)) * [1.0, 3.0]
    X[-1] = [40.0, -40.0]  # the rare class's one row
    y = np.array(["a", "b"] * (n // 2), dtype=object)
    y[-1] = "rare"
    return X, y


@pytest.mark.parametrize("cls, params", [
    (GaussianGenerator, {}),
    (GaussianGenerator, {"covariance_type": "diag"}),
    (GaussianMixtureGenerator, {"covariance_type": "full"}),
    (GaussianMixtureGenerator, {"covariance_type": "diag"}),
])
def test_a_one_row_class_is_drawn_from_the_whole_table(cls, params):
    X, y = _with_rare_class()
    with pytest.warns(PrivacyWarning, match=r"1 class\(es\) have fewer than "
                                            r"min_group_size=5 training rows \(\['rare'\]"):
        generator = cls(random_state=0, **params).fit(X, y)
    k = list(generator.classes_).index("rare")
    np.testing.assert_array_equal(generator.means_[k], X.mean(axis=0))
    whole_var = X.var(axis=0, ddof=1)
    variances = generator.covariances_[k]
    variances = variances if variances.ndim == 1 else np.diag(variances)
    np.testing.assert_allclose(variances, whole_var, rtol=1e-5)
    X_new, y_new = generator.sample(y=["rare"] * 200)
    assert (y_new == "rare").all()
    assert not np.any(np.all(X_new == X[-1], axis=1))
    assert np.all(np.abs(X_new.mean(axis=0) - X.mean(axis=0)) < 4 * np.sqrt(whole_var / 200))
    np.testing.assert_allclose(X_new.std(axis=0), np.sqrt(whole_var), rtol=0.25)


def test_tied_mixture_centres_a_small_class_on_the_whole_table():
    X, y = _with_rare_class()
    with pytest.warns(PrivacyWarning, match="rare"):
        generator = GaussianMixtureGenerator(covariance_type="tied", random_state=0).fit(X, y)
    np.testing.assert_array_equal(generator.means_[2], X.mean(axis=0))
    X_new, _ = generator.sample(y=["rare"] * 200)
    assert np.all(np.abs(X_new.mean(axis=0) - X.mean(axis=0)) < 1.0)


@pytest.mark.parametrize("cls", [GaussianGenerator, GaussianMixtureGenerator])
def test_min_group_size_one_models_every_class(cls):
    X, y = _with_rare_class()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyWarning)
        generator = cls(min_group_size=1, covariance_type="full", random_state=0).fit(X, y)
    np.testing.assert_array_equal(generator.means_[2], X[-1])
    X_new, _ = generator.sample(y=["rare"] * 20)
    # one row has no spread of its own: draws sit on it (the replay min_group_size prevents)
    np.testing.assert_allclose(X_new, np.broadcast_to(X[-1], X_new.shape), atol=0.05)


@pytest.mark.parametrize("cls", [GaussianGenerator, GaussianMixtureGenerator])
def test_tables_smaller_than_min_group_size_are_refused(cls):
    X = np.arange(6.0).reshape(3, 2)
    with pytest.raises(ValueError, match=r"was given 3 sample\(s\) but min_group_size=5.*"
                                         r"set min_group_size=3"):
        cls().fit(X)
    assert cls(min_group_size=3).fit(X).n_features_in_ == 2
    with pytest.raises(ValueError, match="min_group_size"):
        cls(min_group_size=0).fit(X)


@pytest.mark.parametrize("make", GENERATORS, ids=GENERATOR_IDS)
def test_missing_and_infinite_values_are_named(make):
    X = _numeric_frame().assign(income=np.r_[np.nan, np.nan, np.ones(N - 2)],
                                score=np.r_[np.inf, np.zeros(N - 1)])
    with pytest.raises(ValueError, match=r"missing or infinite values \(NaN, inf\).*'income' "
                                         r"\(2 NaN\), 'score' \(1 infinite\).*impute"):
        make().fit(X, _labels())


@pytest.mark.parametrize("make", PRUNERS, ids=PRUNER_IDS)
def test_pruners_accept_missing_values_and_name_infinite_ones(make):
    X = _numeric_frame().assign(income=np.r_[np.nan, np.nan, np.ones(N - 2)],
                                score=np.r_[np.inf, np.zeros(N - 1)])
    with pytest.raises(ValueError, match=r"infinity in column 'score'"):
        make().fit(X, _labels())
    make().fit(X.assign(score=0.0), _labels())  # NaN alone is a missing value


def test_missing_values_in_scored_rows_are_named():
    generator = GaussianGenerator().fit(_numeric_frame())
    with pytest.raises(ValueError, match=r"'b' \(1 NaN\).*GaussianCopulaGenerator models "
                                         r"missing values"):
        generator.score_samples(_numeric_frame().assign(b=np.r_[np.nan, np.zeros(N - 1)]))
