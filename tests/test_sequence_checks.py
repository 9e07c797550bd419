"""Tests of the generator contract's sequence variant (sksynth/testing/_sequence_checks.py).

As ``tests/test_testing.py`` does for tables: a correct third-party sequence
generator (defined here on scikit-learn's ``BaseEstimator`` only, not on
sksynth's template) passes every check, and deliberately broken ones fail
the check dedicated to the broken property, with a message naming it.
SLDSVAE goes through the same checks in ``tests/test_generator_contract.py``.
"""

import re

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from sksynth.base import check_n_samples
from sksynth.testing import check_generator

SEQUENCE_CHECKS = [
    "check_not_fitted", "check_sequence_sample_shape", "check_sequence_float32",
    "check_sequence_n_timesteps", "check_sequence_n_samples_zero", "check_bad_n_samples",
    "check_random_state_fit", "check_random_state_sample", "check_pickle",
    "check_score_heldout", "check_sequence_params", "check_sequence_input_validation",
    "check_sequence_missing_steps", "check_transform_deterministic", "check_iter_sample",
]


class IndependentSteps(BaseEstimator):
    """Sequences of independent steps: each step's features from one fitted Gaussian.

    A minimal sequence generator written against the public contract only, as
    a third party would. NaN marks missing values: steps with any are left out
    of the fit and of the score.
    """

    def __init__(self, *, ridge=1e-3, random_state=None):
        self.ridge = ridge
        self.random_state = random_state

    def _sequences(self, X, *, reset):
        X = np.asarray(X)
        if not np.issubdtype(X.dtype, np.floating):
            X = X.astype(np.float64)
        if X.ndim != 3:
            raise ValueError(f"X must be 3-D (n_sequences, n_timesteps, n_features), got "
                             f"shape {X.shape}.")
        if np.isinf(X).any():
            raise ValueError("X contains infinity; mark missing steps with NaN.")
        if reset:
            self.n_features_in_ = X.shape[2]
        elif X.shape[2] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[2]} features, expected {self.n_features_in_}.")
        return X

    def fit(self, X, y=None):
        X = self._sequences(X, reset=True)
        steps = X.reshape(-1, X.shape[2]).astype(np.float64)
        steps = steps[np.isfinite(steps).all(axis=1)]
        self.mean_ = steps.mean(axis=0)
        self.cov_ = np.atleast_2d(np.cov(steps.T)) + self.ridge * np.eye(X.shape[2])
        self.n_timesteps_ = X.shape[1]
        self._dtype = X.dtype
        self._rng = np.random.RandomState(check_random_state(self.random_state).randint(2**31))
        return self

    def sample(self, n_samples=1, *, n_timesteps=None, random_state=None):
        check_is_fitted(self, "mean_")
        n_samples = check_n_samples(n_samples)
        T = (self.n_timesteps_ if n_timesteps is None
             else check_n_samples(n_timesteps, "n_timesteps", allow_zero=False))
        rng = self._rng if random_state is None else check_random_state(random_state)
        return rng.multivariate_normal(self.mean_, self.cov_, size=(n_samples, T)).astype(
            self._dtype)

    def iter_sample(self, n_samples, batch_size=10_000, *, n_timesteps=None,
                    random_state=None):
        rng = self._rng if random_state is None else check_random_state(random_state)
        for start in range(0, n_samples, batch_size):
            yield self.sample(min(batch_size, n_samples - start), n_timesteps=n_timesteps,
                              random_state=rng)

    def score_samples(self, X):
        """Mean log-density of each sequence's observed steps."""
        check_is_fitted(self, "mean_")
        X = self._sequences(X, reset=False).astype(np.float64)
        observed = np.isfinite(X).all(axis=2)
        logpdf = multivariate_normal(self.mean_, self.cov_).logpdf(
            np.nan_to_num(X).reshape(-1, X.shape[2])).reshape(X.shape[:2])
        return (logpdf * observed).sum(axis=1) / np.maximum(observed.sum(axis=1), 1)

    def score(self, X):
        return float(np.mean(self.score_samples(X)))

    def transform(self, X):
        """Standardised steps (missing values -> 0)."""
        check_is_fitted(self, "mean_")
        X = self._sequences(X, reset=False)
        return np.nan_to_num((X - self.mean_) / np.sqrt(np.diag(self.cov_)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        return tags


def test_a_correct_third_party_sequence_generator_passes_every_check():
    results = check_generator(IndependentSteps())
    assert [r["check"] for r in results] == SEQUENCE_CHECKS
    assert {r["status"] for r in results} == {"passed"}


def test_sequence_checks_on_user_data():
    X = np.random.RandomState(0).standard_normal((9, 5, 2))
    results = check_generator(IndependentSteps(), data=X)
    assert {r["status"] for r in results} == {"passed"}
    with pytest.raises(ValueError, match="one 3-D array X, not a tuple"):
        check_generator(IndependentSteps(), data=(X, np.zeros(9)))
    with pytest.raises(ValueError, match=r"must have shape \(n_sequences, n_timesteps"):
        check_generator(IndependentSteps(), data=X[:, 0])
    with pytest.raises(ValueError, match="at least 6 sequences"):
        check_generator(IndependentSteps(), data=X[:4])


# ---------------------------------------------------------------------------
# ... and deliberately broken ones
# ---------------------------------------------------------------------------
class Flattened(IndependentSteps):
    """Returns (n_samples, n_timesteps * n_features)."""

    def sample(self, n_samples=1, **kwargs):
        X = super().sample(n_samples, **kwargs)
        return X.reshape(len(X), -1)


class IgnoresLength(IndependentSteps):
    """Always draws sequences of the fitted length."""

    def sample(self, n_samples=1, *, n_timesteps=None, random_state=None):
        return super().sample(n_samples, random_state=random_state)


class Upcasts(IndependentSteps):
    """Samples float64 whatever dtype it was fitted on."""

    def sample(self, n_samples=1, **kwargs):
        return super().sample(n_samples, **kwargs).astype(np.float64)


class OneSequenceTooMany(IndependentSteps):
    """``sample(0)`` returns a sequence."""

    def sample(self, n_samples=1, **kwargs):
        return super().sample(max(n_samples, 1) if isinstance(n_samples, int) else n_samples,
                              **kwargs)


class FixedSeed(IndependentSteps):
    """Seeds its stream with 42, whatever ``random_state`` says."""

    def fit(self, X, y=None):
        super().fit(X, y)
        self._rng = np.random.RandomState(42)
        return self


class MutatesParams(IndependentSteps):
    """``fit`` writes the ridge it used into its parameter."""

    def fit(self, X, y=None):
        self.ridge = max(self.ridge, 1e-2)
        return super().fit(X, y)


class AcceptsTables(IndependentSteps):
    """Reads a 2-D ``X`` as sequences of one step."""

    def _sequences(self, X, *, reset):
        X = np.asarray(X)
        return super()._sequences(X[:, None, :] if X.ndim == 2 else X, reset=reset)


class RefusesGaps(IndependentSteps):
    """Says it allows NaN (``allow_nan``) but ``fit`` refuses missing steps."""

    def fit(self, X, y=None):
        if np.isnan(np.asarray(X, dtype=float)).any():
            raise ValueError("X contains NaN.")
        return super().fit(X, y)


BROKEN = [
    (Flattened, "check_sequence_sample_shape", r"must return shape \(n_sequences, "
                                               r"n_timesteps, n_features\) = \(7, 12, 3\)"),
    (IgnoresLength, "check_sequence_n_timesteps", r"sample\(4, n_timesteps=17\) must return "
                                                  r"shape"),
    (Upcasts, "check_sequence_float32", "fitted on float32 sequences, sample returned float64"),
    (OneSequenceTooMany, "check_sequence_n_samples_zero", r"sample\(0\) must return shape"),
    (FixedSeed, "check_random_state_fit", "random_state is ignored"),
    (MutatesParams, "check_sequence_params", r"fit changed the parameters \['ridge'\]"),
    (AcceptsTables, "check_sequence_input_validation", "fit on a 2-D array .* must raise "
                                                       "ValueError"),
    (RefusesGaps, "check_sequence_missing_steps", "ValueError: X contains NaN"),
]


@pytest.mark.parametrize("broken, check_name, message", BROKEN,
                         ids=[b[0].__name__ for b in BROKEN])
def test_sequence_checks_name_the_broken_property(broken, check_name, message):
    results = {r["check"]: r for r in check_generator(broken(), on_fail=None)}
    assert results[check_name]["status"] == "failed"
    assert results[check_name]["message"].startswith(f"{check_name} failed for "
                                                     f"{broken.__name__}: ")
    assert re.search(message, results[check_name]["message"])
