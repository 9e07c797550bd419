"""Benchmark the Gaussian-mixture generator: speed, streaming memory, import cost.

Three parts, each printed as a table with a ratio against a reference measured
in the same run, on the same machine and data:

(a) ``GaussianMixtureGenerator(covariance_type="full")`` fitted with labels on
    ``p = 20`` features and 2 classes, then ``sample(n)`` with ``n = 1,000,000``
    rows; the references are scikit-learn's ``GaussianMixture`` holding the very
    same fitted parameters (``weights_``, ``means_``, ``covariances_``,
    ``precisions_cholesky_``) and its ``sample(n)``, and NumPy's
    ``Generator.multivariate_normal`` per class. The fit is compared with
    ``GaussianMixture(n_components=2).fit`` (EM, unsupervised: not the same
    estimator, but the same-size fitting job one would otherwise run).
(b) Peak traced memory (``tracemalloc``) of ``sample(n)`` against streaming the
    same number of rows through ``iter_sample(n, batch_size=10_000)`` while
    consuming each batch (summing it): the streamed peak stays near one batch.
(c) ``import sksynth`` in a fresh interpreter (wall time minus an empty
    interpreter's, and ``-X importtime``'s cumulative figure), against
    ``import sklearn.mixture``; and a check that importing every sub-package
    (``generators``, ``augmentation``, ``pruning``, ``datasets``) does not
    import PyTorch.

Run ``python benchmarks/bench_generators.py`` (about a minute on 2 cores) or
with ``--quick`` (100,000 rows, fewer repeats). The tables are kept as ``benchmarks/results/generators_*.csv``
(``--no-results`` keeps none).

Parts (a) and (b) run with BLAS/OpenMP limited to one thread (``--threads``):
on a small shared machine, the thread pools of OpenBLAS and of the OpenMP
runtime (used by the k-means initialisation of ``GaussianMixture``)
oversubscribe the cores as soon as anything else runs, and timings then jump by
factors of 10-100 (a 5 ms fit measured at 0.65 s). ``--threads 0`` keeps the
libraries' defaults.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))

import _report  # noqa: E402  (benchmarks/_report.py)

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import sksynth  # noqa: E402
from sksynth.generators import GaussianMixtureGenerator  # noqa: E402

N_FEATURES = 20
N_FIT = 20_000  # rows the generator is fitted on
BATCH_SIZE = 10_000
MB = 1024**2


# -- helpers ------------------------------------------------------------------
def timed(func, repeats, warmup=1):
    """Median, min and max wall time of ``func()`` over ``repeats`` runs (after warm-up)."""
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def peak_memory(func):
    """Peak memory traced by ``tracemalloc`` while ``func()`` runs, in bytes."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base, result


def fmt_time(stats):
    median, low, high = stats
    return f"{median:.4f}", f"[{low:.4f}, {high:.4f}]"


def machine_info():
    import threadpoolctl

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    print("Machine")
    print(f"  platform      {platform.platform()}")
    print(f"  processor     {platform.processor() or platform.machine()}")
    print(f"  CPUs          os.cpu_count()={os.cpu_count()}, usable={affinity}")
    print(f"  python        {platform.python_version()} ({sys.executable})")
    if hasattr(os, "getloadavg"):
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"  load average  {load} (other work on the machine skews absolute times)")
    print(f"  numpy {np.__version__}, scipy {scipy.__version__}, "
          f"scikit-learn {sklearn.__version__}, sksynth {sksynth.__version__}")
    for pool in threadpoolctl.threadpool_info():
        print(f"  BLAS/OpenMP   {pool.get('internal_api')} {pool.get('version')} "
              f"({pool.get('user_api')}, {pool.get('num_threads')} threads)")


def make_data(n_rows, rng):
    """Two classes (60/40) with different means and full covariances, p = 20."""
    y = (rng.uniform(size=n_rows) < 0.4).astype(np.int64)
    X = np.empty((n_rows, N_FEATURES))
    for k, shift in enumerate([0.0, 1.5]):
        A = rng.normal(size=(N_FEATURES, N_FEATURES)) / np.sqrt(N_FEATURES)
        cov = A @ A.T + 0.5 * np.eye(N_FEATURES)
        rows = y == k
        X[rows] = rng.multivariate_normal(np.full(N_FEATURES, shift), cov, rows.sum())
    return X, y


def equivalent_sklearn_model(gen):
    """A fitted ``GaussianMixture`` holding exactly the generator's parameters."""
    gm = GaussianMixture(n_components=gen.means_.shape[0], covariance_type="full",
                         random_state=0)
    gm.weights_ = gen.weights_.copy()
    gm.means_ = gen.means_.copy()
    gm.covariances_ = gen.covariances_.copy()
    gm.precisions_cholesky_ = np.stack(
        [np.linalg.inv(np.linalg.cholesky(c)).T for c in gen.covariances_]
    )
    gm.converged_, gm.n_iter_, gm.lower_bound_ = True, 0, -np.inf
    return gm


def mean_error(X, labels, gen):
    """Largest |sample mean - fitted mean| over classes and features."""
    return max(
        float(np.abs(X[labels == k].mean(axis=0) - gen.means_[k]).max())
        for k in range(gen.means_.shape[0])
    )


# -- (a) speed ----------------------------------------------------------------
def bench_speed(n_rows, repeats):
    rng = np.random.RandomState(0)
    X, y = make_data(N_FIT, rng)
    gen = GaussianMixtureGenerator(covariance_type="full", random_state=0)

    fit_gen = timed(lambda: gen.fit(X, y), repeats)
    em = GaussianMixture(n_components=2, covariance_type="full", random_state=0)
    fit_em = timed(lambda: em.fit(X), max(1, repeats // 2))

    gen.fit(X, y)
    gm = equivalent_sklearn_model(gen)
    np_rng = np.random.default_rng(0)
    weights = gen.weights_

    def numpy_reference():
        counts = np_rng.multinomial(n_rows, weights)
        return np.vstack([
            np_rng.multivariate_normal(gen.means_[k], gen.covariances_[k], counts[k],
                                       method="cholesky")
            for k in range(len(counts))
        ])

    sample_gen = timed(lambda: gen.sample(n_rows), repeats)
    sample_gm = timed(lambda: gm.sample(n_rows), repeats)
    sample_np = timed(numpy_reference, repeats)
    fit_sample_gen = timed(lambda: gen.fit(X, y).sample(n_rows), repeats)

    # what each computed: sample means against the fitted means
    X_gen, y_gen = gen.sample(n_rows, random_state=1)
    X_gm, y_gm = gm.sample(n_rows)
    err_gen, err_gm = mean_error(X_gen, y_gen, gen), mean_error(X_gm, y_gm, gen)
    del X_gen, y_gen, X_gm, y_gm
    # the two fits agree only up to EM's label permutation and convergence
    em_vs_closed = float(
        min(np.abs(em.means_ - gen.means_).max(), np.abs(em.means_[::-1] - gen.means_).max())
    )

    rows = []
    reference = {"fit": fit_em[0], "sample": sample_gm[0]}
    for case, stats, ref, n_out, check in [
        (f"sksynth GMG(full).fit, {N_FIT:,} x {N_FEATURES}, labels", fit_gen, "fit", N_FIT,
         f"|mu_EM - mu| = {em_vs_closed:.3f}"),
        ("sklearn GaussianMixture(2, full).fit (EM) [ref]", fit_em, "fit", N_FIT,
         f"n_iter = {em.n_iter_}"),
        (f"sksynth GMG.sample({n_rows:,})", sample_gen, "sample", n_rows,
         f"max|mean err| = {err_gen:.4f}"),
        (f"sklearn GaussianMixture.sample({n_rows:,}) [ref]", sample_gm, "sample", n_rows,
         f"max|mean err| = {err_gm:.4f}"),
        (f"numpy multivariate_normal x2 ({n_rows:,})", sample_np, "sample", n_rows, ""),
        (f"sksynth GMG fit + sample({n_rows:,})", fit_sample_gen, "sample", n_rows, ""),
    ]:
        median, spread = fmt_time(stats)
        rows.append([case, median, spread, f"{n_out / stats[0]:,.0f}",
                     f"{stats[0] / reference[ref]:.2f}", check])
    REPORT.table(
        "speed",
        f"(a) Fit and sample, p={N_FEATURES}, 2 classes; median of {repeats} runs "
        "(ratio = time / [ref] time of the same kind; < 1 is faster)",
        ["case", "median s", "[min, max] s", "rows/s", "ratio", "check"],
        rows,
    )


# -- (b) memory -----------------------------------------------------------------
def bench_memory(n_rows):
    rng = np.random.RandomState(0)
    X, y = make_data(N_FIT, rng)
    gen = GaussianMixtureGenerator(covariance_type="full", random_state=0).fit(X, y)
    overall_mean = gen.weights_ @ gen.means_

    def materialise():
        X_new, _ = gen.sample(n_rows, random_state=0)
        return X_new.sum(axis=0)

    def stream():
        total = np.zeros(N_FEATURES)
        for X_batch, _ in gen.iter_sample(n_rows, batch_size=BATCH_SIZE, random_state=0):
            total += X_batch.sum(axis=0)
        return total

    gen.sample(BATCH_SIZE)  # warm-up outside the traced region
    peak_full, sum_full = peak_memory(materialise)
    peak_stream, sum_stream = peak_memory(stream)
    time_full = timed(materialise, 3)
    time_stream = timed(stream, 3)
    output = n_rows * N_FEATURES * 8
    rows = []
    for case, peak, total, stats in [
        (f"sample({n_rows:,}) then sum [ref]", peak_full, sum_full, time_full),
        (f"iter_sample({n_rows:,}, batch_size={BATCH_SIZE:,}), sum each batch",
         peak_stream, sum_stream, time_stream),
    ]:
        error = float(np.abs(total / n_rows - overall_mean).max())
        rows.append([case, f"{peak / MB:.1f}", f"{peak / peak_full:.3f}",
                     f"{stats[0]:.3f}", f"{stats[0] / time_full[0]:.2f}",
                     f"max|mean - w@mu| = {error:.4f}"])
    REPORT.table(
        "memory",
        f"(b) Peak traced memory (tracemalloc); the X returned by sample() alone is "
        f"{output / MB:.0f} MB, one batch is {BATCH_SIZE * N_FEATURES * 8 / MB:.1f} MB",
        ["case", "peak MB", "ratio", "median s", "time ratio", "check"],
        rows,
    )


# -- (c) import -----------------------------------------------------------------
def run_python(code, *flags):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, *flags, "-c", code], env=env, check=True,
                          capture_output=True, text=True)


def import_time_us(module_code, top_name):
    """Cumulative microseconds of ``top_name`` reported by ``python -X importtime``."""
    stderr = run_python(module_code, "-X", "importtime").stderr
    total = 0
    for line in stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        # nested imports are indented by two more spaces; keep the top level only
        name = parts[2].rstrip()
        top_level = name.startswith(" ") and not name.startswith("  ")
        name = name.strip()
        if top_level and (name == top_name or name.startswith(top_name + ".")):
            total += int(parts[1])
    return total


def bench_import(repeats):
    cases = [
        ("python -c 'pass' (interpreter start-up)", "pass", None),
        ("import sksynth", "import sksynth", "sksynth"),
        ("import sksynth + generators, augmentation, pruning, datasets",
         "import sksynth, sksynth.generators, sksynth.augmentation, sksynth.pruning, "
         "sksynth.datasets", "sksynth"),
        ("import sklearn.mixture [ref]", "import sklearn.mixture", "sklearn"),
    ]
    walls = {}
    for _, code, _ in cases:  # warm the file-system cache
        run_python(code)
    for _, code, _ in cases:
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            run_python(code)
            samples.append(time.perf_counter() - start)
        walls[code] = statistics.median(samples)
    start_up = walls["pass"]
    cumulative = {code: statistics.median(import_time_us(code, name) for _ in range(3))
                  for _, code, name in cases if name}
    ref_code = "import sklearn.mixture"
    rows = []
    for label, code, name in cases:
        net = walls[code] - start_up
        rows.append([
            label,
            f"{walls[code] * 1000:.0f}",
            f"{net * 1000:.0f}" if name else "-",
            f"{cumulative[code] / 1000:.0f}" if name else "-",
            f"{net / (walls[ref_code] - start_up):.2f}" if name else "-",
        ])
    REPORT.table(
        "import",
        f"(c) Import time in a fresh interpreter, median of {repeats} runs "
        "(ratio = net time / net time of [ref])",
        ["case", "wall ms", "net ms", "-X importtime ms", "ratio"],
        rows,
    )
    code = (
        "import sys, sksynth, sksynth.generators, sksynth.augmentation, sksynth.pruning, "
        "sksynth.datasets\n"
        "heavy = sorted(m for m in ('torch', 'sdv', 'tensorflow', 'jax') if m in sys.modules)\n"
        "print(len(sys.modules), ','.join(heavy) or '-')"
    )
    n_modules, heavy = run_python(code).stdout.split()
    torch_free = "torch" not in heavy.split(",")
    verdict = "OK: torch not imported" if torch_free else "FAIL: torch imported"
    print(f"    after importing every sub-package: {n_modules} modules loaded; heavy "
          f"frameworks in sys.modules: {heavy}  -> {verdict}")
    return torch_free


#: Where the tables go (set from the command line in main).
REPORT = _report.Report("generators", None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="100,000 rows and fewer repeats (about 20 s)")
    parser.add_argument("--n-rows", type=int, default=None,
                        help="rows to sample (default 1,000,000; 100,000 with --quick)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads for parts (a) and (b); 0 keeps the "
                             "libraries' defaults (default: 1)")
    _report.add_arguments(parser)
    args = parser.parse_args(argv)
    global REPORT
    REPORT = _report.from_arguments("generators_quick" if args.quick else "generators", args)
    n_rows = args.n_rows or (100_000 if args.quick else 1_000_000)
    repeats = 3 if args.quick else 5

    start = time.perf_counter()
    machine_info()
    limit = args.threads if args.threads > 0 else None
    print(f"  threads       {args.threads or 'library defaults'} for (a) and (b) "
          "(threadpoolctl.threadpool_limits)")
    with threadpool_limits(limits=limit):
        bench_speed(n_rows, repeats)
        bench_memory(n_rows)
    ok = bench_import(5 if args.quick else 10)
    print(f"\nTotal {time.perf_counter() - start:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
