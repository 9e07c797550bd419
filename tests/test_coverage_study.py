"""The debiasing paper's simulation: validity of debiased intervals, shortfall of naive ones.

Acceptance criteria of the debiased path (issues 6 and 20), with 200 runs per
setting: every coverage in [0.91, 0.985] (the Monte-Carlo SE of a coverage is
0.015), the mean over settings in [0.93, 0.97], |bias| <= 0.25 empirical SE,
estimated / empirical SE in [0.85, 1.25], convergence exponent in [0.45, 0.60].

The naive path "falls short" when its intervals under-cover even with the
``sqrt(1 + m/n)`` standard error, i.e. because of the generator's bias, not
only because the model SE ignores the synthetic sampling noise: a generator
as good as the real data (a bootstrap of the real rows) covers about 0.83
with the model SE at m = n, so "model-SE coverage <= 0.88" held for it too
(``test_naive_criterion_fails_for_a_perfect_generator``).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from sksynth.base import GeneratorMixin
from sksynth.datasets import make_disease
from sksynth.generators import GaussianCopulaGenerator
from sksynth.inference import MeanEstimator
from sksynth.studies import convergence_rates, coverage_study, summarize_coverage


def naive_falls_short(table, target="coef(therapy)"):
    """Whether the naive path, with the sqrt(1 + m/n)-corrected SE, covers at most
    0.88 at some n for ``target``: a bias, not the missing sqrt(2)."""
    naive = table[(table.path == "naive") & (table.se_kind == "corrected")
                  & (table.target == target)]
    return bool(naive.coverage.min() <= 0.88)


def _debiased_criteria(table, se_kind):
    debiased = table[(table.path == "debiased") & (table.se_kind == se_kind)]
    assert debiased.coverage.between(0.91, 0.985).all(), debiased
    assert 0.93 <= debiased.coverage.mean() <= 0.97, debiased
    assert (debiased.bias_over_se <= 0.25).all(), debiased
    assert debiased.se_ratio.between(0.85, 1.25).all(), debiased


@pytest.mark.slow
@pytest.mark.parametrize("generator", ["gaussian", GaussianCopulaGenerator()],
                         ids=["misspecified-gaussian", "copula"])
def test_debiased_inference_is_valid(generator):
    """n_aux="auto" (100,000 rows here). As the benchmark ran it: 145 s (gaussian) and
    647 s (copula) wall on two loaded cores."""
    results = coverage_study(generator, runs=200, n_jobs=-1)
    table = summarize_coverage(results)
    rates = convergence_rates(table)
    for se_kind in ("corrected", "released"):
        _debiased_criteria(table, se_kind)
    assert rates[rates.path == "debiased"].alpha.between(0.45, 0.60).all(), rates
    if generator == "gaussian":
        # the misspecified Gaussian's therapy effect is biased by about 4 (20%)
        assert naive_falls_short(table), table


@pytest.mark.slow
@pytest.mark.parametrize("generator", ["gaussian", GaussianCopulaGenerator()],
                         ids=["misspecified-gaussian", "copula"])
def test_debiased_inference_is_valid_with_n_aux_equal_to_n(generator):
    """n = m = n_aux = 5000, 400 runs (coverage SD 0.011, SE-ratio SD 0.035).

    Without the auxiliary term the SE would be about sqrt(2/3) = 0.82 of the
    truth (the issue measured 0.79 and coverage 0.84-0.90; measured here with
    the same seeds: 0.77-0.84, coverage 0.87-0.92). About 4 minutes per
    generator on one loaded core.
    """
    results = coverage_study(generator, sizes=[5000], runs=400, n_aux=5000, n_jobs=-1)
    table = summarize_coverage(results)
    for se_kind in ("corrected", "released"):
        debiased = table[(table.path == "debiased") & (table.se_kind == se_kind)]
        assert debiased.coverage.between(0.91, 0.985).all(), debiased
        assert (debiased.bias_over_se <= 0.25).all(), debiased
        assert debiased.se_ratio.between(0.85, 1.25).all(), debiased


class _Bootstrap(GeneratorMixin, BaseEstimator):
    """Resamples the real rows, plus ``bias`` in age: bias 0 is the best a
    generator can do with n rows (the empirical distribution)."""

    _parameter_constraints = {}
    _input_kind = "wrapped"
    _samples_given_y = False

    def __init__(self, bias=0.0, random_state=None):
        self.bias = bias
        self.random_state = random_state

    def _fit(self, X, y):
        self._x_spec = self._y_spec = None
        self.data_ = X.reset_index(drop=True)
        self._init_sampling_stream(self.random_state)
        return self

    def _sample(self, n_samples, y_enc, conditions, rng):
        rows = self.data_.iloc[rng.randint(len(self.data_), size=n_samples)]
        return rows.reset_index(drop=True).assign(age=lambda d: d.age + self.bias), None


def _naive_table(bias_scale, sizes=(200, 800), runs=400):
    rows = []
    for n in sizes:
        for seed in range(runs):
            real = make_disease(n, random_state=seed)[["age"]]
            gen = _Bootstrap(bias=bias_scale * n ** -0.25, random_state=seed).fit(real)
            raw = gen.sample(n)
            for se_kind, n_real in (("model", None), ("corrected", n)):
                est = MeanEstimator(n_real=n_real).fit(raw[["age"]])
                rows.append(dict(n=n, seed=seed, target="mean(age)", path="naive",
                                 se_kind=se_kind, estimate=est.estimate_, se=est.stderr_))
    return summarize_coverage(pd.DataFrame(rows))


def test_naive_criterion_fails_for_a_perfect_generator():
    """The bootstrap's naive mean has variance V/n + V/m: the model SE covers
    P(|Z| < 1.96 / sqrt(2)) = 0.83 at m = n, the corrected SE 0.95 (400 runs:
    SD 0.011). A bias of 10 n^(-1/4) (2.7 and 1.9 corrected SEs) makes the
    corrected coverage fall to about 0.24 at n = 200 and 0.04 at n = 800."""
    perfect, biased = _naive_table(0.0), _naive_table(10.0)
    model = perfect[perfect.se_kind == "model"].coverage
    np.testing.assert_allclose(model, 0.834, atol=0.04)
    assert model.min() <= 0.88  # the old criterion: met by a perfect generator
    assert not naive_falls_short(perfect, "mean(age)")
    assert perfect[perfect.se_kind == "corrected"].coverage.between(0.92, 0.98).all()
    assert naive_falls_short(biased, "mean(age)")


@pytest.mark.slow
def test_default_tabular_vae_leaves_a_small_debiasing_remainder():
    """The debiased therapy coefficient equals the real-data partialling-out
    estimate up to a remainder in the generator's nuisance errors
    (benchmarks/debiasing_remainder.py). With the default training budget
    (``epochs="auto"``: at least 6,000 steps) it is a small part of the debiased
    path's standard error, sqrt(2) * 20 / sqrt(n) = 2.24 at n = 160 with m = n;
    with SDV's 300 epochs (300 steps here) it was about twice that SE."""
    import numpy as np
    import torch

    from sksynth.datasets import make_disease
    from sksynth.generators import TabularVAE
    from sksynth.inference import DebiasedGenerator, PartialRegressionTarget

    torch.set_num_threads(1)
    n, se = 160, np.sqrt(2) * 20 / np.sqrt(160)
    target = PartialRegressionTarget("bp", "therapy", ["stage"])

    def remainder(seed, **params):
        real = make_disease(n, random_state=seed)
        gen = DebiasedGenerator(TabularVAE(random_state=seed, **params), [target],
                                n_aux=20_000, random_state=seed).fit(real)
        debiased = gen.nuisances_[target.name]["psi"] + gen.bias_[target.name]
        return debiased - target.psi(real)

    default = [remainder(seed) for seed in range(6)]
    sdv_schedule = [remainder(seed, epochs=300) for seed in range(6)]
    assert abs(np.mean(default)) < 0.25 * se, default
    assert np.mean(sdv_schedule) > 1.0 * se, sdv_schedule
