"""
A smooth phase transition in the synthetic label noise
======================================================

Train the ridge classifier of El Firdoussi et al. (2024) on synthetic rows
only, with labels flipped at rate ``eps`` and a verifier that keeps a correct
label with probability ``phi = 0.8`` and a wrong one with probability ``rho =
0.3``. The kept rows carry the signal ``lambda = phi (1 - eps) - rho eps``,
which vanishes at the critical noise

.. math:: \\varepsilon^* = (1 + \\rho / \\phi)^{-1} = 0.727.

Below ``eps*`` the classifier learns ``mu``, above it ``-mu``: its accuracy
on real test rows crosses 0.5 at ``eps*``. With infinitely many synthetic
rows (Feng et al., 2024) the accuracy jumps there from ``Phi(||mu||)`` to
``1 - Phi(||mu||)``; with ``m`` rows in dimension ``p`` the random-matrix
theory predicts a *smooth* transition, sharper as ``p / m -> 0`` (the
paper's Fig. 4: ``p = 100``, ``||mu|| = 1``, ``gamma = 1``, ``m`` in
``{1, 10, 100, 1000} p``).

The lines are :func:`sksynth.theory.rmt.test_accuracy` (the true, signed
accuracy; the authors' code plots ``1 - accuracy`` past ``eps*``, which is
the same curve); the dots are Monte-Carlo accuracies of
:class:`~sksynth.linear_model.RMTRidgeClassifier`.
"""

# %%
# Theory
# ------

import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

from sksynth.studies import simulate_accuracy
from sksynth.theory import rmt

p, norm, gamma, rho, phi = 100, 1.0, 1.0, 0.3, 0.8
eps_star = rmt.critical_label_noise(rho, phi)
eps = np.concatenate([np.linspace(0, eps_star, 100), np.linspace(eps_star, 1, 50)[1:]])
factors = np.array([1, 10, 100, 1000])
accuracy = rmt.test_accuracy(0, factors[:, None] * p, p, mean_norm=norm, eps=eps, rho=rho,
                             phi=phi, gamma=gamma)

# %%
# Simulation
# ----------
# Five repetitions at nine noise levels for ``m = p``, ``10 p`` and ``100 p``
# (``m = 1000 p`` = 100,000 rows is left to the theory).

eps_dots = np.array([0.0, 0.2, 0.4, 0.6, 0.68, eps_star, 0.78, 0.85, 1.0])
dots = {}
with threadpool_limits(limits=1):
    for factor in factors[:3]:
        dots[factor] = np.array([
            simulate_accuracy(0, int(factor * p), p, mean_norm=norm, case="exact",
                              eps=float(e), rho=rho, phi=phi, gamma=gamma, n_trials=5,
                              random_state=k).accuracy.mean()
            for k, e in enumerate(eps_dots)
        ])

fig, ax = plt.subplots(figsize=(7, 4.5))
colors = ("tab:blue", "tab:orange", "tab:green", "tab:red")
for factor, acc, color in zip(factors, accuracy, colors):
    ax.plot(eps, acc, color=color, label=f"m = {factor} p")
    if factor in dots:
        ax.plot(eps_dots, dots[factor], "o", color=color, markersize=4)
limit = rmt.test_accuracy(0, 1e9, p, mean_norm=norm, eps=0.0, gamma=gamma)
ax.step([0, eps_star, 1], [limit, 1 - limit, 1 - limit], where="post", color="k",
        linestyle=":", label="m -> infinity (step)")
ax.plot([eps_star], [0.5], "ko")
ax.axvline(eps_star, color="grey", linewidth=0.5)
ax.set_xlabel("label noise eps")
ax.set_ylabel("test accuracy")
ax.set_title(f"synthetic data only: p = {p}, rho = {rho}, phi = {phi}, eps* = {eps_star:.3f}")
ax.legend(fontsize=8)
fig.tight_layout()

window = np.abs(eps - eps_star) <= 0.05
for factor, acc in zip(factors, accuracy):
    drop = acc[window][0] - acc[window][-1]
    print(f"m = {factor:4d} p: accuracy at eps = 0: {acc[0]:.3f}, at eps*: "
          f"{acc[np.argmin(np.abs(eps - eps_star))]:.3f}, drop over eps* +- 0.05: {drop:.3f}")
gaps = np.concatenate([dots[f] - rmt.test_accuracy(0, f * p, p, mean_norm=norm, eps=eps_dots,
                                                   rho=rho, phi=phi, gamma=gamma)
                       for f in dots])
print(f"mean |simulation - theory| over {gaps.size} points (5 repetitions each): "
      f"{np.abs(gaps).mean():.4f}")

# %%
# All curves cross 0.5 exactly at ``eps*`` (``lambda = 0``), whatever ``m``:
# the verifier, not the amount of data, decides where synthetic labels stop
# carrying signal. The amount of data decides how abrupt the change is: with
# ``m = p`` the accuracy erodes over the whole range of ``eps``, with ``m =
# 1000 p`` it stays near its maximum until close to ``eps*`` and then
# collapses, approaching the step of the infinite-data limit.
