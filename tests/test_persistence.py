"""Model files that load without running code (sksynth._persistence, cli.save/load_model)."""

import io
import json
import os
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest

import sksynth
from sksynth import _persistence, cli
from sksynth.datasets import make_slds


def _table(n=120):
    rng = np.random.default_rng(0)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(["hi", "lo"], n),
                         "c": rng.integers(0, 4, n)})


def _generator(name):
    import sksynth.generators as g

    rng = np.random.default_rng(0)
    Xn, y = rng.normal(size=(120, 3)), rng.integers(0, 2, 120)
    fits = {
        "GaussianCopulaGenerator": lambda: g.GaussianCopulaGenerator(random_state=0).fit(
            _table(), y),
        "GaussianGenerator": lambda: g.GaussianGenerator(random_state=0).fit(Xn, y),
        "GaussianMixtureGenerator": lambda: g.GaussianMixtureGenerator(
            n_components=2, random_state=0).fit(Xn),
        "TabularVAE": lambda: g.TabularVAE(epochs=2, batch_size=64, random_state=0).fit(
            _table()),
        "ConditionalTabularGAN": lambda: g.ConditionalTabularGAN(
            epochs=2, batch_size=60, random_state=0).fit(_table()),
        "LipschitzVAE": lambda: g.LipschitzVAE(epochs=2, latent_dim=2, encoder_dims=(8,),
                                               decoder_dims=(8,),
                                               batch_size=64, random_state=0).fit(_table()),
        "SLDSVAE": lambda: g.SLDSVAE(n_states=2, epochs=1, pretrain_epochs=1, encoder_dims=(8,),
                                     decoder_dims=(8,), random_state=0).fit(
            make_slds(8, 10, n_states=2, n_features=3, random_state=0)[0]),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fits[name]()


def _same(a, b):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for u, v in zip(a, b):
            _same(u, v)
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


GENERATORS = ["GaussianCopulaGenerator", "GaussianGenerator", "GaussianMixtureGenerator",
              "TabularVAE", "ConditionalTabularGAN", "LipschitzVAE", "SLDSVAE"]


@pytest.mark.parametrize("name", GENERATORS)
def test_every_generator_round_trips_and_samples_identically(name, tmp_path):
    gen = _generator(name)
    path = tmp_path / "g.skm"
    cli.save_model({"generator": gen, "target": None, "columns": []}, str(path))
    header, payload = cli.load_model(str(path))
    assert header["format_version"] == cli.MODEL_FORMAT_VERSION == 2
    assert header["generator"] == name
    loaded = payload["generator"]
    assert type(loaded) is type(gen)
    _same(loaded.sample(9, random_state=3), gen.sample(9, random_state=3))
    # the payload is an npz archive: no pickle anywhere
    data = path.read_bytes().split(b"\n", 2)[2]
    assert data[:2] == b"PK"
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        assert all(arrays[k].dtype != object for k in arrays.files)


def test_values_of_many_kinds_round_trip():
    rng = np.random.RandomState(5)
    rng.normal(size=3)
    value = {
        "floats": [1.5, float("nan"), float("inf"), -0.0], "big": 2**70, "t": (1, "x"),
        "set": {1, 2}, "bytes": b"\x00\xff", "dtype": np.dtype("<M8[ns]"), "type": np.float64,
        "obj": np.array(["a", None, 3, (1, 2)], dtype=object), "u64": np.array([2**64 - 1], np.uint64),
        "scalar": np.int16(-7), "rng": rng,
        "index": pd.Index(["a", "b"], name="n"), "range": pd.RangeIndex(2, 10, 2),
        "cat": pd.CategoricalDtype(["x", "y"], ordered=True),
        "series": pd.Series([1, None], dtype="Int64", index=["p", "q"], name="s"),
        "frame": pd.DataFrame({"x": [1.0, 2.0], 3: pd.Categorical(["u", "v"])}),
        "stamp": pd.Timestamp("2024-03-01 12:00", tz="Europe/Paris"), "nat": pd.NaT,
    }
    value["shared"] = value["index"]
    back = _persistence.loads(_persistence.dumps(value))
    assert back["floats"][:1] == [1.5] and np.isnan(back["floats"][1])
    assert back["floats"][2] == np.inf and str(back["floats"][3]) == "-0.0"
    assert back["big"] == 2**70 and back["t"] == (1, "x") and back["set"] == {1, 2}
    assert back["bytes"] == b"\x00\xff" and back["dtype"] == np.dtype("<M8[ns]")
    assert back["type"] is np.float64 and back["obj"].tolist() == ["a", None, 3, (1, 2)]
    assert back["u64"][0] == 2**64 - 1 and back["u64"].dtype == np.uint64
    assert back["scalar"] == -7 and back["scalar"].dtype == np.int16
    np.testing.assert_array_equal(back["rng"].normal(size=4), rng.normal(size=4))
    pd.testing.assert_index_equal(back["index"], value["index"])
    assert back["shared"] is back["index"]
    pd.testing.assert_index_equal(back["range"], value["range"], exact=True)
    assert back["cat"] == value["cat"]
    pd.testing.assert_series_equal(back["series"], value["series"])
    pd.testing.assert_frame_equal(back["frame"], value["frame"])
    assert back["stamp"] == value["stamp"] and str(back["stamp"].tz) == "Europe/Paris"
    assert back["nat"] is pd.NaT


@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "subprocess.Popen",
                                  "sksynth.__main__.main", "sklearn.utils.Bunch",
                                  "numpy.load", "torch.load"])
def test_types_outside_the_allow_list_are_refused(name):
    with pytest.raises(_persistence.UnsafeModelError, match=name.replace(".", r"\.")):
        _persistence.check_type(name)


def _npz(tree):
    buffer = io.BytesIO()
    document = json.dumps({"tree_version": _persistence.TREE_VERSION, "tree": tree})
    np.savez(buffer, __tree__=np.frombuffer(document.encode(), np.uint8))
    return buffer.getvalue()


def _model_file(path, payload, format_version=2):
    header = {"format": "sksynth-model", "format_version": format_version,
              "sksynth_version": sksynth.__version__, "generator": "GaussianGenerator",
              "target": None, "columns": []}
    path.write_bytes(cli.MODEL_MAGIC + json.dumps(header).encode() + b"\n" + payload)
    return str(path)


class _MakesMarker:
    """Unpickling this creates a directory: stands for any code a pickle can run."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


@pytest.mark.parametrize("format_version, match", [
    (2, "is a damaged sksynth model file: not a model archive"),
    (1, "payload is a pickle, which can run any code when loaded; refit it"),
])
def test_a_forged_pickle_payload_never_runs(tmp_path, format_version, match):
    marker = tmp_path / "marker"
    payload = pickle.dumps({"generator": _MakesMarker(marker)})
    path = _model_file(tmp_path / "forged.skm", payload, format_version)
    with pytest.raises(cli.CLIError, match=match):
        cli.load_model(path)
    assert not marker.exists()


def test_a_forged_tree_naming_a_function_is_refused_before_anything_is_built(tmp_path,
                                                                            monkeypatch):
    built = []
    from sksynth.generators import GaussianGenerator

    # an allowed object first, then a disallowed one: neither may be built
    monkeypatch.setattr(GaussianGenerator, "__setstate__",
                        lambda self, state: built.append(state), raising=False)
    tree = {"k": "list", "v": [
        {"k": "object", "cls": "sksynth.generators._gaussian.GaussianGenerator",
         "v": {"k": "dict", "v": []}},
        {"k": "object", "cls": "os.system", "v": {"k": "dict", "v": []}}]}
    path = _model_file(tmp_path / "forged.skm", _npz(tree))
    with pytest.raises(cli.CLIError, match="names the type os.system, which model files may "
                                           "not hold"):
        cli.load_model(path)
    assert built == []


def test_trust_pickle_loads_a_legitimate_old_file(tmp_path, capsys, rng):
    from sksynth.generators import GaussianGenerator

    gen = GaussianGenerator(random_state=0).fit(rng.normal(size=(40, 2)))
    buffer = io.BytesIO()
    joblib.dump({"generator": gen, "target": None, "columns": ["a", "b"]}, buffer)
    path = _model_file(tmp_path / "old.skm", buffer.getvalue(), format_version=1)
    with pytest.raises(cli.CLIError, match="pass --trust-pickle if you wrote this file"):
        cli.load_model(path)
    header, payload = cli.load_model(path, trust_pickle=True)
    assert "loading the pickle in" in capsys.readouterr().err
    np.testing.assert_array_equal(payload["generator"].sample(4, random_state=2),
                                  gen.sample(4, random_state=2))
