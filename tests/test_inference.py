"""Debiased synthetic data: corrections against closed forms, shifts, coverage, errors."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator
from sklearn.linear_model import LinearRegression

from sksynth.base import GeneratorMixin
from sksynth.datasets import make_disease
from sksynth.generators import GaussianGenerator
from sksynth.inference import (
    DebiasedGenerator,
    MeanEstimator,
    MeanTarget,
    NaiveOLS,
    PartialRegressionTarget,
    PartiallyLinearEstimator,
    ProportionTarget,
    RiskDifferenceTarget,
)


class NoisyBootstrap(GeneratorMixin, BaseEstimator):
    """Test double for a mixed-type generator: resample rows, jitter and bias numbers.

    ``bias`` is added to every sampled value of ``biased_column``: a generator
    whose error is known exactly.
    """

    _parameter_constraints = {}
    _input_kind = "wrapped"  # takes a DataFrame as is
    _samples_given_y = False

    def __init__(self, noise=0.5, bias=0.0, biased_column=None, random_state=None):
        self.noise = noise
        self.bias = bias
        self.biased_column = biased_column
        self.random_state = random_state

    def _fit(self, X, y):
        self._x_spec = self._y_spec = None
        self.data_ = X.reset_index(drop=True)
        self._init_sampling_stream(self.random_state)
        return self

    def _sample(self, n_samples, y_enc, conditions, rng):
        rows = self.data_.iloc[rng.randint(len(self.data_), size=n_samples)].reset_index(drop=True)
        for column in rows.columns:
            if pd.api.types.is_float_dtype(rows[column].dtype):
                rows[column] = rows[column] + self.noise * rng.standard_normal(n_samples)
        if self.biased_column is not None:
            rows[self.biased_column] = rows[self.biased_column] + self.bias
        return rows, None


def _gaussian_frame(n=400, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    a = 0.5 * x + rng.normal(size=n)
    y = 2.0 * a - x + rng.normal(size=n)
    return pd.DataFrame({"y": y, "a": a, "x": x})


# ---------------------------------------------------------------------------
# corrections against closed forms
# ---------------------------------------------------------------------------
def test_mean_correction_removes_a_known_generator_bias():
    real = make_disease(1000, random_state=0)
    gen = DebiasedGenerator(NoisyBootstrap(bias=3.0, biased_column="age"),
                            [MeanTarget("age")], n_aux=50_000, random_state=0).fit(real)
    # bootstrap noise has mean zero, so the DGM's mean is the real mean + 3 (MC error 10/sqrt(M))
    assert gen.bias_["mean(age)"] == pytest.approx(-3.0, abs=5 * 10 / np.sqrt(50_000))
    synthetic = gen.sample(50_000)
    assert synthetic["age"].mean() == pytest.approx(real["age"].mean(), abs=5 * 10 / np.sqrt(5e4))


def test_gaussian_generator_nuisances_match_closed_form():
    real = _gaussian_frame(2000)
    gen = DebiasedGenerator(GaussianGenerator(),
                            [PartialRegressionTarget("y", "a", ["x"])],
                            n_aux=100_000, random_state=0).fit(real)
    mean, cov = gen.generator_.means_[0], gen.generator_.covariances_[0]
    # for a joint Gaussian, the partial regression coefficient of a is exact OLS on cov
    idx = [1, 2]  # a, x
    beta = np.linalg.solve(cov[np.ix_(idx, idx)], cov[idx, 0])
    nuisances = gen.nuisances_["coef(a on y | x)"]
    # Monte-Carlo error of the auxiliary estimate: residual sd / (sd(r_a) sqrt(M))
    assert nuisances["psi"] == pytest.approx(beta[0], abs=5 / np.sqrt(100_000))
    # E[a | x] is linear with slope cov_ax / var_x
    slope = cov[1, 2] / cov[2, 2]
    grid = pd.DataFrame({"x": [-1.0, 0.0, 1.0]})
    expected = mean[1] + slope * (grid["x"] - mean[2])
    np.testing.assert_allclose(nuisances["m_a"](grid), expected, atol=0.02)
    # the Gaussian fit has the data's own moments, so no first-order bias remains
    assert abs(gen.bias_["coef(a on y | x)"]) < 0.02


def test_shift_moves_the_estimand_by_exactly_the_correction():
    real = make_disease(600, random_state=1)
    target = PartialRegressionTarget("bp", "therapy", ["stage"])
    gen = DebiasedGenerator(NoisyBootstrap(noise=5.0), [target], n_aux=20_000,
                            random_state=0).fit(real)
    nuisances = gen.nuisances_[target.name]
    raw = gen.generator_.sample(3000, random_state=3)
    shifted = target.shift(raw, 1.7, nuisances)

    def coefficient(data):
        r_a, r_y = target._residualised(data, nuisances)
        return np.sum(r_a * r_y) / np.sum(r_a**2)

    assert coefficient(shifted) - coefficient(raw) == pytest.approx(1.7, abs=1e-10)
    mean_target = MeanTarget("age")
    assert (mean_target.shift(raw, -2.5, {})["age"] - raw["age"]).eq(-2.5).all()


def test_proportion_correction_closed_form():
    rng = np.random.RandomState(0)
    real = pd.DataFrame({"death": rng.rand(500) < 0.3, "arm": rng.rand(500) < 0.5})
    aux = pd.DataFrame({"death": rng.rand(800) < 0.2, "arm": rng.rand(800) < 0.6})
    target = ProportionTarget("death", "arm", True)
    nu = target.nuisances(aux)
    p_real, share_real = real.death[real.arm].mean(), real.arm.mean()
    expected = share_real / nu["arm_share"] * (p_real - nu["psi"])
    assert target.correction(real, nu) == pytest.approx(expected)
    rd = RiskDifferenceTarget("death", "arm")
    rd_nu = rd.nuisances(aux)
    treated, control = rd.correction(real, rd_nu)
    assert treated - control == pytest.approx(rd.eif(real, rd_nu).mean())


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), constant=st.floats(-100, 100))
def test_debiased_estimate_invariant_to_row_order_and_outcome_constant(seed, constant):
    real = _gaussian_frame(300, seed=seed)
    target = [PartialRegressionTarget("y", "a", ["x"])]

    def debiased(data):
        gen = DebiasedGenerator(GaussianGenerator(), target, n_aux=5000,
                                random_state=seed).fit(data)
        synthetic = gen.sample(2000, random_state=1)
        estimate = PartiallyLinearEstimator("a", random_state=0).fit(
            synthetic[["a", "x"]], synthetic["y"]).estimate_
        return gen.bias_[target[0].name], estimate

    bias, estimate = debiased(real)
    permuted = real.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    for other in (permuted, real.assign(y=real["y"] + constant)):
        other_bias, other_estimate = debiased(other)
        assert other_bias == pytest.approx(bias, abs=1e-6)
        assert other_estimate == pytest.approx(estimate, abs=1e-6)


def test_estimators_are_row_order_invariant():
    data = make_disease(400, random_state=0)
    perm = data.sample(frac=1.0, random_state=1)
    a = MeanEstimator().fit(data[["age"]])
    b = MeanEstimator().fit(perm[["age"]])
    assert a.estimate_ == pytest.approx(b.estimate_) and a.stderr_ == pytest.approx(b.stderr_)
    ols_a = NaiveOLS("therapy").fit(data[["therapy", "stage"]], data["bp"])
    ols_b = NaiveOLS("therapy").fit(perm[["therapy", "stage"]], perm["bp"])
    assert ols_a.estimate_ == pytest.approx(ols_b.estimate_)


# ---------------------------------------------------------------------------
# standard errors and coverage
# ---------------------------------------------------------------------------
def test_naive_ols_matches_closed_form_and_partially_linear_agrees():
    data = make_disease(3000, random_state=0)
    ols = NaiveOLS("therapy").fit(data[["therapy", "stage"]], data["bp"])
    design = pd.get_dummies(data[["therapy", "stage"]], dtype=float).to_numpy()
    reference = LinearRegression().fit(design, data["bp"])
    assert ols.estimate_ == pytest.approx(reference.coef_[0], abs=1e-8)
    # OLS SE for a balanced binary treatment with sigma=10: 2*10/sqrt(n)
    assert ols.stderr_ == pytest.approx(20 / np.sqrt(3000), rel=0.05)
    ple = PartiallyLinearEstimator("therapy", random_state=0).fit(
        data[["therapy", "stage"]], data["bp"])
    assert ple.estimate_ == pytest.approx(ols.estimate_, abs=3 * ple.stderr_ / 5)
    assert ple.stderr_ == pytest.approx(ols.stderr_, rel=0.1)


def test_stderr_corrections():
    x = np.random.RandomState(0).normal(size=(400, 1))
    plain = MeanEstimator().fit(x)
    assert MeanEstimator(n_real=400).fit(x).stderr_ == pytest.approx(plain.stderr_ * np.sqrt(2))
    tight = MeanEstimator(n_real=100, real_variance=0.25).fit(x)
    assert tight.stderr_ == pytest.approx(np.sqrt(0.25 / 100 + plain.stderr_**2))
    # the auxiliary term adds under the square root, with either correction
    both = MeanEstimator(n_real=100, real_variance=0.25, aux_variance=0.01).fit(x)
    assert both.stderr_ == pytest.approx(np.sqrt(0.25 / 100 + plain.stderr_**2 + 0.01))
    paper = MeanEstimator(n_real=400, aux_variance=0.01).fit(x)
    assert paper.stderr_ == pytest.approx(np.sqrt(2 * plain.stderr_**2 + 0.01))
    data = make_disease(300, random_state=0)
    for est in (PartiallyLinearEstimator("therapy", random_state=0), NaiveOLS("therapy")):
        base = est.set_params(n_real=300).fit(data[["therapy", "stage"]], data["bp"]).stderr_
        wide = est.set_params(aux_variance=0.5).fit(data[["therapy", "stage"]], data["bp"])
        assert wide.stderr_ == pytest.approx(np.sqrt(base**2 + 0.5))
        with pytest.raises(ValueError, match="aux_variance needs n_real"):
            est.set_params(n_real=None).fit(data[["therapy", "stage"]], data["bp"])
    low, high = plain.confint(0.1)
    assert (high - low) / 2 == pytest.approx(1.6448536 * plain.stderr_)


def _mean_run(seed, n, n_aux, debias):
    """``(error, SE, SE without the auxiliary term)`` of one run on the mean age.

    The generator's error shrinks slower than 1/sqrt(n): a bias of 10 n^(-1/4)
    in age. Debiased runs use every released variance; naive ones the
    ``sqrt(1 + m/n)`` correction (no auxiliary term: no correction was made).
    """
    real = make_disease(n, random_state=seed)[["age", "bp"]]
    biased = NoisyBootstrap(noise=2.0, bias=10 * n ** -0.25, biased_column="age")
    targets = [MeanTarget("age")] if debias else None
    gen = DebiasedGenerator(biased, targets, n_aux=n_aux, random_state=seed).fit(real)
    synthetic = gen.sample(n, random_state=seed + 1)
    if not debias:
        est = MeanEstimator(n_real=n).fit(synthetic[["age"]])
        return est.estimate_ - 50, est.stderr_, est.stderr_
    released = dict(n_real=n, real_variance=gen.eif_variance_["mean(age)"])
    est = MeanEstimator(aux_variance=gen.aux_variance_["mean(age)"], **released).fit(
        synthetic[["age"]])
    without = MeanEstimator(**released).fit(synthetic[["age"]])
    return est.estimate_ - 50, est.stderr_, without.stderr_


def _coverage(errors, se):
    return float(np.mean(np.abs(errors) <= 1.959964 * se))


def test_debiased_intervals_cover_with_a_small_auxiliary_sample_and_naive_ones_do_not():
    """n_aux = n: the auxiliary sample is as noisy as the real one.

    Then the debiased mean has variance V/n + V'/m + V'/n_aux (V' = 104, the
    jittered ages' variance), and an SE without the auxiliary term is
    sqrt(2.04 / 3.08) = 0.81 of the truth (coverage 0.89). 1000 runs: the
    SE ratio has Monte-Carlo SD 1/sqrt(2000) = 0.022, a coverage near 0.95
    has SD 0.007.
    """
    runs, n = 1000, 400
    errors, se, se_without_aux = np.array([_mean_run(s, n, n, True) for s in range(runs)]).T
    emp_se = errors.std(ddof=1)
    assert abs(errors.mean()) <= 0.25 * emp_se
    assert 0.91 <= se.mean() / emp_se <= 1.09
    assert 0.93 <= _coverage(errors, se) <= 0.97
    # the term matters: leaving it out is the under-coverage of issue 20
    assert se_without_aux.mean() / emp_se <= 0.88
    assert _coverage(errors, se_without_aux) <= 0.92
    naive_errors, naive_se, _ = np.array([_mean_run(s, n, n, False) for s in range(200)]).T
    # bias 10 / 400^(1/4) = 2.24 against an SE of 0.72: coverage about 0.13
    assert _coverage(naive_errors, naive_se) <= 0.5


def test_debiased_coefficient_covers_with_a_small_auxiliary_sample():
    """The therapy coefficient of the misspecified Gaussian at n = n_aux = m = 300.

    The correction's auxiliary error -(P_M - P_hat) phi includes the
    auxiliary plug-in psi(P_hat); 300 runs (SE-ratio SD 0.04, coverage SD 0.013).
    """
    from sksynth.studies._coverage import _OrdinalGaussian

    n, runs = 300, 300
    target = PartialRegressionTarget("bp", "therapy", ["stage"])
    rows = []
    for seed in range(runs):
        real = make_disease(n, random_state=seed)
        gen = DebiasedGenerator(_OrdinalGaussian(), [target], n_aux=n,
                                random_state=seed).fit(real)
        synthetic = gen.sample(n, random_state=seed + 1)
        est = PartiallyLinearEstimator(
            "therapy", n_real=n, real_variance=gen.eif_variance_[target.name],
            aux_variance=gen.aux_variance_[target.name], random_state=0,
        ).fit(synthetic[["therapy", "stage"]], synthetic["bp"])
        rows.append((est.estimate_ + 20, est.stderr_, gen.aux_variance_[target.name]))
    errors, se, aux = np.array(rows).T
    emp_se = errors.std(ddof=1)
    assert abs(errors.mean()) <= 0.25 * emp_se
    assert 0.85 <= se.mean() / emp_se <= 1.15
    assert 0.92 <= _coverage(errors, se) <= 0.98
    without = np.sqrt(se**2 - aux)
    assert without.mean() / emp_se <= 0.85
    assert _coverage(errors, without) <= 0.90


def test_aux_variance_matches_the_generator_variance():
    """aux_variance_ = Var_P_hat(phi) / n_aux, and / (K^2 n_aux) summed over K folds.

    For a mean under a fitted Gaussian, Var_P_hat(phi) is the fitted variance;
    the sample variance of M = 20,000 rows is within sqrt(2/M) = 1% of it (5%
    is five SDs).
    """
    real = _gaussian_frame(1000, seed=3)
    gen = DebiasedGenerator(GaussianGenerator(), [MeanTarget("y")], n_aux=20_000,
                            random_state=0).fit(real)
    fitted = gen.generator_.covariances_[0][0, 0]
    assert gen.n_aux_ == 20_000
    assert gen.aux_variance_["mean(y)"] == pytest.approx(fitted / 20_000, rel=0.05)
    folds = DebiasedGenerator(GaussianGenerator(), [MeanTarget("y")], n_aux=20_000, cv=4,
                              random_state=0).fit(real)
    per_fold = [g.covariances_[0][0, 0] for g in folds.generators_]
    assert folds.aux_variance_["mean(y)"] == pytest.approx(
        np.sum(per_fold) / (4**2 * 20_000), rel=0.05)
    # no targets: nothing is corrected, nothing is released
    assert DebiasedGenerator(GaussianGenerator(), None).fit(real).aux_variance_ == {}


def test_auto_n_aux_grows_with_n_and_bounds_the_auxiliary_share_for_every_m():
    from sksynth.inference._debiased import _auto_n_aux

    # 20 rows per real row a correction is evaluated on, floor 100,000, caps 2e6 rows, 5e7 cells
    assert [_auto_n_aux(n, 4) for n in (50, 5000, 5001, 45_222, 10**6)] == [
        100_000, 100_000, 100_020, 904_440, 2_000_000]
    assert _auto_n_aux(10**6, 100) == 500_000 and _auto_n_aux(10**6, 10**4) == 100_000
    real = _gaussian_frame(8000, seed=1)
    share = {}
    for cv in (None, 4):
        gen = DebiasedGenerator(GaussianGenerator(), [MeanTarget("y")], cv=cv,
                                random_state=0).fit(real)
        k = cv or 1
        assert gen.n_aux_ == max(100_000, 20 * 8000 // k)
        # the auxiliary share of the debiased estimate's variance, measured, for m from
        # n/10 to 1000 n: largest as m grows, bounded by n / (n + K n_aux) <= 1/21
        aux = gen.aux_variance_["mean(y)"]
        per_row = aux * k**2 * gen.n_aux_ / k  # the generator's influence-function variance
        real_term = gen.eif_variance_["mean(y)"] / 8000
        share[cv] = [aux / (real_term + per_row / m + aux) for m in (800, 8000, 80_000, 8 * 10**6)]
        assert np.all(np.diff(share[cv]) > 0)
        assert max(share[cv]) <= 1 / 21 * 1.05  # the variances agree to about 1%
    assert max(share[None]) == pytest.approx(8000 / (8000 + 160_000), rel=0.05)


def test_cross_fitted_corrections_average_folds():
    real = make_disease(500, random_state=0)
    gen = DebiasedGenerator(NoisyBootstrap(bias=2.0, biased_column="age"), [MeanTarget("age")],
                            n_aux=20_000, cv=5, random_state=0).fit(real)
    assert len(gen.generators_) == 5
    assert gen.bias_["mean(age)"] == pytest.approx(-2.0, abs=0.4)
    synthetic = gen.sample(1001)
    assert len(synthetic) == 1001
    assert synthetic["age"].mean() == pytest.approx(real["age"].mean(), abs=1.5)
    assert gen.eif_variance_["mean(age)"] == pytest.approx(100, rel=0.2)


def test_array_input_uses_integer_columns_and_returns_arrays():
    X = np.random.RandomState(0).normal(size=(300, 3)) + 5
    gen = DebiasedGenerator(targets=[MeanTarget(1)], n_aux=5000, random_state=0).fit(X)
    sample = gen.sample(10)
    assert isinstance(sample, np.ndarray) and sample.shape == (10, 3)
    assert gen.sample(0).shape == (0, 3)


def test_targets_none_releases_the_generator_samples():
    X = np.random.RandomState(0).normal(size=(100, 2))
    gen = DebiasedGenerator(GaussianGenerator(random_state=3), None, random_state=0).fit(X)
    np.testing.assert_allclose(gen.sample(5, random_state=1),
                               gen.generator_.sample(5, random_state=1))
    assert gen.bias_ == {}


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------
def test_missing_target_column():
    with pytest.raises(ValueError, match="not found"):
        DebiasedGenerator(NoisyBootstrap(), [MeanTarget("height")], n_aux=1000).fit(
            make_disease(50, random_state=0))


def test_treatment_must_be_binary_for_risk_difference():
    data = make_disease(200, random_state=0).assign(death=lambda d: (d.bp > 130).astype(int))
    with pytest.raises(ValueError, match="binary"):
        DebiasedGenerator(NoisyBootstrap(), [RiskDifferenceTarget("death", "age")],
                          n_aux=1000).fit(data)


def test_conflicting_targets_are_refused():
    with pytest.raises(ValueError, match="conflict"):
        DebiasedGenerator(NoisyBootstrap(), [MeanTarget("bp"),
                          PartialRegressionTarget("bp", "therapy", ["stage"])]).fit(
            make_disease(50, random_state=0))
    # shifts of different, unused columns combine
    gen = DebiasedGenerator(NoisyBootstrap(), [MeanTarget("age"),
                            PartialRegressionTarget("bp", "therapy", ["stage"])], n_aux=2000,
                            random_state=0).fit(make_disease(200, random_state=0))
    assert set(gen.bias_) == {"mean(age)", "coef(therapy on bp | stage)"}


def test_covariate_level_absent_from_synthetic_data_falls_back_to_overall_mean():
    real = make_disease(300, random_state=0)
    aux = real[real.stage != "IV"]
    target = PartialRegressionTarget("bp", "therapy", ["stage"])
    nuisances = target.nuisances(aux)
    level_iv = real[real.stage == "IV"]
    np.testing.assert_allclose(nuisances["m_y"](level_iv[["stage"]]), aux.bp.mean())


def test_n_aux_is_auto_or_an_int_of_at_least_100():
    from sklearn.utils._param_validation import InvalidParameterError

    real = make_disease(200, random_state=0)
    for bad in ("big", 99, 1.5e5):
        with pytest.raises(InvalidParameterError, match="n_aux"):
            DebiasedGenerator(NoisyBootstrap(), [MeanTarget("age")], n_aux=bad).fit(real)
    assert DebiasedGenerator(NoisyBootstrap(), [MeanTarget("age")], n_aux=100,
                             random_state=0).fit(real).n_aux_ == 100


def test_estimators_need_two_rows():
    with pytest.raises(ValueError, match="at least 2 samples"):
        MeanEstimator().fit(np.ones((1, 1)))
    with pytest.raises(ValueError, match="real_variance needs n_real"):
        MeanEstimator(real_variance=1.0).fit(np.ones((5, 1)))
    data = make_disease(30, random_state=0)
    with pytest.raises(ValueError, match="not a column"):
        PartiallyLinearEstimator("aspirin").fit(data[["therapy", "stage"]], data["bp"])
    with pytest.raises(ValueError, match="identified"):
        PartiallyLinearEstimator("therapy", cv=2).fit(
            data[["therapy", "stage"]].assign(therapy=True), data["bp"])


# ---------------------------------------------------------------------------
# the study helpers
# ---------------------------------------------------------------------------
def test_summarize_coverage_and_rates_on_known_inputs():
    from sksynth.studies import convergence_rates, summarize_coverage

    rows = []
    for n in (100, 400, 1600):
        sd = 10 / np.sqrt(n)  # mean(age): c = 10, alpha = 0.5 exactly
        for i, z in enumerate([-1.0, 1.0, 0.0, 3.0]):
            rows.append(dict(n=n, seed=i, target="mean(age)", path="original", se_kind="model",
                             estimate=50 + z * sd * np.sqrt(2), se=sd))
    table = summarize_coverage(pd.DataFrame(rows))
    # |z| sqrt(2) <= 1.96 holds for z in {-1, 1, 0}, not 3
    np.testing.assert_allclose(table.coverage, 0.75)
    np.testing.assert_allclose(table.bias, 0.75 * np.sqrt(2) * 10 / np.sqrt(table.n))
    rates = convergence_rates(table.assign(emp_se=10 / np.sqrt(table.n)))
    assert rates.alpha.iloc[0] == pytest.approx(0.5)
    assert rates.alpha_se.iloc[0] == pytest.approx(0, abs=1e-12)  # exact power law
    # one n: alpha still compares the SE with 10/sqrt(n), but has no standard error
    one = convergence_rates(table[table.n == 400].assign(emp_se=10 / 400 ** 0.6))
    assert one.alpha.iloc[0] == pytest.approx(0.6)
    assert np.isnan(one.alpha_se.iloc[0])


def test_coverage_study_smoke_and_shapes():
    from sksynth.studies import coverage_study

    results = coverage_study("gaussian", sizes=[100], runs=2, n_aux=1000)
    # 2 targets x 6 (path, se) cases per run
    assert len(results) == 2 * 2 * 6
    original = results[results.path == "original"]
    assert original.groupby("target").estimate.mean()["mean(age)"] == pytest.approx(50, abs=5)
    with pytest.raises(ValueError, match="runs"):
        coverage_study("gaussian", runs=1)
    with pytest.raises(ValueError, match="first_seed"):
        coverage_study("gaussian", runs=2, first_seed=-1)


def test_coverage_study_in_parts_equals_the_whole():
    from sksynth.studies import coverage_study

    params = dict(sizes=[60], n_aux=500)
    whole = coverage_study("gaussian", runs=4, **params)
    parts = pd.concat([coverage_study("gaussian", runs=2, **params),
                       coverage_study("gaussian", runs=2, first_seed=2, **params)],
                      ignore_index=True)
    assert sorted(parts.seed.unique()) == [0, 1, 2, 3]
    pd.testing.assert_frame_equal(parts, whole)


def test_failed_estimates_are_counted_and_left_out():
    from sksynth.studies import summarize_coverage

    rows = [dict(n=100, seed=i, target="mean(age)", path="naive", se_kind="model",
                 estimate=e, se=s) for i, (e, s) in enumerate([(50.0, 1.0), (np.nan, np.nan),
                                                               (60.0, 1.0)])]
    table = summarize_coverage(pd.DataFrame(rows))
    assert table.failed.iloc[0] == 1 and table.coverage.iloc[0] == 0.5
