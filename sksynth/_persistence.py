"""Model files whose loading runs no code from the file (``sksynth fit``/``sample``).

A fitted generator is written as a tree of plain values (JSON) plus its numeric
arrays (an ``.npz`` archive read with ``allow_pickle=False``). Objects are
recorded by class name and state; loading rebuilds only classes on an explicit
allow-list (:func:`check_type`) and refuses anything else, naming the type,
before a single object is created. The file therefore cannot name a function
to call, as any pickle can.

Why not ``skops.io``: it serialises neither torch tensors (the weights of the
neural generators) nor pandas ``Index`` objects (column names and categories
of every table generator; they fail in pandas' Cython internals), and
extending it needs its private node registry. This module is the equivalent
the design asks for: a JSON schema plus arrays, with a class allow-list.
"""

import collections
import datetime
import importlib
import io
import json
import math
import sys
import warnings

import numpy as np

from sksynth._tables import CLIError, _atomic, _check_input_file, _one_line

__all__ = ["UnsafeModelError", "dumps", "load_model", "loads", "referenced_types",
           "save_model"]

MODEL_MAGIC = b"SKSYNTH-MODEL\n"
MODEL_FORMAT = "sksynth-model"
MODEL_FORMAT_VERSION = 2
#: The format whose payload is a pickle (read only with ``trust_pickle=True``).
PICKLE_FORMAT_VERSION = 1

#: Version of the tree layout below (stored in every file).
TREE_VERSION = 1

# Builtins and numpy scalar types a state may refer to as values (``dtype=float``).
_PLAIN_TYPES = {"builtins.float", "builtins.int", "builtins.bool", "builtins.str",
                "builtins.object", "builtins.complex", "builtins.bytes"}


class UnsafeModelError(ValueError):
    """The model file names a type that loading is not allowed to create."""


def _qualname(obj):
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def check_type(name):
    """The class called ``name`` (``module.Qualname``) if it may be rebuilt.

    Allowed: sksynth's own classes, scikit-learn estimators, torch modules
    (``torch.nn``), numpy scalar types and the builtins of ``_PLAIN_TYPES``.
    The module is imported only when its name is on the allow-list.

    Raises
    ------
    UnsafeModelError
        For any other type, naming it.
    """
    module, _, qual = name.rpartition(".")
    allowed_prefix = (module == "sksynth" or module.startswith(("sksynth.", "sklearn.",
                                                                "torch.nn."))
                      or module == "numpy" or name in _PLAIN_TYPES)
    # private or test modules are never imported on a file's say-so
    hidden = any(part.startswith("__") or part.startswith("test") for part in module.split("."))
    if not allowed_prefix or hidden or not qual or "<" in qual:
        raise UnsafeModelError(name)
    try:
        obj = importlib.import_module(module)
        for part in qual.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        raise UnsafeModelError(f"{name} (not found in this installation)") from None
    if not isinstance(obj, type):
        raise UnsafeModelError(f"{name} (not a class)")
    if name in _PLAIN_TYPES:
        return obj
    if module == "numpy":
        if issubclass(obj, np.generic):
            return obj
        raise UnsafeModelError(name)
    if module.startswith("sklearn."):
        from sklearn.base import BaseEstimator

        if not issubclass(obj, BaseEstimator):
            raise UnsafeModelError(name)
    if module.startswith("torch.nn."):
        import torch

        if not issubclass(obj, torch.nn.Module):
            raise UnsafeModelError(name)
    return obj


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------
class _Writer:
    def __init__(self):
        self.arrays = {}
        self.memo = {}
        self.keep = []  # objects whose id() is memoised stay alive until the end

    def array(self, values):
        key = f"a{len(self.arrays)}"
        self.arrays[key] = values
        return key

    def encode(self, obj):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if type(obj) is int:
            return obj
        if type(obj) is float:
            if math.isfinite(obj):
                return obj
            return {"k": "float", "v": repr(obj)}
        key = id(obj)
        if key in self.memo:
            return {"k": "ref", "v": self.memo[key]}
        self.memo[key] = len(self.memo)
        self.keep.append(obj)
        node = self._encode(obj)
        node["id"] = self.memo[key]
        return node

    def _encode(self, obj):
        enc = self.encode
        if isinstance(obj, type):
            return {"k": "type", "v": _qualname(obj)}
        if isinstance(obj, tuple) and hasattr(type(obj), "_fields"):  # a namedtuple
            name = _qualname(obj)
            if check_type(name) is not type(obj):
                raise TypeError(f"cannot save {name}: the class is not importable by its name")
            return {"k": "namedtuple", "cls": name, "v": [enc(v) for v in obj]}
        if isinstance(obj, (list, tuple, set, frozenset)) and type(obj) in (
                list, tuple, set, frozenset):
            return {"k": type(obj).__name__, "v": [enc(v) for v in obj]}
        if type(obj) in (dict, collections.OrderedDict):
            return {"k": "dict" if type(obj) is dict else "odict",
                    "v": [[enc(k), enc(v)] for k, v in obj.items()]}
        if isinstance(obj, (int, float)) and type(obj).__module__ == "builtins":
            return {"k": "float" if isinstance(obj, float) else "int", "v": repr(obj)}
        if isinstance(obj, complex):
            return {"k": "complex", "v": [obj.real, obj.imag]}
        if isinstance(obj, bytes):
            return {"k": "bytes", "v": obj.hex()}
        if isinstance(obj, slice):
            return {"k": "slice", "v": [enc(obj.start), enc(obj.stop), enc(obj.step)]}
        if isinstance(obj, range):
            return {"k": "range", "v": [obj.start, obj.stop, obj.step]}
        if isinstance(obj, np.dtype):
            if obj.fields is not None or obj.subdtype is not None:
                raise TypeError(f"cannot save the structured dtype {obj}")
            return {"k": "dtype", "v": obj.str}
        if isinstance(obj, np.ndarray):
            return self._ndarray(obj)
        if isinstance(obj, np.generic):
            if obj.dtype.kind == "O":
                raise TypeError("cannot save a numpy object scalar")
            return {"k": "npscalar", "v": self.array(np.asarray(obj))}
        if isinstance(obj, np.random.RandomState):
            return {"k": "randomstate", "v": enc(obj.get_state(legacy=False))}
        if isinstance(obj, np.random.Generator):
            return {"k": "npgenerator", "v": enc(obj.bit_generator.state)}
        if isinstance(obj, (datetime.datetime, datetime.date, datetime.time,
                            datetime.timedelta)):
            return self._datetime(obj)
        module = type(obj).__module__.split(".")[0]
        if module == "pandas":
            return self._pandas(obj)
        if module == "torch":
            return self._torch(obj)
        return self._object(obj)

    def _ndarray(self, obj):
        if obj.dtype.kind == "O":
            return {"k": "objarray", "shape": list(obj.shape),
                    "v": [self.encode(v) for v in obj.ravel(order="C").tolist()]}
        if obj.dtype.fields is not None:
            raise TypeError(f"cannot save an array of the structured dtype {obj.dtype}")
        return {"k": "ndarray", "v": self.array(np.ascontiguousarray(obj))}

    def _datetime(self, obj):
        if type(obj).__module__.startswith("pandas"):  # Timestamp, Timedelta, NaT
            return self._pandas(obj)
        if isinstance(obj, datetime.timedelta):
            return {"k": "timedelta", "v": [obj.days, obj.seconds, obj.microseconds]}
        if isinstance(obj, datetime.datetime) and obj.tzinfo is not None:
            raise TypeError("cannot save a timezone-aware datetime.datetime; use a pandas "
                            "Timestamp")
        kind = type(obj).__name__
        if kind not in ("datetime", "date", "time"):
            raise TypeError(f"cannot save {_qualname(obj)}")
        return {"k": kind, "v": obj.isoformat()}

    def _pandas(self, obj):
        import pandas as pd

        enc = self.encode
        if obj is pd.NaT:
            return {"k": "NaT"}
        if obj is pd.NA:
            return {"k": "NA"}
        if isinstance(obj, pd.Timestamp):
            return {"k": "Timestamp", "v": obj.value, "unit": obj.unit, "tz": enc(
                None if obj.tz is None else str(obj.tz))}
        if isinstance(obj, pd.Timedelta):
            return {"k": "Timedelta", "v": obj.value}
        if isinstance(obj, pd.api.extensions.ExtensionDtype):
            if isinstance(obj, pd.CategoricalDtype):
                return {"k": "catdtype", "v": enc(obj.categories), "ordered": enc(obj.ordered)}
            return {"k": "pddtype", "v": str(obj)}
        if isinstance(obj, pd.RangeIndex):
            return {"k": "RangeIndex", "v": [obj.start, obj.stop, obj.step], "name": enc(obj.name)}
        if isinstance(obj, pd.MultiIndex):
            return {"k": "MultiIndex", "v": enc(obj.to_list()), "names": enc(list(obj.names))}
        if isinstance(obj, pd.Index):
            return {"k": "Index", "v": self._values(obj), "name": enc(obj.name)}
        if isinstance(obj, pd.Series):
            return {"k": "Series", "v": self._values(obj), "index": enc(obj.index),
                    "name": enc(obj.name)}
        if isinstance(obj, pd.DataFrame):
            return {"k": "DataFrame", "v": [self._values(obj.iloc[:, i])
                                            for i in range(obj.shape[1])],
                    "columns": enc(obj.columns), "index": enc(obj.index)}
        if isinstance(obj, pd.Categorical):
            return {"k": "Categorical", "v": enc(obj.codes), "dtype": enc(obj.dtype)}
        if isinstance(obj, pd.api.extensions.ExtensionArray):
            return {"k": "ExtensionArray", "v": enc(np.asarray(obj, dtype=object)),
                    "dtype": enc(obj.dtype)}
        raise TypeError(f"cannot save {_qualname(obj)}")

    def _values(self, obj):
        """The values and dtype of an Index or Series, exactly."""
        import pandas as pd

        dtype = obj.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            values = obj.array.codes if isinstance(obj, pd.Series) else obj.codes
        elif isinstance(dtype, np.dtype):
            values = obj.to_numpy()
        else:
            values = np.asarray(obj.array, dtype=object)
        return {"dtype": self.encode(dtype), "values": self.encode(values)}

    def _torch(self, obj):
        import torch

        if isinstance(obj, torch.Tensor):
            if type(obj) not in (torch.Tensor, torch.nn.Parameter):
                raise TypeError(f"cannot save {_qualname(obj)}")
            values = obj.detach().cpu()
            node = {"k": "tensor", "dtype": str(values.dtype).removeprefix("torch."),
                    "v": self.array(values.numpy() if values.dtype != torch.bfloat16
                                    else values.float().numpy()),
                    "parameter": isinstance(obj, torch.nn.Parameter),
                    "requires_grad": bool(obj.requires_grad)}
            return node
        if isinstance(obj, torch.device):
            return {"k": "device", "v": str(obj)}
        if isinstance(obj, torch.dtype):
            return {"k": "torchdtype", "v": str(obj).removeprefix("torch.")}
        if isinstance(obj, torch.Size):
            return {"k": "tuple", "v": list(obj)}
        return self._object(obj)

    def _object(self, obj):
        name = _qualname(obj)
        cls = check_type(name)  # never write what could not be read back
        if cls is not type(obj):
            raise TypeError(f"cannot save {name}: the class is not importable by its name")
        state = obj.__getstate__() if hasattr(obj, "__getstate__") else obj.__dict__
        if state is None:
            state = {}
        if isinstance(state, tuple) and len(state) == 2 and state[0] is None:
            state = state[1]  # __slots__ only
        if not isinstance(state, dict):
            raise TypeError(f"cannot save {name}: its state is not a dict")
        self.keep.append(state)
        return {"k": "object", "cls": name, "v": self.encode(state)}


def dumps(obj):
    """``obj`` as bytes: an ``.npz`` archive holding the tree and the arrays."""
    writer = _Writer()
    tree = writer.encode(obj)
    document = json.dumps({"tree_version": TREE_VERSION, "tree": tree},
                          separators=(",", ":"), allow_nan=False)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, __tree__=np.frombuffer(document.encode("utf-8"), np.uint8),
                        **writer.arrays)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------
def referenced_types(tree):
    """Every class name a tree refers to (objects and type values), sorted."""
    found, stack = set(), [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if node.get("k") in ("object", "namedtuple", "type"):
                found.add(node.get("v") if node["k"] == "type" else node.get("cls"))
            stack.extend(v for k, v in node.items() if k != "k")
    return sorted(map(str, found))


class _Reader:
    def __init__(self, arrays, classes):
        self.arrays = arrays
        self.classes = classes
        self.memo = {}

    def array(self, key):
        if not isinstance(key, str) or key == "__tree__" or key not in self.arrays.files:
            raise ValueError(f"missing array {key!r}")
        return self.arrays[key]

    def decode(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict):
            raise ValueError("malformed tree")
        kind = node.get("k")
        if kind == "ref":
            return self.memo[node["v"]]
        if kind == "float":
            return float(node["v"])
        if kind == "int":
            return int(node["v"])
        method = getattr(self, "_" + str(kind), None)
        if method is None:
            raise ValueError(f"unknown node kind {kind!r}")
        value = method(node)
        if "id" in node and node["id"] not in self.memo:
            self.memo[node["id"]] = value
        return value

    def _remember(self, node, value):
        if "id" in node:
            self.memo[node["id"]] = value
        return value

    # containers are registered before their items, so that cycles resolve
    def _list(self, node):
        out = self._remember(node, [])
        out.extend(self.decode(v) for v in node["v"])
        return out

    def _tuple(self, node):
        return tuple(self.decode(v) for v in node["v"])

    def _set(self, node):
        return {self.decode(v) for v in node["v"]}

    def _namedtuple(self, node):
        cls = self.classes[node["cls"]]
        if not (issubclass(cls, tuple) and hasattr(cls, "_fields")):
            raise UnsafeModelError(f"{node['cls']} (not a namedtuple)")
        return cls(*(self.decode(v) for v in node["v"]))

    def _frozenset(self, node):
        return frozenset(self.decode(v) for v in node["v"])

    def _dict(self, node, factory=dict):
        out = self._remember(node, factory())
        for key, value in node["v"]:
            out[self.decode(key)] = self.decode(value)
        return out

    def _odict(self, node):
        return self._dict(node, collections.OrderedDict)

    def _complex(self, node):
        return complex(*node["v"])

    def _bytes(self, node):
        return bytes.fromhex(node["v"])

    def _slice(self, node):
        return slice(*map(self.decode, node["v"]))

    def _range(self, node):
        return range(*map(int, node["v"]))

    def _type(self, node):
        return self.classes[node["v"]]

    def _dtype(self, node):
        return np.dtype(str(node["v"]))

    def _ndarray(self, node):
        return self.array(node["v"])

    def _objarray(self, node):
        items = [self.decode(v) for v in node["v"]]
        out = np.empty(len(items), dtype=object)
        for i, item in enumerate(items):  # one by one: tuples must not broadcast
            out[i] = item
        return out.reshape(node["shape"])

    def _npscalar(self, node):
        return self.array(node["v"])[()]

    def _randomstate(self, node):
        rs = np.random.RandomState()
        rs.set_state(self.decode(node["v"]))
        return rs

    def _npgenerator(self, node):
        state = self.decode(node["v"])
        name = state.get("bit_generator")
        if name not in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"):
            raise UnsafeModelError(f"numpy.random.{name}")
        bit = getattr(np.random, name)()
        bit.state = state
        return np.random.Generator(bit)

    def _timedelta(self, node):
        days, seconds, micro = node["v"]
        return datetime.timedelta(days=days, seconds=seconds, microseconds=micro)

    def _datetime(self, node):
        return datetime.datetime.fromisoformat(node["v"])

    def _date(self, node):
        return datetime.date.fromisoformat(node["v"])

    def _time(self, node):
        return datetime.time.fromisoformat(node["v"])

    # pandas
    def _NaT(self, node):
        import pandas as pd

        return pd.NaT

    def _NA(self, node):
        import pandas as pd

        return pd.NA

    def _Timestamp(self, node):
        import pandas as pd

        stamp = pd.Timestamp(int(node["v"]), unit="ns").as_unit(node.get("unit", "ns"))
        tz = self.decode(node["tz"])
        return stamp if tz is None else stamp.tz_localize("UTC").tz_convert(tz)

    def _Timedelta(self, node):
        import pandas as pd

        return pd.Timedelta(int(node["v"]), unit="ns")

    def _catdtype(self, node):
        import pandas as pd

        return pd.CategoricalDtype(self.decode(node["v"]), ordered=self.decode(node["ordered"]))

    def _pddtype(self, node):
        import pandas as pd

        return pd.api.types.pandas_dtype(str(node["v"]))

    def _values(self, spec):
        import pandas as pd

        dtype = self.decode(spec["dtype"])
        values = self.decode(spec["values"])
        if isinstance(dtype, pd.CategoricalDtype):
            return pd.Categorical.from_codes(values, dtype=dtype)
        if isinstance(dtype, np.dtype):
            return np.asarray(values, dtype=dtype) if dtype.kind != "O" else values
        return pd.array(list(values), dtype=dtype)

    def _RangeIndex(self, node):
        import pandas as pd

        return pd.RangeIndex(*map(int, node["v"]), name=self.decode(node["name"]))

    def _MultiIndex(self, node):
        import pandas as pd

        return pd.MultiIndex.from_tuples(self.decode(node["v"]), names=self.decode(node["names"]))

    def _Index(self, node):
        import pandas as pd

        values = self._values(node["v"])
        return pd.Index(values, dtype=getattr(values, "dtype", None),
                        name=self.decode(node["name"]), tupleize_cols=False)

    def _Series(self, node):
        import pandas as pd

        values = self._values(node["v"])
        return pd.Series(values, index=self.decode(node["index"]), name=self.decode(node["name"]),
                         dtype=getattr(values, "dtype", None), copy=False)

    def _DataFrame(self, node):
        import pandas as pd

        index = self.decode(node["index"])
        columns = self.decode(node["columns"])
        data = {i: pd.Series(self._values(v), index=index) for i, v in enumerate(node["v"])}
        frame = pd.DataFrame(data, index=index)
        frame.columns = columns
        return frame

    def _Categorical(self, node):
        import pandas as pd

        return pd.Categorical.from_codes(self.decode(node["v"]), dtype=self.decode(node["dtype"]))

    def _ExtensionArray(self, node):
        import pandas as pd

        return pd.array(list(self.decode(node["v"])), dtype=self.decode(node["dtype"]))

    # torch
    def _tensor(self, node):
        import torch

        dtype = getattr(torch, str(node["dtype"]), None)
        if not isinstance(dtype, torch.dtype):
            raise ValueError(f"unknown torch dtype {node['dtype']!r}")
        tensor = torch.from_numpy(np.array(self.array(node["v"]))).to(dtype)
        if node.get("parameter"):
            return torch.nn.Parameter(tensor, requires_grad=bool(node.get("requires_grad")))
        return tensor.requires_grad_(bool(node.get("requires_grad")))

    def _device(self, node):
        import torch

        return torch.device(str(node["v"]))

    def _torchdtype(self, node):
        import torch

        dtype = getattr(torch, str(node["v"]), None)
        if not isinstance(dtype, torch.dtype):
            raise ValueError(f"unknown torch dtype {node['v']!r}")
        return dtype

    def _object(self, node):
        cls = self.classes[node["cls"]]
        obj = self._remember(node, cls.__new__(cls))
        state = self.decode(node["v"])
        if hasattr(obj, "__setstate__"):
            obj.__setstate__(state)
        else:
            obj.__dict__.update(state)
        return obj


def loads(data):
    """Rebuild what :func:`dumps` wrote; check every type name first.

    Raises
    ------
    UnsafeModelError
        If the tree names a type outside the allow-list (nothing is built).
    ValueError
        If the data are not such an archive.
    """
    try:
        arrays = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as exc:
        raise ValueError(f"not a model archive ({type(exc).__name__}: {exc})") from None
    if not hasattr(arrays, "files") or "__tree__" not in arrays.files:
        raise ValueError("not a model archive (no tree)")
    document = json.loads(arrays["__tree__"].tobytes().decode("utf-8"))
    if not isinstance(document, dict) or document.get("tree_version") != TREE_VERSION:
        raise ValueError("unknown model tree version")
    tree = document.get("tree")
    classes = {name: check_type(name) for name in referenced_types(tree)}
    return _Reader(arrays, classes).decode(tree)


# ---------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------
def save_model(payload, path):
    """Write a model file: magic line, JSON header line, safe payload (atomically).

    The payload is written by :func:`sksynth.dumps`: a JSON tree of
    plain values and allow-listed classes plus an ``.npz`` archive of arrays,
    which :func:`load_model` reads without running code from the file.

    Parameters
    ----------
    payload : dict
        Must hold ``"generator"``; ``"target"``, ``"columns"`` are recorded too.
    path : str
        Where to write.
    """
    import sksynth

    header = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "sksynth_version": sksynth.__version__,
        "generator": type(payload["generator"]).__name__,
        "target": payload.get("target"),
        "columns": [str(c) for c in payload.get("columns", [])],
    }
    try:
        data = dumps(payload)
    except (TypeError, UnsafeModelError) as exc:
        raise CLIError(f"cannot save the fitted {header['generator']} as a model file: "
                       f"{_one_line(exc)}") from None
    with _atomic()(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(MODEL_MAGIC)
            fh.write(json.dumps(header).encode("utf-8") + b"\n")
            fh.write(data)


def load_model(path, trust_pickle=False):
    """Read a model file written by :func:`save_model`, checking its header first.

    Loading runs no code from the file: the header is JSON, arrays are read
    with ``allow_pickle=False``, and every class the payload names is checked
    against an allow-list before anything is built.

    Parameters
    ----------
    path : str
        The model file.
    trust_pickle : bool, default=False
        Also read files of format version 1, whose payload is a pickle
        (unpickling runs whatever code the file holds: only for files you
        wrote yourself). A warning is printed on standard error.

    Returns
    -------
    header : dict
    payload : dict

    Raises
    ------
    CLIError
        If the file is not an sksynth model, was written by another version,
        names a type outside the allow-list, or holds a pickle without
        ``trust_pickle``.
    """
    import sksynth

    _check_input_file(path, "model")
    with open(path, "rb") as fh:
        if fh.read(len(MODEL_MAGIC)) != MODEL_MAGIC:
            raise CLIError(
                f"{path!r} is not an sksynth model file (write one with: sksynth fit DATA "
                "--generator NAME --out MODEL)"
            )
        line = fh.readline(100_000)
        try:
            header = json.loads(line.decode("utf-8"))
            if not isinstance(header, dict):
                raise ValueError
        except (UnicodeDecodeError, ValueError):
            raise CLIError(f"{path!r} has a damaged sksynth model header") from None
        version = header.get("format_version")
        if header.get("format") != MODEL_FORMAT or version not in (
                MODEL_FORMAT_VERSION, PICKLE_FORMAT_VERSION):
            raise CLIError(
                f"{path!r} is an sksynth model file of an unknown format "
                f"({header.get('format')!r} version {version!r})"
            )
        written_by = header.get("sksynth_version")
        if written_by != sksynth.__version__:
            raise CLIError(
                f"{path!r} was written by sksynth {written_by}, but this is sksynth "
                f"{sksynth.__version__}; refit the model with this version (sksynth fit)"
            )
        if version == PICKLE_FORMAT_VERSION:
            payload = _load_pickle(path, fh, trust_pickle)
        else:
            try:
                payload = loads(fh.read())
            except UnsafeModelError as exc:
                raise CLIError(
                    f"{path!r} names the type {exc}, which model files may not hold "
                    "(only sksynth, scikit-learn, numpy, pandas and torch types); refusing "
                    "to load it"
                ) from None
            except Exception as exc:
                raise CLIError(
                    f"{path!r} is a damaged sksynth model file: {_one_line(exc)}") from None
    if not isinstance(payload, dict) or "generator" not in payload:
        raise CLIError(f"{path!r} is a damaged sksynth model file: no generator inside")
    return header, payload


def _load_pickle(path, fh, trust_pickle):
    """The payload of a format-1 (pickle) model file, only when trusted."""
    if not trust_pickle:
        raise CLIError(
            f"{path!r} is an old-format model file whose payload is a pickle, which can run "
            "any code when loaded; refit it with this version (sksynth fit), or pass "
            "--trust-pickle if you wrote this file yourself"
        )
    import joblib

    print(f"sksynth: warning: loading the pickle in {path!r} (--trust-pickle): this runs "
          "any code the file holds", file=sys.stderr)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return joblib.load(fh)
    except Exception as exc:
        raise CLIError(f"{path!r} is a damaged sksynth model file: {_one_line(exc)}") from None
