"""Why the debiased therapy coefficient can stay biased: the generator's nuisance errors.

For the partially linear coefficient of :func:`sksynth.datasets.make_disease`
(therapy on blood pressure, adjusted for stage), the debiased estimate is

    theta_deb = psi(P_hat) + (1/n) sum_i phi(O_i; P_hat)
              = P_n[(A - e~(X)) (Y - m~(X))] / P_n[(A - e~(X))^2],

the real-data partialling-out estimator with the *generator's* stage-wise
means e~(X) = E_gen[A | X] and m~(X) = E_gen[Y | X]
(:class:`sksynth.inference.PartialRegressionTarget`, Decruyenaere et al.
2024, eq. for the projection parameter). Against the real-data OLS estimate
(stage means of the real rows, e^ and m^) its error is a second-order
remainder: with D = P_n[(e^ - e~)^2] it is about
((theta - theta~) P_n[(e^ - e~) e~] + P_n[(e^ - e~)(g^ - g~)]) / (V + D), where
V = P_n[(A - e^)^2] ~ 0.25. It vanishes only as fast as the product of the
generator's errors in the treatment and outcome models.

This script fits a generator on ``make_disease(n, seed)`` for a few seeds
per n and prints, averaged over seeds: the generator's own coefficient
``theta_gen``, the real-data OLS ``theta_real``, the debiased estimate, their
difference (``remainder``, the part of the debiased path's bias the
correction cannot remove), ``D`` and the largest gap between the generator's
therapy rate in a stage and 0.5 (the truth: therapy is independent of stage).

Usage::

    python benchmarks/debiasing_remainder.py                # default TabularVAE(): epochs="auto"
    python benchmarks/debiasing_remainder.py --epochs 300   # SDV's schedule
    python benchmarks/debiasing_remainder.py --epochs 1500 --sizes 160
    python benchmarks/debiasing_remainder.py --generator gan --epochs 300  # ConditionalTabularGAN
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


GENERATORS = {"tvae": "TabularVAE", "gan": "ConditionalTabularGAN"}


def one_seed(n, seed, params, n_aux, generator="tvae"):
    from sksynth import generators
    from sksynth.datasets import make_disease
    from sksynth.inference import DebiasedGenerator, PartialRegressionTarget

    real = make_disease(n, random_state=seed)
    target = PartialRegressionTarget("bp", "therapy", ["stage"])
    model = getattr(generators, GENERATORS[generator])(random_state=seed, **params)
    gen = DebiasedGenerator(model, [target], n_aux=n_aux, random_state=seed).fit(real)
    nuisances = gen.nuisances_[target.name]
    a = real["therapy"].to_numpy(dtype=float)
    X = real[["stage"]]
    e_gen = nuisances["m_a"](X)
    e_real = pd.Series(a).groupby(real["stage"].to_numpy()).transform("mean").to_numpy()
    return dict(n=n, seed=seed, theta_gen=nuisances["psi"], theta_real=target.psi(real),
                theta_debiased=nuisances["psi"] + gen.bias_[target.name],
                D=float(np.mean((e_real - e_gen) ** 2)),
                max_gap=float(np.max(np.abs(e_gen - 0.5))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[50, 160, 500, 1600, 5000])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--generator", choices=sorted(GENERATORS), default="tvae",
                        help="tvae: TabularVAE; gan: ConditionalTabularGAN")
    parser.add_argument("--epochs", type=int, default=None, help="generator epochs")
    parser.add_argument("--batch-size", type=int, default=None, help="generator batch size")
    parser.add_argument("--n-aux", type=int, default=20_000)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    params = {k: v for k, v in (("epochs", args.epochs), ("batch_size", args.batch_size))
              if v is not None}
    print(f"{GENERATORS[args.generator]}({params}), seeds 0..{args.seeds - 1}, "
          f"n_aux={args.n_aux}")
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [one_seed(n, seed, params, args.n_aux, args.generator)
                for n in args.sizes for seed in range(args.seeds)]
    frame = pd.DataFrame(rows)
    frame["remainder"] = frame.theta_debiased - frame.theta_real
    table = frame.groupby("n")[["theta_gen", "theta_real", "theta_debiased", "remainder", "D",
                                "max_gap"]].mean()
    pd.set_option("display.precision", 3)
    print(table.to_string())
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
