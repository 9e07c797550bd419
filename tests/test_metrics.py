"""Metrics: each measure against an independent computation, plus properties.

Independent references are scipy (KS, Pearson, Spearman, Cramér's V), pandas
(pairwise-complete correlations), hand-derived values on small fixed inputs,
and direct scikit-learn fits for the utility scores. Tolerances for sampled
quantities come from the null distribution of the statistic at that ``n``.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from scipy import stats
from scipy.spatial.distance import cdist, pdist
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, cross_validate

from sksynth.generators import GaussianGenerator, GaussianMixtureGenerator
from sksynth.metrics import (
    GENERATOR_METRICS,
    association_difference,
    association_matrix,
    column_distances,
    dcr_ratio,
    detection_auc,
    distance_to_closest_record,
    evaluate,
    make_generator_scorer,
    membership_inference_auc,
    mmd,
    nearest_neighbour_distance_ratio,
    privacy_scores,
    quality_score,
    utility_scores,
)
from sksynth.testing import tabular_frames


def _auc_null_sd(n1, n2):
    """Standard deviation of the ROC-AUC of uninformative scores (Mann-Whitney)."""
    return np.sqrt((n1 + n2 + 1) / (12.0 * n1 * n2))


def _mixed(rng, n, shift=0.0):
    """A small mixed table with dependence between every pair of columns."""
    z = rng.normal(size=n)
    x = z + 0.5 * rng.normal(size=n) + shift
    w = np.round(10 + 3 * z + rng.normal(size=n)).astype(int)
    c = np.where(z + rng.normal(size=n) > 0, "hi", "lo")
    return pd.DataFrame({"x": x, "w": w, "c": pd.Categorical(c), "y": (z > 0).astype(int)})


# ---------------------------------------------------------------------------
# column distances
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_ks_matches_scipy_with_ties(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 8, size=40).astype(float)
    b = rng.integers(0, 10, size=55).astype(float)
    got = column_distances(a[:, None], b[:, None])["distance"].iloc[0]
    assert got == pytest.approx(stats.ks_2samp(a, b).statistic, abs=1e-12)


def test_ks_counts_missing_as_a_point_mass():
    # F_real = (.25, .5, .5, .5) and F_syn = (.25, .5, .75, 1) on the grid 1..4
    real = np.array([[1.0], [2.0], [np.nan], [np.nan]])
    syn = np.array([[1.0], [2.0], [3.0], [4.0]])
    assert column_distances(real, syn)["distance"].iloc[0] == pytest.approx(0.5)


def test_total_variation_hand_derived_with_missing_category():
    real = pd.DataFrame({"c": ["a", "a", "b", None]})  # p = (1/2, 1/4, 1/4 missing)
    syn = pd.DataFrame({"c": ["a", "b", "b", "c"]})  # q = (1/4, 1/2, 0, 1/4 "c")
    # 0.5 * (|.5-.25| + |.25-.5| + |.25-0| + |0-.25|) = 0.5
    out = column_distances(real, syn)
    assert out["statistic"].tolist() == ["tv"]
    assert out["distance"].iloc[0] == pytest.approx(0.5)


def test_column_kinds_follow_the_real_dtypes(rng):
    real = pd.DataFrame({
        "f": rng.normal(size=20), "i": rng.integers(0, 5, 20), "b": rng.random(20) > 0.5,
        "s": np.array(["u", "v"])[rng.integers(0, 2, 20)],
        "d": pd.date_range("2020-01-01", periods=20, freq="D"),
    })
    out = column_distances(real, real).set_index("column")
    assert out["statistic"].to_dict() == {"f": "ks", "i": "ks", "b": "tv", "s": "tv", "d": "ks"}
    assert (out["distance"] == 0).all()


def test_datetime_column_is_compared_in_time_order():
    real = pd.DataFrame({"d": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"])})
    later = pd.DataFrame({"d": pd.to_datetime(["2021-01-01", "2021-01-02", "2021-01-03"])})
    assert column_distances(real, later)["distance"].iloc[0] == 1.0


# ---------------------------------------------------------------------------
# associations
# ---------------------------------------------------------------------------
def test_pearson_and_spearman_match_scipy(rng):
    X = rng.normal(size=(60, 2))
    X[:, 1] = X[:, 0] ** 3 + rng.normal(size=60)
    pearson = association_matrix(X).iloc[0, 1]
    spearman = association_matrix(X, numeric_method="spearman").iloc[0, 1]
    assert pearson == pytest.approx(stats.pearsonr(X[:, 0], X[:, 1]).statistic, abs=1e-12)
    assert spearman == pytest.approx(stats.spearmanr(X[:, 0], X[:, 1]).statistic, abs=1e-12)


def test_pairwise_complete_correlation_matches_pandas(rng):
    X = pd.DataFrame(rng.normal(size=(50, 3)), columns=list("abc"))
    X.iloc[rng.choice(50, 10, replace=False), 0] = np.nan
    X.iloc[rng.choice(50, 10, replace=False), 1] = np.nan
    got = association_matrix(X).to_numpy()
    np.testing.assert_allclose(got, X.corr().to_numpy(), atol=1e-12)


def test_cramers_v_matches_scipy(rng):
    a = rng.integers(0, 3, 200)
    b = (a + rng.integers(0, 2, 200)) % 4
    X = pd.DataFrame({"a": a.astype(str), "b": b.astype(str)})
    table = pd.crosstab(X["a"], X["b"]).to_numpy()
    expected = stats.contingency.association(table, method="cramer")
    assert association_matrix(X).loc["a", "b"] == pytest.approx(expected, abs=1e-12)


def test_correlation_ratio_hand_derived():
    # groups a: (2, 4), b: (6, 8.5); SS_between = 18.0625, SS_total = 23.1875
    X = pd.DataFrame({"y": [2.0, 4.0, 6.0, 8.5], "c": ["a", "a", "b", "b"]})
    assert association_matrix(X).loc["y", "c"] == pytest.approx(np.sqrt(18.0625 / 23.1875))


def test_undefined_associations_are_zero():
    X = pd.DataFrame({"const": [1.0] * 5, "x": [1.0, 2, 3, 4, 5], "k": ["a"] * 5})
    m = association_matrix(X)
    assert m.loc["const", "x"] == 0.0 and m.loc["k", "x"] == 0.0 and m.loc["k", "const"] == 0.0


def test_association_difference_normalisation_hand_derived():
    # perfectly correlated real pair, perfectly anti-correlated synthetic pair:
    # |(-1) - 1| / 2 = 1
    real = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    syn = np.array([[0.0, 2.0], [1.0, 1.0], [2.0, 0.0]])
    value, diff = association_difference(real, syn, return_matrix=True)
    assert value == pytest.approx(1.0)
    assert diff.iloc[0, 1] == pytest.approx(-2.0)


# ---------------------------------------------------------------------------
# MMD
# ---------------------------------------------------------------------------
def test_mmd_matches_a_direct_computation(rng):
    real = rng.normal(size=(30, 2))
    syn = rng.normal(0.5, 1.0, size=(25, 2))
    mean, sd = real.mean(axis=0), real.std(axis=0)
    X, Y = (real - mean) / sd, (syn - mean) / sd
    sigma = np.median(pdist(np.vstack([X, Y])))

    def k(A, B):
        return np.exp(-cdist(A, B, "sqeuclidean") / (2 * sigma**2))

    expected = k(X, X).mean() + k(Y, Y).mean() - 2 * k(X, Y).mean()
    assert mmd(real, syn, max_samples=None) == pytest.approx(expected, rel=1e-10)


def test_mmd_categorical_columns_one_hot_at_unit_distance():
    real = pd.DataFrame({"c": ["a", "a"]})
    syn = pd.DataFrame({"c": ["b", "b"]})
    # all cross pairs at distance 1 = the median distance: k_xy = exp(-1/2)
    assert mmd(real, syn) == pytest.approx(2 - 2 * np.exp(-0.5))


def test_mmd_properties(rng):
    real = rng.normal(size=(400, 3))
    same = rng.normal(size=(400, 3))
    shifted = rng.normal(0.5, 1.0, size=(400, 3))
    assert mmd(real, real) == 0.0
    assert mmd(real, shifted) > 5 * mmd(real, same)
    scale = np.array([1000.0, 1e-3, 7.0])
    assert mmd(real * scale, shifted * scale) == pytest.approx(mmd(real, shifted), rel=1e-9)


# ---------------------------------------------------------------------------
# detection
# ---------------------------------------------------------------------------
def test_detection_auc_identical_tables_score_exactly_one_half(rng):
    real = _mixed(rng, 300)
    assert detection_auc(real, real.sample(frac=1.0, random_state=1)) == 0.5


def test_detection_auc_same_and_shifted_distribution(rng):
    real, same, shifted = _mixed(rng, 500), _mixed(rng, 500), _mixed(rng, 500, shift=1.5)
    assert abs(detection_auc(real, same) - 0.5) < 4 * _auc_null_sd(500, 500)
    assert detection_auc(real, shifted) > 0.85
    # a user classifier receives the numeric encoding
    auc = detection_auc(real, shifted, classifier=LogisticRegression())
    assert auc > 0.8


def test_detection_auc_bad_input(rng):
    X = rng.normal(size=(20, 2))
    with pytest.raises(ValueError, match="cv must be an integer >= 2"):
        detection_auc(X, X, cv=1)
    with pytest.raises(TypeError, match="classifier must be"):
        detection_auc(X, X, classifier=LinearRegression)
    with pytest.raises(ValueError, match="at least cv=5 rows"):
        detection_auc(X, X[:3])


# ---------------------------------------------------------------------------
# quality score
# ---------------------------------------------------------------------------
def test_quality_score_identical_shuffled_and_scaled(rng):
    real = _mixed(rng, 800)
    assert quality_score(real, real) == 1.0
    # each column permuted on its own: marginals kept, associations destroyed
    broken = pd.DataFrame({name: col.to_numpy()[rng.permutation(len(col))]
                           for name, col in real.items()})
    broken["c"] = pd.Categorical(broken["c"])
    assert column_distances(real, broken)["distance"].max() == 0.0  # marginals intact
    assert quality_score(real, broken) < quality_score(real, _mixed(rng, 800)) - 0.1
    scaled = real.assign(x=real["x"] * 1e4)
    other = _mixed(rng, 800)
    assert quality_score(scaled, other.assign(x=other["x"] * 1e4)) == pytest.approx(
        quality_score(real, other), abs=1e-12
    )


@settings(max_examples=30, deadline=None)
@given(frame=tabular_frames(columns=(1, 4), min_rows=2, max_rows=25, missing=True),
       other=tabular_frames(columns=1, min_rows=1, max_rows=25, missing=True))
def test_fidelity_ranges_on_any_mixed_table(frame, other):
    assert quality_score(frame, frame) == pytest.approx(1.0)
    assert column_distances(frame, frame)["distance"].max() == 0.0
    # a reshuffled, partly duplicated synthetic table stays in range
    syn = frame.sample(n=max(1, len(other)), replace=True, random_state=0).reset_index(drop=True)
    d = column_distances(frame, syn)["distance"]
    assert ((d >= 0) & (d <= 1)).all()
    assert 0.0 <= quality_score(frame, syn) <= 1.0
    assert 0.0 <= association_difference(frame, syn) <= 1.0
    assert 0.0 <= mmd(frame, syn) <= 2.0


def test_tables_bad_input(rng):
    real = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    with pytest.raises(ValueError, match="missing columns \\['b'\\]"):
        column_distances(real, real[["a"]])
    with pytest.raises(ValueError, match="columns not in real \\['z'\\]"):
        column_distances(real, real.assign(z=1))
    with pytest.raises(ValueError, match="'a' is numeric in the real table"):
        column_distances(real, real.assign(a=["p", "q"]))
    with pytest.raises(ValueError, match="synthetic has no rows"):
        column_distances(real, real.iloc[:0])
    with pytest.raises(ValueError, match="numeric_method must be"):
        quality_score(real, real, numeric_method="kendall")
    with pytest.raises(ValueError, match="infinity"):
        column_distances(real, real.assign(a=[np.inf, 1.0]))
    # arrays take the real column names; columns may come in another order
    assert column_distances(real, real[["b", "a"]])["distance"].sum() == 0
    assert column_distances(real, real.to_numpy(dtype=object))["distance"].sum() == 0


# ---------------------------------------------------------------------------
# utility
# ---------------------------------------------------------------------------
def _labelled(rng, n, flip=0.0):
    X = rng.normal(size=(n, 3))
    y = (X @ [1.0, -1.0, 0.5] + 0.5 * rng.normal(size=n) > 0).astype(int)
    y = np.where(rng.random(n) < flip, 1 - y, y)
    return pd.DataFrame(X, columns=["a", "b", "c"]).assign(t=y)


def test_trtr_and_tstr_match_direct_fits(rng):
    real, syn, hold = _labelled(rng, 300), _labelled(rng, 300, flip=0.3), _labelled(rng, 500)
    scores = utility_scores(real, syn, hold, target="t", estimator=LogisticRegression(),
                            scoring="accuracy", preprocess=False, n_bootstrap=0)
    feats = ["a", "b", "c"]

    def fit_score(train):
        model = LogisticRegression().fit(train[feats], train.t)
        return accuracy_score(hold.t, model.predict(hold[feats]))

    trtr, tstr = fit_score(real), fit_score(syn)
    row = scores.loc["accuracy"]
    assert row["trtr"] == pytest.approx(trtr) and row["tstr"] == pytest.approx(tstr)
    assert row["relative_loss"] == pytest.approx((trtr - tstr) / trtr)
    assert scores.attrs["task"] == "classification"


def test_bootstrap_interval_width_matches_binomial_theory(rng):
    real, hold = _labelled(rng, 400), _labelled(rng, 1500)
    scores = utility_scores(real, real, hold, target="t", estimator=LogisticRegression(),
                            scoring="accuracy", n_bootstrap=400, random_state=0)
    row = scores.loc["accuracy"]
    p = row["trtr"]
    expected = 2 * 1.96 * np.sqrt(p * (1 - p) / len(hold))
    assert row["trtr_ci_high"] - row["trtr_ci_low"] == pytest.approx(expected, rel=0.25)
    assert row["trtr_ci_low"] <= p <= row["trtr_ci_high"]
    # identical training data: identical models, zero loss on every resample
    assert row["relative_loss"] == 0.0
    assert row["relative_loss_ci_low"] == row["relative_loss_ci_high"] == 0.0


def test_default_estimator_and_scorers_mixed_types(rng):
    real, syn, hold = _mixed(rng, 300), _mixed(rng, 300), _mixed(rng, 300)
    scores = utility_scores(real, syn, hold, target="c", n_bootstrap=50)
    assert list(scores.index) == ["accuracy", "balanced_accuracy", "roc_auc"]
    assert (scores["tstr_ci_low"] <= scores["tstr"]).all()
    assert (scores["tstr"] <= scores["tstr_ci_high"]).all()
    assert scores.loc["roc_auc", "trtr"] > 0.7


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_vectorised_bootstrap_equals_scoring_each_resample(rng, task):
    from sklearn.metrics import get_scorer

    if task == "classification":
        real, syn, hold = _labelled(rng, 150), _labelled(rng, 150, flip=0.2), _labelled(rng, 120)
        names, estimator = ["accuracy", "balanced_accuracy", "roc_auc"], LogisticRegression()
    else:
        real, syn, hold = (_labelled(rng, n).assign(t=lambda d: d.a - d.b + rng.normal(size=n))
                           for n in (150, 150, 120))
        names, estimator = ["r2", "neg_mean_absolute_error"], LinearRegression()
    kwargs = dict(target="t", estimator=estimator, n_bootstrap=60, random_state=1)
    fast = utility_scores(real, syn, hold, scoring=names, **kwargs)
    # scorers passed as objects take the generic path: one scorer call per resample
    slow = utility_scores(real, syn, hold, scoring={n: get_scorer(n) for n in names}, **kwargs)
    pd.testing.assert_frame_equal(fast, slow, rtol=1e-10, check_exact=False)


def test_regression_utility_matches_direct_fit(rng):
    def draw(n):
        X = rng.normal(size=(n, 2))
        return pd.DataFrame(X, columns=["a", "b"]).assign(t=X @ [2.0, -1.0] + rng.normal(size=n))

    real, syn, hold = draw(200), draw(200), draw(300)
    scores = utility_scores(real, syn, hold, target="t", estimator=LinearRegression(),
                            preprocess=False, n_bootstrap=0)
    assert scores.attrs["task"] == "regression"
    expected = r2_score(hold.t, LinearRegression().fit(syn[["a", "b"]], syn.t).predict(
        hold[["a", "b"]]))
    assert scores.loc["r2", "tstr"] == pytest.approx(expected)
    assert list(scores.index) == ["r2", "neg_mean_absolute_error"]


def test_utility_bad_input(rng):
    real, hold = _labelled(rng, 50), _labelled(rng, 50)
    one_class = real.assign(t=0)
    with pytest.raises(ValueError, match="single class"):
        utility_scores(real, one_class, hold, target="t")
    with pytest.raises(ValueError, match="target='nope' is not a column"):
        utility_scores(real, real, hold, target="nope")
    with pytest.raises(TypeError, match="not a classifier"):
        utility_scores(real, real, hold, target="t", estimator=LinearRegression())
    with pytest.raises(ValueError, match="n_bootstrap"):
        utility_scores(real, real, hold, target="t", n_bootstrap=-1)
    with pytest.raises(ValueError, match="missing values"):
        utility_scores(real.assign(t=real.t.where(real.t > 0)), real, hold, target="t")


# ---------------------------------------------------------------------------
# privacy
# ---------------------------------------------------------------------------
def test_dcr_and_nndr_hand_derived():
    real = np.array([[0.0], [1.0], [4.0]])  # standardised by sd = sqrt(26/9)
    sd = np.std([0.0, 1.0, 4.0])
    np.testing.assert_allclose(distance_to_closest_record(real, [[0.5], [4.0], [6.0]]),
                               [0.5 / sd, 0.0, 2.0 / sd])
    np.testing.assert_allclose(nearest_neighbour_distance_ratio(real, [[0.5], [3.0], [1.0]]),
                               [1.0, 0.5, 0.0])


def test_membership_inference_hand_derived():
    real = np.array([[0.0], [10.0]])
    holdout = np.array([[5.0], [20.0]])
    # members at 0.1 and 1 from the synthetic rows, non-members at 4 and 11: AUC 1
    assert membership_inference_auc(real, [[0.1], [9.0]], holdout, max_samples=None) == 1.0
    # members at 0.1 and 9, non-members at 4.9 and 1: two of four pairs ordered right
    assert membership_inference_auc(real, [[0.1], [19.0]], holdout, max_samples=None) == 0.5


def test_privacy_properties(rng):
    real, holdout, fresh = (rng.normal(size=(400, 3)) for _ in range(3))
    copies = privacy_scores(real, real, holdout)
    assert copies["exact_match_rate"] == 1.0 and copies["dcr_ratio"] == 0.0
    assert copies["mia_auc"] > 0.99 and copies["exact_match_rate_holdout"] == 0.0
    good = privacy_scores(real, fresh, holdout)
    assert 0.85 < good["dcr_ratio"] < 1.15
    assert abs(good["mia_auc"] - 0.5) < 4 * _auc_null_sd(400, 400)
    assert abs(good["nndr_synthetic"] - good["nndr_holdout"]) < 0.1
    # unit changes do not matter
    scale = np.array([1e3, 1.0, 1e-2])
    assert dcr_ratio(real * scale, fresh * scale, holdout * scale) == pytest.approx(
        dcr_ratio(real, fresh, holdout), rel=1e-9)
    # without a holdout only the synthetic side is measured
    assert set(privacy_scores(real, fresh).index) == {
        "dcr_synthetic", "exact_match_rate", "nndr_synthetic"}


def test_privacy_mixed_types_with_missing(rng):
    real = _mixed(rng, 200)
    real.loc[::7, "x"] = np.nan
    real["c"] = real["c"].cat.add_categories(["?"])
    syn = real.copy()
    scores = privacy_scores(real, syn, _mixed(rng, 100))
    assert scores["exact_match_rate"] == 1.0


# ---------------------------------------------------------------------------
# scorers
# ---------------------------------------------------------------------------
def test_scorer_equals_the_metric_on_a_seeded_draw(rng):
    X = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=300)
    gen = GaussianGenerator(random_state=0).fit(X[:200])
    X_test = X[200:]
    syn = gen.sample(100, random_state=7)
    scorer = make_generator_scorer("neg_association_difference", random_state=7)
    assert scorer(gen, X_test) == pytest.approx(-association_difference(X_test, syn))
    assert make_generator_scorer("quality_score", random_state=7)(gen, X_test) == (
        pytest.approx(quality_score(X_test, syn)))
    assert make_generator_scorer(mmd, greater_is_better=False, random_state=7)(
        gen, X_test) == pytest.approx(-mmd(X_test, syn))


def test_grid_search_tunes_a_generator_on_held_out_fidelity(rng):
    X = rng.multivariate_normal([0, 0, 0], [[1, .7, .5], [.7, 1, .3], [.5, .3, 1]], size=600)
    search = GridSearchCV(GaussianGenerator(random_state=0),
                          {"covariance_type": ["diag", "full"]},
                          scoring=make_generator_scorer("quality_score"), cv=3).fit(X)
    assert search.best_params_ == {"covariance_type": "full"}
    names = [m for m in GENERATOR_METRICS if m != "tstr"]
    scoring = {m: make_generator_scorer(m) for m in names}
    out = cross_validate(GaussianGenerator(random_state=0), X, cv=3, scoring=scoring)
    for m in names:
        assert np.isfinite(out[f"test_{m}"]).all()
    assert (out["test_quality_score"] > 0.9).all()


def test_tstr_scorer_with_labels_and_with_a_target_column(rng):
    X = np.r_[rng.normal(-1.5, 1, size=(200, 2)), rng.normal(1.5, 1, size=(200, 2))]
    y = np.r_[np.zeros(200, int), np.ones(200, int)]
    scorer = make_generator_scorer("tstr", estimator=LogisticRegression())
    out = cross_validate(GaussianMixtureGenerator(random_state=0), X, y, cv=3,
                         scoring={"tstr": scorer, "quality": make_generator_scorer(
                             "quality_score")})
    assert (out["test_tstr"] > 0.9).all()  # Bayes accuracy Phi(1.5 sqrt 2) = 0.98
    # a continuous target held as a column: R^2 of the Gaussian regression = 0.8
    frame = pd.DataFrame(X, columns=["a", "b"])
    frame["t"] = frame["a"] + rng.normal(scale=frame["a"].std() / 2, size=len(frame))
    gen = GaussianGenerator(random_state=0).fit(frame)
    value = make_generator_scorer("tstr", target="t", estimator=LinearRegression())(gen, frame)
    assert value == pytest.approx(0.8, abs=0.08)


def test_make_generator_scorer_bad_input():
    with pytest.raises(ValueError, match="Unknown metric 'nope'"):
        make_generator_scorer("nope")
    with pytest.raises(TypeError, match="Unknown keyword arguments \\['bandwidth'\\]"):
        make_generator_scorer("neg_mmd", bandwidth=1.0)
    X = np.random.default_rng(0).normal(size=(50, 2))
    gen = GaussianGenerator(random_state=0).fit(X)
    with pytest.raises(ValueError, match="needs a target"):
        make_generator_scorer("tstr")(gen, X)


# ---------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------
def test_evaluate_tidy_table_identical_data(rng):
    real, hold = _mixed(rng, 300), _mixed(rng, 300)
    out = evaluate(real, real, holdout=hold, target="y", n_bootstrap=20)
    assert list(out.columns) == ["category", "metric", "column", "value", "ci_low", "ci_high",
                                 "direction", "range"]
    assert out["direction"].str.len().min() > 0 and out["range"].str.len().min() > 0
    values = out.set_index("metric")["value"]
    assert values["quality_score"] == 1.0 and values["detection_auc"] == 0.5
    assert values["mmd"] == 0.0 and values["exact_match_rate"] == 1.0
    assert values["relative_loss_accuracy"] == 0.0
    per_column = out[out["metric"].isin(["ks_distance", "tv_distance"])]
    assert per_column["column"].tolist() == ["x", "w", "c", "y"]


def test_evaluate_without_holdout_and_errors(rng):
    real, syn = _mixed(rng, 100), _mixed(rng, 100)
    out = evaluate(real, syn, detection=False)
    assert set(out["category"]) == {"fidelity", "privacy"}
    assert "detection_auc" not in set(out["metric"]) and "mia_auc" not in set(out["metric"])
    with pytest.raises(ValueError, match="target was given without holdout"):
        evaluate(real, syn, target="y")
    with pytest.raises(ValueError, match="target='nope' is not a column of real"):
        evaluate(real, syn, holdout=real, target="nope")


# ---------------------------------------------------------------------------
# scaling out: joblib's Dask backend
# ---------------------------------------------------------------------------
def test_grid_search_and_generator_scoring_run_unchanged_on_dask(rng):
    distributed = pytest.importorskip("distributed")
    import joblib

    from sksynth.augmentation import AugmentedClassifier

    X = np.r_[rng.normal(-1, 1, size=(60, 4)), rng.normal(1, 1, size=(60, 4))]
    y = np.r_[np.zeros(60, int), np.ones(60, int)]
    clf = AugmentedClassifier(estimator=LogisticRegression(),
                              generator=GaussianMixtureGenerator(), random_state=0)
    grid = {"n_synthetic": [0.0, 1.0, 4.0]}
    local = GridSearchCV(clf, grid, cv=3).fit(X, y)
    scoring = {"quality": make_generator_scorer("quality_score"),
               "tstr": make_generator_scorer("tstr", estimator=LogisticRegression())}
    local_cv = cross_validate(GaussianMixtureGenerator(random_state=0), X, y, cv=3,
                              scoring=scoring)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster), joblib.parallel_backend("dask"):
            remote = GridSearchCV(clf, grid, cv=3, n_jobs=-1).fit(X, y)
            remote_cv = cross_validate(GaussianMixtureGenerator(random_state=0), X, y, cv=3,
                                       scoring=scoring, n_jobs=-1)
    np.testing.assert_allclose(remote.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"])
    assert remote.best_params_ == local.best_params_
    for key in ("test_quality", "test_tstr"):
        np.testing.assert_allclose(remote_cv[key], local_cv[key])
