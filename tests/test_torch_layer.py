"""The torch layer: every neural generator trains through one skorch net, alike.

Each of the six neural generators (TabularVAE, ConditionalTabularGAN,
LipschitzVAE, DPSGDVAE, SLDSVAE, TabularDiffusion) is fitted at the shared fast settings
(``tests/_fast_params.py``) and must show the same skorch history, honour
skorch callbacks (an early stop by ``KeyboardInterrupt``), train on one torch
thread and restore the caller's setting, reject unusable devices with the same
message, pickle without its training net, and grid-search over the shared
parameter vocabulary. A source check keeps each concern in one place.
"""

import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from skorch.callbacks import Callback
from skorch.history import History
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sksynth import generators
from sksynth.datasets import make_slds

from _fast_params import FAST_PARAMS

NEURAL = ["TabularVAE", "ConditionalTabularGAN", "LipschitzVAE", "DPSGDVAE", "SLDSVAE",
          "TabularDiffusion"]
#: The first key of every history row after ``epoch``: the epoch's training loss.
LOSS_KEY = {"SLDSVAE": "elbo"}
#: The second parameter of the grid search: the latent size, or the sampler's steps of the
#: diffusion (which has no latent space).
GRID_PARAM = {"TabularDiffusion": ("n_steps", [2, 4])}


def _data(name):
    if name == "SLDSVAE":
        return make_slds(12, 10, n_states=2, n_features=3, random_state=0)[0]
    rng = np.random.RandomState(0)
    a = rng.normal(size=160)
    return pd.DataFrame({"a": a, "b": a + 0.5 * rng.normal(size=160),
                         "c": np.where(a > 0, "hi", "lo")})


def _generator(name, **params):
    if name == "DPSGDVAE":
        pytest.importorskip("opacus")  # the privacy extra
    return getattr(generators, name)(**{**FAST_PARAMS[name], "random_state": 0, **params})


class _StopAfter(Callback):
    """Stops training after ``epochs`` epochs, the way skorch's EarlyStopping does."""

    def __init__(self, epochs):
        self.epochs = epochs

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) >= self.epochs:
            raise KeyboardInterrupt


class _Threads(Callback):
    """Records torch's intra-op thread count during each epoch."""

    def __init__(self):
        self.seen = []

    def on_epoch_end(self, net, **kwargs):
        self.seen.append(torch.get_num_threads())


@pytest.mark.parametrize("name", NEURAL)
def test_history_callbacks_and_threads(name):
    threads = _Threads()
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        model = _generator(name, epochs=3, callbacks=[threads, ("stop", _StopAfter(2))])
        model.fit(_data(name))
        assert torch.get_num_threads() == 2  # the caller's setting is restored
    finally:
        torch.set_num_threads(before)
    assert threads.seen == [1, 1]  # trained on one thread, stopped after epoch 2 of 3
    assert isinstance(model.history_, History)
    assert model.history_[:, "epoch"] == [1, 2]
    losses = model.history_[:, LOSS_KEY.get(name, "train_loss")]
    assert np.all(np.isfinite(losses)) and np.all(np.asarray(model.history_[:, "dur"]) > 0)
    with pytest.raises(TypeError, match="skorch callbacks"):
        _generator(name, callbacks=[print]).fit(_data(name))


@pytest.mark.parametrize("name", NEURAL)
def test_pickling_without_the_net(name):
    model = _generator(name).fit(_data(name))
    assert hasattr(model, "net_")
    loaded = pickle.loads(pickle.dumps(model))
    assert not hasattr(loaded, "net_")
    assert list(loaded.history_) == list(model.history_)
    if name == "SLDSVAE":
        np.testing.assert_array_equal(loaded.sample(3, random_state=1),
                                      model.sample(3, random_state=1))
    else:
        pd.testing.assert_frame_equal(loaded.sample(20, random_state=1),
                                      model.sample(20, random_state=1))


@pytest.mark.parametrize("name", NEURAL)
@pytest.mark.parametrize("device, message", [
    ("tpu", "is not a torch device|is not supported"),
    pytest.param("cuda", "CUDA is not available", marks=pytest.mark.skipif(
        torch.cuda.is_available(), reason="CUDA is available")),
])
def test_devices_are_checked_alike(name, device, message):
    with pytest.raises(ValueError, match=message):
        _generator(name, device=device).fit(_data(name))


@pytest.mark.parametrize("name", [n for n in NEURAL if n != "SLDSVAE"])
def test_grid_search_over_the_shared_vocabulary(name):
    model = _generator(name)
    param, values = GRID_PARAM.get(name, ("latent_dim", [2, 4]))
    search = GridSearchCV(model, {"lr": [1e-3, 1e-2], param: values}, cv=2)
    search.fit(_data(name))
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert getattr(search.best_estimator_, param) in values
    assert clone(model).get_params()["lr"] == model.lr


def test_one_place_per_concern():
    """Threads, devices and progress are set only in the torch layer."""
    root = Path(generators.__file__).parent
    concerns = {
        r"set_num_threads\(": {"_torch/_net.py"},
        r"cuda\.is_available\(": {"_torch/_net.py"},
        r"from tqdm|import tqdm": {"_torch/_callbacks.py"},
        r"\bprint\(": set(),
        r"\.backward\(": {"_torch/_net.py", "_gan_nets.py", "_svae.py", "_svae_parts.py"},
    }
    for pattern, allowed in concerns.items():
        found = {str(path.relative_to(root)) for path in root.rglob("*.py")
                 if re.search(pattern, path.read_text())}
        assert found <= allowed, (pattern, found - allowed)
