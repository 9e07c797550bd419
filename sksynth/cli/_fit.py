"""``sksynth fit``: fit a generator to a table and write it to a model file."""

import sys
import time

from sksynth._persistence import save_model
from sksynth._tables import CLIError, _check_output, _one_line, read_table

from ._io import _progress
from ._params import _parse_params, _resolve_generator, _set_constraints, _set_params


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
