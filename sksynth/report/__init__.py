"""A self-contained HTML report on synthetic data.

:class:`SyntheticDataReport` puts the measures of :mod:`sksynth.metrics` and
plots (marginals of every column, association differences, a PCA overlay,
utility and privacy) into one HTML file with the images embedded, which opens
in any browser without network access.
"""

from ._report import SyntheticDataReport

__all__ = ["SyntheticDataReport"]
