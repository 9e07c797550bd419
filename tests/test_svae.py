"""SLDSVAE (structured VAE with a switching LDS prior) and make_slds."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

from sksynth.datasets import make_slds
from sksynth.generators import SLDSVAE


# ------------------------------------------------------------------ make_slds
def test_make_slds_shapes_and_params():
    X, states, params = make_slds(7, 30, n_states=4, latent_dim=3, n_features=5, random_state=0)
    assert X.shape == (7, 30, 5) and states.shape == (7, 30)
    assert params["latent"].shape == (7, 30, 3) and params["A"].shape == (4, 3, 3)
    assert set(np.unique(states)) <= set(range(4))
    np.testing.assert_allclose(params["transition"].sum(1), 1.0)
    X2, states2, _ = make_slds(7, 30, n_states=4, latent_dim=3, n_features=5, random_state=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(states, states2)


def test_make_slds_states_follow_the_transition_matrix():
    _, states, params = make_slds(400, 50, n_states=3, stickiness=0.8, random_state=1)
    P = params["transition"]
    counts = np.zeros((3, 3))
    np.add.at(counts, (states[:, :-1].ravel(), states[:, 1:].ravel()), 1)
    n_from = counts.sum(1, keepdims=True)
    freq = counts / n_from
    se = np.sqrt(P * (1 - P) / n_from)
    assert np.all(np.abs(freq - P) <= 4 * se + 1e-12)
    # the first state is uniform
    first = np.bincount(states[:, 0], minlength=3) / 400
    assert np.all(np.abs(first - 1 / 3) < 4 * np.sqrt(2 / 9 / 400))


def test_make_slds_latent_follows_the_dynamics_of_its_state():
    X, states, p = make_slds(50, 40, n_states=2, state_noise=0.1, obs_noise=0.0,
                             nonlinear=False, random_state=2)
    x = p["latent"]
    k = states[:, 1:]
    pred = np.einsum("ntij,ntj->nti", p["A"][k], x[:, :-1]) + p["b"][k]
    resid = x[:, 1:] - pred
    assert abs(resid.std() - 0.1) < 0.01
    np.testing.assert_allclose(X, x @ p["C"].T, atol=1e-12)


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"n_states": 0}, ValueError, "n_states"),
        ({"latent_dim": 1}, ValueError, "latent_dim"),
        ({"n_sequences": 2.5}, TypeError, "n_sequences"),
        ({"stickiness": 1.5}, ValueError, "stickiness"),
    ],
)
def test_make_slds_rejects_bad_parameters(kwargs, err, match):
    with pytest.raises(err, match=match):
        make_slds(**kwargs)


# ------------------------------------------------------------------- SLDSVAE
@pytest.fixture(scope="module")
def toy():
    X, states, _ = make_slds(24, 20, n_states=2, n_features=4, random_state=0)
    return X, states


@pytest.fixture(scope="module")
def fitted(toy):
    X, _ = toy
    return SLDSVAE(n_states=2, epochs=3, pretrain_epochs=3, encoder_dims=(8,), decoder_dims=(8,),
                   random_state=0).fit(X)


def test_api_shapes_and_determinism(fitted, toy):
    X, _ = toy
    R = fitted.transform(X)
    assert R.shape == (24, 20, 2)
    np.testing.assert_allclose(R.sum(-1), 1.0, atol=1e-10)
    np.testing.assert_array_equal(R, fitted.transform(X))
    path = fitted.predict(X)
    assert path.shape == (24, 20) and set(np.unique(path)) <= {0, 1}
    s = fitted.score_samples(X)
    assert s.shape == (24,) and np.isfinite(s).all()
    assert fitted.score(X) == pytest.approx(fitted.score(X))
    assert fitted.sample(5).shape == (5, 20, 4)
    assert fitted.sample(2, n_timesteps=7).shape == (2, 7, 4)
    assert fitted.sample(0).shape == (0, 20, 4)
    np.testing.assert_array_equal(fitted.sample(3, random_state=1),
                                  fitted.sample(3, random_state=1))
    assert not np.array_equal(fitted.sample(3), fitted.sample(3))
    assert fitted.transition_.shape == (2, 2)
    np.testing.assert_allclose(fitted.transition_.sum(1), 1.0)
    assert len(fitted.history_) == 3


def test_fit_is_reproducible_and_picklable(toy, fitted):
    X, _ = toy
    again = clone(fitted).fit(X)
    np.testing.assert_allclose(again.transform(X), fitted.transform(X), atol=1e-12)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(restored.transform(X), fitted.transform(X), atol=1e-12)


def test_missing_steps_are_imputed_and_observed_kept(fitted, toy):
    X, _ = toy
    X_miss = X.copy()
    X_miss[:, 5:9] = np.nan
    filled, draws = fitted.impute(X_miss, n_draws=10, return_draws=True, random_state=0)
    assert filled.shape == X.shape and np.isfinite(filled).all()
    np.testing.assert_array_equal(filled[:, :5], X[:, :5])
    assert draws.shape == (10, 24, 20, 4)
    np.testing.assert_array_equal(draws[:, :, 9:], np.broadcast_to(X[:, 9:], draws[:, :, 9:].shape))
    assert draws[:, :, 5:9].std(0).min() > 0
    assert np.isfinite(fitted.score_samples(X_miss)).all()
    assert fitted.transform(X_miss).shape == (24, 20, 2)


@pytest.mark.parametrize("gradient", ["implicit", "unrolled", "none"])
@pytest.mark.parametrize("natural", [True, False])
def test_every_gradient_mode_trains(toy, gradient, natural):
    X, _ = toy
    model = SLDSVAE(n_states=2, epochs=2, pretrain_epochs=1, encoder_dims=(8,), decoder_dims=(8,),
                    inference_max_iter=3,
                    gradient=gradient, natural_gradient=natural, random_state=0).fit(X[:8])
    assert np.isfinite([h["elbo"] for h in model.history_]).all()
    assert np.isfinite(model.score(X[:8]))


def test_implicit_gradients_train_the_model_without_falling_back(toy):
    # the backward solve runs at every step (warm-started forward, per-sequence stop);
    # the one-step fallback is for failed solves only
    X, _ = toy
    model = SLDSVAE(n_states=2, epochs=6, pretrain_epochs=3, encoder_dims=(8,), decoder_dims=(8,),
                    batch_size=8,
                    random_state=0).fit(X)
    hist = model.history_
    assert {"fallback_rate", "converged_rate", "forward_iter", "backward_iter"} <= set(hist[0])
    assert np.mean([h["fallback_rate"] for h in hist]) < 0.1
    assert np.mean([h["converged_rate"] for h in hist]) >= 0.9
    assert all(h["backward_iter"] >= 1 for h in hist)
    # forcing every solve to count as failed (no tolerance met, residual above 0 x that of
    # v = g) makes every sequence fall back, and is recorded
    forced = SLDSVAE(n_states=2, epochs=2, pretrain_epochs=3, encoder_dims=(8,),
                     decoder_dims=(8,), batch_size=8,
                     random_state=0)
    forced._fixed_point_options = {"fallback_threshold": 0.0, "bwd_tol": 0.0}
    forced.fit(X)
    assert all(h["fallback_rate"] == 1.0 for h in forced.history_)


def test_stock_windows_train_without_falling_back():
    # 16 stock windows: within ~15 epochs the state marginals saturate and the block
    # update's Jacobian vanishes to rounding (||J^T g|| ~ 1e-15 ||g||). The previous
    # failure rule compared the final residual with that rounding noise and fell back
    # for 20% of the sequences (40% in the second half; measured with this seed); the
    # one-step gradient is exact there, so those solves are now solved with no iteration
    from sksynth.datasets import load_stock_returns

    stocks = load_stock_returns(window=24, stride=6)
    X = stocks.data[:16, :, stocks.complete]
    model = SLDSVAE(n_states=2, latent_dim=3, encoder_dims=(16,), decoder_dims=(16,), epochs=40,
                    pretrain_epochs=20, batch_size=16, random_state=0).fit(X)
    hist = model.history_
    fb = [h["fallback_rate"] for h in hist]
    assert np.mean(fb) < 0.1 and np.mean(fb[20:]) < 0.1
    # the saturated steps occurred (solved at once) and most solves met the tolerance
    assert min(h["backward_iter"] for h in hist) == 0
    assert np.mean([h["solved_rate"] for h in hist]) > 0.5
    assert np.isfinite(model.score(X))


def test_implicit_gradient_of_the_loss_equals_unrolled_on_a_tiny_model(toy):
    # network and q(theta) gradients of the training loss: implicit (converged forward,
    # solved to machine precision) against back-propagation through every sweep
    X, _ = toy
    model = SLDSVAE(n_states=2, epochs=0, pretrain_epochs=2, encoder_dims=(4,), decoder_dims=(4,),
                    inference_max_iter=400,
                    inference_tol=1e-12, random_state=0).fit(X[:3, :8])
    model._fixed_point_options = {"bwd_max_iter": 2000, "bwd_tol": 1e-15}
    Y, mask = model._tensors(X[:3, :8])
    params = list(model._nets.parameters()) + model._globals.tensors()
    grads = {}
    for mode in ("implicit", "unrolled"):
        gen = torch.Generator().manual_seed(0)
        out = model._infer(Y, mask, mode=mode, generator=gen)
        loss = -model._elbo(Y, mask, out, 1, gen).mean()
        g = torch.autograd.grad(loss, params, allow_unused=True)
        grads[mode] = torch.cat([torch.zeros_like(p).ravel() if gi is None else gi.ravel()
                                 for p, gi in zip(params, g)])
        assert out["info"]["converged"]
    assert not out["info"].get("fallback_used", False)
    rel = torch.linalg.norm(grads["implicit"] - grads["unrolled"]) / torch.linalg.norm(
        grads["unrolled"])
    assert float(rel) < 1e-6


def test_fit_with_missing_steps(toy):
    X, _ = toy
    X = X.copy()
    X[::2, 3:6] = np.nan
    X[1, 10, 0] = np.nan  # a partially observed step counts as missing
    model = SLDSVAE(n_states=2, epochs=1, pretrain_epochs=1, random_state=0).fit(X)
    assert np.isfinite(model.score(X))


def test_bad_input_is_rejected(fitted, toy):
    X, _ = toy
    with pytest.raises(ValueError, match="n_sequences, n_timesteps, n_features"):
        SLDSVAE().fit(X[:, :, 0])
    with pytest.raises(ValueError, match="features per time step"):
        fitted.transform(X[:, :, :3])
    bad = X.copy()
    bad[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        fitted.transform(bad)
    with pytest.raises(ValueError, match="no fully observed"):
        SLDSVAE().fit(np.full((2, 3, 2), np.nan))
    with pytest.raises(ValueError, match="gradient"):
        SLDSVAE(gradient="exact").fit(X)
    with pytest.raises(TypeError, match="n_timesteps"):
        fitted.sample(2, n_timesteps=2.5)


def test_one_time_step_is_refused_clearly(toy):
    X, _ = toy
    with pytest.raises(ValueError, match=r"at least 2 time steps .* shape \(24, 1, 4\)"):
        SLDSVAE(n_states=2, epochs=1, pretrain_epochs=1).fit(X[:, :1])


def test_values_whose_variance_overflows_are_refused(toy):
    X, _ = toy
    X = X.copy()
    X[:, :, 2] *= 1e300 / np.abs(X[:, :, 2]).max()
    with pytest.raises(ValueError, match=r"feature 2 \(values up to 1e\+300\): their "
                                         r"variance overflows float64\. Rescale"):
        SLDSVAE(n_states=2, epochs=1, pretrain_epochs=1).fit(X)


def test_large_finite_values_give_finite_samples_on_their_scale(toy):
    X, _ = toy
    model = SLDSVAE(n_states=2, epochs=2, pretrain_epochs=2, encoder_dims=(8,), decoder_dims=(8,),
                    random_state=0).fit(X * 1e100)
    sample = model.sample(5, random_state=0)
    assert np.isfinite(sample).all()
    assert 1e98 < np.abs(sample).max() < 1e102


def test_tags_declare_three_dimensional_input():
    from sklearn.utils import get_tags

    tags = get_tags(SLDSVAE())
    assert tags.input_tags.three_d_array and not tags.input_tags.two_d_array
    assert tags.input_tags.allow_nan


# ---------------------------------------------------------- evidence (slow)
@pytest.fixture(scope="module")
def toy_study():
    X, states, _ = make_slds(128, 50, n_states=3, n_features=8, random_state=0)
    train, test = slice(0, 96), slice(96, 128)
    model = SLDSVAE(n_states=3, epochs=60, pretrain_epochs=50, batch_size=16,
                    random_state=0).fit(X[train])
    return X[train], X[test], states[test], model


@pytest.mark.slow
def test_states_are_recovered_on_held_out_sequences(toy_study):
    _, X_test, states_test, model = toy_study
    ari = adjusted_rand_score(states_test.ravel(), model.predict(X_test).ravel())
    assert ari >= 0.8


@pytest.mark.slow
def test_held_out_elbo_beats_a_plain_vae_with_the_same_networks(toy_study):
    X_train, X_test, _, model = toy_study
    plain = clone(model).set_params(epochs=0, pretrain_epochs=110).fit(X_train)
    Y, mask = plain._tensors(X_test)
    with torch.no_grad():
        elbo = plain._plain_elbo(Y, mask, torch.Generator().manual_seed(0), n_draws=8)
    plain_score = float(elbo.mean()) / X_test.shape[1] - np.log(plain._scale).sum()
    assert model.score(X_test) > plain_score + 0.1


@pytest.mark.slow
def test_imputation_beats_linear_interpolation_with_calibrated_intervals(toy_study):
    _, X_test, _, model = toy_study
    X_miss = X_test.copy()
    gaps = [(10, 16), (30, 36)]
    for a, b in gaps:
        X_miss[:, a:b] = np.nan
    filled, draws = model.impute(X_miss, n_draws=200, return_draws=True, random_state=0)
    lin = X_miss.copy()
    for a, b in gaps:
        w = (np.arange(a, b) - (a - 1)) / (b - (a - 1))
        left, right = X_test[:, a - 1:a], X_test[:, b:b + 1]
        lin[:, a:b] = (1 - w)[None, :, None] * left + w[None, :, None] * right
    miss = np.isnan(X_miss)
    rmse_model = np.sqrt(np.mean((filled - X_test)[miss] ** 2))
    rmse_lin = np.sqrt(np.mean((lin - X_test)[miss] ** 2))
    assert rmse_model < rmse_lin
    lo, hi = np.quantile(draws, [0.05, 0.95], axis=0)
    cover = np.mean(((X_test >= lo) & (X_test <= hi))[miss])
    # nominal 90 %; n = 32*12*8 correlated entries: a wide band for calibration
    assert 0.75 <= cover <= 0.98


def test_sklearn_api_checks_that_need_no_two_dimensional_data():
    # sklearn skips its data checks for an estimator without the two_d_array tag
    # (only check_estimator_cloneable runs in test_common.py); run the
    # data-free API checks here.
    from sklearn.utils.estimator_checks import (
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
    )

    est = SLDSVAE()
    check_no_attributes_set_in_init("SLDSVAE", est)
    check_parameters_default_constructible("SLDSVAE", est)
    check_get_params_invariance("SLDSVAE", est)


@pytest.mark.slow
def test_stock_returns_regimes_and_imputation():
    # real data (matplotlib's monthly stock returns): the two states must split calm and
    # volatile months, and filling removed months must beat linear interpolation
    from sksynth.datasets import load_stock_returns

    stocks = load_stock_returns(window=24, stride=6)
    X = stocks.data[:, :, stocks.complete]
    train = stocks.window_start.year < 2014
    model = SLDSVAE(n_states=2, latent_dim=3, epochs=60, pretrain_epochs=30, batch_size=16,
                    random_state=0).fit(X[train])
    states = model.predict(stocks.frame.loc[:, stocks.complete].to_numpy()[None])[0]
    sp500 = stocks.frame["^GSPC"].to_numpy()
    vol = sorted(sp500[states == k].std() for k in range(2) if (states == k).sum() > 12)
    assert len(vol) == 2 and vol[1] > 1.5 * vol[0]
    X_test = X[~train]
    X_gap = X_test.copy()
    X_gap[:, 10:13] = np.nan
    filled, draws = model.impute(X_gap, n_draws=200, return_draws=True, random_state=0)
    w = (np.arange(10, 13) - 9) / 4
    linear = X_gap.copy()
    linear[:, 10:13] = (1 - w)[None, :, None] * X_test[:, 9:10] + w[None, :, None] * X_test[:,
                                                                                           13:14]
    miss = np.isnan(X_gap)
    assert np.sqrt(np.mean((filled - X_test)[miss] ** 2)) < np.sqrt(
        np.mean((linear - X_test)[miss] ** 2))
    lo, hi = np.quantile(draws, [0.05, 0.95], axis=0)
    # 14 windows x 3 months x 7 series = 294 correlated values: a wide band around 90%
    assert 0.8 <= np.mean(((X_test >= lo) & (X_test <= hi))[miss]) <= 0.99
