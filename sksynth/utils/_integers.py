"""Floats back into integer dtypes without wrapping, for every generator.

``float(np.iinfo(np.int64).max)`` is ``2**63``, one past the range: a plain
``np.clip(x, info.min, info.max).astype(int64)`` wraps it to ``-2**63`` (and
``2**64`` to 0 for uint64). :func:`_float_to_int` clips to the largest float
inside the range first, and adds back an integer ``offset`` exactly (columns
modelled as offsets from their minimum, beyond 2**53).
"""

import numpy as np


def _float_to_int(values, dtype, offset=0):
    """Round float ``values`` (offsets from ``offset``) into integer ``dtype``, clipped.

    The bounds are clipped in float first, to the largest float that does not
    exceed them (the float nearest to 2**63 - 1 is 2**63, which would wrap).
    """
    dtype = np.dtype(getattr(dtype, "numpy_dtype", dtype))  # Int64 -> int64
    info = np.iinfo(dtype)
    lo, hi = _float_within(int(info.min) - offset), _float_within(int(info.max) - offset)
    values = np.clip(np.rint(values), lo, hi)
    if not offset:
        return values.astype(dtype)
    # values lie in [lo, hi]: shift in modular unsigned arithmetic, then reinterpret
    negative = values < 0
    magnitude = np.abs(values).astype(np.uint64)
    shifted = np.where(negative, np.uint64(offset % 2**64) - magnitude,
                       np.uint64(offset % 2**64) + magnitude)
    return shifted.view(np.int64).astype(dtype) if dtype.kind == "i" else shifted.astype(dtype)


def _float_within(bound):
    """The float nearest ``bound`` (a Python int) on the side of zero."""
    value = float(bound)
    if abs(int(value)) > abs(bound):
        value = float(np.nextafter(value, 0.0))
    return value
