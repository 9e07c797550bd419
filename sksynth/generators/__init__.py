"""Generators: estimators that learn a distribution and draw new rows.

Every generator is a scikit-learn transformer with ``fit``, ``sample``,
``iter_sample``, ``transform`` and ``score`` (mean log-likelihood).

The PyTorch models (:class:`TabularVAE`, :class:`ConditionalTabularGAN`,
:class:`TabularDiffusion`, :class:`LipschitzVAE`, :class:`DPSGDVAE`,
:class:`SLDSVAE`) are imported on first access, so ``import sksynth.generators``
does not import torch (:class:`DPSGDVAE` needs Opacus, the ``privacy`` extra, to fit).
"""

import importlib

from ._copula import GaussianCopulaGenerator
from ._gaussian import GaussianGenerator, GaussianMixtureGenerator
from ._noise import LabelNoise
from ._tabular import TabularEncoder

# public name -> private module, imported on first access (they import torch)
_LAZY = {"TabularVAE": "._vae", "ConditionalTabularGAN": "._gan",
         "LipschitzVAE": "._lipschitz_vae", "DPSGDVAE": "._dpsgd", "SLDSVAE": "._svae",
         "TabularDiffusion": "._diffusion"}

__all__ = [
    "ConditionalTabularGAN",
    "DPSGDVAE",
    "GaussianCopulaGenerator",
    "GaussianGenerator",
    "GaussianMixtureGenerator",
    "LabelNoise",
    "LipschitzVAE",
    "SLDSVAE",
    "TabularDiffusion",
    "TabularEncoder",
    "TabularVAE",
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
