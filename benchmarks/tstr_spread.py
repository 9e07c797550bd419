"""Spread of TSTR ROC-AUC over seeds for the neural generators of ``bench_tabular.py``.

One ``bench_tabular.py`` run fits each model once, and on a small table a
GAN's utility moves a lot from one seed to the next. This script refits the
chosen methods with seeds ``0 .. --seeds - 1`` (SDV's synthesizers take no
seed: their runs are independent repeats), on the same 70/30 split, and
prints each run's TSTR ROC-AUC (a ``HistGradientBoostingClassifier`` trained
on 20,000 synthetic rows, tested on the real 30%) with the mean and its
standard error per method.

Usage (SDV rows need the ``bench`` extra, see README.md)::

    python benchmarks/tstr_spread.py --datasets breast_cancer --seeds 6
    python benchmarks/tstr_spread.py --methods gan sdv_ctgan --epochs 1000
"""

import argparse
import warnings

import pandas as pd
from sklearn.model_selection import train_test_split

import bench_tabular as bt


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["breast_cancer"],
                        choices=list(bt.DATASETS))
    parser.add_argument("--methods", nargs="+", choices=sorted(bt.NEURAL_METHODS),
                        default=["vae", "vae_bf16", "sdv_tvae", "gan", "gan_bf16", "sdv_ctgan"])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--n-sample", type=int, default=20_000)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    rows = []
    for name in args.datasets:
        frame, target = bt.DATASETS[name](False)
        train, test = train_test_split(frame, test_size=0.3, stratify=frame[target],
                                       random_state=0)
        train, test = train.reset_index(drop=True), test.reset_index(drop=True)
        for seed in range(args.seeds):
            bt.SEED = seed
            for method in args.methods:
                label, fit, sample, _ = bt.METHODS[method]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = fit(train, target, epochs=args.epochs)
                    synthetic = bt.align(sample(model, args.n_sample), train)
                auc = bt.tstr(synthetic, test, target)[1]
                rows.append(dict(data=name, method=label, seed=seed, tstr_auc=auc))
                print(f"  {name} seed {seed} {label}: {auc:.3f}", flush=True)
    table = pd.DataFrame(rows)
    runs = table.pivot_table(index=["data", "method"], columns="seed", values="tstr_auc")
    runs["mean"] = runs.mean(axis=1)
    runs["se"] = table.groupby(["data", "method"]).tstr_auc.sem()
    print(f"\nTSTR ROC-AUC, {args.epochs} epochs, seeds 0..{args.seeds - 1}:")
    print(runs.to_string(float_format=lambda v: f"{v:.3f}"))
    return runs


if __name__ == "__main__":
    main()
