"""A generator whose samples are debiased for chosen estimands."""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import KFold
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_array

from ..base import GeneratorMixin, WrappedGeneratorMixin, _seed_from, _seeded_clone
from ..generators import GaussianCopulaGenerator
from ._targets import check_targets


#: ``n_aux="auto"``: auxiliary rows per real row a correction is evaluated on, the
#: floor (the paper's 100,000) and the memory caps (rows, and cells = rows x columns).
_AUX_PER_ROW = 20
_AUX_FLOOR = 100_000
_AUX_MAX_ROWS = 2_000_000
_AUX_MAX_CELLS = 50_000_000


def _auto_n_aux(n_eval, n_features):
    """The ``n_aux="auto"`` rule: ``20 n_eval`` rows, at least 100,000, capped for memory.

    ``n_eval`` is the number of real rows one correction is evaluated on (all
    ``n`` rows, or a held-out fold). The cap is 2,000,000 rows and 50,000,000
    cells (rows times columns), never below the floor.
    """
    cap = max(_AUX_FLOOR, min(_AUX_MAX_ROWS, _AUX_MAX_CELLS // max(1, n_features)))
    return int(min(max(_AUX_FLOOR, _AUX_PER_ROW * n_eval), cap))


def _as_frame(data):
    """A DataFrame view of ``data``; arrays get integer column names 0..p-1."""
    return data if isinstance(data, pd.DataFrame) else pd.DataFrame(np.asarray(data))


class _FittedPart:
    """One fitted generator with the nuisances and corrections of every target."""

    def __init__(self, generator, nuisances, corrections):
        self.generator = generator
        self.nuisances = nuisances
        self.corrections = corrections

    def draw(self, n_samples, targets, rng):
        synthetic = _as_frame(self.generator.sample(n_samples, random_state=rng))
        for target in targets:
            synthetic = target.shift(
                synthetic, self.corrections[target.name], self.nuisances[target.name]
            )
        return synthetic


def _warn_broken_constraints(generator, synthetic):
    """Warn when the targets' shifts move rows out of the wrapped generator's constraints."""
    constraints = getattr(generator, "_constraints", None)
    if not constraints or not len(synthetic):
        return
    frame = synthetic.set_axis(constraints.input_columns, axis=1)
    for c in constraints.fitted_:
        bad = ~np.asarray(c.is_valid(frame), dtype=bool)
        if bad.any():
            warnings.warn(
                f"the debiasing shift of the targets makes {bad.mean():.1%} of the rows "
                f"violate {c!r} (the unbiased estimates need the shift; analyse these rows "
                "with the debiased estimators, or target columns no constraint holds).",
                UserWarning, stacklevel=4)


class DebiasedGenerator(WrappedGeneratorMixin, GeneratorMixin, TransformerMixin, BaseEstimator):
    """Wrap a generator so that its samples give unbiased estimates of chosen targets.

    Analyses of synthetic data inherit the generator's regularisation bias,
    which shrinks slower than ``1/sqrt(n)``, so confidence intervals computed on
    synthetic data under-cover. ``fit`` fits the wrapped generator on the ``n``
    real rows, draws an auxiliary sample (``n_aux`` rows) to evaluate the
    fitted model's functionals and nuisances, and computes, for each target,
    the one-step correction ``(1/n) sum_i phi(O_i; P_hat)`` from the efficient
    influence function ``phi`` on the real rows. ``sample`` draws from the
    wrapped generator and shifts the rows so that each target's estimand moves
    by its correction (Decruyenaere et al., 2024). Estimates computed on the
    shifted rows with an influence-function estimator
    (:class:`MeanEstimator`, :class:`PartiallyLinearEstimator`) then converge at
    ``sqrt(n)`` with standard error
    ``sqrt(Var_real/n + Var_syn/m + Var_aux/n_aux)`` (see Notes): pass
    ``n_real=n_real_``, ``real_variance=eif_variance_[name]`` and
    ``aux_variance=aux_variance_[name]`` to the estimator.

    Parameters
    ----------
    generator : generator, default=None
        The generator to debias; ``None`` uses
        :class:`~sksynth.generators.GaussianCopulaGenerator` (mixed types).
    targets : Target or list of Target, default=None
        Estimands to debias, e.g. ``[MeanTarget("age")]``. Shifts of different
        targets must not touch columns another target uses (a clear error
        otherwise). ``None`` releases the generator's samples unchanged (a
        baseline, e.g. in a grid search).
    n_aux : "auto" or int, default="auto"
        Rows of the auxiliary sample (per fitted generator) used to evaluate
        the fitted generator's functionals and nuisances by Monte Carlo. Its
        Monte-Carlo error is part of every standard error
        (``aux_variance_``), so a small ``n_aux`` gives wider, still honest,
        intervals. ``"auto"`` uses ``20`` auxiliary rows per real row the
        correction is evaluated on (``n``, or the held-out fold with ``cv``),
        at least 100,000 and at most 2,000,000 rows and 50,000,000 cells: the
        auxiliary term is then at most 1/21 (4.8%) of the variance of the
        debiased estimate for every number ``m`` of synthetic rows, and widens
        intervals by at most 2.5%, when the generator's influence-function
        variance matches the real one (Notes).
    cv : int, default=None
        ``None`` fits one generator on every real row (as in the paper's
        simulations). An int ``K >= 2`` fits ``K`` generators on ``K - 1``
        folds each and computes each one's correction on its held-out fold
        (cross-fitting); samples are drawn evenly from the ``K`` shifted
        generators.
    random_state : int, RandomState instance or None, default=None
        Seeds the generators, the auxiliary samples, the folds and the sampling stream.

    Attributes
    ----------
    generator_ : generator
        The fitted generator (the first fold's when ``cv`` is set).
    generators_ : list of generator
        Every fitted generator (one, or one per fold).
    bias_ : dict of str to float
        Per target name: the mean influence function on the real rows, i.e.
        how much the shift moves the estimand (``psi(P) - psi(P_hat)`` to first
        order).
    eif_variance_ : dict of str to float
        Per target name: the variance of the influence function on the real
        rows (per row). An analyst passes it as ``real_variance``.
    aux_variance_ : dict of str to float
        Per target name: the variance the auxiliary sample's Monte-Carlo error
        adds to a debiased estimate, ``sum_k Var_aux,k / (K^2 n_aux_)`` with
        ``Var_aux,k`` the influence-function variance on fold ``k``'s auxiliary
        sample (``K = 1`` without ``cv``). A variance of the estimate, not per
        row: an analyst passes it as ``aux_variance``.
    n_aux_ : int
        Rows of each auxiliary sample (``n_aux`` resolved).
    nuisances_ : dict of str to dict
        Per target name: the nuisances estimated on the auxiliary sample (of
        the first fold when ``cv`` is set).
    n_real_ : int
        Number of real rows.
    targets_ : list of Target
        The validated targets.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    MeanEstimator, PartiallyLinearEstimator : Analyst-side estimators.

    Notes
    -----
    Variance of a debiased estimate. Write ``P_hat`` for the fitted generator,
    ``phi`` for the target's influence function under ``P_hat``, ``P_n``,
    ``P_m``, ``P_M`` for means over the ``n`` real rows, the ``m`` released
    synthetic rows and the ``M = n_aux`` auxiliary rows. To first order the
    estimate on the shifted synthetic rows is ``psi(P_hat) + P_m phi``, the
    auxiliary plug-in is ``psi_aux = psi(P_hat) + P_M phi`` and the correction
    is ``P_n phi(.; psi_aux) = P_n phi - P_M phi`` (for a mean,
    ``mean_real(V) - mean_aux(V)``; for the partially linear coefficient the
    correction's derivative in ``psi_aux`` is -1, and the nuisance errors of
    ``m_A``, ``m_Y`` enter only as products with ``P - P_hat``). So the
    debiased estimate is ``psi(P) + (P_n - P) phi + (P_m - P_hat) phi - (P_M -
    P_hat) phi``: three terms, independent given ``P_hat`` (the synthetic and
    auxiliary rows are separate draws from ``P_hat``), with variance
    ``Var_real/n + Var_syn/m + Var_aux/M``. With ``cv=K`` fold ``k`` (held-out
    rows ``I_k``, auxiliary sample ``L_k``) contributes ``m/K`` shifted rows,
    so the estimate is ``(1/K) sum_k [psi_k + P_{m,k} phi_k + P_{I_k} phi_k -
    P_{L_k} phi_k]`` and the auxiliary term is ``sum_k Var_aux,k / (K^2 M)``,
    the released ``aux_variance_``.

    ``n_aux="auto"``: with every variance equal to ``V`` the auxiliary share of
    the variance is ``(1/(K M)) / (1/n + 1/m + 1/(K M))``, largest as ``m``
    grows, where it tends to ``n / (n + K M)``; ``M = 20 n / K`` (20 rows per
    held-out row) bounds it by ``1/21`` for every ``m``. The floor of 100,000
    rows keeps the paper's auxiliary size for ``n <= 5000``.

    ``score`` and ``transform`` are those of the wrapped generator: the shift is
    not reflected in them.

    References
    ----------
    .. [1] Decruyenaere, A., Dehaene, H., Rabaey, P., Polet, C., Decruyenaere, J.,
       Demeester, T. and Vansteelandt, S. (2024). "Debiasing synthetic data
       generated by deep generative models." NeurIPS 2024, arXiv:2411.04216.

    Examples
    --------
    >>> from sksynth.datasets import make_disease
    >>> from sksynth.inference import DebiasedGenerator, MeanTarget, MeanEstimator
    >>> real = make_disease(500, random_state=0)[["age", "bp"]]
    >>> gen = DebiasedGenerator(targets=[MeanTarget("age")], n_aux=20_000,
    ...                         random_state=0).fit(real)
    >>> synthetic = gen.sample(500)
    >>> est = MeanEstimator(n_real=gen.n_real_, real_variance=gen.eif_variance_["mean(age)"],
    ...                     aux_variance=gen.aux_variance_["mean(age)"]).fit(synthetic[["age"]])
    >>> bool(abs(est.estimate_ - real["age"].mean()) < 2)
    True
    >>> DebiasedGenerator(targets=[MeanTarget("age")]).fit(real).n_aux_  # "auto"
    100000
    """

    _parameter_constraints = {
        "generator": [None, HasMethods(["fit", "sample"])],
        "targets": [None, list, tuple, HasMethods(["eif", "shift"])],
        "n_aux": [StrOptions({"auto"}), Interval(Integral, 100, None, closed="left")],
        "cv": [None, Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    _input_kind = "wrapped"
    _samples_given_y = False  # models X alone: an outcome is a column of X

    def __init__(self, generator=None, targets=None, *, n_aux="auto", cv=None, random_state=None):
        self.generator = generator
        self.targets = targets
        self.n_aux = n_aux
        self.cv = cv
        self.random_state = random_state

    def _fit(self, X, y):
        """Fit the generator(s) and compute each target's correction on ``X`` (``y`` ignored)."""
        # the wrapped generator validates the values (and names a column it cannot take)
        if not isinstance(X, pd.DataFrame):
            X = check_array(X, dtype=None, ensure_all_finite=False, input_name="X",
                            estimator=self)
        self._x_spec = None
        self._y_spec = None
        self.targets_ = [] if self.targets is None else check_targets(self.targets)
        rng = check_random_state(self.random_state)
        real = _as_frame(X)
        self.n_real_ = len(real)
        generator = GaussianCopulaGenerator() if self.generator is None else self.generator
        if self.cv is None:
            folds = [(np.arange(self.n_real_), np.arange(self.n_real_))]
        else:
            if self.n_real_ < self.cv:
                raise ValueError(
                    f"cv={self.cv} folds need at least {self.cv} rows, got {self.n_real_}."
                )
            folds = list(KFold(self.cv, shuffle=True, random_state=_seed_from(rng)).split(real))
        self.n_aux_ = (
            _auto_n_aux(max(len(held_out) for _, held_out in folds), real.shape[1])
            if self.n_aux == "auto" else int(self.n_aux)
        )
        self._parts, influence = [], {t.name: [] for t in self.targets_}
        aux_variances = {t.name: [] for t in self.targets_}
        for train, held_out in folds:
            part, fold_influence, fold_aux_variance = self._fit_part(
                generator, X, real, train, held_out, rng)
            self._parts.append(part)
            for name, values in fold_influence.items():
                influence[name].append(values)
                aux_variances[name].append(fold_aux_variance[name])
        self._is_frame = isinstance(X, pd.DataFrame)
        self.generators_ = [part.generator for part in self._parts]
        self.generator_ = self.generators_[0]
        self.nuisances_ = self._parts[0].nuisances
        influence = {name: np.concatenate(values) for name, values in influence.items()}
        self.bias_ = {name: float(np.mean(values)) for name, values in influence.items()}
        self.eif_variance_ = {
            name: float(np.var(values, ddof=1)) if values.shape[0] > 1 else float("nan")
            for name, values in influence.items()
        }
        # each fold's shifted generator draws m/K rows: weight 1/K on its correction
        k = len(self._parts)
        self.aux_variance_ = {
            name: float(np.sum(values) / (k**2 * self.n_aux_))
            for name, values in aux_variances.items()
        }
        self._init_sampling_stream(rng)
        return self

    def _fit_part(self, generator, X, real, train, held_out, rng):
        """Fit one generator on ``train``; corrections from ``held_out`` rows.

        Returns the fitted part, each target's influence function on the
        held-out rows and its variance on the auxiliary sample (per row).
        """
        rows = X.iloc[train] if hasattr(X, "iloc") else np.asarray(X)[train]
        fitted = _seeded_clone(generator, _seed_from(rng)).fit(rows)
        nuisances, corrections, influence, aux_variance = {}, {}, {}, {}
        if self.targets_:
            aux = _as_frame(fitted.sample(self.n_aux_, random_state=rng))
            evaluated = real.iloc[held_out]
            for target in self.targets_:
                nu = target.nuisances(aux)
                nuisances[target.name] = nu
                influence[target.name] = np.asarray(target.eif(evaluated, nu))
                corrections[target.name] = target.correction(evaluated, nu)
                # the correction's Monte-Carlo error is -(P_M - P_hat) phi (class Notes)
                aux_variance[target.name] = float(np.var(np.asarray(target.eif(aux, nu)), ddof=1))
        return _FittedPart(fitted, nuisances, corrections), influence, aux_variance

    def _sample(self, n_samples, y_enc, conditions, rng):
        """Rows from the wrapped generator(s), shifted for every target (shifted
        columns become floating point), in the container ``fit`` saw."""
        counts = np.full(len(self._parts), n_samples // len(self._parts))
        counts[: n_samples % len(self._parts)] += 1
        pieces = [part.draw(int(k), self.targets_, rng) for part, k in zip(self._parts, counts)]
        synthetic = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]
        if len(pieces) > 1:  # do not reveal which fold drew a row
            synthetic = synthetic.iloc[rng.permutation(n_samples)].reset_index(drop=True)
        _warn_broken_constraints(self.generator_, synthetic)
        return (synthetic if self._is_frame else synthetic.to_numpy()), None

    def _score_samples(self, X, y_enc):
        """Log-likelihood of each row under the wrapped generator (unshifted)."""
        return self.generator_.score_samples(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        generator = GaussianCopulaGenerator() if self.generator is None else self.generator
        tags.input_tags = generator.__sklearn_tags__().input_tags
        return tags
