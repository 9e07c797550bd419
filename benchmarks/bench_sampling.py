"""Benchmark ``sksynth sample``: peak memory and throughput of streamed sampling.

A :class:`~sksynth.generators.GaussianCopulaGenerator` is fitted on the bundled
Adult census data (48,842 rows, 6 integer and 9 categorical columns with the
income label) and saved as a model file. Then ``python -m sksynth sample MODEL
-n N --out FILE --batch-size 100000`` runs in a fresh process for each N and
output format, and the table reports

- the wall time and rows per second of the whole command (start-up included);
- the peak resident set size (RSS) of that process, from ``os.wait4``;
- the size of the file written (and a check that it holds N rows).

References measured in the same run, on the same machine and model:

- ``-n 1``: the fixed memory of the command (interpreter, imports, model);
  the streamed peak at 1M and 10M rows should stay close to it, i.e. the
  ratio ``peak(N) / peak(-n 1)`` should not grow with N;
- ``in memory``: the same rows drawn with one ``generator.sample(N)`` call and
  written with one ``DataFrame.to_csv`` — what streaming avoids; its peak grows
  linearly with N (run at 1M rows, or the largest N when smaller).

Run ``python benchmarks/bench_sampling.py`` (1M and 10M rows; about 5 minutes on
2 cores, 1.1 GB of temporary CSV) or ``--quick`` (100k and 1M rows). Parquet
rows are added when pyarrow is installed. Files go to a temporary directory
(or ``--tmpdir``) and are deleted; the table is kept as
``benchmarks/results/sampling_streamed.csv`` (``--no-results`` keeps none).
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))

import _report  # noqa: E402  (benchmarks/_report.py)

MB = 1024**2
BATCH_SIZE = 100_000


def child_env():
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("MKL_NUM_THREADS", "1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run_measured(cmd):
    """Run ``cmd``; return (wall seconds, peak RSS in bytes, exit status, stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=child_env())
    # wait4 gives this child's own resource usage (ru_maxrss in KiB on Linux)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    scale = 1 if sys.platform == "darwin" else 1024
    return wall, usage.ru_maxrss * scale, proc.returncode, stderr


def count_rows(path):
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            lines += chunk.count(b"\n")
    return lines - 1  # header


IN_MEMORY = """
import sys
from sksynth.cli import load_model
_, payload = load_model(sys.argv[1])
frame = payload["generator"].sample(int(sys.argv[2]), random_state=0)
frame.to_csv(sys.argv[3], index=False)
"""


#: Where the tables go (set from the command line in main).
REPORT = _report.Report("sampling", None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k and 1M rows")
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help="row counts (default 1M and 10M; --quick: 100k and 1M)")
    parser.add_argument("--tmpdir", default=None, help="where the files go (deleted)")
    _report.add_arguments(parser)
    args = parser.parse_args(argv)
    global REPORT
    REPORT = _report.from_arguments("sampling_quick" if args.quick else "sampling", args)
    sizes = args.sizes or ([100_000, 1_000_000] if args.quick else [1_000_000, 10_000_000])

    import pandas as pd

    import sksynth
    from sksynth.cli import save_model
    from sksynth.datasets import load_adult
    from sksynth.generators import GaussianCopulaGenerator

    try:
        import pyarrow  # noqa: F401

        formats = ["csv", "parquet"]
    except ImportError:
        formats = ["csv"]

    print("Machine")
    print(f"  platform      {platform.platform()}, CPUs {os.cpu_count()}")
    print(f"  python        {platform.python_version()}, pandas {pd.__version__}, "
          f"sksynth {sksynth.__version__}")
    if hasattr(os, "getloadavg"):
        print(f"  load average  {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
              "(other work on the machine slows absolute times)")
    print(f"  formats       {', '.join(formats)} (parquet needs pyarrow)")

    frame = load_adult().frame
    with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        generator = GaussianCopulaGenerator(random_state=0).fit(frame)
        fit_time = time.perf_counter() - start
        model = tmp / "adult.skm"
        save_model({"generator": generator, "columns": list(frame.columns)}, str(model))
        print(f"\nGaussianCopulaGenerator fitted on Adult ({frame.shape[0]} rows x "
              f"{frame.shape[1]} columns) in {fit_time:.1f} s; batch size {BATCH_SIZE}")

        rows = []
        sample_cmd = [sys.executable, "-m", "sksynth", "-q", "sample", str(model), "--seed", "0",
                      "--batch-size", str(BATCH_SIZE)]
        wall, base_rss, status, err = run_measured(
            sample_cmd + ["-n", "1", "--out", str(tmp / "one.csv")])
        if status:
            raise SystemExit(f"sksynth sample failed: {err}")
        rows.append(["sksynth sample -n 1 (reference)", "csv", "1", f"{wall:.1f}", "-",
                     f"{base_rss / MB:.0f}", "1.00", "-"])
        for n in sizes:
            for fmt in formats:
                out = tmp / f"out.{fmt}"
                wall, rss, status, err = run_measured(sample_cmd + ["-n", str(n), "--out",
                                                                    str(out)])
                if status:
                    raise SystemExit(f"sksynth sample -n {n} failed: {err}")
                written = count_rows(out)
                assert written == n, (written, n)
                rows.append(["sksynth sample (streamed)", fmt, f"{n:,}", f"{wall:.1f}",
                             f"{n / wall:,.0f}", f"{rss / MB:.0f}", f"{rss / base_rss:.2f}",
                             f"{out.stat().st_size / MB:,.0f}"])
                out.unlink()
        n_mem = min(max(sizes), 1_000_000)
        out = tmp / "mem.csv"
        wall, rss, status, err = run_measured(
            [sys.executable, "-c", IN_MEMORY, str(model), str(n_mem), str(out)])
        if status:
            raise SystemExit(f"in-memory reference failed: {err}")
        rows.append(["sample(N) + to_csv (in memory)", "csv", f"{n_mem:,}", f"{wall:.1f}",
                     f"{n_mem / wall:,.0f}", f"{rss / MB:.0f}", f"{rss / base_rss:.2f}",
                     f"{out.stat().st_size / MB:,.0f}"])
        REPORT.table(
            "streamed",
            "Streamed sampling to a file: peak RSS of the whole process (ratio to -n 1)",
            ["case", "format", "rows", "wall s", "rows/s", "peak RSS MB", "RSS ratio",
             "file MB"],
            rows,
        )
    print("\nA streamed peak that stays flat from the smallest to the largest N (and near "
          "the -n 1 reference) means memory does not depend on N; the in-memory reference "
          "shows what holding all rows costs.")


if __name__ == "__main__":
    main()
