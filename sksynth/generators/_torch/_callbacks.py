"""Callbacks shared by every neural generator: progress, held-out quality, early stopping."""

from skorch.callbacks import Callback, EarlyStopping


def check_callbacks(callbacks, owner):
    """The user's ``callbacks`` as a list of skorch callbacks (or ``(name, callback)``)."""
    callbacks = list(callbacks or [])
    for callback in callbacks:
        item = callback[1] if isinstance(callback, tuple) and len(callback) == 2 else callback
        if not isinstance(item, Callback):
            raise TypeError(
                f"{owner}: callbacks must be skorch callbacks (skorch.callbacks.Callback "
                "instances, e.g. LRScheduler, Checkpoint, ProgressBar, EarlyStopping) or "
                f"(name, callback) pairs; got {type(item).__name__}."
            )
    return callbacks


class EpochProgress(Callback):
    """One progress bar over epochs (tqdm), with the last epoch's losses, when ``verbose``.

    The only progress display of the neural generators: skorch's per-epoch table
    (``PrintLog``) and per-batch bar (``ProgressBar``) stay available as
    callbacks.
    """

    def __init__(self, desc=None):
        self.desc = desc

    def on_train_begin(self, net, **kwargs):
        from tqdm.auto import tqdm

        self.bar_ = tqdm(total=net.max_epochs, desc=self.desc or type(net.module_).__name__,
                         unit="epoch", disable=not net.verbose, leave=True,
                         dynamic_ncols=True)

    def on_epoch_end(self, net, **kwargs):
        bar = getattr(self, "bar_", None)
        if bar is None:
            return
        bar.update(1)
        if net.verbose:
            logs = {key: value for key, value in net.history[-1].items()
                    if isinstance(value, float) and key != "dur"}
            bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()}, refresh=False)

    def on_train_end(self, net, **kwargs):
        bar = getattr(self, "bar_", None)
        if bar is not None:
            bar.close()
            self.bar_ = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("bar_", None)
        return state


class HeldOutQuality(Callback):
    """Every ``interval`` epochs (and after the last), record ``score()`` in the history.

    ``score`` returns a dict of floats, e.g. ``{"val_quality": 0.87, "val_elbo":
    -3.1}``: the generator's held-out score of its samples against rows kept out
    of training. The values are written into the epoch's history row, where
    :class:`ValidationStopping` and the user's callbacks read them.
    """

    def __init__(self, score, interval=1):
        self.score = score
        self.interval = interval

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if epoch % self.interval == 0 or epoch == net.max_epochs:
            for key, value in self.score().items():
                net.history.record(key, value)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["score"] = None  # a closure over the training rows: never kept
        return state


class ValidationStopping(EarlyStopping):
    """skorch's :class:`~skorch.callbacks.EarlyStopping` on a score recorded some epochs only.

    Epochs without ``monitor`` in their history row are skipped, so
    ``patience`` counts validations, not epochs. Any improvement counts
    (``threshold=0``, absolute), and the weights of the best validation are
    restored at the end (``load_best``), as when training ran to the end.
    """

    def __init__(self, monitor="val_quality", patience=5, lower_is_better=False):
        super().__init__(monitor=monitor, patience=patience, threshold=0.0,
                         threshold_mode="abs", lower_is_better=lower_is_better,
                         sink=print, load_best=True)

    def on_epoch_end(self, net, **kwargs):
        if self.monitor in net.history[-1]:
            super().on_epoch_end(net, **kwargs)
