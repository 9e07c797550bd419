"""``sksynth sample``: stream synthetic rows from a model file to a table."""

import time

from sksynth._persistence import load_model
from sksynth._tables import (
    TableWriter,
    _atomic,
    _check_compression,
    _check_output,
    _need_pyarrow,
    _table_format,
)

from ._io import _progress


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
