"""Atomic file output: write a temporary file beside the target, then rename it."""

import contextlib
import os
import secrets

__all__ = ["atomic_output"]


@contextlib.contextmanager
def atomic_output(path):
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    Readers never see a half-written file, and a failure (or an interrupt)
    leaves any previous file at ``path`` untouched. The temporary file is
    created with the usual permissions (the process umask), and removed when
    the block raises.

    Parameters
    ----------
    path : str or path-like
        The final location.

    Yields
    ------
    tmp : str
        Where to write.
    """
    path = os.path.abspath(os.fspath(path))
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
