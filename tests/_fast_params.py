"""One table of fast check parameters, for scikit-learn's checks and the generator contract.

``tests/test_common.py`` (``parametrize_with_checks``) and
``tests/test_generator_contract.py`` (``parametrize_with_generator_checks``)
build their instances here, so the two suites check the same configuration
of each estimator. An estimator without an entry is checked at its defaults.

The entries make the checks' many fits fast (a few epochs, small networks,
small batches); they do not change what a check asserts. Where a contract
check needs some learning (``check_conditional_rows``: the rows drawn for
class k must resemble class k on 150 rows of three classes), the entry buys
it with a larger learning rate over a few dozen steps rather than more
epochs. DPSGDVAE is given its ``noise_multiplier``, so that no fit searches
for the one that meets ``target_epsilon`` (a third of a second per fit).

The table lives in ``tests/`` because only the test suite needs it: the
contract (:mod:`sksynth.testing`) checks whatever instance it is given and
has no defaults of its own to share.
"""

import importlib.util

from sksynth.utils import all_estimators

FAST_PARAMS = {
    # 5 epochs of batch 16 at lr 1e-2: 50 steps honour class conditions on the check rows
    # (drawn class means 0.0 / 3.7 / 7.0 for training means 0 / 4 / 8)
    "TabularVAE": {"epochs": 5, "batch_size": 16, "lr": 1e-2, "latent_dim": 8,
                   "encoder_dims": (32,), "decoder_dims": (32,)},
    "ConditionalTabularGAN": {"epochs": 2, "batch_size": 50, "latent_dim": 8,
                              "generator_dims": (32,), "discriminator_dims": (32,)},
    # 10 epochs of batch 32 at lr 1e-2 (50 steps): drawn class means 0.4 / 3.7 / 7.8
    "LipschitzVAE": {"epochs": 10, "batch_size": 32, "lr": 1e-2, "encoder_dims": (16,),
                     "decoder_dims": (16,), "latent_dim": 2},
    "DPSGDVAE": {"epochs": 1, "encoder_dims": (16,), "decoder_dims": (16,), "latent_dim": 2,
                 "noise_multiplier": 1.0},
    # 20 epochs of batch 16 at lr 1e-2 (200 steps): 5 epochs left the rows drawn for class 2
    # at mean 5.1, nearer class 1's 3.9 than class 2's 7.9 (check_conditional_rows)
    "TabularDiffusion": {"epochs": 20, "batch_size": 16, "lr": 1e-2, "denoiser_dims": (32,),
                         "n_steps": 10},
    "SLDSVAE": {"n_states": 2, "encoder_dims": (8,), "decoder_dims": (8,), "epochs": 2,
                "pretrain_epochs": 2, "inference_max_iter": 5},
}


def installed(cls):
    """False for estimators whose optional extra (``_optional_dependency``) is missing."""
    dependency = getattr(cls, "_optional_dependency", None)
    return dependency is None or importlib.util.find_spec(dependency) is not None


def fast_instance(cls):
    """``cls`` with its entry of :data:`FAST_PARAMS` (its defaults without one)."""
    return cls(**FAST_PARAMS.get(cls.__name__, {}))


def fast_estimators(keep=None):
    """One fast instance of every public estimator whose extra is installed.

    ``keep(cls)``, when given, selects the classes.
    """
    return [fast_instance(cls) for _, cls in all_estimators()
            if installed(cls) and (keep is None or keep(cls))]
