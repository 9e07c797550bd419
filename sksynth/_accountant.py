"""Privacy accounting for Gaussian mechanisms and the Lipschitz-VAE posterior release.

Everything here is closed form (numpy/scipy only): the Gaussian mechanism in
the language of Gaussian differential privacy (mu-GDP, Dong, Roth and Su 2022),
its exact ``(epsilon, delta)`` curve (equal to the analytic Gaussian mechanism
of Balle and Wang 2018), the classical calibration of Dwork and Roth (2014),
and :class:`PrivacyLedger`, the list of every data-dependent step of a release
with what it spends. The derivation for :class:`~sksynth.generators.LipschitzVAE`
is in ``doc/privacy.rst``.

A leaf module (it imports no other part of sksynth), so that the DP
generators (:mod:`sksynth.generators`) and the audits (:mod:`sksynth.privacy`,
which fits generators) both use it without importing each other. Its public
names are those of :mod:`sksynth.privacy`.
"""

import math
from numbers import Real

import numpy as np
from scipy.optimize import brentq
from scipy.special import log_ndtr

__all__ = [
    "PrivacyLedger",
    "analytic_gaussian_sigma",
    "classical_gaussian_sigma",
    "gaussian_delta",
    "gaussian_epsilon",
    "gaussian_mu",
    "gdp_compose",
    "posterior_release_mu",
    "posterior_release_epsilon",
]

#: Largest mu handled (delta(eps) is 1 - tiny beyond it for any sensible epsilon).
_MU_MAX = 1e3
#: Largest epsilon searched when inverting delta(eps).
_EPS_MAX = 1e4


def _check_positive(value, name, *, allow_zero=False, allow_inf=False):
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r}.")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} must not be NaN.")
    if math.isinf(value) and not allow_inf:
        raise ValueError(f"{name} must be finite, got {value}.")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value}.")
    return value


def _check_delta(delta):
    delta = _check_positive(delta, "delta")
    if delta >= 1:
        raise ValueError(f"delta must lie in (0, 1), got {delta}; e.g. delta=1/n_samples.")
    return delta


def gaussian_delta(epsilon, mu):
    r"""Smallest ``delta`` such that a mu-GDP mechanism is ``(epsilon, delta)``-DP.

    .. math::
        \delta(\varepsilon) = \Phi\!\left(-\frac{\varepsilon}{\mu} + \frac{\mu}{2}\right)
        - e^{\varepsilon}\, \Phi\!\left(-\frac{\varepsilon}{\mu} - \frac{\mu}{2}\right),

    computed in log space so that it stays accurate for large ``epsilon``.

    Parameters
    ----------
    epsilon : float
        Non-negative epsilon.
    mu : float
        GDP parameter, ``sensitivity / sigma`` for the Gaussian mechanism;
        ``0`` means no information is released (``delta = 0``).

    Returns
    -------
    delta : float
        In ``[0, 1)``; increasing in ``mu``, decreasing in ``epsilon``.

    References
    ----------
    .. [1] Dong, J., Roth, A. and Su, W. J. (2022). "Gaussian differential
       privacy." JRSS-B 84(1), Corollary 2.13.
    .. [2] Balle, B. and Wang, Y.-X. (2018). "Improving the Gaussian mechanism
       for differential privacy: analytical calibration and optimal
       denoising." ICML, Theorem 8.

    Examples
    --------
    >>> from sksynth.privacy import gaussian_delta
    >>> round(gaussian_delta(1.0, 1.0), 4)
    0.1269
    """
    epsilon = _check_positive(epsilon, "epsilon", allow_zero=True)
    mu = _check_positive(mu, "mu", allow_zero=True, allow_inf=True)
    if mu == 0:
        return 0.0
    if math.isinf(mu):
        return 1.0
    a = log_ndtr(-epsilon / mu + mu / 2)
    b = epsilon + log_ndtr(-epsilon / mu - mu / 2)
    if b >= a:  # rounding only: the difference is >= 0 mathematically
        return 0.0
    return float(math.exp(a) * -math.expm1(b - a))


def gaussian_epsilon(mu, delta):
    """Smallest ``epsilon`` such that a mu-GDP mechanism is ``(epsilon, delta)``-DP.

    Inverts :func:`gaussian_delta` in ``epsilon`` (it is strictly decreasing).

    Parameters
    ----------
    mu : float
        GDP parameter (``np.inf`` gives ``np.inf``).
    delta : float
        Target delta in ``(0, 1)``.

    Returns
    -------
    epsilon : float
        ``0`` when ``delta`` already covers ``epsilon = 0``.

    Examples
    --------
    >>> from sksynth.privacy import gaussian_epsilon
    >>> round(gaussian_epsilon(1.0, 1e-5), 3)
    4.377
    """
    mu = _check_positive(mu, "mu", allow_zero=True, allow_inf=True)
    delta = _check_delta(delta)
    if math.isinf(mu) or mu > _MU_MAX:
        return math.inf
    if gaussian_delta(0.0, mu) <= delta:
        return 0.0
    hi = max(1.0, mu * mu)
    while gaussian_delta(hi, mu) > delta:
        hi *= 2.0
        if hi > _EPS_MAX:
            return math.inf
    return float(brentq(lambda e: gaussian_delta(e, mu) - delta, 0.0, hi, xtol=1e-12,
                        rtol=1e-12))


def gaussian_mu(epsilon, delta):
    """Largest mu such that a mu-GDP mechanism is ``(epsilon, delta)``-DP.

    Inverts :func:`gaussian_delta` in ``mu`` (it is strictly increasing).

    Parameters
    ----------
    epsilon : float
        Target epsilon, ``> 0``.
    delta : float
        Target delta in ``(0, 1)``.

    Returns
    -------
    mu : float

    Examples
    --------
    >>> from sksynth.privacy import gaussian_mu
    >>> round(gaussian_mu(1.0, 1e-5), 4)
    0.2681
    """
    epsilon = _check_positive(epsilon, "epsilon", allow_inf=False)
    delta = _check_delta(delta)
    hi = 1.0
    while gaussian_delta(epsilon, hi) < delta:
        hi *= 2.0
    return float(brentq(lambda m: gaussian_delta(epsilon, m) - delta, 0.0, hi, xtol=1e-14,
                        rtol=1e-12))


def analytic_gaussian_sigma(epsilon, delta, sensitivity=1.0):
    """Smallest Gaussian noise scale giving ``(epsilon, delta)``-DP (Balle and Wang 2018).

    ``sigma = sensitivity / gaussian_mu(epsilon, delta)``; valid for every
    ``epsilon > 0`` and never larger than :func:`classical_gaussian_sigma`.

    Parameters
    ----------
    epsilon : float
    delta : float
    sensitivity : float, default=1.0
        L2 sensitivity of the released function.

    Returns
    -------
    sigma : float

    Examples
    --------
    >>> from sksynth.privacy import analytic_gaussian_sigma
    >>> round(analytic_gaussian_sigma(1.0, 1e-5), 3)
    3.731
    """
    sensitivity = _check_positive(sensitivity, "sensitivity")
    return sensitivity / gaussian_mu(epsilon, delta)


def classical_gaussian_sigma(epsilon, delta, sensitivity=1.0):
    r"""Classical calibration ``sigma = sqrt(2 ln(1.25/delta)) * sensitivity / epsilon``.

    Dwork and Roth (2014), Theorem A.1: sufficient for ``(epsilon, delta)``-DP
    when ``epsilon < 1``.

    Parameters
    ----------
    epsilon : float
        In ``(0, 1)``.
    delta : float
    sensitivity : float, default=1.0

    Returns
    -------
    sigma : float

    Examples
    --------
    >>> from sksynth.privacy import classical_gaussian_sigma
    >>> round(classical_gaussian_sigma(0.5, 1e-5), 3)
    9.69
    """
    epsilon = _check_positive(epsilon, "epsilon")
    if epsilon >= 1:
        raise ValueError(
            f"epsilon must be < 1 for the classical Gaussian mechanism, got {epsilon}; use "
            "analytic_gaussian_sigma for larger epsilon."
        )
    delta = _check_delta(delta)
    sensitivity = _check_positive(sensitivity, "sensitivity")
    return math.sqrt(2.0 * math.log(1.25 / delta)) * sensitivity / epsilon


def gdp_compose(mus):
    """GDP parameter of the composition of mu_i-GDP mechanisms: ``sqrt(sum mu_i**2)``.

    Dong, Roth and Su (2022), Corollary 3.3 (adaptive composition).

    Parameters
    ----------
    mus : iterable of float

    Returns
    -------
    mu : float

    Examples
    --------
    >>> from sksynth.privacy import gdp_compose
    >>> gdp_compose([3.0, 4.0])
    5.0
    """
    mus = [_check_positive(m, "mu", allow_zero=True, allow_inf=True) for m in mus]
    if any(math.isinf(m) for m in mus):
        return math.inf
    return float(math.sqrt(sum(m * m for m in mus)))


def posterior_release_mu(clip, encoder_std, n_codes=1):
    """GDP parameter of releasing ``n_codes`` noisy latent codes per record.

    Each code is ``mu(x_i) + encoder_std * e`` with ``||mu(x)|| <= clip`` for
    every possible record, so one record's codes form a Gaussian mechanism of
    L2 sensitivity ``2 * clip`` under replacement of that record, composed
    ``n_codes`` times: ``mu = sqrt(n_codes) * 2 * clip / encoder_std``. Other
    records' codes do not depend on the replaced record (parallel
    composition). See ``doc/privacy.rst`` for the assumption on the trained
    weights.

    Parameters
    ----------
    clip : float
        Bound on the norm of the encoder mean.
    encoder_std : float
        Standard deviation of the encoder noise.
    n_codes : int, default=1
        Codes released per training record.

    Returns
    -------
    mu : float

    Examples
    --------
    >>> from sksynth.privacy import posterior_release_mu
    >>> posterior_release_mu(1.0, 4.0)
    0.5
    """
    clip = _check_positive(clip, "clip")
    encoder_std = _check_positive(encoder_std, "encoder_std")
    if isinstance(n_codes, bool) or not isinstance(n_codes, (int, np.integer)) or n_codes < 1:
        raise ValueError(f"n_codes must be an integer >= 1, got {n_codes!r}.")
    return math.sqrt(int(n_codes)) * 2.0 * clip / encoder_std


def posterior_release_epsilon(clip, encoder_std, delta, n_codes=1):
    """Epsilon of the posterior-sampling release at ``delta`` (see :func:`posterior_release_mu`).

    Parameters
    ----------
    clip : float
    encoder_std : float
    delta : float
    n_codes : int, default=1

    Returns
    -------
    epsilon : float

    Examples
    --------
    >>> from sksynth.privacy import posterior_release_epsilon
    >>> round(posterior_release_epsilon(1.0, 4.0, 1e-5), 3)
    1.993
    """
    return gaussian_epsilon(posterior_release_mu(clip, encoder_std, n_codes), delta)


class PrivacyLedger:
    """Every data-dependent step of a release and what it spends.

    A row is a step with a ``status``:

    - ``"public"``: uses only information declared public (spends nothing);
    - ``"gdp"``: a mechanism with a proven GDP parameter ``mu``;
    - ``"assumed"``: covered by a stated assumption rather than a proof
      (spends nothing in the total, listed so the assumption is visible);
    - ``"dp"``: an ``(epsilon, delta)`` guarantee from an external
      accountant (e.g. DP-SGD with Opacus);
    - ``"not_private"``: data-dependent with no guarantee; the total is
      then infinite.

    The total GDP parameter composes the ``"gdp"`` rows
    (:func:`gdp_compose`), so ``epsilon(delta)`` of the whole release follows.
    ``"dp"`` rows compose by basic composition (epsilons and deltas add); a
    ledger mixing ``"dp"`` and ``"gdp"`` rows reports ``inf`` (not composed
    here). A ``"gdp"`` row added with ``within=<step>`` was composed by the
    accountant of that ``"dp"`` step (e.g. DP-SGD's, which then includes it
    in its epsilon): it is listed, with its ``mu``, but not counted again.

    Examples
    --------
    >>> from sksynth.privacy import PrivacyLedger
    >>> ledger = PrivacyLedger()
    >>> ledger.add("bounds", "public", note="declared by the user")
    >>> ledger.add("codes", "gdp", mu=0.5)
    >>> round(ledger.epsilon(1e-5), 3)
    1.993
    >>> ledger.add("category sets", "not_private")
    >>> ledger.epsilon(1e-5)
    inf
    >>> sgd = PrivacyLedger()
    >>> sgd.add("counts", "gdp", mu=0.2, within="training")
    >>> sgd.add("training", "dp", epsilon=1.0, delta=1e-5, note="includes the counts")
    >>> sgd.epsilon(1e-5)
    1.0
    """

    _STATUSES = ("public", "gdp", "dp", "assumed", "not_private")

    def __init__(self):
        self.rows = []

    def add(self, step, status, *, mu=None, epsilon=None, delta=None, within=None, note=""):
        """Append one step (``mu`` only for ``"gdp"``; ``epsilon`` and ``delta`` for ``"dp"``;
        ``within``: the ``"dp"`` step whose accountant already composed this ``"gdp"`` one)."""
        if status not in self._STATUSES:
            raise ValueError(f"status must be one of {self._STATUSES}, got {status!r}.")
        if (status == "gdp") != (mu is not None):
            raise ValueError("mu must be given exactly when status='gdp'.")
        if within is not None and (status != "gdp" or not isinstance(within, str)):
            raise ValueError("within (a step name) is only for status='gdp' rows.")
        if (status == "dp") != (epsilon is not None and delta is not None):
            raise ValueError("epsilon and delta must be given exactly when status='dp'.")
        if mu is not None:
            mu = _check_positive(mu, "mu", allow_zero=True, allow_inf=True)
        if epsilon is not None:
            epsilon = _check_positive(epsilon, "epsilon", allow_zero=True, allow_inf=True)
            delta = _check_positive(delta, "delta", allow_zero=True)
        self.rows.append({"step": step, "status": status, "mu": mu, "epsilon": epsilon,
                          "delta": delta, "within": within, "note": note})

    @property
    def formal(self):
        """True when no step is ``"not_private"``."""
        return all(row["status"] != "not_private" for row in self.rows)

    def mu(self):
        """GDP parameter of the composed ``"gdp"`` steps (inf if a step is not private)."""
        if not self.formal:
            return math.inf
        return gdp_compose(row["mu"] for row in self.rows
                           if row["status"] == "gdp" and row.get("within") is None)

    def epsilon(self, delta):
        """Epsilon of the whole release at ``delta``."""
        dp_rows = [row for row in self.rows if row["status"] == "dp"]
        dp_steps = {row["step"] for row in dp_rows}
        for row in self.rows:
            if row.get("within") is not None and row["within"] not in dp_steps:
                raise ValueError(f"step {row['step']!r} is composed within {row['within']!r}, "
                                 "which is not a 'dp' step of this ledger.")
        if not dp_rows:
            return gaussian_epsilon(self.mu(), delta)
        if not self.formal or any(row["status"] == "gdp" and row.get("within") is None
                                  for row in self.rows):
            return math.inf
        if sum(row["delta"] for row in dp_rows) > delta * (1 + 1e-12):
            return math.inf
        return float(sum(row["epsilon"] for row in dp_rows))

    def to_frame(self):
        """The ledger as a DataFrame (one row per step)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=["step", "status", "mu", "epsilon", "delta",
                                                "within", "note"])

    def __repr__(self):
        lines = [f"PrivacyLedger({len(self.rows)} steps, formal={self.formal})"]
        for row in self.rows:
            mu = "" if row["mu"] is None else f" mu={row['mu']:.4g}"
            if row["epsilon"] is not None:
                mu = f" epsilon={row['epsilon']:.4g} delta={row['delta']:.3g}"
            if row.get("within") is not None:
                mu += f" (within {row['within']!r})"
            lines.append(f"  {row['step']}: {row['status']}{mu} {row['note']}".rstrip())
        return "\n".join(lines)
