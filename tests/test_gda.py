"""Tests of the GDA study: the mean-difference classifier, the bound and the bGMM simulation.

Zheng, Wu & Li (2023), "Toward understanding generative data augmentation".
The qualitative findings of the paper are asserted on a reduced grid with
margins of several standard errors (paired across the ``gamma`` of a trial,
which share their real rows).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import NearestCentroid

from sksynth.augmentation import AugmentedClassifier
from sksynth.generators import GaussianMixtureGenerator
from sksynth.linear_model import MeanDifferenceClassifier
from sksynth.studies import simulate_bgmm_gap
from sksynth.studies._bgmm import (
    _bgmm_labels,
    _bgmm_mean,
    _draw_gaussian_statistics,
    _fit_pooled_diagonal,
    _nll_from_statistics,
)
from sksynth.theory.gda import bgmm_nll, gda_stability_bound

SIGMA = 0.6


# -- MeanDifferenceClassifier --------------------------------------------------------------
def test_paper_estimator_is_the_signed_mean(rng):
    X = rng.normal(size=(30, 4))
    y = rng.integers(0, 2, size=30)
    y[:2] = [0, 1]
    clf = MeanDifferenceClassifier(fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(clf.coef_, ((2 * y - 1)[:, None] * X).mean(axis=0), rtol=1e-12)
    assert clf.intercept_ == 0.0
    np.testing.assert_array_equal(clf.predict(X), (X @ clf.coef_ >= 0).astype(int))


def test_weighted_fit_is_the_weighted_mean(rng):
    X = rng.normal(size=(25, 3))
    y = np.repeat([0, 1], [12, 13])
    w = rng.uniform(0.1, 3.0, size=25)
    clf = MeanDifferenceClassifier(fit_intercept=False).fit(X, y, sample_weight=w)
    expected = (w * (2 * y - 1)) @ X / w.sum()
    np.testing.assert_allclose(clf.coef_, expected, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(4, 40),
    p=st.integers(1, 6),
    shift=st.floats(-5, 5),
)
def test_centred_rule_is_the_nearest_centroid(seed, n, p, shift):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, p)) + shift + y[:, None]
    clf = MeanDifferenceClassifier().fit(X, y)
    X_new = rng.normal(size=(50, p)) * 2 + shift
    np.testing.assert_array_equal(clf.predict(X_new), NearestCentroid().fit(X, y).predict(X_new))
    means = np.stack([X[y == k].mean(axis=0) for k in (0, 1)])
    np.testing.assert_allclose(clf.coef_, (means[1] - means[0]) / 2, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    fit_intercept=st.booleans(),
    counts=st.lists(st.integers(0, 3), min_size=8, max_size=8),
)
def test_integer_weights_equal_repeated_rows(seed, fit_intercept, counts):
    counts = np.asarray(counts)
    counts[[0, 1]] = np.maximum(counts[[0, 1]], 1)  # both classes keep a row
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(8, 3))
    y = np.array([0, 1, 0, 1, 0, 1, 1, 0])
    weighted = MeanDifferenceClassifier(fit_intercept=fit_intercept).fit(X, y, sample_weight=counts)
    repeated = MeanDifferenceClassifier(fit_intercept=fit_intercept).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts)
    )
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-12)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-12)


def test_any_two_labels_second_is_positive(rng):
    X = np.vstack([rng.normal(size=(20, 2)) - 2, rng.normal(size=(20, 2)) + 2])
    y = np.array(["spam"] * 20 + ["ham"] * 20)
    clf = MeanDifferenceClassifier().fit(X, y)
    assert list(clf.classes_) == ["ham", "spam"]
    assert clf.decision_function([[-2.0, -2.0]])[0] > 0  # "spam" rows sit at -2
    assert clf.predict([[-2.0, -2.0], [2.0, 2.0]]).tolist() == ["spam", "ham"]
    assert not hasattr(clf, "predict_proba")


def test_errors_name_the_problem(rng):
    X = rng.normal(size=(9, 2))
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        MeanDifferenceClassifier().fit(X, np.arange(9) % 3)
    with pytest.raises(ValueError, match="2 classes in y; got 1 class"):
        MeanDifferenceClassifier().fit(X, np.zeros(9))
    with pytest.raises(ValueError, match="zero total sample_weight"):
        MeanDifferenceClassifier().fit(X, np.arange(9) % 2, sample_weight=np.arange(9) % 2)
    with pytest.raises(ValueError, match="fit_intercept"):
        MeanDifferenceClassifier(fit_intercept="yes").fit(X, np.arange(9) % 2)


def test_usable_inside_augmented_classifier_with_weights(rng):
    y = np.repeat([0, 1], 15)
    X = (2 * y[:, None] - 1) + 0.6 * rng.normal(size=(30, 3))
    model = AugmentedClassifier(
        MeanDifferenceClassifier(fit_intercept=False),
        GaussianMixtureGenerator(covariance_type="tied_diag"),
        n_synthetic=3.0,
        synthetic_weight=0.5,
        store_synthetic=True,
        random_state=0,
    ).fit(X, y)
    X_all = np.vstack([X, model.X_synthetic_])
    y_all = np.concatenate([y, model.y_synthetic_])
    w = np.r_[np.ones(30), np.full(90, 0.5)]
    np.testing.assert_allclose(model.estimator_.coef_, (w * (2 * y_all - 1)) @ X_all / w.sum())
    assert model.score(X, y) > 0.95
    assert model.decision_function(X).shape == (30,)


# -- the bound -----------------------------------------------------------------------------
def _notebook_bound(m, d, gamma):
    """The authors' plot.ipynb cell, written out independently with scalars."""
    n_total = m * (1 + gamma)
    big_m = d + math.log(m)
    beta = big_m / n_total
    if d > 2:
        tv = tau = 1.0
    else:
        tv = math.sqrt(d / m * math.log(d))
        tau = math.sqrt(gamma * d / m) * math.log(m * d)
    value = gamma / (1 + gamma) * big_m * tv
    value += big_m * (1 + math.sqrt(gamma)) / ((1 + gamma) * math.sqrt(m))
    value += math.sqrt(gamma * m) * beta / (1 + gamma)
    value += beta * (math.log(m) + (math.log(gamma * m) if gamma > 0 else 0.0)) / (1 + gamma)
    value += math.log(m) * big_m * tau / (1 + gamma)
    return value


@pytest.mark.parametrize("m,d", [(10, 50), (10, 2), (40, 1), (500, 1), (20, 100)])
@pytest.mark.parametrize("gamma", [0, 1, 5, 100])
def test_plot_form_matches_the_authors_formula(m, d, gamma):
    got = gda_stability_bound(m, gamma, d=d, form="plot")
    assert got == pytest.approx(_notebook_bound(m, d, gamma), rel=1e-12)


@pytest.mark.parametrize("form", ["theorem", "plot"])
def test_bound_terms_add_up_and_broadcast(form):
    m = np.array([[10], [100]])
    gamma = np.array([0.0, 1.0, 10.0])
    bound, terms = gda_stability_bound(m, gamma, d=50, form=form, return_terms=True)
    assert bound.shape == (2, 3)
    np.testing.assert_allclose(sum(terms.values()), bound)
    assert all(t.shape == (2, 3) for t in terms.values())
    assert terms["divergence"][:, 0].tolist() == [0.0, 0.0]  # no generated rows: no divergence
    # scalars in, floats out
    assert isinstance(gda_stability_bound(10, 1.0, d=3, form=form), float)


def test_plot_form_falls_to_the_divergence_plateau_in_high_dimension():
    gammas = np.array([0, 1, 2, 5, 10, 20, 50, 100, 1e6])
    bound = gda_stability_bound(10, gammas, d=50, form="plot")
    assert np.all(np.diff(bound) < 0)
    # gamma -> infinity: only gamma / (1 + gamma) * M * TV survives, with TV = 1
    assert bound[-1] == pytest.approx(50 + math.log(10), rel=1e-2)


# -- Theorem 3.1 (form="theorem", the default) -----------------------------------------------
def test_theorem_form_hand_checked_explicit_inputs():
    """m_S = 100, gamma = 4, M = 1, TV = 0.1, tau = 0.05, beta = 0.01, by hand:

    m_G = 400, m_T = 500
    divergence          = 400/500 * 1 * 0.1                                  = 0.08
    concentration       = 1 * (sqrt(100) + sqrt(400)) / 500 = 30 / 500        = 0.06
    generated stability = sqrt(400) * 0.01                                   = 0.2
    algorithm stability = 0.01 * (100 ln 100 + 400 ln 400) / 500
                        = 0.01 * (460.5170 + 2396.5861) / 500                = 0.0571421
    generator stability = 100/500 * 1 * 0.05 * ln 100 = 0.01 * 4.605170       = 0.0460517
    sum                                                                      = 0.4431938
    """
    bound, terms = gda_stability_bound(100, 4.0, loss_bound=1.0, divergence=0.1,
                                       generator_stability=0.05, stability=0.01,
                                       return_terms=True)
    expected = {"divergence": 0.08, "concentration": 0.06, "generated_stability": 0.2,
                "algorithm_stability": 0.0571421, "generator_stability": 0.0460517}
    for name, value in expected.items():
        assert terms[name] == pytest.approx(value, rel=1e-5), name
    assert bound == pytest.approx(0.4431938, rel=1e-6)


@pytest.mark.parametrize("gamma, expected", [
    # d = 50, m = 10: M = 50 + ln 10 = 52.302585, TV = tau = 1 (d > 2), beta = M / m_T.
    # gamma = 0: m_T = 10, beta = 5.2302585, tau = 0 (no generated rows);
    #   M / sqrt(10) + beta * 10 ln 10 / 10 = 16.539520 + 12.043113        = 28.582633
    (0, 28.582633),
    # gamma = 1: m_G = 10, m_T = 20, beta = 2.6151293;
    #   divergence 10/20 * M = 26.151293; concentration M * 2 sqrt(10) / 20 = 16.539520;
    #   generated sqrt(10) * beta = 8.269760; algorithm beta * 20 ln 10 / 20 = 6.021556;
    #   generator 10/20 * M * ln 10 = 60.215567; sum                        = 117.197696
    (1, 117.197696),
])
def test_theorem_form_hand_checked_bgmm(gamma, expected):
    assert gda_stability_bound(10, gamma, d=50) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("m", [3, 10, 1000])
def test_theorem_at_gamma_0_is_the_classical_stability_bound(m):
    """No generated rows: M / sqrt(m) + beta log m, whatever TV and tau."""
    for tv, tau in [(0.0, 0.0), (0.3, 0.7), (1.0, 1.0)]:
        got = gda_stability_bound(m, 0, loss_bound=2.0, divergence=tv,
                                  generator_stability=tau, stability=0.05)
        assert got == pytest.approx(2.0 / math.sqrt(m) + 0.05 * math.log(m), rel=1e-12)


def test_theorem_monotone_in_its_inputs():
    """The right-hand side grows with TV, tau, beta and M (linearly in M with beta = M / m_T)."""
    base = dict(loss_bound=2.0, divergence=0.2, generator_stability=0.1, stability=0.01)
    gammas = np.array([0.1, 1.0, 5.0, 50.0])
    ref = gda_stability_bound(20, gammas, **base)
    for name in ("divergence", "generator_stability", "stability"):
        bigger = gda_stability_bound(20, gammas, **{**base, name: 2 * base[name]})
        assert np.all(bigger > ref), name
    no_beta = {k: v for k, v in base.items() if k != "stability"}
    once = gda_stability_bound(20, gammas, **no_beta)
    twice = gda_stability_bound(20, gammas, **{**no_beta, "loss_bound": 4.0})
    np.testing.assert_allclose(twice, 2 * once, rtol=1e-12)


def test_theorem_perfect_generator_tightens_without_limit_else_plateaus_at_m_tv():
    """Corollary: with TV = tau = 0 the bound falls to 0 as gamma grows; with TV > 0, to M TV."""
    gammas = np.array([1, 2, 5, 10, 100, 1e4, 1e8])
    perfect = gda_stability_bound(10, gammas, loss_bound=3.0, divergence=0.0,
                                  generator_stability=0.0)
    assert np.all(np.diff(perfect) < 0)
    assert perfect[-1] < 1e-3 * gda_stability_bound(10, 0, loss_bound=3.0, divergence=0.0,
                                                    generator_stability=0.0)
    imperfect = gda_stability_bound(10, 1e8, loss_bound=3.0, divergence=0.25,
                                    generator_stability=0.5)
    assert imperfect == pytest.approx(3.0 * 0.25, rel=1e-3)


@pytest.mark.parametrize("m", [3, 10, 100])
@pytest.mark.parametrize("d", [3, 50])
def test_theorem_with_trivial_tv_is_vacuous_for_every_gamma(m, d):
    """d > 2 (TV = tau = 1): divergence + generator terms = M (m_G + m_S ln m_S) / m_T >= M."""
    big_m = d + math.log(m)
    gammas = np.array([1, 2, 5, 50, 1e4])
    bound = gda_stability_bound(m, gammas, d=d)
    assert np.all(bound >= big_m)
    assert gda_stability_bound(m, 0, d=d) < big_m  # gamma = 0: the classical bound is not


def test_theorem_form_caps_the_bgmm_tv_and_refuses_tv_above_one():
    # d = 2, m = 10, gamma = 50: the notebook's tau = sqrt(100 / 10) ln 20 = 9.47 > 1
    _, terms = gda_stability_bound(10, 50, d=2, return_terms=True)
    assert terms["generator_stability"] == pytest.approx(10 / 510 * (2 + math.log(10))
                                                         * math.log(10), rel=1e-12)
    with pytest.raises(ValueError, match="divergence is a total-variation distance"):
        gda_stability_bound(10, 1, loss_bound=1.0, divergence=1.5, generator_stability=0.1)
    with pytest.raises(ValueError, match="generator_stability is a total-variation"):
        gda_stability_bound(10, 1, loss_bound=1.0, divergence=0.5, generator_stability=2.0)
    assert gda_stability_bound(10, 1, loss_bound=1.0, divergence=1.5, generator_stability=2.0,
                               form="plot") > 0


def test_theorem_bound_is_above_the_simulated_gap_where_not_vacuous():
    """Every non-vacuous point of a grid: mean gap + 4 SE below the bound (constant 1)."""
    checked = 0
    for m, d, gammas in [(20, 1, [0, 5, 50]), (100, 1, [0, 5, 50]), (500, 1, [0, 5, 50]),
                         (20, 2, [0, 5, 50]), (100, 2, [0, 5, 50]), (10, 10, [0]),
                         (10, 50, [0])]:
        bound = np.atleast_1d(gda_stability_bound(m, gammas, d=d))
        gaps = simulate_bgmm_gap(m, d, gammas, n_trials=1000, random_state=m + d)
        upper = gaps.mean(axis=1) + 4 * gaps.std(axis=1) / np.sqrt(1000)
        useful = bound < d + math.log(m)
        assert np.all(upper[useful] < bound[useful]), (m, d)
        checked += useful.sum()
    assert checked >= 15


def test_d1_bound_is_mis_shaped_rises_then_falls_below_the_gap():
    """d = 1, m = 40: the bGMM TV is 0, so the bound rises at gamma = 1 (gap flat) and
    falls below the measured gap at gamma = 1000 (benchmarks: bound 0.066, gap 0.093)."""
    gammas = [0, 1, 1000]
    bound = gda_stability_bound(40, gammas, d=1)
    gaps = simulate_bgmm_gap(40, 1, gammas, n_trials=4000, random_state=11)
    means, se = gaps.mean(axis=1), gaps.std(axis=1) / np.sqrt(4000)
    assert bound[1] > 4 * bound[0]  # measured: 6.37 against 1.17
    assert abs(means[1] / means[0] - 1) < 0.2  # measured: 0.103 against 0.092
    assert bound[2] < means[2] - 4 * se[2]


def test_plot_form_with_explicit_inputs_and_stability():
    m, gamma, big_m, tv, tau, beta = 100, 4.0, 1.0, 0.1, 0.05, 0.01
    expected = (gamma / (1 + gamma) * big_m * tv
                + big_m * (1 + math.sqrt(gamma)) / ((1 + gamma) * math.sqrt(m))
                + math.sqrt(gamma * m) * beta / (1 + gamma)
                + beta * (math.log(m) + math.log(gamma * m)) / (1 + gamma)
                + math.log(m) * big_m * tau / (1 + gamma))
    got = gda_stability_bound(m, gamma, loss_bound=big_m, divergence=tv,
                              generator_stability=tau, stability=beta, form="plot")
    assert got == pytest.approx(expected, rel=1e-12)
    # d fills only the inputs left at None
    partial = gda_stability_bound(m, gamma, d=50, divergence=tv, generator_stability=tau)
    full = gda_stability_bound(m, gamma, loss_bound=50 + math.log(m), divergence=tv,
                               generator_stability=tau)
    assert partial == pytest.approx(full)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"m": 10, "gamma": 1.0}, ValueError, "loss_bound, divergence, generator_stability"),
        ({"m": 10, "gamma": 1.0, "loss_bound": 1.0, "divergence": 0.1}, ValueError,
         "generator_stability must be given"),
        ({"m": 10, "gamma": -1.0, "d": 2}, ValueError, "gamma must be >= 0"),
        ({"m": 10, "gamma": 0.05, "d": 2}, ValueError, "gamma \\* m is the number"),
        ({"m": 10.5, "gamma": 1.0, "d": 2}, ValueError, "m must be a whole number"),
        ({"m": 0, "gamma": 1.0, "d": 2}, ValueError, "m must be >= 1"),
        ({"m": 10, "gamma": 1.0, "d": 0}, ValueError, "d must be >= 1"),
        ({"m": 10, "gamma": 1.0, "d": 2, "loss_bound": 0.0}, ValueError, "loss_bound must be >"),
        ({"m": 10, "gamma": np.nan, "d": 2}, ValueError, "gamma must be finite"),
        ({"m": 10, "gamma": "1", "d": 2}, TypeError, "gamma must be a number"),
        ({"m": 10, "gamma": 1.0, "d": 2, "form": "paper"}, ValueError,
         "form must be 'theorem' or 'plot'"),
    ],
)
def test_bound_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        gda_stability_bound(**kwargs)


# -- the vectorised simulation against sksynth's estimators ---------------------------------
def _trial_rows(m, d, rng):
    y = _bgmm_labels(m)
    return (2 * y[:, None] - 1) * _bgmm_mean(d) + SIGMA * rng.standard_normal((m, d)), y


def test_labels_split_like_make_blobs():
    assert np.bincount(_bgmm_labels(11)).tolist() == [6, 5]
    assert np.linalg.norm(_bgmm_mean(7)) == pytest.approx(1.0)


@pytest.mark.parametrize("m,d", [(10, 5), (11, 1), (40, 3)])
def test_vectorised_generator_fit_equals_gaussian_mixture_generator(m, d, rng):
    X = np.stack([_trial_rows(m, d, rng)[0] for _ in range(4)])
    y = _bgmm_labels(m)
    means, variances = _fit_pooled_diagonal(X, y, reg_covar=1e-9)
    for t in range(4):
        gen = GaussianMixtureGenerator(covariance_type="tied_diag", reg_covar=1e-9).fit(X[t], y)
        np.testing.assert_allclose(means[t], gen.means_, rtol=1e-12)
        np.testing.assert_allclose(variances[t], gen.covariances_, rtol=1e-12)


@pytest.mark.parametrize("gamma", [0, 1, 5])
def test_vectorised_algebra_equals_the_estimator_path(gamma, rng):
    """Same rows through both paths: theta and both losses agree to rounding."""
    m, d = 10, 6
    X, y = _trial_rows(m, d, rng)
    X_test, y_test = _trial_rows(500, d, rng)
    model = AugmentedClassifier(
        MeanDifferenceClassifier(fit_intercept=False),
        GaussianMixtureGenerator(covariance_type="tied_diag", reg_covar=1e-9),
        n_synthetic=gamma * m,
        class_distribution="balanced",
        store_synthetic=True,
        random_state=0,
    ).fit(X, y)
    X_all = np.vstack([X, model.X_synthetic_])
    y_all = np.concatenate([y, model.y_synthetic_])
    assert np.bincount(model.y_synthetic_, minlength=2).tolist() == [gamma * m // 2] * 2
    signs = 2.0 * y_all - 1
    signed, squares, n = signs @ X_all, np.sum(X_all**2), X_all.shape[0]
    theta = signed / n
    np.testing.assert_allclose(theta, model.estimator_.coef_, rtol=1e-12)
    assert _nll_from_statistics(theta, signed, squares, n, SIGMA) == pytest.approx(
        bgmm_nll(theta, X_all, y_all, sigma=SIGMA), rel=1e-10)
    test_signed = (2.0 * y_test - 1) @ X_test
    assert _nll_from_statistics(theta, test_signed, np.sum(X_test**2), 500, SIGMA) == (
        pytest.approx(bgmm_nll(theta, X_test, y_test, sigma=SIGMA), rel=1e-10))


@pytest.mark.parametrize("n", [2, 7])
@pytest.mark.parametrize("mean", [[0.0, 0.0, 0.0], [0.5, -1.0, 2.0]])
def test_sufficient_statistics_have_the_law_of_explicit_rows(n, mean):
    """Sum and sum of squared norms of n rows: means and variances from the Gaussian law."""
    d, trials = 3, 40_000
    mean = np.asarray(mean)
    std = np.array([0.3, 1.0, 0.7])
    total, squares = _draw_gaussian_statistics(
        n, np.broadcast_to(mean, (trials, d)), std, np.random.RandomState(0)
    )
    se = lambda var: 5 * np.sqrt(var / trials)  # noqa: E731
    np.testing.assert_array_less(np.abs(total.mean(0) - n * mean), se(n * std**2))
    np.testing.assert_array_less(np.abs(total.var(0) - n * std**2), se(2 * (n * std**2) ** 2))
    # sum_i ||x_i||^2: mean n (||mean||^2 + sum std^2), variance n sum(2 std^4 + 4 mean^2 std^2)
    expected_mean = n * (mean @ mean + np.sum(std**2))
    expected_var = n * np.sum(2 * std**4 + 4 * mean**2 * std**2)
    assert abs(squares.mean() - expected_mean) < se(expected_var)
    assert abs(squares.var() / expected_var - 1) < 0.04  # sampling error about 1%
    # and the covariance between the sum and the squares (2 n mean_j std_j^2)
    cov = np.mean((total - total.mean(0)) * (squares - squares.mean())[:, None], axis=0)
    np.testing.assert_allclose(cov, 2 * n * mean * std**2, rtol=0.08, atol=0.05)


def test_vectorised_and_estimator_paths_agree_in_distribution():
    gammas = [0, 5]
    ref = simulate_bgmm_gap(10, 20, gammas, n_trials=300, n_test=2000, method="estimators",
                            random_state=0)
    vec = simulate_bgmm_gap(10, 20, gammas, n_trials=20_000, n_test=2000, random_state=1)
    se = np.sqrt(ref.var(axis=1) / 300 + vec.var(axis=1) / 20_000)
    np.testing.assert_array_less(np.abs(ref.mean(axis=1) - vec.mean(axis=1)), 4 * se)
    # the reference path is itself close to the paper's numbers at d=20, m=10 (about 2.0, 1.1)
    assert vec.mean(axis=1)[0] == pytest.approx(2.02, rel=0.05)


def test_population_test_loss_and_returned_losses():
    gap, train, test = simulate_bgmm_gap(10, 5, [0, 2], n_trials=50, n_test=None,
                                         return_losses=True, random_state=0)
    assert gap.shape == train.shape == test.shape == (2, 50)
    np.testing.assert_allclose(gap, np.abs(train - test))
    # population test NLL >= d/2 (the noise part), with equality only at theta = mu
    assert np.all(test >= 5 / 2)


def test_reproducible_and_scalar_gamma():
    a = simulate_bgmm_gap(12, 3, 2.0, n_trials=20, random_state=5)
    b = simulate_bgmm_gap(12, 3, [2.0], n_trials=20, random_state=5)
    assert a.shape == (20,)
    np.testing.assert_array_equal(a, b[0])
    c = simulate_bgmm_gap(12, 3, [2.0], n_trials=20, random_state=6)
    assert not np.array_equal(b, c)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"m": 1}, "m must be an int >= 2"),
        ({"d": 0}, "d must be an int >= 1"),
        ({"n_trials": 0}, "n_trials must be an int >= 1"),
        ({"n_test": 0}, "n_test must be an int >= 1"),
        ({"sigma": 0.0}, "sigma must be a positive float"),
        ({"reg_covar": -1.0}, "reg_covar must be a non-negative float"),
        ({"gamma": [-1.0]}, "gamma must be >= 0"),
        ({"gamma": [[1.0]]}, "1-D array"),
        ({"method": "loop"}, "method must be 'vectorized' or 'estimators'"),
        ({"ddof": 2}, "ddof must be 0 or 1"),
        ({"ddof": True}, "ddof must be 0 or 1"),
        ({"ddof": 0, "method": "estimators"}, "supports only ddof=1"),
    ],
)
def test_simulation_errors(kwargs, match):
    args = {"m": 10, "d": 2, "gamma": [1.0], **kwargs}
    with pytest.raises(ValueError, match=match):
        simulate_bgmm_gap(args.pop("m"), args.pop("d"), args.pop("gamma"), **args)


# -- the paper's qualitative findings, on a reduced grid -------------------------------------
def _paired_gain(m, d, gamma, n_trials, seed):
    """Mean gap at gamma=0, and the paired mean and SE of gap(0) - gap(gamma)."""
    gaps = simulate_bgmm_gap(m, d, [0, gamma], n_trials=n_trials, random_state=seed)
    diff = gaps[0] - gaps[1]
    return gaps[0].mean(), diff.mean(), diff.std() / np.sqrt(n_trials)


def test_gain_at_small_m_fades_as_m_grows():
    """d = 20: augmentation halves the gap at m = 10; at m = 500 the curves have merged."""
    base, gain, se = _paired_gain(10, 20, 20, 2000, seed=0)
    assert gain - 4 * se > 0.35 * base  # measured: about 0.52 of the base gap
    base, gain, se = _paired_gain(500, 20, 20, 2000, seed=1)
    assert abs(gain) + 4 * se < 0.15 * base  # measured: about 0.02


def test_gain_grows_with_the_dimension_at_m_10():
    """The overfitting regime: no gain at d = 2, a large one at d = 50."""
    base, gain, se = _paired_gain(10, 2, 20, 2000, seed=2)
    assert abs(gain) + 4 * se < 0.1 * base
    base, gain, se = _paired_gain(10, 50, 20, 2000, seed=3)
    assert gain - 4 * se > 0.55 * base  # measured: about 0.67


def test_no_gain_in_one_dimension():
    """d = 1 (the paper's m sweep): the gamma curves stay within 20% at small and large m."""
    for m, seed in [(20, 4), (500, 5)]:
        gaps = simulate_bgmm_gap(m, 1, [0, 1, 10, 50], n_trials=3000, random_state=seed)
        ratio = gaps.mean(axis=1) / gaps[0].mean()
        assert np.all(np.abs(ratio - 1) < 0.25)


def test_d50_m10_sweep_plateaus_at_the_generator_floor():
    """Past gamma ~ 50 the gap stops falling, at the level of an infinite generated sample."""
    n_trials = 4000
    gaps = simulate_bgmm_gap(10, 50, [0, 20, 50, 100], n_trials=n_trials, n_test=None,
                             random_state=6)
    means = gaps.mean(axis=1)
    drop = means[0] - means[2]
    late = gaps[2] - gaps[3]
    assert abs(late.mean()) + 4 * late.std() / np.sqrt(n_trials) < 0.05 * drop
    assert means[1] - means[2] < 0.1 * drop
    # gamma -> infinity: theta = (mu_hat_1 - mu_hat_0) / 2 and the training loss is the
    # generator's own: E ||s x - theta||^2 = sum(v) + ||(mu_hat_1 + mu_hat_0) / 2||^2
    rng = np.random.RandomState(7)
    d, m = 50, 10
    y = _bgmm_labels(m)
    X = (2 * y[:, None] - 1) * _bgmm_mean(d) + SIGMA * rng.standard_normal((n_trials, m, d))
    means_hat, variances = _fit_pooled_diagonal(X, y, reg_covar=1e-9)
    theta = (means_hat[:, 1] - means_hat[:, 0]) / 2
    centre = (means_hat[:, 1] + means_hat[:, 0]) / 2
    train = (variances.sum(axis=1) + np.sum(centre**2, axis=1)) / (2 * SIGMA**2)
    test = (np.sum((_bgmm_mean(d) - theta) ** 2, axis=1) + d * SIGMA**2) / (2 * SIGMA**2)
    floor = np.abs(train - test).mean()
    assert floor > 0.2 * means[0]  # a floor well above zero
    assert means[3] == pytest.approx(floor, rel=0.05)


# -- the gain needs an unbiased variance in the generator -------------------------------------
@pytest.mark.parametrize("m,d", [(10, 5), (11, 3)])
def test_ddof_0_pools_maximum_likelihood_variances(m, d, rng):
    X = np.stack([_trial_rows(m, d, rng)[0] for _ in range(3)])
    y = _bgmm_labels(m)
    _, variances = _fit_pooled_diagonal(X, y, reg_covar=0.0, ddof=0)
    for t in range(3):
        expected = sum(np.mean(y == k) * X[t, y == k].var(axis=0, ddof=0) for k in (0, 1))
        np.testing.assert_allclose(variances[t], expected, rtol=1e-12)


def _gain_with_ddof(ddof, m, d, n_trials, seed):
    gaps, _, test = simulate_bgmm_gap(m, d, [0, 50], n_trials=n_trials, n_test=None, ddof=ddof,
                                      return_losses=True, random_state=seed)
    diff = gaps[0] - gaps[1]
    return gaps.mean(axis=1), diff.mean(), diff.std() / np.sqrt(n_trials), test.mean(axis=1)


def test_gain_needs_an_unbiased_generator_variance():
    """m = 10, d = 50, gamma = 50 (benchmarks: ratio 3.23 with ddof=1, 0.98 with ddof=0).

    Theory: E[test - train] = d / m = 5 without augmentation (exact, population test loss);
    generated rows from unbiased variances carry no optimism, from ML variances (smaller by
    (m - 2) / m) an optimism of about d / m again.
    """
    m, d, n = 10, 50, 3000
    means1, gain1, se1, test1 = _gain_with_ddof(1, m, d, n, seed=21)
    means0, gain0, se0, test0 = _gain_with_ddof(0, m, d, n, seed=22)
    for means in (means1, means0):
        assert means[0] == pytest.approx(d / m, rel=0.05)
    assert gain1 - 4 * se1 > 0.6 * means1[0]  # measured: 1 - 1 / 3.23 = 0.69
    assert abs(gain0) + 4 * se0 < 0.05 * means0[0]  # measured: about 0.015
    assert means0[1] == pytest.approx(d / m, rel=0.05)
    # either way the learner's test loss does not improve: the gap moves through training
    for test in (test1, test0):
        assert abs(test[1] - test[0]) < 0.01 * test[0]


@pytest.mark.parametrize("d", [10, 100])
def test_gain_needs_an_unbiased_generator_variance_other_dimensions(d):
    """Benchmarks: ratio 1.55 (d = 10) and 4.64 (d = 100) with ddof=1; 0.99 with ddof=0."""
    means1, gain1, se1, _ = _gain_with_ddof(1, 10, d, 20_000, seed=23 + d)
    means0, gain0, se0, _ = _gain_with_ddof(0, 10, d, 20_000, seed=24 + d)
    assert means1[0] / means1[1] > {10: 1.45, 100: 4.3}[d]
    assert abs(gain0) + 4 * se0 < 0.05 * means0[0]
