"""Predictions of the random-matrix theory: fixed points, moments, accuracy, risk, best size.

Public names are documented in :mod:`sksynth.theory.rmt`, whose module
notes describe the three cases (synthetic only, toy, general).
"""

from collections import namedtuple
from numbers import Real

import numpy as np

from ._rmt_equivalent import (
    _accuracy,
    _build_model,
    _build_spectral_model,
    _moments_from_model,
    _solve_fixed_point,
    _weights_at,
)
from ._rmt_formulas import _as_array, _scalar_or_array

FixedPoints = namedtuple("FixedPoints", ["delta_r", "delta_s", "delta_g"])
FixedPoints.__doc__ = """Solutions of the fixed-point equations (:func:`fixed_points`).

delta_r : ndarray or float
    ``tr(Qbar) / N``, the real rows' self-interaction (paper: ``delta_r``).
delta_s : ndarray or float
    ``tr(C Qbar) / N``, the synthetic rows' self-interaction (paper:
    ``delta_s``, without the factor ``alpha`` of the authors' code).
delta_g : ndarray or float
    The Marchenko-Pastur term of the estimated generator covariance (paper:
    ``delta_g``, code: ``delta_bar``): ``0`` when ``n_hat`` is None (exact
    generator), NaN in the general case (no such term).
"""

DecisionMoments = namedtuple("DecisionMoments", ["m", "nu"])
DecisionMoments.__doc__ = """Limits of the decision ``w^T x`` on a real test row.

m : ndarray or float
    ``E[y w^T x]``: the mean of the decision, signed by the label.
nu : ndarray or float
    ``E[(w^T x)^2]``: its second moment; ``nu - m**2`` is its variance.
"""

SyntheticSizeCurve = namedtuple("SyntheticSizeCurve", ["best_m", "m", "accuracy"])
SyntheticSizeCurve.__doc__ = """Predicted accuracy over amounts of synthetic data.

best_m : float
    The amount in ``m`` with the highest predicted accuracy (the smallest
    such amount on ties).
m : ndarray of shape (n_amounts,)
    The amounts of synthetic rows tried.
accuracy : ndarray of shape (n_amounts,)
    Predicted test accuracy for each amount.
"""


_CASES_DOC = """n : float or array-like
        Number of real training rows (>= 0).
    m : float or array-like
        Number of synthetic rows before verification (>= 0); ``n + m > 0``.
    p : float or array-like, default=None
        Dimension (> 0). Required unless ``mean`` is given.
    mean_norm : float or array-like, default=None
        ``||mu||`` (synthetic-only and toy cases).
    mean : array-like of shape (p,), default=None
        The real class mean ``mu`` (general case).
    mean_synthetic : array-like of shape (p,), default=None
        The synthetic class mean ``mu_beta`` (general case; default ``mean``).
    covariance : array-like of shape (p, p), default=None
        Noise covariance of the real rows (general case; default the identity,
        as in the paper). Must commute with ``covariance_synthetic``.
    covariance_synthetic : array-like of shape (p, p), default=None
        Noise covariance ``C`` of the synthetic rows (general case). A common
        offset ``c`` of both synthetic classes (``x = y mu_beta + c + z``) is
        accounted for by passing ``C + c c^T``.
    n_hat : float or array-like, default=None
        Toy case: the generator's covariance is ``Z Z^T / n_hat``, estimated
        from ``n_hat`` rows (Marchenko-Pastur). None: exact generator
        (``C = I``).
    mean_error : float or array-like, default=0.0
        Isotropic cases: ``||mu_beta - mu||^2`` for a synthetic mean off by a
        random direction independent of the data (e.g. ``p / n_hat`` when
        ``mu_beta`` is estimated from ``n_hat`` balanced rows). The paper's
        toy case is ``0``.
    eps : float or array-like, default=0.0
        Label-noise rate of the synthetic rows.
    rho : float or array-like, default=0.0
        Verifier's probability of keeping a wrongly labelled row.
    phi : float or array-like, default=1.0
        Verifier's probability of keeping a correctly labelled row.
    gamma : float or array-like, default=1.0
        Ridge parameter (> 0), on the loss averaged over ``N = n + m`` rows.
    synthetic_weight : float or array-like, default=1.0
        Weight of each kept synthetic row in the loss (the paper: 1).
    tol : float, default=1e-12
        Relative tolerance of the fixed-point solver.
    max_iter : int, default=1000
        Iterations of the fixed-point solver before
        :class:`FixedPointError` is raised."""


def _check_solver(tol, max_iter):
    if not isinstance(tol, Real) or isinstance(tol, bool) or not 0 < tol < 1:
        raise ValueError(f"tol must be a float in (0, 1), got {tol!r}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive int, got {max_iter!r}.")


def fixed_points(n, m, p=None, *, mean_norm=None, mean=None, mean_synthetic=None,
                 covariance=None, covariance_synthetic=None, n_hat=None, mean_error=0.0,
                 eps=0.0, rho=0.0, phi=1.0, gamma=1.0, synthetic_weight=1.0, tol=1e-12,
                 max_iter=1000):
    """Fixed points ``(delta_r, delta_s, delta_g)`` of the deterministic equivalent.

    With ``pi = n / N``, ``eta = p / N`` and ``alpha`` the kept fraction, the
    resolvent ``Q = (X D X^T / N + gamma I)^-1`` behaves like ``Qbar0 =
    (gamma I + pi / (1 + delta_r) I + (1 - pi) alpha s / (1 + s delta_s) C)^-1``
    (``s`` the synthetic weight), where ``delta_r = tr(Qbar0) / N`` and
    ``delta_s = tr(C Qbar0) / N``. In the toy case ``C = Z Z^T / n_hat``
    follows the Marchenko-Pastur law and ``delta_g`` is the extra term of its
    deterministic equivalent, ``E[(c0 I + c1 C)^-1] = (c0 + c1 / (1 +
    delta_g))^-1 I``.

    Parameters
    ----------
    {cases}

    Returns
    -------
    fixed_points : FixedPoints
        Named tuple ``(delta_r, delta_s, delta_g)`` of floats or arrays of the
        broadcast shape of the scalar inputs.

    Raises
    ------
    FixedPointError
        If the solver does not converge in ``max_iter`` iterations.

    See Also
    --------
    decision_moments : The mean and second moment built on these.

    Notes
    -----
    The solver combines the plain iteration (monotone from 0) with Newton
    steps; its Jacobian is the matrix of the second-order system, whose
    determinant is the paper's ``h``. The authors' code writes ``delta_s`` with
    an extra factor ``alpha``; see the module notes.

    Examples
    --------
    >>> from sksynth.theory.rmt import fixed_points
    >>> d = fixed_points(1000, 2000, [100, 1000, 4000], n_hat=1000, eps=0.2, rho=0.2,
    ...                  phi=0.9)
    >>> d.delta_r.round(3)
    array([0.018, 0.206, 0.999])
    >>> d.delta_g.round(3)
    array([0.027, 0.269, 1.015])
    """
    _check_solver(tol, max_iter)
    general = mean is not None or covariance_synthetic is not None
    if general and mean is None:  # the fixed points do not depend on the means
        mean = np.zeros(np.shape(covariance_synthetic)[:1])
    if not general and mean_norm is None:
        mean_norm = 0.0
    model = _build_model(n, m, p, mean_norm=mean_norm, mean=mean,
                         mean_synthetic=mean_synthetic, covariance=covariance,
                         covariance_synthetic=covariance_synthetic, n_hat=n_hat,
                         mean_error=mean_error, eps=eps, rho=rho, phi=phi, gamma=gamma,
                         synthetic_weight=synthetic_weight)
    delta = _solve_fixed_point(model, tol, max_iter)
    if model["ratio"] is None:
        delta_g = np.full(model["shape"], np.nan)
    else:
        e, _, _, _ = _weights_at(delta, model)
        A = model["spectrum"].sums(e[..., 0], e[..., 1], model["gamma"], False)["A"]
        delta_g = model["ratio"] * e[..., 1] / A
    return FixedPoints(_scalar_or_array(delta[..., 0]), _scalar_or_array(delta[..., 1]),
                       _scalar_or_array(delta_g))


fixed_points.__doc__ = fixed_points.__doc__.format(cases=_CASES_DOC)


def _moments(n, m, p, *, tol, max_iter, **params):
    """Mean and variance of the decision, from the arguments of a public function.

    :func:`decision_moments`, :func:`test_accuracy` and :func:`test_risk` pass
    their arguments on as ``**locals()``, so that their signatures are the one
    list of them (and :func:`_build_model` checks every name).
    """
    _check_solver(tol, max_iter)
    model = _build_model(n, m, p, **params)
    delta = _solve_fixed_point(model, tol, max_iter)
    mean, variance, _ = _moments_from_model(model, delta)
    return mean, variance


def _as_decision_moments(mean, variance):
    """The :class:`DecisionMoments` ``(m, nu = m^2 + variance)`` of the public functions."""
    return DecisionMoments(_scalar_or_array(mean), _scalar_or_array(mean**2 + variance))


def _as_accuracy(mean, variance):
    return _scalar_or_array(_accuracy(mean, variance))


def decision_moments(n, m, p=None, *, mean_norm=None, mean=None, mean_synthetic=None,
                     covariance=None, covariance_synthetic=None, n_hat=None, mean_error=0.0,
                     eps=0.0, rho=0.0, phi=1.0, gamma=1.0, synthetic_weight=1.0, tol=1e-12,
                     max_iter=1000):
    """Mean ``m`` and second moment ``nu`` of the decision ``w^T x`` on a real test row.

    Parameters
    ----------
    {cases}

    Returns
    -------
    moments : DecisionMoments
        Named tuple ``(m, nu)`` with ``m = E[y w^T x]`` and ``nu = E[(w^T
        x)^2]``, floats or arrays of the broadcast shape of the scalar inputs.

    Raises
    ------
    FixedPointError
        If the fixed-point solver does not converge.

    See Also
    --------
    test_accuracy : ``Phi(m / sqrt(nu - m^2))``.
    test_risk : ``nu + 1 - 2 m``.
    fixed_points : The fixed points these are built on.

    Notes
    -----
    Write ``beta_i = d_i / (1 + d_i delta_i)`` for a row of loss weight
    ``d_i`` (1 for a real row, ``s q_i`` for a synthetic row with keep
    indicator ``q_i``) and label agreement ``a_i = t_i y_i``, and for each
    population (real, synthetic) let ``e = pi_c E[beta]``, ``S = pi_c
    E[beta^2]``, ``P = pi_c E[beta a]``, ``R = pi_c E[beta^2 a]``; for the
    synthetic rows ``E[beta] = s alpha / (1 + s delta_s)`` and ``E[beta a] =
    s lambda / (1 + s delta_s)``. Leave-one-out (Sherman-Morrison) expansions
    give, with ``Qbar^-1 = gamma I + sum_c e_c (mu_c mu_c^T + C_c)``,

    - ``m = sum_c P_c mu^T Qbar mu_c``;
    - ``E[Q A Q] = Qbar A Qbar + sum_c S_c theta_c Qbar (mu_c mu_c^T + C_c)
      Qbar`` with ``theta_c = tr(C_c E[Q A Q]) / N`` (a 2 x 2 linear system
      whose determinant is the paper's ``h``);
    - ``nu - m^2 = w^T C_r w = P^T H P - 2 (R theta)^T G P + S^T theta`` with
      ``G = [mu_c^T Qbar mu_c']`` and ``H = [mu_c^T E[Q C_r Q] mu_c']``.

    These reduce to the general-case formulas of the authors'
    ``rmt_results.py`` when ``alpha = 1``. In the toy case the integrals over
    the Marchenko-Pastur law have closed forms; the result equals the
    general formula averaged over that law (checked against a fine quantile
    grid), whereas the authors' own toy-case expression for ``nu`` (as
    transcribed) differs from that average by about 0.3% even at
    ``alpha = 1``. All quadratic forms are evaluated through a rank-2
    Woodbury update in the eigenbasis of ``C`` (general case) or by closed
    forms of Marchenko-Pastur integrals (toy case), so the cost is ``O(p)``
    per parameter point after one eigendecomposition.

    Examples
    --------
    >>> from sksynth.theory.rmt import decision_moments
    >>> mom = decision_moments(0, 800, 200, mean_norm=1.5, eps=0.2, rho=0.3, phi=0.8)
    >>> print(round(float(mom.m), 3), round(float(mom.nu), 3))
    0.38 0.24
    """
    return _as_decision_moments(*_moments(**locals()))


decision_moments.__doc__ = decision_moments.__doc__.format(cases=_CASES_DOC)


def test_accuracy(n, m, p=None, *, mean_norm=None, mean=None, mean_synthetic=None,
                  covariance=None, covariance_synthetic=None, n_hat=None, mean_error=0.0,
                  eps=0.0, rho=0.0, phi=1.0, gamma=1.0, synthetic_weight=1.0, tol=1e-12,
                  max_iter=1000):
    """High-dimensional test accuracy ``Phi(m / sqrt(nu - m^2))`` of the ridge classifier.

    The accuracy of ``sign(w^T x)`` on real test rows. It is signed: past the
    critical label noise (``lambda < 0``) a classifier trained on synthetic
    rows only is below 0.5. The authors' code reports ``max(acc, 1 - acc)``.

    Parameters
    ----------
    {cases}

    Returns
    -------
    accuracy : float or ndarray
        Predicted test accuracy, in [0, 1].

    Raises
    ------
    FixedPointError
        If the fixed-point solver does not converge.

    See Also
    --------
    decision_moments : ``m`` and ``nu``.
    sksynth.linear_model.RMTRidgeClassifier : The classifier itself.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.theory.rmt import critical_label_noise, test_accuracy
    >>> eps_star = critical_label_noise(rho=0.3, phi=0.8)
    >>> acc = test_accuracy(0, 100_000, 100, mean_norm=1.0, rho=0.3, phi=0.8,
    ...                     eps=[0.2, eps_star, 0.9])
    >>> acc.round(3)
    array([0.841, 0.5  , 0.16 ])
    """
    return _as_accuracy(*_moments(**locals()))


test_accuracy.__doc__ = test_accuracy.__doc__.format(cases=_CASES_DOC)
test_accuracy.__test__ = False  # not a pytest test, whatever its name


def test_risk(n, m, p=None, *, mean_norm=None, mean=None, mean_synthetic=None,
              covariance=None, covariance_synthetic=None, n_hat=None, mean_error=0.0,
              eps=0.0, rho=0.0, phi=1.0, gamma=1.0, synthetic_weight=1.0, tol=1e-12,
              max_iter=1000):
    """High-dimensional test risk ``E[(w^T x - y)^2] = nu + 1 - 2 m`` on real rows.

    Parameters
    ----------
    {cases}

    Returns
    -------
    risk : float or ndarray
        Predicted mean squared error of ``w^T x`` against the label ``y``.
        With a real covariance other than the identity the ``1`` stays the
        label's second moment.

    Raises
    ------
    FixedPointError
        If the fixed-point solver does not converge.

    See Also
    --------
    test_accuracy : The accuracy from the same moments.

    Examples
    --------
    >>> from sksynth.theory.rmt import test_risk
    >>> round(float(test_risk(500, 0, 100, mean_norm=2.0, gamma=0.1)), 3)
    0.238
    """
    mean_, variance = _moments(**locals())
    return _scalar_or_array(mean_**2 + variance + 1 - 2 * mean_)


test_risk.__doc__ = test_risk.__doc__.format(cases=_CASES_DOC)
test_risk.__test__ = False


def best_synthetic_size(n, p=None, m_grid=None, **params):
    """Predicted accuracy as a function of the amount of synthetic data, and the best amount.

    Parameters
    ----------
    n : float
        Number of real training rows.
    p : float, default=None
        Dimension (required unless ``mean`` is among ``params``).
    m_grid : array-like of shape (n_amounts,), default=None
        Numbers of synthetic rows (before verification) to compare. None uses
        ``n`` times ``[0, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50]``.
    **params : dict
        Any other parameter of :func:`test_accuracy` (``mean_norm``,
        ``n_hat``, ``eps``, ``rho``, ``phi``, ``gamma``, ...), as scalars.

    Returns
    -------
    curve : SyntheticSizeCurve
        ``(best_m, m, accuracy)``.

    Examples
    --------
    A generator fitted on ``n_hat = 200`` rows (mean error ``p / n_hat``),
    labels flipped 30% of the time, a verifier with ``rho = 0.2, phi = 0.6``:

    >>> from sksynth.theory.rmt import best_synthetic_size
    >>> curve = best_synthetic_size(200, 100, [0, 200, 1000, 10_000], mean_norm=1.0,
    ...                             n_hat=200, mean_error=0.5, eps=0.3, rho=0.2, phi=0.6)
    >>> curve.accuracy.round(3)
    array([0.781, 0.788, 0.794, 0.79 ])
    >>> curve.best_m
    1000.0
    """
    n_value = _as_array(n, "n", low=0)
    if n_value.ndim != 0:
        raise ValueError("n must be a scalar in best_synthetic_size.")
    if m_grid is None:
        m_grid = float(n_value) * np.array([0, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50])
    m_grid = _as_array(m_grid, "m_grid", low=0)
    if m_grid.ndim != 1 or m_grid.shape[0] == 0:
        raise ValueError("m_grid must be a non-empty 1-d array of amounts.")
    for key, value in params.items():
        if key not in ("mean", "mean_synthetic", "covariance", "covariance_synthetic") and (
            np.ndim(value) != 0
        ):
            raise ValueError(f"{key} must be a scalar in best_synthetic_size.")
    accuracy = np.asarray(test_accuracy(n_value, m_grid, p, **params), dtype=np.float64)
    accuracy = np.broadcast_to(accuracy, m_grid.shape)
    best = m_grid[int(np.argmax(accuracy))]
    return SyntheticSizeCurve(float(best), m_grid, accuracy)


# -- the general case given in an eigenbasis --------------------------------------------------
def _spectral_moments(n, m, *, tol, max_iter, **params):
    """Mean and variance of the decision for the spectral form of the general case.

    The ``spectral_*`` functions pass their arguments on as ``**locals()``, like
    those of :func:`_moments`.
    """
    _check_solver(tol, max_iter)
    model = _build_spectral_model(n, m, **params)
    delta = _solve_fixed_point(model, tol, max_iter)
    mean, variance, _ = _moments_from_model(model, delta)
    return mean, variance


_SPECTRAL_DOC = """n : float or array-like
        Number of real training rows (>= 0).
    m : float or array-like
        Number of synthetic rows, including those of weight 0 (>= 0);
        ``n + m > 0``.
    eigenvalues : array-like of shape (p,)
        Eigenvalues ``r_k`` (>= 0) of the noise covariance ``C_r`` of the
        real rows.
    eigenvalues_synthetic : array-like of shape (p,)
        Eigenvalues ``l_k`` (>= 0) of the noise covariance ``C`` of the
        synthetic rows, in the same eigenbasis ``U`` (the two covariances
        commute). A common offset ``c`` of both classes of a population
        counts as covariance ``c c^T`` (there is no intercept).
    mean_coordinates : array-like of shape (p,)
        ``U^T mu``, the real class mean in that basis.
    mean_coordinates_synthetic : array-like of shape (p,), default=None
        ``U^T mu_beta``, the synthetic class mean; None: ``mean_coordinates``.
    mean_noise : tuple of (float, float), default=None
        For estimated means ``mu_hat = mu + e`` with ``e ~ N(0, kappa C)``
        (``C_r`` for the real mean, ``C`` for the synthetic one): ``(kappa_r,
        kappa_s)``. Every quadratic form in the means is then corrected by its
        expected noise term, ``E[mu_hat^T f mu_hat] = mu^T f mu + kappa tr(C
        f)``, and projected onto the positive semi-definite matrices. None:
        the means are exact.
    real_row_weights : tuple of (array-like, array-like), default=None
        ``(values, probabilities)``: the law of the loss weight of a real row
        (0 for a row the loss ignores; the row still counts in ``N``). None:
        every real row has weight 1.
    synthetic_row_weights : tuple of (array-like, array-like), default=None
        The same for the synthetic rows, before ``synthetic_weight`` scales
        them. ``([1, 0], [alpha, 1 - alpha])`` is a verifier that keeps the
        fraction ``alpha``.
    label_agreement : float, default=1.0
        ``E[t y]`` in [-1, 1] of a synthetic row of positive weight, its label
        ``t`` against the class ``y`` it was drawn from: ``lambda / alpha``
        behind a verifier, ``1 - 2 eps`` for label noise ``eps`` alone.
    gamma : float or array-like, default=1.0
        Ridge parameter (> 0), on the loss averaged over ``N = n + m`` rows.
    synthetic_weight : float or array-like, default=1.0
        Factor on every synthetic row weight (>= 0).
    tol : float, default=1e-12
        Relative tolerance of the fixed-point solver.
    max_iter : int, default=1000
        Iterations of the fixed-point solver before
        :class:`FixedPointError` is raised."""


def spectral_decision_moments(n, m, eigenvalues, eigenvalues_synthetic, mean_coordinates,
                              mean_coordinates_synthetic=None, *, mean_noise=None,
                              real_row_weights=None, synthetic_row_weights=None,
                              label_agreement=1.0, gamma=1.0, synthetic_weight=1.0, tol=1e-12,
                              max_iter=1000):
    """Decision moments ``(m, nu)`` of the general case, given in an eigenbasis.

    The general case of :func:`decision_moments` with the covariances given
    by their eigenvalues and the class means by their coordinates in the
    shared eigenbasis, so that one eigendecomposition serves many calls, and
    with any discrete law of row weights (sample weights, a verifier's keep
    mask) and estimated means. This is the form
    :class:`~sksynth.linear_model.RMTRidgeClassifier` evaluates on its plug-in
    estimates.

    Parameters
    ----------
    {cases}

    Returns
    -------
    moments : DecisionMoments
        Named tuple ``(m, nu)``, floats or arrays of the broadcast shape of
        ``n``, ``m``, ``gamma`` and ``synthetic_weight``.

    Raises
    ------
    FixedPointError
        If the fixed-point solver does not converge.

    See Also
    --------
    decision_moments : The same from the parameters of the paper's model.
    spectral_test_accuracy : ``Phi(m / sqrt(nu - m^2))`` from these moments.

    Examples
    --------
    500 real rows and no synthetic row, identity covariances: the moments of
    :func:`decision_moments` for ``||mu|| = 2``:

    >>> import numpy as np
    >>> from sksynth.theory.rmt import decision_moments, spectral_decision_moments
    >>> p = 100
    >>> mu = np.full(p, 2.0 / np.sqrt(p))  # ||mu|| = 2
    >>> mom = spectral_decision_moments(500, 0, np.ones(p), np.ones(p), mu, gamma=0.1)
    >>> ref = decision_moments(500, 0, p, mean_norm=2.0, gamma=0.1)
    >>> print(round(float(mom.m), 3), round(float(mom.nu), 3))
    0.781 0.8
    >>> print(round(float(ref.m), 3), round(float(ref.nu), 3))
    0.781 0.8
    """
    return _as_decision_moments(*_spectral_moments(**locals()))


spectral_decision_moments.__doc__ = spectral_decision_moments.__doc__.format(
    cases=_SPECTRAL_DOC)


def spectral_test_accuracy(n, m, eigenvalues, eigenvalues_synthetic, mean_coordinates,
                           mean_coordinates_synthetic=None, *, mean_noise=None,
                           real_row_weights=None, synthetic_row_weights=None,
                           label_agreement=1.0, gamma=1.0, synthetic_weight=1.0, tol=1e-12,
                           max_iter=1000):
    """Test accuracy of the general case, given in an eigenbasis.

    :func:`test_accuracy` for the inputs of
    :func:`spectral_decision_moments`: ``Phi(m / sqrt(nu - m^2))`` on real
    test rows.

    Parameters
    ----------
    {cases}

    Returns
    -------
    accuracy : float or ndarray
        Predicted test accuracy, in [0, 1].

    Raises
    ------
    FixedPointError
        If the fixed-point solver does not converge.

    See Also
    --------
    spectral_decision_moments : The moments behind it.
    test_accuracy : The same from the parameters of the paper's model.
    sksynth.linear_model.RMTRidgeClassifier : Evaluates it on plug-in estimates.

    Examples
    --------
    A generator with a diagonal covariance, and a verifier: kept fraction
    ``alpha`` and label agreement ``lambda / alpha`` among the kept rows give
    the accuracy of :func:`test_accuracy`'s general case.

    >>> import numpy as np
    >>> from sksynth.theory.rmt import (kept_fraction, label_signal, spectral_test_accuracy,
    ...                                 test_accuracy)
    >>> p = 50
    >>> mu = np.full(p, 1.5 / np.sqrt(p))
    >>> spread = np.linspace(0.5, 1.5, p)  # eigenvalues of the generator's covariance
    >>> alpha = kept_fraction(0.3, rho=0.2, phi=0.9)
    >>> acc = spectral_test_accuracy(
    ...     100, [0, 400, 4000], np.ones(p), spread, mu,
    ...     synthetic_row_weights=([1.0, 0.0], [alpha, 1 - alpha]),
    ...     label_agreement=label_signal(0.3, rho=0.2, phi=0.9) / alpha)
    >>> acc.round(3)
    array([0.901, 0.918, 0.93 ])
    >>> ref = test_accuracy(100, [0, 400, 4000], mean=mu, covariance_synthetic=np.diag(spread),
    ...                     eps=0.3, rho=0.2, phi=0.9)
    >>> bool(np.allclose(acc, ref))
    True
    """
    return _as_accuracy(*_spectral_moments(**locals()))


spectral_test_accuracy.__doc__ = spectral_test_accuracy.__doc__.format(cases=_SPECTRAL_DOC)
spectral_test_accuracy.__test__ = False  # not a pytest test, whatever its name
