"""Tests of ConditionalTabularGAN: learning, conditions, missingness, determinism, pickling."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from skorch.callbacks import Callback

from sksynth.generators import ConditionalTabularGAN

# the tests train a few hundred steps: a larger learning rate than CTGAN's 2e-4 gets there
FAST = {"batch_size": 100, "lr": 1e-3, "discriminator_lr": 1e-3}


class Recorder(Callback):
    """Append every epoch's history row to ``logs``."""

    def __init__(self, logs):
        self.logs = logs

    def on_epoch_end(self, net, **kwargs):
        self.logs.append(dict(net.history[-1]))


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
    """A GAN trained on 1,000 two-cluster rows (600 steps of 100 rows)."""
    torch.set_num_threads(1)
    X = _two_clusters(1000)
    return X, ConditionalTabularGAN(epochs=60, random_state=0, **FAST).fit(X)


def test_learns_two_clusters_better_than_untrained(fitted):
    X, gan = fitted
    held_out = _two_clusters(1000, seed=1)
    untrained = ConditionalTabularGAN(epochs=0, random_state=0, **FAST).fit(X)
    # the Parzen-window proxy of the held-out log-likelihood improves
    assert gan.score(held_out) > untrained.score(held_out) + 0.25
    S = gan.sample(4000)
    share_b = (S["group"] == "b").mean()
    assert abs(share_b - (X["group"] == "b").mean()) < 0.06
    assert S.loc[S["group"] == "a", "value"].mean() < 2.0 < 4.0 < S.loc[
        S["group"] == "b", "value"].mean()
    assert S.loc[S["group"] == "b", "flag"].mean() > S.loc[S["group"] == "a", "flag"].mean()
    assert S.dtypes.equals(X.dtypes)
    assert S["value"].between(X["value"].min(), X["value"].max()).all()


def test_conditions_are_exact(fitted):
    _, gan = fitted
    S = gan.sample(2000, conditions={"group": "b"})
    assert (S["group"] == "b").all() and S["value"].mean() > 4.0
    S = gan.sample(conditions={"flag": np.repeat([True, False], 200)})
    assert (S["flag"].to_numpy() == np.repeat([True, False], 200)).all()


@pytest.mark.parametrize("conditions, match", [
    ({"group": "c"}, "never seen in fit"),
    ({"value": 1.0}, "discrete values"),
    ({"group": np.nan}, "no missing values"),
    ({"group": "a", "flag": True}, "one discrete column at a time"),
    ({"nope": 1}, "did not have"),
])
def test_impossible_conditions_raise(fitted, conditions, match):
    _, gan = fitted
    with pytest.raises(ValueError, match=match):
        gan.sample(10, conditions=conditions)


def test_heavy_and_dependent_missingness_is_modelled():
    rng = np.random.default_rng(0)
    n, m = 2000, 10_000
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    b[rng.random(n) < 0.9] = np.nan  # 90% missing
    c = np.where(a > 0, "p", "q").astype(object)
    c[a > 1.0] = None  # missing exactly when a is large
    X = pd.DataFrame({"a": a, "b": b, "c": c})
    gan = ConditionalTabularGAN(epochs=30, random_state=0, **FAST).fit(X)
    S = gan.sample(m)
    assert abs(S["b"].isna().mean() - X["b"].isna().mean()) < 0.05
    # c is missing exactly when a > 1: 100% above 1.5, 0% below 0.5 in the real rows. 30
    # epochs learn the dependence, not the edge (10.2% below 0.5 on an AMD EPYC host
    # without AVX-512, under 10% on others): the share above must be 5x the share below
    high, low = S.loc[S["a"] > 1.5, "c"].isna().mean(), S.loc[S["a"] < 0.5, "c"].isna().mean()
    assert high > 0.5 and low < 0.15 and high > 5 * low, (high, low)
    S = gan.sample(500, conditions={"b": np.nan})
    assert S["b"].isna().all()
    S = gan.sample(500, conditions={"c": None})
    assert S["c"].isna().all() and S["a"].mean() > 0.5  # E[a | a > 1] = 1.5; 0 if ignored


def test_class_conditional_sampling():
    X = _two_clusters(1000)
    y = X.pop("group").to_numpy()
    gan = ConditionalTabularGAN(epochs=60, random_state=0, **FAST).fit(X, y)
    X_b, y_b = gan.sample(y=np.repeat(["b"], 1000))
    assert (y_b == "b").all() and X_b["value"].mean() > 4.0
    X_a, _ = gan.sample(y=np.repeat(["a"], 1000))
    assert X_a["value"].mean() < 2.0
    # labels of unconditional rows come from the training frequencies: binomial sd ~0.007
    _, y_new = gan.sample(5000)
    assert abs((y_new == "b").mean() - (y == "b").mean()) < 0.03
    # and from p(y | value) under a condition on a column (P(b | flag) = 0.8)
    _, y_flag = gan.sample(4000, conditions={"flag": True})
    assert abs((y_flag == "b").mean() - (y[X["flag"]] == "b").mean()) < 0.03
    assert np.isfinite(gan.score_samples(X.iloc[:20], y[:20])).all()


def test_cpu_fits_are_reproducible_and_seeds_matter():
    X = _two_clusters(300)
    params = {"epochs": 3, "batch_size": 50}
    first = ConditionalTabularGAN(random_state=3, **params).fit(X)
    second = ConditionalTabularGAN(random_state=3, **params).fit(X)
    other = ConditionalTabularGAN(random_state=4, **params).fit(X)
    assert first.history_[:, "train_loss"] == second.history_[:, "train_loss"]
    pd.testing.assert_frame_equal(first.sample(50), second.sample(50))
    assert not first.sample(50, random_state=0).equals(other.sample(50, random_state=0))
    assert first.score(X) == second.score(X)
    state = torch.get_rng_state()
    ConditionalTabularGAN(epochs=1, batch_size=50, random_state=0).fit(X)
    assert torch.equal(state, torch.get_rng_state())  # the global torch RNG is untouched
    half = [ConditionalTabularGAN(precision="bfloat16", random_state=3, **params).fit(X)
            for _ in range(2)]
    pd.testing.assert_frame_equal(half[0].sample(20), half[1].sample(20))


def test_pickle_round_trip_and_cuda_models_load_on_cpu(fitted):
    X, gan = fitted
    gan.sample(5)
    copy = pickle.loads(pickle.dumps(gan))
    pd.testing.assert_frame_equal(copy.sample(20), gan.sample(20))
    assert copy.score(X.iloc[:100]) == gan.score(X.iloc[:100])
    state = gan.__getstate__()
    assert "_sampler" in state and state["_sampler"].rows is None  # no training rows kept
    state["_device"] = "cuda:0"
    clone = ConditionalTabularGAN.__new__(ConditionalTabularGAN)
    if torch.cuda.is_available():  # pragma: no cover - GPU machines
        clone.__setstate__(state)
    else:
        with pytest.warns(UserWarning, match="loaded on the CPU"):
            clone.__setstate__(state)
        pd.testing.assert_frame_equal(clone.sample(10, random_state=1),
                                      gan.sample(10, random_state=1))


def test_transform_is_the_encoding_and_scores_are_finite(fitted):
    X, gan = fitted
    Xt = gan.transform(X.iloc[:30])
    assert Xt.shape == (30, len(gan.get_feature_names_out()))
    pd.testing.assert_frame_equal(gan.inverse_transform(Xt), X.iloc[:30].reset_index(drop=True),
                                  check_exact=False)
    odd = X.iloc[:3].copy()
    odd["group"] = ["c", "a", "b"]  # a category never seen
    odd.loc[2, "value"] = np.nan  # a missing value the training data never had
    scores = gan.score_samples(odd)
    # the unseen category has probability zero; the other rows keep their scores
    assert scores[0] == -np.inf
    np.testing.assert_allclose(scores[1:], gan.score_samples(odd.iloc[1:]), rtol=1e-10)
    assert np.isfinite(scores[1:]).all()
    assert gan.score(odd) == -np.inf
    assert set(gan.bandwidth_) == {"scale", "smoothing"}


def test_history_callbacks_and_early_stopping():
    X = _two_clusters(600)
    logs_seen = []
    gan = ConditionalTabularGAN(epochs=40, early_stopping=True, validation_interval=2,
                                n_iter_no_change=2, random_state=0,
                                callbacks=[Recorder(logs_seen)],
                                **FAST).fit(X)
    assert gan.n_epochs_ == len(gan.history_) == len(logs_seen)
    assert {"train_loss", "train_loss_d", "dur"} <= set(gan.history_[0])
    validated = [h for h in gan.history_ if "val_quality" in h]
    assert validated and gan.best_epoch_ == max(validated, key=lambda h: h["val_quality"])[
        "epoch"]


@pytest.mark.parametrize("params, match", [
    ({"batch_size": 55}, "multiple of pac"),
    ({"generator_dims": (64, -1)}, "generator_dims"),
    ({"pac": 0}, "pac"),
])
def test_bad_parameters_raise(params, match):
    with pytest.raises(ValueError, match=match):
        ConditionalTabularGAN(**{"epochs": 1, **params}).fit(_two_clusters(20))


def test_unconditional_missing_rates_are_reproduced():
    # Training-by-sampling draws the missing slot at log-frequency (a 33%-missing column is
    # the condition in 47% of its unit's draws); without the recalibration after fit,
    # 10% / 33% / 5% came back as 10.5% / 23.7% / 7.7% here, penguins' 0.6% as 8% at the
    # 300 epochs (SDV's schedule, the default before epochs="auto").
    from _missing_data import assert_missing_rates_match

    rng = np.random.RandomState(0)
    n = 2000
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n),
                      "d": rng.gamma(2, size=n),
                      "c": rng.choice(["x", "y", "z"], n).astype(object)})
    for column, rate in [("a", 0.10), ("b", 0.33), ("d", 0.006), ("c", 0.05)]:
        X.loc[rng.uniform(size=n) < rate, column] = None
    gan = ConditionalTabularGAN(epochs=30, random_state=0, **FAST).fit(X)
    assert_missing_rates_match(X, gan.sample(20_000, random_state=1))


TINY = {"batch_size": 50, "latent_dim": 8, "generator_dims": (16,),
        "discriminator_dims": (16,)}


def test_auto_epochs_reach_the_step_floor(monkeypatch):
    from sksynth.generators import _gan

    assert ConditionalTabularGAN().epochs == "auto"
    gan = ConditionalTabularGAN()
    # SDV's 300 epochs, raised to the floor of gradient steps on small tables
    assert gan._n_epochs(1) == _gan._AUTO_MIN_STEPS
    assert gan._n_epochs(_gan._AUTO_MIN_STEPS // 10) == _gan._AUTO_EPOCHS == 300
    assert gan._n_epochs(3) == -(-_gan._AUTO_MIN_STEPS // 3)
    assert ConditionalTabularGAN(epochs=7)._n_epochs(1) == 7
    # the fit runs that budget: steps per epoch are max(n // batch_size, 1)
    monkeypatch.setattr(ConditionalTabularGAN, "_auto_epochs", 2)
    monkeypatch.setattr(ConditionalTabularGAN, "_auto_min_steps", 9)
    X = _two_clusters(100)  # 2 steps of 50 rows per epoch: ceil(9 / 2) = 5 epochs
    assert ConditionalTabularGAN(random_state=0, **TINY).fit(X).n_epochs_ == 5
    # 10 steps of 10 rows per epoch: the 2 epochs already exceed 9 steps
    assert ConditionalTabularGAN(random_state=0, **{**TINY, "batch_size": 10}).fit(
        X).n_epochs_ == 2
    with pytest.raises(ValueError, match="epochs"):
        ConditionalTabularGAN(epochs="many").fit(X)


def test_a_fit_is_the_first_epochs_of_a_longer_fit():
    # benchmarks/gan_training_budget.py evaluates several budgets from one long fit per
    # seed: that needs the weights after K epochs of a longer fit to be those of epochs=K
    X = _two_clusters(200)
    short = ConditionalTabularGAN(epochs=3, random_state=0, **TINY).fit(X)
    kept = {}

    class Keep(Callback):
        def on_epoch_end(self, net, **kwargs):
            if net.history[-1, "epoch"] == 3:
                kept.update({k: v.clone() for k, v in net.module_.state_dict().items()})

    long = ConditionalTabularGAN(epochs=6, callbacks=[Keep()], random_state=0, **TINY).fit(X)
    assert not long.sample(50, random_state=0).equals(short.sample(50, random_state=0))
    long._generator.load_state_dict(kept)
    pd.testing.assert_frame_equal(long.sample(50, random_state=0),
                                  short.sample(50, random_state=0))
