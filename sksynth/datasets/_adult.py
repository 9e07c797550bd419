"""Loader for the UCI Adult (census income) data set shipped with sksynth."""

import functools
from importlib import resources

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

__all__ = ["load_adult"]

# Column names of the raw files, in file order, with hyphens replaced by
# underscores so that they are valid Python identifiers.
_FEATURE_NAMES = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
]
_TARGET_NAME = "income"
_COLUMNS = _FEATURE_NAMES + [_TARGET_NAME]
_INT_COLUMNS = [
    "age",
    "fnlwgt",
    "education_num",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
]
_CAT_COLUMNS = [c for c in _FEATURE_NAMES if c not in _INT_COLUMNS]
_TARGET_CLASSES = ["<=50K", ">50K"]

# (file name, number of header lines to skip). The test file starts with the
# line "|1x3 Cross validator".
_FILES = {"train": ("adult.data.gz", 0), "test": ("adult.test.gz", 1)}
_SUBSETS = ("all", "train", "test")


def _data_file(name):
    return resources.files("sksynth.datasets").joinpath("data").joinpath(name)


def _read_raw(subset):
    """Parse one raw file into a DataFrame of strings and int64 columns."""
    name, skiprows = _FILES[subset]
    dtype = {c: "int64" for c in _INT_COLUMNS}
    dtype.update({c: str for c in _CAT_COLUMNS + [_TARGET_NAME]})
    with _data_file(name).open("rb") as fh:
        frame = pd.read_csv(
            fh,
            compression="gzip",
            header=None,
            names=_COLUMNS,
            skiprows=skiprows,
            sep=",",
            skipinitialspace=True,
            skip_blank_lines=True,
            keep_default_na=False,
            na_values=[],
            dtype=dtype,
            engine="c",
        )
    for col in _CAT_COLUMNS + [_TARGET_NAME]:
        values = frame[col].str.strip()
        frame[col] = values.mask(values == "?")
    # The labels of the test file end with a full stop ("<=50K.").
    frame[_TARGET_NAME] = frame[_TARGET_NAME].str.rstrip(".")
    return frame


@functools.lru_cache(maxsize=1)
def _load_adult_frame():
    """Parse both files once per process.

    Returns the full frame (train rows first, then test rows, with a
    RangeIndex) and the per-row subset labels. Callers must not modify the
    returned objects: :func:`load_adult` hands out copies.
    """
    parts = [_read_raw("train"), _read_raw("test")]
    n_train, n_test = len(parts[0]), len(parts[1])
    frame = pd.concat(parts, ignore_index=True)
    for col in _CAT_COLUMNS:
        categories = sorted(frame[col].dropna().unique())
        frame[col] = frame[col].astype(pd.CategoricalDtype(categories))
    unknown = set(frame[_TARGET_NAME].dropna().unique()) - set(_TARGET_CLASSES)
    if unknown or frame[_TARGET_NAME].isna().any():
        raise RuntimeError(
            "The bundled Adult files contain unexpected income labels "
            f"{sorted(unknown)!r}; the package data may be corrupted. "
            "Reinstall sksynth."
        )
    frame[_TARGET_NAME] = frame[_TARGET_NAME].astype(pd.CategoricalDtype(_TARGET_CLASSES))
    subset = np.array(["train"] * n_train + ["test"] * n_test, dtype=object)
    return frame, subset


def _load_descr():
    return (
        resources.files("sksynth.datasets")
        .joinpath("descr")
        .joinpath("adult.rst")
        .read_text(encoding="utf-8")
    )


def load_adult(*, subset="all", as_frame=True, return_X_y=False):
    """Load the UCI Adult (census income) data set (classification).

    The data ship inside sksynth (no network access is needed): they are the
    original files of the UCI Machine Learning Repository (Becker & Kohavi,
    1996, https://doi.org/10.24432/C5XW20), licensed under CC BY 4.0. The
    files are parsed on the first call and cached for the rest of the
    process; every call returns fresh copies, so modifying the result is
    safe.

    =================   ==========================================
    Classes                                                    2
    Samples (all)                                         48,842
    Samples (train)                                       32,561
    Samples (test)                                        16,281
    Features                  14 (6 integer, 8 categorical)
    =================   ==========================================

    Read more in the description returned as ``DESCR``.

    Parameters
    ----------
    subset : {"all", "train", "test"}, default="all"
        Which file to return: ``"train"`` is ``adult.data`` (32,561 rows),
        ``"test"`` is ``adult.test`` (16,281 rows) and ``"all"`` is both,
        training rows first. The row index is always ``0, ..., n - 1``;
        the ``subset`` entry of the returned Bunch tells which file each row
        comes from.

    as_frame : bool, default=True
        If True, ``data`` is a :class:`pandas.DataFrame` with ``int64`` and
        ``category`` columns, ``target`` a categorical
        :class:`pandas.Series` and ``frame`` a DataFrame holding both. If
        False, ``data`` and ``target`` are NumPy arrays of dtype ``object``
        (missing values are ``nan``) and ``frame`` is None.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : DataFrame of shape (n_samples, 14) or ndarray of object
            The features. Column names use underscores instead of the
            hyphens of the original files: ``education_num``,
            ``marital_status``, ``capital_gain``, ``capital_loss``,
            ``hours_per_week`` and ``native_country``. The other columns
            are ``age``, ``workclass``, ``fnlwgt``, ``education``,
            ``occupation``, ``relationship``, ``race`` and ``sex``. Values
            written ``?`` in the files (in ``workclass``, ``occupation`` and
            ``native_country``) are missing (``NaN``).
        target : Series of shape (n_samples,) or ndarray of object
            The ``income`` column, with the two labels ``'<=50K'`` and
            ``'>50K'`` (the trailing ``.`` of the test file is removed).
        frame : DataFrame of shape (n_samples, 15) or None
            ``data`` with the ``income`` column appended; None when
            ``as_frame=False``.
        feature_names : list of str
            The 14 feature column names.
        target_names : ndarray of str
            The class labels ``['<=50K', '>50K']``.
        subset : ndarray of object of shape (n_samples,)
            ``'train'`` or ``'test'`` for each row: the file it comes from.
            It is not a column of ``data`` so that it cannot leak into a
            model.
        DESCR : str
            Description of the data set, with its attribution.

    (data, target) : tuple if ``return_X_y`` is True
        ``data`` and ``target`` as described above.

    See Also
    --------
    make_disease : Simulated mixed-type data with known parameters.

    Notes
    -----
    Categorical columns have the same (sorted) categories whatever the
    subset, so that a model fitted on ``"train"`` sees the encoding of
    ``"test"``. Only ``workclass``, ``occupation`` and ``native_country``
    have missing values; 45,222 rows are complete.

    References
    ----------
    .. [1] Becker, B. and Kohavi, R. (1996). Adult [Dataset]. UCI Machine
       Learning Repository. https://doi.org/10.24432/C5XW20 (CC BY 4.0).

    Examples
    --------
    >>> from sksynth.datasets import load_adult
    >>> adult = load_adult()
    >>> adult.data.shape
    (48842, 14)
    >>> adult.target.value_counts().to_dict()
    {'<=50K': 37155, '>50K': 11687}
    >>> X, y = load_adult(subset="test", return_X_y=True)
    >>> X.shape, round(float((y == ">50K").mean()), 3)
    ((16281, 14), 0.236)
    >>> int(X["occupation"].isna().sum())
    966
    """
    if not isinstance(subset, str) or subset not in _SUBSETS:
        raise ValueError(
            f"subset must be one of {_SUBSETS!r}; got {subset!r}. Use "
            "subset='train' or subset='test' for one file, 'all' for both."
        )
    for name, value in (("as_frame", as_frame), ("return_X_y", return_X_y)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"{name} must be a bool (True or False); got {value!r} of type "
                f"{type(value).__name__}."
            )

    full, subset_labels = _load_adult_frame()
    if subset == "all":
        frame = full.copy()
        row_subset = subset_labels.copy()
    else:
        mask = subset_labels == subset
        frame = full.loc[mask].reset_index(drop=True)
        row_subset = subset_labels[mask]

    data = frame[_FEATURE_NAMES]
    target = frame[_TARGET_NAME]
    if not as_frame:
        data = data.to_numpy(dtype=object, na_value=np.nan)
        target = target.to_numpy(dtype=object, na_value=np.nan)
        frame = None

    if return_X_y:
        return data, target

    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=list(_FEATURE_NAMES),
        target_names=np.array(_TARGET_CLASSES),
        subset=row_subset,
        DESCR=_load_descr(),
    )
