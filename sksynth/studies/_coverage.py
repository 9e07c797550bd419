"""Monte-Carlo coverage study of synthetic-data inference (the paper's simulation).

:func:`coverage_study` reproduces the simulation of Decruyenaere et al.
(2024) for any generator: real data from
:func:`~sksynth.datasets.make_disease`, one synthetic set per run, the mean
age (truth 50) and the therapy coefficient adjusted for stage (truth -20),
estimated on the real rows, on the generator's raw samples and on the
samples of a :class:`~sksynth.inference.DebiasedGenerator`.
:func:`summarize_coverage` and :func:`convergence_rates` turn the runs into
the paper's table.
"""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import stats
from sklearn.base import BaseEstimator, clone

from ..base import GeneratorMixin, _seed_from
from ..datasets import make_disease
from ..generators import GaussianGenerator
from ..inference import (
    DebiasedGenerator,
    MeanEstimator,
    MeanTarget,
    PartialRegressionTarget,
    PartiallyLinearEstimator,
)

__all__ = ["coverage_study", "summarize_coverage", "convergence_rates"]

TRUTH = {"mean(age)": 50.0, "coef(therapy)": -20.0}
ASYMPTOTIC_SD = {"mean(age)": 10.0, "coef(therapy)": 20.0}
_STAGES = np.array(["I", "II", "III", "IV"])


class _OrdinalGaussian(GeneratorMixin, BaseEstimator):
    """A deliberately misspecified generator for ``make_disease`` data.

    Stage is coded 0..3 and therapy 0/1, one multivariate Gaussian is fitted
    to the four numeric columns, and samples are decoded by rounding and
    clipping; its stage distribution and therapy effect are biased by design.
    """

    _parameter_constraints = {"random_state": ["random_state"]}
    _input_kind = "wrapped"  # takes the make_disease frame as is
    _samples_given_y = False

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, X, y):
        self._x_spec = self._y_spec = None
        self.gaussian_ = GaussianGenerator(reg_covar=1e-3, random_state=self.random_state)
        self.gaussian_.fit(self._encode(X))
        self._init_sampling_stream(self.random_state)
        return self

    @staticmethod
    def _encode(frame):
        return np.column_stack([
            frame["age"].to_numpy(float),
            frame["stage"].cat.codes.to_numpy(float),
            frame["therapy"].to_numpy(float),
            frame["bp"].to_numpy(float),
        ])

    def _sample(self, n_samples, y_enc, conditions, rng):
        Z = self.gaussian_.sample(n_samples, random_state=rng)
        stage = np.clip(np.rint(Z[:, 1]), 0, 3).astype(int)
        return pd.DataFrame({
            "age": Z[:, 0],
            "stage": pd.Categorical(_STAGES[stage], categories=_STAGES, ordered=True),
            "therapy": Z[:, 2] >= 0.5,
            "bp": Z[:, 3],
        }), None

    def _score_samples(self, X, y_enc):
        raise NotImplementedError("_OrdinalGaussian is a sampler for the coverage study.")


def _estimate(data, target, n_real=None, real_variance=None, aux_variance=None):
    """``(estimate, se)``; NaN when the estimator fails or its SE is degenerate.

    As in the reference code (``estimates_check``), an SE below 1e-10 or above
    100 marks a failed estimate, e.g. a collapsed generator whose samples hold
    one treatment level per stratum.
    """
    try:
        estimate, se = _fit_estimator(data, target, n_real, real_variance, aux_variance)
    except ValueError:
        return np.nan, np.nan
    if not 1e-10 <= se <= 100:
        return np.nan, np.nan
    return estimate, se


def _fit_estimator(data, target, n_real, real_variance, aux_variance):
    correction = dict(n_real=n_real, real_variance=real_variance, aux_variance=aux_variance)
    if target == "mean(age)":
        est = MeanEstimator(**correction).fit(data[["age"]])
    else:
        est = PartiallyLinearEstimator("therapy", random_state=2024, **correction)
        est.fit(data[["therapy", "stage"]], data["bp"])
    return est.estimate_, est.stderr_


def _one_run(generator, n, seed, m_factor, n_aux):
    """Every estimate of one Monte-Carlo run, as a list of dict rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = make_disease(n, random_state=seed)
        m = max(2, int(round(m_factor * n)))
        targets = [MeanTarget("age"), PartialRegressionTarget("bp", "therapy", ["stage"])]
        gen = DebiasedGenerator(clone(generator), targets, n_aux=n_aux, random_state=seed)
        gen.fit(real)
        raw = gen.generator_.sample(m, random_state=_seed_from(seed + 1))
        debiased = gen.sample(m, random_state=_seed_from(seed + 2))
        rows = []
        for target, released in zip(TRUTH, targets):
            variance = gen.eif_variance_[released.name]
            aux = gen.aux_variance_[released.name]
            # (path, se_kind, rows, n_real, real_variance, aux_variance); the raw
            # samples carry no correction, so no auxiliary term
            cases = [
                ("original", "model", real, None, None, None),
                ("naive", "model", raw, None, None, None),
                ("naive", "corrected", raw, n, None, None),
                ("debiased", "model", debiased, None, None, None),
                ("debiased", "corrected", debiased, n, None, aux),
                ("debiased", "released", debiased, n, variance, aux),
            ]
            for path, se_kind, data, n_real, real_variance, aux_variance in cases:
                estimate, se = _estimate(data, target, n_real, real_variance, aux_variance)
                rows.append(dict(n=n, m=m, n_aux=gen.n_aux_, seed=seed, target=target,
                                 path=path, se_kind=se_kind, estimate=estimate, se=se))
        return rows


def coverage_study(generator="gaussian", *, sizes=(50, 160, 500, 1600, 5000), runs=250,
                   first_seed=0, m_factor=1.0, n_aux="auto", n_jobs=None, verbose=0):
    """Run the simulation of Decruyenaere et al. (2024) for one generator.

    For each ``n`` in ``sizes`` and each run ``seed`` in
    ``range(first_seed, first_seed + runs)``:
    ``make_disease(n, random_state=seed)`` gives the real rows; a
    :class:`~sksynth.inference.DebiasedGenerator` wrapping ``generator`` is
    fitted on them with targets mean age and the therapy coefficient adjusted
    for stage; ``m = m_factor * n`` raw and debiased synthetic rows are
    drawn; both targets are estimated on the real, raw and debiased rows.

    Parameters
    ----------
    generator : generator or "gaussian", default="gaussian"
        An unfitted generator that handles the mixed ``make_disease`` frame
        (cloned for every run), or ``"gaussian"`` for a deliberately
        misspecified Gaussian over ordinal codes.
    sizes : sequence of int, default=(50, 160, 500, 1600, 5000)
        Real sample sizes.
    runs : int, default=250
        Monte-Carlo runs per size.
    first_seed : int, default=0
        Seed of the first run. Studies over disjoint seed ranges are
        independent and can be concatenated, so a long study can be run in
        parts.
    m_factor : float, default=1.0
        Synthetic rows per real row.
    n_aux : "auto" or int, default="auto"
        Auxiliary sample of the debiasing step (see
        :class:`~sksynth.inference.DebiasedGenerator`; ``"auto"`` is 100,000
        rows for ``n <= 5000``).
    n_jobs : int, default=None
        Parallel runs (joblib).
    verbose : int, default=0
        joblib verbosity.

    Returns
    -------
    results : DataFrame
        One row per run, target, ``path`` ("original", "naive", "debiased")
        and ``se_kind`` ("model": the estimator's own SE; "corrected":
        times sqrt(1 + m/n); "released": sqrt(Var_real/n + Var_syn/m)); on
        the debiased path both corrected kinds add the auxiliary sample's
        term ``aux_variance_`` under the square root. ``n_aux`` is the
        auxiliary sample size used.

    Examples
    --------
    >>> from sksynth.studies import coverage_study, summarize_coverage
    >>> results = coverage_study("gaussian", sizes=[200], runs=3, n_aux=2000)
    >>> sorted(results.path.unique())
    ['debiased', 'naive', 'original']
    """
    if isinstance(generator, str):
        if generator != "gaussian":
            raise ValueError(f"generator must be an estimator or 'gaussian', got {generator!r}.")
        generator = _OrdinalGaussian()
    if not isinstance(runs, Integral) or runs < 2:
        raise ValueError(f"runs must be an integer >= 2, got {runs!r}.")
    if not isinstance(first_seed, Integral) or first_seed < 0:
        raise ValueError(f"first_seed must be a non-negative integer, got {first_seed!r}.")
    jobs = [(n, seed) for n in sizes for seed in range(first_seed, first_seed + runs)]
    out = Parallel(n_jobs=n_jobs, verbose=verbose)(
        delayed(_one_run)(generator, n, seed, m_factor, n_aux) for n, seed in jobs
    )
    return pd.DataFrame([row for rows in out for row in rows])


def summarize_coverage(results, level=0.95):
    """Bias, empirical SE, mean SE, coverage and type-1 error per setting.

    Parameters
    ----------
    results : DataFrame
        Output of :func:`coverage_study` (possibly several, concatenated with
        a ``generator`` column).
    level : float, default=0.95
        Nominal coverage of the normal intervals.

    Returns
    -------
    table : DataFrame
        Per (generator, target, path, se_kind, n): runs, failed (runs whose
        estimate failed, left out of the other columns), bias, emp_se, mean_se,
        coverage, type1 (rejection rate of the true value), se_ratio
        (mean_se / emp_se), bias_over_se (absolute bias / emp_se).
    """
    z = stats.norm.ppf(0.5 + level / 2)
    results = results.copy()
    if "generator" not in results:
        results["generator"] = "generator"
    failed = results["estimate"].isna()
    results = results.assign(failed=failed)
    truth = results["target"].map(TRUTH)
    results["error"] = results["estimate"] - truth
    covered = (results["error"].abs() <= z * results["se"]).astype(float)
    results["covered"] = covered.where(~failed)  # failed runs are left out, not "missed"
    keys = ["generator", "target", "path", "se_kind", "n"]
    table = results.groupby(keys).agg(
        runs=("estimate", "size"),
        failed=("failed", "sum"),
        bias=("error", "mean"),
        emp_se=("estimate", "std"),
        mean_se=("se", "mean"),
        coverage=("covered", "mean"),
    )
    table["type1"] = 1 - table["coverage"]
    table["se_ratio"] = table["mean_se"] / table["emp_se"]
    table["bias_over_se"] = table["bias"].abs() / table["emp_se"]
    return table.reset_index()


def convergence_rates(table, m_factor=1.0):
    """Convergence exponent ``alpha`` of the empirical SE, per generator/target/path.

    Fitted as in the reference code: OLS without intercept of
    ``log(emp_se(n) / c)`` on ``-log(n)``, with ``c`` the estimator's
    asymptotic SD on real data (10 for the mean age, 20 for the therapy
    coefficient) scaled, for synthetic paths, by ``sqrt(1 + n/m)`` (the
    variance inflation a debiased estimator has by design), so that ``alpha``
    measures the rate, not the constant. ``alpha = 0.5`` is root-n.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`summarize_coverage`.
    m_factor : float, default=1.0
        ``m / n`` of the study.

    Returns
    -------
    rates : DataFrame
        Columns generator, target, path, alpha, alpha_se. With a single ``n``
        ``alpha`` only compares that SE with the asymptotic one, and
        ``alpha_se`` is NaN (no residual degrees of freedom).
    """
    rows = []
    model = table[table.se_kind == "model"]
    for (gen, target, path), group in model.groupby(["generator", "target", "path"]):
        x = -np.log(group["n"].to_numpy(float))
        inflation = 1.0 if path == "original" else np.sqrt(1 + 1 / m_factor)
        y = np.log(group["emp_se"].to_numpy() / (ASYMPTOTIC_SD[target] * inflation))
        alpha = float(x @ y / (x @ x))
        residual = y - alpha * x
        alpha_se = (float(np.sqrt(residual @ residual / (len(x) - 1) / (x @ x)))
                    if len(x) > 1 else np.nan)
        rows.append(dict(generator=gen, target=target, path=path, alpha=alpha, alpha_se=alpha_se))
    return pd.DataFrame(rows)
