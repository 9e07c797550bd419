"""The public data domain of :class:`LipschitzVAE` and ``DPSGDVAE``, and its ledger.

:class:`_DeclaredDomainMixin` reads the validated table once at fit: which
parts of the schema, the column domains, the columns that may be missing and
the class labels are declared (public) or read from the data (recorded as
``not_private`` in the :class:`~sksynth.privacy.PrivacyLedger`), and releases the
missing counts with the Gaussian mechanism (:mod:`._lipschitz_columns`). The
decided domains then drive a :class:`~sksynth.generators.TabularEncoder` in
its declared-domain mode (``_column_encoder``), which encodes the rows and
decodes the values; no domain is read there. The estimator keeps the
networks, training and sampling.
"""

import numpy as np
from sklearn.utils import check_random_state

from .._accountant import PrivacyLedger
from ..base import _MAX_SEED
from ._lipschitz_columns import (
    _can_be_missing,
    _check_nullable,
    _column_domain,
    _is_declared_nullable,
    _MissingCounts,
    _values,
)
from ._table_spec import _TableSpec
from ._tabular import TabularEncoder

#: Name of the class label in ``categories`` and in the ledger.
_TARGET = "__target__"


class _DeclaredDomainMixin:
    """Domain, nullability, missing counts and class labels of a fit, with their ledger rows.

    Needs the estimator's ``bounds``, ``categories``, ``nullable``,
    ``delta``, ``random_state``, its ``_constraints``, ``_y_spec`` and
    ``_model_column_types()``, and ``_dp_weights()``.
    """

    def _fit_domain(self, frame, X):
        """Record the data domain of the validated table in a ledger; set ``delta_``.

        Columns start complete; :meth:`_counted_columns` and
        :meth:`_release_missing` decide which may be missing.
        """
        n = frame.shape[0]
        ledger = PrivacyLedger()
        ledger.add("schema", "public",
                   note="number of rows, column names, dtypes, column types (from dtypes; integer "
                        "columns of at most ten close levels are read as codes unless bounds "
                        "are declared), and which columns are identifiers (inferred from their values being "
                        "distinct unless declared; their values are never used)")
        # a column with declared bounds is a number, whatever its values look like
        self._spec = _TableSpec(frame, X, self._model_column_types(),
                                numbers=set(self.bounds or ()))
        self.column_types_ = self._spec.column_types
        empty = [self._spec.all_columns[p] for p, c in self._spec.hidden.items()
                 if c.kind == "missing"]
        if empty:
            ledger.add("entirely missing columns", "not_private",
                       note=f"{empty} are missing in every row of fit, read from the data (they "
                            "are not modelled and come back missing); drop them")
        _check_nullable(self.nullable, self._spec)
        bounds, categories = self.bounds, self.categories
        if self._constraints:  # domains of the columns the constraints rewrite
            bounds, categories = self._constraints.model_domains(bounds, categories)
            ledger.add("constraints", "public" if self._constraints.public_ else "not_private",
                       note=self._constraints.ledger_note_)
        self._columns = [_column_domain(self._spec, frame, j, bounds, categories,
                                        ledger) for j in range(self._spec.n_columns)]
        self._nullable_by_declaration(frame, ledger)
        if self._y_spec is not None:
            self._label_column(ledger)
        self.delta_ = float(self.delta) if self.delta is not None else 1.0 / max(n, 2)
        return ledger, check_random_state(self.random_state)

    def _nullable_by_declaration(self, frame, ledger):
        """Columns that may be missing by the user's declaration or complete by dtype."""
        by_type = [c.name for j, c in enumerate(self._columns)
                   if not _can_be_missing(self._spec, j) and self._spec.kept[j] is not None]
        for j, column in enumerate(self._columns):
            if self.nullable is not None:
                column.nullable = _is_declared_nullable(self.nullable, self._spec, j)
                column.complete_reason = "`nullable` does not list it"
                values = _values(self._spec, frame, j, column.categories is not None)
                if not column.nullable and column.missing(values).any():
                    raise ValueError(
                        f"column {column.name!r} has missing values, but `nullable` does not "
                        "list it; add it to nullable (or pass nullable='all').")
            elif not _can_be_missing(self._spec, j):
                column.complete_reason = "its dtype cannot hold missing values"
        if self.nullable is not None:
            listed = [c.name for c in self._columns if c.nullable]
            ledger.add("columns that may be missing", "public",
                       note=f"declared by the user (nullable): {listed}")
        elif by_type:
            ledger.add("complete columns by dtype", "public",
                       note=f"{by_type}: integer or boolean dtypes cannot hold missing values")

    def _counted_columns(self):
        """Modelled columns whose missing counts are released: with ``nullable=None`` every
        column whose dtype can hold a missing value; declared, none -- except with DP-SGD
        weights, whose missing rates are calibrated to the counts of the declared columns."""
        if self.nullable is None:
            return [j for j in range(len(self._columns)) if _can_be_missing(self._spec, j)]
        if not self._dp_weights():
            return []
        return [j for j in range(len(self._columns))
                if _is_declared_nullable(self.nullable, self._spec, j)
                and _can_be_missing(self._spec, j)]

    def _release_missing(self, frame, counted, mu, ledger, rng, within=None):
        """Release the missing counts of ``counted`` columns (``mu``-GDP); decide nullability.

        With ``nullable=None`` a column is nullable when its noisy count is
        above the threshold; with a declaration the counts (``DPSGDVAE``'s
        calibration) do not change which columns are nullable.
        """
        self._missing_release, self._counted = None, list(counted)
        self.missing_counts_ = {}
        if not counted:
            self._fit_column_encoder()
            return None
        n = frame.shape[0]
        missing = np.column_stack([
            self._columns[j].missing(_values(self._spec, frame, j,
                                             self._columns[j].categories is not None))
            for j in counted])
        release = _MissingCounts(missing, mu, n, np.random.RandomState(rng.randint(_MAX_SEED)))
        names = [self._columns[j].name for j in counted]
        note = (f"Gaussian mechanism on the counts of {names}: sensitivity sqrt({release.k}), "
                f"noise sd {release.sd:.4g} per count")
        if within is not None:
            note += f"; composed with {within!r} by its accountant"
        if self.nullable is None:
            note += (f"; a column whose noisy count is below {release.threshold:.4g} "
                     "(3 sd) is treated as complete")
            for j, present in zip(counted, release.present):
                self._columns[j].nullable = bool(present)
                self._columns[j].imputed = not present
        ledger.add(f"missing counts ({release.k} columns)", "gdp", mu=mu, within=within,
                   note=note)
        self._missing_release = release
        self.missing_counts_ = {name: float(c) for name, c in zip(names, release.noisy)}
        self._fit_column_encoder()
        return release

    def _fit_column_encoder(self):
        """The :class:`TabularEncoder` of the decided domains (nullability included)."""
        self._column_encoder = TabularEncoder._on_domains(
            self._spec, [column.domain() for column in self._columns])

    def _label_column(self, ledger):
        declared = None if self.categories is None else self.categories.get(_TARGET)
        classes = self._y_spec.classes
        if declared is None:
            ledger.add("classes of y", "not_private",
                       note="read from the data; declare them as categories['__target__']")
        else:
            missing = set(classes.tolist()) - set(list(declared))
            if missing:
                raise ValueError(f"y has classes {sorted(missing, key=repr)[:5]} not in "
                                 "categories['__target__'].")
            ledger.add("classes of y", "public", note="declared by the user")
            self._y_spec.classes = np.asarray(sorted(declared), dtype=classes.dtype)
            self.classes_ = self._y_spec.classes
            self._y_spec.encoded = np.searchsorted(self._y_spec.classes,
                                                   classes[self._y_spec.encoded])
