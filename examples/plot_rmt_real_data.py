"""
Does the RMT theory rank the choices right on real data?
========================================================

The random-matrix theory of El Firdoussi et al. (2024) is exact for Gaussian
mixtures. :class:`~sksynth.linear_model.RMTRidgeClassifier` applies it to any
data through plug-in estimates (class means and covariances of the real and
synthetic rows, and the synthetic label-noise rate) to predict its own test
accuracy. Real data are not Gaussian, so the predicted *level* will be off;
what a user needs is the *ranking*: does the theory order the choices -- how
many synthetic rows, which ridge parameter -- as the test set does?

We measure it with Spearman's rank correlation between predicted and
measured test accuracy, over

- the amount of synthetic data, ``m`` in ``{0, 0.5, 1, 2, 5, 10, 20} n``;
- the ridge parameter ``alpha``, 11 values from ``1e-3`` to ``100`` (with
  ``m = 2n`` synthetic rows),

on two binary tasks: scikit-learn's digits (3 versus 8, 64 pixels) and the
Adult census data (income above 50K, 44 features after one-hot encoding,
classes balanced by subsampling), both standardised on the training rows.
The synthetic rows come from a class-conditional Gaussian with pooled
covariance (:class:`~sksynth.generators.GaussianMixtureGenerator`), and 30%
of their labels are flipped (:class:`~sksynth.generators.LabelNoise`). Two
set-ups:

- **A, independent generator** (the paper's set-up): the generator is fitted
  on ``n_hat`` real rows *not* used to train the classifier, so the synthetic
  rows bring information the real training rows do not have;
- **B, generator fitted on the training rows** (what
  :class:`~sksynth.augmentation.AugmentedClassifier` does): the synthetic rows
  are a function of the real training rows.

The theory assumes independent real and synthetic rows, i.e. set-up A.
"""

# %%
# Data and experiment
# -------------------

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import spearmanr
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from sksynth.datasets import load_adult
from sksynth.generators import GaussianMixtureGenerator, LabelNoise
from sksynth.linear_model import RMTRidgeClassifier

EPS = 0.3
FACTORS = np.array([0, 0.5, 1, 2, 5, 10, 20])
ALPHAS = np.logspace(-3, 2, 11)
N_SEEDS = 10


def digits_data():
    X, y = load_digits(return_X_y=True)
    rows = np.isin(y, (3, 8))
    return X[rows], np.where(y[rows] == 8, 1, -1)


def adult_data():
    adult = load_adult()
    frame = adult.data.dropna()
    y = np.where(adult.target[frame.index] == ">50K", 1, -1)
    numeric = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
    categorical = ["workclass", "marital_status", "occupation", "relationship", "race", "sex"]
    encoder = ColumnTransformer([
        ("numeric", FunctionTransformer(np.log1p), numeric),
        ("categorical", OneHotEncoder(min_frequency=0.01, sparse_output=False,
                                      handle_unknown="infrequent_if_exist"), categorical),
    ])
    X = encoder.fit_transform(frame)
    rng = np.random.default_rng(0)  # balance the classes, as the theory's mixture is
    positive = np.flatnonzero(y == 1)
    negative = rng.choice(np.flatnonzero(y == -1), positive.size, replace=False)
    rows = rng.permutation(np.concatenate([positive, negative]))
    return X[rows], y[rows]


def one_split(X, y, n, n_hat, independent, seed):
    """Predicted and measured accuracies over the amount of synthetic data and alpha."""
    X_pool, X_test, y_pool, y_test = train_test_split(X, y, train_size=n + n_hat,
                                                      stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_pool)
    X_pool, X_test = scaler.transform(X_pool), scaler.transform(X_test)
    X_real, y_real = X_pool[:n], y_pool[:n]
    X_gen, y_gen = (X_pool[n:], y_pool[n:]) if independent else (X_real, y_real)
    generator = LabelNoise(GaussianMixtureGenerator(reg_covar=1e-3), rate=EPS,
                           random_state=seed).fit(X_gen, y_gen)
    m_max = int(FACTORS[-1] * n)
    labels = np.random.default_rng(seed).permutation(np.repeat([-1, 1], m_max // 2))
    X_syn, y_syn = generator.sample(y=labels)
    X_all, y_all = np.vstack([X_real, X_syn]), np.concatenate([y_real, y_syn])
    synthetic = np.arange(X_all.shape[0]) >= n

    def fit(m, alpha):
        rows = slice(0, n + m)
        return RMTRidgeClassifier(alpha=alpha, label_noise=EPS).fit(
            X_all[rows], y_all[rows], synthetic_mask=synthetic[rows])

    amounts = (FACTORS * n).astype(int)
    predicted_m = fit(m_max, 1.0).theoretical_accuracy(n_synthetic=amounts)
    measured_m = [fit(m, 1.0).score(X_test, y_test) for m in amounts]
    predicted_a = fit(2 * n, 1.0).theoretical_accuracy(alpha=ALPHAS)
    measured_a = [fit(2 * n, alpha).score(X_test, y_test) for alpha in ALPHAS]
    return predicted_m, np.array(measured_m), predicted_a, np.array(measured_a)


tasks = {"digits 3 vs 8": (digits_data(), 30, 100), "Adult": (adult_data(), 100, 400)}
results = {}
with threadpool_limits(limits=1):
    for name, ((X, y), n, n_hat) in tasks.items():
        for setup, independent in (("A", True), ("B", False)):
            results[name, setup] = [
                one_split(X, y, n, n_hat, independent, seed) for seed in range(N_SEEDS)
            ]

# %%
# Rank correlations
# -----------------
# "mean curves" correlates the curves averaged over the 10 splits (the
# ranking an expectation would give); "per split" averages the correlation
# of each split's own predicted and measured curves (what a user with one
# data set sees; test-set noise lowers it). "regret" is what following the
# theory costs on the mean curves: the best measured accuracy minus the
# measured accuracy at the predicted best choice. The last column is how far
# the predicted level is from the measured one.


def spearman(a, b):
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return np.nan
    return spearmanr(a, b)[0]


print(f"{'':21s}{'over m (alpha = 1)':^30s}|{'over alpha (m = 2n)':^30s}|")
print(f"{'data':14s} set-up {'mean':>8s} {'per split':>10s} {'regret':>8s} |"
      f"{'mean':>8s} {'per split':>10s} {'regret':>8s} | predicted - measured")
for (name, setup), runs in results.items():
    pred_m, meas_m, pred_a, meas_a = (np.mean([run[k] for run in runs], axis=0)
                                      for k in range(4))
    per_split_m = np.nanmean([spearman(run[0], run[1]) for run in runs])
    per_split_a = np.nanmean([spearman(run[2], run[3]) for run in runs])
    regret_m = meas_m.max() - meas_m[np.argmax(pred_m)]
    regret_a = meas_a.max() - meas_a[np.argmax(pred_a)]
    level = np.mean(np.concatenate([pred_m - meas_m, pred_a - meas_a]))
    print(f"{name:14s} {setup:6s} {spearman(pred_m, meas_m):8.2f} {per_split_m:10.2f} "
          f"{regret_m:8.3f} |{spearman(pred_a, meas_a):8.2f} {per_split_a:10.2f} "
          f"{regret_a:8.3f} | {level:+.3f}")

fig, axes = plt.subplots(2, 2, figsize=(12, 7.5))
for row, name in enumerate(tasks):
    ax = axes[row, 0]
    for setup, color in (("A", "tab:blue"), ("B", "tab:red")):
        runs = results[name, setup]
        ax.plot(FACTORS, np.mean([run[0] for run in runs], axis=0), color=color,
                label=f"set-up {setup}: predicted")
        ax.plot(FACTORS, np.mean([run[1] for run in runs], axis=0), "o--", color=color,
                label=f"set-up {setup}: measured")
    ax.set_xscale("symlog", linthresh=0.5)
    ax.set_xlabel("synthetic rows m / n")
    ax.set_ylabel("test accuracy")
    ax.set_title(f"{name}: amount of synthetic data (alpha = 1)")
    ax.legend(fontsize=7)
    ax = axes[row, 1]
    runs = results[name, "A"]
    ax.semilogx(ALPHAS, np.mean([run[2] for run in runs], axis=0), color="tab:blue",
                label="predicted")
    ax.semilogx(ALPHAS, np.mean([run[3] for run in runs], axis=0), "o--", color="tab:blue",
                label="measured")
    ax.set_xlabel("alpha")
    ax.set_title(f"{name}: ridge parameter (set-up A, m = 2n)")
    ax.legend(fontsize=7)
fig.tight_layout()

# %%
# What the numbers show
# ---------------------
# * **Level.** The theory is optimistic: by about half a point on digits and
#   five to seven points on Adult. The plug-in model is a Gaussian mixture
#   with the estimated means and covariances; Adult's one-hot features are
#   far from Gaussian.
# * **Ridge parameter.** The ranking over ``alpha`` is good on both data
#   sets and in both set-ups (rank correlations 0.85-1.0 on the mean curves,
#   0.84-0.94 per split), and following the theory costs less than one point
#   of accuracy: the predicted maximum sits at ``alpha`` 10-30, the measured
#   one at 3-10, on a flat top. This is what
#   ``RMTRidgeClassifier(alpha="auto")`` relies on.
# * **Amount of synthetic data, set-up A** (independent generator): both
#   curves dip when the first noisy synthetic rows arrive (30% wrong labels)
#   and recover as they accumulate, and the theory picks the right end of
#   the grid on both data sets (no regret): real rows only on digits, the
#   most synthetic rows on Adult. The ranking of the intermediate amounts is
#   only partly right (0.89 on digits, 0.57 on Adult), and a single split's
#   ranking is much noisier (0.42-0.53).
# * **Amount of synthetic data, set-up B** (generator fitted on the training
#   rows): the theory, which assumes the synthetic rows bring independent
#   information, predicts that 20n synthetic rows beat the real rows alone;
#   on digits they do not (regret 0.019), on Adult they only tie. The shape of
#   the curve is still roughly right (0.57 and 0.75), but the theory
#   over-values synthetic rows drawn from a model of the training rows.
#
# In short: trust the theory to rank the ridge parameter, and to rank
# amounts of synthetic data from an independent source; do not trust its
# accuracy level on non-Gaussian data, nor its verdict on how much to augment
# from a generator fitted on the same rows.
