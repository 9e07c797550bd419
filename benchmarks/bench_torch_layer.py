"""Per-epoch time of the neural generators against a reference commit, in one run.

Issue 22 moved the training loops of ``TabularVAE`` and
``ConditionalTabularGAN`` onto skorch (``sksynth/generators/_torch``); the
target is a per-epoch time within 5% of the commit before the change, with the
same data, epochs, batch size and one torch thread.

For each model and each of ``--repeats`` rounds, the script fits the model once
with this checkout and once with ``--reference`` (a ``git worktree`` of that
commit in a temporary folder, imported first on ``sys.path``), in alternating
order, each in a fresh ``python`` process with one thread
(``OMP_NUM_THREADS=1``, ``torch.set_num_threads(1)``). A fit is on
``--rows`` rows of the bundled Adult data (seed 0), ``--epochs`` epochs, batch
size 500. Reported per fit: the median seconds per epoch from ``history_``
(``seconds`` before the change, skorch's ``dur`` after), and the CPU seconds
of the whole fit (``time.process_time``: less sensitive to other jobs on the
machine). The table gives the medians over the rounds and the ratio
checkout / reference (target <= 1.05).

Run ``python benchmarks/bench_torch_layer.py --reference 9bc8d7b`` (about 5
minutes on 2 cores with the defaults); ``--out`` writes the rows as CSV.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np, torch
torch.set_num_threads(1)
import sksynth
from sksynth.datasets import load_adult
from sksynth.generators import ConditionalTabularGAN, TabularVAE
name, rows, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
X = load_adult().frame.sample(rows, random_state=0).reset_index(drop=True)
cls = {"TabularVAE": TabularVAE, "ConditionalTabularGAN": ConditionalTabularGAN}[name]
model = cls(epochs=epochs, batch_size=500, random_state=0)
cpu = time.process_time()
model.fit(X)
cpu = time.process_time() - cpu
key = "dur" if "dur" in model.history_[0] else "seconds"
per_epoch = float(np.median([h[key] for h in model.history_]))
print(json.dumps({"s_per_epoch": per_epoch, "fit_cpu_s": cpu, "path": sksynth.__file__}))
"""


def _run(code_path, name, rows, epochs):
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=str(code_path))
    out = subprocess.run([sys.executable, "-c", CHILD, name, str(rows), str(epochs)],
                         capture_output=True, text=True, env=env, check=True, cwd=code_path)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["path"].startswith(str(code_path)), result["path"]
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", required=True, help="commit to compare with")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=["TabularVAE", "ConditionalTabularGAN"])
    parser.add_argument("--out", default=None, help="CSV of every fit")
    args = parser.parse_args(argv)
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        reference = Path(tmp) / "reference"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(reference),
                        args.reference], check=True, capture_output=True)
        try:
            for name in args.models:
                for repeat in range(args.repeats):
                    order = [("checkout", ROOT), ("reference", reference)]
                    for version, path in order if repeat % 2 == 0 else order[::-1]:
                        result = _run(path, name, args.rows, args.epochs)
                        records.append({"model": name, "version": version, "repeat": repeat,
                                        "s_per_epoch": result["s_per_epoch"],
                                        "fit_cpu_s": result["fit_cpu_s"]})
                        print(f"{name:22s} {version:9s} round {repeat}: "
                              f"{result['s_per_epoch']:.3f} s/epoch, "
                              f"fit {result['fit_cpu_s']:.1f} CPU s", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(reference)], check=False, capture_output=True)
    frame = pd.DataFrame(records)
    if args.out:
        frame.to_csv(args.out, index=False)
    table = frame.groupby(["model", "version"])[["s_per_epoch", "fit_cpu_s"]].median().unstack()
    for column in ("s_per_epoch", "fit_cpu_s"):
        table[(column, "ratio")] = table[(column, "checkout")] / table[(column, "reference")]
    print(f"\nAdult, {args.rows} rows, {args.epochs} epochs, batch 500, one thread, "
          f"median of {args.repeats} rounds; reference {args.reference}")
    print(table.round(3).to_string())
    return table


if __name__ == "__main__":
    main()
