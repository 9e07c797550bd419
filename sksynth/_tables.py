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
import re
import zipfile

__all__ = ["CSVDialect", "open_compressed", "sniff_csv"]

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
