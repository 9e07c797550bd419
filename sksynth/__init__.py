"""sksynth: scikit-learn compatible synthetic data.

Generators with ``fit``/``sample`` (:mod:`sksynth.generators`), pruners fitted on
real data (:mod:`sksynth.pruning`), augmentation meta-estimators that live inside
``Pipeline`` and ``GridSearchCV`` (:mod:`sksynth.augmentation`), and bundled or
simulated data sets (:mod:`sksynth.datasets`).

Importing :mod:`sksynth` is light: sub-packages load on first attribute access
and PyTorch is imported only by the neural models.
"""

import importlib

__version__ = "0.1.0.dev0"

_SUBMODULES = [
    "augmentation",
    "base",
    "datasets",
    "generators",
    "inference",
    "linear_model",
    "metrics",
    "privacy",
    "pruning",
    "report",
    "studies",
    "testing",
    "theory",
]

__all__ = _SUBMODULES + ["__version__"]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"sksynth.{name}")
    raise AttributeError(f"module 'sksynth' has no attribute {name!r}")


def __dir__():
    return __all__
