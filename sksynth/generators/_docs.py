"""Parameter descriptions that several generators share, written once.

A docstring line ``%(name)s`` (alone on its line, at the indentation of a
parameter entry) is replaced by :data:`_PARAMETERS` ``[name]`` at that
indentation, by :func:`fill_doc`, when the class is defined: the rendered
docstring (``help``, numpydoc, Sphinx) shows the full text, and a parameter
that means the same in several generators is described the same way. Only
lines that name a known entry are touched, so a ``%`` elsewhere in a
docstring stays as written.
"""

import re
import textwrap

_PARAMETERS = {
    "constraints": """\
constraints : list of constraints or None, default=None
    Rules every sampled row satisfies by construction, e.g.
    ``[Inequality("min_price", "max_price"), FixedCombinations(["species",
    "island"])]`` (see :mod:`sksynth.constraints`): the constrained columns
    are modelled through a reversible reparameterisation; training rows
    that break a rule are an error unless the constraint says
    ``on_violation="drop"``.""",
    "neural_column_types": """\
column_types : dict, default=None
    Type of some columns, ``{column: type}`` (see :class:`TabularEncoder`);
    identifiers and semantic types are made afresh, never learnt.""",
    "neural_min_group_size": """\
min_group_size : int, default=5
    Privacy floor. A table with fewer rows is refused; rows of a class with
    fewer training rows are generated as rows of the whole table (the
    network is asked for another class, drawn by frequency, and the row
    keeps its label; a :class:`~sksynth.base.PrivacyWarning` names the
    class); ``conditions`` on a category held by fewer rows are refused.
    ``1`` turns the floor off.""",
    "neural_device": """\
device : str or torch.device, default="cpu"
    Torch device to train and sample on: ``"cpu"`` or ``"cuda"``
    (``"cuda:1"``...). Scoring and :meth:`transform` run on the CPU in
    float64. A model fitted on a GPU loads on a machine without one (on
    the CPU, with a warning).""",
    "neural_precision": """\
precision : {"float32", "bfloat16"}, default="float32"
    Precision of the networks' matrix products during training.
    ``"bfloat16"`` runs them under ``torch.autocast`` (the weights, the
    losses and sampling stay float32): 1.7 (VAE) to 1.9 (GAN) times faster
    per epoch on full Adult on a CPU with native bfloat16 instructions
    (AVX512-BF16, AMX; ``benchmarks/README.md``), and on GPUs; slower on
    CPUs without them.""",
    "neural_validation": """\
validation_fraction : float, default=0.1
    Share of the rows held out for early stopping.
n_iter_no_change : int, default=5
    Validations without improvement before stopping.
validation_interval : int, default=10
    Epochs between validations.""",
    "neural_net_attributes": """\
net_ : skorch.NeuralNet
    The net that trained the model (not kept by pickling or model files,
    which keep the weights and ``history_``).
n_epochs_ : int
    Epochs run (the ``"auto"`` budget, or fewer with early stopping or a
    callback that stops).""",
    "neural_verbose": """\
verbose : int, default=0
    Show a progress bar over epochs (tqdm, with the time left).""",
}

#: The table and training parameters TabularVAE and ConditionalTabularGAN share, in order.
_PARAMETERS["neural_table"] = "\n".join(_PARAMETERS[name] for name in (
    "neural_column_types", "constraints", "neural_min_group_size", "neural_device",
    "neural_precision", "neural_verbose"))

_PLACEHOLDER = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", re.MULTILINE)


def fill_doc(obj):
    """Replace each ``%(name)s`` line of ``obj.__doc__`` by the shared entry ``name``.

    Parameters
    ----------
    obj : class or function
        Its docstring is rewritten in place; an unknown name is an error (a
        typo would otherwise leave the placeholder in the rendered docs).

    Returns
    -------
    obj : class or function
        The same object, so that ``fill_doc`` can be used as a decorator.
    """
    def entry(match):
        indent, name = match.groups()
        if name not in _PARAMETERS:
            raise KeyError(f"{obj.__qualname__}: no shared parameter entry {name!r}")
        return textwrap.indent(_PARAMETERS[name], indent)

    if obj.__doc__:
        obj.__doc__ = _PLACEHOLDER.sub(entry, obj.__doc__)
    return obj
