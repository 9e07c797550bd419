"""Target estimands with efficient influence functions, for debiasing synthetic data.

A *target* is a functional ``psi(P)`` of the data distribution. To debias
synthetic data for it (Decruyenaere et al., 2024), a target provides:

``nuisances(aux)``
    The fitted generator's own functionals and nuisance functions, estimated
    on a large auxiliary sample ``aux`` drawn from it (``psi(P_hat)``,
    conditional means, ...).
``eif(data, nuisances)``
    The efficient influence function ``phi(O; P_hat)`` at each row of ``data``.
    Its mean over the *real* rows is the one-step correction
    ``psi(P) - psi(P_hat) ≈ (1/n) sum_i phi(O_i; P_hat)``.
``shift(synthetic, correction, nuisances)``
    Synthetic rows moved so that their estimand moves by ``correction``.
``psi(data)``
    The plug-in estimand on a data set (for checks and diagnostics).

``used_columns`` and ``shifted_columns`` let
:class:`~sksynth.inference.DebiasedGenerator` refuse targets whose shifts
would interfere with each other.
"""

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LinearRegression

__all__ = [
    "Target",
    "MeanTarget",
    "PartialRegressionTarget",
    "ProportionTarget",
    "RiskDifferenceTarget",
]


def _require_columns(data, columns, owner):
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"{owner} needs a pandas DataFrame with named columns, got {type(data).__name__}."
        )
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"{owner}: column(s) {missing} not found in the data; available columns are "
            f"{list(data.columns)}."
        )


def _numeric(series, name):
    """A column as float64, with a clear error for non-numeric or missing values."""
    if pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64)
    elif pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        raise TypeError(
            f"column {name!r} must be numeric or boolean, got dtype {series.dtype}."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"column {name!r} contains NaN or infinity; impute or drop those rows.")
    return values


def _binary(series, name):
    """A 0/1 column (bool, or numeric with exactly the values 0 and 1)."""
    values = _numeric(series, name)
    if not np.all(np.isin(values, (0.0, 1.0))):
        raise ValueError(
            f"column {name!r} must be binary (0/1 or boolean), got values "
            f"{np.unique(values)[:5].tolist()}."
        )
    return values


class Target:
    """Base class for an estimand that synthetic data can be debiased for.

    Subclasses implement :meth:`psi`, :meth:`nuisances`, :meth:`eif` and
    :meth:`shift`, and set ``used_columns`` and ``shifted_columns``. Targets are
    plain, picklable objects; ``name`` labels them in reports.
    """

    name = "target"
    used_columns = ()
    shifted_columns = ()

    def psi(self, data):  # pragma: no cover - interface
        """Plug-in estimand on ``data`` (a DataFrame)."""
        raise NotImplementedError

    def nuisances(self, aux):  # pragma: no cover - interface
        """Functionals of the generator, estimated on its auxiliary sample ``aux``."""
        raise NotImplementedError

    def eif(self, data, nuisances):  # pragma: no cover - interface
        """Efficient influence function at each row of ``data``, shape (n_rows,)."""
        raise NotImplementedError

    def correction(self, data, nuisances):
        """One-step correction from the real rows: the mean influence function.

        Targets whose shift needs more than one number (e.g. one per arm)
        override this; :meth:`shift` receives what it returns.
        """
        return float(np.mean(self.eif(data, nuisances)))

    def shift(self, synthetic, correction, nuisances):  # pragma: no cover - interface
        """Return a copy of ``synthetic`` whose estimand is moved by ``correction``."""
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


class MeanTarget(Target):
    """Population mean of one column.

    ``psi(P) = E[V]``, with influence function ``phi(O; P) = V - psi(P)``, so
    the correction is ``mean_real(V) - mean_aux(V)`` and the shift adds it to
    every synthetic value (Decruyenaere et al., 2024, section 3).

    Parameters
    ----------
    column : str
        Name of a numeric or boolean column.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.inference import MeanTarget
    >>> target = MeanTarget("age")
    >>> real = pd.DataFrame({"age": [40.0, 50.0, 60.0]})
    >>> nuisances = target.nuisances(pd.DataFrame({"age": [45.0, 47.0]}))
    >>> float(target.eif(real, nuisances).mean())
    4.0
    """

    def __init__(self, column):
        self.column = column
        self.name = f"mean({column})"
        self.used_columns = (column,)
        self.shifted_columns = (column,)

    def psi(self, data):
        _require_columns(data, [self.column], self.name)
        return float(_numeric(data[self.column], self.column).mean())

    def nuisances(self, aux):
        return {"psi": self.psi(aux)}

    def eif(self, data, nuisances):
        _require_columns(data, [self.column], self.name)
        return _numeric(data[self.column], self.column) - nuisances["psi"]

    def shift(self, synthetic, correction, nuisances):
        _require_columns(synthetic, [self.column], self.name)
        shifted = synthetic.copy()
        shifted[self.column] = _numeric(synthetic[self.column], self.column) + correction
        return shifted


class ProportionTarget(MeanTarget):
    """Proportion of a binary outcome, overall or within one treatment arm.

    ``psi(P) = P(Y = 1 | A = arm)`` with influence function
    ``1{A = arm} (Y - psi) / P(A = arm)``; the shift adds the correction to the
    outcome of the synthetic rows in that arm, so after shifting the outcome
    column holds real numbers whose arm mean is the debiased proportion (the
    stroke-trial target of Decruyenaere et al., 2024).

    Parameters
    ----------
    outcome : str
        Binary (0/1 or boolean) column.
    treatment : str, default=None
        Column defining the arms; ``None`` targets the overall proportion.
    arm : scalar, default=True
        The value of ``treatment`` that defines the arm.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.inference import ProportionTarget
    >>> data = pd.DataFrame({"death": [1, 0, 0, 1], "aspirin": [True, True, False, False]})
    >>> ProportionTarget("death", "aspirin").psi(data)
    0.5
    """

    def __init__(self, outcome, treatment=None, arm=True):
        self.outcome = outcome
        self.treatment = treatment
        self.arm = arm
        self.column = outcome
        where = "" if treatment is None else f" | {treatment}={arm!r}"
        self.name = f"P({outcome}=1{where})"
        self.used_columns = (outcome,) if treatment is None else (outcome, treatment)
        self.shifted_columns = (outcome,)

    def _in_arm(self, data):
        _require_columns(data, self.used_columns, self.name)
        if self.treatment is None:
            return np.ones(len(data), dtype=bool)
        in_arm = (data[self.treatment] == self.arm).to_numpy(dtype=bool)
        if not in_arm.any():
            raise ValueError(
                f"{self.name}: no row has {self.treatment}={self.arm!r}; the arm must be present."
            )
        return in_arm

    def psi(self, data):
        in_arm = self._in_arm(data)
        return float(_binary(data[self.outcome], self.outcome)[in_arm].mean())

    def nuisances(self, aux):
        return {"psi": self.psi(aux), "arm_share": float(self._in_arm(aux).mean())}

    def eif(self, data, nuisances):
        in_arm = self._in_arm(data)
        y = _binary(data[self.outcome], self.outcome)
        return in_arm * (y - nuisances["psi"]) / nuisances["arm_share"]

    def shift(self, synthetic, correction, nuisances):
        in_arm = self._in_arm(synthetic)
        shifted = synthetic.copy()
        values = _numeric(synthetic[self.outcome], self.outcome)
        shifted[self.outcome] = values + correction * in_arm
        return shifted


class RiskDifferenceTarget(Target):
    """Risk difference ``P(Y=1 | A=1) - P(Y=1 | A=0)`` of a binary outcome.

    The influence function is the difference of the two arms' proportion
    influence functions; the shift moves each arm's outcomes by that arm's
    own correction, so both proportions, and their difference, are debiased.

    Parameters
    ----------
    outcome : str
        Binary (0/1 or boolean) outcome column.
    treatment : str
        Binary (0/1 or boolean) treatment column.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.inference import RiskDifferenceTarget
    >>> data = pd.DataFrame({"death": [1, 0, 0, 0], "aspirin": [1, 1, 0, 0]})
    >>> RiskDifferenceTarget("death", "aspirin").psi(data)
    0.5
    """

    def __init__(self, outcome, treatment):
        self.outcome = outcome
        self.treatment = treatment
        self.name = f"RD({outcome} by {treatment})"
        self.used_columns = (outcome, treatment)
        self.shifted_columns = (outcome,)
        self._arms = (
            ProportionTarget(outcome, treatment, 1),
            ProportionTarget(outcome, treatment, 0),
        )

    def _check(self, data):
        _require_columns(data, self.used_columns, self.name)
        _binary(data[self.treatment], self.treatment)

    def psi(self, data):
        self._check(data)
        return self._arms[0].psi(data) - self._arms[1].psi(data)

    def nuisances(self, aux):
        self._check(aux)
        return {"arms": [arm.nuisances(aux) for arm in self._arms]}

    def eif(self, data, nuisances):
        self._check(data)
        treated, control = (arm.eif(data, nu) for arm, nu in zip(self._arms, nuisances["arms"]))
        return treated - control

    def correction(self, data, nuisances):
        """The two arms' own corrections, ``[treated, control]``.

        Their difference is the mean influence function of the risk difference.
        """
        self._check(data)
        return [arm.correction(data, nu) for arm, nu in zip(self._arms, nuisances["arms"])]

    def shift(self, synthetic, correction, nuisances):
        treated, control = correction
        shifted = self._arms[0].shift(synthetic, treated, nuisances["arms"][0])
        return self._arms[1].shift(shifted, control, nuisances["arms"][1])


class _GroupMeans:
    """E[V | X] by group means of discrete covariates; unseen groups get the overall mean."""

    def fit(self, X, v):
        keys = _group_keys(X)
        frame = pd.DataFrame({"key": keys, "v": v})
        self.means_ = frame.groupby("key", sort=False)["v"].mean().to_dict()
        self.overall_ = float(np.mean(v))
        return self

    def predict(self, X):
        keys = _group_keys(X)
        return np.array([self.means_.get(k, self.overall_) for k in pd.unique(keys)])[
            pd.factorize(keys)[0]
        ]


def _group_keys(X):
    """One hashable key per row from the covariate columns."""
    if X.shape[1] == 1:
        return X.iloc[:, 0].astype(str).to_numpy()
    return X.astype(str).agg("|".join, axis=1).to_numpy()


def _is_discrete(frame):
    return all(
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        for dtype in frame.dtypes
    )


def _design(frame, columns=None):
    """Numeric design matrix: one-hot discrete columns, floats for numeric ones."""
    design = pd.get_dummies(frame, drop_first=False, dtype=np.float64)
    if columns is not None:
        design = design.reindex(columns=columns, fill_value=0.0)
    return design


def fit_conditional_mean(covariates, values, learner):
    """Fit ``E[values | covariates]`` and return a predict function.

    Discrete covariates (categorical, boolean, object) with ``learner=None`` use
    group means, which is saturated and exact for them; otherwise ``learner``
    (default ``LinearRegression``) is fitted on a one-hot design.
    """
    if learner is None and _is_discrete(covariates):
        model = _GroupMeans().fit(covariates, values)
        return model.predict
    design = _design(covariates)
    columns = design.columns
    model = clone(LinearRegression() if learner is None else learner).fit(design, values)
    return lambda X: model.predict(_design(X, columns))


class PartialRegressionTarget(Target):
    """Partially linear (projection) coefficient of a treatment on an outcome.

    ``psi(P) = E[(A - E[A|X])(Y - E[Y|X])] / E[(A - E[A|X])^2]``, the
    coefficient of ``A`` in the partially linear model ``Y = psi A + g(X) +
    e``; for discrete ``X`` it equals the OLS coefficient of ``A`` adjusted for
    dummies of ``X``. Its influence function is
    ``phi = (A - m_A(X)) (Y - m_Y(X) - psi (A - m_A(X))) / E[(A - m_A(X))^2]``.
    The nuisances ``m_A``, ``m_Y`` and ``psi(P_hat)`` are the generator's own,
    estimated on its auxiliary sample; the shift adds
    ``correction * (A - m_A(X))`` to the synthetic outcome, which moves the
    coefficient by ``correction`` without changing ``E[Y | X]`` (Decruyenaere
    et al., 2024, section 3).

    Parameters
    ----------
    outcome : str
        Numeric outcome column ``Y``.
    treatment : str
        Numeric or binary treatment column ``A``.
    covariates : list of str
        Adjustment columns ``X``.
    learner : regressor, default=None
        Model for ``E[Y|X]`` and ``E[A|X]`` fitted on the auxiliary sample.
        ``None`` uses group means when every covariate is discrete (categorical,
        boolean, object) and ``LinearRegression`` on a one-hot design otherwise.

    Examples
    --------
    >>> from sksynth.datasets import make_disease
    >>> from sksynth.inference import PartialRegressionTarget
    >>> data = make_disease(20_000, random_state=0)
    >>> target = PartialRegressionTarget("bp", "therapy", ["stage"])
    >>> round(target.psi(data))
    -20
    """

    def __init__(self, outcome, treatment, covariates, learner=None):
        if isinstance(covariates, str):
            covariates = [covariates]
        self.outcome = outcome
        self.treatment = treatment
        self.covariates = list(covariates)
        self.learner = learner
        self.name = f"coef({treatment} on {outcome} | {', '.join(self.covariates)})"
        self.used_columns = (outcome, treatment, *self.covariates)
        self.shifted_columns = (outcome,)

    def _arrays(self, data):
        _require_columns(data, self.used_columns, self.name)
        y = _numeric(data[self.outcome], self.outcome)
        a = _numeric(data[self.treatment], self.treatment)
        return y, a, data[self.covariates]

    def _residualised(self, data, nuisances):
        y, a, X = self._arrays(data)
        return a - nuisances["m_a"](X), y - nuisances["m_y"](X)

    def psi(self, data):
        y, a, X = self._arrays(data)
        m_a = fit_conditional_mean(X, a, self.learner)
        m_y = fit_conditional_mean(X, y, self.learner)
        r_a, r_y = a - m_a(X), y - m_y(X)
        return float(np.mean(r_a * r_y) / np.mean(r_a**2))

    def nuisances(self, aux):
        y, a, X = self._arrays(aux)
        nuisances = {
            "m_a": fit_conditional_mean(X, a, self.learner),
            "m_y": fit_conditional_mean(X, y, self.learner),
        }
        r_a, r_y = self._residualised(aux, nuisances)
        if np.mean(r_a**2) <= 0:
            raise ValueError(
                f"{self.name}: the treatment does not vary within covariate levels in the "
                "generator's samples, so the coefficient is not identified."
            )
        nuisances["psi"] = float(np.mean(r_a * r_y) / np.mean(r_a**2))
        return nuisances

    def eif(self, data, nuisances):
        r_a, r_y = self._residualised(data, nuisances)
        # denominator: the empirical mean over the rows evaluated (reference, step 3)
        return r_a * (r_y - nuisances["psi"] * r_a) / np.mean(r_a**2)

    def shift(self, synthetic, correction, nuisances):
        r_a, _ = self._residualised(synthetic, nuisances)
        shifted = synthetic.copy()
        shifted[self.outcome] = _numeric(synthetic[self.outcome], self.outcome) + correction * r_a
        return shifted


def check_targets(targets):
    """Validate a list of targets and refuse interfering shifts.

    A target's shift must not touch a column another target uses: shifting the
    outcome of one would change the estimand of the other.
    """
    if isinstance(targets, Target):
        targets = [targets]
    targets = list(targets)
    if not targets:
        raise ValueError("targets must hold at least one Target, e.g. [MeanTarget('age')].")
    for target in targets:
        for method in ("nuisances", "eif", "shift"):
            if not callable(getattr(target, method, None)):
                raise TypeError(
                    f"target {target!r} has no {method}(); targets follow the "
                    "sksynth.inference.Target protocol."
                )
    for i, first in enumerate(targets):
        for j, second in enumerate(targets):
            if i == j:
                continue
            clash = set(first.shifted_columns) & set(second.used_columns)
            if clash:
                raise ValueError(
                    f"targets {first!r} and {second!r} conflict: the shift of the first changes "
                    f"column(s) {sorted(clash)} that the second uses; debias them in separate "
                    "releases."
                )
    names = [t.name for t in targets]
    if len(set(names)) != len(names):
        raise ValueError(f"target names must be unique, got {names}.")
    return targets
