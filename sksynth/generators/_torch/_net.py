"""The skorch net of every neural generator, its batch iterators and its thread pin."""

import warnings

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import EpochTimer, PassthroughScoring

from ._callbacks import EpochProgress


class one_thread:
    """Run torch on one intra-op thread, restoring the previous setting on exit.

    The package's networks are small: one thread is several times faster than
    two on a shared 2-core machine (no spinning workers, no hand-offs). Every
    neural generator trains and samples inside it; this is the only place the
    package sets torch threads.
    """

    def __enter__(self):
        self.previous = torch.get_num_threads()
        torch.set_num_threads(1)
        return self

    def __exit__(self, *exc):
        torch.set_num_threads(self.previous)


def resolve_device(device):
    """``torch.device`` for the ``device`` parameter, with a clear error if unusable.

    The only device check of the neural generators (every one resolves its
    ``device`` here at fit).
    """
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'cpu' or 'cuda' (or 'cuda:1')."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but CUDA is not available (torch.cuda.is_available() is "
            "False); use device='cpu'."
        )
    if resolved.type not in ("cpu", "cuda"):
        raise ValueError(f"device={device!r} is not supported; use 'cpu' or 'cuda'.")
    return resolved


def loaded_device(device, owner):
    """The device on which a generator pickled after a fit on ``device`` is loaded.

    ``device`` itself, or the CPU with a warning when it is a CUDA device and
    CUDA is not available here: a model fitted on a GPU loads on any machine.
    """
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        warnings.warn(
            f"{owner} was fitted on {device} but CUDA is not available: it is loaded on "
            "the CPU (set device='cpu' to silence this warning).", UserWarning, stacklevel=3)
        return torch.device("cpu")
    return device


class RowBatches:
    """A skorch iterator over tensors already on the device: one random permutation per epoch.

    ``dataset.X`` is a dict of tensors with one row per training row (skorch's
    ``Dataset`` of a dict); a batch is the dict of the same rows of each, taken
    with one ``index_select`` per tensor, so no ``DataLoader`` collates rows one
    at a time. The permutation comes from ``generator``, a seeded CPU
    ``torch.Generator`` (``torch.randperm``) or a NumPy ``RandomState``
    (``permutation``), so a fit is reproducible.
    """

    def __init__(self, dataset, batch_size, shuffle=True, generator=None):
        self.tensors = dataset.X
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        n = len(next(iter(self.tensors.values())))
        return -(-n // self.batch_size)

    def __iter__(self):
        first = next(iter(self.tensors.values()))
        n = len(first)
        if not self.shuffle:
            order = torch.arange(n)
        elif isinstance(self.generator, np.random.RandomState):
            order = torch.as_tensor(self.generator.permutation(n))
        else:
            order = torch.randperm(n, generator=self.generator)
        order = order.to(first.device)
        for start in range(0, n, self.batch_size):
            rows = order[start:start + self.batch_size]
            yield {name: values.index_select(0, rows) for name, values in self.tensors.items()}


class DrawnBatches:
    """A skorch iterator of ``n_batches`` steps whose rows the training step draws itself.

    The GAN draws each batch's rows to match a sampled condition (the
    training-by-sampling of CTGAN), so an epoch is a number of steps, not a
    pass over the rows. Each batch is a row-index placeholder of length
    ``batch_size``, so that skorch records the batch size.
    """

    def __init__(self, dataset, batch_size, shuffle=True, n_batches=1):
        self.n_batches = n_batches
        self.placeholder = torch.empty(batch_size, 0)

    def __len__(self):
        return self.n_batches

    def __iter__(self):
        for _ in range(self.n_batches):
            yield self.placeholder


class GeneratorNet(NeuralNet):
    """A :class:`skorch.NeuralNet` for a generative model trained on tensors.

    What differs from a supervised net: there is no target (``y=None``), no
    validation split (``train_split=None``: held-out quality is a callback,
    :class:`~._callbacks.HeldOutQuality`), the loss is computed by the
    subclass's ``train_step_single`` (or ``train_step``), and the default
    callbacks are a timer, the training loss and one progress bar over epochs
    (:class:`~._callbacks.EpochProgress`) instead of skorch's table. Training runs
    on one torch thread (:class:`one_thread`). ``fit`` catches
    ``KeyboardInterrupt`` (skorch's way to stop): Ctrl-C or an early stop ends
    training with the weights reached so far, ``on_train_end`` callbacks run.

    Parameters
    ----------
    module : torch.nn.Module
        The initialised model (its weights are drawn by the generator's seed).
    iterator_train : class, default=RowBatches
        How batches are made (see :class:`RowBatches`, :class:`DrawnBatches`).
    **kwargs
        As :class:`skorch.NeuralNet` (``max_epochs``, ``batch_size``,
        ``optimizer``, ``lr``, ``optimizer__*``, ``callbacks``, ``device``,
        ``verbose`` ...).
    """

    def __init__(self, module, *, criterion=torch.nn.Identity, iterator_train=RowBatches,
                 train_split=None, **kwargs):
        super().__init__(module, criterion, iterator_train=iterator_train,
                         train_split=train_split, **kwargs)

    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("progress", EpochProgress()),
        ]

    def initialize_module(self):
        # the module comes initialised (seeded weights): move it, never re-create it
        self.module_ = self.module.to(self.device)
        return self

    def train_step_single(self, batch, **fit_params):
        """One batch's loss and gradients: ``get_loss(infer(batch))`` (no target)."""
        self._set_training(True)
        y_pred = self.infer(batch, **fit_params)
        loss = self.get_loss(y_pred, None, X=batch, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def fit(self, X, y=None, **fit_params):
        with one_thread():
            return super().fit(X, y, **fit_params)


def picklable_state(state):
    """An estimator's ``__dict__`` for pickling: without its training net, with a plain history.

    The net (``net_``) holds the training data's closures and optimiser state;
    what a fitted generator needs is its weights (kept by the estimator) and
    ``history_``, which goes as the list of dicts skorch's ``History`` is, so that
    the safe model files (:mod:`sksynth._persistence`) need no skorch type.
    """
    state = dict(state)
    state.pop("net_", None)
    if "history_" in state:
        state["history_"] = [dict(epoch) for epoch in state["history_"]]
    return state


def restored_state(state):
    """Inverse of :func:`picklable_state` (``history_`` becomes a ``History`` again)."""
    from skorch.history import History

    state = dict(state)
    if "history_" in state:
        state["history_"] = History(state["history_"])
    return state
