"""TabularDiffusion: a two-cluster mixed table is learned, conditions are exact, fits are
reproducible and pickle.

The table: a cluster ``c`` (``a`` 30%, ``b`` 70%), a numeric ``v`` centred at -2 or 3 by
cluster (sd 1) and a category ``k`` whose rate depends on the cluster (``x``: 90% in ``a``,
20% in ``b``). Tolerances: on 2,000 samples a marginal proportion's sampling sd is at most
0.011, so 0.05 leaves room for the model's own error after a 4-second fit (measured: 0.001 on
``p(c = a)``, 0.006 on ``p(k = x)``); a proportion within a cluster (600 rows of ``a``,
sampling sd 0.012 on each side) gets 0.07, as the model weakens the dependence a little
(measured ``p(k = x | a)`` 0.857 for 0.903, ``p(k = x | b)`` 0.208 for 0.197); a cluster mean
is within 0.5 (a tenth of the gap between the clusters; measured -1.89 for -1.98 and 3.01 for
3.00, sampling sd 0.04). An untrained model (one epoch) fails every one of these checks.
"""

import pickle

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("torch")

from sksynth.generators import TabularDiffusion  # noqa: E402

#: A short fit: 100 epochs of 16 batches (1,600 steps, about 4 s on one CPU thread).
FIT = {"epochs": 100, "batch_size": 128, "denoiser_dims": (128, 128), "random_state": 0}
MEANS = {"a": -2.0, "b": 3.0}


def _table(n, seed):
    rng = np.random.RandomState(seed)
    c = rng.choice(["a", "b"], size=n, p=[0.3, 0.7])
    k = np.where(c == "a", rng.choice(["x", "y"], n, p=[0.9, 0.1]),
                 rng.choice(["x", "y"], n, p=[0.2, 0.8]))
    v = np.where(c == "a", MEANS["a"], MEANS["b"]) + rng.normal(size=n)
    return pd.DataFrame({"c": c, "v": v, "k": k})


@pytest.fixture(scope="module")
def fitted():
    X = _table(2000, 0)
    return X, TabularDiffusion(**FIT).fit(X)


def _check_learned(X, S, mean_tol, pair_tol=0.07):
    assert abs((S["c"] == "a").mean() - (X["c"] == "a").mean()) < 0.05
    assert abs((S["k"] == "x").mean() - (X["k"] == "x").mean()) < 0.05
    for c in ("a", "b"):
        real, synth = X[X["c"] == c], S[S["c"] == c]
        assert abs((synth["k"] == "x").mean() - (real["k"] == "x").mean()) < pair_tol
        assert abs(synth["v"].mean() - real["v"].mean()) < mean_tol
    means = S.groupby("c")["v"].mean()
    assert means["a"] < 0 < means["b"]  # the dependence goes the right way


def test_two_clusters_are_learned(fitted):
    X, model = fitted
    S = model.sample(2000, random_state=1)
    assert S.dtypes.equals(X.dtypes) and set(S["c"]) == {"a", "b"} and set(S["k"]) == {"x", "y"}
    _check_learned(X, S, mean_tol=0.5)
    assert S["v"].between(X["v"].min(), X["v"].max()).all()


def test_fewer_steps_still_work(fitted):
    X, model = fitted
    fast = pickle.loads(pickle.dumps(model)).set_params(n_steps=10)
    S = fast.sample(2000, random_state=1)
    # 10 DDIM steps pull the cluster means towards each other (measured -1.57 and 2.96), and
    # two tokens unmasked at the same step (1 in 10) are drawn independently, which weakens
    # their dependence (p(k = x | a): 0.849 for 0.903); p(c = a) 0.321 for 0.304
    _check_learned(X, S, mean_tol=0.8, pair_tol=0.08)
    one = fast.set_params(n_steps=1).sample(100, random_state=1)
    assert one.shape == (100, 3) and one.notna().all().all()


def test_held_out_score_improves_with_training(fitted):
    X, model = fitted
    X_test = _table(1000, 1)
    first = TabularDiffusion(**{**FIT, "epochs": 1}).fit(X)
    before, after = first.score(X_test), model.score(X_test)
    assert np.isfinite(before) and np.isfinite(after)
    assert after > before + 0.5  # measured -2.34 -> -1.32
    scores = model.score_samples(X_test)
    assert scores.shape == (1000,) and np.isfinite(scores).all()
    np.testing.assert_allclose(scores[:10], model.score_samples(X_test.iloc[:10]), rtol=1e-12)


def test_unseen_category_scores_minus_inf(fitted):
    X, model = fitted
    rows = X.iloc[:3].copy()
    rows.loc[rows.index[0], "k"] = "never"
    scores = model.score_samples(rows)
    assert scores[0] == -np.inf and np.isfinite(scores[1:]).all()


def test_conditions_are_exact(fitted):
    X, model = fitted
    S = model.sample(500, conditions={"k": "y"}, random_state=2)
    assert (S["k"] == "y").all()
    # p(b | k = y) = 0.56 / 0.59 = 0.95 in the population
    assert (S["c"] == "b").mean() > 0.85
    S = model.sample(300, conditions={"c": "a", "k": "y"}, random_state=3)
    assert ((S["c"] == "a") & (S["k"] == "y")).all()
    assert abs(S["v"].mean() - MEANS["a"]) < 1.0


def test_class_labels_are_exact():
    X = _table(1000, 0)
    model = TabularDiffusion(**{**FIT, "epochs": 100}).fit(X[["v", "k"]], X["c"])
    requested = np.array(["a"] * 200 + ["b"] * 200)
    S, y = model.sample(y=requested, random_state=0)
    np.testing.assert_array_equal(np.asarray(y), requested)
    means = S.groupby(np.asarray(y))["v"].mean()
    assert abs(means["a"] - MEANS["a"]) < 1.0 and abs(means["b"] - MEANS["b"]) < 1.0
    assert np.isfinite(model.score(X[["v", "k"]], X["c"]))
    assert np.isfinite(model.score(X[["v", "k"]]))


def test_missing_values_are_modelled():
    rng = np.random.RandomState(0)
    X = _table(1000, 0)
    X["w"] = np.where(rng.random_sample(1000) < np.where(X["c"] == "a", 0.6, 0.1), np.nan,
                      rng.normal(size=1000))
    model = TabularDiffusion(**{**FIT, "epochs": 50}).fit(X)
    S = model.sample(2000, random_state=0)
    assert abs(S["w"].isna().mean() - X["w"].isna().mean()) < 0.05
    assert S.loc[S["c"] == "a", "w"].isna().mean() > S.loc[S["c"] == "b", "w"].isna().mean()
    assert model.sample(100, conditions={"w": np.nan}, random_state=0)["w"].isna().all()
    with pytest.raises(ValueError, match="numeric|exactly on discrete"):
        model.sample(5, conditions={"v": 1.0})


def test_same_seed_same_samples():
    X = _table(300, 0)
    params = {**FIT, "epochs": 3, "random_state": 7}
    a = TabularDiffusion(**params).fit(X)
    b = TabularDiffusion(**params).fit(X)
    np.testing.assert_array_equal(a.history_[:, "train_loss"], b.history_[:, "train_loss"])
    pd.testing.assert_frame_equal(a.sample(50, random_state=1), b.sample(50, random_state=1))
    other = TabularDiffusion(**{**params, "random_state": 8}).fit(X)
    assert not other.sample(50, random_state=1).equals(a.sample(50, random_state=1))


def test_pickle_round_trip(fitted):
    X, model = fitted
    copy = pickle.loads(pickle.dumps(model))
    assert not hasattr(copy, "net_")
    pd.testing.assert_frame_equal(copy.sample(50, random_state=4), model.sample(50, random_state=4))
    np.testing.assert_array_equal(copy.score_samples(X.iloc[:20]), model.score_samples(X.iloc[:20]))


def test_parameters_are_checked():
    X = _table(100, 0)
    with pytest.raises(ValueError, match="denoiser_dims"):
        TabularDiffusion(denoiser_dims=(0,)).fit(X)
    with pytest.raises(ValueError, match="n_steps"):
        TabularDiffusion(n_steps=0).fit(X)


def test_constraints_hold_in_every_row():
    from sksynth.constraints import FixedCombinations, Inequality, Range

    rng = np.random.RandomState(0)
    n = 400
    low = rng.normal(10, 2, n)
    species = rng.choice(["Adelie", "Gentoo", "Chinstrap"], n)
    island = np.where(species == "Adelie", rng.choice(["Dream", "Torgersen"], n),
                      np.where(species == "Gentoo", "Biscoe", "Dream"))
    X = pd.DataFrame({"low": low, "high": low + rng.exponential(1.0, n),
                      "age": rng.randint(18, 90, n), "species": species, "island": island})
    constraints = [Inequality("low", "high"), Range("age", 18, 89),
                   FixedCombinations(["species", "island"])]
    model = TabularDiffusion(constraints=constraints, epochs=5, random_state=0).fit(X)
    S = model.sample(1000, random_state=0)
    assert S.dtypes.equals(X.dtypes)
    assert (S["low"] <= S["high"]).all() and S["age"].between(18, 89).all()
    assert set(zip(S["species"], S["island"])) <= set(zip(X["species"], X["island"]))
    assert np.isfinite(model.score(X))


def test_early_stopping_validates_held_out_quality():
    X = _table(400, 0)
    model = TabularDiffusion(**{**FIT, "epochs": 20}, early_stopping=True,
                             validation_interval=5, n_iter_no_change=2).fit(X)
    quality = [row["val_quality"] for row in model.history_ if "val_quality" in row]
    assert len(quality) >= 2 and all(0 < q <= 1 for q in quality)
    assert 1 <= model.best_epoch_ <= model.n_epochs_ <= 20
