"""A generator whose samples are debiased for chosen estimands."""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import KFold
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_array

from ..base import GeneratorMixin, WrappedGeneratorMixin, _seed_from, _seeded_clone
from ..generators import GaussianCopulaGenerator
from ._targets import check_targets


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


class DebiasedGenerator(WrappedGeneratorMixin, GeneratorMixin, TransformerMixin, BaseEstimator):
    """Wrap a generator so that its samples give unbiased estimates of chosen targets.

    Analyses of synthetic data inherit the generator's regularisation bias,
    which shrinks slower than ``1/sqrt(n)``, so confidence intervals computed on
    synthetic data under-cover. ``fit`` fits the wrapped generator on the ``n``
    real rows, draws a large auxiliary sample (``n_aux`` rows) to evaluate the
    fitted model's functionals and nuisances, and computes, for each target,
    the one-step correction ``(1/n) sum_i phi(O_i; P_hat)`` from the efficient
    influence function ``phi`` on the real rows. ``sample`` draws from the
    wrapped generator and shifts the rows so that each target's estimand moves
    by its correction (Decruyenaere et al., 2024). Estimates computed on the
    shifted rows with an influence-function estimator
    (:class:`MeanEstimator`, :class:`PartiallyLinearEstimator`) then converge at
    ``sqrt(n)`` with standard error ``sqrt(Var/n + Var/m)``.

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
    n_aux : int, default=100_000
        Rows of the auxiliary sample used to evaluate the fitted generator's
        functionals and nuisances by Monte Carlo.
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
        rows. An analyst passes it as ``real_variance`` so that the standard
        error is ``sqrt(Var_real/n + Var_syn/m)``.
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
    >>> est = MeanEstimator(n_real=gen.n_real_).fit(synthetic[["age"]])
    >>> bool(abs(est.estimate_ - real["age"].mean()) < 2)
    True
    """

    _parameter_constraints = {
        "generator": [None, HasMethods(["fit", "sample"])],
        "targets": [None, list, tuple, HasMethods(["eif", "shift"])],
        "n_aux": [Interval(Integral, 100, None, closed="left")],
        "cv": [None, Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    _input_kind = "wrapped"
    _samples_given_y = False  # models X alone: an outcome is a column of X

    def __init__(self, generator=None, targets=None, *, n_aux=100_000, cv=None, random_state=None):
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
        self._parts, influence = [], {t.name: [] for t in self.targets_}
        for train, held_out in folds:
            part, fold_influence = self._fit_part(generator, X, real, train, held_out, rng)
            self._parts.append(part)
            for name, values in fold_influence.items():
                influence[name].append(values)
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
        self._init_sampling_stream(rng)
        return self

    def _fit_part(self, generator, X, real, train, held_out, rng):
        """Fit one generator on ``train``; corrections from ``held_out`` rows."""
        rows = X.iloc[train] if hasattr(X, "iloc") else np.asarray(X)[train]
        fitted = _seeded_clone(generator, _seed_from(rng)).fit(rows)
        nuisances, corrections, influence = {}, {}, {}
        if self.targets_:
            aux = _as_frame(fitted.sample(self.n_aux, random_state=rng))
            evaluated = real.iloc[held_out]
            for target in self.targets_:
                nuisances[target.name] = target.nuisances(aux)
                influence[target.name] = np.asarray(target.eif(evaluated, nuisances[target.name]))
                corrections[target.name] = target.correction(evaluated, nuisances[target.name])
        return _FittedPart(fitted, nuisances, corrections), influence

    def _sample(self, n_samples, y_enc, conditions, rng):
        """Rows from the wrapped generator(s), shifted for every target (shifted
        columns become floating point), in the container ``fit`` saw."""
        counts = np.full(len(self._parts), n_samples // len(self._parts))
        counts[: n_samples % len(self._parts)] += 1
        pieces = [part.draw(int(k), self.targets_, rng) for part, k in zip(self._parts, counts)]
        synthetic = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]
        if len(pieces) > 1:  # do not reveal which fold drew a row
            synthetic = synthetic.iloc[rng.permutation(n_samples)].reset_index(drop=True)
        return (synthetic if self._is_frame else synthetic.to_numpy()), None

    def _score_samples(self, X, y_enc):
        """Log-likelihood of each row under the wrapped generator (unshifted)."""
        return self.generator_.score_samples(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        generator = GaussianCopulaGenerator() if self.generator is None else self.generator
        tags.input_tags = generator.__sklearn_tags__().input_tags
        return tags
