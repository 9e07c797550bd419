"""Benchmark mixed-type tabular generators against SDV, on Adult and breast cancer.

For each data set (the bundled Adult census data and scikit-learn's breast
cancer table, each split 70/30 stratified with a fixed seed) and each method,
one row of the printed table gives:

- ``fit_s``: wall time of ``fit`` on the 70% part (median of ``--repeats``);
- ``sample_s``: wall time to draw ``--n-sample`` rows (100,000 by default);
- ``peak_MiB``: peak traced memory (``tracemalloc``) of fit + sample, measured
  in a separate run so tracing does not slow the timed one (PyTorch tensors
  are not traced: neural rows should be read with that in mind);
- ``shapes`` / ``trends``: sdmetrics' QualityReport "Column Shapes" and
  "Column Pair Trends" when sdmetrics is installed, else this script's own
  implementation of the same scores (KS / total-variation complements;
  correlation / contingency similarity), on 5,000 real and 5,000 synthetic rows;
- ``detect_auc``: cross-validated ROC AUC of a gradient-boosting classifier
  telling 5,000 real rows from 5,000 synthetic ones (0.5 = indistinguishable);
- ``tstr_acc`` / ``tstr_auc``: a fixed ``HistGradientBoostingClassifier``
  trained on synthetic rows (as many as the 70% part) and tested on the real
  30% hold-out; the ``real data`` row trains on the real 70% (TRTR).

The last tables give, per data set, the ratio of SDV's GaussianCopula fit +
sample time to ``GaussianCopulaGenerator``'s (target: >= 3) and the quality and
TSTR differences (targets: >= 0); and for the neural models (``TabularVAE``
against SDV's ``TVAESynthesizer``, ``ConditionalTabularGAN`` against
``CTGANSynthesizer``, same ``--epochs`` and batch size 500) the ratio of the
time per epoch (target: >= 2) and the TSTR ROC-AUC difference (target:
>= -0.01). ``s_per_epoch`` is the time of the training loop divided by the
epochs, measured inside the timed fit (sksynth: its ``history_``; SDV: a
timer wrapped around the epoch loop of its ``ctgan`` models), so that the
encoders' Bayesian Gaussian mixtures and other set-up costs are not counted;
``fit_s`` is the whole fit. For neural rows, ``peak_MiB`` is measured on a
one-epoch fit plus sampling (torch allocations are not traced anyway).

``--disease`` instead times what the debiasing coverage study does with the
neural generators: ``TabularVAE(epochs=300)`` (SDV's schedule) fitted on
``make_disease(n)`` for n in {50, 160, 500, 1600, 5000} and 100,000 rows
sampled, with one torch thread (wall and CPU seconds; the latter is less
sensitive to other jobs on shared cores), with ``precision="bfloat16"``,
next to SDV's default ``TVAESynthesizer`` (300 epochs), and the default
``TabularVAE()`` (``epochs="auto"``: at least 6,000 gradient steps) that the
coverage study uses.

SDV (the ``bench`` extra, ``pip install "sksynth[bench]"``) is optional: the
script says so and skips its rows when ``sdv`` cannot be imported. SDV 2.x
pins pandas < 3; install it in a separate environment if your main one has
pandas 3 (the script puts this checkout on ``sys.path``).

Methods are a registry (``METHODS``): a neural generator adds one entry with a
``fit(train_frame, target)`` and a ``sample(model, n)`` function. SDV's TVAE and
CTGAN and sksynth's ``vae`` / ``gan`` (and their ``precision="bfloat16"``
variants ``vae_bf16`` / ``gan_bf16``) are registered but not run by default
(``--methods`` selects, e.g. ``--methods vae sdv_tvae gan sdv_ctgan``), as they
take many minutes on 2 cores at 300 epochs.

Run ``python benchmarks/bench_tabular.py`` (a few minutes on 2 cores) or with
``--quick`` (10,000 Adult rows, 20,000 sampled rows, one repeat). BLAS and
OpenMP pools (and PyTorch) are limited to ``--threads`` threads (default 2).
Nothing is written to disk.
"""

import argparse
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.metrics import accuracy_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import cross_val_predict, train_test_split  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import sksynth  # noqa: E402
from sksynth.datasets import load_adult  # noqa: E402
from sksynth.generators import GaussianCopulaGenerator  # noqa: E402

MB = 1024**2
N_EVAL = 5000  # rows per side for quality and detection
SEED = 0
#: Run-time settings of the neural models (set from the command line).
NEURAL = {"epochs": 300}


# -- data ----------------------------------------------------------------------
def adult(quick):
    data = load_adult()
    frame = data.frame
    if quick:
        frame = frame.sample(10_000, random_state=SEED).reset_index(drop=True)
    return frame, "income"


def breast_cancer(quick):
    data = load_breast_cancer(as_frame=True)
    frame = data.frame.copy()
    frame["target"] = pd.Categorical(np.array(["malignant", "benign"])[data.target],
                                     categories=["malignant", "benign"])
    return frame, "target"


DATASETS = {"adult": adult, "breast_cancer": breast_cancer}


# -- methods -------------------------------------------------------------------
def _fit_copula(train, target):
    X, y = train.drop(columns=target), train[target]
    return GaussianCopulaGenerator(random_state=SEED).fit(X, y), target


def _sample_copula(model, n):
    generator, target = model
    X, y = generator.sample(n)
    return X.assign(**{target: np.asarray(y)})


def _neural(name, **params):
    """fit / sample of a sksynth neural generator, modelling the target as class labels."""

    def fit(train, target, epochs=None):
        from sksynth import generators

        X, y = train.drop(columns=target), train[target]
        model = getattr(generators, name)(epochs=epochs or NEURAL["epochs"], random_state=SEED,
                                          **params)
        return model.fit(X, y), target

    return fit, _sample_copula


class _EpochLoopTimer:
    """Stands in for ``tqdm`` in SDV's ``ctgan`` models: times their epoch loop."""

    seconds = []

    def __init__(self, iterable=None, *args, **kwargs):
        self.iterable = iterable

    def __iter__(self):
        start = time.perf_counter()
        yield from self.iterable
        type(self).seconds.append(time.perf_counter() - start)

    def set_description(self, *args, **kwargs):
        pass


def training_seconds(model):
    """Seconds spent in the epoch loop of the last fit of ``model`` (NaN if unknown)."""
    if isinstance(model, tuple) and hasattr(model[0], "history_"):
        return sum(h["dur"] for h in model[0].history_)
    return getattr(model, "_bench_training_s", np.nan)


def _sdv_synthesizer(name, **params):
    def fit(train, target, epochs=None):
        from sdv.metadata import Metadata
        from sdv import single_table

        # rdt 2.0 fails on category dtypes with unobserved categories: give it objects
        train = train.astype({c: object for c, d in train.dtypes.items()
                              if isinstance(d, pd.CategoricalDtype)})
        metadata = Metadata.detect_from_dataframes({"table": train})
        extra = {}
        if name != "GaussianCopulaSynthesizer":
            extra["epochs"] = epochs or NEURAL["epochs"]
        synthesizer = getattr(single_table, name)(metadata, **params, **extra)
        import ctgan.synthesizers.ctgan as ctgan_module
        import ctgan.synthesizers.tvae as tvae_module

        saved = ctgan_module.tqdm, tvae_module.tqdm
        ctgan_module.tqdm = tvae_module.tqdm = _EpochLoopTimer
        _EpochLoopTimer.seconds = []
        try:
            synthesizer.fit({"table": train})  # SDV 2.x takes {table name: frame}
        finally:
            ctgan_module.tqdm, tvae_module.tqdm = saved
        synthesizer._bench_training_s = sum(_EpochLoopTimer.seconds) or np.nan
        return synthesizer

    def sample(model, n):
        out = model.sample(num_rows=n)
        return out["table"] if isinstance(out, dict) else out

    return fit, sample


METHODS = {
    # name: (label, fit, sample, needs)
    "copula": ("sksynth GaussianCopulaGenerator", _fit_copula, _sample_copula, None),
    "sdv_copula": ("SDV GaussianCopulaSynthesizer", *_sdv_synthesizer(
        "GaussianCopulaSynthesizer"), "sdv"),
    "sdv_tvae": ("SDV TVAESynthesizer", *_sdv_synthesizer("TVAESynthesizer"), "sdv"),
    "sdv_ctgan": ("SDV CTGANSynthesizer", *_sdv_synthesizer("CTGANSynthesizer"), "sdv"),
    "vae": ("sksynth TabularVAE", *_neural("TabularVAE"), "torch"),
    "gan": ("sksynth ConditionalTabularGAN", *_neural("ConditionalTabularGAN"), "torch"),
    "vae_bf16": ("sksynth TabularVAE bfloat16", *_neural("TabularVAE", precision="bfloat16"),
                 "torch"),
    "gan_bf16": ("sksynth ConditionalTabularGAN bfloat16",
                 *_neural("ConditionalTabularGAN", precision="bfloat16"), "torch"),
}
NEURAL_METHODS = {"vae", "gan", "vae_bf16", "gan_bf16", "sdv_tvae", "sdv_ctgan"}
#: (ours, reference) pairs compared in the last tables.
PAIRS = [("copula", "sdv_copula"), ("vae", "sdv_tvae"), ("vae_bf16", "sdv_tvae"),
         ("gan", "sdv_ctgan"), ("gan_bf16", "sdv_ctgan")]
DEFAULT_METHODS = ["copula", "sdv_copula"]


# -- evaluation ----------------------------------------------------------------
def align(frame, like):
    """Cast ``frame``'s columns to the dtypes of ``like`` (SDV returns objects)."""
    out = frame[like.columns].copy()
    for name, dtype in like.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            out[name] = pd.Categorical(out[name].astype(object), dtype=dtype)
        elif dtype.kind in "iu" and out[name].isna().any():
            out[name] = out[name].astype("float64")
        else:
            out[name] = out[name].astype(dtype)
    return out


def _own_quality(real, synthetic):
    """Column shapes and pair trends as sdmetrics defines them (own implementation)."""
    shapes, trends = [], []
    numeric = [c for c in real.columns if real[c].dtype.kind in "fiub"]
    binned = {}
    for c in real.columns:
        r, s = real[c], synthetic[c]
        if c in numeric:
            r, s = r.dropna().astype(float), s.dropna().astype(float)
            shapes.append(1 - scipy.stats.ks_2samp(r, s).statistic)
            edges = np.unique(np.quantile(r, np.linspace(0, 1, 11)))
            binned[c] = (np.digitize(real[c].astype(float), edges[1:-1]).astype(str),
                         np.digitize(synthetic[c].astype(float), edges[1:-1]).astype(str))
        else:
            p = r.astype(object).fillna("NaN").value_counts(normalize=True)
            q = s.astype(object).fillna("NaN").value_counts(normalize=True)
            shapes.append(1 - 0.5 * p.subtract(q, fill_value=0).abs().sum())
            binned[c] = (r.astype(object).fillna("NaN").astype(str).to_numpy(),
                         s.astype(object).fillna("NaN").astype(str).to_numpy())
    columns = list(real.columns)
    for i, a in enumerate(columns):
        for b in columns[i + 1:]:
            if a in numeric and b in numeric:
                ra = real[[a, b]].dropna().astype(float).corr().iloc[0, 1]
                sa = synthetic[[a, b]].dropna().astype(float).corr().iloc[0, 1]
                if np.isfinite(ra) and np.isfinite(sa):
                    trends.append(1 - abs(ra - sa) / 2)
            else:
                p = pd.crosstab(*binned[a][:1], binned[b][0], normalize=True).stack()
                q = pd.crosstab(binned[a][1], binned[b][1], normalize=True).stack()
                trends.append(1 - 0.5 * p.subtract(q, fill_value=0).abs().sum())
    return float(np.mean(shapes)), float(np.mean(trends))


def quality(real, synthetic):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from sdmetrics.reports.single_table import QualityReport
        from sdv.metadata import Metadata
    except ImportError:
        return _own_quality(real, synthetic)
    metadata = Metadata.detect_from_dataframes({"table": real}).to_dict()
    metadata = metadata["tables"]["table"]
    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(real, synthetic, metadata, verbose=False)
    scores = report.get_properties().set_index("Property")["Score"]
    return float(scores["Column Shapes"]), float(scores["Column Pair Trends"])


def _classifier():
    return HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=200,
                                          learning_rate=0.1, random_state=SEED)


def detection_auc(real, synthetic):
    both = pd.concat([real, synthetic], ignore_index=True)
    label = np.r_[np.zeros(len(real)), np.ones(len(synthetic))]
    proba = cross_val_predict(_classifier(), both, label, cv=3, method="predict_proba")[:, 1]
    return roc_auc_score(label, proba)


def tstr(train, test, target):
    model = _classifier().fit(train.drop(columns=target), train[target])
    proba = model.predict_proba(test.drop(columns=target))
    positive = list(model.classes_).index(test[target].cat.categories[-1])
    y_true = (test[target] == test[target].cat.categories[-1]).to_numpy()
    return (accuracy_score(test[target], model.predict(test.drop(columns=target))),
            roc_auc_score(y_true, proba[:, positive]))


def timed(func, repeats):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def peak_memory(func):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_case(method, train, test, target, args):
    label, fit, sample, _ = METHODS[method]
    neural = method in NEURAL_METHODS
    repeats = 1 if neural else args.repeats
    per_epoch = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_s, model = timed(lambda: fit(train, target), repeats)
        sample_s, synthetic = timed(lambda: sample(model, args.n_sample), repeats)
        if neural:
            per_epoch = training_seconds(model) / NEURAL["epochs"]
            peak = peak_memory(lambda: sample(fit(train, target, epochs=1), args.n_sample))
        else:
            peak = peak_memory(lambda: sample(fit(train, target), args.n_sample))
    synthetic = align(synthetic, train)
    rng = np.random.RandomState(SEED)
    real_eval = train.sample(min(N_EVAL, len(train)), random_state=rng)
    syn_eval = synthetic.sample(min(N_EVAL, len(synthetic)), random_state=rng)
    shapes, trends = quality(real_eval, syn_eval)
    detect = detection_auc(real_eval, syn_eval)
    acc, auc = tstr(synthetic.iloc[:len(train)], test, target)
    return dict(method=label, fit_s=fit_s, s_per_epoch=per_epoch, sample_s=sample_s,
                peak_MiB=peak / MB, shapes=shapes, trends=trends, detect_auc=detect,
                tstr_acc=acc, tstr_auc=auc)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n-sample", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--methods", nargs="+", default=DEFAULT_METHODS, choices=list(METHODS))
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs of every neural model (default 300; 20 with --quick)")
    parser.add_argument("--disease", action="store_true",
                        help="time TabularVAE fits on make_disease data instead")
    parser.add_argument("--results", default=None, metavar="PATH",
                        help="with --disease: also write its table to this CSV file")
    args = parser.parse_args(argv)
    NEURAL["epochs"] = args.epochs or (20 if args.quick else 300)
    args.n_sample = args.n_sample or (20_000 if args.quick else 100_000)
    args.repeats = args.repeats or (1 if args.quick else 3)

    try:
        import sdv
        sdv_version = sdv.__version__
    except ImportError:
        sdv_version = None
        print("SDV is not installed (the `bench` extra): its rows are skipped.")
    try:
        import sdmetrics
        metrics_source = f"sdmetrics {sdmetrics.__version__}"
    except ImportError:
        metrics_source = "own implementation of sdmetrics' scores (sdmetrics not installed)"
    methods = [m for m in args.methods if METHODS[m][3] != "sdv" or sdv_version]
    try:
        import torch
        torch.set_num_threads(args.threads)
        torch_version = torch.__version__
    except ImportError:
        torch_version = "not installed"
    print(f"machine: {platform.machine()}, {platform.processor() or platform.system()}, "
          f"python {platform.python_version()}, threads={args.threads}")
    print(f"sksynth {sksynth.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"scikit-learn {sklearn.__version__}, scipy {scipy.__version__}, sdv {sdv_version}, "
          f"torch {torch_version}; quality: {metrics_source}")
    if args.disease:
        return disease_timings(sdv_version is not None, args)
    print(f"n_sample={args.n_sample}, repeats={args.repeats}, epochs={NEURAL['epochs']}\n")

    rows = []
    with threadpool_limits(limits=args.threads if args.threads > 0 else None):
        for name in args.datasets:
            frame, target = DATASETS[name](args.quick)
            train, test = train_test_split(frame, test_size=0.3, stratify=frame[target],
                                           random_state=SEED)
            train, test = train.reset_index(drop=True), test.reset_index(drop=True)
            acc, auc = tstr(train, test, target)
            rows.append(dict(data=name, n_train=len(train), method="real data (TRTR)",
                             tstr_acc=acc, tstr_auc=auc))
            for method in methods:
                result = run_case(method, train, test, target, args)
                rows.append(dict(data=name, n_train=len(train), **result))
                print(f"  done: {name} / {result['method']}", flush=True)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print()
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""))
    for ours, ref in PAIRS:
        if ours not in methods or ref not in methods:
            continue
        neural = ours in NEURAL_METHODS
        print(f"\n{METHODS[ours][0]} vs {METHODS[ref][0]} (same run"
              + (f", {NEURAL['epochs']} epochs, batch 500):" if neural else "):"))
        ratios = []
        for name in args.datasets:
            a = table[(table.data == name) & (table.method == METHODS[ours][0])].iloc[0]
            b = table[(table.data == name) & (table.method == METHODS[ref][0])].iloc[0]
            row = dict(data=name)
            if neural:
                row["speedup_per_epoch"] = b.s_per_epoch / a.s_per_epoch
                row["speedup_fit"] = b.fit_s / a.fit_s
                row["speedup_sample"] = b.sample_s / a.sample_s
            else:
                row["speedup_fit_plus_sample"] = (b.fit_s + b.sample_s) / (a.fit_s + a.sample_s)
            row.update(shapes_diff=a.shapes - b.shapes, trends_diff=a.trends - b.trends,
                       detect_auc_diff=a.detect_auc - b.detect_auc,
                       tstr_acc_diff=a.tstr_acc - b.tstr_acc, tstr_auc_diff=a.tstr_auc - b.tstr_auc)
            ratios.append(row)
        print(pd.DataFrame(ratios).to_string(
            index=False, float_format=lambda v: f"{v:+.3f}" if abs(v) < 1 else f"{v:.2f}"))


def disease_timings(with_sdv, args):
    """TabularVAE (300 epochs and default) on make_disease(n): fit + 100,000 rows, 1 thread."""
    import math

    import torch

    from sksynth.datasets import make_disease
    from sksynth.generators import TabularVAE

    torch.set_num_threads(1)
    sizes = [50, 160, 500, 1600, 5000]
    rows = []
    with threadpool_limits(limits=1):
        TabularVAE(epochs=1).fit(make_disease(50, random_state=SEED))  # warm-up
        for n in sizes:
            X = make_disease(n, random_state=SEED)
            row = {"n": n}
            start, cpu = time.perf_counter(), time.process_time()
            vae = TabularVAE(epochs=300, random_state=SEED).fit(X)
            row["fit_s"] = time.perf_counter() - start
            start = time.perf_counter()
            vae.sample(100_000)
            row["sample_s"] = time.perf_counter() - start
            row["total_s"] = row["fit_s"] + row["sample_s"]
            row["total_cpu_s"] = time.process_time() - cpu  # less sensitive to busy cores
            # training loop only (history_'s per-epoch seconds), per gradient step
            steps = vae.n_epochs_ * math.ceil(n / min(vae.batch_size, n))
            row["ms_per_step"] = 1000 * sum(h["dur"] for h in vae.history_) / steps
            start = time.perf_counter()
            TabularVAE(epochs=300, precision="bfloat16", random_state=SEED).fit(X).sample(100_000)
            row["total_bf16_s"] = time.perf_counter() - start
            start = time.perf_counter()
            auto = TabularVAE(random_state=SEED).fit(X)
            auto.sample(100_000)
            row["default_auto_s"] = time.perf_counter() - start
            row["auto_epochs"] = auto.n_epochs_
            row["auto_steps"] = auto.n_epochs_ * math.ceil(n / min(auto.batch_size, n))
            if with_sdv:
                fit, sample = _sdv_synthesizer("TVAESynthesizer")
                frame = X.assign(stage=X["stage"].astype(object))
                start = time.perf_counter()
                sample(fit(frame, None, epochs=300), 100_000)
                row["sdv_total_s"] = time.perf_counter() - start
                row["speedup"] = row["sdv_total_s"] / row["total_s"]
            rows.append(row)
            print(f"  done: n={n}", flush=True)
    print("\nTabularVAE(epochs=300) on make_disease(n), fit + sample(100_000), 1 thread "
          "(default_auto_s: the default epochs='auto'):")
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if args.results:
        table.to_csv(args.results, index=False, float_format="%.4g")
        print(f"written to {args.results}")


if __name__ == "__main__":
    main()
