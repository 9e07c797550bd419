"""How many gradient steps ``ConditionalTabularGAN`` needs before debiasing works.

SDV's CTGAN trains 300 epochs of ``max(n // 500, 1)`` steps: 300 steps on any
table of fewer than 1,000 rows. This script measures, on
:func:`sksynth.datasets.make_disease`, how the debiased therapy coefficient's
second-order remainder (see ``benchmarks/debiasing_remainder.py``) falls with
the number of steps, at the cost of one fit per seed: each seed trains one
GAN (``random_state=seed``) for the largest budget, and a callback keeps a
copy of the generator's weights after each checkpoint epoch. Training draws
nothing that depends on ``epochs``, so a fit of ``K`` epochs is exactly the
first ``K`` epochs of a longer fit (``tests/test_gan.py`` checks that the
samples are identical); each snapshot is therefore the model that
``epochs=K`` gives.

For each snapshot, ``n_aux`` rows are drawn (``random_state=seed``) and, for
:class:`sksynth.inference.PartialRegressionTarget` (therapy on blood
pressure, adjusted for stage), the script reports the generator's
coefficient ``theta_gen``, the debiased estimate ``theta_gen + P_n phi``
(what :class:`~sksynth.inference.DebiasedGenerator` computes with ``cv=None``),
the real-data OLS ``theta_real``, ``remainder = debiased - OLS``, the
remainder over the debiased path's SE ``sqrt(2) 20 / sqrt(n)`` (as in
``benchmarks/README.md``), ``D = P_n[(e^ - e~)^2]``, the largest gap of the
generator's therapy rate in a stage from 0.5 (the truth), and the CPU seconds
of the fit up to that epoch (one torch thread). Every seed's rows go to
``--out`` (default ``benchmarks/results/gan_training_budget.csv``); the
printed table is the mean over seeds, the remainder's standard error over
seeds and its root mean square over the SE (``rms_over_se``: the remainder
varies from seed to seed, and a random remainder of ``r`` SEs widens the
debiased estimate's spread by about ``sqrt(1 + r^2)``, which the intervals do
not account for).

Usage::

    python benchmarks/gan_training_budget.py                       # n = 160, 4 seeds
    python benchmarks/gan_training_budget.py --sizes 50 --seeds 2 --steps 300 3000
    python benchmarks/gan_training_budget.py --load benchmarks/results/gan_training_budget.csv
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

RESULTS = os.path.join(os.path.dirname(__file__), "results")


def one_seed(n, seed, steps, n_aux, batch_size=500):
    import torch

    from skorch.callbacks import Callback

    from sksynth.datasets import make_disease
    from sksynth.generators import ConditionalTabularGAN
    from sksynth.inference import PartialRegressionTarget

    real = make_disease(n, random_state=seed)
    per_epoch = max(n // batch_size, 1)  # the GAN's steps per epoch
    checkpoints = {-(-s // per_epoch): s for s in steps}  # epoch -> steps
    snapshots = {}
    start = time.process_time()

    class Keep(Callback):  # the generator's weights (and batch-norm statistics)
        def on_epoch_end(self, net, **kwargs):
            epoch = net.history[-1, "epoch"]
            if epoch in checkpoints:
                state = net.module_.state_dict()
                snapshots[epoch] = ({k: v.detach().clone() for k, v in state.items()},
                                    time.process_time() - start)

    gan = ConditionalTabularGAN(epochs=max(checkpoints), batch_size=batch_size,
                                callbacks=[Keep()], random_state=seed).fit(real)
    target = PartialRegressionTarget("bp", "therapy", ["stage"])
    theta_real = target.psi(real)
    a = real["therapy"].to_numpy(dtype=float)
    e_real = pd.Series(a).groupby(real["stage"].to_numpy()).transform("mean").to_numpy()
    rows = []
    for epoch, (state, cpu_s) in sorted(snapshots.items()):
        with torch.no_grad():
            gan._generator.load_state_dict(state)
        gan._generator.eval()
        aux = gan.sample(n_aux, random_state=seed)
        nu = target.nuisances(aux)
        theta_deb = nu["psi"] + float(np.mean(target.eif(real, nu)))
        e_gen = nu["m_a"](real[["stage"]])
        rows.append(dict(n=n, seed=seed, steps=checkpoints[epoch], epochs=epoch,
                         fit_cpu_s=cpu_s, theta_gen=nu["psi"], theta_real=theta_real,
                         theta_debiased=theta_deb, remainder=theta_deb - theta_real,
                         remainder_over_se=(theta_deb - theta_real) / (np.sqrt(2) * 20
                                                                      / np.sqrt(n)),
                         D=float(np.mean((e_real - e_gen) ** 2)),
                         max_gap=float(np.max(np.abs(e_gen - 0.5)))))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[160])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--steps", nargs="+", type=int,
                        default=[300, 1000, 2000, 3000, 4500, 6000],
                        help="checkpoints, in gradient steps")
    parser.add_argument("--n-aux", type=int, default=20_000)
    parser.add_argument("--out", default=os.path.join(RESULTS, "gan_training_budget.csv"),
                        help="CSV of every seed's rows ('' keeps none)")
    parser.add_argument("--load", nargs="+", default=None, metavar="CSV",
                        help="summarise saved rows instead of running")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.load:
        frame = pd.concat([pd.read_csv(path) for path in args.load], ignore_index=True)
    else:
        import torch

        torch.set_num_threads(1)
        seeds = range(args.first_seed, args.first_seed + args.seeds)
        print(f"ConditionalTabularGAN on make_disease(n), seeds {seeds.start}..{seeds.stop - 1}, "
              f"n_aux={args.n_aux}, one torch thread")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pd.DataFrame([row for n in args.sizes for seed in seeds
                                  for row in one_seed(n, seed, args.steps, args.n_aux)])
        if args.out:
            frame.to_csv(args.out, index=False, float_format="%.6g")
    columns = ["fit_cpu_s", "theta_gen", "theta_real", "theta_debiased", "remainder",
               "remainder_over_se", "D", "max_gap"]
    table = frame.groupby(["n", "steps"])[columns].mean()
    groups = frame.groupby(["n", "steps"])
    table.insert(5, "remainder_se", groups.remainder.sem())
    table.insert(7, "rms_over_se", groups.remainder_over_se.apply(
        lambda r: float(np.sqrt(np.mean(r ** 2)))))
    table.insert(0, "seeds", groups.size())
    pd.set_option("display.width", 200)
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
