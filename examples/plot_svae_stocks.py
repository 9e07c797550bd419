"""
Market regimes and synthetic return paths with a switching structured VAE
=========================================================================

:class:`~sksynth.generators.SLDSVAE` (Bendekgey et al., 2023) is a VAE whose
latent path follows a switching linear dynamical system: a discrete Markov
state picks the linear dynamics of a continuous latent path, and a neural
decoder maps the path to the observations. Inference alternates an HMM
forward-backward pass and a Kalman smoother; the gradient through that loop
comes from the implicit function theorem.

Here it is fitted to real data that ship with matplotlib (nothing is
downloaded): monthly log returns of five stocks and two indices, 1990-2022,
cut into two-year windows (:func:`~sksynth.datasets.load_stock_returns`). We
look at the discrete states it finds over the whole period, at synthetic
two-year paths, and at how it fills months that were removed.
"""

# %%
# Data: overlapping two-year windows of monthly returns
# ------------------------------------------------------
# Windows that start before 2014 train the model; the later ones are held
# out. Only the seven series observed in every month are used (the model
# treats a month with any missing value as missing).
import matplotlib.pyplot as plt
import numpy as np
import torch

from sksynth.datasets import load_stock_returns
from sksynth.generators import SLDSVAE

torch.set_num_threads(2)
stocks = load_stock_returns(window=24, stride=6)
names = [n for n, ok in zip(stocks.feature_names, stocks.complete) if ok]
X = stocks.data[:, :, stocks.complete]
train = stocks.window_start.year < 2014
X_train, X_test = X[train], X[~train]
print(f"{X_train.shape[0]} training and {X_test.shape[0]} held-out windows of "
      f"{X.shape[1]} months x {X.shape[2]} series: {', '.join(names)}")

svae = SLDSVAE(n_states=2, latent_dim=3, encoder_dims=(32,), decoder_dims=(32,), epochs=60,
               pretrain_epochs=30,
               batch_size=16, random_state=0).fit(X_train)
print(f"held-out ELBO per month: {svae.score(X_test):.2f} "
      f"(training windows: {svae.score(X_train):.2f})")
print("transition matrix:\n", np.round(svae.transition_, 3))
# the implicit gradient trains the model: the one-step fallback is for solves that
# make no progress (none, or nearly, here)
print(f"fallback rate {np.mean([h['fallback_rate'] for h in svae.history_]):.1%}, "
      f"inference converged for {np.mean([h['converged_rate'] for h in svae.history_]):.0%} "
      f"of the sequences in training")

# %%
# Regimes over the whole period
# -----------------------------
# ``predict`` gives the most likely state of every month of one long
# sequence (all 390 months at once). If the two states are regimes of the
# market, the S&P 500's volatility differs between them.
series = stocks.frame[names].to_numpy()[None]
states = svae.predict(series)[0]
sp500 = stocks.frame["^GSPC"].to_numpy()
for k in range(svae.n_states):
    months = states == k
    print(f"state {k}: {months.sum():3d} months, S&P 500 monthly return "
          f"mean {sp500[months].mean():+.2f}%, standard deviation {sp500[months].std():.2f}%")

fig, ax = plt.subplots(figsize=(10, 3.5))
dates = stocks.frame.index
ax.plot(dates, sp500, color="k", lw=0.8)
for k, color in zip(range(svae.n_states), ["tab:blue", "tab:red"]):
    ax.fill_between(dates, -30, 30, where=states == k, color=color, alpha=0.15,
                    step="mid", label=f"state {k}")
ax.set(ylim=(-25, 15), ylabel="S&P 500 monthly log return (%)",
       title="Most likely discrete state of every month")
ax.legend(loc="lower left")
fig.tight_layout()

# %%
# Synthetic two-year paths
# ------------------------
# ``sample`` draws new windows from the fitted prior: a state path, a latent
# path, decoded months. We compare simple statistics with the real windows:
# each series' volatility and the correlation between series.
synthetic = svae.sample(500, random_state=0)


def summary(windows):
    flat = windows.reshape(-1, windows.shape[2])
    corr = np.corrcoef(flat.T)
    return flat.std(axis=0), corr[np.triu_indices_from(corr, 1)]


real_std, real_corr = summary(X)
syn_std, syn_corr = summary(synthetic)
for name, a, b in zip(names, real_std, syn_std):
    print(f"{name:>6}: monthly standard deviation real {a:5.2f}%, synthetic {b:5.2f}%")
print(f"pairwise correlations: mean |real - synthetic| = "
      f"{np.abs(real_corr - syn_corr).mean():.3f} (real mean {real_corr.mean():.2f})")

fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.scatter(real_corr, syn_corr)
ax.plot([0, 1], [0, 1], "k--", lw=0.8)
ax.set(xlabel="correlation, real windows", ylabel="correlation, synthetic windows",
       title="Correlation between the series")
fig.tight_layout()

# %%
# Filling removed months
# ----------------------
# Three consecutive months are removed from every held-out window; ``impute``
# fills them from the posterior, with draws for intervals. Monthly returns
# are close to unpredictable, so the honest baselines are linear
# interpolation between the neighbouring months and the training mean; an
# imputation should not do worse than the mean and its 90% intervals should
# cover about 90% of the removed values.
X_gap = X_test.copy()
gap = slice(10, 13)
X_gap[:, gap] = np.nan
filled, draws = svae.impute(X_gap, n_draws=200, return_draws=True, random_state=0)
missing = np.isnan(X_gap)
weights = (np.arange(10, 13) - 9) / 4
linear = X_gap.copy()
linear[:, gap] = ((1 - weights)[None, :, None] * X_test[:, 9:10]
                  + weights[None, :, None] * X_test[:, 13:14])
mean_fill = np.where(missing, X_train.reshape(-1, X.shape[2]).mean(0), X_gap)
for label, guess in (("SLDSVAE posterior mean", filled), ("linear interpolation", linear),
                     ("training mean", mean_fill)):
    rmse = np.sqrt(np.mean((guess - X_test)[missing] ** 2))
    print(f"{label:>24}: RMSE {rmse:.2f} percentage points")
low, high = np.quantile(draws, [0.05, 0.95], axis=0)
cover = np.mean(((X_test >= low) & (X_test <= high))[missing])
print(f"90% posterior intervals cover {cover:.0%} of the removed values")
plt.show()
