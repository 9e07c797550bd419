"""Tables of the benchmark scripts: printed aligned, kept as CSV, pasted as markdown.

Each benchmark prints its tables with :func:`print_table` and, when given a
``results`` directory, keeps them as ``<name>.csv`` under it
(``benchmarks/results/`` by default), so that the tables of
``benchmarks/README.md`` can be rechecked without a rerun. ``--markdown`` prints
each table as a markdown table as well (what the README holds).
"""

import csv
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


class Report:
    """Collects the tables of one benchmark run.

    Parameters
    ----------
    prefix : str
        File-name prefix of the CSVs (e.g. ``"rmt"`` gives ``rmt_<name>.csv``).
    results : path or None
        Directory for the CSVs; ``None`` keeps nothing on disk.
    markdown : bool
        Also print each table in markdown.
    """

    def __init__(self, prefix, results=RESULTS, markdown=False):
        self.prefix = prefix
        self.results = None if results is None else Path(results)
        self.markdown = markdown

    def table(self, name, title, header, rows):
        """Print ``rows`` (sequences of str or numbers) under ``header``; keep them."""
        rows = [[str(c) for c in row] for row in rows]
        header = [str(h) for h in header]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        line = "  ".join("-" * w for w in widths)
        print(f"\n{title}\n{line}")
        print(_align(header, widths))
        print(line)
        for row in rows:
            print(_align(row, widths))
        print(line)
        if self.markdown:
            print()
            cell = lambda text: text.replace("|", "\\|")  # noqa: E731
            print("| " + " | ".join(map(cell, header)) + " |")
            print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
            for row in rows:
                print("| " + " | ".join(map(cell, row)) + " |")
        if self.results is not None:
            self.results.mkdir(parents=True, exist_ok=True)
            path = self.results / f"{self.prefix}_{name}.csv"
            with open(path, "w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(rows)
            print(f"(kept in {path})")


def add_arguments(parser):
    """The ``--results`` / ``--no-results`` / ``--markdown`` options of every benchmark."""
    parser.add_argument("--results", default=str(RESULTS),
                        help="directory for the CSV tables (default benchmarks/results)")
    parser.add_argument("--no-results", action="store_true", help="keep no CSV")
    parser.add_argument("--markdown", action="store_true", help="also print markdown tables")


def from_arguments(prefix, args):
    """The :class:`Report` the parsed options ask for."""
    return Report(prefix, None if args.no_results else args.results, args.markdown)


def _align(cells, widths):
    return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                     for i, (c, w) in enumerate(zip(cells, widths)))
