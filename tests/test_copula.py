"""Tests of GaussianCopulaGenerator: marginals, dependence, missingness, conditions."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import logsumexp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV, cross_val_score

from sksynth.augmentation import AugmentedClassifier
from sksynth.datasets import load_adult
from sksynth.base import PrivacyWarning
from sksynth.generators import GaussianCopulaGenerator
from sksynth.generators._copula_conditional import _log_box_probability

RHO = np.array([[1.0, 0.6, -0.4], [0.6, 1.0, 0.2], [-0.4, 0.2, 1.0]])


def _latent_frame(n, seed=0):
    """Mixed columns driven by a Gaussian copula with correlation RHO (planted truth)."""
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal(np.zeros(3), RHO, size=n)
    u = stats.norm.cdf(z)
    return pd.DataFrame({
        "income": stats.lognorm(s=0.6, scale=30_000).ppf(u[:, 0]),
        "age": np.floor(stats.gamma(a=9, scale=4).ppf(u[:, 1])).astype(np.int64),
        "level": pd.Categorical(np.array(["low", "mid", "high"])[
            np.searchsorted([0.5, 0.8], u[:, 2])], categories=["low", "mid", "high"]),
    })


def _ks_bound(n, m, alpha=1e-3):
    """Critical two-sample Kolmogorov-Smirnov distance at level alpha."""
    return np.sqrt(-0.5 * np.log(alpha / 2)) * np.sqrt((n + m) / (n * m))


@pytest.mark.parametrize("marginals", ["empirical", "kde", "parametric"])
def test_marginals_are_preserved(marginals):
    X = _latent_frame(3000)
    gen = GaussianCopulaGenerator(marginals=marginals, random_state=0).fit(X)
    S = gen.sample(20_000)
    # KS at level 1e-3 (the smooth marginals are estimates: allow them a 1.5 factor)
    slack = 1.0 if marginals == "empirical" else 1.5
    for column in ["income", "age"]:
        distance = stats.ks_2samp(X[column], S[column]).statistic
        assert distance < slack * _ks_bound(len(X), len(S)), (column, distance)
    freq_real = X["level"].value_counts(normalize=True)
    freq_syn = S["level"].value_counts(normalize=True)
    np.testing.assert_allclose(freq_syn[freq_real.index], freq_real,
                               atol=5 * np.sqrt(0.25 / len(S)))
    assert S.dtypes.equals(X.dtypes)
    assert S["income"].between(X["income"].min(), X["income"].max()).all()
    assert S["age"].between(X["age"].min(), X["age"].max()).all()


def test_spearman_correlations_are_preserved():
    n, m = 4000, 20_000
    X = _latent_frame(n, seed=1)
    S = GaussianCopulaGenerator(random_state=0).fit(X).sample(m)
    codes = lambda f: np.column_stack([f["income"], f["age"], f["level"].cat.codes])  # noqa: E731
    real = stats.spearmanr(codes(X)).statistic
    syn = stats.spearmanr(codes(S)).statistic
    # sd of a Spearman coefficient <= ~1/sqrt(n): 4 sd for the fit plus the sample
    tol = 4 * (1 / np.sqrt(n) + 1 / np.sqrt(m))
    np.testing.assert_allclose(syn, real, atol=tol)


def test_latent_correlation_recovers_planted_rho():
    # interval scores attenuate correlations; the Hermite correction undoes it
    n = 20_000
    gen = GaussianCopulaGenerator(shrinkage=0.0).fit(_latent_frame(n, seed=2))
    R = gen.correlation_
    se = (1 - RHO**2) / np.sqrt(n)
    np.testing.assert_allclose(R, RHO, atol=5 * se.max() + 0.01)


def test_never_invents_categories_and_keeps_integers():
    X = _latent_frame(500)
    X["flag"] = np.random.default_rng(0).random(500) < 0.2
    S = GaussianCopulaGenerator(random_state=1).fit(X).sample(5000)
    assert set(S["level"].unique()) <= {"low", "mid", "high"}
    assert S["flag"].dtype == bool and S["age"].dtype == np.int64
    assert set(S["age"]) <= set(range(X["age"].min(), X["age"].max() + 1))


def test_heavy_missingness_rate_is_reproduced():
    rng = np.random.default_rng(0)
    n, m = 2000, 20_000
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    X.loc[rng.random(n) < 0.9, "b"] = np.nan
    S = GaussianCopulaGenerator(random_state=0).fit(X).sample(m)
    rate = X["b"].isna().mean()
    # binomial sd of the fitted rate and of the sampled one, 5 sd
    assert abs(S["b"].isna().mean() - rate) < 5 * np.sqrt(rate * (1 - rate) * (1 / n + 1 / m))


def test_missingness_depending_on_another_column_keeps_its_dependence():
    rng = np.random.default_rng(0)
    n = 4000
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    b[a > 0.5] = np.nan  # missing exactly when a is large
    X = pd.DataFrame({"a": a, "b": b, "c": np.where(a > 0, "p", "q")})
    X.loc[rng.random(n) < 0.3, "c"] = None
    S = GaussianCopulaGenerator(random_state=0).fit(X).sample(20_000)
    high = S["a"] > 1.0
    low = S["a"] < 0.0
    assert S.loc[high, "b"].isna().mean() > 0.95
    assert S.loc[low, "b"].isna().mean() < 0.05
    # missingness of a categorical column is modelled too
    assert abs(S["c"].isna().mean() - X["c"].isna().mean()) < 0.02


def test_conditional_sampling_matches_gaussian_conditional():
    rng = np.random.default_rng(0)
    n = 5000
    X = pd.DataFrame(rng.multivariate_normal([0, 0], [[1, 0.7], [0.7, 1]], size=n),
                     columns=["x", "y"])
    gen = GaussianCopulaGenerator(shrinkage=0.0, random_state=0).fit(X)
    S = gen.sample(20_000, conditions={"x": 1.0})
    assert (S["x"] == 1.0).all()
    # E[y | x = 1] = 0.7, Var = 1 - 0.49; tolerance: fit error + sampling error
    assert abs(S["y"].mean() - 0.7) < 5 * (1 / np.sqrt(n) + np.sqrt(0.51 / len(S)))
    assert abs(S["y"].std() - np.sqrt(0.51)) < 0.03


def test_conditions_on_categories_missing_and_per_row_values():
    X = load_adult().data.iloc[:5000]
    gen = GaussianCopulaGenerator(random_state=0).fit(X)
    S = gen.sample(2000, conditions={"sex": "Female", "workclass": np.nan})
    assert (S["sex"] == "Female").all() and S["workclass"].isna().all()
    # occupation is missing (almost) exactly when workclass is (1.0 in the data; two
    # interval conditions go through the Gibbs sampler)
    assert S["occupation"].isna().mean() > 0.8
    ages = np.repeat([25, 60], 50)
    S = gen.sample(conditions={"age": ages, "sex": "Male"})
    assert len(S) == 100 and S["age"].tolist() == ages.tolist()
    assert S["marital_status"].iloc[:50].eq("Never-married").mean() > S[
        "marital_status"].iloc[50:].eq("Never-married").mean()


@pytest.mark.parametrize("conditions, match", [
    ({"sex": "Alien"}, "never seen in fit"),
    ({"age": 200}, "outside the range"),
    ({"age": 30.5}, "non-integer"),
    ({"race": np.nan}, "no missing values"),
    ({"nope": 1}, "did not have"),
])
def test_impossible_conditions_raise(conditions, match):
    gen = GaussianCopulaGenerator(random_state=0).fit(load_adult().data.iloc[:2000])
    with pytest.raises(ValueError, match=match):
        gen.sample(10, conditions=conditions)


def test_class_conditional_sampling_with_labels():
    data = load_adult()
    X, y = data.data.iloc[:6000], data.target.iloc[:6000]
    gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    X_new, y_new = gen.sample(20_000)
    share = (y == ">50K").mean()
    assert abs((y_new == ">50K").mean() - share) < 5 * np.sqrt(share * (1 - share) / 6000)
    X_rich, y_rich = gen.sample(y=np.repeat([">50K"], 4000))
    assert (y_rich == ">50K").all()
    real = X.loc[y == ">50K", "age"]
    assert abs(X_rich["age"].mean() - real.mean()) < 5 * real.std() / np.sqrt(len(real))


def test_continuous_target_is_modelled_jointly():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=3000)})
    y = 2 * X["x"] + rng.normal(scale=0.5, size=3000)
    gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    X_new, y_new = gen.sample(y=np.full(5000, 2.0))
    assert np.allclose(y_new, 2.0)
    # x | y = 2: mean 2 * 2 / 4.25 in the Gaussian model
    assert abs(X_new["x"].mean() - 4 / 4.25) < 0.1


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 2))
def test_same_random_state_replays_and_pickles(seed):
    X = _latent_frame(300)
    first = GaussianCopulaGenerator(random_state=seed).fit(X)
    second = GaussianCopulaGenerator(random_state=seed).fit(X)
    a1, a2 = first.sample(5), first.sample(5)
    pd.testing.assert_frame_equal(a1, second.sample(5))
    assert not a1.equals(a2)
    clone = pickle.loads(pickle.dumps(first))
    pd.testing.assert_frame_equal(clone.sample(7), first.sample(7))
    pd.testing.assert_frame_equal(first.sample(4, random_state=3), first.sample(4, random_state=3))


def test_transform_is_deterministic_and_inverts_exactly():
    X = load_adult().data.iloc[:3000]
    gen = GaussianCopulaGenerator(random_state=0).fit(X)
    Z = gen.transform(X)
    np.testing.assert_array_equal(Z, GaussianCopulaGenerator(random_state=5).fit(X).transform(X))
    assert np.isfinite(Z).all() and Z.shape[1] == len(gen.get_feature_names_out())
    pd.testing.assert_frame_equal(gen.inverse_transform(Z), X.reset_index(drop=True))


def test_score_is_finite_on_held_out_rows_and_prefers_real_data():
    data = load_adult().data
    gen = GaussianCopulaGenerator(random_state=0).fit(data.iloc[:3000])
    held_out = data.iloc[3000:4000]
    scores = gen.score_samples(held_out)
    assert np.isfinite(scores).all()
    rng = np.random.default_rng(0)
    shuffled = held_out.apply(lambda c: c.to_numpy()[rng.permutation(len(c))])
    assert gen.score(held_out) > gen.score(shuffled)  # dependence is worth likelihood


def test_works_inside_augmentation_and_grid_search():
    data = load_adult()
    X, y = data.data.iloc[:1500], data.target.iloc[:1500]
    clf = AugmentedClassifier(
        estimator=HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=20),
        generator=GaussianCopulaGenerator(), n_synthetic=1.0, random_state=0)
    assert cross_val_score(clf, X, y, cv=2).mean() > 0.75
    search = GridSearchCV(GaussianCopulaGenerator(), {"marginals": ["empirical", "kde"]}, cv=2)
    # A held-out category the fold never saw has probability zero (score -inf), so the
    # search runs on the categories common enough to be in both folds.
    common = X.apply(lambda c: c.astype(object).map(c.value_counts()) >= 30
                     if c.dtype == "category"
                     else pd.Series(True, index=c.index)).all(axis=1)
    scores = search.fit(X[common]).cv_results_["mean_test_score"]
    assert np.isfinite(scores).all()
    with pytest.warns(UserWarning, match="non-finite"):  # rare categories: -inf, not a guess
        GridSearchCV(GaussianCopulaGenerator(), {"marginals": ["empirical"]}, cv=2).fit(X)


def test_edge_columns_constant_all_missing_and_one_row():
    X = pd.DataFrame({"c": [3.0] * 4, "m": [np.nan] * 4, "k": ["z"] * 4, "x": [1.0, 2, 3, 4]})
    S = GaussianCopulaGenerator(min_group_size=1, random_state=0).fit(X).sample(6)
    assert (S["c"] == 3.0).all() and S["m"].isna().all() and (S["k"] == "z").all()
    assert S["m"].dtype == np.float64
    one = GaussianCopulaGenerator(min_group_size=1, random_state=0).fit(X.iloc[:1]).sample(3)
    assert one.shape == (3, 4)
    with pytest.raises(ValueError, match="entirely missing"):
        GaussianCopulaGenerator(min_group_size=1).fit(X).sample(2, conditions={"m": 1.0})
    # by default a table this small is refused: its model would replay it
    with pytest.raises(ValueError, match="4 sample.*min_group_size=5"):
        GaussianCopulaGenerator().fit(X)


# ---------------------------------------------------------------------------
# class labels: one copula per class
# ---------------------------------------------------------------------------
CLASS_MEANS = np.array([0.0, 4.0, 8.0])
CLASS_RHO = np.array([0.8, -0.8, 0.0])  # corr(x, w) within each class: no single copula has it
CLASS_SIZES = np.array([600, 900, 300])
LEVEL_PROBS = np.array([[0.7, 0.3, 0.0], [0.0, 0.6, 0.4], [0.2, 0.0, 0.8]])  # a, b, c


def _three_class_frame(seed=0):
    """Three classes differing in means, correlation sign and category frequencies."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), CLASS_SIZES)
    rng.shuffle(y)
    e1, e2 = rng.standard_normal((2, y.size))
    rho = CLASS_RHO[y]
    u = rng.random(y.size)
    level = np.array(["a", "b", "c"])[np.sum(u[:, None] > np.cumsum(LEVEL_PROBS[y], axis=1),
                                             axis=1)]
    X = pd.DataFrame({
        "x": CLASS_MEANS[y] + e1,
        "w": rho * e1 + np.sqrt(1 - rho**2) * e2,
        "level": pd.Categorical(level, categories=["a", "b", "c"]),
        "count": rng.poisson(2 + 3 * y),
    })
    return X, y


def test_class_conditional_distributions_are_recovered_for_three_classes():
    X, y = _three_class_frame()
    gen = GaussianCopulaGenerator(shrinkage=0.0, random_state=0).fit(X, y)
    m = 4000
    labels = np.random.default_rng(1).permutation(np.repeat(np.arange(3), m))
    S, y_new = gen.sample(y=labels)
    np.testing.assert_array_equal(y_new, labels)  # one row per label, in order
    for k in range(3):
        rows = S[labels == k]
        n_k = CLASS_SIZES[k]
        # planted mean: sd 1/sqrt(n_k) from the fit plus 1/sqrt(m) from sampling, 5 sd
        assert abs(rows["x"].mean() - CLASS_MEANS[k]) < 5 * np.sqrt(1 / n_k + 1 / m), k
        # Pearson r has sd ~ (1 - rho^2) / sqrt(n): 5 sd for the fit plus the sample
        r = np.corrcoef(rows["x"], rows["w"])[0, 1]
        tol = 5 * (1 - CLASS_RHO[k] ** 2) * (1 / np.sqrt(n_k) + 1 / np.sqrt(m)) + 0.01
        assert abs(r - CLASS_RHO[k]) < tol, (k, r)
        freq = rows["level"].value_counts(normalize=True).reindex(["a", "b", "c"]).to_numpy()
        p = LEVEL_PROBS[k]
        assert np.all(np.abs(freq - p) <= 5 * np.sqrt(p * (1 - p) * (1 / n_k + 1 / m)))
        assert np.all(freq[p == 0] == 0)  # a class never produces a category it never had


def test_unconditional_label_frequencies_match_the_training_labels():
    X, y = _three_class_frame(seed=1)
    gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    np.testing.assert_array_equal(gen.class_prior_, CLASS_SIZES / CLASS_SIZES.sum())
    m = 30_000
    S, y_new = gen.sample(m)
    pi = gen.class_prior_
    freq = np.bincount(y_new, minlength=3) / m
    # labels are multinomial(m, pi): binomial sd per class, 5 sd
    assert np.all(np.abs(freq - pi) < 5 * np.sqrt(pi * (1 - pi) / m)), freq
    for k in range(3):  # and each label's rows come from its class
        n_k, m_k = CLASS_SIZES[k], np.sum(y_new == k)
        mean = S.loc[y_new == k, "x"].mean()
        assert abs(mean - CLASS_MEANS[k]) < 5 * np.sqrt(1 / n_k + 1 / m_k), (k, mean)


def test_conditions_without_labels_draw_labels_given_the_conditions():
    X, y = _three_class_frame(seed=2)
    gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    m = 20_000
    for level in ["a", "b", "c"]:
        S, y_new = gen.sample(m, conditions={"level": level})
        assert (S["level"] == level).all()
        # a class's copula gives the category its class frequency, so P(y | level) is the
        # training share of each class among the rows with that level
        p = np.bincount(y[X["level"] == level], minlength=3) / np.sum(X["level"] == level)
        freq = np.bincount(y_new, minlength=3) / m
        assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / m) + 1e-12), (level, freq)
    # per-row conditions: each row gets the labels its own value makes likely
    S, y_new = gen.sample(conditions={"level": np.repeat(["a", "c"], 500)})
    assert set(y_new[:500]) <= {0, 2} and set(y_new[500:]) <= {1, 2}


def test_conditions_impossible_for_a_class_raise():
    X = pd.DataFrame({"u": ["p", "p", "q", "q", "p"], "v": ["r", "r", "s", "s", "s"]})
    y = np.array([0, 0, 1, 1, 1])
    gen = GaussianCopulaGenerator(min_group_size=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="requested with y=0.*never seen in fit"):
        gen.sample(y=[1, 0], conditions={"u": "q"})
    with pytest.raises(ValueError, match="impossible in every class"):
        gen.sample(3, conditions={"u": "q", "v": "r"})  # each value seen, never together
    with pytest.raises(ValueError, match="never seen in fit"):
        gen.sample(3, conditions={"u": "z"})
    S, y_new = gen.sample(50, conditions={"u": "q"})  # only class 1 had q
    assert (y_new == 1).all() and (S["v"] == "s").all()


def test_tiny_classes_are_pooled_by_default():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=40), "b": rng.choice(["x", "y", "z"], 40),
                      "c": rng.integers(0, 5, 40)})
    y = np.r_[0, 1, 1, 2, np.full(36, 3)]
    with pytest.warns(PrivacyWarning, match=r"3 class\(es\).*\[0, 1, 2\]"):
        gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    one, labels = gen.sample(y=[0] * 400)
    assert (labels == 0).all()
    row = X.iloc[0]
    copies = (one["a"] == row["a"]) & (one["b"] == row["b"]) & (one["c"] == row["c"])
    assert not copies.any()  # the class's row is never replayed (it was, 100%, before)
    # drawn from the whole table: the spread of "a" is the table's (4 SEs of an sd)
    assert abs(one["a"].std() - X["a"].std()) < 4 * X["a"].std() / np.sqrt(2 * 400)
    assert set(one["b"]) == {"x", "y", "z"}
    with pytest.raises(ValueError, match="min_group_size=5"):  # a category of 3 rows
        GaussianCopulaGenerator().fit(X.assign(b=np.r_[["w"] * 3, ["x"] * 37])).sample(
            5, conditions={"b": "w"})


def test_tiny_classes_fit_and_sample_their_own_rows_when_asked():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=40), "b": rng.choice(["x", "y", "z"], 40),
                      "c": rng.integers(0, 5, 40)})
    X.loc[3, "a"] = np.nan
    y = np.r_[0, 1, 1, 2, np.full(36, 3)]  # a class of one row, of two, one with NaN
    gen = GaussianCopulaGenerator(min_group_size=1, random_state=0).fit(X, y)
    one, _ = gen.sample(y=[0] * 20)
    pd.testing.assert_frame_equal(one, X.iloc[[0] * 20].reset_index(drop=True))
    two, _ = gen.sample(y=[1] * 200)
    for column in ["a", "c"]:  # within the class's range (integers interpolated, rounded)
        assert two[column].between(X[column][1:3].min(), X[column][1:3].max()).all()
    assert set(two["b"]) <= set(X["b"][1:3])
    assert gen.sample(y=[2] * 5)[0]["a"].isna().all()
    assert np.isfinite(gen.score_samples(X)).all()
    assert np.isfinite(gen.score_samples(X, y)).all()
    # an array fitted with many one- and two-row classes (as scikit-learn's checks do)
    A = rng.normal(size=(20, 3)) * 3
    labelled = GaussianCopulaGenerator(min_group_size=1, random_state=0).fit(
        A, A[:, 0].astype(int))
    X_new, y_new = labelled.sample(30)
    assert isinstance(X_new, np.ndarray) and X_new.shape == (30, 3)
    assert set(y_new) <= set(A[:, 0].astype(int))


def test_class_scores_mix_the_class_copulas_and_transform_ignores_labels():
    X, y = _three_class_frame(seed=3)
    gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    held_out, y_held = _three_class_frame(seed=4)
    joint = np.column_stack([gen.score_samples(held_out, np.full(len(held_out), k))
                             for k in range(3)])
    np.testing.assert_allclose(gen.score_samples(held_out), logsumexp(joint, axis=1))
    np.testing.assert_allclose(gen.score_samples(held_out, y_held),
                               joint[np.arange(len(held_out)), y_held])
    # the class-conditional model is worth likelihood over the pooled copula: about
    # H(y) ~ 1 nat here, since x nearly separates the classes
    pooled = GaussianCopulaGenerator(random_state=0).fit(X)
    assert gen.score(held_out) > pooled.score(held_out) + 0.5
    # the representation is the pooled copula's, whatever the labels
    np.testing.assert_array_equal(gen.transform(held_out), pooled.transform(held_out))
    np.testing.assert_array_equal(gen.correlation_, pooled.correlation_)


def test_condition_at_the_end_of_a_smooth_marginal_keeps_other_columns_random():
    # F(min) = 0 for a KDE marginal: its score must stay finite, else every other
    # column was pinned (or NaN) under this condition
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=500), "b": rng.normal(size=500),
                      "c": rng.choice(["x", "y"], 500)})
    gen = GaussianCopulaGenerator(marginals="kde", random_state=0).fit(X)
    S = gen.sample(2000, conditions={"a": X["a"].min()})
    assert (S["a"] == X["a"].min()).all() and S["b"].notna().all()
    assert S["b"].std() > 0.5 and S["c"].nunique() == 2


def test_ghk_box_probability_matches_scipy():
    R = np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 1.0]])
    lo = np.array([[-0.5, -np.inf, 0.2], [1.0, -1.0, -2.0]])
    hi = np.array([[0.7, 0.3, np.inf], [np.inf, 0.0, -1.0]])
    mean = np.array([[0.1, -0.2, 0.0], [0.0, 0.0, 0.0]])
    estimate = np.exp(_log_box_probability(mean, R, lo, hi, 512, np.random.RandomState(0)))
    reference = [stats.multivariate_normal(mean[i], R).cdf(hi[i], lower_limit=lo[i],
                                                            rng=np.random.default_rng(0))
                 for i in range(2)]
    # GHK with 512 draws: a few percent relative error at these probabilities (0.11, 0.008)
    np.testing.assert_allclose(estimate, reference, rtol=0.05)
    one = _log_box_probability(mean[:, :1], R[:1, :1], lo[:, :1], hi[:, :1], 1, None)
    np.testing.assert_allclose(np.exp(one), stats.norm.cdf(hi[:, 0] - mean[:, 0])
                               - stats.norm.cdf(lo[:, 0] - mean[:, 0]))
