"""
How much synthetic data? Oracle and weak verification
=====================================================

The toy setting of El Firdoussi et al. (2024, Fig. 3): ``n`` real rows of a
two-class Gaussian mixture ``x = y mu + z``, and ``m`` synthetic rows from a
generator that knows ``mu`` but estimates the covariance from ``n_hat`` rows,
``C_hat = Z Z^T / n_hat``. The synthetic labels come from a classifier
trained on the synthetic rows themselves, so their noise rate ``eps`` is one
minus that classifier's accuracy (it falls as ``m`` grows). A verifier keeps
correctly labelled rows with probability ``phi`` and wrong ones with
probability ``rho``:

- **oracle supervision**: ``rho = 0, phi = 1`` (only correct labels kept);
- **weak supervision**: ``rho = 1, phi = 0.5`` (every wrong label kept, half
  of the correct ones).

We plot the accuracy predicted by :func:`sksynth.theory.rmt.test_accuracy`
(lines) against the proportion ``m / (n + m)`` of synthetic rows, for three
dimensions, with Monte-Carlo accuracies of
:class:`~sksynth.linear_model.RMTRidgeClassifier` (dots, from
:func:`sksynth.studies.simulate_accuracy`). The paper uses
``n = n_hat = 1000`` and ``p`` in {50, 200, 500}; we halve every size (same
ratios ``p / n`` and ``n_hat / n``) to keep the example fast.
"""

# %%
# Theory
# ------

import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

from sksynth.studies import simulate_accuracy
from sksynth.theory import rmt

n = n_hat = 500
norm, gamma = 0.7, 1.0
dims = (25, 100, 250)
supervision = {"Oracle supervision (rho=0, phi=1)": (0.0, 1.0),
               "Weak supervision (rho=1, phi=0.5)": (1.0, 0.5)}
proportion = np.linspace(0.001, 0.95, 50)
m_grid = np.floor(proportion * n / (1 - proportion))


def label_noise(m, p):
    """eps = 1 - accuracy of a classifier trained on the m (clean) synthetic rows."""
    return 1 - rmt.test_accuracy(0, np.maximum(m, 1), p, mean_norm=norm, n_hat=n_hat,
                                 gamma=gamma)


theory = {}
for name, (rho, phi) in supervision.items():
    for p in dims:
        theory[name, p] = rmt.test_accuracy(n, m_grid, p, mean_norm=norm, n_hat=n_hat,
                                            eps=label_noise(m_grid, p), rho=rho, phi=phi,
                                            gamma=gamma)

# %%
# Simulation
# ----------
# Four repetitions at six proportions. Each repetition draws a new real
# training set, a new ``C_hat``, new synthetic rows, label flips and
# verifier decisions, and measures the exact test accuracy ``Phi(w^T mu /
# ||w||)`` of the fitted classifier.

dot_proportion = np.array([0.05, 0.2, 0.4, 0.6, 0.8, 0.95])
dot_m = np.floor(dot_proportion * n / (1 - dot_proportion)).astype(int)
dots = {}
with threadpool_limits(limits=1):
    for name, (rho, phi) in supervision.items():
        for p in dims:
            dots[name, p] = [
                simulate_accuracy(n, int(m), p, mean_norm=norm, case="toy", n_hat=n_hat,
                                  eps=float(label_noise(m, p)), rho=rho, phi=phi,
                                  gamma=gamma, n_trials=4, random_state=int(m) + p)
                for m in dot_m
            ]

fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
for ax, name in zip(axes, supervision):
    for p, color in zip(dims, ("tab:blue", "tab:orange", "tab:green")):
        ax.plot(proportion, theory[name, p], color=color, label=f"p = {p} (theory)")
        means = [sim.accuracy.mean() for sim in dots[name, p]]
        ax.plot(dot_proportion, means, "o", color=color)
    ax.set_title(name)
    ax.set_xlabel("proportion of synthetic data m / (n + m)")
axes[0].set_ylabel("test accuracy")
axes[0].legend(fontsize=8)
fig.tight_layout()

gaps = np.array([[sim.accuracy.mean() - sim.theory[0] for sim in dots[key]] for key in dots])
print(f"mean |simulation - theory| over {gaps.size} points (4 repetitions each): "
      f"{np.abs(gaps).mean():.4f} (max {np.abs(gaps).max():.4f})")
for name in supervision:
    for p in dims:
        acc = theory[name, p]
        print(f"{name[:4]} p={p:3d}: real only {acc[0]:.3f}, best {acc.max():.3f} at "
              f"m/(n+m) = {proportion[np.argmax(acc)]:.2f}, at 0.95: {acc[-1]:.3f}")

# %%
# With oracle supervision every kept row is correctly labelled, and synthetic
# data help at every dimension, the more so as ``p / n`` grows (at ``p =
# 250``, from 0.680 with real data alone to 0.746 at 95% synthetic). With
# weak supervision the wrong labels survive while half of the correct ones
# are dropped, so ``lambda = 0.5 (1 - eps) - eps`` is small -- negative while
# the labelling classifier is worse than ``eps* = 1/3`` -- and in this set-up
# synthetic data never beat the real data alone: the accuracy falls as the
# proportion grows (to 0.649 around 76% synthetic at ``p = 250``), and
# recovers only at the end, when the synthetic labels, produced by a
# classifier trained on more synthetic rows, become cleaner. The curves bend
# more for larger ``p / n``, where the spread of ``C_hat`` (the feature
# shift) and the label noise both grow. The dots follow the curves within
# their Monte-Carlo error.
