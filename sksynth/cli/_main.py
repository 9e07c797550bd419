"""The ``sksynth`` entry point: the argument parser, :func:`main` and SIGTERM handling."""

import argparse
import signal
import sys
import warnings

from sksynth._tables import CLIError, _one_line

from ._demo import DEMO_GENERATORS, cmd_demo
from ._evaluate import cmd_evaluate
from ._fit import cmd_fit
from ._io import _count, _positive
from ._sample import cmd_sample


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
