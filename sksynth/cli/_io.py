"""The command line's terminal side: progress bars, count arguments, printed warnings.

Tables and model files are read and written by :mod:`sksynth._tables` and
:mod:`sksynth._persistence`.
"""

import argparse
import sys


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


def _print_warnings(warnings_, prefix="", file=None):
    """The diagnostics' warnings, one line each on standard error."""
    for message in warnings_:
        print(f"warning: {prefix}{message}", file=file if file is not None else sys.stderr)
