"""Meta-estimators that train on real rows plus synthetic rows drawn inside ``fit``.

Because the generator and the pruner are parameters, cloned and fitted on the
rows ``fit`` receives, ``GridSearchCV`` searches augmentation strategies and
every fold fits its own generator: no synthetic row ever depends on a
validation row.
"""

from numbers import Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    _fit_context,
    clone,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    get_routing_for_object,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    _num_samples,
    check_is_fitted,
    has_fit_parameter,
)

from ..base import _take_rows
from ..generators import GaussianGenerator, GaussianMixtureGenerator
from ._draw import (
    AUGMENTATION_CONSTRAINTS,
    CLASS_DISTRIBUTIONS,
    AugmentationMixin,
    allocate_labels,
    draw_synthetic,
    resolve_n_synthetic,
    stack_real_and_synthetic,
)


def _estimator_has(attr):
    """Whether the fitted (or, before fit, the given) estimator has ``attr``."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self._default_estimator(), attr)

    return check


def _is_row_aligned(value, n_rows):
    """Whether a metadata value looks like one entry per row of ``n_rows`` rows."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        return False
    try:
        return _num_samples(value) == n_rows
    except TypeError:
        return False


class _BaseAugmented(AugmentationMixin, MetaEstimatorMixin, BaseEstimator):
    """fit = draw synthetic rows, then fit a clone of ``estimator`` on real ∪ synthetic."""

    _parameter_constraints = {
        **AUGMENTATION_CONSTRAINTS,
        "estimator": [None, HasMethods(["fit", "predict"])],
        "synthetic_weight": [Interval(Real, 0, None, closed="left")],
        "store_synthetic": ["boolean"],
    }

    def _default_estimator(self):
        return self._DEFAULT_ESTIMATOR() if self.estimator is None else self.estimator

    def _synthetic_labels(self, y, n_synthetic, rng):
        """Labels to condition on; ``None`` lets the generator draw targets."""
        return None

    def _validate_target(self, y):
        return y

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Draw synthetic rows from a generator fitted on ``(X, y)`` and fit on both.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Real training rows. A DataFrame is passed on as it is, so mixed-type
            frames reach a generator that handles them.
        y : array-like of shape (n_samples,)
            Real targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the real rows; synthetic rows get ``synthetic_weight``.
        **fit_params : dict
            Further metadata for the estimator's ``fit``, only with metadata
            routing enabled (``sklearn.set_config(enable_metadata_routing=True)``)
            and routed as the estimator requests. They are passed as they are:
            only ``sample_weight`` is extended to the synthetic rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        _raise_for_params(fit_params, self, "fit")
        X, y = self._validate_fit_data(X, y)
        self._validate_target(y)
        rng = check_random_state(self.random_state)
        n_real = _num_samples(X)
        self.n_synthetic_ = resolve_n_synthetic(self.n_synthetic, n_real)
        self.generator_, self.pruner_ = None, None
        X_all, y_all = X, y
        if self.n_synthetic_ > 0:
            labels = self._synthetic_labels(y, self.n_synthetic_, rng)
            X_syn, y_syn, self.generator_, self.pruner_ = draw_synthetic(
                X,
                y,
                generator=self._default_generator(),
                n_synthetic=self.n_synthetic_,
                pruner=self.pruner,
                rng=rng,
                labels=labels,
            )
            X_all, y_all = stack_real_and_synthetic(X, y, X_syn, y_syn)
        self.n_kept_ = _num_samples(X_all) - n_real
        if self.store_synthetic:
            synthetic = np.arange(_num_samples(X_all)) >= n_real
            self.X_synthetic_ = _take_rows(X_all, synthetic)
            self.y_synthetic_ = _take_rows(y_all, synthetic)
        weights = self._weights(X, sample_weight, n_real)
        self.estimator_ = clone(self._default_estimator())
        self._fit_estimator(X_all, y_all, weights, n_real, fit_params)
        return self

    def _weights(self, X, sample_weight, n_real):
        """Row weights (real then synthetic), or ``None`` when all are one."""
        if sample_weight is None and self.synthetic_weight == 1:
            return None
        real = _check_sample_weight(sample_weight, np.empty((n_real, 0)))
        return np.concatenate([real, np.full(self.n_kept_, float(self.synthetic_weight))])

    def _fit_estimator(self, X, y, weights, n_real, fit_params):
        """Fit ``estimator_``, passing the weights (and the synthetic mask).

        Without metadata routing, an estimator whose ``fit`` takes
        ``synthetic_mask`` (e.g. :class:`~sksynth.linear_model.RMTRidgeClassifier`)
        is told which rows are synthetic, and for a ``Pipeline`` weights and mask
        go to its final step. With routing enabled, both are metadata routed as
        the estimator requests (``set_fit_request``), to every step of a
        ``Pipeline`` that requests them.
        """
        synthetic_mask = np.arange(_num_samples(X)) >= n_real
        if _routing_enabled():
            return self._fit_estimator_routed(X, y, weights, synthetic_mask, fit_params)
        final, prefix = self.estimator_, ""
        if isinstance(final, Pipeline):
            name, final = final.steps[-1]
            prefix = f"{name}__"
        params = {}
        if has_fit_parameter(final, "synthetic_mask"):
            params[prefix + "synthetic_mask"] = synthetic_mask
        if weights is not None:
            if not has_fit_parameter(final, "sample_weight"):
                raise ValueError(
                    f"estimator {type(final).__name__} does not accept sample_weight, so "
                    "synthetic_weight must be 1 and sample_weight None; use an estimator whose "
                    "fit takes sample_weight."
                )
            params[prefix + "sample_weight"] = weights
        return self.estimator_.fit(X, y, **params)

    def _fit_estimator_routed(self, X, y, weights, synthetic_mask, fit_params):
        """Metadata routing: weights and mask reach whoever requests them."""
        consumed = get_routing_for_object(self.estimator_).consumes(
            "fit", ("sample_weight", "synthetic_mask")
        )
        metadata = {}
        if weights is not None:
            if "sample_weight" not in consumed:
                reason = (
                    "sample_weight was passed" if self.synthetic_weight == 1
                    else f"synthetic_weight={self.synthetic_weight!r} is not 1"
                )
                name = type(self.estimator_).__name__
                how = (
                    "Request it on each step that should be weighted, e.g. "
                    "pipeline[-1].set_fit_request(sample_weight=True) for the final "
                    "estimator (and set_fit_request(sample_weight=False) on the others)"
                    if isinstance(self.estimator_, Pipeline)
                    else f"Request it: {name}().set_fit_request(sample_weight=True)"
                )
                raise ValueError(
                    f"{reason}, so {type(self).__name__} passes sample_weight to "
                    f"{name}.fit, but with metadata routing enabled {name} does not "
                    f"request it. {how}; or leave synthetic_weight=1 and "
                    "sample_weight=None. (An alias, set_fit_request(sample_weight='w'), "
                    "is not enough: only sample_weight itself receives the synthetic "
                    "rows' weights.)"
                )
            metadata["sample_weight"] = weights
        if "synthetic_mask" in consumed:
            metadata["synthetic_mask"] = synthetic_mask
        else:
            self._check_mask_request(self.estimator_)
        clash = set(metadata) & set(fit_params)
        if clash:
            raise ValueError(
                f"{sorted(clash)} are set by {type(self).__name__} itself and cannot be "
                "passed to fit as metadata."
            )
        routed = process_routing(self, "fit", **metadata, **fit_params)
        n_all, n_real = _num_samples(X), int(np.sum(~synthetic_mask))
        if n_all > n_real:
            for key, value in routed.estimator.fit.items():
                if key in metadata:
                    continue
                if _is_row_aligned(value, n_real):
                    raise ValueError(
                        f"metadata {key!r} has one value per real row ({n_real}), but the "
                        f"estimator is fitted on {n_all} rows (real and synthetic); "
                        f"{type(self).__name__} extends only sample_weight to the "
                        "synthetic rows."
                    )
        return self.estimator_.fit(X, y, **routed.estimator.fit)

    def _check_mask_request(self, estimator):
        """Refuse to drop ``synthetic_mask`` silently under routing.

        A final step whose ``fit`` takes ``synthetic_mask`` but left its request
        unset would otherwise treat every synthetic row as real.
        """
        final = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator
        if not has_fit_parameter(final, "synthetic_mask"):
            return
        request = get_routing_for_object(final)
        requests = getattr(getattr(request, "fit", None), "requests", {})
        if requests.get("synthetic_mask", False) is None:
            name = type(final).__name__
            raise ValueError(
                f"{name}.fit takes synthetic_mask, which {type(self).__name__} passes "
                "without metadata routing; with routing enabled, call "
                f"{name}().set_fit_request(synthetic_mask=True) to receive it (or "
                "synthetic_mask=False to fit as if every row were real)."
            )

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        ``fit`` routes metadata to the estimator's ``fit``. ``sample_weight``
        reaches it (extended with ``synthetic_weight`` for the synthetic rows)
        only if the estimator requests it:
        ``estimator.set_fit_request(sample_weight=True)``, or for a
        ``Pipeline``, ``set_fit_request`` on each step to weight. A
        ``synthetic_mask`` is passed to an estimator that requests it.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter` with the
            routing information.
        """
        return MetadataRouter(owner=self).add(
            estimator=self._default_estimator(),
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )

    def _delegate(self, method, X):
        """``estimator_``'s ``method`` on ``X``, once fitted and validated as in ``fit``."""
        check_is_fitted(self)
        return getattr(self.estimator_, method)(self._validate_predict_data(X))

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict with the estimator fitted on real and synthetic rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self._delegate("predict", X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self._default_estimator().__sklearn_tags__()
        tags.input_tags.sparse = False
        generator = self._default_generator().__sklearn_tags__()
        tags.input_tags.allow_nan = inner.input_tags.allow_nan and generator.input_tags.allow_nan
        return tags


class AugmentedClassifier(ClassifierMixin, _BaseAugmented):
    """Classifier trained on real rows plus class-conditional synthetic rows.

    ``fit`` clones ``generator``, fits it on the training rows it receives,
    draws ``n_synthetic`` rows with labels allocated by ``class_distribution``,
    optionally keeps only the rows a cloned ``pruner`` (fitted on the real rows)
    accepts, and fits a clone of ``estimator`` on real ∪ synthetic with weight
    1 for real rows and ``synthetic_weight`` for synthetic ones. Every part is
    a parameter, so ``GridSearchCV`` chooses the augmentation strategy by
    cross-validation without leakage across folds.

    Parameters
    ----------
    estimator : classifier, default=None
        Classifier to fit; ``None`` uses ``LogisticRegression()``.
    generator : generator, default=None
        Class-conditional generator; ``None`` uses
        :class:`~sksynth.generators.GaussianMixtureGenerator`.
    n_synthetic : int or float, default=1.0
        An int is a number of synthetic rows; a float is a multiple of the
        number of training rows. ``0`` trains on real rows only.
    pruner : pruner, default=None
        Filter fitted on the real training rows, e.g.
        :class:`~sksynth.pruning.LabelVerifier`.
    synthetic_weight : float, default=1.0
        ``sample_weight`` of each synthetic row (real rows weigh 1, or their
        ``sample_weight``). Values other than 1 need an estimator whose ``fit``
        takes ``sample_weight``; for a ``Pipeline`` the weights go to its final
        step only (earlier steps, e.g. a scaler, are fitted unweighted). With
        metadata routing enabled the estimator must request them instead
        (``set_fit_request(sample_weight=True)``; in a ``Pipeline``, on each
        step to weight), or ``fit`` raises an error saying so.
    class_distribution : {"match", "balanced"}, default="match"
        Labels of the ``n_synthetic`` synthetic rows: in the training
        proportions (``"match"``), or the same number of synthetic rows per
        class (``"balanced"``; the real rows' imbalance remains). To make the
        class counts equal, use :class:`SyntheticAugmenter`'s
        ``sampling_strategy`` in an ``imblearn.pipeline.Pipeline``.
    store_synthetic : bool, default=False
        Keep the kept synthetic rows as ``X_synthetic_`` and ``y_synthetic_``.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator, the pruner and the sampling.

    Attributes
    ----------
    estimator_ : classifier
        The classifier fitted on real and kept synthetic rows.
    generator_ : generator or None
        The fitted generator (``None`` when ``n_synthetic`` resolves to 0).
    pruner_ : pruner or None
        The fitted pruner.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_synthetic_ : int
        Synthetic rows drawn.
    n_kept_ : int
        Synthetic rows kept by the pruner and used for training.
    X_synthetic_, y_synthetic_ : array-like
        The kept synthetic rows, when ``store_synthetic=True``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    AugmentedRegressor : The same for regression.
    SyntheticAugmenter : The same augmentation as an imbalanced-learn sampler.

    Notes
    -----
    With metadata routing enabled
    (``sklearn.set_config(enable_metadata_routing=True)``), ``fit`` routes
    metadata to the estimator as it requests: the weights of real and
    synthetic rows reach every step that called
    ``set_fit_request(sample_weight=True)``, and ``synthetic_mask`` an
    estimator that requested it. Without routing, both go to the final step
    of a ``Pipeline``.

    Augmentation helps most when the training set is small relative to the
    dimension (Zheng et al., 2023, "Toward understanding generative data
    augmentation", NeurIPS); label noise and verification set how much
    (El Firdoussi et al., 2024, arXiv:2410.08942).

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sksynth.augmentation import AugmentedClassifier
    >>> from sksynth.datasets import make_gaussian_mixture
    >>> X, y = make_gaussian_mixture(60, 20, mean_norm=2.0, random_state=0)
    >>> search = GridSearchCV(AugmentedClassifier(random_state=0),
    ...                       {"n_synthetic": [0.0, 1.0, 4.0]}, cv=3).fit(X, y)
    >>> sorted(search.best_params_)
    ['n_synthetic']
    >>> clf = AugmentedClassifier(n_synthetic=2.0, random_state=0).fit(X, y)
    >>> clf.n_synthetic_, clf.n_kept_
    (120, 120)
    """

    _DEFAULT_ESTIMATOR = LogisticRegression
    _DEFAULT_GENERATOR = GaussianMixtureGenerator

    _parameter_constraints = {
        **_BaseAugmented._parameter_constraints,
        "class_distribution": [CLASS_DISTRIBUTIONS],
    }

    def __init__(
        self,
        estimator=None,
        generator=None,
        *,
        n_synthetic=1.0,
        pruner=None,
        synthetic_weight=1.0,
        class_distribution="match",
        store_synthetic=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.generator = generator
        self.n_synthetic = n_synthetic
        self.pruner = pruner
        self.synthetic_weight = synthetic_weight
        self.class_distribution = class_distribution
        self.store_synthetic = store_synthetic
        self.random_state = random_state

    def _validate_target(self, y):
        check_classification_targets(y)
        self.classes_, counts = np.unique(np.asarray(y), return_counts=True)
        if self.classes_.shape[0] < 2:
            raise ValueError(
                "AugmentedClassifier needs samples of at least 2 classes in y; got one "
                f"class: {self.classes_[0]!r}."
            )
        self._class_counts = counts
        return y

    def _synthetic_labels(self, y, n_synthetic, rng):
        return allocate_labels(
            self.classes_, self._class_counts, n_synthetic, self.class_distribution, rng
        )

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self._delegate("predict_proba", X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return self._delegate("predict_log_proba", X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._delegate("decision_function", X)


class AugmentedRegressor(RegressorMixin, _BaseAugmented):
    """Regressor trained on real rows plus synthetic rows drawn inside ``fit``.

    The generator is fitted on ``(X, y)`` jointly and its samples carry their
    own targets. Otherwise as :class:`AugmentedClassifier`.

    Parameters
    ----------
    estimator : regressor, default=None
        Regressor to fit; ``None`` uses ``Ridge()``.
    generator : generator, default=None
        Generator that models ``(X, y)`` jointly; ``None`` uses
        :class:`~sksynth.generators.GaussianGenerator`.
    n_synthetic : int or float, default=1.0
        An int is a number of synthetic rows; a float a multiple of the number
        of training rows.
    pruner : pruner, default=None
        Filter fitted on the real training rows.
    synthetic_weight : float, default=1.0
        ``sample_weight`` of each synthetic row; weights and metadata routing
        as in :class:`AugmentedClassifier`.
    store_synthetic : bool, default=False
        Keep the kept synthetic rows as ``X_synthetic_`` and ``y_synthetic_``.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator, the pruner and the sampling.

    Attributes
    ----------
    estimator_ : regressor
        The regressor fitted on real and kept synthetic rows.
    generator_ : generator or None
        The fitted generator.
    pruner_ : pruner or None
        The fitted pruner.
    n_synthetic_ : int
        Synthetic rows drawn.
    n_kept_ : int
        Synthetic rows used for training.
    X_synthetic_, y_synthetic_ : array-like
        The kept synthetic rows, when ``store_synthetic=True``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    AugmentedClassifier : The same for classification.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.augmentation import AugmentedRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 3))
    >>> y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=40)
    >>> reg = AugmentedRegressor(n_synthetic=3.0, random_state=0).fit(X, y)
    >>> reg.n_kept_
    120
    >>> round(reg.score(X, y), 2) > 0.9
    True
    """

    _DEFAULT_ESTIMATOR = Ridge
    _DEFAULT_GENERATOR = GaussianGenerator

    def __init__(
        self,
        estimator=None,
        generator=None,
        *,
        n_synthetic=1.0,
        pruner=None,
        synthetic_weight=1.0,
        store_synthetic=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.generator = generator
        self.n_synthetic = n_synthetic
        self.pruner = pruner
        self.synthetic_weight = synthetic_weight
        self.store_synthetic = store_synthetic
        self.random_state = random_state
