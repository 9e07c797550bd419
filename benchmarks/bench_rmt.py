"""Benchmark the random-matrix theory of synthetic data and ``RMTRidgeClassifier``.

Two parts, each printed as a table:

(a) **Theory vs simulation.** On a grid of ``(n, m, p, n_hat, ||mu||, eps,
    rho, phi, gamma)`` covering ``p / n`` from 0.1 to 4, label noise below and
    past ``eps* = (1 + rho / phi)^-1``, and the three cases (synthetic data
    from the exact distribution, the paper's toy generator ``C_hat = Z Z^T /
    n_hat``, and a fitted ``GaussianMixtureGenerator``), the predicted
    accuracy (:func:`sksynth.theory.rmt.test_accuracy`) against the mean
    Monte-Carlo accuracy of ``RMTRidgeClassifier`` over ``--trials``
    independent training sets (the accuracy of each fitted ``w`` is the exact
    ``Phi(w^T mu / ||w||)``, so there is no test-set noise). The table gives
    the difference, its standard error and the time of the prediction against
    the time of the simulation (same run). At ``eps > eps*`` without real rows
    the accuracy must fall below 0.5 (the sign flip).

(b) **alpha="auto" against GridSearchCV.** ``RMTRidgeClassifier(alpha="auto")``
    chooses the ridge parameter by maximising the predicted accuracy from one
    fit; ``GridSearchCV(RMTRidgeClassifier(), {"alpha": same grid}, cv=5)``
    by cross-validation. Both are fitted on the same training rows and scored
    on the same held-out rows: fit-time ratio (auto / grid search, median
    over splits) and accuracy difference (auto - grid search, mean and
    standard error over splits), on simulated Gaussian-mixture data (real
    rows only, and real + synthetic rows from a generator fitted on 200
    separate rows; the grid search's validation folds then hold synthetic
    rows too) and on pairs of classes of scikit-learn's digits
    (standardised on the training rows).

Run ``python benchmarks/bench_rmt.py`` (about 2 minutes on 2 cores) or with
``--quick``. BLAS runs on one thread (``--threads``): the problems are small and
a shared machine otherwise oversubscribes its cores. The tables are kept as
``benchmarks/results/rmt_*.csv`` (``--no-results`` keeps none).
"""

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))

import _report  # noqa: E402  (benchmarks/_report.py)
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from sksynth.datasets import make_gaussian_mixture  # noqa: E402
from sksynth.generators import GaussianMixtureGenerator  # noqa: E402
from sksynth.linear_model import RMTRidgeClassifier  # noqa: E402
from sksynth.studies import simulate_accuracy  # noqa: E402
from sksynth.theory import rmt  # noqa: E402

ALPHA_GRID = np.logspace(-3, 2, 21)


def simulation_grid(quick):
    """(n, m, p, mean_norm, case, n_hat, eps, rho, phi, gamma) rows."""
    rows = []
    ratios = (0.1, 1.0, 4.0) if quick else (0.1, 0.5, 1.0, 2.0, 4.0)
    for ratio in ratios:
        p = 100 if ratio < 1 else int(100 * ratio)
        n = int(p / ratio)
        for case, n_hat in (("exact", None), ("toy", max(p // 2, 20)), ("generator", 2 * p)):
            for eps, rho, phi in ((0.1, 0.2, 0.9), (0.4, 0.5, 0.5), (0.8, 0.3, 0.8)):
                rows.append((n, 2 * n, p, 1.3, case, n_hat, eps, rho, phi, 0.5))
    for p in (100, 400):
        # synthetic only: below and past eps* = 0.727, and a heavily pruning verifier
        rows.append((0, 4 * p, p, 1.3, "exact", None, 0.5, 0.3, 0.8, 1.0))
        rows.append((0, 4 * p, p, 1.3, "exact", None, 0.85, 0.3, 0.8, 1.0))
        rows.append((0, 4 * p, p, 1.3, "toy", 2 * p, 0.2, 0.1, 0.4, 0.1))
    return rows


def bench_theory_vs_simulation(report, trials, quick):
    header = ("case", "n", "m", "p", "p/n", "n_hat", "eps", "eps*", "rho", "phi", "gamma",
              "theory", "MC", "SE", "MC-theory", "t_theory", "t_MC")
    rows, diffs, t_theory_all, t_mc_all = [], [], 0.0, 0.0
    for n, m, p, norm, case, n_hat, eps, rho, phi, gamma in simulation_grid(quick):
        start = time.perf_counter()
        if case != "generator":
            rmt.test_accuracy(n, m, p, mean_norm=norm, n_hat=n_hat, eps=eps, rho=rho, phi=phi,
                              gamma=gamma)
        t_theory = time.perf_counter() - start
        start = time.perf_counter()
        sim = simulate_accuracy(n, m, p, mean_norm=norm, case=case, n_hat=n_hat, eps=eps,
                                rho=rho, phi=phi, gamma=gamma, n_trials=trials,
                                random_state=0)
        t_mc = time.perf_counter() - start
        if case == "generator":  # per-trial conditional predictions; time one of them
            t_theory = np.nan
        diff = sim.accuracy - sim.theory
        se = diff.std(ddof=1) / np.sqrt(trials)
        diffs.append(diff.mean())
        t_theory_all += 0 if np.isnan(t_theory) else t_theory
        t_mc_all += t_mc
        eps_star = rmt.critical_label_noise(rho, phi)
        rows.append((case, n, m, p, f"{p / n:.1f}" if n else "inf", n_hat or "-", eps,
                     f"{eps_star:.3f}", rho, phi, gamma, f"{sim.theory.mean():.4f}",
                     f"{sim.accuracy.mean():.4f}", f"{se:.4f}", f"{diff.mean():+.4f}",
                     "-" if np.isnan(t_theory) else f"{t_theory * 1e3:.2f}ms",
                     f"{t_mc:.2f}s"))
    report.table("theory", f"(a) theory vs Monte-Carlo ({trials} repetitions per row)",
                 header, rows)
    diffs = np.abs(diffs)
    report.table("theory_summary", "(a) summary", (
        "settings", "repetitions", "mean abs(MC - theory)", "max abs(MC - theory)",
        "time theory (exact and toy rows)", "time simulation"), [(
            len(diffs), trials, f"{diffs.mean():.4f}", f"{diffs.max():.4f}",
            f"{t_theory_all:.3f}s", f"{t_mc_all:.1f}s")])
    return diffs.mean()


def gaussian_task(seed, n, p, m, norm, n_hat):
    X, y, mu = make_gaussian_mixture(n + 4000, p, mean_norm=norm, random_state=seed,
                                     return_mean=True)
    X_train, y_train, X_test, y_test = X[:n], y[:n], X[n:], y[n:]
    if m == 0:
        return X_train, y_train, None, X_test, y_test
    X_hat, y_hat = make_gaussian_mixture(n_hat, p, mean=mu, random_state=seed + 1)
    gen = GaussianMixtureGenerator(random_state=seed).fit(X_hat, y_hat)
    X_syn, y_syn = gen.sample(y=np.repeat([-1, 1], m // 2))
    X_all = np.vstack([X_train, X_syn])
    y_all = np.concatenate([y_train, y_syn])
    return X_all, y_all, np.arange(X_all.shape[0]) >= n, X_test, y_test


def digits_task(seed, pair, n):
    X, y = load_digits(return_X_y=True)
    rows = np.isin(y, pair)
    X, y = X[rows], np.where(y[rows] == pair[1], 1, -1)
    X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=n, stratify=y,
                                                        random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), y_train, None, scaler.transform(X_test), y_test


def compare_auto_and_grid_search(task):
    X, y, synthetic, X_test, y_test = task
    params = {} if synthetic is None else {"synthetic_mask": synthetic}
    start = time.perf_counter()
    auto = RMTRidgeClassifier(alpha="auto", alpha_grid=ALPHA_GRID).fit(X, y, **params)
    t_auto = time.perf_counter() - start
    start = time.perf_counter()
    search = GridSearchCV(RMTRidgeClassifier(), {"alpha": ALPHA_GRID}, cv=5).fit(X, y, **params)
    t_grid = time.perf_counter() - start
    acc_auto, acc_grid = auto.score(X_test, y_test), search.score(X_test, y_test)
    return t_auto, t_grid, acc_auto, acc_grid, auto.alpha_, search.best_params_["alpha"]


def bench_auto_vs_grid_search(report, repeats):
    tasks = {
        "GMM real only (n=200, p=100)": lambda s: gaussian_task(s, 200, 100, 0, 1.2, 0),
        "GMM real+synthetic (n=200, m=400, p=100, n_hat=200)":
            lambda s: gaussian_task(s, 200, 100, 400, 1.2, 200),
        "digits 3 vs 8 (n=100, p=64)": lambda s: digits_task(s, (3, 8), 100),
        "digits 1 vs 7 (n=60, p=64)": lambda s: digits_task(s, (1, 7), 60),
        "digits 5 vs 9 (n=200, p=64)": lambda s: digits_task(s, (5, 9), 200),
    }
    header = ("data", "t_auto", "t_gridsearch", "time ratio", "acc auto", "acc grid",
              "auto - grid (SE)", "alpha auto / grid (first split)")
    rows = []
    for name, make in tasks.items():
        results = [compare_auto_and_grid_search(make(seed)) for seed in range(repeats)]
        times = np.array([r[:2] for r in results])
        accs = np.array([r[2:4] for r in results])
        diff = accs[:, 0] - accs[:, 1]
        t_auto, t_grid = np.median(times, axis=0)
        rows.append((name, f"{t_auto * 1e3:.1f}ms", f"{t_grid * 1e3:.0f}ms",
                     f"{np.median(times[:, 0] / times[:, 1]):.3f}", f"{accs[:, 0].mean():.4f}",
                     f"{accs[:, 1].mean():.4f}",
                     f"{diff.mean():+.4f} ({diff.std(ddof=1) / np.sqrt(repeats):.4f})",
                     f"{results[0][4]:.3g} / {results[0][5]:.3g}"))
    report.table("auto_vs_grid", f"(b) alpha='auto' vs GridSearchCV(cv=5), {len(ALPHA_GRID)} "
                 f"alphas, {repeats} splits: median times, mean accuracies", header, rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller grid, fewer repeats")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads (0 keeps the libraries' defaults)")
    _report.add_arguments(parser)
    args = parser.parse_args()
    report = _report.from_arguments("rmt_quick" if args.quick else "rmt", args)
    trials = 8 if args.quick else 20
    repeats = 3 if args.quick else 10
    limits = None if args.threads == 0 else args.threads
    with threadpool_limits(limits=limits):
        bench_theory_vs_simulation(report, trials, args.quick)
        bench_auto_vs_grid_search(report, repeats)


if __name__ == "__main__":
    main()
