"""CSV dialects and compressed files for the command line.

A CSV written by a spreadsheet in much of Europe separates fields with ``;``
and writes ``1,5`` for one and a half; read with the defaults it becomes one
text column, and a generator fitted on it replays the training lines. The
dialect is therefore sniffed from the first lines of the file, and a file that
still parses to one column while its lines hold another delimiter is refused.
"""

import bz2
import csv
import gzip
import io
import lzma
import os
import re
import zipfile

__all__ = ["CLIError", "CSVDialect", "TableWriter", "open_compressed", "read_table",
           "sniff_csv"]

#: Field delimiters the sniffer chooses among, most common first.
DELIMITERS = (",", ";", "\t", "|")
_NAMES = {",": "','", ";": "';'", "\t": "a tab", "|": "'|'"}
_SAMPLE_BYTES = 64 * 1024
_COMMA_NUMBER = re.compile(r"^[+-]?\d+,\d+$")
_POINT_NUMBER = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")


def _zstd_open(path, mode, **kwargs):
    try:
        import zstandard
    except ImportError:
        raise ImportError(
            f"{path!r} is zstd-compressed, which needs zstandard: pip install zstandard "
            "(or use .gz, .bz2 or .xz)"
        ) from None
    return zstandard.open(path, mode, **kwargs)


#: Openers of compressed files, by suffix.
OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".zst": _zstd_open}


def open_compressed(path, compression, mode, **kwargs):
    """Open ``path`` through the codec of its suffix (``None``: a plain file)."""
    if compression is None:
        return open(path, mode, **kwargs)
    return OPENERS[compression](path, mode, **kwargs)


def describe(sep):
    """``sep`` as the user would name it in an error message."""
    return _NAMES.get(sep, repr(sep))


def parse_sep(text):
    """The delimiter given to ``--sep``: one character, or ``tab``/``\\t``."""
    if text is None:
        return None
    if text.lower() in ("tab", "\\t"):
        return "\t"
    if len(text) != 1 or text in "\"'\r\n":
        raise ValueError(f"--sep expects one character (or 'tab'), got {text!r}")
    return text


class CSVDialect:
    """What :func:`sniff_csv` found: delimiter, decimal mark and quote character."""

    def __init__(self, sep, decimal=".", quotechar='"', sniffed=True, lines=()):
        self.sep = sep
        self.decimal = decimal
        self.quotechar = quotechar
        self.sniffed = sniffed
        self.lines = list(lines)

    def read_kwargs(self):
        return {"sep": self.sep, "decimal": self.decimal, "quotechar": self.quotechar,
                "encoding": "utf-8-sig"}

    def other_delimiter(self):
        """Another delimiter that splits every sample line (outside quotes), or None."""
        lines = [line for line in self.lines if line.strip()]
        for sep in DELIMITERS:
            if sep != self.sep and lines and all(
                    _field_count(line, sep, self.quotechar) > 1 for line in lines):
                return sep
        return None


def _head(path, compression):
    """The first lines of the file as text (a BOM dropped), complete lines only."""
    if compression == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            if not names:
                return ""
            with archive.open(names[0]) as fh:
                raw = fh.read(_SAMPLE_BYTES)
    else:
        with open_compressed(path, compression, "rb") as fh:
            raw = fh.read(_SAMPLE_BYTES)
    text = raw.decode("utf-8-sig", errors="replace")
    if len(raw) == _SAMPLE_BYTES and "\n" in text:
        text = text[: text.rindex("\n")]  # the last line may be cut
    return text


def _field_count(line, sep, quotechar):
    row = next(csv.reader([line], delimiter=sep, quotechar=quotechar), [])
    return len(row)


def _consistent(lines, sep, quotechar):
    """The number of fields per line with ``sep`` if all lines agree and it exceeds 1."""
    try:
        rows = list(csv.reader(lines, delimiter=sep, quotechar=quotechar))
    except csv.Error:
        return 0
    counts = {len(row) for row in rows if row}
    return counts.pop() if len(counts) == 1 and min(counts | {2}) > 1 else 0


def sniff_csv(path, compression, default_sep=","):
    """Guess the dialect of a CSV file from its first 64 KiB.

    The delimiter is the one among :data:`DELIMITERS` (the extension's default
    first, then :class:`csv.Sniffer`'s guess) that splits every sample line
    into the same number (> 1) of fields. With a delimiter other than ``,``,
    numbers written ``1,5`` (and none written ``1.5``) mean a decimal comma.
    """
    text = _head(path, compression)
    lines = [line for line in io.StringIO(text, newline=None).read().splitlines() if line.strip()]
    quotechar = '"'
    guess = None
    try:
        dialect = csv.Sniffer().sniff(text, delimiters="".join(DELIMITERS))
        guess = dialect.delimiter
        if dialect.quotechar == "'" and re.search(r"(^|[,;\t|])'[^']*'([,;\t|]|$)", text,
                                                  re.MULTILINE):
            quotechar = "'"
    except csv.Error:
        pass
    order = [default_sep] + [guess] * (guess is not None) + list(DELIMITERS)
    sep = next((s for s in dict.fromkeys(order) if _consistent(lines, s, quotechar)), None)
    if sep is None:  # one column, or ragged lines: let the parser and the checks decide
        return CSVDialect(default_sep, quotechar=quotechar, sniffed=False, lines=lines[:50])
    decimal = "."
    if sep != ",":
        fields = [f.strip() for row in csv.reader(lines[1:], delimiter=sep, quotechar=quotechar)
                  for f in row]
        if any(_COMMA_NUMBER.match(f) for f in fields) and not any(
                _POINT_NUMBER.match(f) for f in fields):
            decimal = ","
    return CSVDialect(sep, decimal=decimal, quotechar=quotechar, lines=lines[:50])


# ---------------------------------------------------------------------------
# reading and writing tables
# ---------------------------------------------------------------------------
_CSV_SUFFIXES = {".csv": None, ".txt": None, ".tsv": None}
_COMPRESSION = (".gz", ".bz2", ".xz", ".zst")


class CLIError(Exception):
    """An error reported to the user as one line, with exit status ``code``."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------
def _table_format(path):
    """``("csv", sep, compression)`` or ``("parquet", None, None)`` from the extension."""
    name = os.path.basename(os.fspath(path)).lower()
    stem, ext = os.path.splitext(name)
    compression = None
    if ext in _COMPRESSION or ext == ".zip":
        compression = ext
        stem, ext = os.path.splitext(stem)
    if ext in (".parquet", ".pq") and compression is None:
        return "parquet", None, None
    if ext in _CSV_SUFFIXES:
        return "csv", "\t" if ext == ".tsv" else ",", compression
    raise CLIError(
        f"cannot tell the format of {os.fspath(path)!r} from its extension; use .csv, .tsv "
        "(optionally .gz, .bz2, .xz, .zst, .zip) or .parquet"
    )


def _need_pyarrow(path):
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise CLIError(
            f"{os.fspath(path)!r} is a Parquet file, which needs pyarrow: pip install pyarrow "
            "(or pip install 'sksynth[parquet]'), or use a .csv file"
        ) from None


def _check_input_file(path, what):
    if not os.path.exists(path):
        raise CLIError(f"{what} file {path!r} does not exist")
    if os.path.isdir(path):
        raise CLIError(f"{what} {path!r} is a directory, not a file")
    if not os.access(path, os.R_OK):
        raise CLIError(f"{what} file {path!r} is not readable (permission denied)")


def _csv_dialect(path, compression, default_sep, sep, decimal):
    try:
        sep = parse_sep(sep)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    if sep is not None and decimal is not None:
        return CSVDialect(sep, decimal, sniffed=False)
    dialect = sniff_csv(path, compression, default_sep)
    if sep is not None:
        dialect.sep, dialect.sniffed = sep, False
        if decimal is None and sep == ",":
            dialect.decimal = "."
    if decimal is not None:
        dialect.decimal = decimal
    return dialect


def read_table(path, what="data", sep=None, decimal=None):
    """Read a CSV or Parquet file into a DataFrame, or raise :class:`CLIError`.

    Parameters
    ----------
    path : str
        A ``.csv``/``.tsv`` (optionally compressed) or Parquet file.
    what : str, default="data"
        What the file is, for error messages.
    sep : str, default=None
        Field delimiter of a CSV (``"tab"`` for a tab); sniffed when None.
    decimal : str, default=None
        Decimal mark of a CSV; sniffed when None (``","`` only with a
        delimiter other than ``","``).
    """
    import pandas as pd

    _check_input_file(path, what)
    kind, default_sep, compression = _table_format(path)
    dialect = None
    try:
        if kind == "parquet":
            _need_pyarrow(path)
            frame = pd.read_parquet(path)
        else:
            dialect = _csv_dialect(path, compression, default_sep, sep, decimal)
            frame = pd.read_csv(path, **dialect.read_kwargs())
    except CLIError:
        raise
    except pd.errors.EmptyDataError:
        raise CLIError(f"{what} file {path!r} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError, EOFError) as exc:
        raise CLIError(
            f"cannot read {what} file {path!r} as {kind.upper()}: {_one_line(exc)}"
        ) from None
    except Exception as exc:  # pyarrow raises its own error types
        raise CLIError(
            f"cannot read {what} file {path!r} as {kind.upper()}: {_one_line(exc)}"
        ) from None
    if frame.shape[0] == 0:
        raise CLIError(f"{what} file {path!r} has a header but no rows")
    if frame.shape[1] == 0:
        raise CLIError(f"{what} file {path!r} has no columns")
    unnamed = [c for c in frame.columns if str(c).startswith("Unnamed: ")]
    if unnamed and len(unnamed) == frame.shape[1]:
        raise CLIError(f"{what} file {path!r} has no header row of column names")
    other = dialect.other_delimiter() if dialect is not None and frame.shape[1] == 1 else None
    if other is not None:
        # one text column whose lines all hold another delimiter: a misread table,
        # which a generator would replay line by line
        raise CLIError(
            f"{what} file {path!r} parses to one column with the delimiter "
            f"{describe(dialect.sep)}, but each of its lines holds "
            f"{describe(other)}; pass --sep {'tab' if other == chr(9) else repr(other)} "
            "(or --sep with the right delimiter)"
        )
    return frame


def _check_output(path, inputs, what="output", force=False):
    """Refuse outputs that name an input, a directory, a missing directory, or
    (without ``force``) an existing file."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise CLIError(f"{what} {path!r} is a directory; give a file name")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CLIError(f"the directory of {what} {path!r} does not exist")
    if not os.access(directory, os.W_OK):
        raise CLIError(f"cannot write {what} {path!r}: directory not writable")
    for source in inputs:
        if source is None:
            continue
        same = os.path.abspath(path) == os.path.abspath(source)
        if not same and os.path.exists(path) and os.path.exists(source):
            same = os.path.samefile(path, source)
        if same:
            raise CLIError(
                f"refusing to overwrite the input file {source!r} with the {what}; choose "
                "another output path"
            )
    if os.path.lexists(path) and not force:
        raise CLIError(f"{what} {path!r} already exists; pass --force to overwrite it, or "
                       "choose another path")
    return path


def _atomic():
    from sksynth.report._atomic import atomic_output

    return atomic_output


def _open_text(path, compression):
    return open_compressed(path, compression, "wt", encoding="utf-8", newline="")


def _check_compression(path):
    """Fail before any work when the output's codec is not installed."""
    compression = _table_format(path)[2]
    if compression == ".zip":
        raise CLIError("writing .zip is not supported; use .csv.gz, .csv.bz2, .csv.xz or "
                       ".csv.zst")
    if compression == ".zst":
        try:
            import zstandard  # noqa: F401
        except ImportError:
            raise CLIError(f"{os.fspath(path)!r} is to be zstd-compressed, which needs "
                           "zstandard: pip install zstandard (or use .gz, .bz2 or .xz)") from None


class TableWriter:
    """Write DataFrame batches to one CSV or Parquet file (used inside a temp path)."""

    def __init__(self, path, target_path):
        self.path = path
        self.kind, self.sep, self.compression = _table_format(target_path)
        _check_compression(target_path)
        self._fh = None
        self._writer = None
        self._schema = None

    def write(self, frame):
        if self.kind == "csv":
            if self._fh is None:
                self._fh = _open_text(self.path, self.compression)
                frame.to_csv(self._fh, sep=self.sep, index=False, header=True)
            else:
                frame.to_csv(self._fh, sep=self.sep, index=False, header=False)
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._writer is None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            self._schema = table.schema
            self._writer = pq.ParquetWriter(self.path, self._schema)
        else:
            table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
        self._writer.write_table(table)

    def close(self):
        if self._fh is not None:
            self._fh.close()
        if self._writer is not None:
            self._writer.close()


def _one_line(exc):
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first
