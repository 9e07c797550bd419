"""``sksynth demo``: fit the generators to the bundled Adult data, evaluate them, report."""

import os
import sys
import time

from sksynth._tables import CLIError, _atomic, _one_line

from ._io import _print_warnings, _progress
from ._params import ALIASES, _generator_classes

#: Generators the demo tries, in order, when present in sksynth.generators.
DEMO_GENERATORS = ("GaussianCopulaGenerator", "TabularVAE", "ConditionalTabularGAN")


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
