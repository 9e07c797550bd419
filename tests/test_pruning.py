"""Tests for sksynth.pruning: verifiers, detection and distance pruners."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import norm
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import LinearSVC
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from sksynth.base import is_pruner
from sksynth.pruning import (
    BernoulliVerifier,
    DetectionPruner,
    DistancePruner,
    LabelVerifier,
    estimate_verifier_rates,
)


@pytest.fixture(autouse=True)
def _single_openmp_thread():
    # HistGradientBoosting's OpenMP threads spin-wait on a busy shared machine and
    # slow the detection tests down by an order of magnitude; one thread is plenty.
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


def _two_gaussians(rng, n, mean_norm, n_features=2):
    """Balanced +-mu mixture with identity covariance; Bayes error = Phi(-||mu||)."""
    mu = np.full(n_features, mean_norm / np.sqrt(n_features))
    y = rng.integers(2, size=n)
    X = rng.standard_normal((n, n_features)) + np.where(y[:, None] == 1, mu, -mu)
    return X, y


def _binomial_margin(p, n, n_sigma=4.0):
    return n_sigma * np.sqrt(p * (1.0 - p) / n)


# The common sklearn checks of the pruners run in tests/test_common.py.


@pytest.mark.parametrize(
    "pruner", [LabelVerifier(), BernoulliVerifier(), DistancePruner(), DetectionPruner()]
)
def test_is_pruner(pruner):
    assert is_pruner(pruner)


# -- BernoulliVerifier ----------------------------------------------------------------


@pytest.mark.parametrize(
    "rho, phi", [(0.0, 1.0), (0.1, 0.9), (0.2, 0.6), (0.5, 0.5), (0.8, 0.3), (1.0, 1.0)]
)
def test_bernoulli_rates_within_binomial_bounds(rho, phi, rng):
    n, eps = 20_000, 0.3
    X = rng.standard_normal((n, 3))
    correct = rng.uniform(size=n) >= eps
    verifier = BernoulliVerifier(rho=rho, phi=phi, random_state=0).fit(X)
    mask = verifier.keep_mask(X, correct=correct)
    n_wrong, n_correct = (~correct).sum(), correct.sum()
    assert abs(mask[~correct].mean() - rho) <= _binomial_margin(rho, n_wrong) + 1e-12
    assert abs(mask[correct].mean() - phi) <= _binomial_margin(phi, n_correct) + 1e-12
    # estimate_verifier_rates passes `correct` through and agrees (fresh draws)
    rho_hat, phi_hat = estimate_verifier_rates(verifier, X, None, correct)
    assert abs(rho_hat - rho) <= _binomial_margin(rho, n_wrong) + 1e-12
    assert abs(phi_hat - phi) <= _binomial_margin(phi, n_correct) + 1e-12
    # kept fraction alpha = phi (1 - eps_hat) + rho eps_hat
    alpha = phi * correct.mean() + rho * (1 - correct.mean())
    assert abs(mask.mean() - alpha) <= _binomial_margin(alpha, n) + 1e-12


def test_bernoulli_stream_reproducibility(rng):
    X = rng.standard_normal((500, 2))
    correct = rng.uniform(size=500) < 0.5
    verifier = BernoulliVerifier(rho=0.5, phi=0.5, random_state=3).fit(X)
    first = verifier.keep_mask(X, correct=correct)
    second = verifier.keep_mask(X, correct=correct)
    assert not np.array_equal(first, second)  # the stream advances
    verifier.fit(X)  # refitting replays the same sequence
    np.testing.assert_array_equal(verifier.keep_mask(X, correct=correct), first)
    np.testing.assert_array_equal(verifier.keep_mask(X, correct=correct), second)
    fixed = verifier.keep_mask(X, correct=correct, random_state=11)
    np.testing.assert_array_equal(verifier.keep_mask(X, correct=correct, random_state=11), fixed)
    X_kept, y_kept = verifier.filter(X, np.arange(500), correct=correct, random_state=11)
    np.testing.assert_array_equal(X_kept, X[fixed])
    np.testing.assert_array_equal(y_kept, np.flatnonzero(fixed))


def test_bernoulli_score_samples_and_correct_validation(rng):
    X = rng.standard_normal((4, 2))
    verifier = BernoulliVerifier(rho=0.25, phi=0.75).fit(X)
    scores = verifier.score_samples(X, correct=[True, False, 1, 0])
    np.testing.assert_allclose(scores, [0.75, 0.25, 0.75, 0.25])
    with pytest.raises(ValueError, match="needs the ground truth: pass correct="):
        verifier.score_samples(X)
    with pytest.raises(ValueError, match="needs the ground truth"):
        verifier.filter(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        verifier.keep_mask(X, correct=[True, False])
    with pytest.raises(ValueError, match="boolean mask"):
        verifier.keep_mask(X, correct=[0.5, 1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="one-dimensional"):
        verifier.keep_mask(X, correct=np.ones((4, 2), dtype=bool))
    with pytest.raises(ValueError, match="X and y have inconsistent"):
        verifier.keep_mask(X, [0, 1], correct=[True] * 4)


@pytest.mark.parametrize(
    "params, name", [({"rho": -0.1}, "rho"), ({"phi": 1.5}, "phi"), ({"rho": "high"}, "rho")]
)
def test_bernoulli_invalid_params(params, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        BernoulliVerifier(**params).fit(np.zeros((3, 1)))


# -- LabelVerifier --------------------------------------------------------------------


def test_label_verifier_rejects_flipped_labels_at_bayes_rate(rng):
    mean_norm = 2.0
    bayes_error = norm.cdf(-mean_norm)  # about 0.023
    X_real, y_real = _two_gaussians(rng, 2000, mean_norm)
    X_cand, y_true = _two_gaussians(rng, 6000, mean_norm)
    flip = rng.uniform(size=y_true.shape[0]) < 0.4
    y_cand = np.where(flip, 1 - y_true, y_true)
    verifier = LabelVerifier().fit(X_real, y_real)
    rho, phi = estimate_verifier_rates(verifier, X_cand, y_cand, ~flip)
    # A flipped label is kept iff the classifier misclassifies the row: rate = its
    # test error >= Bayes error; a logistic fit on 2000 rows adds < 0.01 excess error.
    n_wrong, n_correct = flip.sum(), (~flip).sum()
    assert bayes_error - _binomial_margin(bayes_error, n_wrong) <= rho
    assert rho <= bayes_error + 0.01 + _binomial_margin(bayes_error + 0.01, n_wrong)
    assert phi >= 1 - bayes_error - 0.01 - _binomial_margin(bayes_error + 0.01, n_correct)
    assert phi <= 1 - bayes_error + _binomial_margin(bayes_error, n_correct)


def test_label_verifier_proba_method_and_scores(rng):
    X, y = _two_gaussians(rng, 400, 2.0)
    labels = np.array(["neg", "pos"])[y]
    verifier = LabelVerifier(method="proba", threshold=0.9).fit(X, labels)
    np.testing.assert_array_equal(verifier.classes_, ["neg", "pos"])
    proba = verifier.estimator_.predict_proba(X)
    scores = verifier.score_samples(X, labels)
    np.testing.assert_allclose(scores, proba[np.arange(400), y])
    np.testing.assert_allclose(verifier.score_samples(X), proba.max(axis=1))
    np.testing.assert_array_equal(verifier.keep_mask(X, labels), scores >= 0.9)
    other = np.array(["pos", "neg"])[y]
    np.testing.assert_allclose(verifier.score_samples(X, other), 1 - scores)
    # agree keeps exactly the rows whose label is the prediction
    agree = LabelVerifier().fit(X, labels)
    np.testing.assert_array_equal(
        agree.keep_mask(X, labels), agree.estimator_.predict(X) == labels
    )


def test_label_verifier_custom_estimator_without_predict_proba(rng):
    X, y = _two_gaussians(rng, 200, 2.0)
    verifier = LabelVerifier(estimator=LinearSVC()).fit(X, y)
    assert not hasattr(verifier, "score_samples")
    assert verifier.keep_mask(X, y).mean() > 0.9
    with pytest.raises(ValueError, match="method='proba' needs a classifier with predict_proba"):
        LabelVerifier(estimator=LinearSVC(), method="proba").fit(X, y)


def test_label_verifier_errors(rng):
    X, y = _two_gaussians(rng, 100, 2.0)
    verifier = LabelVerifier().fit(X, y)
    with pytest.raises(ValueError, match=r"labels never seen in fit: \[2\]"):
        verifier.keep_mask(X[:3], [0, 1, 2])
    with pytest.raises(ValueError, match="labels never seen in fit"):
        verifier.score_samples(X[:2], ["a", "b"])
    with pytest.raises(ValueError, match="needs the candidate labels"):
        verifier.keep_mask(X)
    with pytest.raises(ValueError, match="X and y have inconsistent numbers of samples"):
        verifier.keep_mask(X[:3], [0, 1])
    with pytest.raises(ValueError, match="y must contain at least two classes"):
        LabelVerifier().fit(X, np.zeros(100))
    with pytest.raises(ValueError, match="requires y"):
        LabelVerifier().fit(X, None)
    with pytest.raises(InvalidParameterError, match="'method' parameter"):
        LabelVerifier(method="vote").fit(X, y)


# -- DistancePruner -------------------------------------------------------------------


def test_distance_pruner_drops_copies_keeps_fresh_draws(rng):
    n_real, n_fresh, quantile = 2000, 4000, 0.1
    X_real = rng.standard_normal((n_real, 3)) * [1.0, 10.0, 0.1]
    pruner = DistancePruner(quantile=quantile).fit(X_real)
    copies = X_real[:200]
    near = X_real[200:400] + 1e-4 * rng.standard_normal((200, 3)) * [1.0, 10.0, 0.1]
    np.testing.assert_allclose(pruner.score_samples(copies), 0.0, atol=1e-12)
    assert not pruner.keep_mask(copies).any()
    assert not pruner.keep_mask(near).any()
    fresh = rng.standard_normal((n_fresh, 3)) * [1.0, 10.0, 0.1]
    rate = pruner.keep_mask(fresh).mean()
    # sampling error of the kept fraction plus that of the empirical quantile
    margin = _binomial_margin(quantile, n_fresh) + _binomial_margin(quantile, n_real)
    assert abs(rate - (1 - quantile)) <= margin


def test_distance_pruner_threshold_is_loo_quantile(rng):
    X = rng.standard_normal((50, 2))
    pruner = DistancePruner(quantile=0.5, scale=False).fit(X)
    distances = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(distances, np.inf)
    assert pruner.threshold_ == pytest.approx(np.median(distances.min(axis=1)))
    assert pruner.scaler_ is None
    manhattan = DistancePruner(metric="manhattan").fit(X)
    assert manhattan.threshold_ > 0


def test_distance_pruner_errors(rng):
    with pytest.raises(ValueError, match="at least 2 real rows"):
        DistancePruner().fit(np.zeros((1, 3)))
    with pytest.raises(InvalidParameterError, match="'quantile' parameter"):
        DistancePruner(quantile=2).fit(rng.standard_normal((5, 2)))
    with pytest.raises(InvalidParameterError, match="'metric' parameter"):
        DistancePruner(metric="hamming-ish").fit(rng.standard_normal((5, 2)))


# -- DetectionPruner ------------------------------------------------------------------


@pytest.mark.parametrize("classifier", [None, LogisticRegression()])
def test_detection_pruner_keeps_same_distribution_drops_shifted(classifier, rng):
    n_real, n_same, n_shift, threshold = 600, 400, 200, 0.05
    X_real = rng.standard_normal((n_real, 2))
    same = rng.standard_normal((n_same, 2))
    shifted = rng.standard_normal((n_shift, 2)) + [6.0, 0.0]
    pruner = DetectionPruner(classifier=classifier, threshold=threshold, random_state=0)
    mask = pruner.fit(X_real).keep_mask(np.vstack([same, shifted]))
    # conformal validity: real-like rows are kept with probability >= 1 - threshold;
    # the kept fraction varies with the candidates and with the real rows' quantile.
    lower = 1 - threshold - _binomial_margin(threshold, n_same)
    lower -= _binomial_margin(threshold, n_real)
    assert mask[:n_same].mean() >= lower
    assert mask[n_same:].mean() <= 0.05
    # only same-distribution candidates: indistinguishable, almost all kept
    assert pruner.detection_auc(same) < 0.6
    assert pruner.keep_mask(same).mean() >= lower


def test_detection_pruner_detects_variance_shift_with_default_classifier(rng):
    X_real = rng.standard_normal((500, 2))
    wide = rng.standard_normal((300, 2)) * 3.0
    pruner = DetectionPruner(random_state=0).fit(X_real)
    assert pruner.detection_auc(wide) > 0.75
    scores = pruner.score_samples(wide)
    far = np.linalg.norm(wide, axis=1) > 4.5  # outside the real data's support
    assert far.sum() > 10
    assert (scores[far] <= 0.05).mean() > 0.9


def test_detection_pruner_scores_are_order_invariant_and_deterministic(rng):
    X_real = rng.standard_normal((100, 3))
    candidates = rng.standard_normal((60, 3)) + 0.5
    pruner = DetectionPruner(classifier=LogisticRegression(), cv=3).fit(X_real)
    scores = pruner.score_samples(candidates)
    np.testing.assert_array_equal(pruner.score_samples(candidates), scores)
    perm = rng.permutation(60)
    np.testing.assert_allclose(pruner.score_samples(candidates[perm]), scores[perm])
    assert np.all((scores >= 1 / 101) & (scores <= 1))
    proba = pruner.detection_proba(candidates)
    assert np.all((proba > 0) & (proba < 1))
    # higher P(synthetic) never gets a higher p-value
    order = np.argsort(proba)
    assert np.all(np.diff(scores[order]) <= 1e-12)


def test_detection_pruner_classifier_without_sample_weight(rng):
    X_real = rng.standard_normal((200, 2))
    candidates = np.vstack([rng.standard_normal((100, 2)), rng.standard_normal((100, 2)) + 5])
    pruner = DetectionPruner(classifier=KNeighborsClassifier(15), random_state=0)
    proba = pruner.fit(X_real).detection_proba(candidates)
    # prior-corrected probabilities: shifted rows are clearly synthetic
    assert proba[100:].mean() > 0.95
    assert abs(np.median(proba[:100]) - 0.5) < 0.25
    assert pruner.keep_mask(candidates)[100:].mean() < 0.05


def test_detection_pruner_errors(rng):
    pruner = DetectionPruner(cv=5).fit(rng.standard_normal((20, 2)))
    with pytest.raises(ValueError, match="at least cv=5 candidate rows"):
        pruner.keep_mask(rng.standard_normal((4, 2)))
    with pytest.raises(ValueError, match="at least cv=5 real rows"):
        DetectionPruner(cv=5).fit(rng.standard_normal((3, 2)))
    with pytest.raises(InvalidParameterError, match="'cv' parameter"):
        DetectionPruner(cv=1).fit(rng.standard_normal((3, 2)))
    with pytest.raises(InvalidParameterError, match="'classifier' parameter"):
        DetectionPruner(classifier=LinearSVC()).fit(rng.standard_normal((10, 2)))


# -- shared behaviour ------------------------------------------------------------------


_PRUNER_FACTORIES = [
    lambda X, y: (LabelVerifier().fit(X, y), {}),
    # None: keep_mask needs `correct` (filled in by _kwargs)
    lambda X, y: (BernoulliVerifier(rho=0.3, phi=0.8, random_state=0).fit(X), None),
    lambda X, y: (DistancePruner(quantile=0.2).fit(X), {}),
    lambda X, y: (DetectionPruner(classifier=LogisticRegression(), random_state=0).fit(X), {}),
]


def _fitted_pruner(index, X, y):
    return _PRUNER_FACTORIES[index](X, y)


_PRUNER_IDS = ["LabelVerifier", "BernoulliVerifier", "DistancePruner", "DetectionPruner"]


def _kwargs(kwargs, n):
    return {"correct": np.arange(n) % 3 != 0, "random_state": 5} if kwargs is None else kwargs


@pytest.mark.parametrize("index", range(4), ids=_PRUNER_IDS)
def test_filter_returns_matching_containers(index, rng):
    X, y = _two_gaussians(rng, 120, 2.0, n_features=3)
    pruner, kwargs = _fitted_pruner(index, X, y)
    X_cand, y_cand = _two_gaussians(rng, 60, 2.0, n_features=3)
    y_cand[:10] = 1 - y_cand[:10]
    kwargs = _kwargs(kwargs, 60)
    mask = pruner.keep_mask(X_cand, y_cand, **kwargs)
    assert mask.dtype == bool and mask.shape == (60,)
    X_kept, y_kept = pruner.filter(X_cand, y_cand, **kwargs)
    np.testing.assert_array_equal(X_kept, X_cand[mask])
    np.testing.assert_array_equal(y_kept, y_cand[mask])

    columns = ["a", "b", "c"]
    frame_pruner, _ = _fitted_pruner(index, pd.DataFrame(X, columns=columns), pd.Series(y))
    frame = pd.DataFrame(X_cand, columns=columns, index=np.arange(100, 160))
    series = pd.Series(y_cand, index=frame.index, name="label")
    X_kept, y_kept = frame_pruner.filter(frame, series, **kwargs)
    assert isinstance(X_kept, pd.DataFrame) and isinstance(y_kept, pd.Series)
    assert list(X_kept.columns) == columns and y_kept.name == "label"
    pd.testing.assert_frame_equal(X_kept, frame[mask])
    pd.testing.assert_series_equal(y_kept, series[mask])
    if index != 0:  # every pruner but LabelVerifier works without labels
        assert isinstance(frame_pruner.filter(frame, **kwargs), pd.DataFrame)


@pytest.mark.parametrize("index", range(4), ids=_PRUNER_IDS)
def test_bad_candidate_input(index, rng):
    X, y = _two_gaussians(rng, 120, 2.0, n_features=3)
    pruner, kwargs = _fitted_pruner(index, X, y)
    kwargs = _kwargs(kwargs, 10)
    X_cand, y_cand = X[:10].copy(), y[:10]
    with pytest.raises(ValueError, match=r"X has 2 features, but .* is expecting 3 features"):
        pruner.keep_mask(X_cand[:, :2], y_cand, **kwargs)
    X_nan = X_cand.copy()
    X_nan[2, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        pruner.keep_mask(X_nan, y_cand, **kwargs)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        pruner.keep_mask(X_cand, y_cand[:7], **kwargs)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        type(pruner)().fit(np.where(np.eye(120, 3) > 0, np.nan, X), y)


def test_unfitted_pruner_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        DistancePruner().keep_mask(np.zeros((3, 2)))


def test_estimate_verifier_rates_errors(rng):
    X, y = _two_gaussians(rng, 50, 2.0)
    verifier = LabelVerifier().fit(X, y)
    with pytest.raises(ValueError, match="no wrongly labelled rows, so rho is undefined"):
        estimate_verifier_rates(verifier, X, y, np.ones(50, dtype=bool))
    with pytest.raises(ValueError, match="no correctly labelled rows, so phi is undefined"):
        estimate_verifier_rates(verifier, X, y, np.zeros(50, dtype=bool))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        estimate_verifier_rates(verifier, X, y, np.ones(10, dtype=bool))
    with pytest.raises(TypeError, match="pruner must have a keep_mask"):
        estimate_verifier_rates(LogisticRegression(), X, y, np.ones(50, dtype=bool))


# -- properties -----------------------------------------------------------------------


@st.composite
def _candidate_problems(draw):
    n_features = draw(st.integers(1, 4))
    n_real = draw(st.integers(6, 25))
    n_cand = draw(st.integers(1, 25))
    elements = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
    X_real = draw(arrays(np.float64, (n_real, n_features), elements=elements))
    X_cand = draw(arrays(np.float64, (n_cand, n_features), elements=elements))
    y_real = np.arange(n_real) % 2  # both classes present
    y_cand = draw(arrays(np.int64, (n_cand,), elements=st.integers(0, 1)))
    correct = draw(arrays(np.bool_, (n_cand,)))
    return X_real, y_real, X_cand, y_cand, correct


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@given(problem=_candidate_problems(), index=st.integers(0, 3))
def test_keep_mask_and_filter_are_consistent(problem, index):
    X_real, y_real, X_cand, y_cand, correct = problem
    pruner, kwargs = _fitted_pruner(index, X_real, y_real)
    if kwargs is None:
        kwargs = {"correct": correct, "random_state": 1}
    if isinstance(pruner, DetectionPruner) and X_cand.shape[0] < pruner.cv:
        with pytest.raises(ValueError, match="candidate rows"):
            pruner.keep_mask(X_cand, y_cand)
        return
    mask = pruner.keep_mask(X_cand, y_cand, **kwargs)
    assert mask.shape == (X_cand.shape[0],) and mask.dtype == bool
    X_kept, y_kept = pruner.filter(X_cand, y_cand, **kwargs)
    np.testing.assert_array_equal(X_kept, X_cand[mask])
    np.testing.assert_array_equal(y_kept, y_cand[mask])
    if "correct" in kwargs:
        scores = pruner.score_samples(X_cand, correct=correct)
    else:
        scores = pruner.score_samples(X_cand, y_cand)
    assert scores.shape == (X_cand.shape[0],) and np.all(np.isfinite(scores))
