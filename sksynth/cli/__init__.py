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

# The package: _main (parser, main, SIGTERM), one module per command (_fit, _sample,
# _evaluate, _demo), _params (--generator, --param, --constraint) and _io (progress
# bars, count arguments, printed warnings). Tables and model files are read and
# written by sksynth._tables and sksynth._persistence, whose public names are
# importable from here too.
from sksynth._persistence import (
    MODEL_FORMAT,
    MODEL_FORMAT_VERSION,
    MODEL_MAGIC,
    PICKLE_FORMAT_VERSION,
    load_model,
    save_model,
)
from sksynth._tables import CLIError, TableWriter, read_table

from ._demo import DEMO_GENERATORS
from ._main import main
from ._params import ALIASES

__all__ = [
    "ALIASES",
    "CLIError",
    "DEMO_GENERATORS",
    "MODEL_FORMAT",
    "MODEL_FORMAT_VERSION",
    "MODEL_MAGIC",
    "PICKLE_FORMAT_VERSION",
    "TableWriter",
    "load_model",
    "main",
    "read_table",
    "save_model",
]
