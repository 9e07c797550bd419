"""Toy switching linear dynamical system with known discrete states."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from ._simulated import _check_int

__all__ = ["make_slds"]


def _check_real(value, name, low, high):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r}.")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}]; got {value!r}.")
    return float(value)


def make_slds(
    n_sequences=100,
    n_timesteps=100,
    n_states=3,
    latent_dim=2,
    n_features=10,
    *,
    stickiness=0.95,
    state_noise=0.1,
    obs_noise=0.1,
    nonlinear=True,
    random_state=None,
):
    """Simulate a switching linear dynamical system with a (non)linear emission.

    The discrete state ``z_t`` is a Markov chain (uniform start, self-transition
    probability ``stickiness``, the rest spread evenly); the continuous state
    follows ``x_t = A_k x_{t-1} + b_k + N(0, state_noise^2 I)`` for
    ``z_t = k``, where ``A_k = 0.8 R(theta_k)`` (a contracting rotation) and
    ``b_k`` puts the fixed point of state ``k`` on a circle of radius 2, so the
    states are distinguishable from the path; ``x_0 ~ N(0, I)``. Observations are
    ``y_t = C x_t + 0.5 tanh(E x_t) + N(0, obs_noise^2 I)`` (the ``tanh`` term only
    when ``nonlinear``), with random ``C``, ``E``.

    Parameters
    ----------
    n_sequences : int, default=100
    n_timesteps : int, default=100
    n_states : int, default=3
    latent_dim : int, default=2
        At least 2.
    n_features : int, default=10
    stickiness : float, default=0.95
        Self-transition probability, in [0, 1].
    state_noise, obs_noise : float, default=0.1
        Standard deviations of the dynamics and observation noise.
    nonlinear : bool, default=True
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_sequences, n_timesteps, n_features)
    states : ndarray of int of shape (n_sequences, n_timesteps)
    params : dict
        ``transition`` (K, K), ``A`` (K, D, D), ``b`` (K, D), ``C`` (F, D),
        ``latent`` (the paths ``x``, shape (n_sequences, n_timesteps, D)).

    Examples
    --------
    >>> from sksynth.datasets import make_slds
    >>> X, states, params = make_slds(5, 20, n_states=2, random_state=0)
    >>> X.shape, states.shape, params["transition"].shape
    ((5, 20, 10), (5, 20), (2, 2))
    """
    n_sequences = _check_int(n_sequences, "n_sequences", 1, example=10)
    n_timesteps = _check_int(n_timesteps, "n_timesteps", 1, example=10)
    K = _check_int(n_states, "n_states", 1, example=10)
    D = _check_int(latent_dim, "latent_dim", 2, example=10)
    F = _check_int(n_features, "n_features", 1, example=10)
    stickiness = _check_real(stickiness, "stickiness", 0.0, 1.0)
    state_noise = _check_real(state_noise, "state_noise", 0.0, np.inf)
    obs_noise = _check_real(obs_noise, "obs_noise", 0.0, np.inf)
    rng = check_random_state(random_state)

    if K == 1:
        trans = np.ones((1, 1))
    else:
        trans = np.full((K, K), (1.0 - stickiness) / (K - 1))
        np.fill_diagonal(trans, stickiness)
    A = np.zeros((K, D, D))
    b = np.zeros((K, D))
    for k in range(K):
        theta = (-1) ** k * (0.2 + 0.1 * k)
        rot = np.eye(D)
        rot[:2, :2] = [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]
        A[k] = 0.8 * rot
        angle = 2 * np.pi * k / K
        fixed = np.zeros(D)
        fixed[:2] = 2.0 * np.array([np.cos(angle), np.sin(angle)])
        b[k] = (np.eye(D) - A[k]) @ fixed
    C = rng.normal(size=(F, D)) / np.sqrt(D)
    E = rng.normal(size=(F, D))

    cum = np.cumsum(trans, axis=1)
    states = np.zeros((n_sequences, n_timesteps), dtype=int)
    x = np.zeros((n_sequences, n_timesteps, D))
    states[:, 0] = rng.randint(K, size=n_sequences)
    x[:, 0] = rng.normal(size=(n_sequences, D))
    for t in range(1, n_timesteps):
        u = rng.uniform(size=(n_sequences, 1))
        states[:, t] = np.minimum((u > cum[states[:, t - 1]]).sum(1), K - 1)
        k = states[:, t]
        x[:, t] = (
            np.einsum("nij,nj->ni", A[k], x[:, t - 1]) + b[k]
            + state_noise * rng.normal(size=(n_sequences, D))
        )
    X = x @ C.T
    if nonlinear:
        X = X + 0.5 * np.tanh(x @ E.T)
    X = X + obs_noise * rng.normal(size=X.shape)
    params = {"transition": trans, "A": A, "b": b, "C": C, "latent": x}
    return X, states, params
