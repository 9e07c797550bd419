"""SyntheticAugmenter as an imbalanced-learn over-sampler.

imbalanced-learn is an optional extra: the tests that compare with it or run its
estimator checks skip without it; the rest run either way.
"""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from sksynth.augmentation import SyntheticAugmenter
from sksynth.augmentation._strategy import resolve_sampling_strategy
from sksynth.generators import GaussianCopulaGenerator, GaussianMixtureGenerator

try:
    from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks
except ImportError:  # the "imbalanced" extra is not installed
    imblearn_checks = None


def _imbalanced(counts, n_features=3, seed=0):
    """Gaussian classes 0, 1, ... of the given sizes, class k centred at 3k."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(y.shape[0], n_features)) + 3.0 * y[:, None]
    return X, y


# ---------------------------------------------------------------------------
# imbalanced-learn's own estimator checks
# ---------------------------------------------------------------------------
class _KeepPositiveFirstFeature(BaseEstimator):
    """A pruner that keeps the rows with ``X[:, 0] > 0`` (about half of class 0)."""

    def fit(self, X, y=None):
        return self

    def keep_mask(self, X, y=None):
        return np.asarray(X, dtype=float)[:, 0] > 0


SAMPLERS = [
    SyntheticAugmenter(random_state=0),
    SyntheticAugmenter(GaussianCopulaGenerator(), random_state=0),
    # the redraw loop: rows the pruner rejects are replaced
    SyntheticAugmenter(pruner=_KeepPositiveFirstFeature(), random_state=0),
]

# Every check passes, so nothing is expected to fail. (imbalanced-learn's count checks
# in check_samplers_fit_resample apply to its BaseOverSampler subclasses only, which a
# sampler that must import without imbalanced-learn cannot be;
# test_resampled_counts_reach_the_majority below asserts them here.)
EXPECTED_FAILED_CHECKS = {}

if imblearn_checks is not None:
    _checks = imblearn_checks(SAMPLERS, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
    # imbalanced-learn hands pytest a generator, which pytest deprecates: make it a list
    _checks = pytest.mark.parametrize(_checks.args[0], list(_checks.args[1]), **_checks.kwargs)

    @_checks
    def test_imblearn_estimator_checks(estimator, check):
        check(estimator)

else:

    def test_imblearn_estimator_checks():
        pytest.importorskip("imblearn")


def test_the_imblearn_checks_see_a_sampler():
    """The tags imbalanced-learn reads exist without importing imbalanced-learn."""
    tags = SyntheticAugmenter().__sklearn_tags__()
    assert tags.estimator_type == "sampler"
    assert tags.sampler_tags.sample_indices is False
    assert tags.input_tags.dataframe and not tags.input_tags.sparse
    assert not tags.input_tags.string
    assert SyntheticAugmenter(GaussianCopulaGenerator()).__sklearn_tags__().input_tags.string


# ---------------------------------------------------------------------------
# sampling_strategy: imbalanced-learn's semantics, exactly
# ---------------------------------------------------------------------------
def _double_every_class(y):
    classes, counts = np.unique(y, return_counts=True)
    return {c: 2 * int(n) for c, n in zip(classes, counts)}


BINARY = [20, 10]
# ties on purpose: two majority classes (0 and 2) and the minority 3
MULTICLASS = [30, 10, 30, 5]

STRATEGY_CASES = [
    (BINARY, "auto"),
    (BINARY, "minority"),
    (BINARY, "not minority"),
    (BINARY, "not majority"),
    (BINARY, "all"),
    (BINARY, 0.6),
    (BINARY, 0.77),
    (BINARY, 1.0),
    (BINARY, {1: 17}),
    (BINARY, {0: 25, 1: 10}),
    (BINARY, _double_every_class),
    (MULTICLASS, "auto"),
    (MULTICLASS, "minority"),
    (MULTICLASS, "not minority"),
    (MULTICLASS, "not majority"),
    (MULTICLASS, "all"),
    (MULTICLASS, {3: 12, 1: 40}),
    (MULTICLASS, _double_every_class),
]


@pytest.mark.parametrize("counts, strategy", STRATEGY_CASES)
def test_sampling_strategy_matches_random_over_sampler(counts, strategy):
    over_sampling = pytest.importorskip("imblearn.over_sampling")
    X, y = _imbalanced(counts)
    ros = over_sampling.RandomOverSampler(sampling_strategy=strategy, random_state=0)
    _, y_ros = ros.fit_resample(X, y)
    sampler = SyntheticAugmenter(sampling_strategy=strategy, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert list(sampler.sampling_strategy_.items()) == list(ros.sampling_strategy_.items())
    assert Counter(y_res.tolist()) == Counter(y_ros.tolist())
    assert X_res.shape == (y_ros.shape[0], X.shape[1])
    assert sampler.n_kept_ == sum(sampler.sampling_strategy_.values())


@pytest.mark.parametrize(
    "counts, strategy", [(MULTICLASS, 0.5), (BINARY, 0.5), (BINARY, 0.3), (BINARY, {0: 5})]
)
def test_sampling_strategy_refused_like_random_over_sampler(counts, strategy):
    over_sampling = pytest.importorskip("imblearn.over_sampling")
    X, y = _imbalanced(counts)
    with pytest.raises(ValueError):
        over_sampling.RandomOverSampler(sampling_strategy=strategy).fit_resample(X, y)
    with pytest.raises(ValueError, match="sampling_strategy"):
        SyntheticAugmenter(sampling_strategy=strategy).fit_resample(X, y)


@pytest.mark.parametrize(
    "counts, strategy, expected",
    [
        # the case: 20/10 used to come back 35/25; "auto" equalises exactly
        (BINARY, "auto", [20, 20]),
        (MULTICLASS, "auto", [30, 30, 30, 30]),
        (MULTICLASS, "minority", [30, 10, 30, 30]),
        # ties: the majority is the first in sorted order (0), the minority 3
        (MULTICLASS, "not minority", [30, 30, 30, 5]),
        (MULTICLASS, "all", [30, 30, 30, 30]),
        (MULTICLASS, {1: 12}, [30, 12, 30, 5]),
    ],
)
def test_sampling_strategy_counts_by_hand(counts, strategy, expected):
    X, y = _imbalanced(counts)
    _, y_res = SyntheticAugmenter(sampling_strategy=strategy, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == expected


def test_float_ratio_truncates_like_imblearn():
    X, y = _imbalanced(BINARY)
    sampler = SyntheticAugmenter(sampling_strategy=0.77, random_state=0).fit(X, y)
    assert sampler.sampling_strategy_ == {1: int(20 * 0.77 - 10)} == {1: 5}
    # 0.5 * 20 - 10 = 0 rows to add: refused, as imbalanced-learn refuses it
    with pytest.raises(ValueError, match="increase the ratio"):
        SyntheticAugmenter(sampling_strategy=0.5).fit(X, y)


def test_string_labels_and_dict_keys():
    X, y = _imbalanced(MULTICLASS)
    labels = np.array(["a", "b", "c", "d"], dtype=object)[y]
    sampler = SyntheticAugmenter(sampling_strategy={"d": 30, "b": 11}, random_state=0)
    _, y_res = sampler.fit_resample(X, labels)
    assert list(sampler.sampling_strategy_) == ["b", "d"]  # sorted class order
    assert Counter(y_res.tolist()) == {"a": 30, "b": 11, "c": 30, "d": 30}
    assert y_res.dtype == object


def test_resampled_counts_reach_the_majority():
    """What imbalanced-learn asserts of its BaseOverSampler subclasses."""
    X, y = _imbalanced([200, 300, 500], n_features=5)
    _, y_res = SyntheticAugmenter(random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [500, 500, 500]


def test_nothing_to_add_returns_the_input():
    X, y = _imbalanced([15, 15])
    sampler = SyntheticAugmenter(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.sampling_strategy_ == {1: 0}
    assert sampler.generator_ is None and sampler.n_kept_ == 0
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)


def test_fit_only_computes_the_strategy():
    X, y = _imbalanced(BINARY)
    sampler = SyntheticAugmenter(random_state=0).fit(X, y)
    assert sampler.sampling_strategy_ == {1: 10}
    assert not hasattr(sampler, "generator_")
    assert sampler.n_features_in_ == 3


# ---------------------------------------------------------------------------
# the synthetic rows
# ---------------------------------------------------------------------------
def test_real_rows_first_then_synthetic_rows_of_their_class():
    X, y = _imbalanced([450, 50], n_features=2)
    sampler = SyntheticAugmenter(GaussianMixtureGenerator(), random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res[:500], X)
    np.testing.assert_array_equal(y_res[:500], y)
    X_syn, y_syn = X_res[500:], y_res[500:]
    assert (y_syn == 1).all() and X_syn.shape == (400, 2)
    # 400 draws from the minority's fitted Gaussian (unit variance, fitted mean = the
    # minority's sample mean): the mean of the draws is off by ~ 1/sqrt(400) = 0.05 per
    # coordinate; 5 standard errors
    np.testing.assert_allclose(X_syn.mean(axis=0), X[y == 1].mean(axis=0), atol=0.25)


def test_same_random_state_same_rows():
    X, y = _imbalanced(BINARY)
    a = SyntheticAugmenter(random_state=3).fit_resample(X, y)[0]
    b = SyntheticAugmenter(random_state=3).fit_resample(X, y)[0]
    c = SyntheticAugmenter(random_state=4).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a[30:], c[30:])


def test_pruner_rejections_are_redrawn_to_the_exact_counts():
    X, y = _imbalanced([60, 20], n_features=2)
    X = X - 3.0 * y[:, None]  # both classes centred at 0: the pruner keeps ~half
    sampler = SyntheticAugmenter(pruner=_KeepPositiveFirstFeature(), random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [60, 60]
    assert (X_res[80:, 0] > 0).all()
    assert sampler.n_kept_ == 40 < sampler.n_synthetic_


def test_pruner_that_rejects_everything_warns_and_returns_fewer_rows():
    class RejectAll(_KeepPositiveFirstFeature):
        def keep_mask(self, X, y=None):
            return np.zeros(len(X), dtype=bool)

    X, y = _imbalanced(BINARY)
    sampler = SyntheticAugmenter(pruner=RejectAll(), max_rounds=3, random_state=0)
    with pytest.warns(UserWarning, match="class 1: 0 of 10"):
        X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape == (30, 3) and sampler.n_kept_ == 0
    # rounds 1-3 draw 10 each (the acceptance rate is 0: ten-fold at most from round 2)
    assert sampler.n_synthetic_ == 10 + 100 + 100


def test_containers_come_back_alike():
    X, y = _imbalanced(BINARY)
    frame = pd.DataFrame(X.astype(np.float32), columns=["a", "b", "c"], index=np.arange(30) + 100)
    target = pd.Series(np.where(y == 1, "yes", "no"), name="label", dtype="category")
    sampler = SyntheticAugmenter(random_state=0)
    X_res, y_res = sampler.fit_resample(frame, target)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == ["a", "b", "c"]
    assert (X_res.dtypes == np.float32).all()
    assert X_res.index.tolist() == list(range(40))
    assert isinstance(y_res, pd.Series) and y_res.name == "label"
    assert isinstance(y_res.dtype, pd.CategoricalDtype)
    assert y_res.value_counts().to_dict() == {"no": 20, "yes": 20}
    np.testing.assert_array_equal(sampler.get_feature_names_out(), ["a", "b", "c"])
    # lists give lists; a one-hot y is resampled as class indices and comes back one-hot
    X_list, y_list = SyntheticAugmenter(random_state=0).fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_list, list) and isinstance(y_list, list) and len(y_list) == 40
    _, y_ova = SyntheticAugmenter(random_state=0).fit_resample(X, np.eye(2)[y])
    assert y_ova.shape == (40, 2) and y_ova.sum(axis=0).tolist() == [20, 20]


def test_mixed_frame_through_a_copula():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({
        "x": rng.normal(size=60),
        "colour": rng.choice(["red", "green", "blue"], size=60),
    })
    y = np.array([0] * 45 + [1] * 15)
    X_res, y_res = SyntheticAugmenter(GaussianCopulaGenerator(), random_state=0).fit_resample(
        frame, y
    )
    assert np.bincount(y_res).tolist() == [45, 45]
    assert set(X_res["colour"]) <= {"red", "green", "blue"}
    assert X_res.dtypes.equals(frame.dtypes)


# ---------------------------------------------------------------------------
# validation: fit_resample validates its parameters
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [
        {"sampling_strategy": "nonsense"},
        {"sampling_strategy": "balanced"},
        {"sampling_strategy": "majority"},  # an under-sampling target
        {"sampling_strategy": 0.0},
        {"sampling_strategy": 1.5},
        {"sampling_strategy": -0.5},
        {"sampling_strategy": [0, 1]},
        {"max_rounds": 0},
        {"max_rounds": 2.5},
        {"generator": LogisticRegression()},
        {"pruner": "verifier"},
    ],
)
def test_invalid_parameters_raise_in_fit_resample(params):
    X, y = _imbalanced(BINARY)
    with pytest.raises(InvalidParameterError):
        SyntheticAugmenter(**params).fit_resample(X, y)
    with pytest.raises(InvalidParameterError):
        SyntheticAugmenter(**params).fit(X, y)


@pytest.mark.parametrize(
    "strategy, error, match",
    [
        (True, TypeError, "boolean"),
        ({7: 40}, ValueError, "not in y"),
        ({1: -1}, ValueError, "negative"),
        ({1: 5}, ValueError, "below the 10 rows"),
        ({1: "many"}, TypeError, "number of rows"),
        (lambda y: [1, 2], TypeError, "must return a dict"),
    ],
)
def test_invalid_sampling_strategy_values(strategy, error, match):
    X, y = _imbalanced(BINARY)
    with pytest.raises(error, match=match):
        SyntheticAugmenter(sampling_strategy=strategy).fit_resample(X, y)


def test_bad_targets():
    X, y = _imbalanced(BINARY)
    with pytest.raises(ValueError, match="1 class"):
        SyntheticAugmenter().fit_resample(X, np.zeros(30))
    with pytest.raises(ValueError, match="Unknown label type"):
        SyntheticAugmenter().fit_resample(X, np.linspace(0, 1, 30))
    with pytest.raises(ValueError, match="Multilabel"):
        SyntheticAugmenter().fit_resample(X, np.ones((30, 2), dtype=int))


def test_resolve_sampling_strategy_is_plain_dict_in_class_order():
    y = np.array([2] * 5 + [0] * 9 + [1] * 9)
    assert list(resolve_sampling_strategy("all", y).items()) == [(0, 0), (1, 0), (2, 4)]
    assert list(resolve_sampling_strategy({2: 9, 1: 10}, y).items()) == [(1, 1), (2, 4)]


# ---------------------------------------------------------------------------
# in imbalanced-learn's Pipeline
# ---------------------------------------------------------------------------
def test_in_imblearn_pipeline_resamples_in_fit_only():
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    from sklearn.model_selection import cross_val_score

    X, y = _imbalanced([70, 10])
    pipe = imblearn_pipeline.make_pipeline(
        SyntheticAugmenter(random_state=0), LogisticRegression()
    ).fit(X, y)
    sampler = pipe.named_steps["syntheticaugmenter"]
    assert sampler.n_kept_ == 60 and sampler.sampling_strategy_ == {1: 60}
    assert pipe.predict(X).shape == (80,)
    scores = cross_val_score(pipe, X, y, cv=3, scoring="balanced_accuracy")
    assert scores.shape == (3,)
