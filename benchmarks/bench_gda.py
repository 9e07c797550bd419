"""The GDA bGMM study: the measured gap table, and the vectorised path against loops.

Two parts (both by default):

1. **Gap table** (``--skip-timing`` runs only this): the mean generalisation
   gap of :func:`sksynth.studies.simulate_bgmm_gap` without augmentation
   (``gamma = 0``) and with it (``gamma = 5, 50, 100``), their ratio with a
   95% delta-method interval (paired: every ``gamma`` of a trial shares its
   real rows), and the mean test loss, at ``m = 10`` for ``d`` in {1, 10, 50,
   100}, with the generator's variances unbiased (``ddof=1``, the paper's)
   and maximum-likelihood (``ddof=0``); then ``d = 20, gamma = 20`` at ``m``
   in {10, 100, 500}. 10,000 trials per case, seed ``10000 * ddof + 100 * m
   + d``. Then the stability bound (``gda_stability_bound``, both forms)
   beside the ``ddof=1`` gap (its mean and 99% quantile) and the trivial
   bound ``M``, at ``m = 10`` and at ``d = 1, m = 40`` out to ``gamma =
   1000``; seed ``1000 + d + m``. The two tables are printed in markdown
   and kept as ``gda_gap.csv`` and ``gda_bound.csv`` under
   ``benchmarks/results/`` (``--results DIR`` elsewhere, ``--no-results``
   nowhere).

2. **Timing**, the vectorised path against per-trial loops:

:func:`sksynth.studies.simulate_bgmm_gap` reproduces figure 1 of Zheng, Wu
& Li (2023): 31 configurations of (m, d, gamma) x 1000 trials. Three ways to
run a trial, timed in the same run on the same configurations:

- ``vectorized`` (the library default): real rows of all trials as one 3-D
  array, generated and test rows through their sufficient statistics;
- ``numpy loop``: the authors' procedure written directly with NumPy and
  ``make_blobs``, one trial at a time, every row drawn (the reference: what a
  straightforward re-implementation costs);
- ``estimators``: the library's reference path, one trial at a time through
  ``AugmentedClassifier(MeanDifferenceClassifier, GaussianMixtureGenerator)``.

For each, the table gives the time per trial (all gammas of the sweep), the
ratio to the vectorised path, the mean gap at the smallest and the largest
gamma (so that a fast-but-wrong result shows: the three must agree within
their sampling error), and the time the whole figure would take.

Run ``python benchmarks/bench_gda.py`` (about a minute on 2 cores) or with
``--quick``. BLAS is limited to one thread (``--threads``). Only the two CSVs
above are written.
"""

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from sksynth.studies import simulate_bgmm_gap  # noqa: E402
from sksynth.theory.gda import bgmm_nll, gda_stability_bound  # noqa: E402

SIGMA = 0.6
# (m, d, gammas) of the four sweeps of the paper's figure 1
FIGURE = (
    [(m, 1, [0, 1, 2, 5, 10, 20, 50]) for m in [20, 50, 100, 200, 500]]
    + [(10, d, [0, 1, 2, 5, 10, 20, 50]) for d in [2, 10, 20, 50, 100]]
    + [(40, 1, [0, 1, 2, 5, 10, 20, 50, 100]), (10, 50, [0, 1, 2, 5, 10, 20, 50, 100])]
)
CASES = [(10, 50, [0, 1, 2, 5, 10, 20, 50, 100]), (500, 1, [0, 1, 2, 5, 10, 20, 50])]


def numpy_loop(m, d, gammas, n_trials, seed, n_test=10_000):
    """The authors' trial loop, written with NumPy and make_blobs (every row drawn)."""
    rng = np.random.RandomState(seed)
    centres = [np.full(d, -1 / np.sqrt(d)), np.full(d, 1 / np.sqrt(d))]
    gaps = np.empty((len(gammas), n_trials))
    for t in range(n_trials):
        X, y = make_blobs(m, n_features=d, centers=centres, cluster_std=SIGMA, random_state=rng)
        X_test, y_test = make_blobs(n_test, n_features=d, centers=centres, cluster_std=SIGMA,
                                    random_state=rng)
        means = np.stack([X[y == k].mean(axis=0) for k in (0, 1)])
        pooled = sum(np.mean(y == k) * X[y == k].var(axis=0, ddof=1) for k in (0, 1)) + 1e-9
        for j, gamma in enumerate(gammas):
            n_generated = int(gamma * m)
            X_all, y_all = X, y
            if n_generated > 0:
                X_new, y_new = make_blobs(n_generated, n_features=d, centers=means,
                                          cluster_std=np.sqrt(pooled)[None].repeat(2, 0),
                                          random_state=rng)
                X_all, y_all = np.vstack([X, X_new]), np.concatenate([y, y_new])
            theta = (2 * y_all - 1) @ X_all / len(y_all)
            gaps[j, t] = abs(bgmm_nll(theta, X_all, y_all, sigma=SIGMA)
                             - bgmm_nll(theta, X_test, y_test, sigma=SIGMA))
    return gaps


GAP_M, GAP_DIMS, GAP_TRIALS = 10, [1, 10, 50, 100], 10_000
# (m, d, ddof, gammas) of the gap table: m = 10 for each d and ddof, then d = 20 with
# growing m (the gain fading); gammas[0] = 0 is the no-augmentation baseline
GAP_CASES = ([(GAP_M, d, ddof, [0, 5, 50, 100]) for ddof in (1, 0) for d in GAP_DIMS]
             + [(m, 20, 1, [0, 20]) for m in (10, 100, 500)])
# (m, d, gammas) of the bound table: the gap table's m = 10 sweep, and d = 1 at the paper's
# m = 40 out to gamma = 1000, where the bound falls below the simulated gap
BOUND_CASES = [(GAP_M, d, [0, 1, 5, 50]) for d in GAP_DIMS] + [(40, 1, [0, 1, 5, 50, 1000])]


def ratio_interval(base, other):
    """Ratio of paired means ``mean(base) / mean(other)`` and its 95% delta-method interval."""
    n = base.shape[0]
    a, b = base.mean(), other.mean()
    ratio = a / b
    cov = np.cov(base, other)
    var = (cov[0, 0] - 2 * ratio * cov[0, 1] + ratio**2 * cov[1, 1]) / (n * b**2)
    half = 1.96 * np.sqrt(var)
    return ratio, ratio - half, ratio + half


def gap_table():
    """One row per case and gamma > 0: gap without and with augmentation, ratio, test loss."""
    rows = []
    for m, d, ddof, gammas in GAP_CASES:
        seed = 10_000 * ddof + 100 * m + d
        gap, _, test = simulate_bgmm_gap(m, d, gammas, n_trials=GAP_TRIALS, ddof=ddof,
                                         return_losses=True, random_state=seed)
        se = gap.std(axis=1, ddof=1) / np.sqrt(GAP_TRIALS)
        for j, gamma in enumerate(gammas[1:], start=1):
            ratio, low, high = ratio_interval(gap[0], gap[j])
            rows.append({
                "m": m, "d": d, "ddof": ddof, "gamma": gamma, "n_trials": GAP_TRIALS,
                "seed": seed, "gap_no_aug": gap[0].mean(), "se_no_aug": se[0],
                "gap_aug": gap[j].mean(), "se_aug": se[j], "ratio": ratio,
                "ratio_low": low, "ratio_high": high,
                "test_loss_no_aug": test[0].mean(), "test_loss_aug": test[j].mean(),
            })
    return rows


def bound_table():
    """Both forms of the bound beside the simulated (ddof=1) gap; seed 1000 + d + m."""
    rows = []
    for m, d, gammas in BOUND_CASES:
        seed = 1000 + d + m
        gap = simulate_bgmm_gap(m, d, gammas, n_trials=GAP_TRIALS, random_state=seed)
        theorem = gda_stability_bound(m, gammas, d=d)
        plot = gda_stability_bound(m, gammas, d=d, form="plot")
        loss_bound = d + np.log(m)
        for j, gamma in enumerate(gammas):
            rows.append({
                "m": m, "d": d, "gamma": gamma, "n_trials": GAP_TRIALS, "seed": seed,
                "gap_mean": gap[j].mean(), "gap_q99": np.quantile(gap[j], 0.99),
                "bound_theorem": theorem[j], "bound_plot": plot[j], "loss_bound_M": loss_bound,
                "theorem_vacuous": bool(theorem[j] >= loss_bound),
                "plot_vacuous": bool(plot[j] >= loss_bound),
            })
    return rows


def write_csv(rows, path):
    keys = list(rows[0])
    with open(path, "w") as handle:
        handle.write(",".join(keys) + "\n")
        for row in rows:
            handle.write(",".join(f"{v:.6g}" if isinstance(v, float) else str(v)
                                  for v in (row[k] for k in keys)) + "\n")


def print_tables(gap_rows, bound_rows):
    print(f"gap, {GAP_TRIALS} trials per (m, d, ddof), seed in the CSV")
    print("| m | d | ddof | gamma | gap, no augmentation | gap, augmented | ratio [95% CI] "
          "| test loss, no aug. / aug. |")
    print("|---|---|---|---|---|---|---|---|")
    for r in gap_rows:
        print(f"| {r['m']} | {r['d']} | {r['ddof']} | {r['gamma']} | {r['gap_no_aug']:.3f} "
              f"+- {r['se_no_aug']:.3f} | {r['gap_aug']:.3f} +- {r['se_aug']:.3f} | "
              f"{r['ratio']:.2f} [{r['ratio_low']:.2f}, {r['ratio_high']:.2f}] | "
              f"{r['test_loss_no_aug']:.2f} / {r['test_loss_aug']:.2f} |")
    print(f"\nbound beside the ddof=1 gap, {GAP_TRIALS} trials, seed 1000 + d + m; "
          "* = vacuous (>= M)")
    print("| m | d | gamma | mean gap | 99% quantile | theorem form | plot form | M |")
    print("|---|---|---|---|---|---|---|---|")
    for r in bound_rows:
        theorem = f"{r['bound_theorem']:.2f}" + (" *" if r["theorem_vacuous"] else "")
        plot = f"{r['bound_plot']:.2f}" + (" *" if r["plot_vacuous"] else "")
        print(f"| {r['m']} | {r['d']} | {r['gamma']} | {r['gap_mean']:.3f} | "
              f"{r['gap_q99']:.3f} | {theorem} | {plot} | {r['loss_bound_M']:.2f} |")


def run(method, m, d, gammas, n_trials, seed):
    if method == "numpy loop":
        return numpy_loop(m, d, gammas, n_trials, seed)
    return simulate_bgmm_gap(m, d, gammas, n_trials=n_trials, method=method, random_state=seed)


def timed(method, m, d, gammas, n_trials, seed):
    start = time.perf_counter()
    gaps = run(method, m, d, gammas, n_trials, seed)
    return (time.perf_counter() - start) / n_trials, gaps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer trials")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads (0 keeps the library default)")
    parser.add_argument("--skip-timing", action="store_true", help="only the gap tables")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results",
                        help="folder for gda_gap.csv and gda_bound.csv "
                             "(default benchmarks/results)")
    parser.add_argument("--no-results", action="store_true", help="keep no CSV")
    args = parser.parse_args()
    limits = threadpool_limits(args.threads) if args.threads > 0 else None
    start = time.perf_counter()
    gap_rows = gap_table()
    bound_rows = bound_table()
    print_tables(gap_rows, bound_rows)
    print(f"(tables: {time.perf_counter() - start:.1f} s)\n")
    if not args.no_results:
        args.results.mkdir(parents=True, exist_ok=True)
        write_csv(gap_rows, args.results / "gda_gap.csv")
        write_csv(bound_rows, args.results / "gda_bound.csv")
        print(f"wrote {args.results / 'gda_gap.csv'} and {args.results / 'gda_bound.csv'}\n")
    if args.skip_timing:
        return
    trials = {"vectorized": 1000, "numpy loop": 10 if args.quick else 40,
              "estimators": 5 if args.quick else 20}
    run("vectorized", 10, 2, [0, 1], 5, 0)  # warm-up (imports, first allocations)
    run("estimators", 10, 2, [0, 1], 2, 0)
    print(f"{'case':<24s} {'method':<11s} {'trials':>6s} {'ms/trial':>10s} {'ratio':>8s} "
          f"{'gap(g_min)':>11s} {'gap(g_max)':>11s}")
    per_trial = {}
    for m, d, gammas in CASES:
        case = f"m={m} d={d} {len(gammas)} gammas"
        reference = None
        for method, n in trials.items():
            seconds, gaps = timed(method, m, d, gammas, n, seed=1)
            per_trial[(method, m, d)] = seconds
            reference = reference or seconds
            se = gaps.std(axis=1) / np.sqrt(n)
            means = gaps.mean(axis=1)
            print(f"{case:<24s} {method:<11s} {n:>6d} {1e3 * seconds:>10.3f} "
                  f"{seconds / reference:>8.0f} {means[0]:>6.3f}+-{se[0]:.3f} "
                  f"{means[-1]:>6.3f}+-{se[-1]:.3f}")
    # the whole figure at 1000 trials per configuration
    start = time.perf_counter()
    for m, d, gammas in FIGURE:
        simulate_bgmm_gap(m, d, gammas, n_trials=1000, random_state=0)
    figure_vectorized = time.perf_counter() - start
    print(f"\nwhole figure (31 configurations x 1000 trials), vectorized: "
          f"{figure_vectorized:.2f} s measured")
    for method in ("numpy loop", "estimators"):
        n = max(2, trials[method] // 4)
        estimate = sum(timed(method, m, d, gammas, n, seed=2)[0] * 1000
                       for m, d, gammas in FIGURE)
        print(f"whole figure, {method}: {estimate / 60:.1f} min estimated from {n} trials per "
              f"configuration ({estimate / figure_vectorized:.0f}x the vectorized time)")
    if limits is not None:
        limits.restore_original_limits()


if __name__ == "__main__":
    main()
