"""Constraints that every sampled row satisfies, by construction.

A constraint rewrites some columns into unconstrained ones before the
generator models them and maps what the generator draws back, so 100% of the
sampled rows satisfy it without rejection sampling. Pass them to any
mixed-type generator: ``GaussianCopulaGenerator(constraints=[...])``, and
likewise :class:`~sksynth.generators.TabularVAE`,
:class:`~sksynth.generators.ConditionalTabularGAN`,
:class:`~sksynth.generators.LipschitzVAE` and
:class:`~sksynth.generators.DPSGDVAE` (a :class:`~sksynth.inference.DebiasedGenerator`
samples through its generator's constraints).

- :class:`Inequality`: ``low <= high`` (numeric or datetime columns);
- :class:`Range`: a column between fixed bounds;
- :class:`FixedCombinations`: only combinations of values seen in training;
- your own: any object with ``columns``, ``is_valid``, ``transform`` and
  ``inverse_transform`` (see :class:`BaseConstraint`).
"""

from ._base import BaseConstraint
from ._combinations import FixedCombinations
from ._inequality import Inequality
from ._range import Range

__all__ = ["BaseConstraint", "FixedCombinations", "Inequality", "Range"]
