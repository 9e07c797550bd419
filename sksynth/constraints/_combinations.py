"""Only the combinations of values of some columns that occur in training (or are declared)."""

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import StrOptions

from ._base import BaseConstraint

__all__ = ["FixedCombinations"]

#: Stands for a missing value inside a combination's key (NaN != NaN).
_MISSING = ("__missing__",)


def _keys(X, columns):
    """One hashable key per row: the tuple of its values in ``columns``."""
    parts = [X[c].astype(object).where(X[c].notna(), _MISSING).to_numpy() for c in columns]
    return [tuple(values) for values in zip(*parts)]


class FixedCombinations(BaseConstraint):
    """Sampled rows only hold combinations of ``columns`` seen in training.

    The generator models the combination as one categorical column (in place
    of ``columns``, at the position of the first), so every sampled row holds a
    combination that some training row held (or that ``combinations``
    declares) -- e.g. a penguin species only on the islands where it lives.
    Missing values are part of a combination.

    Conditions: on every column of the combination, the matching combination
    is requested; on some of them, each row's combination is drawn among
    those that match, in proportion to their training counts (uniformly when
    ``combinations`` is declared: no count is read then); a combination never
    seen is refused.

    Parameters
    ----------
    columns : list of str or int
        Two or more columns (categorical, boolean, integer or any other type).
    combinations : DataFrame, list of tuples or None, default=None
        The allowed combinations, declared (a public domain: nothing about
        them is read from the data). ``None`` takes those of the training rows,
        which a release reveals (private generators record it in their ledger).
    on_violation : {"raise", "drop"}, default="raise"
        What ``fit`` does with training rows whose combination is not declared.

    Attributes
    ----------
    combinations_ : DataFrame of shape (n_combinations, len(columns))
        The allowed combinations, in the columns' dtypes.
    counts_ : ndarray of shape (n_combinations,)
        Training rows per combination (ones when ``combinations`` is declared).
    column_name_ : str
        Name of the categorical column the model sees.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.constraints import FixedCombinations
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> X = pd.DataFrame({"species": ["Adelie", "Gentoo", "Chinstrap", "Adelie"] * 50,
    ...                   "island": ["Dream", "Biscoe", "Dream", "Torgersen"] * 50})
    >>> gen = GaussianCopulaGenerator(constraints=[FixedCombinations(["species", "island"])],
    ...                               random_state=0).fit(X)
    >>> rows = gen.sample(500)
    >>> sorted(set(zip(rows["species"], rows["island"])))  # doctest: +NORMALIZE_WHITESPACE
    [('Adelie', 'Dream'), ('Adelie', 'Torgersen'), ('Chinstrap', 'Dream'),
     ('Gentoo', 'Biscoe')]
    """

    _parameter_constraints = {
        **BaseConstraint._parameter_constraints,
        "columns": [list, tuple],
        "combinations": [None, list, pd.DataFrame],
        "on_violation": [StrOptions({"raise", "drop"})],
    }

    def __init__(self, columns, *, combinations=None, on_violation="raise"):
        self.columns = columns
        self.combinations = combinations
        self.on_violation = on_violation

    def _check_types(self, types):
        if len(self.columns) < 2 or len(set(self.columns)) != len(self.columns):
            raise ValueError(
                f"{self!r} needs two or more distinct columns, got {list(self.columns)}."
            )

    def _declared(self):
        if self.combinations is None:
            return None
        if isinstance(self.combinations, pd.DataFrame):
            table = self.combinations[list(self.columns)]
        else:
            rows = [tuple(r) for r in self.combinations]
            if any(len(r) != len(self.columns) for r in rows):
                raise ValueError(
                    f"every declared combination must have {len(self.columns)} values "
                    f"(one per column of {list(self.columns)})."
                )
            table = pd.DataFrame(rows, columns=list(self.columns))
        if table.empty:
            raise ValueError(f"{self!r}: the declared combinations are empty.")
        return table.drop_duplicates().reset_index(drop=True)

    def is_valid(self, X):
        """Whether each row's combination is allowed (declared; before fit: always).

        Parameters
        ----------
        X : DataFrame of shape (n_samples, n_features)

        Returns
        -------
        valid : ndarray of shape (n_samples,) of bool
        """
        lookup = getattr(self, "_lookup", None)
        if lookup is None:
            declared = self._declared()
            if declared is None:
                return np.ones(X.shape[0], dtype=bool)
            lookup = {k: i for i, k in enumerate(_keys(declared, self.columns))}
        return np.array([k in lookup for k in _keys(X, self.columns)], dtype=bool)

    def _fit(self, X, types):
        declared = self._declared()
        keys = _keys(X, self.columns)
        if declared is None:
            first = pd.Series(keys).drop_duplicates()
            self.combinations_ = X.iloc[first.index][list(self.columns)].reset_index(drop=True)
        else:
            self.combinations_ = declared.astype(
                {c: X[c].dtype for c in self.columns}, errors="ignore")
        self._lookup = {k: i for i, k in enumerate(_keys(self.combinations_, self.columns))}
        codes = np.array([self._lookup[k] for k in keys], dtype=np.int64)
        self.counts_ = (np.bincount(codes, minlength=len(self.combinations_)).astype(float)
                        if declared is None else np.ones(len(self.combinations_)))
        name = "+".join(map(str, self.columns))
        while name in X.columns:
            name = f"_{name}"
        self.column_name_ = name
        self._position = list(X.columns).index(self.columns[0])
        return self

    @property
    def rewrites(self):
        """The columns ``transform`` replaces: all of ``columns``."""
        return list(self.columns)

    def _codes(self, X):
        return np.array([self._lookup.get(k, -1) for k in _keys(X, self.columns)],
                        dtype=np.int64)

    def transform(self, X):
        """Replace ``columns`` by the index of each row's combination (-1: not allowed).

        Parameters
        ----------
        X : DataFrame of shape (n_samples, n_features)

        Returns
        -------
        Xt : DataFrame of shape (n_samples, n_features - len(columns) + 1)
        """
        codes = self._codes(X)
        out = X.drop(columns=list(self.columns))
        position = min(self._position, out.shape[1])
        out.insert(position, self.column_name_, codes)
        return out

    def inverse_transform(self, Xt):
        """Put back ``columns`` from the combination indices.

        Parameters
        ----------
        Xt : DataFrame

        Returns
        -------
        X : DataFrame
        """
        codes = pd.to_numeric(Xt[self.column_name_]).to_numpy().astype(np.int64)
        values = self.combinations_.iloc[codes].reset_index(drop=True)
        out = Xt.drop(columns=[self.column_name_]).reset_index(drop=True)
        for c in self.columns:
            out[c] = values[c]
        return out

    def _conditions(self, conditions, n_rows, rng):
        given = [c for c in self.columns if c in conditions]
        if not given:
            return conditions
        table = self.combinations_
        match = np.ones((n_rows, len(table)), dtype=bool)
        for c in given:
            wanted = pd.Series(np.broadcast_to(np.asarray(conditions[c], dtype=object),
                                               (n_rows,)))
            allowed = table[c].astype(object)
            for i, value in enumerate(pd.unique(wanted)):
                rows = (wanted == value).to_numpy() if not pd.isna(value) else \
                    wanted.isna().to_numpy()
                hit = allowed.isna().to_numpy() if pd.isna(value) else (
                    allowed == value).to_numpy()
                match[rows] &= hit[None, :]
        dead = ~match.any(axis=1)
        if dead.any():
            row = int(np.flatnonzero(dead)[0])
            asked = {c: np.broadcast_to(np.asarray(conditions[c], dtype=object),
                                        (n_rows,))[row] for c in given}
            raise ValueError(
                f"the conditions {asked} ask for a combination of {list(self.columns)} that "
                f"{self!r} does not allow (never seen in training)."
            )
        usable = self.counts_ >= getattr(self, "min_count_", 1)
        if not (match & usable).any(axis=1).all():
            raise ValueError(
                f"the conditions on {given} match only combinations of {list(self.columns)} "
                f"that fewer than min_group_size={self.min_count_} training rows hold; rows "
                "drawn for so few would replay them (privacy). Lower min_group_size to allow it."
            )
        weights = match * usable * self.counts_[None, :]
        weights /= weights.sum(axis=1, keepdims=True)
        codes = (weights.cumsum(axis=1) > rng.random_sample((n_rows, 1))).argmax(axis=1)
        out = {k: v for k, v in conditions.items() if k not in self.columns}
        out[self.column_name_] = codes
        return out

    def _public_domain(self):
        if self.combinations is None:
            return None
        return "categories", self.column_name_, list(range(len(self.combinations_)))

    def _modelled_types(self):
        return {self.column_name_: "categorical"}
