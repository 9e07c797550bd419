"""The ridge classifier of the random-matrix analysis of synthetic data."""

from numbers import Real

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, _fit_context
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..theory import spectral_test_accuracy

__all__ = ["RMTRidgeClassifier"]

_DEFAULT_ALPHA_GRID = np.logspace(-3, 2, 21)
_DEFAULT_WEIGHT_GRID = np.array([0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0])


def _check_mask(mask, n_samples, name, default):
    if mask is None:
        return np.full(n_samples, default, dtype=bool)
    arr = np.asarray(mask)
    if arr.shape != (n_samples,):
        raise ValueError(
            f"{name} must be a boolean array of shape ({n_samples},), one entry per row of "
            f"X; got shape {arr.shape}."
        )
    if arr.dtype != bool:
        if not np.isin(arr, (0, 1)).all():
            raise ValueError(f"{name} must be boolean (True/False or 0/1); got other values.")
        arr = arr.astype(bool)
    return arr


def _check_values(values, name, *, positive):
    """``values`` as a float array (shape kept) of finite numbers, all > 0 or all >= 0."""
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers.") from None
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be a non-empty array of finite numbers.")
    if np.any(values <= 0 if positive else values < 0):
        raise ValueError(f"{name} must contain only {'positive' if positive else 'non-negative'}"
                         " values.")
    return values


def _check_grid(grid, default, name, *, positive):
    return default if grid is None else _check_values(grid, name, positive=positive).ravel()


class RMTRidgeClassifier(LinearClassifierMixin, BaseEstimator):
    """Ridge classifier on real and synthetic rows, with RMT-chosen regularisation and weight.

    The classifier of El Firdoussi et al. (2024): with labels coded ``-1/+1``
    (``+1`` for ``classes_[1]``), it minimises

    .. math::

        \\frac{1}{N} \\Big[\\sum_{\\text{real } i} (w^\\top x_i - y_i)^2 + s
        \\sum_{\\text{synthetic } j} q_j (w^\\top x_j - y_j)^2\\Big] + \\alpha \\|w\\|^2

    where ``N`` counts every row passed to ``fit`` (pruned synthetic rows
    included, as in the paper), ``s`` is ``synthetic_weight`` and ``q_j`` is
    ``keep_mask`` (False for rows a verifier rejected). There is no
    intercept. More than two classes are handled one-vs-rest (one column of
    ``-1/+1`` targets per class, a shared solve).

    With ``alpha="auto"`` and/or ``synthetic_weight="auto"``, the parameter
    is chosen on a grid by maximising the test accuracy predicted by the
    random-matrix theory (:mod:`sksynth.theory.rmt`) from plug-in estimates:
    the class means and covariances of the real rows, those of the kept
    synthetic rows, and the label noise and verifier rates when given. No
    refit or cross-validation is needed.

    Parameters
    ----------
    alpha : float > 0 or "auto", default=1.0
        Ridge parameter ``gamma`` of the paper, applied to the loss averaged
        over the ``N`` rows (``sklearn.linear_model.Ridge(alpha=N * alpha)``
        on the summed loss).
    synthetic_weight : float >= 0 or "auto", default=1.0
        Loss weight ``s`` of each synthetic row (``synthetic_mask``), leaving
        the normalisation ``N`` unchanged. 1 is the paper's classifier, 0
        ignores the synthetic rows.
    alpha_grid : array-like, default=None
        Candidates for ``alpha="auto"``; None uses ``np.logspace(-3, 2, 21)``.
    synthetic_weight_grid : array-like, default=None
        Candidates for ``synthetic_weight="auto"``; None uses
        ``[0, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3]``.
    label_noise : float in [0, 1], default=None
        Plug-in label-noise rate ``eps`` of the synthetic rows, used by the
        theory only. With ``verifier_rates`` it is the rate before
        verification; alone, the rate among the synthetic rows kept. None
        assumes clean synthetic labels.
    verifier_rates : tuple of (float, float), default=None
        Plug-in ``(rho, phi)`` of the verifier that produced ``keep_mask``
        (e.g. from :func:`~sksynth.pruning.estimate_verifier_rates`), used by
        the theory only.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights ``w`` (one row per class for more than two classes).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Zeros: the paper's classifier has no intercept.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    alpha_ : float
        The ridge parameter used.
    synthetic_weight_ : float
        The synthetic weight used (1.0 when "auto" meets no synthetic row).
    predicted_accuracy_ : float or None
        Test accuracy the theory predicts for this fit from the plug-in
        estimates; None for more than two classes, when the real rows do not
        hold two rows of each class (the plug-in is then undefined), or when
        there are more features than rows and no parameter is "auto" (the
        estimates would cost more than the fit).
    auto_results_ : dict or None
        With an "auto" parameter: ``"alpha"``, ``"synthetic_weight"`` (the
        candidate pairs, flattened) and ``"predicted_accuracy"``.
    n_real_ : int
        Number of real rows (``synthetic_mask`` False).
    n_synthetic_ : int
        Number of synthetic rows, pruned ones included.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    sksynth.theory.rmt.test_accuracy : The theory behind ``"auto"``.
    sksynth.theory.rmt.spectral_test_accuracy : The form evaluated on the plug-in estimates.
    sksynth.augmentation.AugmentedClassifier : Draws the synthetic rows.
    sklearn.linear_model.RidgeClassifier : Ridge classifier with an intercept.

    Notes
    -----
    *Which rows are synthetic.* Called directly, ``fit`` is told by
    ``synthetic_mask`` (and ``keep_mask``). Inside
    :class:`~sksynth.augmentation.AugmentedClassifier`, which passes
    ``synthetic_mask`` to any estimator whose ``fit`` takes it, the synthetic
    rows are known; the pruned rows are already dropped (so they are not in
    ``N``), and the meta-estimator's own ``synthetic_weight`` arrives through
    ``sample_weight`` on top of this classifier's ``synthetic_weight`` (leave
    one of the two at 1). Synthetic rows are never guessed from their weights.

    *Sample weights* count as repeated rows: the objective is
    ``sum_i sw_i ... / sum_i sw_i``, so ``N`` is the total weight.

    *Plug-in estimates.* The real class mean ``mu`` is half the difference
    of the class means; the real covariance is the within-class covariance,
    shrunk by Ledoit and Wolf (the sample covariance spreads its eigenvalues
    by the Marchenko-Pastur law), plus the outer product of the common offset
    of the two classes (without an intercept an offset acts as covariance).
    The synthetic mean and covariance are estimated alike from the kept
    synthetic rows, the mean difference divided by the label agreement
    ``lambda / alpha`` when the noise is given, and the synthetic covariance
    is represented by its diagonal in the eigenbasis of the real one (the
    theory needs commuting covariances). Every quadratic form in the
    estimated means is corrected for their estimation noise
    (``E[mu_hat^T f mu_hat] = mu^T f mu + kappa tr(C f)``). The prediction is
    exact only in the Gaussian-mixture model with real and synthetic rows
    independent -- a generator fitted on other rows than the real training
    rows, as in the paper. On real data it is a guide: the example
    :ref:`sphx_glr_auto_examples_plot_rmt_real_data.py` finds its level
    optimistic, its ranking of ``alpha`` reliable, and its ranking of amounts
    of synthetic data reliable only for an independent generator.
    ``predicted_accuracy_`` is computed on first access (one ``p x p``
    eigendecomposition).

    References
    ----------
    .. [1] El Firdoussi, A., Seddik, M. E. A., Hayou, S., Alami, R., Alzubaidi, A.
       and Hacid, H. (2024). "Maximizing the potential of synthetic data:
       insights from random matrix theory." ICLR 2025, arXiv:2410.08942.

    Examples
    --------
    100 real rows, and 800 synthetic rows of which 30% have the wrong label:

    >>> import numpy as np
    >>> from sksynth.datasets import make_gaussian_mixture
    >>> from sksynth.linear_model import RMTRidgeClassifier
    >>> X, y, mu = make_gaussian_mixture(100, 50, mean_norm=1.5, random_state=0,
    ...                                  return_mean=True)
    >>> X_syn, y_syn = make_gaussian_mixture(800, 50, mean=mu, random_state=1)
    >>> y_syn[:240] *= -1
    >>> X_all, y_all = np.vstack([X, X_syn]), np.concatenate([y, y_syn])
    >>> synthetic = np.arange(900) >= 100
    >>> clf = RMTRidgeClassifier(synthetic_weight="auto", label_noise=0.3)
    >>> clf = clf.fit(X_all, y_all, synthetic_mask=synthetic)
    >>> print(clf.synthetic_weight_, round(clf.predicted_accuracy_, 3))
    0.2 0.896
    >>> X_test, y_test = make_gaussian_mixture(5000, 50, mean=mu, random_state=2)
    >>> round(clf.score(X_test, y_test), 3)
    0.907
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "synthetic_weight": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "alpha_grid": ["array-like", None],
        "synthetic_weight_grid": ["array-like", None],
        "label_noise": [Interval(Real, 0, 1, closed="both"), None],
        "verifier_rates": ["array-like", None],
    }

    def __init__(
        self,
        *,
        alpha=1.0,
        synthetic_weight=1.0,
        alpha_grid=None,
        synthetic_weight_grid=None,
        label_noise=None,
        verifier_rates=None,
    ):
        self.alpha = alpha
        self.synthetic_weight = synthetic_weight
        self.alpha_grid = alpha_grid
        self.synthetic_weight_grid = synthetic_weight_grid
        self.label_noise = label_noise
        self.verifier_rates = verifier_rates

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, synthetic_mask=None, keep_mask=None):
        """Fit the ridge classifier on real and (optionally) synthetic rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Real and synthetic rows, in any order.
        y : array-like of shape (n_samples,)
            Class labels (synthetic rows carry their possibly noisy labels).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights, counted as repetitions (they enter the
            normalisation ``N``).
        synthetic_mask : array-like of bool of shape (n_samples,), default=None
            True for synthetic rows. None: every row is real.
        keep_mask : array-like of bool of shape (n_samples,), default=None
            False for rows a verifier rejected: they count in ``N`` but not in
            the loss (the paper's ``q_j = 0``). None keeps every row.

        Returns
        -------
        self : RMTRidgeClassifier
            The fitted classifier.
        """
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if self.classes_.shape[0] < 2:
            raise ValueError(
                "RMTRidgeClassifier needs samples of at least 2 classes in y; got one class: "
                f"{self.classes_[0]!r}."
            )
        n_samples, n_features = X.shape
        sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        synthetic = _check_mask(synthetic_mask, n_samples, "synthetic_mask", False)
        keep = _check_mask(keep_mask, n_samples, "keep_mask", True)
        total_weight = float(sample_weight.sum())
        if total_weight <= 0:
            raise ValueError("sample_weight must not be all zero.")
        verifier_rates = self._check_verifier_rates()
        auto = self.alpha == "auto" or self.synthetic_weight == "auto"
        binary = self.classes_.shape[0] == 2
        if auto and not binary:
            raise ValueError(
                "alpha='auto' and synthetic_weight='auto' need two classes (the theory is "
                f"for binary classification); y has {self.classes_.shape[0]}. Set alpha and "
                "synthetic_weight to numbers."
            )
        targets = np.where(y[:, None] == self.classes_[None, :], 1.0, -1.0)
        if binary:
            targets = targets[:, 1:]
        self.n_real_ = int(np.sum(~synthetic))
        self.n_synthetic_ = int(np.sum(synthetic))

        # Weighted Gram matrices of the kept real and kept synthetic rows: the ridge
        # solve (primal form) and the plug-in estimates share them.
        base_weight = sample_weight * keep
        primal = n_features <= n_samples
        grams = None
        if primal or (binary and auto):
            grams = [_gram(X, base_weight, rows) for rows in (~synthetic, synthetic)]
        self._plug_in_stats = None
        self._plug_in_cache = None
        if binary and grams is not None:
            self._plug_in_stats = _plug_in_statistics(
                X, targets[:, 0], sample_weight, synthetic, keep, grams, self.label_noise,
                verifier_rates, total_weight,
            )
        if auto and self._plug_in_stats is None:
            raise ValueError(
                "alpha='auto' or synthetic_weight='auto' needs at least 2 real rows of each "
                "class (rows with synthetic_mask False, kept and of positive weight) to "
                "estimate the class means and covariance."
            )
        self.auto_results_ = None
        alpha, weight = self.alpha, self.synthetic_weight
        if auto:
            alphas = (
                _check_grid(self.alpha_grid, _DEFAULT_ALPHA_GRID, "alpha_grid", positive=True)
                if alpha == "auto" else np.array([float(alpha)])
            )
            if weight == "auto" and self.n_synthetic_ > 0:
                weights = _check_grid(self.synthetic_weight_grid, _DEFAULT_WEIGHT_GRID,
                                      "synthetic_weight_grid", positive=False)
            else:
                weights = np.array([1.0 if weight == "auto" else float(weight)])
            grid_alpha, grid_weight = (a.ravel() for a in np.meshgrid(alphas, weights,
                                                                        indexing="ij"))
            predicted = _plug_in_accuracy(self._plug_in(), grid_alpha, grid_weight)
            best = int(np.argmax(predicted))
            alpha, weight = float(grid_alpha[best]), float(grid_weight[best])
            self.auto_results_ = {
                "alpha": grid_alpha,
                "synthetic_weight": grid_weight,
                "predicted_accuracy": predicted,
            }
        self.alpha_, self.synthetic_weight_ = float(alpha), float(weight)

        loss_weight = base_weight * np.where(synthetic, self.synthetic_weight_, 1.0)
        rhs = X.T @ (targets * loss_weight[:, None]) / total_weight
        if primal:
            gram = (grams[0] + self.synthetic_weight_ * grams[1]) / total_weight
            gram.flat[:: n_features + 1] += self.alpha_
            coef = linalg.solve(gram, rhs, assume_a="pos")
        else:  # more features than rows: w = X^T W (X X^T W / N + alpha I)^-1 T / N
            root = np.sqrt(loss_weight)[:, None]
            Xw = X * root
            kernel = Xw @ Xw.T / total_weight
            kernel.flat[:: n_samples + 1] += self.alpha_
            coef = Xw.T @ linalg.solve(kernel, targets * root / total_weight, assume_a="pos")
        self.coef_ = coef.T
        self.intercept_ = np.zeros(self.coef_.shape[0])
        return self

    @property
    def predicted_accuracy_(self):
        """Theoretical test accuracy of this fit from the plug-in estimates (or None)."""
        check_is_fitted(self, "coef_")
        plug_in = self._plug_in()
        if plug_in is None:
            return None
        return float(_plug_in_accuracy(plug_in, self.alpha_, self.synthetic_weight_))

    def _plug_in(self):
        """The plug-in model (eigendecomposition done once, on first use)."""
        if self._plug_in_cache is None and self._plug_in_stats is not None:
            self._plug_in_cache = _plug_in_model(self._plug_in_stats)
        return self._plug_in_cache

    def _check_verifier_rates(self):
        if self.verifier_rates is None:
            return None
        rates = np.asarray(self.verifier_rates, dtype=np.float64).ravel()
        if rates.shape != (2,) or np.any((rates < 0) | (rates > 1)) or rates.sum() == 0:
            raise ValueError(
                "verifier_rates must be a pair (rho, phi) of probabilities in [0, 1], not "
                f"both 0; got {self.verifier_rates!r}."
            )
        return float(rates[0]), float(rates[1])

    def theoretical_accuracy(self, *, n_synthetic=None, alpha=None, synthetic_weight=None):
        """Test accuracy the theory predicts from this fit's plug-in estimates.

        The estimated real and synthetic distributions are kept; the amount
        of synthetic rows, the ridge parameter and the synthetic weight may
        be changed (arrays broadcast), so that the best amount of synthetic
        data can be read off before drawing it.

        Parameters
        ----------
        n_synthetic : float or array-like, default=None
            Number of synthetic rows (pruned ones included, the kept fraction
            of this fit is assumed). None: ``n_synthetic_``.
        alpha : float or array-like, default=None
            Ridge parameter; None: ``alpha_``.
        synthetic_weight : float or array-like, default=None
            Synthetic weight; None: ``synthetic_weight_``.

        Returns
        -------
        accuracy : float or ndarray
            Predicted test accuracy on real rows.

        Examples
        --------
        >>> import numpy as np
        >>> from sksynth.datasets import make_gaussian_mixture
        >>> from sksynth.linear_model import RMTRidgeClassifier
        >>> X, y, mu = make_gaussian_mixture(200, 100, random_state=0, return_mean=True)
        >>> X_syn, y_syn = make_gaussian_mixture(2000, 100, mean=mu, random_state=1)
        >>> clf = RMTRidgeClassifier().fit(np.vstack([X, X_syn]), np.r_[y, y_syn],
        ...                                synthetic_mask=np.arange(2200) >= 200)
        >>> acc = clf.theoretical_accuracy(n_synthetic=[0, 200, 2000])
        >>> bool(acc[0] < acc[1] < acc[2])
        True
        """
        check_is_fitted(self, "coef_")
        plug_in = self._plug_in()
        if plug_in is None:
            raise ValueError(
                "no plug-in estimates: the theory needs two classes, at least 2 real rows "
                "of each class, and no more features than rows unless a parameter is 'auto'."
            )
        if n_synthetic is not None and plug_in["m_rows"] == 0:
            raise ValueError(
                "this fit saw no synthetic rows, so their distribution is unknown; fit with "
                "synthetic rows (synthetic_mask) to extrapolate over n_synthetic."
            )
        if n_synthetic is not None:
            n_synthetic = _check_values(n_synthetic, "n_synthetic", positive=False)
        alpha = self.alpha_ if alpha is None else _check_values(alpha, "alpha", positive=True)
        weight = (self.synthetic_weight_ if synthetic_weight is None
                  else _check_values(synthetic_weight, "synthetic_weight", positive=False))
        return _plug_in_accuracy(plug_in, alpha, weight, n_synthetic)


def _gram(X, weight, rows):
    """``sum_i w_i x_i x_i^T`` over the selected rows."""
    Xw = X[rows] * np.sqrt(weight[rows])[:, None]
    return Xw.T @ Xw  # NumPy uses a symmetric rank-k update for A.T @ A


def _class_statistics(X, t, w, gram):
    """Half mean difference, common offset, Ledoit-Wolf within-class covariance, noise.

    ``gram`` is ``sum_i w_i x_i x_i^T`` over the rows. The within-class
    covariance is shrunk by Ledoit and Wolf (2004): the theory needs the
    population covariance, and the sample covariance of ``n`` rows in
    dimension ``p`` spreads its eigenvalues by the Marchenko-Pastur law.
    ``noise`` is ``kappa`` in ``Cov(half_diff) = kappa C``.
    """
    pos = t > 0
    totals, means = [], []
    for rows in (pos, ~pos):
        totals.append(w[rows].sum())
        means.append(w[rows] @ X[rows] / totals[-1])
    total = totals[0] + totals[1]
    scatter = gram - totals[0] * np.outer(means[0], means[0]) - totals[1] * np.outer(
        means[1], means[1])
    sample_cov = (scatter + scatter.T) / (2 * total)
    # Ledoit-Wolf intensity, from the rows' squared norms (no second p x p product)
    n_rows = w.shape[0]
    own_mean = np.where(pos, 0, 1)
    stacked = np.stack(means)
    residual_norm2 = (np.einsum("ij,ij->i", X, X) - 2 * np.einsum("ij,ij->i", X @ stacked.T,
                      np.eye(2)[own_mean]) + np.sum(stacked**2, axis=1)[own_mean])
    scaled = (w * n_rows / total) * residual_norm2
    n_features = X.shape[1]
    target = np.trace(sample_cov) / n_features
    dispersion = np.sum((sample_cov - target * np.eye(n_features)) ** 2)
    spread = max((np.sum(scaled**2) / n_rows - np.sum(sample_cov**2)) / n_rows, 0.0)
    shrinkage = 1.0 if dispersion <= 0 else min(spread / dispersion, 1.0)
    covariance = (1 - shrinkage) * sample_cov
    covariance.flat[:: n_features + 1] += shrinkage * target
    kish = [w[rows].sum() ** 2 / np.sum(w[rows] ** 2) for rows in (pos, ~pos)]
    return {
        "half_diff": (means[0] - means[1]) / 2,
        "offset": (means[0] + means[1]) / 2,
        "covariance": covariance,
        "noise": 0.25 * (1 / kish[0] + 1 / kish[1]),
    }


def _agreement(label_noise, verifier_rates):
    """Label agreement ``E[t y]`` among the kept synthetic rows."""
    if label_noise is not None and verifier_rates is not None:
        rho, phi = verifier_rates
        kept = phi * (1 - label_noise) + rho * label_noise
        return (phi * (1 - label_noise) - rho * label_noise) / kept if kept > 0 else 0.0
    if label_noise is not None:
        return 1 - 2 * label_noise
    return 1.0


def _plug_in_statistics(X, t, sample_weight, synthetic, keep, grams, label_noise,
                        verifier_rates, total_weight):
    """Class statistics of the real and kept synthetic rows; None if the real rows lack some."""
    real_rows = ~synthetic & keep & (sample_weight > 0)
    if min(np.sum(real_rows & (t > 0)), np.sum(real_rows & (t < 0))) < 2:
        return None
    real = _class_statistics(X[real_rows], t[real_rows], sample_weight[real_rows], grams[0])
    kept_rows = synthetic & keep & (sample_weight > 0)
    syn = None
    if min(np.sum(kept_rows & (t > 0)), np.sum(kept_rows & (t < 0))) >= 2:
        syn = _class_statistics(X[kept_rows], t[kept_rows], sample_weight[kept_rows],
                                grams[1])
    n_rows, m_rows = int(np.sum(~synthetic)), int(np.sum(synthetic))
    real_values, real_counts = np.unique(np.where(keep, sample_weight, 0.0)[~synthetic],
                                         return_counts=True)
    if m_rows:
        syn_values, syn_counts = np.unique(np.where(keep, sample_weight, 0.0)[synthetic],
                                           return_counts=True)
    else:
        syn_values, syn_counts = np.zeros(1), np.ones(1, dtype=int)
    return {
        "real": real,
        "synthetic": syn,
        "agreement": _agreement(label_noise, verifier_rates),
        "real_atoms": (real_values, real_counts / real_counts.sum()),
        "syn_atoms": (syn_values, syn_counts / syn_counts.sum()),
        "n_rows": n_rows,
        "m_rows": m_rows,
        # the objective is normalised by the total weight, the theory by the rows
        "gamma_scale": total_weight / (n_rows + m_rows),
    }


def _plug_in_model(stats):
    """Eigen-decomposed plug-in model from :func:`_plug_in_statistics`."""
    real, syn, agreement = stats["real"], stats["synthetic"], stats["agreement"]
    # a common offset of both classes acts, without intercept, as extra covariance
    cov_r = real["covariance"] + np.outer(real["offset"], real["offset"])
    r, U = np.linalg.eigh(cov_r)
    r = np.clip(r, 0, None)
    mu_r = real["half_diff"]
    if syn is not None:
        # the noisy-label class means are +-agreement * mu_s + offset
        mu_s = syn["half_diff"] / agreement if abs(agreement) > 0.05 else syn["half_diff"]
        u_s = U.T @ mu_s
        l = np.sum(U * (syn["covariance"] @ U), axis=0) + (U.T @ syn["offset"]) ** 2
        # within noisy-label classes the covariance gains (1 - agreement^2) mu_s mu_s^T
        l = np.clip(l - (1 - min(agreement**2, 1.0)) * u_s**2, 0, None)
        kappa_s = syn["noise"] / max(agreement**2, 0.05**2)
    else:  # no usable synthetic row: their distribution does not matter (no weight)
        mu_s, l, kappa_s = mu_r, r, real["noise"]
    return {
        "r": r,
        "l": l,
        "u_r": U.T @ mu_r,
        "u_s": U.T @ mu_s,
        "noise": (real["noise"], kappa_s),
        "real_atoms": stats["real_atoms"],
        "syn_atoms": stats["syn_atoms"],
        "agreement": agreement,
        "n_rows": stats["n_rows"],
        "m_rows": stats["m_rows"],
        "gamma_scale": stats["gamma_scale"],
    }


def _plug_in_accuracy(plug_in, alpha, synthetic_weight, n_synthetic=None):
    """Predicted accuracy for (arrays of) alpha, synthetic weight and synthetic amount."""
    m = plug_in["m_rows"] if n_synthetic is None else n_synthetic
    return spectral_test_accuracy(
        float(plug_in["n_rows"]), m, plug_in["r"], plug_in["l"], plug_in["u_r"],
        plug_in["u_s"], mean_noise=plug_in["noise"], real_row_weights=plug_in["real_atoms"],
        synthetic_row_weights=plug_in["syn_atoms"], label_agreement=plug_in["agreement"],
        gamma=np.asarray(alpha, dtype=np.float64) * plug_in["gamma_scale"],
        synthetic_weight=synthetic_weight, tol=1e-10, max_iter=1000)
