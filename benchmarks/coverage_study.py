"""Coverage of confidence intervals from default vs debiased synthetic data.

Reproduces the simulation of Decruyenaere et al. (2024) with
:func:`sksynth.inference.coverage_study` for several generators, prints the
table (bias, empirical SE, mean model SE, coverage, type-1 error per n and
path), the convergence exponents, and checks the acceptance criteria of the
debiased path (issue 6). Exit status 1 when a criterion fails.

Usage::

    python benchmarks/coverage_study.py --generators gaussian copula --runs 250
    python benchmarks/coverage_study.py --m-factor 10 --runs 200   # m = 10 n
    python benchmarks/coverage_study.py --quick                    # 40 runs, minutes
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


def check_acceptance(table, rates):
    """The issue's criteria for the debiased path: a list of (criterion, ok)."""
    debiased = table[(table.path == "debiased") & (table.se_kind == "corrected")]
    naive = table[(table.path == "naive") & (table.se_kind == "model")]
    deb_rates = rates[rates.path == "debiased"]
    return [
        ("every debiased coverage in [0.91, 0.985]",
         bool(debiased.coverage.between(0.91, 0.985).all())),
        ("mean debiased coverage in [0.93, 0.97]", bool(0.93 <= debiased.coverage.mean() <= 0.97)),
        ("|bias| <= 0.25 x empirical SE", bool((debiased.bias_over_se <= 0.25).all())),
        ("estimated / empirical SE in [0.85, 1.25]",
         bool(debiased.se_ratio.between(0.85, 1.25).all())),
        ("debiased alpha in [0.45, 0.60]", bool(deb_rates.alpha.between(0.45, 0.60).all())),
        ("naive coverage at or below 0.88 (some n, per generator and target)",
         bool(naive.groupby(["generator", "target"]).coverage.min().le(0.88).all())),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generators", nargs="+", default=["gaussian", "copula"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[50, 160, 500, 1600, 5000])
    parser.add_argument("--runs", type=int, default=250)
    parser.add_argument("--m-factor", type=float, default=1.0)
    parser.add_argument("--n-aux", type=int, default=100_000)
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--out", default=None, help="CSV file for every run's estimates")
    parser.add_argument("--quick", action="store_true", help="40 runs, n in {160, 500, 1600}")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.sizes, args.n_aux = 40, [160, 500, 1600], 20_000

    print(f"coverage study: generators={args.generators} n={args.sizes} runs={args.runs} "
          f"m={args.m_factor:g}n n_aux={args.n_aux} cpus={os.cpu_count()}", flush=True)
    frames = []
    for name in args.generators:
        start = time.perf_counter()
        results = coverage_study(make_generator(name), sizes=args.sizes, runs=args.runs,
                                 m_factor=args.m_factor, n_aux=args.n_aux, n_jobs=args.n_jobs)
        frames.append(results.assign(generator=name))
        print(f"{name}: {args.runs * len(args.sizes)} runs in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    results = pd.concat(frames, ignore_index=True)
    if args.out:
        results.to_csv(args.out, index=False)
    table = summarize_coverage(results)
    rates = convergence_rates(table, args.m_factor)
    with pd.option_context("display.width", 200, "display.max_rows", 1000):
        print(table.round(3).to_string(index=False))
        print("\nconvergence exponents (empirical SE ~ n^-alpha):")
        print(rates.round(3).to_string(index=False))
    failed = 0
    for criterion, ok in check_acceptance(table, rates):
        print(f"{'PASS' if ok else 'FAIL'}  {criterion}")
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
