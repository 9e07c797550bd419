"""Diagnostics: is the synthetic table valid, and has the generator clearly failed?

:func:`diagnose` measures *validity* (values inside the real ranges, categories
seen in the real table, constraints, key columns that stay unique and fresh)
and turns the measures of :func:`~sksynth.metrics.evaluate` into short
*warnings* when a generator has clearly failed. :func:`evaluate` and
:class:`~sksynth.report.SyntheticDataReport` run the same checks.
"""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, validate_params

from ..utils._columns import infer_type
from ._tables import check_tables

__all__ = ["diagnose"]

#: A real category with at least this share of the real rows ...
COLLAPSE_MIN_SHARE = 0.05
#: ... collapses when its synthetic share is below this fraction of its real share.
COLLAPSE_FRACTION = 1 / 5
#: A numeric column collapses when one synthetic value holds at least this share ...
NUMERIC_COLLAPSE_SHARE = 0.90
#: ... of the synthetic rows while it holds less than this share of the real rows.
NUMERIC_COLLAPSE_REAL_SHARE = 0.50
#: Detection ROC-AUC at or above this: a classifier tells the tables apart.
DETECTION_AUC = 0.95
#: TSTR below TRTR minus this margin (absolute, in the units of the score).
TSTR_MARGIN = 0.10
#: DCR ratio below this (synthetic rows closer to the training rows than holdout rows).
DCR_RATIO = 1.0
#: One-sided level of the noise allowance of the DCR and exact-copy checks.
NOISE_LEVEL = 0.01
_Z = 2.326  # the one-sided 99% normal quantile

_SCORE_NAMES = {"roc_auc": "ROC-AUC", "roc_auc_ovr": "ROC-AUC (one-vs-rest)",
                "accuracy": "accuracy", "balanced_accuracy": "balanced accuracy",
                "r2": "R²", "f1": "F1", "f1_macro": "macro F1",
                "average_precision": "average precision"}


def headline_metric(utility):
    """The one utility score shown everywhere: ROC-AUC when measured, else the first."""
    if utility is None or len(utility) == 0:
        return None
    return "roc_auc" if "roc_auc" in utility.index else str(utility.index[0])


def score_label(name):
    """A readable name of a utility score (``"roc_auc"`` -> ``"ROC-AUC"``)."""
    if name is None:
        return ""
    return _SCORE_NAMES.get(name, str(name).replace("_", " "))


def _label(value):
    if value is None:
        return "(missing)"
    text = str(value)
    return text if len(text) <= 40 else text[:38] + "…"


def _number(value, column_kind):
    if column_kind == "datetime":
        stamp = pd.Timestamp(int(value))
        return str(stamp.date()) if stamp == stamp.normalize() else str(stamp)
    if column_kind == "timedelta":
        return str(pd.Timedelta(int(value)))
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"


def _column_kind(series):
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        return "timedelta"
    return "numeric"


# ---------------------------------------------------------------------------
# validity
# ---------------------------------------------------------------------------
def _constraint_list(generator, constraints, real):
    """The constraints to check: given ones (fitted on ``real`` when they learn), else
    those the fitted generator applies."""
    if constraints is not None:
        out = []
        for c in constraints:
            if callable(getattr(c, "fit", None)):
                try:
                    c = clone(c, safe=False).fit(real)
                except (ValueError, TypeError, KeyError):
                    pass  # e.g. real rows that violate it: check as given
            out.append(c)
        return out
    held = getattr(generator, "_constraints", None)
    if held:
        return list(getattr(held, "fitted_", []))
    return []


def _key_columns(schema, column_types):
    """Columns that identify rows: typed ``"id"`` by the generator, or unique in real
    (no missing value, at least 20 rows, integer or text values that are not dates,
    and typed integer or categorical by the generator, if one is given)."""
    real = schema.frames["real"]
    keys = []
    for col in schema.columns:
        declared = (column_types or {}).get(col)
        if declared == "id":
            keys.append(col)
            continue
        if declared is not None and declared not in ("integer", "categorical"):
            continue  # the generator models it (dates of a daily series are unique, not keys)
        series = real[col]
        if declared is None and infer_type(series) == "datetime":
            continue
        if len(series) < 20 or series.isna().any() or not series.is_unique:
            continue
        if schema.kinds[col] == "numeric":
            if _column_kind(series) != "numeric":
                continue
            values = schema.numeric("real", col)
            if not np.all(values == np.round(values)):
                continue  # a continuous measurement is unique by chance, not a key
        elif isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(
                series.dtype):
            continue
        keys.append(col)
    return keys


def _validity(schema, constraints, key_columns):
    rows = []
    syn_frame = schema.frames["synthetic"]
    for col in schema.columns:
        if schema.kinds[col] == "numeric":
            real = schema.numeric("real", col)
            syn = schema.numeric("synthetic", col)
            observed = real[~np.isnan(real)]
            kind = _column_kind(schema.frames["real"][col])
            if observed.size == 0:
                ok = np.isnan(syn)
                detail = "real values all missing"
            else:
                low, high = observed.min(), observed.max()
                with np.errstate(invalid="ignore"):
                    ok = (syn >= low) & (syn <= high)
                if observed.size < real.size:
                    ok |= np.isnan(syn)
                detail = f"real range [{_number(low, kind)}, {_number(high, kind)}]"
            rows.append(("range", col, float(np.mean(ok)), detail))
        else:
            codes, labels = schema.codes(col)
            seen = np.unique(codes["real"])
            ok = np.isin(codes["synthetic"], seen)
            unseen = np.setdiff1d(np.unique(codes["synthetic"]), seen)
            detail = (f"{unseen.size} categories not in real, e.g. {_label(labels[unseen[0]])!r}"
                      if unseen.size else f"{seen.size} real categories")
            rows.append(("categories", col, float(np.mean(ok)), detail))
    for c in constraints:
        try:
            ok = np.asarray(c.is_valid(syn_frame), dtype=bool)
        except KeyError as exc:
            raise ValueError(f"constraint {c!r} names a column the tables do not have "
                             f"({exc}).") from None
        rows.append(("constraint", repr(c), float(np.mean(ok)),
                     f"{int((~ok).sum())} of {ok.size} synthetic rows violate it"))
    for col in key_columns:
        real = schema.frames["real"][col].astype(object)
        syn = schema.frames["synthetic"][col].astype(object)
        counts = syn.value_counts(dropna=False)
        once = syn.map(counts).to_numpy() == 1
        fresh = ~syn.isin(set(real.dropna())).to_numpy()
        ok = once & fresh & syn.notna().to_numpy()
        rows.append(("key", col, float(np.mean(ok)),
                     f"{int((~once).sum())} repeated, {int((~fresh).sum())} copied from real"))
    return pd.DataFrame(rows, columns=["check", "column", "value", "detail"])


# ---------------------------------------------------------------------------
# warnings
# ---------------------------------------------------------------------------
def _collapse_warnings(schema):
    out = []
    for col in schema.columns:
        if schema.kinds[col] == "categorical":
            codes, labels = schema.codes(col)
            n_codes = len(labels)
            real = np.bincount(codes["real"], minlength=n_codes) / codes["real"].size
            syn = np.bincount(codes["synthetic"], minlength=n_codes) / codes["synthetic"].size
            lost = np.flatnonzero((real >= COLLAPSE_MIN_SHARE)
                                  & (syn < COLLAPSE_FRACTION * real))
            if lost.size == 0:
                continue
            worst = lost[np.argmax(real[lost] - syn[lost])]
            more = (f"; {lost.size - 1} more categor{'y' if lost.size == 2 else 'ies'} "
                    "likewise" if lost.size > 1 else "")
            out.append(
                f"collapsed column {col!r}: category {_label(labels[worst])!r} has "
                f"{real[worst]:.1%} of real rows but {syn[worst]:.1%} of synthetic rows "
                f"(threshold: below 1/5 of a real share >= {COLLAPSE_MIN_SHARE:.0%}){more}"
            )
        else:
            real = schema.numeric("real", col)
            syn = schema.numeric("synthetic", col)
            syn_obs = syn[~np.isnan(syn)]
            if syn_obs.size == 0:
                continue
            values, counts = np.unique(syn_obs, return_counts=True)
            top = int(np.argmax(counts))
            share = counts[top] / syn.size
            real_share = float(np.mean(real == values[top]))
            if share >= NUMERIC_COLLAPSE_SHARE and real_share < NUMERIC_COLLAPSE_REAL_SHARE:
                kind = _column_kind(schema.frames["real"][col])
                out.append(
                    f"collapsed column {col!r}: the value {_number(values[top], kind)} holds "
                    f"{share:.1%} of synthetic rows and {real_share:.1%} of real rows "
                    f"(threshold: >= {NUMERIC_COLLAPSE_SHARE:.0%} synthetic while < "
                    f"{NUMERIC_COLLAPSE_REAL_SHARE:.0%} real)"
                )
    return out


def _dcr_upper_bound(dcr, quantile, rng, n_resamples=200):
    """One-sided upper bound (level 1 - NOISE_LEVEL) of the DCR ratio, by bootstrap."""
    syn, hold = dcr["synthetic"], dcr["holdout"]
    q_syn = np.quantile(syn[rng.randint(0, syn.size, (n_resamples, syn.size))], quantile,
                        axis=1)
    q_hold = np.quantile(hold[rng.randint(0, hold.size, (n_resamples, hold.size))], quantile,
                         axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(q_hold > 0, q_syn / np.where(q_hold > 0, q_hold, 1.0),
                         np.where(q_syn == 0, 1.0, np.inf))
    return float(np.quantile(ratio, 1 - NOISE_LEVEL))


def _metric_warnings(table, extras, target, random_state):
    out = []
    values = table[table["column"].isna()].set_index("metric")["value"]
    auc = values.get("detection_auc")
    if auc is not None and auc >= DETECTION_AUC:
        out.append(f"detection_auc {auc:.3f} >= {DETECTION_AUC}: a classifier tells synthetic "
                   "rows from real ones")
    utility = extras.get("utility")
    name = headline_metric(utility)
    if name is not None:
        trtr, tstr = utility.loc[name, "trtr"], utility.loc[name, "tstr"]
        if tstr < trtr - TSTR_MARGIN:
            out.append(f"tstr_{name} {tstr:.3f} < trtr_{name} {trtr:.3f} - {TSTR_MARGIN:.2f}: a "
                       f"model trained on synthetic rows predicts {target!r} far worse "
                       f"({score_label(name)} on the holdout)")
    privacy = extras.get("privacy", {})
    dcr = extras.get("dcr", {})
    if "dcr_ratio" in privacy and "holdout" in dcr:
        ratio = privacy["dcr_ratio"]
        if ratio < DCR_RATIO:
            bound = _dcr_upper_bound(dcr, 0.5, check_random_state(random_state))
            if bound < DCR_RATIO:
                out.append(f"dcr_ratio {ratio:.3f} < {DCR_RATIO:g} (99% upper bound "
                           f"{bound:.3f}): synthetic rows are closer to the training rows "
                           "than holdout rows are")
    if "exact_match_rate_holdout" in privacy and "holdout" in dcr:
        rate, ref = privacy["exact_match_rate"], privacy["exact_match_rate_holdout"]
        n_syn, n_hold = dcr["synthetic"].size, dcr["holdout"].size
        pooled = (rate * n_syn + ref * n_hold) / (n_syn + n_hold)
        noise = _Z * np.sqrt(pooled * (1 - pooled) * (1 / n_syn + 1 / n_hold))
        if rate > ref + noise:
            out.append(f"exact_match_rate {rate:.2%} > exact_match_rate_holdout {ref:.2%} "
                       f"(+ {noise:.2%} noise allowance): synthetic rows copy training rows")
    return out


def _validity_warnings(validity):
    out = []
    for rec in validity.itertuples(index=False):
        if rec.check == "constraint" and rec.value < 1:
            out.append(f"constraint {rec.column}: {rec.value:.1%} of synthetic rows satisfy "
                       "it (threshold: 100%)")
        elif rec.check == "key" and rec.value < 1:
            out.append(f"key column {rec.column!r}: {rec.value:.1%} of synthetic values are "
                       f"unique and not in real ({rec.detail}; threshold: 100%)")
    return out


def _diagnose(schema, table, extras, *, target=None, generator=None, constraints=None,
              column_types=None, random_state=0):
    """Validity and warnings from the measures of ``_evaluate``."""
    if column_types is None:
        column_types = getattr(generator, "column_types_", None)
    checked = _constraint_list(generator, constraints, schema.frames["real"])
    validity = _validity(schema, checked, _key_columns(schema, column_types))
    warnings = (_collapse_warnings(schema) + _metric_warnings(table, extras, target,
                                                              random_state)
                + _validity_warnings(validity))
    return Bunch(validity=validity, warnings=warnings)


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "holdout": ["array-like", None],
        "target": [str, None],
        "generator": [HasMethods(["sample"]), None],
        "constraints": [list, tuple, None],
        "detection": ["boolean"],
        "max_samples": [Interval(Integral, 10, None, closed="left"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def diagnose(real, synthetic, *, holdout=None, target=None, generator=None, constraints=None,
             detection=True, max_samples=10_000, random_state=0, n_jobs=None):
    """Validity of a synthetic table, and warnings when its generator has clearly failed.

    Validity is the share of synthetic rows that pass each check (higher is
    better, in [0, 1]):

    - ``"range"``: a numeric (integer, float, datetime) column's value lies
      within the real column's ``[min, max]`` (a missing value passes when the
      real column has missing values);
    - ``"categories"``: a categorical column's value is a category of the real
      column;
    - ``"constraint"``: the row satisfies a constraint (``constraints``, or those
      the fitted ``generator`` applies: then 1.0 by construction);
    - ``"key"``: a key column's value occurs once in the synthetic table and
      never in the real one. Key columns are those the generator typed
      ``"id"`` and those unique in the real table (no missing value, at least
      20 rows, integer or text values; continuous floats are unique by chance).

    A warning is one short line naming the column or metric, its value and the
    threshold. The thresholds:

    - **collapsed column**: a real category with a share >= 5% whose synthetic
      share is below 1/5 of its real share (missing values count as a
      category); for a numeric column, one synthetic value holding >= 90% of
      the synthetic rows while it holds < 50% of the real rows;
    - **detection**: detection ROC-AUC >= 0.95 (with ``detection=True``);
    - **utility**: TSTR < TRTR - 0.10 for the headline utility score, ROC-AUC
      when :func:`utility_scores` computes it (binary targets) and otherwise
      its first score (accuracy for multi-class targets, R² for regression);
      the margin is absolute, in the units of the score (needs ``holdout`` and
      ``target``);
    - **DCR ratio** < 1, beyond sampling noise: the one-sided 99% bootstrap
      upper bound of the ratio of median distances is below 1 too (needs
      ``holdout``; a fresh draw of the real distribution has a ratio near 1
      and so is flagged about 1% of the time);
    - **exact copies**: ``exact_match_rate`` above ``exact_match_rate_holdout``
      by more than 2.326 standard errors of the difference (one-sided 1%; needs
      ``holdout``);
    - a **constraint** with validity below 1, and a **key** column with validity
      below 1.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real rows the generator was fitted on.
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The synthetic rows, with the same columns (in any order).
    holdout : array-like or DataFrame of shape (n_holdout, n_features), default=None
        Real rows the generator never saw; enables the utility, DCR and
        exact-copy warnings.
    target : str, default=None
        Column to predict for the utility warning (with ``holdout``).
    generator : fitted generator, default=None
        The generator that drew ``synthetic``: its constraints (when
        ``constraints`` is None) and its ``column_types_`` (``"id"`` columns
        are keys) are checked.
    constraints : list of constraints, default=None
        Constraints to check (see :mod:`sksynth.constraints`; any object with
        ``is_valid(frame)``); those that learn from data are fitted on ``real``
        first. None: the generator's.
    detection : bool, default=True
        Whether to run the classifier two-sample test (the slowest step).
    max_samples : int or None, default=10_000
        Row cap of the sampled measures (see :func:`evaluate`).
    random_state : int, RandomState instance or None, default=0
        Seeds every random choice.
    n_jobs : int, default=None
        Parallel jobs of the detection folds and neighbour searches.

    Returns
    -------
    diagnosis : :class:`~sklearn.utils.Bunch`
        With ``validity``, a DataFrame with one row per check and the columns
        ``check`` (``"range"``, ``"categories"``, ``"constraint"`` or
        ``"key"``), ``column`` (the column, or the constraint's repr),
        ``value`` (share of synthetic rows that pass) and ``detail``;
        ``warnings``, a list of str (empty when nothing failed); and
        ``results``, the table of :func:`evaluate` the warnings come from.

    See Also
    --------
    evaluate : The same warnings and validity, in ``results.attrs``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sksynth.metrics import diagnose
    >>> rng = np.random.default_rng(0)
    >>> def draw(n):
    ...     return pd.DataFrame({"x": rng.normal(size=n),
    ...                          "c": rng.choice(["a", "b", "c"], size=n)})
    >>> real, holdout = draw(1000), draw(1000)
    >>> diagnose(real, draw(1000), holdout=holdout, detection=False).warnings
    []
    >>> collapsed = draw(1000).assign(c="a")
    >>> diagnosis = diagnose(real, collapsed, holdout=holdout, detection=False)
    >>> print(diagnosis.warnings[0])
    collapsed column 'c': category 'c' has 35.0% of real rows but 0.0% of synthetic rows
    (threshold: below 1/5 of a real share >= 5%); 1 more category likewise
    >>> diagnosis.validity[["check", "column", "value"]]
            check column  value
    0       range      x  0.998
    1  categories      c  1.000
    >>> print(diagnose(real, real, holdout=holdout, detection=False).warnings[0])
    dcr_ratio 0.000 < 1 (99% upper bound 0.000): synthetic rows are closer to ...
    """
    from ._evaluate import _evaluate

    if target is not None and holdout is None:
        raise ValueError(
            "target was given without holdout: utility is measured on real rows the "
            "generator never saw; pass holdout=<those rows>, or leave target=None."
        )
    schema = check_tables(real, synthetic, holdout, target=target)
    table, extras = _evaluate(schema, target=target, detection=bool(detection),
                              max_samples=max_samples, n_bootstrap=0,
                              random_state=random_state, n_jobs=n_jobs, diagnose=False)
    diagnosis = _diagnose(schema, table, extras, target=target, generator=generator,
                          constraints=constraints, random_state=random_state)
    diagnosis.results = table
    return diagnosis
