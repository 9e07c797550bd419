"""The torch layer: every neural generator trains through one skorch ``NeuralNet``.

:class:`GeneratorNet` (:mod:`._net`) is a :class:`skorch.NeuralNet` whose data
come as pre-built tensors (:class:`RowBatches`, :class:`DrawnBatches`), whose
training step each generator's net overrides (``train_step_single`` for a
likelihood, ``train_step`` for the GAN's two optimisers), and whose threads,
device, history, progress and callbacks are the same for all of them
(:mod:`._callbacks`). The sklearn-facing generators own a fitted net and keep
their own contract (``fit`` / ``sample`` / ``score``). See ``doc/design.rst``,
"The torch layer".
"""

from ._callbacks import EpochProgress, HeldOutQuality, ValidationStopping, check_callbacks
from ._net import (DrawnBatches, GeneratorNet, RowBatches, loaded_device, one_thread,
                   picklable_state, resolve_device, restored_state)

__all__ = ["DrawnBatches", "EpochProgress", "GeneratorNet", "HeldOutQuality", "RowBatches",
           "loaded_device",
           "ValidationStopping", "check_callbacks", "one_thread", "picklable_state",
           "resolve_device", "restored_state"]
