"""``python -m sksynth.cli``, the same as ``python -m sksynth``."""

import sys

from ._main import main

if __name__ == "__main__":
    sys.exit(main())
