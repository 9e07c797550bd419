"""Random-matrix theory of a ridge classifier trained on real and synthetic data.

El Firdoussi et al. (2024) study the ridge classifier

.. math::

    w = \\Big(\\tfrac{1}{N}\\big[X_r X_r^\\top + X_s D_q X_s^\\top\\big] + \\gamma I_p\\Big)^{-1}
        \\tfrac{1}{N}\\big[X_r y_r + X_s D_q \\tilde y\\big],\\qquad N = n + m,

trained on ``n`` real rows ``x = y mu + z`` (``z ~ N(0, I_p)``) and ``m``
synthetic rows ``x = y mu_beta + z`` (``z ~ N(0, C)``) whose labels are
flipped with probability ``eps`` and then kept by a verifier with
probability ``phi`` (correct label) or ``rho`` (wrong label), ``D_q`` being
the diagonal of keep indicators. In the limit ``p, n, m -> infinity`` at
fixed ratios, the decision ``w^T x`` on a real test row is Gaussian,
``N(y m, nu - m^2)``, so the test accuracy is ``Phi(m / sqrt(nu - m^2))``.
This module computes ``m`` and ``nu`` (and so the accuracy and the risk) in
the three cases of the paper:

- **synthetic only** (``n = 0``) and real + synthetic with an exact
  generator (``C = I``, ``mu_beta = mu``): give ``mean_norm`` and leave
  ``n_hat`` as None;
- **toy** case: the generator's covariance is ``C_hat = Z Z^T / n_hat``,
  estimated from ``n_hat`` rows, averaged over its Marchenko-Pastur law:
  give ``mean_norm`` and ``n_hat``;
- **general** case: any synthetic mean ``mu_beta`` and covariance ``C``
  (e.g. those of a fitted generator): give ``mean``, ``mean_synthetic`` and
  ``covariance_synthetic``.

All scalar inputs (``n, m, p, n_hat, mean_norm, eps, rho, phi, gamma,
synthetic_weight``) broadcast against each other, so a whole grid is one call.

The derivation used here (see Notes of :func:`decision_moments`) keeps each
synthetic row with probability ``alpha`` (a Bernoulli mask, as in the paper's
model and simulations). The authors' code instead puts ``alpha`` inside the
synthetic fixed point, ``delta_s = alpha tr(C Qbar) / N``, which is what one
gets by giving *every* synthetic row the weight ``alpha``; the two agree for
``alpha = 1`` and differ, against Monte-Carlo simulation, when the verifier
discards many rows (``tests/test_rmt.py``).

References
----------
El Firdoussi, A., Seddik, M. E. A., Hayou, S., Alami, R., Alzubaidi, A. and
Hacid, H. (2024). "Maximizing the potential of synthetic data: insights from
random matrix theory." ICLR 2025, arXiv:2410.08942. Code:
github.com/elfirdoussilab1/Synthetic-data (``rmt_results.py``).

Couillet, R. and Liao, Z. (2022). *Random Matrix Methods for Machine
Learning.* Cambridge University Press (deterministic equivalents).
"""

from ._rmt_equivalent import FixedPointError
from ._rmt_formulas import (
    critical_label_noise,
    kept_fraction,
    label_signal,
    marchenko_pastur_pdf,
    marchenko_pastur_support,
)
from ._rmt_solvers import (
    DecisionMoments,
    FixedPoints,
    SyntheticSizeCurve,
    best_synthetic_size,
    decision_moments,
    fixed_points,
    spectral_decision_moments,
    spectral_test_accuracy,
    test_accuracy,
    test_risk,
)

__all__ = [
    "DecisionMoments",
    "FixedPointError",
    "FixedPoints",
    "SyntheticSizeCurve",
    "best_synthetic_size",
    "critical_label_noise",
    "decision_moments",
    "fixed_points",
    "kept_fraction",
    "label_signal",
    "marchenko_pastur_pdf",
    "marchenko_pastur_support",
    "spectral_decision_moments",
    "spectral_test_accuracy",
    "test_accuracy",
    "test_risk",
]
