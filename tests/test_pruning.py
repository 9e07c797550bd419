"""Tests for sksynth.pruning: verifiers, detection and distance pruners."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
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
from sksynth.testing import tabular_frames


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
    frame = pd.DataFrame(X_cand, columns=["a", "b", "c"]).assign(b=["u"] * 10)
    fitted_on_frame = type(pruner)().fit(pd.DataFrame(X, columns=["a", "b", "c"]), y)
    if isinstance(pruner, BernoulliVerifier):  # values unused: any table will do
        assert pruner.keep_mask(X_nan, **kwargs).shape == (10,)
        assert fitted_on_frame.keep_mask(frame, **kwargs).shape == (10,)
    else:
        with pytest.raises(ValueError, match="Input X contains NaN.*impute them or drop"):
            pruner.keep_mask(X_nan, y_cand, **kwargs)
        # fitted on numbers, the pruner names the candidate columns that are not numbers
        with pytest.raises(TypeError, match=r"fitted on numeric columns.*'b' \(str\).*fit "
                                            r"the pruner on the real rows with these columns"):
            fitted_on_frame.keep_mask(frame, y_cand, **kwargs)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        pruner.keep_mask(X_cand, y_cand[:7], **kwargs)
    # infinity is refused at fit (NaN is a missing value, see the mixed-table tests)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        type(pruner)().fit(np.where(np.eye(120, 3) > 0, np.inf, X), y)


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


# -- the numeric path is unchanged --------------------------------------------------------


def _numeric_problem(seed, n, d=3):
    rng = np.random.default_rng(seed)
    y = rng.integers(2, size=n)
    X = rng.standard_normal((n, d)) + np.where(y[:, None] == 1, 0.8, -0.8)
    return X, y


def test_numeric_matrices_give_the_numbers_of_the_numeric_path():
    # Computed at commit eefe57f, before pruners took mixed tables: a float matrix must
    # still take the numeric path (no encoder), with the same numbers. Distances and
    # Bernoulli masks are compared exactly; the fitted classifiers to 1e-12 (an encoded
    # matrix would differ by far more), since lbfgs / histogram sums may differ in the
    # last bits on another platform's BLAS or OpenMP.
    X, y = _numeric_problem(0, 150)
    X_cand, y_cand = _numeric_problem(1, 60)
    y_cand[:12] = 1 - y_cand[:12]
    # a DataFrame becomes a column-major matrix: sums run in another order, hence the
    # last bits of the euclidean distances differ between the two containers (as before)
    first_distance = {"array": (0.26931742446111173, 0.8409385938365601),
                      "frame": (0.26931742446111184, 0.8409385938365603)}
    for kind, container in (("array", np.asarray),
                            ("frame", lambda A: pd.DataFrame(A, columns=list("abc")))):
        A, B = container(X), container(X_cand)
        threshold, first = first_distance[kind]
        verifier = LabelVerifier().fit(A, y)
        assert verifier.encoder_ is None
        np.testing.assert_allclose(
            verifier.score_samples(B, y_cand)[:5],
            [0.23663862923705944, 0.0005129377403196855, 0.1727140492081839,
             0.07310803902948859, 0.005319679665133413], rtol=1e-12)
        assert LabelVerifier(method="proba", threshold=0.7).fit(A, y).keep_mask(
            B, y_cand).sum() == 43
        mask = BernoulliVerifier(rho=0.3, phi=0.8, random_state=0).fit(A).keep_mask(
            B, correct=np.arange(60) % 3 != 0)
        assert "".join(map(str, mask.astype(int))) == (
            "010110110001111101001011010011101110011100011111011111011011")
        distance = DistancePruner(quantile=0.2).fit(A)
        assert distance.encoder_ is None and distance.metric_ == "euclidean"
        assert distance.threshold_ == threshold
        np.testing.assert_array_equal(
            distance.score_samples(B)[:5],
            [first, 0.5371737776981848, 0.34192222137325906,
             0.501608599302014, 0.22879291343293467])
        np.testing.assert_array_equal(
            DistancePruner(metric="manhattan", scale=False).fit(A).score_samples(B)[:5],
            [1.5745749277621681, 1.0642500091467322, 0.7348398335789426,
             0.9094562101796714, 0.5265333187252771])
        detection = DetectionPruner(classifier=LogisticRegression(), random_state=0, cv=3)
        detection.fit(A)
        assert detection.encoder_ is None
        np.testing.assert_allclose(
            detection.detection_proba(B)[:5],
            [0.6722151441304409, 0.48397294504939503, 0.4069958140756201,
             0.4584726390778965, 0.648977488841877], rtol=1e-12)
        np.testing.assert_allclose(
            DetectionPruner(random_state=0, cv=3).fit(A).score_samples(B)[:5],
            [0.06622516556291391, 0.6357615894039735, 0.33112582781456956,
             0.39072847682119205, 0.13245033112582782], rtol=1e-12)
    np.testing.assert_array_equal(
        DistancePruner(quantile=0.2).fit(X.astype(np.float32)).score_samples(
            X_cand.astype(np.float32))[:5],
        [0.8409385978190176, 0.5371736366738653, 0.34192221529780104, 0.5016085730576082,
         0.22879287873132872])
    np.testing.assert_allclose(
        LabelVerifier().fit(np.rint(3 * X).astype(int), y).score_samples(
            np.rint(3 * X_cand).astype(int), y_cand)[:5],
        [0.11965178533565834, 0.00013100157097500897, 0.18381808401436806,
         0.03334206961630792, 0.001832254453821965], rtol=1e-12)


# -- mixed tables ---------------------------------------------------------------------


def _penguins_like(rng, n):
    """Mixed frame like Palmer penguins: island/sex strings, numbers with NaN, species."""
    species = rng.choice(["Adelie", "Chinstrap", "Gentoo"], n, p=[0.44, 0.2, 0.36])
    centre = {"Adelie": (38.8, 18.3, 190.0, 3700.0), "Chinstrap": (48.8, 18.4, 196.0, 3730.0),
              "Gentoo": (47.5, 15.0, 217.0, 5080.0)}
    numbers = np.array([centre[s] for s in species])
    numbers += np.array([2.7, 1.1, 6.5, 460.0]) * rng.standard_normal((n, 4))
    island = np.where(species == "Gentoo", "Biscoe",
                      np.where(species == "Chinstrap", "Dream",
                               rng.choice(["Torgersen", "Biscoe", "Dream"], n)))
    X = pd.DataFrame({"island": island, "bill_length_mm": numbers[:, 0],
                      "bill_depth_mm": numbers[:, 1], "flipper_length_mm": numbers[:, 2],
                      "body_mass_g": numbers[:, 3],
                      "sex": rng.choice(["male", "female"], n).astype(object)})
    for column, rate in (("bill_length_mm", 0.03), ("body_mass_g", 0.03), ("sex", 0.05)):
        X.loc[rng.random(n) < rate, column] = np.nan
    return X, pd.Series(species, name="species")


_MIXED_PRUNERS = [
    lambda: LabelVerifier(),
    lambda: BernoulliVerifier(rho=0.3, phi=0.8, random_state=0),
    lambda: DistancePruner(),
    lambda: DetectionPruner(random_state=0),
]


@pytest.mark.parametrize("index", range(4), ids=_PRUNER_IDS)
def test_pruners_fit_and_filter_a_mixed_table(index, rng):
    X, y = _penguins_like(rng, 200)
    X_cand, y_cand = _penguins_like(rng, 60)
    X_cand.index = np.arange(500, 560)
    y_cand.index = X_cand.index
    kwargs = {"correct": np.arange(60) % 3 != 0, "random_state": 5} if index == 1 else {}
    pruner = _MIXED_PRUNERS[index]().fit(X, y)
    assert pruner.n_features_in_ == 6
    np.testing.assert_array_equal(pruner.feature_names_in_, X.columns)
    mask = pruner.keep_mask(X_cand, y_cand, **kwargs)
    assert mask.dtype == bool and mask.shape == (60,)
    X_kept, y_kept = pruner.filter(X_cand, y_cand, **kwargs)
    pd.testing.assert_frame_equal(X_kept, X_cand[mask])
    pd.testing.assert_series_equal(y_kept, y_cand[mask])
    if index != 1:
        scores = pruner.score_samples(X_cand, y_cand)
        assert scores.shape == (60,) and np.all(np.isfinite(scores))
    if index != 1:  # BernoulliVerifier keeps by `correct`, tested above
        # a fresh sample of the real process is kept at about 1 - 0.05 or more: the
        # classifier errs on ~1.2%, the distance quantile and the detection level are 0.05
        lower = 0.95 - _binomial_margin(0.05, 60) - _binomial_margin(0.05, 200)
        assert mask.mean() >= lower
    # an object array of the same table takes the same path, with the same verdicts
    array_pruner = _MIXED_PRUNERS[index]().fit(X.to_numpy(dtype=object), y.to_numpy())
    np.testing.assert_array_equal(
        array_pruner.keep_mask(X_cand.to_numpy(dtype=object), y_cand.to_numpy(), **kwargs),
        mask)


def test_label_verifier_on_a_mixed_table_rejects_wrong_species(rng):
    X, y = _penguins_like(rng, 300)
    verifier = LabelVerifier().fit(X, y)
    assert verifier.encoder_.numeric_method == "standard"
    names = verifier.encoder_.get_feature_names_out().tolist()
    assert {"island=Torgersen", "sex=__missing__", "bill_length_mm__missing"} <= set(names)
    # real rows: the species are nearly separable (a fit on 300 rows errs on about 1.2%
    # of 20,000 fresh rows), so the training rows almost all agree with their label
    assert verifier.keep_mask(X, y).mean() >= 0.97
    X_cand, y_true = _penguins_like(rng, 800)
    classes = np.array(["Adelie", "Chinstrap", "Gentoo"])
    flip = rng.random(800) < 0.3
    shifted = classes[(np.searchsorted(classes, y_true) + rng.integers(1, 3, 800)) % 3]
    y_cand = np.where(flip, shifted, y_true)
    rho, phi = estimate_verifier_rates(verifier, X_cand, y_cand, ~flip)
    # a wrong label is kept only where the classifier errs, a right one dropped likewise:
    # error rate e <= 0.05 (4x the measured one), plus 4 binomial standard errors
    assert rho <= 0.05 + _binomial_margin(0.05, flip.sum())
    assert phi >= 0.95 - _binomial_margin(0.05, (~flip).sum())


def test_unseen_categories_and_new_missing_values_never_crash(rng):
    X, y = _penguins_like(rng, 150)
    X = X.assign(bill_depth_mm=X["bill_depth_mm"].fillna(18.0))  # no NaN in fit
    odd = X.iloc[:10].copy()
    odd["island"] = "Atlantis"           # a category never seen in fit
    odd.loc[odd.index[:5], "bill_depth_mm"] = np.nan  # NaN where fit had none
    for make in _MIXED_PRUNERS[0], _MIXED_PRUNERS[3]:
        pruner = make().fit(X, y)
        scores = pruner.score_samples(odd, y.iloc[:10]) if isinstance(pruner, LabelVerifier) \
            else pruner.score_samples(pd.concat([odd, X.iloc[10:20]]))
        assert np.all(np.isfinite(scores))
    # Gower: the unseen island mismatches every real island, the new NaN every value,
    # so a copy of a real row with these changes is 1/6 or 2/6 away (6 columns)
    distance = DistancePruner().fit(X)
    np.testing.assert_allclose(distance.score_samples(odd),
                               np.r_[np.full(5, 2 / 6), np.full(5, 1 / 6)], atol=1e-12)
    np.testing.assert_allclose(distance.score_samples(X.iloc[:10]), 0.0, atol=0)


def _gower_table():
    real = pd.DataFrame({"num": [1.0, 3.0, 5.0], "cat": ["a", "b", None],
                         "flag": [True, False, True]})
    candidates = pd.DataFrame({"num": [2.0, 9.0, np.nan], "cat": ["a", "z", None],
                               "flag": [True, False, True]})
    return real, candidates


def test_gower_distance_against_a_hand_computation():
    real, candidates = _gower_table()
    pruner = DistancePruner(quantile=0.5).fit(real)
    assert pruner.metric_ == "gower" and pruner.nearest_neighbors_ is None
    assert pruner.encoder_.ranges_[0] == 4.0  # num: 5 - 1; categorical columns: unused
    np.testing.assert_array_equal(pruner.encoder_.categorical_, [False, True, True])
    # per column (num, cat, flag), over 3 columns; |d num| = |x - r| / 4, capped at 1:
    #   real 0-1: (0.5 + 1 + 1) / 3 = 5/6;  0-2: (1 + 1 [a vs missing] + 0) / 3 = 2/3;
    #   1-2: (0.5 + 1 + 1) / 3 = 5/6  ->  leave-one-out nearest: 2/3, 5/6, 2/3
    assert pruner.threshold_ == pytest.approx(2 / 3, abs=1e-15)  # their median
    # candidate (2, a, True): nearest real 0, (0.25 + 0 + 0) / 3 = 1/12
    # candidate (9, z, False): |9 - 3| / 4 capped at 1, unseen z, flag equal: real 1, 2/3
    # candidate (NaN, missing, True): real 2, (1 [NaN vs 5] + 0 [both missing] + 0) / 3
    np.testing.assert_allclose(pruner.score_samples(candidates), [1 / 12, 2 / 3, 1 / 3],
                               atol=1e-15)
    np.testing.assert_array_equal(pruner.keep_mask(candidates), [False, True, False])


def test_gower_chunks_and_numeric_matrices(rng):
    from sksynth.pruning._gower import _min_gower

    X_real = rng.standard_normal((40, 3)) * [1.0, 5.0, 0.1]
    X_real[:, 2] = 0.5  # a constant column: 0 when equal, 1 otherwise
    X_cand = rng.standard_normal((25, 3))
    pruner = DistancePruner(metric="gower").fit(X_real)
    assert pruner.scaler_ is None and pruner.metric_ == "gower"
    span = X_real.max(axis=0) - X_real.min(axis=0)
    per_column = np.abs(X_cand[:, None, :] - X_real[None]) / np.where(span > 0, span, 1)
    per_column[:, :, 2] = X_cand[:, None, 2] != X_real[None, :, 2]
    expected = np.minimum(per_column, 1).mean(axis=2).min(axis=1)
    np.testing.assert_allclose(pruner.score_samples(X_cand), expected, rtol=1e-13)
    # memory-bounded chunks (here one candidate row at a time) change nothing
    Z_real = pruner.encoder_.transform(pd.DataFrame(X_real))
    Z = pruner.encoder_.transform(pd.DataFrame(X_cand))
    for chunk in (1, 7, 40, 10**6):
        np.testing.assert_array_equal(
            _min_gower(Z, Z_real, pruner.encoder_.categorical_, pruner.encoder_.ranges_,
                       chunk_elements=chunk), pruner.score_samples(X_cand))
    # leave-one-out at fit: each real row's nearest *other* real row
    full = np.abs(X_real[:, None, :] - X_real[None]) / np.where(span > 0, span, 1)
    full[:, :, 2] = 0.0
    loo = full.mean(axis=2) + np.diag(np.full(40, np.inf))
    assert pruner.threshold_ == pytest.approx(np.quantile(loo.min(axis=1), 0.05), rel=1e-12)


def test_mixed_tables_with_datetimes_and_durations(rng):
    n = 80
    X = pd.DataFrame({
        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D"),
        "wait": pd.to_timedelta(rng.integers(1, 600, n), "min"),
        "x": rng.standard_normal(n),
    })
    X.loc[:4, "wait"] = pd.NaT
    pruner = DistancePruner().fit(X)
    # durations and datetimes are numbers (range-normalised), not categories
    np.testing.assert_array_equal(pruner.encoder_.categorical_, [False, False, False])
    shifted = X.assign(wait=X["wait"] + pd.Timedelta(minutes=1))
    span = (X["wait"].max() - X["wait"].min()) / pd.Timedelta(minutes=1)
    np.testing.assert_allclose(pruner.score_samples(shifted.iloc[5:10]), 1 / span / 3,
                               rtol=1e-9)
    verifier = LabelVerifier().fit(X, np.arange(n) % 2)
    assert verifier.encoder_.n_features_out_ == 4  # when, wait, wait missing, x


def test_grid_search_over_pruners_on_a_mixed_table(rng):
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from sksynth.augmentation import AugmentedClassifier
    from sksynth.generators import GaussianCopulaGenerator

    X, y = _penguins_like(rng, 150)
    estimator = make_pipeline(
        make_column_transformer(
            (make_pipeline(SimpleImputer(strategy="most_frequent"),
                           OneHotEncoder(handle_unknown="ignore")),
             make_column_selector(dtype_exclude=np.number)),
            (make_pipeline(SimpleImputer(), StandardScaler()),
             make_column_selector(dtype_include=np.number))),
        LogisticRegression(max_iter=1000))
    augmented = AugmentedClassifier(estimator=estimator, generator=GaussianCopulaGenerator(),
                                    n_synthetic=1.0, random_state=0)
    pruners = [None, LabelVerifier(), DetectionPruner(), DistancePruner()]
    search = GridSearchCV(augmented, {"pruner": pruners}, error_score="raise",
                          cv=StratifiedKFold(3, shuffle=True, random_state=0))
    search.fit(X, y)  # error_score="raise": any failed fit fails the test
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores))
    # the species are nearly separable (about 1.2% error, see above): every strategy
    # keeps a clearly better-than-majority accuracy (the majority class is 44%)
    assert np.all(scores >= 0.9)
    for pruner in pruners[1:]:
        search.best_estimator_.set_params(pruner=pruner).fit(X, y)
        kept = search.best_estimator_.n_kept_
        assert 0 < kept <= X.shape[0]


def test_gower_refuses_a_range_that_overflows():
    X = pd.DataFrame({"a": [-1e308, 1e308, 0.0], "b": ["x", "y", "x"]})
    with pytest.raises(ValueError, match=r"column 'a': its range .* overflows float64\. Rescale"):
        DistancePruner().fit(X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@settings(max_examples=30, deadline=None)
@given(frame=tabular_frames(min_rows=6, max_rows=25, missing=True), index=st.integers(0, 3))
def test_any_mixed_frame_fits_filters_and_keeps_copies_out(frame, index):
    y = np.arange(len(frame)) % 2  # both classes present
    pruner = [LabelVerifier(), BernoulliVerifier(random_state=0), DistancePruner(),
              DetectionPruner(cv=2, random_state=0)][index].fit(frame, y)
    kwargs = {"correct": np.arange(len(frame)) % 3 != 0} if index == 1 else {}
    X_kept, y_kept = pruner.filter(frame, y, **kwargs)
    assert isinstance(X_kept, pd.DataFrame) and list(X_kept.columns) == list(frame.columns)
    pd.testing.assert_frame_equal(X_kept, frame.loc[X_kept.index])
    if index == 2:  # the real rows themselves are exact copies: Gower distance 0
        np.testing.assert_array_equal(pruner.score_samples(frame), 0.0)
