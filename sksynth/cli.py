"""The ``sksynth`` command line.

::

    sksynth demo [--out DIR]                      fit generators to the bundled Adult data,
                                                  evaluate them, write HTML reports + CSV
    sksynth fit DATA --generator NAME [--param k=v ...] [--constraint C ...]
                [--target COL] [--sep C] --out MODEL [--force]
    sksynth sample MODEL -n N --out FILE [--batch-size B] [--seed S] [--trust-pickle]
                   [--force]
    sksynth evaluate REAL SYNTH [--holdout H] [--target COL] [--sep C] --report FILE
                     [--summary CSV] [--force]

Tables are CSV (``.csv``, ``.tsv``, compressed ``.csv.gz``/``.bz2``/``.xz``/``.zst``
(needs zstandard)/``.zip``) or Parquet (``.parquet``, ``.pq``; needs pyarrow), chosen
by file extension. The CSV dialect is sniffed from the first 64 KiB: the
delimiter among ``, ; tab |`` that splits every line alike, a decimal comma
(``1,5``) with a ``;``, tab or ``|`` delimiter, the quote character and a UTF-8
byte-order mark; a file that still parses to one column while each of its lines
holds another delimiter is refused. ``--sep`` (and ``--decimal``) force them.

Every output is written to a temporary file beside its target and renamed into
place once complete (an interrupt, Ctrl-C or SIGTERM, removes the temporary
file). An existing output file is kept unless ``--force`` is given, and an
output path that names one of the command's inputs is refused even then;
``demo --out DIR`` writes its fixed file names into DIR, replacing those of an
earlier demo. Table outputs (and ``evaluate --summary``) named ``.gz``,
``.bz2``, ``.xz`` or ``.zst`` are compressed accordingly. Errors are one line
on standard error with a non-zero exit status (``--debug`` shows the traceback).

Model files hold a one-line magic string, a one-line JSON header
(``{"format": "sksynth-model", "format_version": 2, "sksynth_version": ...}``)
and the fitted generator as a JSON tree of plain values plus an ``.npz``
archive of its arrays (see :mod:`sksynth._persistence`). **Loading a model file
runs no code from it**: arrays are read with ``allow_pickle=False`` and only
classes on an allow-list (sksynth's own, scikit-learn estimators, torch
modules, numpy, pandas) are rebuilt; a file naming any other type is refused,
naming it, before anything is built. Files of format version 1 (sksynth before
this format) hold a pickle, which can run arbitrary code when loaded: ``sksynth
sample`` refuses them unless given ``--trust-pickle`` (only for files you wrote
yourself), and then warns.
"""

import argparse
import ast
import os
import signal
import sys
import time
import warnings

# the model-file and table helpers live in private modules; these names stay
# importable from sksynth.cli
from sksynth._persistence import (  # noqa: F401
    MODEL_FORMAT, MODEL_FORMAT_VERSION, MODEL_MAGIC, PICKLE_FORMAT_VERSION, load_model,
    save_model)
from sksynth._tables import (  # noqa: F401
    CLIError, TableWriter, _atomic, _check_compression, _check_input_file, _check_output,
    _need_pyarrow, _one_line, _open_text, _table_format, read_table)

__all__ = ["main", "load_model", "save_model"]

#: Generators the demo tries, in order, when present in sksynth.generators.
DEMO_GENERATORS = ("GaussianCopulaGenerator", "TabularVAE", "ConditionalTabularGAN")

#: Short names accepted by ``--generator`` (besides the class names).
ALIASES = {
    "copula": "GaussianCopulaGenerator",
    "gaussian": "GaussianGenerator",
    "mixture": "GaussianMixtureGenerator",
    "vae": "TabularVAE",
    "gan": "ConditionalTabularGAN",
    "ctgan": "ConditionalTabularGAN",
}

def _generator_classes():
    """Public generator classes of sksynth.generators, by name (those with ``sample``)."""
    import inspect

    import sksynth.generators as generators

    found = {}
    for name in getattr(generators, "__all__", []):
        obj = getattr(generators, name, None)
        if inspect.isclass(obj) and callable(getattr(obj, "sample", None)) and callable(
                getattr(obj, "fit", None)):
            found[name] = obj
    return found


def _resolve_generator(name):
    classes = _generator_classes()
    wanted = ALIASES.get(name.lower(), name)
    for cls_name, cls in classes.items():
        if cls_name.lower() == wanted.lower():
            return cls
    aliases = sorted(a for a, target in ALIASES.items() if target in classes)
    raise CLIError(
        f"unknown generator {name!r}; available: {', '.join(sorted(classes))} "
        f"(or the short names {', '.join(aliases)})"
    )


def _parse_value(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        lowered = text.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered in ("none", "null"):
            return None
        return text


def _parse_params(items):
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CLIError(f"--param expects KEY=VALUE, got {item!r}")
        params[key] = _parse_value(value)
    return params


def _set_params(generator, params):
    valid = generator.get_params(deep=False)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise CLIError(
            f"unknown parameter {unknown[0]!r} for {type(generator).__name__}; valid "
            f"parameters: {', '.join(sorted(valid))}"
        )
    return generator.set_params(**params)


def _set_constraints(generator, params, texts):
    """Give ``generator`` the constraints that ``--constraint`` wrote as text."""
    from .constraints._parse import parse_constraint

    name = type(generator).__name__
    if "constraints" not in generator.get_params(deep=False):
        raise CLIError(f"{name} takes no constraints; --constraint needs a mixed-table "
                       "generator such as GaussianCopulaGenerator or TabularVAE")
    if "constraints" in params:
        raise CLIError("give constraints with --constraint or --param constraints=..., "
                       "not both")
    try:
        constraints = [parse_constraint(text) for text in texts]
    except ValueError as exc:
        raise CLIError(f"--constraint: {_one_line(exc)}") from exc
    generator.set_params(constraints=constraints)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _progress(args, **kwargs):
    from tqdm.auto import tqdm

    return tqdm(disable=args.quiet, file=sys.stderr, dynamic_ncols=True, **kwargs)


def _count(text):
    """An integer count from ``"1000"``, ``"1_000"`` or ``"1e6"``."""
    try:
        value = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not value.is_integer():
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        value = int(value)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative number, got {text!r}")
    return value


def _positive(text):
    value = _count(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a positive number, got 0")
    return value


def _sample_frames(generator, target, columns, n, batch_size, seed, bar):
    """Yield DataFrame batches of ``n`` synthetic rows (target joined as a column)."""
    import pandas as pd

    batches = generator.iter_sample(n, batch_size=batch_size, random_state=seed)
    for batch in batches:
        if isinstance(batch, tuple):
            X, y = batch
            X = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
            X = X.reset_index(drop=True)
            X[target if target is not None else "target"] = pd.Series(y).to_numpy()
            batch = X
        elif not isinstance(batch, pd.DataFrame):
            batch = pd.DataFrame(batch)
        if columns and list(batch.columns) != columns and set(batch.columns) == set(columns):
            batch = batch[columns]
        bar.update(len(batch))
        yield batch


def _empty_frame(generator, target, columns):
    import pandas as pd

    sample = generator.sample(0)
    if isinstance(sample, tuple):
        X, y = sample
        X = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        X[target if target is not None else "target"] = pd.Series(y).to_numpy()
        sample = X
    sample = sample if isinstance(sample, pd.DataFrame) else pd.DataFrame(sample)
    if columns and list(sample.columns) != columns and set(sample.columns) == set(columns):
        sample = sample[columns]
    return sample


# ---------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------
def cmd_fit(args):
    cls = _resolve_generator(args.generator)
    params = _parse_params(args.param)
    generator = _set_params(cls(), params)
    defaults = generator.get_params(deep=False)
    if args.constraint:
        _set_constraints(generator, params, args.constraint)
    if args.seed is not None and "random_state" in defaults and "random_state" not in params:
        generator.set_params(random_state=args.seed)
    if "verbose" in defaults and "verbose" not in params and not args.quiet:
        generator.set_params(verbose=True)
    out = _check_output(args.out, [args.data], "model file", args.force)
    frame = read_table(args.data, "data", args.sep, args.decimal)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    y = None
    if args.target is not None:
        if args.target not in columns:
            raise CLIError(
                f"unknown column {args.target!r} for --target; the columns are "
                f"{', '.join(columns[:20])}"
            )
        y = frame.pop(args.target)
    start = time.perf_counter()
    with _progress(args, total=1, desc=f"fit {cls.__name__}", unit="model") as bar:
        try:
            generator.fit(frame) if y is None else generator.fit(frame, y)
        except (ValueError, TypeError) as exc:
            raise CLIError(f"fitting {cls.__name__} failed: {_one_line(exc)}") from exc
        bar.update(1)
    save_model({"generator": generator, "target": args.target, "columns": columns}, out)
    types = getattr(generator, "column_types_", None)
    if isinstance(types, dict) and not args.quiet:
        for column, kind in types.items():
            print(f"{column}: {kind}", file=sys.stderr)
        print("(override a type with --param \"column_types={'COLUMN':'TYPE'}\")",
              file=sys.stderr)
    if not args.quiet:
        print(f"fitted {cls.__name__} on {len(frame)} rows x {len(columns)} columns in "
              f"{time.perf_counter() - start:.1f} s -> {out}")
    return 0


def cmd_sample(args):
    out = _check_output(args.out, [args.model], "output", args.force)
    kind = _table_format(out)[0]
    if kind == "parquet":
        _need_pyarrow(out)
    _check_compression(out)
    header, payload = load_model(args.model, trust_pickle=args.trust_pickle)
    generator = payload["generator"]
    target, columns = payload.get("target"), payload.get("columns")
    start = time.perf_counter()
    atomic_output = _atomic()
    with atomic_output(out) as tmp:
        writer = TableWriter(tmp, out)
        try:
            with _progress(args, total=args.n, desc="sample", unit=" rows",
                           unit_scale=True) as bar:
                wrote = False
                for frame in _sample_frames(generator, target, columns, args.n,
                                            args.batch_size, args.seed, bar):
                    writer.write(frame)
                    wrote = True
                if not wrote:
                    writer.write(_empty_frame(generator, target, columns))
        finally:
            writer.close()
    elapsed = time.perf_counter() - start
    if not args.quiet:
        rate = args.n / elapsed if elapsed > 0 else float("inf")
        print(f"sampled {args.n} rows from {header['generator']} in {elapsed:.1f} s "
              f"({rate:,.0f} rows/s) -> {out}")
    return 0


def _print_summary(results, file=sys.stdout):
    import pandas as pd

    show = results[results["column"].isna() | (results["category"] == "utility")]
    show = show[["category", "metric", "value", "ci_low", "ci_high", "direction"]]
    with pd.option_context("display.max_rows", 200, "display.width", 120,
                           "display.float_format", "{:.4f}".format):
        print(show.to_string(index=False), file=file)


def _print_warnings(warnings_, prefix="", file=None):
    """The diagnostics' warnings, one line each on standard error."""
    for message in warnings_:
        print(f"warning: {prefix}{message}", file=file if file is not None else sys.stderr)


def cmd_evaluate(args):
    from sksynth.report import SyntheticDataReport

    inputs = [args.real, args.synthetic, args.holdout]
    report_path = _check_output(args.report, inputs, "report", args.force)
    summary_path = None
    if args.summary is not None:
        summary_path = _check_output(args.summary, inputs + [report_path], "summary",
                                     args.force)
        if _table_format(summary_path)[0] != "csv":
            raise CLIError("--summary must be a .csv file (optionally .csv.gz, .bz2, .xz, .zst)")
        _check_compression(summary_path)
    if args.target is not None and args.holdout is None:
        raise CLIError("--target needs --holdout: utility is measured on real rows the "
                       "generator never saw")
    real = read_table(args.real, "real", args.sep, args.decimal)
    synthetic = read_table(args.synthetic, "synthetic", args.sep, args.decimal)
    holdout = read_table(args.holdout, "holdout", args.sep, args.decimal) if args.holdout else None
    if args.target is not None and args.target not in real.columns:
        raise CLIError(f"unknown column {args.target!r} for --target; the columns are "
                       f"{', '.join(map(str, list(real.columns)[:20]))}")
    report = SyntheticDataReport(real, synthetic, holdout=holdout, target=args.target,
                                 detection=not args.no_detection, random_state=args.seed,
                                 title=args.title or f"{os.path.basename(args.synthetic)} vs "
                                 f"{os.path.basename(args.real)}")
    stages = ["fidelity", "detection", "utility", "privacy"]
    with _progress(args, total=len(stages) + 1, desc="evaluate", unit="step") as bar:
        def progress(name):
            bar.set_postfix_str(name)
            bar.update(1)

        report.compute(progress=progress)
        bar.set_postfix_str("report")
        report.save(report_path)
        bar.n = bar.total
        bar.refresh()
    if summary_path is not None:
        with _atomic()(summary_path) as tmp:
            # compressed by the suffix of the target, not of the temporary name
            with _open_text(tmp, _table_format(summary_path)[2]) as fh:
                report.results.to_csv(fh, index=False)
    if not args.quiet:
        _print_summary(report.results)
        print(f"report -> {report_path}" + (f", summary -> {summary_path}"
                                            if summary_path else ""))
    _print_warnings(report.warnings)
    return 0


def _demo_generators(only=None):
    """The generators of the demo: those of DEMO_GENERATORS that exist here."""
    classes = _generator_classes()
    names = [n for n in DEMO_GENERATORS if n in classes]
    if only:
        wanted = [ALIASES.get(n.lower(), n) for n in only]
        lookup = {c.lower(): c for c in classes}
        missing = [n for n in wanted if n.lower() not in lookup]
        if missing:
            raise CLIError(f"unknown generator {missing[0]!r} for --generators; available: "
                           f"{', '.join(sorted(classes))}")
        names = [lookup[n.lower()] for n in wanted]
    return [(n, classes[n]) for n in names], classes


def _demo_instance(cls, args):
    """A generator configured to finish quickly on the demo's data."""
    generator = cls()
    params = generator.get_params(deep=False)
    settings = {"random_state": args.seed}
    if "epochs" in params and args.epochs is not None:
        settings["epochs"] = args.epochs
    if "verbose" in params:
        settings["verbose"] = False
    return generator.set_params(**{k: v for k, v in settings.items() if k in params})


def cmd_demo(args):
    import numpy as np
    import pandas as pd

    from sksynth.datasets import load_adult
    from sksynth.report import SyntheticDataReport

    out_dir = os.path.abspath(args.out)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise CLIError(f"--out {args.out!r} exists and is not a directory")
    os.makedirs(out_dir, exist_ok=True)
    chosen, classes = _demo_generators(args.generators.split(",") if args.generators else None)
    frame = load_adult().frame
    target = "income"
    rng = np.random.RandomState(args.seed)
    order = rng.permutation(len(frame))
    n_train = min(args.rows, len(frame) // 2)
    n_hold = min(args.holdout_rows, len(frame) - n_train)
    train = frame.iloc[order[:n_train]].reset_index(drop=True)
    holdout = frame.iloc[order[n_train:n_train + n_hold]].reset_index(drop=True)
    if not chosen:
        fallback = classes.get("GaussianMixtureGenerator")
        if fallback is None:
            raise CLIError("no generator is available in sksynth.generators")
        chosen = [("GaussianMixtureGenerator", fallback)]
        print("GaussianCopulaGenerator is not available: using GaussianMixtureGenerator on "
              "the numeric columns", file=sys.stderr)
    print(f"Adult census data: {n_train} training rows, {n_hold} holdout rows, "
          f"{train.shape[1]} columns; generators: {', '.join(n for n, _ in chosen)}",
          file=sys.stderr)
    numeric = list(train.select_dtypes("number").columns) + [target]
    summaries, failures, timings, diagnoses = [], [], {}, {}
    start_all = time.perf_counter()
    with _progress(args, total=4 * len(chosen), desc="demo", unit="step") as bar:
        for done, (name, cls) in enumerate(chosen, start=1):
            start = time.perf_counter()
            try:
                bar.set_postfix_str(f"{name}: fit")
                generator = _demo_instance(cls, args)
                real, hold = train, holdout
                if name in ("GaussianMixtureGenerator", "GaussianGenerator"):
                    # numeric-only models: the numeric columns, class-conditional on income
                    real, hold = train[numeric], holdout[numeric]
                    generator.fit(real.drop(columns=target), real[target])
                else:
                    generator.fit(real)
                bar.update(1)
                bar.set_postfix_str(f"{name}: sample")
                synthetic = generator.sample(n_train, random_state=args.seed)
                if isinstance(synthetic, tuple):
                    X_syn, y_syn = synthetic
                    synthetic = X_syn.assign(**{target: np.asarray(y_syn)})[real.columns]
                bar.update(1)
                report = SyntheticDataReport(
                    real, synthetic, holdout=hold, target=target,
                    title=f"{name} on the Adult census data", random_state=args.seed,
                    n_bootstrap=args.n_bootstrap, generator=generator)

                def progress(stage, name=name):
                    bar.set_postfix_str(f"{name}: {stage}")

                report.compute(progress=progress)
                bar.update(1)
                bar.set_postfix_str(f"{name}: report")
                report.save(os.path.join(out_dir, f"report_{name}.html"))
                bar.update(1)
            except Exception as exc:  # one failing generator does not stop the demo
                if args.debug:
                    raise
                failures.append((name, f"{type(exc).__name__}: {_one_line(exc)}"))
                bar.update(4 * done - bar.n)
                continue
            timings[name] = time.perf_counter() - start
            summaries.append(report.results.assign(generator=name))
            diagnoses[name] = report.warnings
    for name, message in failures:
        print(f"sksynth: warning: {name} skipped: {message}", file=sys.stderr)
    if not summaries:
        raise CLIError("every generator failed; nothing to report")
    summary = pd.concat(summaries, ignore_index=True)
    summary = summary[["generator"] + [c for c in summary.columns if c != "generator"]]
    with _atomic()(os.path.join(out_dir, "summary.csv")) as tmp:
        summary.to_csv(tmp, index=False)
    inference = _demo_inference(train, args.seed) if "GaussianCopulaGenerator" in classes else None
    if inference is not None:
        with _atomic()(os.path.join(out_dir, "inference.csv")) as tmp:
            inference.to_csv(tmp, index=False)
    headline = _demo_headline(summary, timings)
    with _atomic()(os.path.join(out_dir, "index.html")) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(_demo_index(headline, n_train, n_hold, diagnoses,
                                 inference=inference is not None))
    if not args.quiet:
        with pd.option_context("display.width", 160, "display.max_columns", 20,
                               "display.float_format", "{:.3f}".format):
            print(headline.to_string())
            if inference is not None:
                print("\nvalid inference from synthetic data (95% intervals):")
                print(inference.to_string(index=False))
        print(f"total {time.perf_counter() - start_all:.0f} s; reports, summary.csv and "
              f"index.html in {out_dir}")
    for name, found in diagnoses.items():
        _print_warnings(found, prefix=f"{name}: ")
    return 0


def _demo_inference(train, seed, m=100_000):
    """Intervals from real, default synthetic and debiased synthetic rows.

    Mean hours per week, and the coefficient of income > 50K on age adjusted for
    sex (the case study of Decruyenaere et al., 2024), with a Gaussian copula
    fitted on the training rows.
    """
    import pandas as pd

    from sksynth.generators import GaussianCopulaGenerator
    from sksynth.inference import (DebiasedGenerator, MeanEstimator, MeanTarget,
                                   PartialRegressionTarget, PartiallyLinearEstimator)

    data = pd.DataFrame({
        "hours_per_week": train["hours_per_week"].astype(float),
        "age": train["age"].astype(float),
        "income": (train["income"] == ">50K").to_numpy(),
        "sex": train["sex"],
    }).dropna().reset_index(drop=True)
    targets = [MeanTarget("hours_per_week"), PartialRegressionTarget("age", "income", ["sex"])]
    gen = DebiasedGenerator(GaussianCopulaGenerator(), targets, random_state=seed).fit(data)
    sources = {"real": (data, {}),
               "default synthetic": (gen.generator_.sample(m, random_state=seed), None),
               "debiased synthetic": (gen.sample(m, random_state=seed), None)}
    rows = []
    for label, (frame, correction) in sources.items():
        for target in targets:
            if correction is None:
                extra = {"n_real": len(data)}
                if label.startswith("debiased"):
                    extra["real_variance"] = gen.eif_variance_[target.name]
                    extra["aux_variance"] = gen.aux_variance_[target.name]
            else:
                extra = {}
            if isinstance(target, MeanTarget):
                est = MeanEstimator(**extra).fit(frame[["hours_per_week"]])
            else:
                est = PartiallyLinearEstimator("income", random_state=seed, **extra).fit(
                    frame[["income", "sex"]], frame["age"])
            low, high = est.confint()
            rows.append({"estimand": target.name, "data": label, "estimate": est.estimate_,
                         "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows).round(3)


def _headline_columns(metrics):
    """The headline metrics and labels; the utility score is the reports' one."""
    from sksynth.metrics._diagnostics import score_label

    tstr = [m[len("tstr_"):] for m in metrics if str(m).startswith("tstr_")]
    name = "roc_auc" if "roc_auc" in tstr else (tstr[0] if tstr else None)
    label = score_label(name)
    cols = [("quality_score", "quality (↑)"), ("detection_auc", "detection ROC-AUC (0.5)"),
            ("mmd", "MMD (↓)")]
    if name is not None:
        cols += [(f"tstr_{name}", f"TSTR {label} (↑)"), (f"trtr_{name}", f"TRTR {label}"),
                 (f"relative_loss_{name}", f"relative loss of {label} (↓)")]
    cols += [("dcr_ratio", "DCR ratio (≥1)"), ("mia_auc", "MIA AUC (0.5)")]
    return cols


def _demo_headline(summary, timings):
    import pandas as pd

    table = summary[summary["column"].isna() | (summary["category"] == "utility")]
    wide = table.pivot_table(index="generator", columns="metric", values="value",
                             aggfunc="first")
    order = list(dict.fromkeys(table["metric"]))  # the utility scores in evaluate's order
    cols = [(m, label) for m, label in _headline_columns(order) if m in wide.columns]
    headline = wide[[m for m, _ in cols]].rename(columns=dict(cols))
    headline["seconds"] = pd.Series(timings)
    return headline


def _demo_index(headline, n_train, n_hold, diagnoses=None, inference=False):
    import html

    diagnoses = diagnoses or {}
    rows, lists = [], []
    for i, (name, rec) in enumerate(headline.iterrows()):
        cells = "".join(f"<td>{v:.3f}</td>" for v in rec.to_numpy())
        found = diagnoses.get(name, [])
        flag = (f'<td><a href="#warnings-{i}">{len(found)}</a></td>' if found else "<td>0</td>")
        rows.append(f'<tr><td><a href="report_{html.escape(name)}.html">{html.escape(name)}'
                    f"</a></td>{cells}{flag}</tr>")
        if found:
            items = "".join(f"<li>{html.escape(w)}</li>" for w in found)
            lists.append(f'<h3 id="warnings-{i}">{html.escape(name)}</h3><ul>{items}</ul>')
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in headline.columns)
    head += "<th>warnings</th>"
    warnings_html = ("<h2>Warnings</h2><p>Signs that a generator has clearly failed (see "
                     "sksynth.metrics.diagnose for the thresholds).</p>" + "".join(lists)
                     if lists else "<h2>Warnings</h2><p>None.</p>")
    inference_html = (
        '<p>Confidence intervals from real, default synthetic and debiased synthetic '
        'rows: <a href="inference.csv">inference.csv</a>.</p>' if inference else "")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\"><title>sksynth demo</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccd;padding:.3em .7em}th{background:#eef}</style></head>"
        "<body><h1>sksynth demo: synthetic Adult census data</h1>"
        f"<p>Each generator was fitted on {n_train} rows of the UCI Adult data and drew as "
        f"many synthetic rows; utility and privacy use {n_hold} holdout rows. Arrows: "
        "higher (↑) or lower (↓) is better; (0.5): closer to 0.5 is better. Open a "
        "generator's report for the plots.</p>"
        f"<table><thead><tr><th>generator</th>{head}</tr></thead><tbody>{''.join(rows)}"
        f"</tbody></table>{warnings_html}{inference_html}</body></html>\n"
    )


# ---------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser():
    import sksynth

    def flags(default):
        # the sub-commands repeat the flags with SUPPRESS defaults, so that
        # "sksynth --quiet fit ..." is not overridden by the sub-command's default
        group = argparse.ArgumentParser(add_help=False)
        group.add_argument("-q", "--quiet", action="store_true", default=default,
                           help="no progress bars or summaries")
        group.add_argument("--debug", action="store_true", default=default,
                           help="show the full traceback of an error")
        return group

    def csv_flags(command):
        command.add_argument("--sep", default=None, metavar="C",
                             help="CSV field delimiter, e.g. ';' or tab (default: sniffed "
                                  "among , ; tab |)")
        command.add_argument("--decimal", default=None, choices=[".", ","],
                             help="CSV decimal mark (default: sniffed; ',' only with a "
                                  "delimiter other than ',')")

    def force(command):
        command.add_argument("--force", action="store_true",
                             help="overwrite existing output files (never an input file)")

    common = flags(argparse.SUPPRESS)
    parser = _Parser(prog="sksynth", description="Fit, sample and evaluate synthetic data.",
                     parents=[flags(False)])
    parser.add_argument("--version", action="version", version=f"sksynth {sksynth.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    demo = sub.add_parser("demo", parents=[common],
                          help="fit the available generators to the bundled Adult data, "
                               "evaluate them, write reports")
    demo.add_argument("--out", default="sksynth_demo_output",
                      help="output directory (default: sksynth_demo_output); its index.html, "
                           "summary.csv, inference.csv and report_*.html are replaced")
    demo.add_argument("--rows", type=_positive, default=10_000,
                      help="training rows drawn from Adult (default 10000)")
    demo.add_argument("--holdout-rows", type=_positive, default=5_000,
                      help="holdout rows (default 5000)")
    demo.add_argument("--generators", default=None,
                      help="comma-separated generator names (default: those available of "
                           + ", ".join(DEMO_GENERATORS) + ")")
    demo.add_argument("--epochs", type=_positive, default=30,
                      help="training epochs of the neural generators (default 30)")
    demo.add_argument("--n-bootstrap", type=_count, default=100,
                      help="bootstrap resamples of the utility intervals (default 100)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(func=cmd_demo)

    fit = sub.add_parser("fit", parents=[common], help="fit a generator to a CSV/Parquet file")
    fit.add_argument("data", help="training table (.csv, .tsv, .parquet)")
    fit.add_argument("--generator", required=True,
                     help="generator class name, e.g. GaussianCopulaGenerator (or copula)")
    fit.add_argument("--param", action="append", metavar="KEY=VALUE",
                     help="generator parameter, repeatable (values are Python literals)")
    fit.add_argument("--constraint", action="append", metavar="CONSTRAINT",
                     help="constraint every sampled row keeps, repeatable: a call of "
                          "Inequality, Range or FixedCombinations with literal arguments, "
                          "e.g. \"Inequality('Min.Price', 'Price')\" (parsed, never run)")
    fit.add_argument("--target", default=None,
                     help="column passed as y (a class-conditional or joint target)")
    fit.add_argument("--seed", type=int, default=None, help="random_state of the generator")
    fit.add_argument("--out", required=True, help="model file to write")
    csv_flags(fit)
    force(fit)
    fit.set_defaults(func=cmd_fit)

    sample = sub.add_parser(
        "sample", parents=[common],
        help="stream synthetic rows from a model file to CSV/Parquet",
        description="Stream synthetic rows from a model file to CSV/Parquet. Model files "
                    "are loaded without running code from them: only plain values, arrays "
                    "and allow-listed sksynth, scikit-learn, numpy, pandas and torch types "
                    "are rebuilt, and a file naming any other type is refused. Old model "
                    "files (format 1) hold a pickle, which runs any code it contains when "
                    "loaded; they are refused unless --trust-pickle is given.")
    sample.add_argument("model", help="model file written by sksynth fit")
    sample.add_argument("-n", "--n-samples", dest="n", type=_count, required=True,
                        help="number of rows (e.g. 1000000 or 1e6)")
    sample.add_argument("--out", required=True, help="output table (.csv[.gz], .parquet)")
    sample.add_argument("--batch-size", type=_positive, default=100_000,
                        help="rows per batch: memory is proportional to it (default 100000)")
    sample.add_argument("--seed", type=int, default=None,
                        help="seed of the draw (default: the model's own stream)")
    sample.add_argument("--trust-pickle", action="store_true",
                        help="also load an old model file whose payload is a pickle; "
                             "unpickling runs any code the file holds, so only for files "
                             "you wrote yourself (a warning is printed)")
    force(sample)
    sample.set_defaults(func=cmd_sample)

    ev = sub.add_parser("evaluate", parents=[common],
                        help="compare a synthetic table with the real one, write a report")
    ev.add_argument("real", help="real table the generator was fitted on")
    ev.add_argument("synthetic", help="synthetic table")
    ev.add_argument("--holdout", default=None, help="real rows the generator never saw")
    ev.add_argument("--target", default=None, help="column to predict for utility")
    ev.add_argument("--report", required=True, help="HTML report to write")
    ev.add_argument("--summary", default=None,
                    help="also write the metric table as CSV (.csv.gz etc. compressed)")
    ev.add_argument("--title", default=None, help="report title")
    ev.add_argument("--no-detection", action="store_true",
                    help="skip the classifier two-sample test (the slowest measure)")
    ev.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    csv_flags(ev)
    force(ev)
    ev.set_defaults(func=cmd_evaluate)
    return parser


def _format_warning(message, category, filename, lineno, line=None):
    return f"sksynth: warning: {_one_line(message)} ({category.__name__})\n"


def main(argv=None):
    """Run the ``sksynth`` command line; return the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success, 1 on an error, 2 on a usage error, 130 when interrupted
        (Ctrl-C), 143 when terminated (SIGTERM).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    previous, warnings.formatwarning = warnings.formatwarning, _format_warning
    handler = _install_sigterm()
    try:
        return _run(args)
    finally:
        warnings.formatwarning = previous
        if handler is not None:
            signal.signal(signal.SIGTERM, handler[0] if handler[0] is not None else
                          signal.SIG_DFL)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is, so temporary files are removed as on Ctrl-C."""


def _on_sigterm(signum, frame):
    raise _Terminated()


def _install_sigterm():
    """Turn SIGTERM into :class:`_Terminated`; ``(previous handler,)``, None if not installed."""
    try:
        return (signal.signal(signal.SIGTERM, _on_sigterm),)
    except (ValueError, OSError):  # not the main thread, or no SIGTERM here
        return None


def _run(args):
    try:
        return int(args.func(args) or 0)
    except CLIError as exc:
        if args.debug:
            raise
        print(f"sksynth: error: {exc}", file=sys.stderr)
        return exc.code
    except _Terminated:
        print("sksynth: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("sksynth: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, KeyError, OSError, MemoryError) as exc:
        if args.debug:
            raise
        print(f"sksynth: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # never a traceback without --debug
        if args.debug:
            raise
        print(f"sksynth: error: {type(exc).__name__}: {_one_line(exc)} (rerun with --debug "
              "for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
