"""Tests of TabularVAE: learning, conditions, missingness, determinism, pickling, errors."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from skorch.callbacks import Callback

from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV

from sksynth.augmentation import AugmentedClassifier
from sksynth.datasets import load_adult
from sksynth.generators import TabularVAE


class StopAt(Callback):
    """Stop training after epoch ``last`` (skorch's way: KeyboardInterrupt)."""

    def __init__(self, last):
        self.last = last
        self.seen = []

    def on_epoch_end(self, net, **kwargs):
        self.seen.append(net.history[-1, "epoch"])
        if self.seen[-1] >= self.last:
            raise KeyboardInterrupt


# small networks: one torch thread is faster, and immune to busy CI cores
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _two_clusters(n, seed=0):
    """Two clusters: group a ~ N(0, 1), group b ~ N(6, 1); a flag more common in b."""
    rng = np.random.default_rng(seed)
    group = rng.choice(np.array(["a", "b"], dtype=object), size=n)
    b = group == "b"
    return pd.DataFrame({
        "group": group,
        "value": np.where(b, 6.0, 0.0) + rng.normal(size=n),
        "flag": rng.random(n) < np.where(b, 0.8, 0.2),
    })


@pytest.fixture(scope="module")
def fitted():
    """A VAE trained on 1,000 two-cluster rows (600 steps of 100 rows)."""
    torch.set_num_threads(1)
    X = _two_clusters(1000)
    return X, TabularVAE(epochs=60, batch_size=100, random_state=0).fit(X)


def test_learns_two_clusters_better_than_untrained(fitted):
    X, vae = fitted
    held_out = _two_clusters(1000, seed=1)
    untrained = TabularVAE(epochs=0, batch_size=100, random_state=0).fit(X)
    # the held-out ELBO (nats per row) improves by a wide margin over the random network
    assert vae.score(held_out) > untrained.score(held_out) + 1.0
    S = vae.sample(4000)
    # both clusters are reproduced, with their share (binomial sd ~0.008) and position
    share_b = (S["group"] == "b").mean()
    assert abs(share_b - (X["group"] == "b").mean()) < 0.06
    assert abs(S.loc[S["group"] == "a", "value"].mean() - 0.0) < 0.5
    assert abs(S.loc[S["group"] == "b", "value"].mean() - 6.0) < 0.5
    # and the dependence of the flag on the cluster (0.8 vs 0.2)
    gap = S.loc[S["group"] == "b", "flag"].mean() - S.loc[S["group"] == "a", "flag"].mean()
    assert gap > 0.25  # 0.6 in the data, 0 if the flag were drawn independently
    # samples keep the fitted dtypes and range
    assert S.dtypes.equals(X.dtypes)
    assert S["value"].between(X["value"].min(), X["value"].max()).all()


def test_conditions_are_exact(fitted):
    X, vae = fitted
    S = vae.sample(2000, conditions={"group": "b"})
    assert (S["group"] == "b").all()
    assert abs(S["value"].mean() - 6.0) < 0.5
    # several conditions at once, and one value per row
    S = vae.sample(conditions={"group": np.repeat(["a", "b"], 500), "flag": True})
    assert len(S) == 1000 and S["flag"].all()
    assert (S["group"].to_numpy() == np.repeat(["a", "b"], 500)).all()
    assert S["value"].iloc[:500].mean() < 2.0 < S["value"].iloc[500:].mean()


@pytest.mark.parametrize("conditions, match", [
    ({"group": "c"}, "never seen in fit"),
    ({"value": 1.0}, "discrete values"),
    ({"group": np.nan}, "no missing values"),
    ({"nope": 1}, "did not have"),
    ({"group": ["a", "b"], "flag": [True] * 3}, "different lengths"),
])
def test_impossible_conditions_raise(fitted, conditions, match):
    _, vae = fitted
    with pytest.raises(ValueError, match=match):
        vae.sample(10, conditions=conditions)


def test_heavy_and_dependent_missingness_is_modelled():
    rng = np.random.default_rng(0)
    n, m = 2000, 10_000
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    b[rng.random(n) < 0.9] = np.nan  # 90% missing
    c = np.where(a > 0, "p", "q").astype(object)
    c[a > 1.0] = None  # missing exactly when a is large
    X = pd.DataFrame({"a": a, "b": b, "c": c})
    vae = TabularVAE(epochs=100, batch_size=100, random_state=0).fit(X)
    S = vae.sample(m)
    # fitted rate 0.9, binomial sd 0.007 for n: allow the model 0.05
    assert abs(S["b"].isna().mean() - X["b"].isna().mean()) < 0.05
    assert S.loc[S["a"] > 1.5, "c"].isna().mean() > 0.8
    assert S.loc[S["a"] < 0.5, "c"].isna().mean() < 0.1
    # a missing value is a condition too, for numeric and categorical columns
    S = vae.sample(500, conditions={"b": np.nan, "c": None})
    assert S["b"].isna().all() and S["c"].isna().all()
    assert S["a"].mean() > 0.8  # c is missing only for large a
    assert vae.sample(500, conditions={"c": "p"})["c"].eq("p").all()


def test_class_conditional_sampling():
    X = _two_clusters(1000)
    y = X.pop("group").to_numpy()
    vae = TabularVAE(epochs=30, batch_size=100, random_state=0).fit(X, y)
    X_b, y_b = vae.sample(y=np.repeat(["b"], 1000))
    assert (y_b == "b").all() and abs(X_b["value"].mean() - 6.0) < 0.5
    X_new, y_new = vae.sample(5000)
    # labels are drawn from their training frequencies: binomial sd ~0.007
    assert abs((y_new == "b").mean() - (y == "b").mean()) < 0.03
    assert X_new.loc[y_new == "a", "value"].mean() < 1.0
    # a condition on a column draws labels from p(y | condition)
    _, y_flag = vae.sample(4000, conditions={"flag": True})
    assert (y_flag == "b").mean() > 0.7  # P(b | flag) = 0.8
    held_out = _two_clusters(500, seed=1)
    y_out = held_out.pop("group").to_numpy()
    joint, marginal = vae.score_samples(held_out, y_out), vae.score_samples(held_out)
    assert np.isfinite(joint).all() and (joint <= marginal + 1e-9).all()


def test_cpu_fits_are_reproducible_and_seeds_matter():
    X = _two_clusters(300)
    first = TabularVAE(epochs=3, batch_size=50, random_state=3).fit(X)
    second = TabularVAE(epochs=3, batch_size=50, random_state=3).fit(X)
    other = TabularVAE(epochs=3, batch_size=50, random_state=4).fit(X)
    assert first.history_[:, "train_loss"] == second.history_[:, "train_loss"]
    pd.testing.assert_frame_equal(first.sample(50), second.sample(50))
    assert not first.sample(50, random_state=0).equals(other.sample(50, random_state=0))
    np.testing.assert_array_equal(first.transform(X), second.transform(X))
    # fitting does not touch torch's global random state
    state = torch.get_rng_state()
    TabularVAE(epochs=1, random_state=0).fit(X)
    assert torch.equal(state, torch.get_rng_state())
    # bfloat16 matrix products: reproducible too, and the weights stay float32
    half = [TabularVAE(epochs=2, batch_size=50, precision="bfloat16", random_state=3).fit(X)
            for _ in range(2)]
    pd.testing.assert_frame_equal(half[0].sample(20), half[1].sample(20))
    assert half[0]._net.encoder[-1].weight.dtype == torch.float32


def test_training_conditions_as_slots_equal_the_dense_conditional_vector():
    """Training names each revealed unit by a slot; the networks see the same map as with
    the dense conditional vector ``c = (T A + b + label) * revealed`` of sampling/scoring,
    and the decoder's likelihood-ordered outputs are its data-order outputs permuted."""
    rng = np.random.default_rng(0)
    X = _two_clusters(300)
    X.loc[rng.random(300) < 0.2, "value"] = np.nan  # adds a missing-indicator unit
    y = rng.integers(0, 3, 300)
    vae = TabularVAE(epochs=1, batch_size=100, random_state=0).fit(X, y)
    L, net = vae._layout, vae._net64
    T = vae.encoder_.transform(X)
    slots, present = vae._condition_slots(T, y)
    kinds = {unit.kind for unit in L.units}
    assert kinds == {"onehot", "indicator", "label"}
    revealed = rng.random((300, len(L.units))) < 0.5
    dense = T @ L.A + L.b + vae._label_cond(y, 300)
    dense = dense * revealed[:, L.cond_unit]
    x = torch.as_tensor(T)
    weights = torch.as_tensor(present * revealed, dtype=torch.float64)
    with torch.no_grad():
        mu_slots = net.encode_slots(x, torch.as_tensor(slots), weights)[0]
        mu_dense = net.encode(x, torch.as_tensor(dense))[0]
        z = torch.as_tensor(rng.normal(size=(300, vae.latent_dim)))
        out_slots = net.decode_slots(z, torch.as_tensor(slots), weights)
        out_dense = net.decode(z, torch.as_tensor(dense))
    np.testing.assert_allclose(mu_slots.numpy(), mu_dense.numpy(), rtol=1e-12, atol=1e-12)
    order = np.concatenate([L.cont_idx, L.soft_cols, L.ind_idx])
    np.testing.assert_allclose(out_slots.numpy(), out_dense.numpy()[:, order],
                               rtol=1e-12, atol=1e-12)


def test_pickle_round_trip_and_cuda_models_load_on_cpu(fitted):
    X, vae = fitted
    vae.sample(5)
    copy = pickle.loads(pickle.dumps(vae))
    pd.testing.assert_frame_equal(copy.sample(20), vae.sample(20))
    assert copy.score(X.iloc[:100]) == vae.score(X.iloc[:100])
    np.testing.assert_array_equal(copy.transform(X.iloc[:10]), vae.transform(X.iloc[:10]))
    # what a CUDA-trained model's pickle holds (CPU tensors, device "cuda") loads on the CPU
    state = vae.__getstate__()
    assert all(t.device.type == "cpu" for t in state["_net__state"].values())
    state["_device"] = "cuda:0"
    clone = TabularVAE.__new__(TabularVAE)
    if torch.cuda.is_available():  # pragma: no cover - GPU machines
        clone.__setstate__(state)
    else:
        with pytest.warns(UserWarning, match="loaded on the CPU"):
            clone.__setstate__(state)
        assert clone._device.type == "cpu"
        pd.testing.assert_frame_equal(clone.sample(10, random_state=1),
                                      vae.sample(10, random_state=1))


def test_transform_score_and_inverse_transform(fitted):
    X, vae = fitted
    Z = vae.transform(X.iloc[:50])
    assert Z.shape == (50, vae.latent_dim) and np.isfinite(Z).all()
    back = vae.inverse_transform(Z)
    assert list(back.columns) == list(X.columns)
    # rows decoded from their posterior means keep their cluster
    assert (back["group"].to_numpy() == X["group"].iloc[:50].to_numpy()).mean() > 0.9
    unseen = X.iloc[:3].copy()
    unseen["group"] = ["c", "a", "b"]
    scores = vae.score_samples(unseen)
    # a category never seen has probability zero; the other rows keep their scores
    assert scores[0] == -np.inf
    np.testing.assert_allclose(scores[1:], vae.score_samples(unseen.iloc[1:]), rtol=1e-10)
    assert np.isfinite(scores[1:]).all()
    assert vae.score(unseen) == -np.inf
    assert vae.get_feature_names_out()[0] == "tabularvae0"


def test_early_stopping_callbacks_and_progress_bar(capsys):
    X = _two_clusters(600)
    seen = []

    class Recorder(Callback):
        def on_epoch_end(self, net, **kwargs):
            seen.append(net.history[-1, "epoch"])

    vae = TabularVAE(epochs=200, batch_size=100, early_stopping=True, validation_interval=1,
                     n_iter_no_change=2, callbacks=[Recorder()], verbose=1,
                     random_state=0).fit(X)
    assert vae.n_epochs_ < 200 and seen == list(range(1, vae.n_epochs_ + 1))
    validated = [h for h in vae.history_ if "val_quality" in h]
    assert len(validated) == vae.n_epochs_ and 0 < validated[0]["val_quality"] <= 1
    best = max(validated, key=lambda h: h["val_quality"])
    assert vae.best_epoch_ == best["epoch"]  # the best weights are kept
    assert "val_elbo" in validated[0]
    assert "TabularVAE" in capsys.readouterr().err  # tqdm writes to stderr
    stopper = TabularVAE(epochs=50, batch_size=100, random_state=0,
                         callbacks=[StopAt(3)]).fit(X)
    assert stopper.n_epochs_ == 3
    with pytest.raises(TypeError, match="skorch callbacks"):
        TabularVAE(epochs=1, callbacks=[lambda net: None]).fit(X)


@pytest.mark.parametrize("params, error, match", [
    ({"encoder_dims": (0, 4)}, ValueError, "encoder_dims"),
    ({"device": "cuda:99" if torch.cuda.is_available() else "cuda"}, (ValueError, RuntimeError),
     "CUDA|cuda"),
    ({"device": "tpu"}, ValueError, "device"),
    ({"callbacks": [3]}, TypeError, "callbacks"),
    ({"early_stopping": True, "validation_fraction": 0.1}, ValueError, "validation"),
    ({"epochs": -1}, ValueError, "epochs"),
    ({"epochs": "long"}, ValueError, "epochs"),
])
def test_bad_parameters_raise(params, error, match):
    X = _two_clusters(10)
    with pytest.raises(error, match=match):
        TabularVAE(**{"epochs": 1, **params}).fit(X)


@pytest.mark.parametrize("n_train, batch_size, expected", [
    (50, 500, 6000),     # one step per epoch: 6,000 epochs
    (500, 500, 6000),
    (501, 500, 3000),    # two steps per epoch
    (1600, 500, 1500),   # four steps per epoch
    (5000, 500, 600),
    (10_000, 500, 300),  # 20 steps per epoch: SDV's 300 epochs already give 6,000 steps
    (45_222, 500, 300),
    (1000, 100, 600),
])
def test_auto_epochs_reach_the_minimum_number_of_steps(n_train, batch_size, expected):
    vae = TabularVAE(batch_size=batch_size)
    assert vae.epochs == "auto"
    n_epochs = vae._n_epochs(-(-n_train // batch_size))
    assert n_epochs == expected
    steps = n_epochs * -(-n_train // batch_size)
    assert steps >= 6000 and n_epochs >= 300
    assert TabularVAE(epochs=300)._n_epochs(-(-n_train // batch_size)) == 300  # SDV's schedule


def test_auto_epochs_train_the_budget_and_early_stopping_cuts_it():
    X = _two_clusters(40)
    small = dict(latent_dim=2, encoder_dims=(4,), decoder_dims=(4,), batch_size=20,
                 random_state=0)
    stop_at_three = StopAt(3)
    vae = TabularVAE(callbacks=[stop_at_three], **small).fit(X)
    assert vae.n_epochs_ == 3 and stop_at_three.seen == [1, 2, 3]
    # with early stopping the budget is counted on the training rows alone (36 = 2 batches)
    stopper = TabularVAE(early_stopping=True, validation_fraction=0.1, validation_interval=1,
                         n_iter_no_change=1, **small).fit(X)
    assert stopper._n_epochs(2) == 3000
    assert 2 <= stopper.n_epochs_ < 3000


def test_unconditional_model_refuses_conditions_and_bad_targets():
    X = _two_clusters(200)
    vae = TabularVAE(epochs=1, conditional=False, random_state=0).fit(X)
    with pytest.raises(ValueError, match="conditional=False"):
        vae.sample(5, conditions={"group": "a"})
    with pytest.raises(ValueError, match="fitted without y"):
        vae.sample(5, y=["a"] * 5)
    with pytest.raises(ValueError, match="class labels"):
        TabularVAE(epochs=1).fit(X, np.linspace(0, 1, 200))


def test_adult_keeps_categories_integers_and_range():
    data = load_adult()
    X = data.data.iloc[:2000]
    vae = TabularVAE(epochs=5, random_state=0).fit(X)
    S = vae.sample(3000)
    assert S.dtypes.equals(X.dtypes)
    for column in ["workclass", "education", "native_country"]:
        assert set(S[column].dropna()) <= set(X[column].dropna())
    for column in ["age", "hours_per_week", "capital_gain"]:
        assert S[column].between(X[column].min(), X[column].max()).all()
    # workclass is missing in ~6% of the rows: a condition on it is exact
    assert vae.sample(100, conditions={"workclass": np.nan})["workclass"].isna().all()


def test_inside_augmentation_and_grid_search():
    data = load_adult()
    X, y = data.data.iloc[:600], data.target.iloc[:600]
    clf = AugmentedClassifier(
        estimator=HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=20),
        generator=TabularVAE(epochs=3), n_synthetic=0.5, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.7
    # categories rare enough to miss a fold score -inf there (probability zero): the search
    # runs on the rows whose categories are common
    common = X.apply(lambda c: c.astype(object).map(c.value_counts()) >= 30
                     if c.dtype == "category" else pd.Series(True, index=c.index)).all(axis=1)
    search = GridSearchCV(TabularVAE(epochs=2, random_state=0), {"latent_dim": [8, 16]},
                          cv=2).fit(X[common])
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
