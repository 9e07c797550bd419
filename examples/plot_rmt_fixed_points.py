"""
The Marchenko-Pastur law and the fixed points of the RMT analysis
=================================================================

El Firdoussi et al. (2024) analyse a ridge classifier trained on real rows
and on synthetic rows drawn from a Gaussian-mixture generator whose
covariance ``C_hat`` is estimated from ``n_hat`` real rows. Two random-matrix
objects drive their formulas:

- the **Marchenko-Pastur law**: the eigenvalues of ``C_hat = Z Z^T / n_hat``
  (true covariance ``I``) spread over ``[(1 - sqrt(p/n_hat))^2, (1 +
  sqrt(p/n_hat))^2]`` instead of sitting at 1 -- the "distribution shift"
  of the synthetic features (the paper's Fig. 1);
- three **fixed points** ``delta_r``, ``delta_s`` and ``delta_g`` (the
  self-interaction of the real rows, of the synthetic rows, and the
  Marchenko-Pastur term of the generator), which grow with ``p / n`` (the
  paper's Fig. 2).

This example reproduces both figures with :mod:`sksynth.theory.rmt` and
checks ``delta_r = tr(Q) / N`` and ``delta_s = tr(C_hat Q) / N`` against
sampled resolvents ``Q = (X D X^T / N + gamma I)^-1``.
"""

# %%
# Fig. 1: the spectrum of an estimated covariance
# -----------------------------------------------
# A histogram of the eigenvalues of ``Z Z^T / n`` for ``p = 500`` and two
# sample sizes, with the limiting density; then the density for several
# ratios ``p / n_hat``. With ``p > n_hat`` a mass ``1 - n_hat / p`` sits at
# 0 (not drawn).

import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

from sksynth.theory import rmt

rng = np.random.default_rng(0)
p = 500
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
for ax, n in zip(axes[:2], (5000, 1000)):
    Z = rng.standard_normal((p, n))
    eigenvalues = np.linalg.eigvalsh(Z @ Z.T / n)
    ax.hist(eigenvalues, bins=40, density=True, color="tab:blue", alpha=0.5,
            label="eigenvalues of $ZZ^T/n$")
    a, b = rmt.marchenko_pastur_support(p / n)
    x = np.linspace(a, b, 400)
    ax.plot(x, rmt.marchenko_pastur_pdf(x, p / n), color="k", label="Marchenko-Pastur")
    ax.set_title(f"p = {p}, n = {n} (p/n = {p / n:g})")
    ax.set_xlabel("eigenvalue")
    ax.legend(fontsize=8)
x = np.linspace(1e-3, 6, 2000)
for ratio in (0.01, 0.1, 1.0, 2.0):
    axes[2].plot(x, rmt.marchenko_pastur_pdf(x, ratio), label=f"p/n = {ratio:g}")
axes[2].set_ylim(0, 2.5)
axes[2].set_title("density for several ratios")
axes[2].set_xlabel("eigenvalue")
axes[2].legend(fontsize=8)
fig.tight_layout()

# %%
# Fig. 2: the fixed points against ``p / n``
# ------------------------------------------
# The paper's set-up: ``n = n_hat = 1000`` real rows, label noise
# ``eps = 0.2``, a verifier with ``rho = 0.2, phi = 0.9``, ``gamma = 1``, and
# ``m`` in ``{2n, 5n, 10n}`` synthetic rows. One vectorised call gives the
# whole grid. Our ``delta_s`` is ``tr(C_hat Qbar) / N``: the authors' code
# multiplies it by the kept fraction ``alpha``, which corresponds to weighting
# every synthetic row by ``alpha`` instead of keeping a fraction ``alpha`` of
# them (see :func:`~sksynth.theory.rmt.decision_moments`).

n = n_hat = 1000
params = dict(n_hat=n_hat, eps=0.2, rho=0.2, phi=0.9, gamma=1.0)
p_grid = np.linspace(10, 10_000, 50)
amounts = np.array([2, 5, 10]) * n
fp = rmt.fixed_points(n, amounts[None, :], p_grid[:, None], **params)

# %%
# Sampled counterparts for ``m = 2n`` at a few dimensions: one training set
# per point, with label flips and verifier draws, and ``C_hat`` from
# ``n_hat`` rows. The mean components of the rows change the traces by
# ``O(1/N)`` only.


def sampled_deltas(p, m, seed):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((p, n_hat))
    C_hat = Z @ Z.T / n_hat
    real = rng.standard_normal((n, p))
    synthetic = rng.standard_normal((m, n_hat)) @ Z.T / np.sqrt(n_hat)
    keep = np.where(rng.random(m) < params["eps"], rng.random(m) < params["rho"],
                    rng.random(m) < params["phi"])
    N = n + m
    gram = (real.T @ real + synthetic[keep].T @ synthetic[keep]) / N
    Q = np.linalg.inv(gram + params["gamma"] * np.eye(p))
    return np.trace(Q) / N, np.trace(C_hat @ Q) / N


p_dots = np.array([100, 300, 1000, 2000])
with threadpool_limits(limits=1):
    dots = np.array([sampled_deltas(p, 2 * n, seed) for seed, p in enumerate(p_dots)])

fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharex=True)
names = [r"$\delta_r^*$ (real)", r"$\delta_s^*$ (synthetic)", r"$\delta_g^*$ (generator)"]
for ax, values, name in zip(axes, fp, names):
    for j, m in enumerate(amounts):
        ax.semilogx(p_grid / n, values[:, j], label=f"m = {m // n}n")
    ax.set_title(name)
    ax.set_xlabel("p / n")
for k in range(2):
    axes[k].plot(p_dots / n, dots[:, k], "o", color="tab:blue", label="sampled, m = 2n")
axes[0].legend(fontsize=8)
fig.tight_layout()

print("p/n   sampled delta_r  theory  | sampled delta_s  theory")
for p, (d_r, d_s) in zip(p_dots, dots):
    theory = rmt.fixed_points(n, 2 * n, p, **params)
    print(f"{p / n:4.1f}   {d_r:14.4f}  {theory.delta_r:6.4f}  | {d_s:15.4f}  "
          f"{theory.delta_s:6.4f}")

# %%
# The fixed points are small when ``p << n`` (the classical regime, where
# sample covariances are accurate) and of order one once ``p`` is comparable
# to ``n``: that is when the spread of ``C_hat`` and the finite sample size
# change the accuracy, and when the random-matrix corrections matter. More
# synthetic rows (larger ``m``) shrink ``delta_r`` and ``delta_s`` (more rows
# per dimension) but increase ``delta_g``: the generator's estimation error
# weighs more when synthetic rows dominate the training set. One sampled
# training set already matches the deterministic equivalents to two or three
# decimals: the traces concentrate.
