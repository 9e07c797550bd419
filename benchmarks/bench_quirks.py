"""Tally of the quirky-table catalogue (issue 19) over every generator, pruner and the CLI.

Runs :func:`sksynth.testing.run_quirks` (every case of
:func:`sksynth.testing.quirk_cases` on every estimator of
:func:`sksynth.testing.quirk_subjects`) and a few CLI cases in a temporary
folder (semicolon CSV, overwriting an output or the training file, a ``.gz``
summary, a forged model file, ``--help`` on model safety, SIGTERM during
``sample``), then prints one line per estimator: inputs tried, passes, clear
errors, obscure errors, silent-wrong outputs and the exact-copy rate of sampled
rows next to the holdout reference (rows of a second sample of the same process
that equal training rows) on the table where the generator copies most; then
every obscure-error and silent-wrong case with its message.

Usage::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_quirks.py --seed 0
    .venv/bin/python benchmarks/bench_quirks.py --no-cli --only GaussianGenerator,TabularVAE

About two minutes on one core (the neural generators train a few epochs).
"""

import argparse
import gzip
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sksynth.testing import QuirkResult, quirk_cases, quirk_subjects, run_quirks, tally_quirks


def _cli(*args, cwd, timeout=300):
    return subprocess.run([sys.executable, "-m", "sksynth", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def _last_line(proc):
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return lines[-1][:300] if lines else f"exit {proc.returncode}, no message"


def _refused(name, proc, pattern, ok_message):
    """A clear refusal (non-zero exit, message matching ``pattern``), else classify."""
    import re

    if proc.returncode != 0:
        text = proc.stderr + proc.stdout
        outcome = "clear-error" if re.search(pattern, text) else "obscure-error"
        return QuirkResult("CLI", name, outcome, _last_line(proc))
    return QuirkResult("CLI", name, "silent-wrong", ok_message)


def _cli_cases(seed):
    """The CLI cases of issue 19, each as a QuirkResult."""
    results = []
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        train = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300),
                              "c": rng.integers(0, 1000, 300)})
        train.to_csv(tmp / "train.csv", index=False)
        fit = _cli("fit", "train.csv", "--generator", "copula", "--seed", seed, "--out",
                   "m.skm", cwd=tmp)
        if fit.returncode != 0:
            return [QuirkResult("CLI", "fit_plain_csv", "obscure-error", _last_line(fit))]

        # a semicolon CSV: refused, or read as three columns and never replayed
        train.to_csv(tmp / "semi.csv", index=False, sep=";")
        proc = _cli("fit", "semi.csv", "--generator", "copula", "--seed", seed, "--out",
                    "semi.skm", cwd=tmp)
        if proc.returncode != 0:
            results.append(_refused("semicolon_csv", proc, r"(delimiter|--sep|separator|;)",
                                    ""))
        else:
            out = _cli("sample", "semi.skm", "-n", 300, "--out", "semi_out.csv", cwd=tmp)
            text = (tmp / "semi_out.csv").read_text() if out.returncode == 0 else ""
            lines = set((tmp / "semi.csv").read_text().splitlines()[1:])
            copied = np.mean([line in lines for line in text.splitlines()[1:]] or [1.0])
            header = text.splitlines()[0] if text else ""
            ok = out.returncode == 0 and copied == 0 and header.count(";") + header.count(",") == 2
            results.append(QuirkResult(
                "CLI", "semicolon_csv", "pass" if ok else "silent-wrong",
                "" if ok else f"header {header!r}, {100 * copied:.0f}% of lines are training "
                              f"lines ({_last_line(out) if out.returncode else 'exit 0'})"))

        # an existing output, and the training file named as --out
        for name, target in (("overwrite_output", "existing.csv"),
                             ("overwrite_training_csv", "train.csv")):
            path = tmp / target
            if name == "overwrite_output":
                path.write_text("keep me\n")
            before = path.read_bytes()
            proc = _cli("sample", "m.skm", "-n", 10, "--out", target, cwd=tmp)
            kept = path.read_bytes() == before
            result = _refused(name, proc, r"(--force|exists|overwrite|input)",
                              f"{target} was overwritten, exit 0")
            if proc.returncode != 0 and not kept:
                result = QuirkResult("CLI", name, "silent-wrong", f"{target} changed, then "
                                     f"exit {proc.returncode}")
            results.append(result)

        # a .gz summary must be gzip-compressed
        _cli("sample", "m.skm", "-n", 300, "--out", "synth.csv", "--seed", seed, cwd=tmp)
        proc = _cli("evaluate", "train.csv", "synth.csv", "--report", "r.html", "--summary",
                    "m.csv.gz", "--no-detection", cwd=tmp)
        summary = tmp / "m.csv.gz"
        if proc.returncode != 0:
            results.append(QuirkResult("CLI", "gz_summary", "obscure-error", _last_line(proc)))
        else:
            magic = summary.read_bytes()[:2] if summary.exists() else b""
            ok = magic == b"\x1f\x8b" and gzip.decompress(summary.read_bytes())
            results.append(QuirkResult("CLI", "gz_summary", "pass" if ok else "silent-wrong",
                                       "" if ok else f"m.csv.gz starts with {magic!r}, "
                                                     "not gzip"))

        # a forged model: a real file's two header lines, then a pickle that runs code
        marker = tmp / "pwned"
        head = b"".join((tmp / "m.skm").read_bytes().splitlines(keepends=True)[:2])
        payload = pickle.dumps(_Forged(str(marker)))
        (tmp / "forged.skm").write_bytes(head + payload)
        proc = _cli("sample", "forged.skm", "-n", 5, "--out", "forged.csv", cwd=tmp)
        if marker.exists():
            results.append(QuirkResult("CLI", "forged_model", "silent-wrong",
                                       f"loading forged.skm ran code (exit {proc.returncode})"))
        else:
            results.append(_refused("forged_model", proc, r"(damaged|pickle|trust|unsafe)",
                                    "forged model loaded without error"))
        helped = _cli("sample", "--help", cwd=tmp).stdout
        warns = "trust-pickle" in helped
        results.append(QuirkResult("CLI", "help_warns_on_pickle", "pass" if warns else
                                   "silent-wrong", "" if warns else
                                   "sample --help does not mention --trust-pickle"))
        results.append(_sigterm(tmp))
    return results


class _Forged:
    """Unpickling this creates a file: proof that loading ran code."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _sigterm(tmp):
    """SIGTERM during a long ``sample``: no hidden temporary file may stay behind."""
    before = set(os.listdir(tmp))
    proc = subprocess.Popen(
        [sys.executable, "-m", "sksynth", "sample", "m.skm", "-n", "3000000",
         "--batch-size", "10000", "--out", "big.csv"], cwd=tmp,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if set(os.listdir(tmp)) - before:  # a (temporary) output exists: writing started
            break
        time.sleep(0.1)
    time.sleep(0.5)
    if proc.poll() is not None:
        return QuirkResult("CLI", "sigterm_cleanup", "obscure-error",
                           f"sample ended before SIGTERM (exit {proc.returncode})")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    left = sorted(set(os.listdir(tmp)) - before)
    if left:
        return QuirkResult("CLI", "sigterm_cleanup", "silent-wrong",
                           f"after SIGTERM (exit {proc.returncode}) left behind: {left}")
    return QuirkResult("CLI", "sigterm_cleanup", "pass", "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the tables (default 0)")
    parser.add_argument("--only", default=None,
                        help="comma-separated estimator names to run (default: all)")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI cases")
    args = parser.parse_args(argv)
    try:
        import torch

        torch.set_num_threads(1)  # small networks: extra threads only wait on each other
    except ImportError:
        pass

    subjects = quirk_subjects(args.seed)
    if args.only:
        wanted = set(args.only.split(","))
        subjects = [s for s in subjects if s.name in wanted]
    start = time.perf_counter()
    results = run_quirks(subjects, quirk_cases(), random_state=args.seed)
    if not args.no_cli:
        results += _cli_cases(args.seed)
    seconds = time.perf_counter() - start

    tally = tally_quirks(results)
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.float_format", "{:.3f}".format):
        print(tally.to_string())
    totals = tally[["tried", "pass", "clear-error", "obscure-error", "silent-wrong"]].sum()
    print("\nall: " + ", ".join(f"{k} {v}" for k, v in totals.items())
          + f"  ({seconds:.0f} s, seed {args.seed})")
    bad = [r for r in results if r.outcome in ("obscure-error", "silent-wrong")]
    if bad:
        print("\nobscure errors and silent-wrong outputs:")
        for r in bad:
            print(f"  {r.subject:24s} {r.case:24s} {r.outcome:13s} {r.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
