"""The catalogue of quirky tables, the estimators it runs over, and :func:`run_quirks`.

Each :class:`~sksynth.testing.QuirkCase` of :func:`quirk_cases` makes a small
table (and optional ``y``) from a data-generating process and states, for
numeric-only generators, mixed-type generators, pruners and sequence
generators, what must happen (an :class:`~sksynth.testing.Expect`).
:func:`quirk_subjects` lists the public generators and pruners (small
settings), and :func:`run_quirks` runs every subject on every case that
applies to it.

The cases follow issue 19 (identifiers replayed, tiny classes replayed, int64
wrapping, missingness, constant columns, unseen categories, obscure errors of
numeric-only estimators) plus duplicate and non-string column names,
timezone-aware datetimes, timedeltas, booleans, mixed object columns, sparse
input, one row, zero columns and values near 1e300.
"""

import importlib
import importlib.util
import re

import numpy as np
import pandas as pd
from scipy import sparse

from ._quirk_checks import (
    _all,
    _all_missing,
    _constant,
    _datetime_in_range,
    _filtered,
    _filtered_rows,
    _finite_in_range,
    _finite_sequences,
    _fresh_ids,
    _int_in_range,
    _kept,
    _missing_rate,
    _no_near_copy_of,
    _no_near_copy_of_rows,
    _scale_kept,
    _text_dates_kept,
    _unseen_scores_neg_inf,
    _within_training,
)
from ._quirks import Expect, QuirkCase, QuirkSubject, run_quirk

__all__ = ["quirk_cases", "quirk_subjects", "run_quirks"]

# what a message must offer as the fix: a generator that takes the input, or what to do
_FIX = (r"(GaussianCopulaGenerator|TabularVAE|ConditionalTabularGAN|LipschitzVAE|convert|"
        r"encode|astype|impute|Imputer|drop|remove|rescale|scale)")


def _names(column, *also):
    """A regex (any order, any line) requiring ``column`` and each pattern in ``also``."""
    parts = [rf"(?=.*(?<![\w]){re.escape(str(column))}(?![\w]))"]
    parts += [f"(?=.*{pattern})" for pattern in also]
    return "(?s)" + "".join(parts)


def _error(regex, types=(ValueError, TypeError)):
    return Expect(errors=((types, regex),))


# ---------------------------------------------------------------------------
# the tables
# ---------------------------------------------------------------------------
def _numeric(rng, n):
    return pd.DataFrame({
        "age": rng.integers(18, 90, n).astype(np.int64),
        "income": np.round(rng.lognormal(10, 0.5, n), 2),
        "score": rng.normal(0, 1, n),
    })


def _mixed(rng, n):
    X = _numeric(rng, n)
    X["city"] = rng.choice(["Lyon", "Oslo", "Porto", "Quito"], n, p=[.4, .3, .2, .1])
    X["color"] = pd.Categorical(rng.choice(["red", "green", "blue"], n))
    return X


def _with(column, values_fn, base=_numeric):
    def make(rng, n):
        X = base(rng, n)
        X[column] = values_fn(rng, n)
        return X, None
    return make


def _make_string_id(rng, n):
    X = _numeric(rng, n)
    X.insert(0, "order_id", [f"ORD-{k:06d}" for k in rng.choice(10**6, n, replace=False)])
    return X, None


def _make_int_id(rng, n):
    X = _numeric(rng, n)
    X.insert(0, "customer_id", rng.choice(np.arange(10**6, 10**7), n, replace=False))
    return X, None


def _make_tiny_classes(rng, n):
    X = pd.DataFrame(rng.integers(0, 100_000, (n, 3)), columns=["a", "b", "c"])
    X["d"] = rng.normal(0, 1, n)
    y = np.array(["big1", "big2"] * (n // 2) + ["big1"] * (n % 2), dtype=object)
    y[:2] = ["solo1", "solo2"]
    return X, y


def _make_missing(rng, n):
    X = _numeric(rng, n)
    X.loc[rng.random(n) < 0.10, "income"] = np.nan
    X.loc[rng.random(n) < 0.33, "score"] = np.nan
    return X, None


def _make_near_max(dtype):
    def make(rng, n):
        info = np.iinfo(dtype)
        X = _numeric(rng, n)
        X["big"] = (np.array(info.max, dtype=dtype)
                    - rng.integers(0, 10**6, n).astype(dtype)).astype(dtype)
        return X, None
    return make


def _make_duplicates(rng, n):
    X = _numeric(rng, n)
    X.columns = ["dup_col", "dup_col", "score"]
    return X, None


def _renamed(names):
    def make(rng, n):
        X = _numeric(rng, n)
        X.columns = pd.Index(names, tupleize_cols=False)
        return X, None
    return make


def _make_mixed_object(rng, n):
    X = _numeric(rng, n)
    X["code"] = pd.Series(rng.choice(np.array([1, 2, "x", "y"], dtype=object), n), dtype=object)
    return X, None


def _make_timestamps(rng, n):
    X = _numeric(rng, n)
    days = rng.integers(0, 365, n)
    X["when"] = pd.Series([pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(d)) for d in days],
                          dtype=object)
    return X, None


def _dates(tz=None):
    def values(rng, n):
        base = pd.Timestamp("2024-01-01", tz=tz)
        return pd.Series(base + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h"))
    return values


def _make_sparse(rng, n):
    dense = rng.normal(0, 1, (n, 4)) * (rng.random((n, 4)) < 0.3)
    return sparse.csr_matrix(dense), None


def _make_float32(rng, n):
    return rng.normal(0, 1, (n, 3)).astype(np.float32), None


def _make_huge(rng, n):
    X = _numeric(rng, n)
    X["big"] = 1e300 * (1 + 0.1 * rng.normal(0, 1, n))
    return X, None


def _clear_or(check, *errors):
    return Expect(check=check, errors=tuple(errors))


_VE = (ValueError, TypeError)


def _not_numeric(column):
    """numeric-only estimators: a clear error naming the column and the fix"""
    return _error(_names(column, _FIX))


def quirk_cases():
    """The catalogue: one :class:`QuirkCase` per quirky input (issue 19 and more).

    Returns
    -------
    cases : list of QuirkCase
    """
    nan_named = _error(r"(?s)(?=.*(NaN|missing))(?=.*\b(income|score)\b)")
    id_str = "order_id"
    huge = _clear_or(_all(_kept, _finite_in_range("big")),
                     (_VE, _names("big", r"(large|overflow|scale|range|finite|1e\+?300)")))
    small_group = (ValueError, r"(min_group_size|fewer than|too few)")
    # generators that model X alone (DebiasedGenerator) say so when asked for X | y
    no_y_model = (ValueError, r"does not sample given y")
    datetime_ok = (_VE, _names("when", r"(datetime|date|Timestamp|time)"))
    return [
        QuirkCase("string_id", "identifier columns are replayed (string ids)", _make_string_id,
                  numeric=_not_numeric(id_str),
                  mixed=Expect(_all(_kept, _fresh_ids(id_str, r"ORD-\d{6}")))),
        QuirkCase("integer_id", "identifier columns are replayed (integer ids)", _make_int_id,
                  numeric=Expect(_kept),
                  mixed=Expect(_all(_kept, _fresh_ids("customer_id")))),
        QuirkCase("one_member_classes", "rows of tiny classes are replayed (sample(y=k))",
                  _make_tiny_classes, action="sample_y", params={"label": "solo1"},
                  numeric=_clear_or(_all(_kept, _no_near_copy_of("solo1")), small_group,
                                    no_y_model),
                  mixed=_clear_or(_all(_kept, _no_near_copy_of("solo1")), small_group,
                                  no_y_model)),
        QuirkCase("one_row", "a one-row table comes back verbatim",
                  lambda rng, n: (_numeric(rng, n), None), n_rows=1,
                  numeric=_clear_or(_all(_kept, _no_near_copy_of_rows), small_group),
                  mixed=_clear_or(_all(_kept, _no_near_copy_of_rows), small_group),
                  pruner=Expect(_filtered, errors=((ValueError, r"(at least (cv=)?(2|two)|minimum "
                                                                r"of 2|fewer than|too few)"),))),
        QuirkCase("int64_near_max", "integers near the int64 limit wrap to -2^63",
                  _make_near_max(np.int64),
                  numeric=Expect(_all(_kept, _int_in_range("big"))),
                  mixed=Expect(_all(_kept, _int_in_range("big")))),
        QuirkCase("uint64_near_max", "uint64 near 2^64 becomes 0", _make_near_max(np.uint64),
                  numeric=Expect(_all(_kept, _int_in_range("big"))),
                  mixed=Expect(_all(_kept, _int_in_range("big")))),
        QuirkCase("all_missing_column", "an all-missing column comes back filled",
                  _with("notes", lambda rng, n: np.full(n, np.nan)),
                  numeric=_error(_names("notes", r"(NaN|missing)")),
                  mixed=Expect(_all(_kept, _all_missing("notes"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("missing_rates", "missing rates of 10% / 33% are not reproduced",
                  _make_missing, trained=True, n_rows=400,
                  numeric=nan_named, mixed=Expect(_all(_kept, _missing_rate("income", "score"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("constant_column", "constant columns are widened (reg_covar unscaled)",
                  _with("const", lambda rng, n: np.full(n, 7.5)),
                  numeric=Expect(_all(_kept, _constant("const"))),
                  mixed=Expect(_all(_kept, _constant("const")))),
        QuirkCase("near_constant_column", "sd 1e-12 becomes 1e-3", trained=True,
                  make=_with("tiny_sd", lambda rng, n: 3.0 + 1e-12 * rng.normal(0, 1, n)),
                  numeric=Expect(_all(_kept, _scale_kept("tiny_sd"))),
                  mixed=Expect(_all(_kept, _scale_kept("tiny_sd")))),
        QuirkCase("unseen_category_score", "score of a row with an unseen category is finite",
                  lambda rng, n: (_mixed(rng, n), None), action="score_unseen",
                  params={"column": "city", "value": "Atlantis"},
                  mixed=_clear_or(_unseen_scores_neg_inf,
                                  (ValueError, _names("city", r"(unseen|never seen|unknown|not "
                                                              r"seen|Atlantis)")))),
        QuirkCase("string_column", "numeric-only estimators on string/category columns",
                  lambda rng, n: (_mixed(rng, n), None),
                  numeric=_error(r"(?s)(?=.*\b(city|color)\b)" + f"(?=.*{_FIX})"),
                  mixed=Expect(_all(_kept, _within_training("city"), _within_training("color"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("datetime_column", "numeric-only estimators on datetime columns",
                  _with("when", _dates()), numeric=_not_numeric("when"),
                  mixed=_clear_or(_all(_kept, _datetime_in_range("when")), datetime_ok),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("text_dates", "dates stored as text, day first (as a CSV gives them)",
                  _with("when", lambda rng, n: pd.Series(
                      (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n),
                                                                    "D")).strftime("%d/%m/%Y"),
                      dtype=object)),
                  numeric=_not_numeric("when"),
                  mixed=Expect(_all(_kept, _text_dates_kept("when", "%d/%m/%Y"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("tz_datetime_column", "timezone-aware datetimes",
                  _with("when", _dates("Europe/Paris")), numeric=_not_numeric("when"),
                  mixed=_clear_or(_all(_kept, _datetime_in_range("when")), datetime_ok),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("timestamp_objects", "numeric-only estimators on Timestamp objects",
                  _make_timestamps, numeric=_not_numeric("when"),
                  mixed=_clear_or(_all(_kept, _datetime_in_range("when")), datetime_ok),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("timedelta_column", "timedelta columns",
                  _with("wait", lambda rng, n: pd.to_timedelta(rng.integers(1, 600, n), "min")),
                  numeric=_not_numeric("wait"),
                  mixed=_clear_or(_kept, (_VE, _names("wait", r"(timedelta|duration|time)"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("integer_codes", "survey codes stored as integers (1-3, 5, 9 = no answer)",
                  _with("answer", lambda rng, n: rng.choice([1, 2, 3, 5, 9], n,
                                                            p=[.4, .3, .15, .1, .05])),
                  numeric=Expect(_kept),
                  mixed=Expect(_all(_kept, _within_training("answer"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("bool_column", "boolean columns keep their dtype",
                  _with("flag", lambda rng, n: rng.random(n) < 0.3),
                  numeric=Expect(_kept), mixed=Expect(_kept), pruner=Expect(_filtered_rows)),
        QuirkCase("mixed_object_column", "an object column of ints and strings",
                  _make_mixed_object, numeric=_not_numeric("code"),
                  mixed=_clear_or(_all(_kept, _within_training("code")),
                                  (_VE, _names("code", r"(mixed|type)"))),
                  pruner=Expect(_filtered_rows)),
        QuirkCase("sparse_input", "a scipy sparse matrix", _make_sparse,
                  numeric=_clear_or(_all(_kept, _finite_in_range()),
                                    (_VE, r"(?s)(?=.*[Ss]parse)(?=.*(dense|toarray))")),
                  mixed=_clear_or(_all(_kept, _finite_in_range()),
                                  (_VE, r"(?s)(?=.*[Ss]parse)(?=.*(dense|toarray))"))),
        QuirkCase("zero_columns", "zero-column X", lambda rng, n: (pd.DataFrame(index=range(n)),
                                                                   None),
                  numeric=_error(r"(0 feature|zero column|no column|at least one (column|feat))",
                                 ValueError),
                  mixed=_error(r"(0 feature|zero column|no column|at least one (column|feat))",
                               ValueError),
                  pruner=_error(r"(0 feature|zero column|no column|at least one (column|feat))",
                                ValueError)),
        QuirkCase("duplicate_column_names", "two columns with one name", _make_duplicates,
                  numeric=_error(_names("dup_col", "([Dd]uplicate|unique)"), ValueError),
                  mixed=_error(_names("dup_col", "([Dd]uplicate|unique)"), ValueError),
                  pruner=_error(_names("dup_col", "([Dd]uplicate|unique)"), ValueError)),
        QuirkCase("integer_column_names", "non-string column names (ints)", _renamed([0, 1, 2]),
                  numeric=Expect(_kept), mixed=Expect(_kept)),
        QuirkCase("tuple_column_names", "non-string column names (tuples)",
                  _renamed([("a", 1), ("b", 2), ("c", 3)]),
                  numeric=_clear_or(_kept, (_VE, r"(column|feature) names?")),
                  mixed=_clear_or(_kept, (_VE, r"(column|feature) names?"))),
        QuirkCase("values_near_1e300", "values near 1e300 (obscure 'infs or NaNs')",
                  _make_huge, numeric=huge, mixed=huge,
                  pruner=_clear_or(_filtered, (_VE, _names("big", r"(large|overflow|scale|"
                                                                   r"range|finite|1e\+?300)")))),
        QuirkCase("float32_array", "a float32 ndarray keeps its dtype", _make_float32,
                  numeric=Expect(_all(_kept, _finite_in_range())),
                  mixed=Expect(_all(_kept, _finite_in_range()))),
        QuirkCase("sequence_one_step", "SLDSVAE with one time step (a KMeans message)",
                  lambda rng, n: (rng.normal(size=(n, 1, 2)), None), n_rows=20, n_samples=10,
                  sequence=_error(r"time ?step", ValueError)),
        QuirkCase("sequence_values_near_1e300", "SLDSVAE near 1e300: all samples non-finite",
                  lambda rng, n: (1e300 * (1 + 0.1 * rng.normal(size=(n, 10, 2))), None),
                  n_rows=20, n_samples=10,
                  sequence=_clear_or(_all(_kept, _finite_sequences),
                                     (_VE, r"(?s)(?=.*(feature|column))(?=.*(large|overflow|"
                                           r"rescale|finite|1e\+?300))"))),
        QuirkCase("sequence_baseline", "ordinary sequences",
                  lambda rng, n: (np.cumsum(rng.normal(size=(n, 10, 2)), axis=1), None),
                  n_rows=20, n_samples=10, sequence=Expect(_all(_kept, _finite_sequences))),
        QuirkCase("numeric_baseline", "an ordinary numeric table",
                  lambda rng, n: (_numeric(rng, n), None),
                  numeric=Expect(_kept), mixed=Expect(_kept), pruner=Expect(_filtered)),
    ]


# ---------------------------------------------------------------------------
# the estimators
# ---------------------------------------------------------------------------
# (fast, trained) settings: fast ones fit a 200-row table in about a second; trained ones
# take the few hundred steps that missing rates and scales need.
_NEURAL = {
    "TabularVAE": ({"epochs": 2, "batch_size": 50, "latent_dim": 8,
                    "encoder_dims": (16,), "decoder_dims": (16,)},
                   {"epochs": 40, "batch_size": 16, "latent_dim": 16,
                    "encoder_dims": (32, 32), "decoder_dims": (32, 32)}),
    "ConditionalTabularGAN": ({"epochs": 2, "batch_size": 50, "latent_dim": 8,
                               "generator_dims": (16,), "discriminator_dims": (16,)},
                              {"epochs": 40, "batch_size": 50, "latent_dim": 16,
                               "generator_dims": (32, 32), "discriminator_dims": (32, 32)}),
    "LipschitzVAE": ({"epochs": 2, "batch_size": 64, "encoder_dims": (16,),
                      "decoder_dims": (16,)},
                     {"epochs": 60, "batch_size": 32, "encoder_dims": (32, 32),
                      "decoder_dims": (32, 32)}),
    # a fixed noise multiplier and the RDP accountant skip opacus' noise calibration,
    # which takes seconds per fit
    "DPSGDVAE": ({"epochs": 2, "batch_size": 64, "encoder_dims": (16,), "decoder_dims": (16,),
                  "noise_multiplier": 1.0, "accountant": "rdp"},
                 {"epochs": 60, "batch_size": 32, "encoder_dims": (32, 32),
                  "decoder_dims": (32, 32), "noise_multiplier": 1.0, "accountant": "rdp"}),
}


def quirk_subjects(random_state=0, *, pruners=True):
    """The public generators (small settings) and pruners the catalogue runs over.

    :class:`~sksynth.generators.DPSGDVAE` is included only when opacus is installed,
    the neural generators only when torch is.

    Returns
    -------
    subjects : list of QuirkSubject
    """
    from .. import generators, pruning

    rs = {"random_state": random_state}
    subjects = [
        QuirkSubject("GaussianCopulaGenerator", generators.GaussianCopulaGenerator(**rs), "mixed"),
        QuirkSubject("GaussianGenerator", generators.GaussianGenerator(**rs), "numeric"),
        QuirkSubject("GaussianMixtureGenerator", generators.GaussianMixtureGenerator(**rs),
                     "numeric"),
    ]
    homes = {"DPSGDVAE": ("sksynth.generators", "opacus")}
    for name, (fast, trained) in _NEURAL.items():
        module, needs = homes.get(name, ("sksynth.generators", "torch"))
        if importlib.util.find_spec(needs) is None:
            continue
        cls = getattr(importlib.import_module(module), name)
        subjects.append(QuirkSubject(name, cls(**fast, **rs), "mixed", cls(**trained, **rs)))
    from ..inference import DebiasedGenerator

    # the issue names DebiasedGenerator over a numeric-only generator as obscure too
    subjects.append(QuirkSubject("DebiasedGenerator(GaussianGenerator)", DebiasedGenerator(
        generators.GaussianGenerator(), n_aux=1000, **rs), "numeric"))
    if importlib.util.find_spec("torch") is not None:
        subjects.append(QuirkSubject("SLDSVAE", generators.SLDSVAE(
            epochs=2, pretrain_epochs=1, inference_max_iter=2, encoder_dims=(8,),
            decoder_dims=(8,), **rs), "sequence"))
    if pruners:
        subjects += [
            QuirkSubject("DistancePruner", pruning.DistancePruner(), "pruner"),
            QuirkSubject("DetectionPruner", pruning.DetectionPruner(cv=2, **rs), "pruner"),
            QuirkSubject("LabelVerifier", pruning.LabelVerifier(), "pruner"),
        ]
    return subjects


def run_quirks(subjects=None, cases=None, random_state=0):
    """Run every subject on every case that applies to it.

    Parameters
    ----------
    subjects : list of QuirkSubject, default=None
        Defaults to :func:`quirk_subjects`.
    cases : list of QuirkCase, default=None
        Defaults to :func:`quirk_cases`.
    random_state : int, default=0
        Seed of the tables (the holdout reference uses ``random_state + 10007``).

    Returns
    -------
    results : list of QuirkResult
    """
    subjects = quirk_subjects(random_state) if subjects is None else subjects
    cases = quirk_cases() if cases is None else cases
    results = []
    for subject in subjects:
        for case in cases:
            result = run_quirk(subject, case, random_state)
            if result is not None:
                results.append(result)
    return results
