"""Tests of the Gaussian generators and LabelNoise against closed forms and scipy."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import logsumexp
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV

from sksynth.generators import GaussianGenerator, GaussianMixtureGenerator, LabelNoise

GENERATORS = [
    GaussianGenerator,
    GaussianMixtureGenerator,
    LabelNoise,
]


def _labelled(n=300, p=3, seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat([0, 1, 2], n // 3)
    X = rng.normal(size=(y.shape[0], p)) + 2.0 * y[:, None]
    return X, y


def _fit(cls, X, y=None, **params):
    needs_y = cls is LabelNoise
    if needs_y and y is None:
        y = (X[:, 0] > np.median(X[:, 0])).astype(int)
    return cls(random_state=0, **params).fit(X, y), y


# ---------------------------------------------------------------------------
# containers, shapes, dtypes
# ---------------------------------------------------------------------------
# at least min_group_size=5 rows: smaller tables are refused
numeric_frames = st.integers(min_value=5, max_value=40).flatmap(
    lambda n: st.lists(
        st.sampled_from(["float64", "float32", "int64", "int32", "bool"]),
        min_size=1,
        max_size=4,
    ).map(lambda kinds: (n, kinds))
)


def _frame(n, kinds, seed):
    rng = np.random.RandomState(seed)
    columns = {}
    for j, kind in enumerate(kinds):
        if kind == "bool":
            values = rng.rand(n) > 0.5
        elif kind.startswith("int"):
            values = rng.randint(-50, 50, size=n)
        else:
            values = rng.normal(scale=10, size=n)
        columns[f"col_{j}"] = pd.Series(values).astype(kind)
    return pd.DataFrame(columns)


@pytest.mark.parametrize("cls", [GaussianGenerator, GaussianMixtureGenerator])
@settings(max_examples=20, deadline=None)
@given(spec=numeric_frames, n_new=st.integers(0, 30), seed=st.integers(0, 1000))
def test_sample_preserves_frame_columns_and_dtypes(cls, spec, n_new, seed):
    n, kinds = spec
    frame = _frame(n, kinds, seed)
    generator = cls(random_state=seed, reg_covar=1e-3).fit(frame)
    sample = generator.sample(n_new)
    assert isinstance(sample, pd.DataFrame)
    assert list(sample.columns) == list(frame.columns)
    assert sample.dtypes.to_dict() == frame.dtypes.to_dict()
    assert sample.shape == (n_new, frame.shape[1])
    for column in frame.columns:
        if frame[column].dtype.kind == "i":
            info = np.iinfo(frame[column].dtype)
            assert sample[column].between(info.min, info.max).all()


@pytest.mark.parametrize("cls", GENERATORS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sample_returns_array_of_fitted_dtype(cls, dtype):
    X, y = _labelled()
    generator, y = _fit(cls, X.astype(dtype), y if cls is not GaussianGenerator else None)
    out = generator.sample(7)
    X_new = out[0] if isinstance(out, tuple) else out
    assert isinstance(X_new, np.ndarray)
    assert X_new.dtype == dtype
    assert X_new.shape == (7, X.shape[1])


@pytest.mark.parametrize("cls", GENERATORS)
def test_labels_come_back_as_series_with_name(cls):
    X, y = _labelled()
    labels = pd.Series(np.array(["a", "b", "c"])[y], name="target")
    generator = cls(random_state=0).fit(pd.DataFrame(X, columns=list("xyz")), labels)
    X_new, y_new = generator.sample(20)
    assert isinstance(y_new, pd.Series) and y_new.name == "target"
    assert set(y_new) <= {"a", "b", "c"}
    assert list(X_new.columns) == ["x", "y", "z"]


@pytest.mark.parametrize("cls", GENERATORS)
def test_zero_samples_gives_empty_result_of_right_shape(cls):
    X, y = _labelled()
    generator, y = _fit(cls, X, y)
    X_new, y_new = generator.sample(0)
    assert X_new.shape == (0, X.shape[1]) and y_new.shape == (0,)


# ---------------------------------------------------------------------------
# randomness and persistence
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("cls", GENERATORS)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 2))
def test_same_random_state_replays_the_same_samples(cls, seed):
    X, y = _labelled(seed=1)
    first = cls(random_state=seed).fit(X, y)
    second = cls(random_state=seed).fit(X, y)
    a1, a2 = first.sample(5), first.sample(5)
    b1, b2 = second.sample(5), second.sample(5)
    np.testing.assert_array_equal(a1[0], b1[0])
    np.testing.assert_array_equal(a2[0], b2[0])
    assert not np.array_equal(a1[0], a2[0]), "successive calls must give new rows"


@pytest.mark.parametrize("cls", GENERATORS)
def test_per_call_random_state_is_reproducible_and_leaves_stream(cls):
    X, y = _labelled()
    generator = cls(random_state=0).fit(X, y)
    reference = cls(random_state=0).fit(X, y)
    np.testing.assert_array_equal(
        generator.sample(4, random_state=7)[0], generator.sample(4, random_state=7)[0]
    )
    # a seeded call does not advance the generator's own stream
    np.testing.assert_array_equal(generator.sample(3)[0], reference.sample(3)[0])


@pytest.mark.parametrize("cls", GENERATORS)
def test_pickle_round_trip_gives_identical_samples(cls):
    X, y = _labelled()
    generator = cls(random_state=3).fit(X, y)
    generator.sample(2)  # advance the stream before pickling
    clone = pickle.loads(pickle.dumps(generator))
    for _ in range(2):
        np.testing.assert_array_equal(generator.sample(6)[0], clone.sample(6)[0])
    np.testing.assert_allclose(generator.score(X, y), clone.score(X, y))


@pytest.mark.parametrize("cls", GENERATORS)
def test_iter_sample_streams_batches(cls):
    X, y = _labelled()
    generator = cls(random_state=0).fit(X, y)
    batches = list(generator.iter_sample(25, batch_size=10, random_state=1))
    assert [b[0].shape[0] for b in batches] == [10, 10, 5]
    again = list(generator.iter_sample(25, batch_size=10, random_state=1))
    np.testing.assert_array_equal(
        np.vstack([b[0] for b in batches]), np.vstack([b[0] for b in again])
    )


# ---------------------------------------------------------------------------
# statistical recovery
# ---------------------------------------------------------------------------
TRUE_MEAN = np.array([1.0, -2.0, 0.5])
TRUE_COV = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]])


def _moment_bounds(n, cov, z=5.0):
    """z-sigma bounds for the sample mean and (Gaussian) sample covariance."""
    mean_tol = z * np.sqrt(np.diag(cov) / n)
    var = np.outer(np.diag(cov), np.diag(cov)) + cov**2  # Var(x_i x_j) for Gaussians
    return mean_tol, z * np.sqrt(var / n)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_gaussian_generator_recovers_mean_and_covariance(seed):
    rng = np.random.RandomState(seed)
    n = 4000
    X = rng.multivariate_normal(TRUE_MEAN, TRUE_COV, size=n)
    generator = GaussianGenerator(random_state=seed).fit(X)
    mean_tol, cov_tol = _moment_bounds(n, TRUE_COV)
    assert np.all(np.abs(generator.means_[0] - TRUE_MEAN) < mean_tol)
    assert np.all(np.abs(generator.covariances_[0] - TRUE_COV) < cov_tol)
    # and its samples reproduce the fitted moments
    m = 20_000
    X_new = generator.sample(m)
    fitted = generator.covariances_[0]
    mean_tol, cov_tol = _moment_bounds(m, fitted)
    assert np.all(np.abs(X_new.mean(axis=0) - generator.means_[0]) < mean_tol)
    assert np.all(np.abs(np.cov(X_new.T) - fitted) < cov_tol)


def test_pooled_diagonal_matches_gaussian_naive_bayes_formula():
    # Zheng et al. (2023): per-class unbiased variances pooled with the class priors
    rng = np.random.RandomState(0)
    y = np.array([0] * 12 + [1] * 8)
    X = rng.normal(size=(20, 4)) * (1 + y[:, None])
    generator = GaussianMixtureGenerator(covariance_type="tied_diag", reg_covar=0).fit(X, y)
    expected = 0.6 * X[y == 0].var(axis=0, ddof=1) + 0.4 * X[y == 1].var(axis=0, ddof=1)
    np.testing.assert_allclose(generator.covariances_, expected)
    np.testing.assert_allclose(generator.means_[1], X[y == 1].mean(axis=0))


def test_tied_covariance_is_prior_weighted_class_covariance():
    X, y = _labelled(n=90)
    generator = GaussianMixtureGenerator(covariance_type="tied", reg_covar=0).fit(X, y)
    expected = sum(np.cov(X[y == k].T) for k in range(3)) / 3
    np.testing.assert_allclose(generator.covariances_, expected)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "tied_diag"])
def test_score_matches_scipy_log_density(covariance_type):
    X, y = _labelled(n=150)
    gen = GaussianMixtureGenerator(covariance_type=covariance_type).fit(X, y)
    log_joint = []
    for k in range(3):
        cov = gen.covariances_ if covariance_type.startswith("tied") else gen.covariances_[k]
        cov = np.diag(cov) if np.ndim(cov) == 1 else cov
        log_joint.append(np.log(gen.weights_[k]) + stats.multivariate_normal(gen.means_[k], cov)
                         .logpdf(X))
    log_joint = np.column_stack(log_joint)
    np.testing.assert_allclose(gen.score_samples(X, y), log_joint[np.arange(150), y])
    np.testing.assert_allclose(gen.score(X), logsumexp(log_joint, axis=1).mean())


def test_unsupervised_mixture_matches_sklearn_gaussian_mixture():
    X, _ = _labelled(n=300)
    ours = GaussianMixtureGenerator(n_components=3, covariance_type="full", random_state=0).fit(X)
    reference = GaussianMixture(n_components=3, random_state=0).fit(X)
    # same optimum up to label switching: compare the likelihood, not the parameters
    assert ours.score(X) == pytest.approx(reference.score(X), abs=1e-3)
    np.testing.assert_allclose(ours.transform(X).sum(axis=1), 1.0)


def test_joint_regression_target_gives_exact_conditional():
    rng = np.random.RandomState(0)
    n = 5000
    y = rng.normal(size=n)
    X = np.column_stack([2.0 * y + rng.normal(size=n), rng.normal(size=n)])
    gen = GaussianGenerator(random_state=0).fit(X, y)
    # Cov(X, y) / Var(y) = (2, 0) with standard errors ~ 1/sqrt(n)
    np.testing.assert_allclose(gen.target_coef_, [2.0, 0.0], atol=5 / np.sqrt(n))
    X_new, y_new = gen.sample(y=np.full(4000, 1.5))
    np.testing.assert_array_equal(y_new, 1.5)
    # E[X | y=1.5] = (3, 0), Var(X1 | y) = 1
    np.testing.assert_allclose(X_new.mean(axis=0), gen.means_[0] + 1.5 * gen.target_coef_,
                               atol=5 / np.sqrt(4000))
    assert X_new[:, 0].var() == pytest.approx(1.0, abs=0.1)
    # joint log-likelihood = log p(y) + log p(x | y), checked with scipy on the joint
    Z = np.column_stack([X, y])
    joint = stats.multivariate_normal(Z.mean(axis=0), np.cov(Z.T) + 1e-6 * np.eye(3))
    assert gen.score(X, y) == pytest.approx(joint.logpdf(Z).mean(), abs=1e-4)


def test_class_conditional_sampling_follows_requested_labels():
    X, y = _labelled(n=600)
    gen = GaussianMixtureGenerator(random_state=0).fit(X, y)
    labels = np.array([2, 0, 1, 2] * 500)
    X_new, y_new = gen.sample(y=labels)
    np.testing.assert_array_equal(y_new, labels)
    for k in range(3):
        np.testing.assert_allclose(X_new[labels == k].mean(axis=0), gen.means_[k],
                                   atol=5 * np.sqrt(1.0 / 500))


def test_unconditional_labels_follow_class_proportions():
    rng = np.random.RandomState(0)
    y = np.array([0] * 70 + [1] * 30)
    X = rng.normal(size=(100, 2))
    gen = GaussianMixtureGenerator(random_state=0).fit(X, y)
    n = 20_000
    _, y_new = gen.sample(n)
    assert abs(y_new.mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / n)


@pytest.mark.parametrize("rate", [0.0, 0.05, 0.3, 0.5])
def test_label_noise_rate_within_binomial_bound(rate):
    X, y = _labelled()
    noisy = LabelNoise(rate=rate, random_state=0).fit(X, y)
    n = 20_000
    _, y_noisy, flipped = noisy.sample(n, return_flipped=True)
    bound = 4 * np.sqrt(rate * (1 - rate) / n) + 1e-12
    assert abs(flipped.mean() - rate) <= bound
    # flipped labels are different classes, the others unchanged
    X_clean, y_clean = noisy.generator_.sample(n, random_state=5)
    _, y_again, flipped_again = noisy.sample(n, y=y_clean, random_state=9, return_flipped=True)
    np.testing.assert_array_equal(y_again[~flipped_again], y_clean[~flipped_again])
    assert np.all(y_again[flipped_again] != y_clean[flipped_again])


def test_label_noise_likelihood_mixes_classes():
    X, y = _labelled()
    noisy = LabelNoise(rate=0.2, random_state=0).fit(X, y)
    clean = noisy.generator_
    expected = np.log(
        0.8 * np.exp(clean.score_samples(X, y))
        + sum(0.1 * np.exp(clean.score_samples(X, np.full_like(y, c))) * (y != c) for c in range(3))
    )
    np.testing.assert_allclose(noisy.score_samples(X, y), expected)


def test_n_fit_subsample_is_stratified():
    X, y = _labelled(n=300)
    gen = GaussianMixtureGenerator(n_fit=30, random_state=0).fit(X, y)
    assert gen.n_fit_ == 30
    gen = GaussianMixtureGenerator(n_fit=0.1, random_state=0).fit(X, y)
    assert gen.n_fit_ == 30
    # estimated from fewer rows, the means are further from the full-data means
    full = GaussianMixtureGenerator().fit(X, y)
    assert not np.allclose(gen.means_, full.means_)


def test_transform_whitens_and_inverts():
    rng = np.random.RandomState(0)
    X = rng.multivariate_normal(TRUE_MEAN, TRUE_COV, size=5000)
    gen = GaussianGenerator(reg_covar=0).fit(X)
    Z = gen.transform(X)
    np.testing.assert_allclose(np.cov(Z.T), np.eye(3), atol=1e-6)
    np.testing.assert_allclose(gen.inverse_transform(Z), X)


def test_gridsearch_prefers_full_covariance_for_correlated_data():
    rng = np.random.RandomState(0)
    X = rng.multivariate_normal([0, 0], [[1, 0.95], [0.95, 1]], size=400)
    search = GridSearchCV(GaussianGenerator(), {"covariance_type": ["diag", "full"]}, cv=3)
    assert search.fit(X).best_params_ == {"covariance_type": "full"}


@pytest.mark.parametrize("shrinkage", ["ledoit_wolf", "oas", 0.5])
def test_shrinkage_pulls_towards_scaled_identity(shrinkage):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(10, 8))
    plain = GaussianGenerator(reg_covar=0).fit(X).covariances_[0]
    shrunk = GaussianGenerator(shrinkage=shrinkage, reg_covar=0).fit(X).covariances_[0]
    target = np.trace(plain) / 8 * np.eye(8)
    assert np.linalg.norm(shrunk - target) < np.linalg.norm(plain - target)
    if shrinkage == 0.5:
        np.testing.assert_allclose(shrunk, 0.5 * plain + 0.5 * target)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("cls", GENERATORS)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_fit_rejects_nan_and_inf(cls, bad):
    X, y = _labelled()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        cls().fit(X, y)


@pytest.mark.parametrize("cls", GENERATORS)
def test_bad_n_samples(cls):
    X, y = _labelled()
    generator = cls().fit(X, y)
    with pytest.raises(ValueError, match="n_samples"):
        generator.sample(-1)
    for bad in [2.5, "3", True, None]:
        with pytest.raises(TypeError, match="n_samples"):
            generator.sample(bad)
    with pytest.raises(ValueError, match="batch_size"):
        next(generator.iter_sample(5, batch_size=0))


@pytest.mark.parametrize("cls", GENERATORS)
def test_wrong_number_of_features_after_fit(cls):
    X, y = _labelled()
    generator = cls().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        generator.transform(X[:, :2])
    with pytest.raises(ValueError, match="features"):
        generator.score(X[:, :2])


@pytest.mark.parametrize("cls", GENERATORS)
def test_empty_input(cls):
    with pytest.raises(ValueError, match="0 sample"):
        cls().fit(np.empty((0, 3)), np.empty(0, dtype=int))


@pytest.mark.parametrize("cls", GENERATORS)
def test_conditioning_errors(cls):
    X, y = _labelled()
    generator = cls().fit(X, y)
    with pytest.raises(ValueError, match="never seen"):
        generator.sample(y=[0, 7])
    with pytest.raises(ValueError, match="n_samples=5 does not match"):
        generator.sample(5, y=[0, 1])


def test_y_at_sample_needs_y_at_fit():
    X, _ = _labelled()
    with pytest.raises(ValueError, match="fitted without y"):
        GaussianGenerator().fit(X).sample(y=[0, 1])


def test_label_noise_requires_class_labels():
    X, _ = _labelled()
    with pytest.raises(ValueError, match="requires y"):
        LabelNoise().fit(X)
    with pytest.raises(ValueError, match="class labels"):
        LabelNoise().fit(X, np.linspace(0, 1, X.shape[0]))


def test_mixture_parameter_errors():
    X, y = _labelled()
    with pytest.raises(ValueError, match="tied_diag"):
        GaussianMixtureGenerator(covariance_type="tied_diag").fit(X)
    with pytest.raises(ValueError, match="n_fit"):
        GaussianMixtureGenerator(n_fit=1000).fit(X, y)
    with pytest.raises(ValueError, match="n_fit"):
        GaussianMixtureGenerator(n_fit=2).fit(X, y)
    with pytest.raises(ValueError, match="continuous"):
        GaussianMixtureGenerator().fit(X, np.linspace(0, 1, X.shape[0]))
    with pytest.raises(ValueError, match="covariance_type"):
        GaussianMixtureGenerator(covariance_type="spherical").fit(X)
    with pytest.raises(ValueError, match="shrinkage"):
        GaussianGenerator(covariance_type="diag", shrinkage=0.1).fit(X)


def test_non_numeric_columns_are_refused_with_a_clear_error():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": pd.Categorical(["x", "y", "x"])})
    with pytest.raises((TypeError, ValueError), match="(?i)could not convert|numeric|dtype"):
        GaussianGenerator().fit(frame)


@pytest.mark.parametrize("cls, n_out", [(GaussianGenerator, 3), (GaussianMixtureGenerator, 3),
                                        (LabelNoise, 3)])
def test_set_output_pandas(cls, n_out):
    X, y = _labelled()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    Z = cls().set_output(transform="pandas").fit(frame, y).transform(frame)
    assert isinstance(Z, pd.DataFrame) and Z.shape == (X.shape[0], n_out)
    np.testing.assert_array_equal(Z.index, frame.index)
