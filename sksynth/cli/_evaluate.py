"""``sksynth evaluate``: compare a synthetic table with the real one and write a report."""

import os
import sys

from sksynth._tables import (
    CLIError,
    _atomic,
    _check_compression,
    _check_output,
    _open_text,
    _table_format,
    read_table,
)

from ._io import _print_warnings, _progress


def _print_summary(results, file=sys.stdout):
    import pandas as pd

    show = results[results["column"].isna() | (results["category"] == "utility")]
    show = show[["category", "metric", "value", "ci_low", "ci_high", "direction"]]
    with pd.option_context("display.max_rows", 200, "display.width", 120,
                           "display.float_format", "{:.4f}".format):
        print(show.to_string(index=False), file=file)


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
