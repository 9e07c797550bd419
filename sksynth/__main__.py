"""``python -m sksynth``: the ``sksynth`` command line (see :mod:`sksynth.cli`)."""

import sys

from sksynth.cli import main

if __name__ == "__main__":
    sys.exit(main())
