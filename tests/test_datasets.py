"""Tests for sksynth.datasets."""

import time
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from sksynth.datasets import load_adult, make_disease, make_gaussian_mixture
from sksynth.datasets._adult import _load_adult_frame

# ---------------------------------------------------------------------------
# load_adult
# ---------------------------------------------------------------------------

INT_COLUMNS = [
    "age",
    "fnlwgt",
    "education_num",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
]
CAT_COLUMNS = [
    "workclass",
    "education",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "native_country",
]
FEATURE_NAMES = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
]

N_ROWS = {"train": 32561, "test": 16281, "all": 48842}

# Expected counts computed once from the raw files in /work/shared/data/adult
# with awk, independently of the loader, e.g. for column 2 (workclass):
#   zcat adult.data.gz | awk -F', ' 'NF==15 && $2=="?"' | wc -l
# (columns 7 = occupation, 14 = native_country; adult.test.gz likewise), and
#   zcat adult.data.gz | awk -F', ' 'NF==15{print $15}' | sort | uniq -c
# for the labels. No other column contains "?".
MISSING = {
    "train": {"workclass": 1836, "occupation": 1843, "native_country": 583},
    "test": {"workclass": 963, "occupation": 966, "native_country": 274},
}
MISSING["all"] = {c: MISSING["train"][c] + MISSING["test"][c] for c in MISSING["train"]}
INCOME = {
    "train": {"<=50K": 24720, ">50K": 7841},
    "test": {"<=50K": 12435, ">50K": 3846},
}
INCOME["all"] = {k: INCOME["train"][k] + INCOME["test"][k] for k in INCOME["train"]}
# Complete cases, as stated in adult.names (and checked with awk).
COMPLETE = {"train": 30162, "test": 15060, "all": 45222}


@pytest.mark.parametrize("subset", ["all", "train", "test"])
def test_load_adult_shapes_missing_and_labels(subset):
    bunch = load_adult(subset=subset)
    n = N_ROWS[subset]
    assert bunch.data.shape == (n, 14)
    assert bunch.target.shape == (n,)
    assert bunch.frame.shape == (n, 15)
    assert bunch.subset.shape == (n,)
    assert list(bunch.data.columns) == FEATURE_NAMES
    assert bunch.feature_names == FEATURE_NAMES
    assert list(bunch.frame.columns) == FEATURE_NAMES + ["income"]
    assert bunch.target.name == "income"
    assert isinstance(bunch.data.index, pd.RangeIndex)
    assert bunch.data.index[-1] == n - 1

    missing = bunch.data.isna().sum()
    assert missing[missing > 0].to_dict() == MISSING[subset]
    assert len(bunch.frame.dropna()) == COMPLETE[subset]

    counts = bunch.target.value_counts().to_dict()
    assert counts == INCOME[subset]
    assert not bunch.target.isna().any()
    np.testing.assert_array_equal(bunch.target_names, ["<=50K", ">50K"])

    expected_subset = {"all": {"train", "test"}, "train": {"train"}, "test": {"test"}}
    assert set(bunch.subset) == expected_subset[subset]


def test_load_adult_dtypes_and_categories():
    bunch = load_adult()
    for col in INT_COLUMNS:
        assert bunch.data[col].dtype == np.int64, col
    for col in CAT_COLUMNS:
        assert isinstance(bunch.data[col].dtype, pd.CategoricalDtype), col
        cats = list(bunch.data[col].cat.categories)
        assert "?" not in cats
        assert all(c == c.strip() and c for c in cats), col
    assert list(bunch.target.cat.categories) == ["<=50K", ">50K"]
    # Numbers of categories listed in adult.names.
    n_categories = {c: len(bunch.data[c].cat.categories) for c in CAT_COLUMNS}
    assert n_categories == {
        "workclass": 8,
        "education": 16,
        "marital_status": 7,
        "occupation": 14,
        "relationship": 6,
        "race": 5,
        "sex": 2,
        "native_country": 41,
    }
    # First row of adult.data and of adult.test (after its comment line).
    first = bunch.frame.iloc[0]
    assert first["age"] == 39 and first["workclass"] == "State-gov"
    assert first["capital_gain"] == 2174 and first["income"] == "<=50K"
    test = load_adult(subset="test").frame
    assert test.loc[0, "age"] == 25 and test.loc[0, "education"] == "11th"
    assert test.loc[2, "income"] == ">50K"
    # Training rows first when subset="all".
    assert (bunch.subset[: N_ROWS["train"]] == "train").all()
    assert (bunch.subset[N_ROWS["train"] :] == "test").all()
    pd.testing.assert_frame_equal(bunch.frame.iloc[N_ROWS["train"] :].reset_index(drop=True), test)


def test_load_adult_train_and_test_share_categories():
    train = load_adult(subset="train").data
    test = load_adult(subset="test").data
    for col in CAT_COLUMNS:
        assert train[col].dtype == test[col].dtype, col
    # Holand-Netherlands occurs only in the training file.
    assert "Holand-Netherlands" in test["native_country"].cat.categories
    assert (test["native_country"] == "Holand-Netherlands").sum() == 0


def test_load_adult_numpy_and_return_X_y():
    bunch = load_adult(subset="test", as_frame=False)
    assert bunch.frame is None
    assert isinstance(bunch.data, np.ndarray) and bunch.data.dtype == object
    assert isinstance(bunch.target, np.ndarray) and bunch.target.dtype == object
    assert bunch.data.shape == (N_ROWS["test"], 14)
    assert set(bunch.target) == {"<=50K", ">50K"}
    occupation = bunch.data[:, FEATURE_NAMES.index("occupation")]
    assert pd.isna(occupation).sum() == MISSING["test"]["occupation"]

    X, y = load_adult(subset="train", return_X_y=True)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert X.shape == (N_ROWS["train"], 14)
    X, y = load_adult(as_frame=False, return_X_y=True)
    assert X.shape == (N_ROWS["all"], 14) and y.shape == (N_ROWS["all"],)


def test_load_adult_returns_copies():
    first = load_adult()
    first.frame.loc[0, "age"] = -1
    first.data.loc[0, "age"] = -1
    first.subset[0] = "changed"
    second = load_adult()
    assert second.frame.loc[0, "age"] == 39
    assert second.data.loc[0, "age"] == 39
    assert second.subset[0] == "train"


def test_load_adult_descr_and_bundled_files():
    descr = load_adult().DESCR
    assert "10.24432/C5XW20" in descr
    assert "CC BY 4.0" in descr
    assert "education_num" in descr
    data_dir = resources.files("sksynth.datasets").joinpath("data")
    total = sum(
        len(data_dir.joinpath(name).read_bytes())
        for name in ["adult.data.gz", "adult.test.gz", "adult.names"]
    )
    assert total < 2_000_000
    license_text = data_dir.joinpath("LICENSE_adult.txt").read_text(encoding="utf-8")
    assert "CC BY 4.0" in license_text and "10.24432/C5XW20" in license_text


def test_load_adult_parsing_is_fast():
    start = time.perf_counter()
    frame, _ = _load_adult_frame.__wrapped__()  # bypass the cache
    elapsed = time.perf_counter() - start
    assert len(frame) == N_ROWS["all"]
    assert elapsed < 2.0, f"parsing took {elapsed:.2f} s"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"subset": "validation"}, ValueError, "subset"),
        ({"subset": None}, ValueError, "subset"),
        ({"as_frame": "yes"}, TypeError, "as_frame"),
        ({"return_X_y": 1}, TypeError, "return_X_y"),
    ],
)
def test_load_adult_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        load_adult(**kwargs)


# ---------------------------------------------------------------------------
# make_disease
# ---------------------------------------------------------------------------

N_BIG = 200_000


@pytest.fixture(scope="module")
def disease_big():
    return make_disease(N_BIG, random_state=12345, return_truth=True)


def test_make_disease_structure():
    df = make_disease(50, random_state=0)
    assert list(df.columns) == ["age", "stage", "therapy", "bp"]
    assert df.shape == (50, 4)
    assert df["age"].dtype == np.float64
    assert df["bp"].dtype == np.float64
    assert df["therapy"].dtype == bool
    assert isinstance(df["stage"].dtype, pd.CategoricalDtype)
    assert df["stage"].cat.ordered
    assert list(df["stage"].cat.categories) == ["I", "II", "III", "IV"]
    assert not df.isna().any().any()


def test_make_disease_truth():
    _, truth = make_disease(10, random_state=0, return_truth=True)
    assert truth["age_mean"] == 50.0
    assert truth["bp_therapy_effect"] == -20.0
    probs = truth["stage_probabilities"]
    assert list(probs) == ["I", "II", "III", "IV"]
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-10)
    # Independent check of the integral by a fine Gauss-Hermite rule.
    nodes, weights = np.polynomial.hermite_e.hermegauss(200)
    age = 50.0 + 10.0 * nodes
    cum = [np.sum(weights * special.expit(c - 0.05 * age)) / np.sqrt(2 * np.pi) for c in (2, 3, 4)]
    expected = np.diff([0.0, *cum, 1.0])
    np.testing.assert_allclose(list(probs.values()), expected, atol=1e-10)
    # Mutating the returned dict must not change later results.
    probs["I"] = 0.0
    _, again = make_disease(10, random_state=0, return_truth=True)
    assert again["stage_probabilities"]["I"] == pytest.approx(expected[0])


def test_make_disease_age_and_therapy(disease_big):
    df, truth = disease_big
    assert abs(df["age"].mean() - truth["age_mean"]) < 4 * 10 / np.sqrt(N_BIG)
    assert abs(df["age"].std() - 10.0) < 4 * 10 / np.sqrt(2 * N_BIG)
    rate = df["therapy"].mean()
    assert abs(rate - 0.5) < 4 * np.sqrt(0.25 / N_BIG)


def test_make_disease_stage_frequencies(disease_big):
    df, truth = disease_big
    freq = df["stage"].value_counts(normalize=True, sort=False)
    for stage, p in truth["stage_probabilities"].items():
        assert abs(freq[stage] - p) < 4 * np.sqrt(p * (1 - p) / N_BIG), stage


def _fit_logistic(design, target, n_iter=25):
    """Unpenalised logistic regression by Newton-Raphson; coef and Fisher info."""
    coef = np.zeros(design.shape[1])
    for _ in range(n_iter):
        prob = special.expit(design @ coef)
        fisher = design.T @ (design * (prob * (1 - prob))[:, None])
        step = np.linalg.solve(fisher, design.T @ (target - prob))
        coef = coef + step
        if np.max(np.abs(step)) < 1e-12:
            break
    prob = special.expit(design @ coef)
    fisher = design.T @ (design * (prob * (1 - prob))[:, None])
    return coef, fisher


def test_make_disease_stage_given_age(disease_big):
    # Each cumulative indicator 1{stage <= k} follows a logistic model in age
    # with intercept c_k and slope -0.05.
    df, _ = disease_big
    age = df["age"].to_numpy()
    codes = df["stage"].cat.codes.to_numpy()
    design = np.column_stack([np.ones_like(age), age])
    for k, c_k in enumerate([2.0, 3.0, 4.0]):
        target = (codes <= k).astype(int)
        coef, fisher = _fit_logistic(design, target)
        se = np.sqrt(np.diag(np.linalg.inv(fisher)))
        assert abs(coef[0] - c_k) < 4 * se[0], (k, coef, se)
        assert abs(coef[1] + 0.05) < 4 * se[1], (k, coef, se)


def test_make_disease_ols_therapy_effect(disease_big):
    df, truth = disease_big
    stage = df["stage"]
    design = np.column_stack(
        [
            np.ones(N_BIG),
            stage == "II",
            stage == "III",
            stage == "IV",
            df["therapy"],
        ]
    ).astype(float)
    bp = df["bp"].to_numpy()
    coef, *_ = np.linalg.lstsq(design, bp, rcond=None)
    resid = bp - design @ coef
    sigma2 = resid @ resid / (N_BIG - design.shape[1])
    se = np.sqrt(sigma2 * np.diag(np.linalg.inv(design.T @ design)))
    expected = [120.0, 10.0, 20.0, 30.0, truth["bp_therapy_effect"]]
    for name, b, s, e in zip(["const", "II", "III", "IV", "therapy"], coef, se, expected):
        assert abs(b - e) < 4 * s, (name, b, s, e)
    assert abs(np.sqrt(sigma2) - 10.0) < 0.1
    # sqrt(n) * SE of the therapy coefficient is close to its asymptotic value.
    assert np.sqrt(N_BIG) * se[4] == pytest.approx(truth["bp_therapy_ols_asymptotic_sd"], rel=0.02)
    assert abs(bp.mean() - truth["bp_mean"]) < 4 * bp.std() / np.sqrt(N_BIG)


def test_make_disease_reproducible():
    a = make_disease(300, random_state=7)
    b = make_disease(300, random_state=7)
    pd.testing.assert_frame_equal(a, b)
    c = make_disease(300, random_state=8)
    assert not np.allclose(a["age"], c["age"])
    rng = np.random.RandomState(3)
    d = make_disease(300, random_state=rng)
    e = make_disease(300, random_state=rng)
    assert not np.allclose(d["age"], e["age"])


def test_make_disease_empty():
    df = make_disease(0, random_state=0)
    assert df.shape == (0, 4)
    assert df["therapy"].dtype == bool
    assert isinstance(df["stage"].dtype, pd.CategoricalDtype)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_samples": -1}, ValueError, "n_samples"),
        ({"n_samples": 10.0}, TypeError, "n_samples"),
        ({"n_samples": True}, TypeError, "n_samples"),
        ({"n_samples": 10, "return_truth": "yes"}, TypeError, "return_truth"),
    ],
)
def test_make_disease_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_disease(**kwargs)


@settings(max_examples=30, deadline=None)
@given(n_samples=st.integers(0, 300), seed=st.integers(0, 2**31 - 1))
def test_make_disease_property(n_samples, seed):
    df = make_disease(n_samples, random_state=seed)
    assert df.shape == (n_samples, 4)
    assert np.isfinite(df[["age", "bp"]].to_numpy()).all()
    assert set(df["stage"].astype(str)) <= {"I", "II", "III", "IV"}


# ---------------------------------------------------------------------------
# make_gaussian_mixture
# ---------------------------------------------------------------------------


def test_gaussian_mixture_defaults():
    X, y = make_gaussian_mixture(random_state=0)
    assert X.shape == (100, 2) and y.shape == (100,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert np.sort(np.unique(y)).tolist() == [-1, 1]
    assert (y == 1).sum() == 50 and (y == -1).sum() == 50


@pytest.mark.parametrize("n_samples", [0, 1, 2, 7, 100, 101])
def test_gaussian_mixture_balanced_counts(n_samples):
    _, y = make_gaussian_mixture(n_samples, 3, random_state=0)
    assert (y == 1).sum() == n_samples // 2
    assert (y == -1).sum() == n_samples - n_samples // 2
    _, y01 = make_gaussian_mixture(n_samples, 3, labels="01", random_state=0)
    assert (y01 == 1).sum() == n_samples // 2
    assert (y01 == 0).sum() == n_samples - n_samples // 2


def test_gaussian_mixture_balanced_rows_are_shuffled():
    _, y = make_gaussian_mixture(1000, 2, random_state=0)
    # Not sorted by class: both labels appear in each half.
    assert set(y[:500]) == {-1, 1} and set(y[500:]) == {-1, 1}


def test_gaussian_mixture_unbalanced():
    n = 20_000
    _, y = make_gaussian_mixture(n, 2, balanced=False, random_state=0)
    assert set(y) == {-1, 1}
    assert abs((y == 1).mean() - 0.5) < 4 * np.sqrt(0.25 / n)


def test_gaussian_mixture_labels_encoding_does_not_change_X():
    X1, y1 = make_gaussian_mixture(50, 4, random_state=3)
    X2, y2 = make_gaussian_mixture(50, 4, labels="01", random_state=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y2, (y1 + 1) // 2)
    assert y2.dtype == np.int64


def test_gaussian_mixture_class_means_identity():
    n, p, norm = 40_000, 5, 1.5
    X, y, mu = make_gaussian_mixture(n, p, mean_norm=norm, random_state=1, return_mean=True)
    assert mu.shape == (p,)
    assert np.linalg.norm(mu) == pytest.approx(norm)
    n_class = n // 2
    tol = 5 * np.sqrt(1.0 / n_class)  # 5 standard errors per coordinate
    np.testing.assert_allclose(X[y == 1].mean(axis=0), mu, atol=tol)
    np.testing.assert_allclose(X[y == -1].mean(axis=0), -mu, atol=tol)
    # y * x has mean mu for every row.
    np.testing.assert_allclose((y[:, None] * X).mean(axis=0), mu, atol=5 / np.sqrt(n))


def _check_covariance_recovered(X, y, mu, cov):
    n = X.shape[0]
    z = X - y[:, None] * mu
    emp = z.T @ z / n  # mean zero is known
    var = np.diag(cov)
    se = np.sqrt((np.outer(var, var) + cov**2) / n)
    assert np.all(np.abs(emp - cov) < 5 * se), np.abs(emp - cov) / se


def test_gaussian_mixture_full_covariance_recovered():
    p = 4
    rng = np.random.RandomState(0)
    A = rng.normal(size=(p, p))
    cov = A @ A.T + 0.5 * np.eye(p)
    n = 40_000
    X, y, mu = make_gaussian_mixture(
        n, p, mean_norm=2.0, covariance=cov, random_state=2, return_mean=True
    )
    _check_covariance_recovered(X, y, mu, cov)
    n_class = n // 2
    tol = 5 * np.sqrt(np.diag(cov) / n_class)
    assert np.all(np.abs(X[y == 1].mean(axis=0) - mu) < tol)
    assert np.all(np.abs(X[y == -1].mean(axis=0) + mu) < tol)


@pytest.mark.parametrize(
    "covariance, expected",
    [
        (None, np.eye(3)),
        (0.25, 0.25 * np.eye(3)),
        (np.float64(4.0), 4.0 * np.eye(3)),
        ([1.0, 4.0, 0.1], np.diag([1.0, 4.0, 0.1])),
    ],
)
def test_gaussian_mixture_simple_covariances(covariance, expected):
    X, y, mu = make_gaussian_mixture(
        30_000, 3, covariance=covariance, random_state=4, return_mean=True
    )
    _check_covariance_recovered(X, y, mu, expected)


def test_gaussian_mixture_given_mean():
    mean = np.array([3.0, 0.0, -4.0])
    X, y, mu = make_gaussian_mixture(20_000, 3, mean=mean, random_state=0, return_mean=True)
    np.testing.assert_array_equal(mu, mean)
    assert mu is not mean
    np.testing.assert_allclose(X[y == 1].mean(axis=0), mean, atol=5 / np.sqrt(10_000))
    # A consistent mean_norm is accepted, an inconsistent one is refused.
    make_gaussian_mixture(10, 3, mean=mean, mean_norm=5.0)
    with pytest.raises(ValueError, match="mean_norm"):
        make_gaussian_mixture(10, 3, mean=mean, mean_norm=1.0)
    # Given mean: the labels and noise do not depend on a direction draw.
    X2, _ = make_gaussian_mixture(20_000, 3, mean=mean, random_state=0)
    np.testing.assert_array_equal(X, X2)


def test_gaussian_mixture_random_direction():
    _, _, mu0 = make_gaussian_mixture(5, 10, random_state=0, return_mean=True)
    _, _, mu0b = make_gaussian_mixture(5, 10, random_state=0, return_mean=True)
    _, _, mu1 = make_gaussian_mixture(5, 10, random_state=1, return_mean=True)
    np.testing.assert_array_equal(mu0, mu0b)
    assert not np.allclose(mu0, mu1)
    assert np.linalg.norm(mu0) == pytest.approx(1.0)
    _, _, mu_zero = make_gaussian_mixture(5, 10, mean_norm=0.0, random_state=0, return_mean=True)
    np.testing.assert_array_equal(mu_zero, 0.0)


def test_gaussian_mixture_reproducible():
    a = make_gaussian_mixture(200, 6, covariance=[1, 2, 3, 4, 5, 6], random_state=11)
    b = make_gaussian_mixture(200, 6, covariance=[1, 2, 3, 4, 5, 6], random_state=11)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_samples": -1}, ValueError, "n_samples"),
        ({"n_samples": 2.5}, TypeError, "n_samples"),
        ({"n_samples": True}, TypeError, "n_samples"),
        ({"n_features": 0}, ValueError, "n_features"),
        ({"n_features": "3"}, TypeError, "n_features"),
        ({"mean_norm": -0.1}, ValueError, "mean_norm"),
        ({"mean_norm": np.nan}, ValueError, "mean_norm"),
        ({"mean_norm": "big"}, TypeError, "mean_norm"),
        ({"covariance": 0.0}, ValueError, "covariance"),
        ({"covariance": -1.0}, ValueError, "covariance"),
        ({"covariance": "identity"}, TypeError, "covariance"),
        ({"covariance": [1.0, 2.0, 3.0]}, ValueError, "covariance"),
        ({"covariance": [1.0, -2.0]}, ValueError, "covariance"),
        ({"covariance": [[1.0, 0.5], [0.0, 1.0]]}, ValueError, "symmetric"),
        ({"covariance": [[1.0, 2.0], [2.0, 1.0]]}, ValueError, "positive definite"),
        ({"covariance": np.eye(3)}, ValueError, "covariance"),
        ({"covariance": np.ones((2, 2, 2))}, ValueError, "covariance"),
        ({"covariance": [np.inf, 1.0]}, ValueError, "covariance"),
        ({"mean": [1.0, 2.0, 3.0]}, ValueError, "mean"),
        ({"mean": [1.0, np.nan]}, ValueError, "mean"),
        ({"mean": [1.0, 0.0], "mean_norm": 2.0}, ValueError, "mean_norm"),
        ({"balanced": "yes"}, TypeError, "balanced"),
        ({"labels": "binary"}, ValueError, "labels"),
        ({"labels": 1}, ValueError, "labels"),
        ({"return_mean": 1}, TypeError, "return_mean"),
    ],
)
def test_gaussian_mixture_bad_input(kwargs, error, match):
    params = {"n_samples": 10, "n_features": 2, "random_state": 0}
    params.update(kwargs)
    with pytest.raises(error, match=match):
        make_gaussian_mixture(**params)


@settings(max_examples=60, deadline=None)
@given(
    n_samples=st.integers(0, 60),
    n_features=st.integers(1, 6),
    balanced=st.booleans(),
    labels=st.sampled_from(["pm1", "01"]),
    mean_norm=st.floats(0.0, 10.0),
    seed=st.integers(0, 2**31 - 1),
)
def test_gaussian_mixture_property(n_samples, n_features, balanced, labels, mean_norm, seed):
    X, y, mu = make_gaussian_mixture(
        n_samples,
        n_features,
        mean_norm=mean_norm,
        balanced=balanced,
        labels=labels,
        random_state=seed,
        return_mean=True,
    )
    assert X.shape == (n_samples, n_features)
    assert y.shape == (n_samples,)
    assert mu.shape == (n_features,)
    assert np.isfinite(X).all()
    assert np.linalg.norm(mu) == pytest.approx(mean_norm, abs=1e-12)
    low, high = (-1, 1) if labels == "pm1" else (0, 1)
    assert set(y.tolist()) <= {low, high}
    if balanced:
        assert (y == high).sum() == n_samples // 2
        assert (y == low).sum() == n_samples - n_samples // 2


# --------------------------------------------------------------- stock returns
def test_stock_returns_windows_match_the_series():
    from sksynth.datasets import load_stock_returns

    stocks = load_stock_returns(window=24, stride=12)
    returns = stocks.frame
    # 391 months in the file (Jan 1990 - Jun 2022) -> 390 returns
    assert returns.shape == (390, 10)
    assert stocks.data.shape == ((390 - 24) // 12 + 1, 24, 10)
    # each window is the series itself, starting at its window_start
    k = 5
    start = returns.index.get_loc(stocks.window_start[k])
    np.testing.assert_array_equal(stocks.data[k], returns.to_numpy()[start:start + 24])
    # returns are 100 * log price ratios: the S&P 500 moved 31% in its best/worst months at most
    assert np.nanmax(np.abs(returns["^GSPC"])) < 31
    np.testing.assert_array_equal(stocks.complete, returns.notna().all().to_numpy())
    assert stocks.complete.sum() == 7
    assert np.isnan(stocks.data[0, :, stocks.feature_names.index("GOOGL")]).all()  # pre-IPO
    overlapping = load_stock_returns(window=12, stride=3)
    assert overlapping.data.shape[0] == (390 - 12) // 3 + 1


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(window=0), ValueError, "window must be a positive int"),
    (dict(stride=1.5), TypeError, "stride must be a positive int"),
    (dict(window=1000), ValueError, "longer than the 390 months"),
])
def test_stock_returns_bad_arguments(kwargs, error, match):
    from sksynth.datasets import load_stock_returns

    with pytest.raises(error, match=match):
        load_stock_returns(**kwargs)
