"""What ``TabularVAE(epochs="auto")`` buys and costs against SDV's 300 epochs.

SDV's TVAE trains 300 epochs of 500-row batches: 300 gradient steps on any
table of up to 500 rows. ``epochs="auto"`` (the default of
:class:`sksynth.generators.TabularVAE`) trains at least 6,000 steps. This
script fits both schedules on ``make_disease(n, seed)`` for a few seeds per
n, samples n rows from each fit, and prints, averaged over seeds:

- ``fit_cpu_s``: CPU seconds of the fit (one torch thread; CPU time, so that
  other work on the machine does not inflate it);
- ``quality``: :func:`sksynth.metrics.quality_score` of the synthetic rows
  against 20,000 fresh population rows (higher is closer to the population);
- ``dcr_ratio`` (from :func:`sksynth.metrics.privacy_scores`): the median
  distance of synthetic rows to the closest training row over the same for
  n fresh holdout rows (below 1: the synthetic rows sit closer to the
  training rows than new data would);
- ``mia_auc`` (also from ``privacy_scores``): the membership-inference AUC
  of a distance attack with the training rows as members and the holdout
  rows as non-members (0.5: nothing revealed).

Usage::

    python benchmarks/tvae_training_budget.py                  # n in {50, 160, 1600}, 4 seeds
    python benchmarks/tvae_training_budget.py --sizes 50 500 --seeds 8
"""

import argparse
import sys
import time
import warnings

import pandas as pd

SCHEDULES = {"epochs=300 (SDV)": 300, 'epochs="auto" (default)': "auto"}


def one_fit(n, seed, epochs, fresh):
    from sksynth.datasets import make_disease
    from sksynth.generators import TabularVAE
    from sksynth.metrics import privacy_scores, quality_score

    train = make_disease(n, random_state=seed)
    holdout = make_disease(n, random_state=10_000 + seed)
    start = time.process_time()
    vae = TabularVAE(epochs=epochs, random_state=seed).fit(train)
    fit_cpu_s = time.process_time() - start
    synthetic = vae.sample(n, random_state=seed)
    privacy = privacy_scores(train, synthetic, holdout, random_state=seed)
    return dict(fit_cpu_s=fit_cpu_s, quality=quality_score(fresh, synthetic),
                dcr_ratio=privacy["dcr_ratio"], mia_auc=privacy["mia_auc"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[50, 160, 1600])
    parser.add_argument("--seeds", type=int, default=4)
    args = parser.parse_args(argv)
    import torch

    from sksynth.datasets import make_disease

    torch.set_num_threads(1)
    fresh = make_disease(20_000, random_state=99_999)
    print(f"TabularVAE on make_disease(n), seeds 0..{args.seeds - 1}, m = n, one torch thread")
    start = time.perf_counter()
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in args.sizes:
            for schedule, epochs in SCHEDULES.items():
                for seed in range(args.seeds):
                    rows.append(dict(n=n, schedule=schedule, **one_fit(n, seed, epochs, fresh)))
    table = pd.DataFrame(rows).groupby(["n", "schedule"], sort=False).mean()
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
