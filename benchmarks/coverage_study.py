"""Coverage of confidence intervals from default vs debiased synthetic data.

Reproduces the simulation of Decruyenaere et al. (2024) with
:func:`sksynth.inference.coverage_study` for several generators, prints the
table (bias, empirical SE, mean model SE, coverage, type-1 error per n and
path), the convergence exponents, and checks the acceptance criteria of the
debiased path (issue 6) twice: with the paper's ``sqrt(1 + m/n)``-corrected
standard error and with the real-data influence-function variance that
:class:`~sksynth.inference.DebiasedGenerator` releases. Exit status 1 when a
criterion fails for the standard error named by ``--se`` (default: both).

Usage::

    python benchmarks/coverage_study.py --generators gaussian copula --runs 250
    python benchmarks/coverage_study.py --m-factor 10 --runs 200   # m = 10 n
    python benchmarks/coverage_study.py --quick                    # 40 runs, minutes
    # long studies in pieces: save each piece's runs, then summarise them together
    python benchmarks/coverage_study.py --generators tvae --sizes 50 --out tvae_50.csv
    python benchmarks/coverage_study.py --generators tvae --sizes 1600 --runs 100 \
        --first-seed 100 --out tvae_1600b.csv                     # seeds 100..199
    python benchmarks/coverage_study.py --load tvae_*.csv
"""

import argparse
import os
import sys
import time

import pandas as pd

from sksynth.inference import convergence_rates, coverage_study, summarize_coverage


def make_generator(name):
    if name == "gaussian":
        return "gaussian"  # the misspecified Gaussian over ordinal codes
    if name == "copula":
        from sksynth.generators import GaussianCopulaGenerator

        return GaussianCopulaGenerator()
    if name == "tvae":
        from sksynth.generators import TabularVAE

        return TabularVAE()
    raise ValueError(f"unknown generator {name!r}; choose gaussian, copula or tvae.")


def check_acceptance(table, rates, se_kind="corrected"):
    """The issue's criteria for the debiased path: a list of (criterion, ok).

    ``se_kind`` picks the debiased path's standard error: "corrected" (the
    paper's ``sqrt(1 + m/n)`` factor) or "released" (the released real-data
    variance). ``ok`` is None where a criterion cannot be judged: the
    convergence exponent of runs at a single n.
    """
    debiased = table[(table.path == "debiased") & (table.se_kind == se_kind)]
    naive = table[(table.path == "naive") & (table.se_kind == "model")]
    deb_rates = rates[rates.path == "debiased"]
    return [
        ("every debiased coverage in [0.91, 0.985]",
         bool(debiased.coverage.between(0.91, 0.985).all())),
        ("mean debiased coverage in [0.93, 0.97]", bool(0.93 <= debiased.coverage.mean() <= 0.97)),
        ("|bias| <= 0.25 x empirical SE", bool((debiased.bias_over_se <= 0.25).all())),
        ("estimated / empirical SE in [0.85, 1.25]",
         bool(debiased.se_ratio.between(0.85, 1.25).all())),
        ("debiased alpha in [0.45, 0.60]",
         None if deb_rates.alpha_se.isna().any()
         else bool(deb_rates.alpha.between(0.45, 0.60).all())),
        ("naive coverage at or below 0.88 (some n, per generator and target)",
         bool(naive.groupby(["generator", "target"]).coverage.min().le(0.88).all())),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generators", nargs="+", default=["gaussian", "copula"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[50, 160, 500, 1600, 5000])
    parser.add_argument("--runs", type=int, default=250)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seed of the first run (to run a study in parts and --load them)")
    parser.add_argument("--m-factor", type=float, default=1.0)
    parser.add_argument("--n-aux", type=int, default=100_000)
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--out", default=None, help="CSV file for every run's estimates")
    parser.add_argument("--load", nargs="+", default=None, metavar="CSV",
                        help="summarise the runs saved by --out instead of running")
    parser.add_argument("--se", choices=["corrected", "released", "both"], default="both",
                        help="standard error whose criteria set the exit status")
    parser.add_argument("--quick", action="store_true", help="40 runs, n in {160, 500, 1600}")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.sizes, args.n_aux = 40, [160, 500, 1600], 20_000

    if args.load:
        results = pd.concat([pd.read_csv(path) for path in args.load], ignore_index=True)
        keys = ["generator", "n", "seed", "target", "path", "se_kind"]
        if results.duplicated(keys).any():
            parser.error("the loaded runs repeat seeds; run the parts with disjoint "
                         "--first-seed ranges")
        m_factors = (results.m / results.n).round(6).unique()
        if len(m_factors) != 1:
            parser.error(f"the loaded runs mix m/n ratios {sorted(m_factors)}; load one at a time")
        args.m_factor = float(m_factors[0])
        print(f"loaded {len(results)} estimates from {len(args.load)} file(s), m={args.m_factor:g}n")
    else:
        results = run(args)
    table = summarize_coverage(results)
    rates = convergence_rates(table, args.m_factor)
    with pd.option_context("display.width", 200, "display.max_rows", 1000):
        print(table.round(3).to_string(index=False))
        print("\nconvergence exponents (empirical SE ~ n^-alpha):")
        print(rates.round(3).to_string(index=False))
    failed = 0
    for se_kind in ("corrected", "released"):
        print(f"\ndebiased path with the {se_kind} standard error:")
        for criterion, ok in check_acceptance(table, rates, se_kind):
            verdict = "n/a " if ok is None else "PASS" if ok else "FAIL"
            print(f"{verdict}  {criterion}" + (" (needs several n)" if ok is None else ""))
            failed += ok is False and args.se in (se_kind, "both")
    return 1 if failed else 0


def run(args):
    """Every run's estimates for every generator, as one DataFrame (saved with --out)."""
    print(f"coverage study: generators={args.generators} n={args.sizes} runs={args.runs} "
          f"m={args.m_factor:g}n n_aux={args.n_aux} cpus={os.cpu_count()}", flush=True)
    frames = []
    for name in args.generators:
        start = time.perf_counter()
        results = coverage_study(make_generator(name), sizes=args.sizes, runs=args.runs,
                                 first_seed=args.first_seed,
                                 m_factor=args.m_factor, n_aux=args.n_aux, n_jobs=args.n_jobs)
        frames.append(results.assign(generator=name))
        print(f"{name}: {args.runs * len(args.sizes)} runs in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    results = pd.concat(frames, ignore_index=True)
    if args.out:
        results.to_csv(args.out, index=False)
    return results


if __name__ == "__main__":
    sys.exit(main())
