"""The accountant, the membership-inference attacks and the audit (sksynth.privacy)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from sklearn.base import BaseEstimator

from sksynth.privacy import (
    PrivacyLedger,
    analytic_gaussian_sigma,
    audit,
    classical_gaussian_sigma,
    clopper_pearson,
    density_ratio_attack_scores,
    distance_attack_scores,
    epsilon_lower_bound,
    gaussian_delta,
    gaussian_epsilon,
    gaussian_mu,
    gdp_compose,
    likelihood_ratio_attack_scores,
    posterior_release_epsilon,
    posterior_release_mu,
)


# --------------------------------------------------------------------- accountant
def test_gaussian_delta_hand_computed():
    # mu = 1, eps = 1: Phi(-0.5) - e * Phi(-1.5) = 0.3085375 - 2.7182818 * 0.0668072
    assert gaussian_delta(1.0, 1.0) == pytest.approx(0.3085375 - 2.7182818 * 0.0668072,
                                                     abs=1e-6)
    # eps = 0: delta = Phi(mu/2) - Phi(-mu/2) (total variation of two Gaussians)
    assert gaussian_delta(0.0, 2.0) == pytest.approx(norm.cdf(1) - norm.cdf(-1), rel=1e-12)
    assert gaussian_delta(3.0, 0.0) == 0.0


def test_analytic_gaussian_matches_balle_wang_and_classical():
    # Balle & Wang (2018), analytic Gaussian mechanism: eps=1, delta=1e-5, Delta=1 gives
    # sigma ~ 3.73 (their Figure 1 range); the classical formula at eps=1 gives 4.84.
    sigma = analytic_gaussian_sigma(1.0, 1e-5)
    assert sigma == pytest.approx(3.7306, abs=1e-3)
    # the defining property: at that sigma the privacy profile hits delta exactly
    assert gaussian_delta(1.0, 1.0 / sigma) == pytest.approx(1e-5, rel=1e-8)
    # classical sigma = sqrt(2 ln(1.25/delta)) Delta / eps, by hand for eps=0.5, delta=1e-5
    by_hand = math.sqrt(2 * math.log(1.25e5)) * 2.0 / 0.5
    assert classical_gaussian_sigma(0.5, 1e-5, sensitivity=2.0) == pytest.approx(by_hand)
    # the classical calibration is sufficient: its delta at eps is below the target
    for eps in (0.1, 0.5, 0.9):
        s = classical_gaussian_sigma(eps, 1e-6)
        assert gaussian_delta(eps, 1.0 / s) <= 1e-6
        assert analytic_gaussian_sigma(eps, 1e-6) < s


def test_inverses_are_consistent():
    for mu in (0.1, 0.5, 1.0, 3.0):
        for delta in (1e-8, 1e-5, 1e-2):
            eps = gaussian_epsilon(mu, delta)
            if eps > 0:
                assert gaussian_delta(eps, mu) == pytest.approx(delta, rel=1e-6)
                assert gaussian_mu(eps, delta) == pytest.approx(mu, rel=1e-6)


@settings(max_examples=40)
@given(mu=st.floats(0.01, 5.0), factor=st.floats(1.01, 3.0),
       log_delta=st.floats(-10, -1), eps=st.floats(0.01, 10.0))
def test_monotone_in_inputs(mu, factor, log_delta, eps):
    delta = 10.0 ** log_delta
    assert gaussian_delta(eps, mu * factor) >= gaussian_delta(eps, mu)
    assert gaussian_delta(eps * factor, mu) <= gaussian_delta(eps, mu)
    assert gaussian_epsilon(mu * factor, delta) >= gaussian_epsilon(mu, delta)
    assert gaussian_epsilon(mu, delta / factor) >= gaussian_epsilon(mu, delta)
    assert gaussian_mu(eps * factor, delta) > gaussian_mu(eps, delta)
    # the release: more noise -> less epsilon, larger clip -> more epsilon
    assert (posterior_release_epsilon(1.0, mu * factor, delta)
            <= posterior_release_epsilon(1.0, mu, delta))
    assert (posterior_release_epsilon(factor, mu, delta)
            >= posterior_release_epsilon(1.0, mu, delta))


def test_posterior_release_and_composition():
    assert posterior_release_mu(1.0, 4.0) == 0.5
    assert posterior_release_mu(1.0, 4.0, n_codes=4) == pytest.approx(1.0)
    assert gdp_compose([0.3, 0.4]) == pytest.approx(0.5)
    assert gdp_compose([1.0, math.inf]) == math.inf
    assert gaussian_epsilon(math.inf, 1e-5) == math.inf
    assert posterior_release_epsilon(1.0, 4.0, 1e-5) == pytest.approx(gaussian_epsilon(0.5, 1e-5))


def test_validation_errors():
    with pytest.raises(ValueError, match="delta must lie in"):
        gaussian_epsilon(1.0, 1.5)
    with pytest.raises(ValueError, match="epsilon must be < 1"):
        classical_gaussian_sigma(2.0, 1e-5)
    with pytest.raises(ValueError, match="mu must be >= 0"):
        gaussian_delta(1.0, -1.0)
    with pytest.raises(TypeError, match="epsilon must be a real number"):
        gaussian_mu("1", 1e-5)
    with pytest.raises(ValueError, match="n_codes"):
        posterior_release_mu(1.0, 1.0, n_codes=0)
    with pytest.raises(ValueError, match="status must be one of"):
        PrivacyLedger().add("x", "free")
    with pytest.raises(ValueError, match="mu must be given exactly"):
        PrivacyLedger().add("x", "gdp")


def test_ledger_composes_and_flags_non_private_steps():
    ledger = PrivacyLedger()
    ledger.add("bounds", "public")
    ledger.add("a", "gdp", mu=0.3)
    ledger.add("b", "gdp", mu=0.4)
    ledger.add("weights", "assumed")
    assert ledger.formal and ledger.mu() == pytest.approx(0.5)
    assert ledger.epsilon(1e-5) == pytest.approx(gaussian_epsilon(0.5, 1e-5))
    assert list(ledger.to_frame()["status"]) == ["public", "gdp", "gdp", "assumed"]
    ledger.add("categories", "not_private")
    assert not ledger.formal and ledger.epsilon(1e-5) == math.inf
    assert "not_private" in repr(ledger)


# -------------------------------------------------------------------- attacks
def test_clopper_pearson_known_values():
    # k = 0: upper = 1 - (alpha/2)^(1/n); k = n: lower = (alpha/2)^(1/n)
    assert clopper_pearson(0, 20)[1] == pytest.approx(1 - 0.025 ** (1 / 20))
    assert clopper_pearson(20, 20)[0] == pytest.approx(0.025 ** (1 / 20))
    low, high = clopper_pearson(5, 10)
    assert low < 0.5 < high
    with pytest.raises(ValueError, match="0 <= k <= n"):
        clopper_pearson(11, 10)


def test_epsilon_lower_bound_separated_and_identical():
    res = epsilon_lower_bound([1.0] * 200, [0.0] * 200)
    # two thresholds -> one-sided level alpha / 4; hand: TPR_lo = 1 - FPR_hi = 0.0125^(1/200)
    fpr_hi = 1 - 0.0125 ** (1 / 200)
    assert res.epsilon_lower == pytest.approx(math.log((1 - fpr_hi) / fpr_hi), rel=1e-6)
    assert res.auc == 1.0
    same = epsilon_lower_bound(np.zeros(100), np.zeros(100))
    assert same.epsilon_lower == 0.0
    # delta eats into the bound
    with_delta = epsilon_lower_bound([1.0] * 200, [0.0] * 200, delta=0.5).epsilon_lower
    assert with_delta == pytest.approx(math.log((1 - fpr_hi - 0.5) / fpr_hi), rel=1e-6)
    assert with_delta < res.epsilon_lower


def test_epsilon_lower_bound_is_valid_for_a_known_gaussian_mechanism():
    # scores from the Gaussian mechanism itself (mu = 1): the audit must stay below the
    # true epsilon at every delta (with 95% confidence; here over 2000 trials per world)
    rng = np.random.RandomState(0)
    s_in, s_out = rng.normal(1.0, 1.0, 2000), rng.normal(0.0, 1.0, 2000)
    for delta in (1e-5, 1e-2):
        res = epsilon_lower_bound(s_in, s_out, delta=delta)
        assert 0.0 < res.epsilon_lower <= gaussian_epsilon(1.0, delta)


def test_attack_scores():
    assert np.allclose(distance_attack_scores([[0, 0], [3, 4]], [[0, 0], [10, 10]]), [0, -5])
    rng = np.random.RandomState(0)
    ref = rng.normal(size=(300, 2))
    syn = np.vstack([rng.normal(size=(300, 2)), np.full((30, 2), 2.5)])
    s = density_ratio_attack_scores([[2.5, 2.5], [0.0, 0.0]], syn, ref)
    assert s[0] > 1.0 and abs(s[1]) < 0.5
    with pytest.raises(ValueError, match="encode both the same way"):
        distance_attack_scores([[0, 0]], [[0, 0, 0]])


# ---------------------------------------------------------------------- audit
class _Memorizer(BaseEstimator):
    """A maximally non-private 'generator': releases its training rows."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y=None):
        self.X_ = np.asarray(X, dtype=float)
        self.epsilon_ = 1.0  # a false claim the audit must refute
        return self

    def sample(self, n_samples=1):
        rng = np.random.RandomState(self.random_state)
        return self.X_[rng.permutation(len(self.X_))[:n_samples]]


class _GaussianRelease(BaseEstimator):
    """Releases each (clipped) row plus Gaussian noise: a true (eps, delta)-DP mechanism."""

    def __init__(self, sigma=1.0, random_state=None):
        self.sigma = sigma
        self.random_state = random_state

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        self.X_ = X * np.minimum(1.0, 1.0 / np.maximum(norms, 1e-12))  # ||x|| <= 1
        self.delta_ = 1e-3
        self.epsilon_ = gaussian_epsilon(2.0 / self.sigma, self.delta_)
        rng = np.random.RandomState(self.random_state)
        self.released_ = self.X_ + self.sigma * rng.normal(size=self.X_.shape)
        return self

    def sample(self, n_samples=1):
        return self.released_[:n_samples]


def test_audit_finds_a_large_bound_for_a_memorising_generator():
    X = np.random.RandomState(0).normal(size=(30, 2))
    X[0] = [8.0, 8.0]  # the outlier target
    res = audit(_Memorizer(), X, n_trials=100, random_state=0)
    assert res.tpr == 1.0 and res.fpr == 0.0
    assert res.epsilon_lower > 2.5
    assert res.consistent is False  # the claimed epsilon = 1 is refuted


def test_audit_stays_below_a_true_claim():
    X = np.random.RandomState(1).normal(size=(30, 2))
    res = audit(_GaussianRelease(sigma=2.0), X, n_trials=150, random_state=0)
    assert res.epsilon_claimed == pytest.approx(gaussian_epsilon(1.0, 1e-3))
    assert res.consistent and res.epsilon_lower <= res.epsilon_claimed


def test_audit_does_not_depend_on_n_jobs():
    X = np.random.RandomState(2).normal(size=(30, 2))
    serial = audit(_GaussianRelease(sigma=1.0), X, n_trials=10, random_state=0)
    parallel = audit(_GaussianRelease(sigma=1.0), X, n_trials=10, n_jobs=2, random_state=0)
    np.testing.assert_array_equal(serial.scores_in, parallel.scores_in)
    np.testing.assert_array_equal(serial.scores_out, parallel.scores_out)
    assert len(set(serial.scores_in)) == 10  # every fit drew its own noise


def test_audit_density_ratio_attack_and_errors():
    X = np.random.RandomState(0).normal(size=(30, 2))
    X[0] = [6.0, 6.0]
    res = audit(_Memorizer(), X, n_trials=40, attack="density_ratio", random_state=0)
    assert res.epsilon_lower > 1.5
    with pytest.raises(ValueError, match="attack must be one of"):
        audit(_Memorizer(), X, attack="oracle")
    with pytest.raises(ValueError, match="different rows"):
        audit(_Memorizer(), X, target=3, replacement=3)


class _LeakyGaussian(BaseEstimator):
    """A Gaussian fitted to a tiny table (min_group_size=1) that falsely claims epsilon = 1."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y=None):
        from sksynth.generators import GaussianGenerator

        self.model_ = GaussianGenerator(min_group_size=1,
                                        random_state=self.random_state).fit(X)
        self.epsilon_, self.delta_ = 1.0, 1e-5
        return self

    def sample(self, n_samples=1):
        return self.model_.sample(n_samples)

    def score_samples(self, X):
        return self.model_.score_samples(X)


class _NoisyMean(BaseEstimator):
    """Releases the mean of rows clipped to the unit ball plus Gaussian noise; the model is
    N(released mean, I). Replace-one sensitivity 2 / n: a true (epsilon, delta) claim."""

    def __init__(self, mu=1.0, random_state=None):
        self.mu = mu
        self.random_state = random_state

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        X = X * np.minimum(1.0, 1.0 / np.maximum(norms, 1e-12))
        sigma = 2.0 / len(X) / self.mu
        rng = np.random.RandomState(self.random_state)
        self.mean_ = X.mean(axis=0) + sigma * rng.normal(size=X.shape[1])
        self.delta_ = 1e-3
        self.epsilon_ = gaussian_epsilon(self.mu, self.delta_)
        return self

    def sample(self, n_samples=1):
        return self.mean_ + np.random.RandomState(0).normal(size=(n_samples, len(self.mean_)))

    def score_samples(self, X):
        return -0.5 * ((np.asarray(X) - self.mean_) ** 2).sum(axis=1)


def test_likelihood_ratio_attack_scores():
    X = np.random.RandomState(0).normal(size=(10, 2))
    X[0] = [8.0, 8.0]
    gen = _LeakyGaussian().fit(X)
    s = likelihood_ratio_attack_scores(gen, X[:1], X[1:2])
    expected = gen.score_samples(X[:1]) - gen.score_samples(X[1:2])
    np.testing.assert_allclose(s, expected)
    # -inf log-likelihoods (e.g. an unseen category) become finite scores
    class _Zero(_LeakyGaussian):
        def score_samples(self, X):
            return np.full(len(X), -np.inf)
    assert np.isfinite(likelihood_ratio_attack_scores(_Zero().fit(X), X[:1], X[1:2])).all()


def test_white_box_audit_refutes_a_leaky_claim_and_keeps_a_true_one():
    # issue 20: black-box audits gave 0 for every claim. The white-box likelihood-ratio attack
    # on score_samples refutes a Gaussian of 10 rows (one a canary at (8, 8)) claiming
    # epsilon = 1: the model puts the canary's likelihood far higher when it was trained on
    # it, in every trial, so TPR = 1 and FPR = 0; the scores take two values, hence two
    # thresholds, and with 100 trials per world the bound is log((1 - f - delta) / f) with
    # f = 1 - 0.0125**(1/100) (one-sided Clopper-Pearson at 0.05 / 4): 3.11 > 1.
    X = np.random.RandomState(0).normal(size=(10, 2))
    X[0] = [8.0, 8.0]
    res = audit(_LeakyGaussian(), X, target=0, attack="likelihood_ratio", n_trials=100,
                random_state=0)
    f = 1 - 0.0125 ** (1 / 100)
    assert res.tpr == 1.0 and res.fpr == 0.0
    assert res.epsilon_lower == pytest.approx(math.log((1 - f - 1e-5) / f), rel=1e-9)
    assert res.epsilon_lower > 1.0 and res.consistent is False
    # a true claim is not refuted by the same attack (noisy mean, mu = 1, 200 trials)
    Y = np.random.RandomState(1).normal(size=(30, 2))
    Y[0] = [3.0, 0.0]
    true = audit(_NoisyMean(mu=1.0), Y, target=0, attack="likelihood_ratio", n_trials=200,
                 random_state=0)
    assert true.auc > 0.55  # the attack sees something ...
    assert true.consistent and true.epsilon_lower <= true.epsilon_claimed  # ... within the claim


# ------------------------------------------------------------------- DP-SGD
def test_dpsgd_vae_meets_its_target_and_grows_with_epochs():
    pytest.importorskip("opacus")
    from sksynth.generators import DPSGDVAE

    X = np.random.RandomState(0).uniform(0, 1, size=(300, 2))
    bounds = {0: (0, 1), 1: (0, 1)}
    vae = DPSGDVAE(latent_dim=2, encoder_dims=(16,), decoder_dims=(16,),
                   epochs=3, batch_size=50, target_epsilon=2.0,
                   bounds=bounds, random_state=0).fit(X)
    assert vae.delta_ == pytest.approx(1 / 300)
    # make_private_with_epsilon calibrates so that the final epsilon is at most the target
    assert 1.5 < vae.epsilon_ <= 2.0 + 1e-6
    rows = vae.privacy_report_.to_frame().set_index("step")
    assert rows.loc["training (DP-SGD)", "status"] == "dp"
    # at a fixed noise multiplier the accountant's epsilon grows with every epoch
    fixed = DPSGDVAE(latent_dim=2, encoder_dims=(16,), decoder_dims=(16,),
                     epochs=4, batch_size=50, noise_multiplier=1.0,
                     bounds=bounds, random_state=0).fit(X)
    assert np.all(np.diff(fixed.history_[:, "epsilon"]) > 0)
    assert fixed.sample(5).shape == (5, 2)
    # undeclared bounds: not private
    leaky = DPSGDVAE(latent_dim=2, encoder_dims=(16,), decoder_dims=(16,),
                     epochs=1, batch_size=50, random_state=0).fit(X)
    assert leaky.epsilon_ == math.inf


def test_dpsgd_vae_follows_the_requested_class():
    # the label enters the decoder directly (LipschitzVAE's conditional decoder), so rows
    # drawn for class k sit at class k's mean once training has taken a few hundred steps
    pytest.importorskip("opacus")
    from sksynth.generators import DPSGDVAE

    rng = np.random.RandomState(0)
    y = np.repeat([0, 1, 2], 100)
    X = np.column_stack([4.0 * y + rng.normal(size=300), rng.normal(size=300)])
    vae = DPSGDVAE(latent_dim=2, encoder_dims=(32,), decoder_dims=(32,),
                   epochs=60, batch_size=32, lr=5e-3,
                   target_epsilon=4.0, bounds={0: (-3, 11), 1: (-3, 3)},
                   categories={"__target__": [0, 1, 2]}, random_state=0).fit(X, y)
    assert vae.epsilon_ <= 4.0 + 1e-6
    for k in range(3):
        X_k, y_k = vae.sample(y=np.full(300, k), random_state=k)
        assert (y_k == k).all()
        # classes are 4 apart: the drawn mean must be nearest to its own class mean
        assert abs(X_k[:, 0].mean() - 4.0 * k) < 2.0, (k, X_k[:, 0].mean())



def test_dpsgd_vae_reproduces_missing_rates_at_the_default_clip():
    # At max_grad_norm=1 nearly every row is clipped, which pulls a missing logit towards
    # 50% (each row's clipped gradient has about unit norm, whatever its residual): 11.6% /
    # 33.2% / 5.3% were learnt as 14.9% / 36.4% / 4.3% (seed 0). The missing counts are now
    # released with the Gaussian mechanism (5% of the budget, composed by the accountant)
    # and the missing logits shifted after training so the sampled rates are the noisy ones.
    pytest.importorskip("opacus")
    from sksynth.generators import DPSGDVAE
    from _missing_data import missing_table

    frame = missing_table()
    n, m, draws = len(frame), 20_000, 16_384
    vae = DPSGDVAE(latent_dim=3, encoder_dims=(32, 32), decoder_dims=(32, 32),
                   target_epsilon=10.0, accountant="rdp",
                   bounds={"a": (-4, 4), "b": (-4, 4)}, categories={"c": ["x", "y", "z"]},
                   random_state=0).fit(frame)
    assert vae.max_grad_norm == 1.0 and vae.epsilon_ <= 10.0 + 1e-6
    rows = vae.privacy_report_.to_frame().set_index("step")
    mu_c = math.sqrt(0.05) * gaussian_mu(10.0, 1 / n)
    assert rows.loc["missing counts (3 columns)", "mu"] == pytest.approx(mu_c)
    assert rows.loc["missing counts (3 columns)", "within"] == "training (DP-SGD)"
    sd_count = math.sqrt(3) / mu_c  # noise sd of each count (L2 sensitivity sqrt(3))
    sampled = vae.sample(m, random_state=1)
    for column in frame.columns:
        p = frame[column].isna().mean()
        noisy = vae.missing_counts_[column] / n
        got = sampled[column].isna().mean()
        # Monte Carlo: m Bernoulli draws, and the rate is matched at `draws` fixed prior
        # draws (variance of a mean of [0, 1] values with mean r is at most r(1 - r))
        mc = math.sqrt(noisy * (1 - noisy) * (1 / m + 1 / draws))
        assert abs(got - noisy) < 4 * mc, (column, noisy, got, 4 * mc)
        # against the training rate the count noise (sd sd_count / n) adds to it
        tol = 4 * math.sqrt(mc ** 2 + (sd_count / n) ** 2)
        assert abs(got - p) < tol, (column, p, got, tol)


def test_dpsgd_vae_counts_share_the_budget():
    # with counts the accountant composes them with training: the training noise grows so
    # that the total stays at the target; declared nullable=[] releases no count
    pytest.importorskip("opacus")
    from sksynth.generators import DPSGDVAE

    X = np.random.RandomState(0).uniform(0, 1, size=(300, 2))
    X[::5, 0] = np.nan
    common = dict(latent_dim=2, encoder_dims=(8,), decoder_dims=(8,),
                  epochs=2, batch_size=50, target_epsilon=2.0,
                  accountant="rdp", bounds={0: (0, 1), 1: (0, 1)}, random_state=0)
    with_counts = DPSGDVAE(**common).fit(X)
    declared = DPSGDVAE(nullable=[0], **common).fit(X)
    none = DPSGDVAE(nullable=[], **common).fit(np.nan_to_num(X))
    assert set(with_counts.missing_counts_) == {0, 1} and set(declared.missing_counts_) == {0}
    assert none.missing_counts_ == {}
    # the counts' mu is set by the share, not by their number: the same training noise
    assert with_counts.noise_multiplier_ == declared.noise_multiplier_
    assert with_counts.noise_multiplier_ > none.noise_multiplier_
    for vae in (with_counts, declared, none):
        assert 1.9 < vae.epsilon_ <= 2.0 + 1e-6
    assert [c.nullable for c in with_counts._columns] == [True, False]
    assert not np.isnan(with_counts.sample(500, random_state=0)[:, 1]).any()
    # a fixed noise multiplier: epsilon_ is the accountant's, counts included
    fixed = DPSGDVAE(noise_multiplier=1.0, **common).fit(X)
    assert fixed.epsilon_ == pytest.approx(fixed.history_[:, "epsilon"][-1])
    alone = DPSGDVAE(noise_multiplier=1.0, nullable=[], **common).fit(np.nan_to_num(X))
    assert fixed.epsilon_ > alone.epsilon_


def test_dpsgd_vae_unseen_category_scores_minus_inf():
    pytest.importorskip("opacus")
    import pandas as pd

    from sksynth.generators import DPSGDVAE

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.uniform(size=200), "b": rng.choice(["x", "y"], 200)})
    vae = DPSGDVAE(latent_dim=2, encoder_dims=(16,), decoder_dims=(16,),
                   epochs=2, batch_size=50, target_epsilon=2.0,
                   bounds={"a": (0, 1)}, categories={"b": ["x", "y"]}, random_state=0).fit(X)
    odd = X.iloc[:3].assign(b=["w", "x", "y"])
    scores = vae.score_samples(odd)
    assert scores[0] == -np.inf
    np.testing.assert_allclose(scores[1:], vae.score_samples(odd.iloc[1:]), rtol=1e-10)
    assert np.isfinite(scores[1:]).all()


def test_bounded_linear_per_example_gradients_match_autograd():
    # The grad sampler of the spectrally normalised layer (LipschitzVAE(weights="dp-sgd"))
    # must give, for each row, the gradient autograd gives for that row alone through
    # W_eff = W * min(1, bound / (u^T W v)), u and v held fixed: binding and not binding.
    pytest.importorskip("opacus")
    import torch

    from sksynth.generators._lipschitz_nets import _BoundedLinear
    from sksynth.generators._dpsgd import _bounded_linear_grad_sample

    rng = np.random.RandomState(0)
    for bound in (0.5, 100.0):
        W = torch.as_tensor(rng.normal(size=(4, 3)))
        layer = _BoundedLinear(W, torch.as_tensor(rng.normal(size=4)), bound,
                               torch.as_tensor(rng.normal(size=4)))
        layer.train()
        a = torch.as_tensor(rng.normal(size=(6, 3)))
        target = torch.as_tensor(rng.normal(size=(6, 4)))
        out = layer(a)
        u, v, sigma = layer._state
        assert (float(sigma) > bound) == (bound == 0.5)
        grads = _bounded_linear_grad_sample(layer, [a], (2.0 * (out - target)).detach())
        for i in range(6):
            Wp = layer.weight.detach().clone().requires_grad_(True)
            bp = layer.bias.detach().clone().requires_grad_(True)
            W_eff = Wp * torch.clamp(bound / (u @ Wp @ v), max=1.0)
            loss = ((a[i] @ W_eff.T + bp - target[i]) ** 2).sum()
            gW, gb = torch.autograd.grad(loss, (Wp, bp))
            np.testing.assert_allclose(grads[layer.weight][i].numpy(), gW.numpy(),
                                       rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(grads[layer.bias][i].numpy(), gb.numpy(),
                                       rtol=1e-10, atol=1e-12)
