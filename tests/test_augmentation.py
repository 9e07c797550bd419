"""Tests of the augmentation meta-estimators: no leakage, weights, labels, routing, errors.

SyntheticAugmenter (the imbalanced-learn sampler) is tested in test_imbalanced_sampler.py.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.neighbors import KNeighborsClassifier

from sksynth.augmentation import AugmentedClassifier, AugmentedRegressor
from sksynth.base import GeneratorMixin
from sksynth.datasets import make_gaussian_mixture
from sksynth.generators import GaussianGenerator, GaussianMixtureGenerator

# Fits recorded by RecordingGenerator, across the clones GridSearchCV makes.
FIT_LOG = []


class RecordingGenerator(GeneratorMixin, BaseEstimator):
    """A generator that records the row ids (column 0) of every fit."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y=None):
        X, y_enc = self._validate_fit_input(X, y)
        FIT_LOG.append(frozenset(X[:, 0].astype(int).tolist()))
        self._inner = GaussianMixtureGenerator().fit(X, y)
        self._init_sampling_stream(self.random_state)
        return self

    def _sample(self, n_samples, y_enc, conditions, rng):
        X, _ = self._inner.sample(y=self.classes_[y_enc], random_state=rng)
        X[:, 0] = -1.0  # synthetic rows never carry a real row id
        return X, y_enc


def _data(n=60, p=5, seed=0):
    X, y = make_gaussian_mixture(n, p, mean_norm=2.0, labels="01", random_state=seed)
    return X, y


def test_gridsearch_fits_each_generator_on_its_training_fold_only():
    X, y = _data(60)
    X[:, 0] = np.arange(X.shape[0])  # row ids
    FIT_LOG.clear()
    cv = KFold(n_splits=4, shuffle=True, random_state=0)
    search = GridSearchCV(
        AugmentedClassifier(generator=RecordingGenerator(), random_state=0),
        {"n_synthetic": [1.0, 3.0]},
        cv=cv,
        n_jobs=1,
    ).fit(X, y)
    expected_folds = [frozenset(train.tolist()) for train, _ in cv.split(X, y)]
    # two candidates x four folds, then the refit on every row
    assert FIT_LOG[:-1] == expected_folds * 2
    assert FIT_LOG[-1] == frozenset(range(60))
    for (train, test), seen in zip(cv.split(X, y), FIT_LOG):
        assert seen.isdisjoint(test.tolist())
    assert search.best_estimator_.generator_ is not None


def test_zero_synthetic_rows_is_the_plain_estimator():
    X, y = _data()
    augmented = AugmentedClassifier(LogisticRegression(), n_synthetic=0.0).fit(X, y)
    plain = LogisticRegression().fit(X, y)
    assert augmented.generator_ is None and augmented.n_kept_ == 0
    np.testing.assert_allclose(augmented.estimator_.coef_, plain.coef_)
    np.testing.assert_array_equal(augmented.predict(X), plain.predict(X))


@pytest.mark.parametrize("n_synthetic, expected", [(2.0, 120), (0.5, 30), (17, 17), (0, 0)])
def test_n_synthetic_int_is_a_count_float_a_ratio(n_synthetic, expected):
    X, y = _data(60)
    clf = AugmentedClassifier(n_synthetic=n_synthetic, random_state=0).fit(X, y)
    assert clf.n_synthetic_ == expected == clf.n_kept_


def test_synthetic_weight_reaches_the_estimator():
    X, y = _data()
    clf = AugmentedClassifier(
        LogisticRegression(), n_synthetic=2.0, synthetic_weight=0.25, store_synthetic=True,
        random_state=0,
    ).fit(X, y)
    weights = np.r_[np.ones(60), np.full(clf.n_kept_, 0.25)]
    reference = LogisticRegression().fit(
        np.vstack([X, clf.X_synthetic_]), np.r_[y, clf.y_synthetic_], sample_weight=weights
    )
    np.testing.assert_allclose(clf.estimator_.coef_, reference.coef_, rtol=1e-6)


def test_real_sample_weight_is_kept_for_real_rows():
    X, y = _data()
    w = np.linspace(0.5, 2.0, 60)
    clf = AugmentedClassifier(LogisticRegression(), n_synthetic=1.0, store_synthetic=True,
                              random_state=0).fit(X, y, sample_weight=w)
    reference = LogisticRegression().fit(
        np.vstack([X, clf.X_synthetic_]), np.r_[y, clf.y_synthetic_],
        sample_weight=np.r_[w, np.ones(clf.n_kept_)],
    )
    np.testing.assert_allclose(clf.estimator_.coef_, reference.coef_, rtol=1e-6)


def test_weights_need_an_estimator_that_takes_them():
    X, y = _data()
    with pytest.raises(ValueError, match="synthetic_weight"):
        AugmentedClassifier(KNeighborsClassifier(), synthetic_weight=0.5).fit(X, y)
    # weight 1 works without sample_weight support
    AugmentedClassifier(KNeighborsClassifier(), random_state=0).fit(X, y)


@pytest.mark.parametrize(
    "class_distribution, expected", [("match", [60, 30]), ("balanced", [45, 45])]
)
def test_class_distribution_of_synthetic_labels(class_distribution, expected):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(45, 3))
    y = np.array([0] * 30 + [1] * 15)
    clf = AugmentedClassifier(n_synthetic=90, class_distribution=class_distribution,
                              store_synthetic=True, random_state=0).fit(X, y)
    assert np.bincount(clf.y_synthetic_).tolist() == expected


def test_same_random_state_gives_the_same_model():
    X, y = _data()
    a = AugmentedClassifier(n_synthetic=3.0, random_state=4).fit(X, y)
    b = AugmentedClassifier(n_synthetic=3.0, random_state=4).fit(X, y)
    c = AugmentedClassifier(n_synthetic=3.0, random_state=5).fit(X, y)
    np.testing.assert_array_equal(a.estimator_.coef_, b.estimator_.coef_)
    assert not np.allclose(a.estimator_.coef_, c.estimator_.coef_)


def test_pickle_round_trip_predicts_the_same():
    X, y = _data()
    clf = AugmentedClassifier(n_synthetic=2.0, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clf.predict_proba(X), again.predict_proba(X))


def test_pruner_drops_rows_it_rejects():
    from sksynth.pruning import LabelVerifier

    X, y = _data(200, 2)
    clf = AugmentedClassifier(n_synthetic=2.0, pruner=LabelVerifier(), store_synthetic=True,
                              random_state=0).fit(X, y)
    assert clf.n_synthetic_ == 400
    assert 0 < clf.n_kept_ < 400
    kept_pred = clf.pruner_.estimator_.predict(clf.X_synthetic_)
    np.testing.assert_array_equal(kept_pred, clf.y_synthetic_)


def test_dataframe_and_series_pass_through():
    X, y = _data()
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    target = pd.Series(np.where(y == 1, "yes", "no"), name="label")
    clf = AugmentedClassifier(n_synthetic=1.0, store_synthetic=True, random_state=0)
    clf.fit(frame, target)
    assert isinstance(clf.X_synthetic_, pd.DataFrame)
    assert list(clf.X_synthetic_.columns) == list(frame.columns)
    assert set(clf.predict(frame)) <= {"yes", "no"}
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)


def test_augmented_regressor_draws_targets_from_the_joint():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 * rng.normal(size=200)
    reg = AugmentedRegressor(Ridge(alpha=1e-6), GaussianGenerator(), n_synthetic=20.0,
                             store_synthetic=True, random_state=0).fit(X, y)
    # synthetic rows follow the fitted joint Gaussian, so OLS on them recovers the slope
    synth_only = Ridge(alpha=1e-6).fit(reg.X_synthetic_, reg.y_synthetic_)
    np.testing.assert_allclose(synth_only.coef_, [1.0, -2.0, 0.5], atol=0.1)
    assert reg.score(X, y) > 0.95


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------
def test_single_class_is_refused():
    X, _ = _data()
    with pytest.raises(ValueError, match="at least 2 classes"):
        AugmentedClassifier().fit(X, np.zeros(X.shape[0]))


@pytest.mark.parametrize("bad", ["many", -1, -0.5, None, [1]])
def test_bad_n_synthetic(bad):
    X, y = _data()
    with pytest.raises((TypeError, ValueError), match="n_synthetic"):
        AugmentedClassifier(n_synthetic=bad).fit(X, y)


def test_bool_n_synthetic_is_refused():
    X, y = _data()
    with pytest.raises(TypeError, match="n_synthetic"):
        AugmentedClassifier(n_synthetic=True).fit(X, y)


def test_nan_and_wrong_shapes():
    X, y = _data()
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        AugmentedClassifier().fit(X_nan, y)
    clf = AugmentedClassifier(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :2])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        AugmentedClassifier().fit(X, y[:-1])
    with pytest.raises(ValueError, match="0 sample"):
        AugmentedClassifier().fit(X[:0], y[:0])


def test_generator_that_ignores_y_is_refused():
    class UnsupervisedOnly(GaussianGenerator):
        def sample(self, n_samples=1, *, y=None, random_state=None):
            out = super().sample(n_samples, y=y, random_state=random_state)
            return out[0]

    X, y = _data()
    with pytest.raises(TypeError, match="returns \\(X, y\\)|models the target"):
        AugmentedClassifier(generator=UnsupervisedOnly()).fit(X, y)


def test_weights_go_to_the_final_step_of_a_pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _data()
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    clf = AugmentedClassifier(pipe, n_synthetic=1.0, synthetic_weight=0.5, store_synthetic=True,
                              random_state=0).fit(X, y)
    X_all = np.vstack([X, clf.X_synthetic_])
    reference = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        X_all, np.r_[y, clf.y_synthetic_],
        logisticregression__sample_weight=np.r_[np.ones(60), np.full(clf.n_kept_, 0.5)],
    )
    np.testing.assert_allclose(clf.predict_proba(X), reference.predict_proba(X))
    with pytest.raises(ValueError, match="KNeighborsClassifier does not accept sample_weight"):
        AugmentedClassifier(make_pipeline(StandardScaler(), KNeighborsClassifier()),
                            synthetic_weight=0.5).fit(X, y)


def test_estimators_that_take_a_synthetic_mask_receive_it():
    from sklearn.linear_model import LogisticRegression as _LR

    class MaskRecorder(_LR):
        def fit(self, X, y, sample_weight=None, synthetic_mask=None):
            self.mask_ = synthetic_mask
            return super().fit(X, y, sample_weight=sample_weight)

    X, y = _data(60)
    clf = AugmentedClassifier(MaskRecorder(), n_synthetic=30, random_state=0).fit(X, y)
    assert clf.estimator_.mask_.tolist() == [False] * 60 + [True] * 30


# ---------------------------------------------------------------------------
# metadata routing (sklearn.set_config(enable_metadata_routing=True))
# ---------------------------------------------------------------------------
routing = pytest.mark.usefixtures("metadata_routing")


@pytest.fixture
def metadata_routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _pipeline(scaler_weights=False, final_weights=True):
    """Scaler then logistic regression; requests set only when routing is on."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    scaler, final = StandardScaler(), LogisticRegression()
    if sklearn.get_config()["enable_metadata_routing"]:
        scaler.set_fit_request(sample_weight=scaler_weights)
        final.set_fit_request(sample_weight=final_weights)
    return Pipeline([("s", scaler), ("c", final)])


def test_routing_off_pipeline_result_is_the_routed_one():
    """The issue's case: a Pipeline with synthetic_weight under routing fits, and as
    without routing (weights to the final step only)."""
    X, y = _data()
    params = dict(n_synthetic=1.0, synthetic_weight=0.5, store_synthetic=True, random_state=0)
    plain = AugmentedClassifier(_pipeline(), **params).fit(X, y)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = AugmentedClassifier(_pipeline(), **params).fit(X, y)
    np.testing.assert_array_equal(routed.X_synthetic_, plain.X_synthetic_)
    np.testing.assert_allclose(routed.predict_proba(X), plain.predict_proba(X))
    weights = np.r_[np.ones(60), np.full(routed.n_kept_, 0.5)]
    reference = LogisticRegression().fit(
        routed.estimator_[0].transform(np.vstack([X, routed.X_synthetic_])),
        np.r_[y, routed.y_synthetic_], sample_weight=weights,
    )
    np.testing.assert_allclose(routed.estimator_[-1].coef_, reference.coef_, rtol=1e-6)


@routing
def test_routing_weights_reach_every_step_that_requests_them():
    X, y = _data()
    clf = AugmentedClassifier(_pipeline(scaler_weights=True), n_synthetic=1.0,
                              synthetic_weight=0.25, store_synthetic=True,
                              random_state=0).fit(X, y)
    weights = np.r_[np.ones(60), np.full(clf.n_kept_, 0.25)]
    X_all = np.vstack([X, clf.X_synthetic_])
    np.testing.assert_allclose(clf.estimator_[0].mean_, np.average(X_all, axis=0, weights=weights))


@routing
def test_routing_real_sample_weight_is_extended_with_synthetic_weight():
    X, y = _data()
    w = np.linspace(0.5, 2.0, 60)
    estimator = LogisticRegression().set_fit_request(sample_weight=True)
    clf = AugmentedClassifier(estimator, n_synthetic=1.0, synthetic_weight=0.5,
                              store_synthetic=True, random_state=0).fit(X, y, sample_weight=w)
    reference = LogisticRegression().fit(
        np.vstack([X, clf.X_synthetic_]), np.r_[y, clf.y_synthetic_],
        sample_weight=np.r_[w, np.full(clf.n_kept_, 0.5)],
    )
    np.testing.assert_allclose(clf.estimator_.coef_, reference.coef_, rtol=1e-6)


@routing
@pytest.mark.parametrize("estimator", [LogisticRegression(), "pipeline", "pipeline_unset"])
def test_routing_unrequested_weights_name_set_fit_request(estimator):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if estimator == "pipeline":
        estimator = _pipeline(final_weights=False)
    elif estimator == "pipeline_unset":
        estimator = make_pipeline(StandardScaler(), LogisticRegression())
    X, y = _data()
    match = r"does not request it.*set_fit_request\(sample_weight=True\)"
    with pytest.raises(ValueError, match=match):
        AugmentedClassifier(estimator, synthetic_weight=0.5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="sample_weight was passed"):
        AugmentedClassifier(estimator, random_state=0).fit(X, y, sample_weight=np.ones(60))
    # no weights to pass: nothing needs requesting
    AugmentedClassifier(estimator, random_state=0).fit(X, y)


@routing
def test_routing_through_cross_validation_and_grid_search():
    from sklearn.model_selection import cross_validate

    X, y = _data()
    w = np.linspace(0.5, 2.0, 60)
    cv = KFold(3, shuffle=True, random_state=0)
    clf = AugmentedClassifier(_pipeline(), synthetic_weight=0.5, random_state=0)
    routed = cross_validate(clf, X, y, params={"sample_weight": w}, cv=cv)["test_score"]
    with sklearn.config_context(enable_metadata_routing=False):
        plain_clf = AugmentedClassifier(_pipeline(), synthetic_weight=0.5, random_state=0)
        plain = cross_validate(plain_clf, X, y, params={"sample_weight": w}, cv=cv)["test_score"]
    np.testing.assert_allclose(routed, plain)
    search = GridSearchCV(clf, {"synthetic_weight": [0.25, 1.0]}, cv=cv, error_score="raise")
    search.fit(X, y, sample_weight=w)
    assert search.best_params_["synthetic_weight"] in (0.25, 1.0)


@routing
def test_routing_other_metadata_of_real_rows_is_refused():
    X, y = _data()
    estimator = LogisticRegression().set_fit_request(sample_weight="w")
    with pytest.raises(ValueError, match="extends only sample_weight"):
        AugmentedClassifier(estimator, random_state=0).fit(X, y, w=np.ones(60))
    # with no synthetic rows it is the estimator's own business
    AugmentedClassifier(estimator, n_synthetic=0, random_state=0).fit(X, y, w=np.ones(60))


def test_extra_fit_params_need_routing():
    X, y = _data()
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        AugmentedClassifier(random_state=0).fit(X, y, w=np.ones(60))


class _MaskRecorder(LogisticRegression):
    def fit(self, X, y, sample_weight=None, synthetic_mask=None):
        self.mask_ = synthetic_mask
        return super().fit(X, y, sample_weight=sample_weight)


@routing
def test_routing_synthetic_mask_as_requested():
    X, y = _data()
    clf = AugmentedClassifier(_MaskRecorder().set_fit_request(synthetic_mask=True),
                              n_synthetic=30, random_state=0).fit(X, y)
    assert clf.estimator_.mask_.tolist() == [False] * 60 + [True] * 30
    clf = AugmentedClassifier(_MaskRecorder().set_fit_request(synthetic_mask=False),
                              n_synthetic=30, random_state=0).fit(X, y)
    assert clf.estimator_.mask_ is None
    with pytest.raises(ValueError, match=r"set_fit_request\(synthetic_mask=True\)"):
        AugmentedClassifier(_MaskRecorder(), n_synthetic=30, random_state=0).fit(X, y)


@routing
def test_routing_regressor_weights():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 * rng.normal(size=50)
    reg = AugmentedRegressor(Ridge().set_fit_request(sample_weight=True), synthetic_weight=0.5,
                             store_synthetic=True, random_state=0).fit(X, y)
    reference = Ridge().fit(np.vstack([X, reg.X_synthetic_]), np.r_[y, reg.y_synthetic_],
                            sample_weight=np.r_[np.ones(50), np.full(reg.n_kept_, 0.5)])
    np.testing.assert_allclose(reg.estimator_.coef_, reference.coef_, rtol=1e-6)
    with pytest.raises(ValueError, match=r"Ridge\(\)\.set_fit_request\(sample_weight=True\)"):
        AugmentedRegressor(Ridge(), synthetic_weight=0.5, random_state=0).fit(X, y)


def test_get_metadata_routing_follows_the_estimator():
    from sklearn.utils.metadata_routing import get_routing_for_object

    with sklearn.config_context(enable_metadata_routing=True):
        requested = AugmentedClassifier(_pipeline())
        assert get_routing_for_object(requested).consumes("fit", ["sample_weight"]) == {
            "sample_weight"
        }
        unrequested = AugmentedClassifier(_pipeline(final_weights=False))
        assert get_routing_for_object(unrequested).consumes("fit", ["sample_weight"]) == set()
