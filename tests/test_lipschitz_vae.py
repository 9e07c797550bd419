"""LipschitzVAE: Lipschitz bound, privacy accounting, mixed types, determinism, audit."""

import math
import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from skorch.callbacks import Callback, LRScheduler

from sksynth.generators import LipschitzVAE
from sksynth.generators._lipschitz_vae import (
    _jacobians,
    _power_iteration_norms,
)
from sksynth.privacy import audit, gaussian_epsilon, gaussian_mu

from _missing_data import assert_missing_rates_match, missing_table

FAST = dict(latent_dim=3, encoder_dims=(32, 32), decoder_dims=(32, 32),
            epochs=15, batch_size=64, random_state=0)


@pytest.fixture(scope="module")
def table():
    rng = np.random.RandomState(0)
    n = 240
    a = rng.normal(size=n)
    frame = pd.DataFrame({
        "a": a,
        "b": np.where(a + 0.3 * rng.normal(size=n) > 0, "hi", "lo"),
        "c": rng.randint(0, 5, n),
        "d": rng.uniform(size=n) < 0.3,
    })
    frame.loc[::17, "a"] = np.nan
    return frame


DECLARED = dict(bounds={"a": (-4, 4), "c": (0, 4)}, categories={"b": ["hi", "lo"]})


def _secant_max(decoder, n_pairs=2000, scale=3.0, seed=1):
    gen = torch.Generator().manual_seed(seed)
    d = decoder.body[0].weight.shape[1]
    z1 = scale * torch.randn(n_pairs, d, generator=gen, dtype=torch.float64)
    z2 = z1 + 0.5 * torch.randn(n_pairs, d, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        num = torch.linalg.vector_norm(decoder(z1) - decoder(z2), dim=1)
    return float((num / torch.linalg.vector_norm(z1 - z2, dim=1)).max())


@pytest.mark.parametrize("method", ["spectral", "penalty"])
@pytest.mark.parametrize("lipschitz", [0.5, 2.0])
def test_measured_lipschitz_constant_within_bound(table, method, lipschitz):
    vae = LipschitzVAE(method=method, lipschitz=lipschitz, penalty_weight=50.0, **DECLARED,
                       **FAST).fit(table)
    # power iteration agrees with the exact spectral norm of the Jacobians
    Z = torch.as_tensor(np.random.RandomState(2).normal(size=(64, 3)) * 2.0)
    with torch.no_grad():
        J = _jacobians(vae._decoder, Z)
        exact = torch.linalg.matrix_norm(J, ord=2)
        power = _power_iteration_norms(J)
        # power iteration approaches the largest singular value from below
        assert torch.all(power <= exact * (1 + 1e-9))
        assert torch.allclose(power, exact, rtol=1e-3)
    assert vae.lipschitz_ <= lipschitz * (1 + 1e-9)
    assert float(exact.max()) <= lipschitz * (1 + 1e-9)
    # secants between random pairs too (a global property, not only at the probe points)
    assert _secant_max(vae._decoder) <= lipschitz * (1 + 1e-9)
    if method == "spectral":  # the certified global bound: product of layer norms
        assert vae.lipschitz_bound_ <= lipschitz * (1 + 1e-9)
        assert vae.lipschitz_ <= vae.lipschitz_bound_ * (1 + 1e-9)


def test_unconstrained_decoder_can_exceed_the_bound(table):
    # the constraint is doing something: with penalty weight 0 the same fit goes above 0.5
    vae = LipschitzVAE(method="penalty", lipschitz=0.5, penalty_weight=0.0, **DECLARED,
                       **{**FAST, "epochs": 60}).fit(table)
    assert vae.lipschitz_ > 0.5


def test_epsilon_is_the_accountant_value_and_independent_of_epochs(table):
    eps = []
    for epochs in (1, 5, 20):
        vae = LipschitzVAE(encoder_std=2.0, clip=1.0, nullable=["a"], **DECLARED,
                           **{**FAST, "epochs": epochs}).fit(table)
        eps.append(vae.epsilon_)
    n = len(table)
    assert vae.delta_ == pytest.approx(1 / n)
    # mu = 2 * clip / encoder_std = 1 (nullable declared: no missing counts released)
    assert eps == [pytest.approx(gaussian_epsilon(1.0, 1 / n))] * 3
    assert vae.mu_ == pytest.approx(1.0)
    statuses = vae.privacy_report_.to_frame().set_index("step")["status"]
    assert statuses["bounds of 'a'"] == "public"
    assert statuses["categories of 'd'"] == "public"  # boolean by type
    assert statuses["columns that may be missing"] == "public"
    assert statuses["training (encoder and decoder weights)"] == "assumed"
    assert statuses["released latent codes (one per row)"] == "gdp"


def test_undeclared_nullable_spends_five_percent_on_private_counts(table):
    # nullable=None: the counts of 'a' (float) and 'b' (object) are released with
    # mu_c^2 = 0.05 / 0.95 * mu_codes^2, so mu_ = mu_codes / sqrt(0.95); 'c' (int64) and
    # 'd' (bool) are complete by dtype and cost nothing
    vae = LipschitzVAE(encoder_std=2.0, clip=1.0, **DECLARED, **FAST).fit(table)
    rows = vae.privacy_report_.to_frame().set_index("step")
    assert rows.loc["missing counts (2 columns)", "mu"] == pytest.approx(math.sqrt(0.05 / 0.95))
    assert vae.mu_ == pytest.approx(1.0 / math.sqrt(0.95))
    assert vae.epsilon_ == pytest.approx(gaussian_epsilon(1.0 / math.sqrt(0.95), 1 / 240))
    assert "'c', 'd'" in rows.loc["complete columns by dtype", "note"]
    # noise sd sqrt(2) / mu_c = 6.16 counts, threshold 18.5: 'a' (15 missing) and 'b' (0)
    sd = math.sqrt(2) / math.sqrt(0.05 / 0.95)
    assert set(vae.missing_counts_) == {"a", "b"}
    assert abs(vae.missing_counts_["a"] - 15) < 4 * sd and abs(vae.missing_counts_["b"]) < 4 * sd
    nullable = {c.name: c.nullable for c in vae._columns}
    assert nullable == {"a": vae.missing_counts_["a"] > 3 * sd, "b": False, "c": False,
                        "d": False}
    # with target_epsilon the total stays at the target: codes get 95% of mu^2
    tgt = LipschitzVAE(target_epsilon=1.0, **DECLARED, **{**FAST, "epochs": 1}).fit(table)
    assert tgt.epsilon_ == pytest.approx(1.0, rel=1e-8)
    assert 2.0 / tgt.encoder_std_ == pytest.approx(math.sqrt(0.95) * tgt.mu_)


def test_declared_nullable_columns(table):
    # a declared list is public and costs nothing; a listed column without missing values
    # still gets a missing slot, an unlisted one with missing values is an error
    vae = LipschitzVAE(nullable=["a", "b"], **DECLARED, **{**FAST, "epochs": 1}).fit(table)
    assert {c.name: c.nullable for c in vae._columns} == {"a": True, "b": True, "c": False,
                                                           "d": False}
    assert vae.missing_counts_ == {}
    assert not vae.privacy_report_.to_frame()["step"].str.startswith("missing counts").any()
    every = LipschitzVAE(nullable="all", **DECLARED, **{**FAST, "epochs": 1}).fit(table)
    assert all(c.nullable for c in every._columns)
    with pytest.raises(ValueError, match="column 'a' has missing values, but `nullable`"):
        LipschitzVAE(nullable=["b"], **DECLARED, **FAST).fit(table)
    with pytest.raises(ValueError, match="nullable names a column 'zz'"):
        LipschitzVAE(nullable=["zz"], **DECLARED, **FAST).fit(table)
    # positions work for arrays (names 0, 1)
    X = np.random.RandomState(0).normal(size=(100, 2))
    X[::10, 1] = np.nan
    arr = LipschitzVAE(nullable=[1], bounds={0: (-4, 4), 1: (-4, 4)},
                       **{**FAST, "epochs": 1}).fit(X)
    assert [c.nullable for c in arr._columns] == [False, True]


def test_few_missing_values_below_the_private_threshold_are_imputed():
    # one missing value of 300: its noisy count is below 3 sd, so the column is treated as
    # complete (imputed in fit and when scoring, never sampled missing) instead of failing
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    frame.loc[7, "a"] = np.nan
    vae = LipschitzVAE(target_epsilon=1.0, bounds={"a": (-4, 4), "b": (-4, 4)},
                       **FAST).fit(frame)
    assert not any(c.nullable for c in vae._columns)
    assert vae.sample(2000, random_state=0).notna().all().all()
    assert vae.epsilon_ == pytest.approx(1.0, rel=1e-8)
    scores = vae.score_samples(frame)
    assert np.isfinite(scores).all()
    # the row with the missing value scores as its imputed value (0, the middle of the range)
    assert scores[7] == pytest.approx(vae.score_samples(frame.fillna(0.0))[7], rel=1e-12)


@pytest.mark.parametrize("target", [0.5, 2.0, 8.0])
def test_target_epsilon_calibrates_the_noise(table, target):
    vae = LipschitzVAE(target_epsilon=target, delta=1e-5, clip=0.7, nullable=["a"],
                       **DECLARED, **{**FAST, "epochs": 1}).fit(table)
    assert vae.epsilon_ == pytest.approx(target, rel=1e-8)
    assert vae.encoder_std_ == pytest.approx(2 * 0.7 / vae.mu_)


def test_undeclared_domain_and_prior_release_are_not_private(table):
    vae = LipschitzVAE(**{**FAST, "epochs": 1}).fit(table)
    assert vae.epsilon_ == math.inf and not vae.privacy_report_.formal
    rows = vae.privacy_report_.to_frame().set_index("step")
    assert rows.loc["bounds of 'a'", "status"] == "not_private"
    assert rows.loc["categories of 'b'", "status"] == "not_private"
    prior = LipschitzVAE(release="prior", **DECLARED, **{**FAST, "epochs": 1}).fit(table)
    assert prior.epsilon_ == math.inf
    assert prior.sample(5).shape == (5, 4)


def test_released_codes_follow_the_gaussian_mechanism(table):
    vae = LipschitzVAE(encoder_std=0.5, clip=0.8, **DECLARED, **FAST).fit(table)
    means = torch.as_tensor(vae.transform(table))
    assert float(torch.linalg.vector_norm(means, dim=1).max()) <= 0.8 + 1e-9
    resid = (vae._pool - means).numpy().ravel()
    # std of the residual is encoder_std: 720 draws, relative error ~ 1/sqrt(2*720) < 0.1
    assert np.std(resid) == pytest.approx(0.5, rel=0.1)


def test_mixed_types_samples_and_round_trip(table):
    vae = LipschitzVAE(**DECLARED, **{**FAST, "epochs": 40}).fit(table)
    out = vae.sample(500, random_state=0)
    assert list(out.columns) == list(table.columns)
    assert list(out.dtypes) == list(table.dtypes)
    assert set(out["b"].dropna()) <= {"hi", "lo"}
    assert out["c"].between(0, 4).all()
    assert out["a"].dropna().between(-4, 4).all()
    # the class balance of b is learnt (0.5 +- 0.15 for 500 draws and a short fit)
    assert abs((out["b"] == "hi").mean() - (table["b"] == "hi").mean()) < 0.15
    decoded = vae.inverse_transform(vae.transform(table))
    assert decoded.shape == table.shape
    assert np.isfinite(vae.score_samples(table)).all()


def test_conditional_sampling_with_declared_classes(table):
    y = (table["a"].fillna(0) > 0).astype(int).to_numpy()
    vae = LipschitzVAE(bounds=DECLARED["bounds"],
                       categories={**DECLARED["categories"], "__target__": [0, 1]},
                       **{**FAST, "epochs": 40}).fit(table, y)
    assert np.isfinite(vae.epsilon_)
    X1, y1 = vae.sample(y=np.ones(200, dtype=int), random_state=0)
    X0, y0 = vae.sample(y=np.zeros(200, dtype=int), random_state=0)
    assert (y1 == 1).all() and (y0 == 0).all()
    assert X1["a"].mean() > X0["a"].mean()  # rows follow their label
    Xs, ys = vae.sample(10)
    assert set(ys) <= {0, 1}
    with pytest.raises(ValueError, match="not in categories"):
        LipschitzVAE(categories={"__target__": [0]}, **{**FAST, "epochs": 1}).fit(table, y)


def test_determinism_and_pickling(table):
    a = LipschitzVAE(**DECLARED, **FAST).fit(table)
    b = LipschitzVAE(**DECLARED, **FAST).fit(table)
    assert a.history_[:, "train_loss"] == b.history_[:, "train_loss"]
    pd.testing.assert_frame_equal(a.sample(50, random_state=3), b.sample(50, random_state=3))
    clone = pickle.loads(pickle.dumps(a))
    pd.testing.assert_frame_equal(a.sample(50, random_state=4), clone.sample(50, random_state=4))
    np.testing.assert_array_equal(a.score_samples(table), clone.score_samples(table))
    assert clone.epsilon_ == a.epsilon_
    assert not hasattr(clone, "net_") and clone.history_ == a.history_


class _StopAfter(Callback):
    def __init__(self, epochs):
        self.epochs = epochs

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epochs:
            raise KeyboardInterrupt


@pytest.mark.parametrize("weights", ["assumed", "dp-sgd"])
def test_trains_through_the_torch_layer(table, weights, capsys):
    """skorch callbacks, history and progress, as for every neural generator."""
    extra = {"weights": weights, "noise_multiplier": 1.0} if weights == "dp-sgd" else {}
    params = {**FAST, "epochs": 6, **extra}
    vae = LipschitzVAE(**DECLARED, **params, callbacks=[("stop", _StopAfter(3))]).fit(table)
    assert len(vae.history_) == 3  # stopped by the callback after epoch 3
    assert vae.history_[:, "epoch"] == [1, 2, 3]
    assert np.all(np.isfinite(vae.history_[:, "train_loss"]))
    if weights == "dp-sgd":  # the accountant counted the steps taken, not the planned ones
        assert vae.epsilon_ < LipschitzVAE(**DECLARED, **params).fit(table).epsilon_
    # a learning-rate schedule from skorch: lr 0 from the start freezes the weights
    frozen = LipschitzVAE(**DECLARED, **{**FAST, "epochs": 2}, callbacks=[LRScheduler(
        "LambdaLR", lr_lambda=lambda epoch: 0.0)]).fit(table)
    assert frozen.history_[0, "train_loss"] == pytest.approx(frozen.history_[1, "train_loss"],
                                                               rel=0.05)
    capsys.readouterr()
    LipschitzVAE(**DECLARED, **{**FAST, "epochs": 2}, verbose=True).fit(table)
    assert "LipschitzVAE" in capsys.readouterr().err
    with pytest.raises(TypeError, match="skorch callbacks"):
        LipschitzVAE(**DECLARED, **FAST, callbacks=[print]).fit(table)


def test_parameter_errors(table):
    with pytest.raises(ValueError, match="encoder_dims must be a tuple of positive integers"):
        LipschitzVAE(encoder_dims=(0,), decoder_dims=(0,)).fit(table)
    with pytest.raises(ValueError, match="must be a pair"):
        LipschitzVAE(bounds={"a": 3}).fit(table)
    with pytest.raises(ValueError, match="low <= high"):
        LipschitzVAE(bounds={"a": (2, 1)}).fit(table)
    with pytest.raises(ValueError, match="lipschitz"):
        LipschitzVAE(lipschitz=-1).fit(table)
    with pytest.raises(ValueError, match="CUDA is not available"):
        if torch.cuda.is_available():
            raise ValueError("CUDA is not available (skipped: CUDA present)")
        LipschitzVAE(device="cuda").fit(table)


def test_audit_stays_below_the_claim():
    # A small private fit, audited with a replaced outlier: the claim must not be refuted.
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(60, 2))
    X[0] = [1.0, 1.0]
    factory = LipschitzVAE(latent_dim=2, encoder_dims=(16,), decoder_dims=(16,),
                           epochs=3, batch_size=64,
                           target_epsilon=1.0, bounds={0: (-1, 1), 1: (-1, 1)})
    res = audit(factory, X, n_trials=60, random_state=0)
    assert res.epsilon_claimed == pytest.approx(1.0)
    assert res.consistent


def test_missing_values_only_where_fit_had_them(table):
    # 'a' has missing values in fit, 'b', 'c' and 'd' have none: only 'a' may come back missing
    vae = LipschitzVAE(**DECLARED, **{**FAST, "epochs": 30}).fit(table)
    X_new = vae.sample(2000, random_state=0)
    assert X_new[["b", "c", "d"]].notna().all().all()
    assert X_new["c"].dtype == table["c"].dtype  # int64 stays int64 (no nullable Int64)
    assert 0.005 < X_new["a"].isna().mean() < 0.2  # fit: 15 of 240 (6%) missing
    # which columns hold missing values is no longer claimed as public schema
    rows = vae.privacy_report_.to_frame().set_index("step")
    assert "missing" not in rows.loc["schema", "note"]
    assert rows.loc["missing counts (2 columns)", "status"] == "gdp"
    with pytest.raises(ValueError, match="column 'c' has missing values, but the model has no "
                                         "missing-value slot for it .its dtype cannot"):
        vae.score_samples(table.assign(c=table["c"].astype(float).where(table.index > 0)))


def test_conditional_decoder_keeps_the_lipschitz_bound(table):
    # with labels the bound covers the stacked map z -> [rows' scores, label scores]
    y = (table["a"].fillna(0) > 0).astype(int).to_numpy()
    vae = LipschitzVAE(lipschitz=2.0, **DECLARED, **FAST).fit(table, y)
    assert vae.lipschitz_ <= vae.lipschitz_bound_ * (1 + 1e-9)
    assert vae.lipschitz_bound_ <= 2.0 * (1 + 1e-9)
    Z = torch.as_tensor(np.random.RandomState(3).normal(size=(64, 3)) * 2.0)
    for k in (0, 1):
        labels = torch.zeros(64, 2, dtype=torch.float64)
        labels[:, k] = 1.0
        with torch.no_grad():
            J = _jacobians(vae._decoder, Z, labels)
        assert float(torch.linalg.matrix_norm(J, ord=2).max()) <= 2.0 * (1 + 1e-9)
    # the marginal score sums the label out: it tracks log sum_k of the joint scores
    marginal = vae.score_samples(table)
    joint = np.logaddexp(vae.score_samples(table, np.zeros(240, int)),
                         vae.score_samples(table, np.ones(240, int)))
    assert np.isfinite(marginal).all() and marginal.shape == (240,)
    assert np.corrcoef(marginal, joint)[0, 1] > 0.9


def test_missing_rates_are_reproduced():
    # The output biases (missing logits start at -5, a data-independent "rare") used to
    # learn at lr=1e-3 like the weights: after 15 epochs 10% / 33% / 5% came back as
    # 2.9% / 10% / 0.8%. They now learn at _BIAS_LR; the rates are read off the model.
    frame = missing_table()
    vae = LipschitzVAE(bounds={"a": (-4, 4), "b": (-4, 4)},
                       categories={"c": ["x", "y", "z"]}, **FAST).fit(frame)
    assert_missing_rates_match(frame, vae.sample(20_000, random_state=1))


@pytest.mark.parametrize("declared", [True, False])
def test_unseen_category_scores_minus_inf(table, declared):
    # "none of the categories" has no likelihood term, so such a row used to score higher
    kw = DECLARED if declared else {}
    vae = LipschitzVAE(**kw, **FAST).fit(table)
    odd = table.iloc[:3].copy()
    odd["b"] = ["zz", "hi", "lo"]
    scores = vae.score_samples(odd)
    assert scores[0] == -np.inf
    np.testing.assert_allclose(scores[1:], vae.score_samples(odd.iloc[1:]), rtol=1e-10)
    assert np.isfinite(scores[1:]).all()
    assert vae.score(odd) == -np.inf


# ------------------------------------------------------------ weights="dp-sgd"
DPSGD = dict(weights="dp-sgd", accountant="rdp", latent_dim=3, encoder_dims=(16, 16),
             decoder_dims=(16, 16), epochs=3, batch_size=60, random_state=0)


@pytest.mark.parametrize("target", [1.0, 4.0])
def test_dp_sgd_weights_compose_everything_in_one_accountant(table, target):
    # The whole fit in Opacus's accountant: the missing counts (mu_c = sqrt(0.05) mu*), the
    # released codes (mu_z = sqrt(release_share) mu*, noise multiplier 1 / mu_z) and DP-SGD
    # (noise by bisection, tolerance 0.01): epsilon_ is their composition, no step assumed.
    pytest.importorskip("opacus")
    from opacus.accountants import RDPAccountant

    vae = LipschitzVAE(target_epsilon=target, release_share=0.25, **DECLARED,
                       **DPSGD).fit(table)
    n = len(table)
    frame = vae.privacy_report_.to_frame()
    assert "assumed" not in set(frame.status)
    rows = frame.set_index("step")
    assert rows.loc["training (DP-SGD)", "status"] == "dp"
    assert rows.loc["released latent codes (one per row)", "within"] == "training (DP-SGD)"
    assert rows.loc["missing counts (2 columns)", "within"] == "training (DP-SGD)"
    mu_star = gaussian_mu(target, 1 / n)
    mu_z = rows.loc["released latent codes (one per row)", "mu"]
    mu_c = rows.loc["missing counts (2 columns)", "mu"]
    assert mu_z == pytest.approx(0.5 * mu_star) and mu_c == pytest.approx(0.05 ** 0.5 * mu_star)
    assert vae.encoder_std_ == pytest.approx(2.0 * vae.clip / mu_z)
    assert target - 0.01 <= vae.epsilon_ <= target + 1e-9
    # hand check: Opacus's RDP accountant called directly on the same three steps
    # (Poisson rate 1 / (batches per epoch) = 1/4, 3 epochs = 12 steps)
    accountant = RDPAccountant()
    accountant.history = [(1 / mu_c, 1.0, 1), (1 / mu_z, 1.0, 1),
                          (vae.noise_multiplier_, 0.25, 12)]
    assert vae.epsilon_ == pytest.approx(accountant.get_epsilon(1 / n), rel=1e-10)
    # two Gaussian mechanisms at sampling rate 1 compose in RDP as one with
    # mu = sqrt(mu_c^2 + mu_z^2) (alpha mu^2 / 2 adds up), as in GDP
    accountant.history = [(1 / math.hypot(mu_c, mu_z), 1.0, 1),
                          (vae.noise_multiplier_, 0.25, 12)]
    assert vae.epsilon_ == pytest.approx(accountant.get_epsilon(1 / n), rel=1e-10)
    # the released codes are the pool the samples decode, the decoder keeps its bound
    assert vae._pool.shape == (n, 3)
    assert vae.lipschitz_ <= vae.lipschitz_bound_ * (1 + 1e-9)
    assert vae.lipschitz_bound_ <= vae.lipschitz * (1 + 1e-9)


def test_dp_sgd_weights_samples_pickling_and_options(table):
    pytest.importorskip("opacus")
    vae = LipschitzVAE(target_epsilon=2.0, **DECLARED, **DPSGD).fit(table)
    S = vae.sample(300, random_state=0)
    assert list(S.columns) == list(table.columns)
    assert set(S["b"].dropna()) <= {"hi", "lo"} and set(S["d"]) <= {False, True}
    assert S["c"].between(0, 4).all() and S["a"].dropna().between(-4, 4).all()
    assert not S[["c", "d"]].isna().any().any()  # complete by dtype
    clone = pickle.loads(pickle.dumps(vae))
    pd.testing.assert_frame_equal(vae.sample(50, random_state=4),
                                  clone.sample(50, random_state=4))
    np.testing.assert_array_equal(vae.score_samples(table), clone.score_samples(table))
    again = LipschitzVAE(target_epsilon=2.0, **DECLARED, **DPSGD).fit(table)
    pd.testing.assert_frame_equal(vae.sample(50, random_state=3),
                                  again.sample(50, random_state=3))
    # release="prior": no codes released, everything but the counts goes to training
    prior = LipschitzVAE(target_epsilon=2.0, release="prior", **DECLARED, **DPSGD).fit(table)
    steps = set(prior.privacy_report_.to_frame().step)
    assert "released latent codes (one per row)" not in steps and prior._pool is None
    assert 1.99 <= prior.epsilon_ <= 2.0 + 1e-9
    assert prior.noise_multiplier_ < vae.noise_multiplier_
    # a fixed noise multiplier: epsilon_ is the accountant's and grows with the epochs
    fixed = LipschitzVAE(noise_multiplier=1.0, encoder_std=4.0, nullable=["a"], **DECLARED,
                         **{**DPSGD, "epochs": 4}).fit(table)
    assert fixed.encoder_std_ == 4.0
    assert np.all(np.diff(fixed.history_[:, "epsilon"]) > 0)
    assert fixed.epsilon_ == pytest.approx(fixed.history_[:, "epsilon"][-1])
    with pytest.raises(ValueError, match="method='penalty' is not available"):
        LipschitzVAE(method="penalty", target_epsilon=1.0, **DECLARED, **DPSGD).fit(table)
    with pytest.raises(ValueError, match="needs target_epsilon"):
        LipschitzVAE(**DECLARED, **DPSGD).fit(table)
    with pytest.raises(ValueError, match="too small"):
        LipschitzVAE(target_epsilon=0.05, release_share=0.9, **DECLARED, **DPSGD).fit(table)
