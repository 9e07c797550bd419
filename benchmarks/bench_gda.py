"""Benchmark the GDA bGMM simulation: vectorised path against per-trial loops.

:func:`sksynth.theory.gda.simulate_bgmm_gap` reproduces figure 1 of Zheng, Wu
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
``--quick``. BLAS is limited to one thread (``--threads``). Nothing is written
to disk.
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

from sksynth.theory.gda import bgmm_nll, simulate_bgmm_gap  # noqa: E402

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
    args = parser.parse_args()
    trials = {"vectorized": 1000, "numpy loop": 10 if args.quick else 40,
              "estimators": 5 if args.quick else 20}
    limits = threadpool_limits(args.threads) if args.threads > 0 else None
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
