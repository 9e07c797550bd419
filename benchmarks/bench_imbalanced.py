"""SyntheticAugmenter against SMOTE on two imbalanced tables (issue 21, item 4).

Two tables that need no download, made imbalanced by subsampling the positive
class (seeded):

- ``breast_cancer``: scikit-learn's breast-cancer table (30 numeric features),
  all 357 benign rows and 36 of the 212 malignant ones (positive = malignant,
  9.2%);
- ``adult``: the bundled UCI Adult census table (6 numeric, 8 categorical
  columns; missing categories as the category ``"?"``, as in the original
  files), 3,800 rows earning ``<=50K`` and 200 earning ``>50K`` (positive,
  5%).

Each method is an ``imblearn.pipeline.Pipeline`` ending in
``LogisticRegression(max_iter=1000)``, scored by 5-fold stratified CV repeated
``--repeats`` times (reshuffled; seed 0; the same folds for every method):
ROC-AUC, balanced accuracy and average precision, mean and standard deviation
over the folds; the paired difference from SMOTE over the same folds (mean
and standard error, the folds taken as independent, which slightly
understates it); and the mean CPU time of fitting a fold (one thread).
Methods:

- ``none``: no resampling;
- ``class_weight``: no resampling, ``LogisticRegression(class_weight="balanced")``;
- ``random``: ``RandomOverSampler``;
- ``smote``: ``SMOTE`` (numeric table) or ``SMOTENC`` (Adult, with the
  categorical columns declared), 5 neighbours;
- ``gmm`` (numeric table only): ``SyntheticAugmenter()``, the default
  class-conditional Gaussian mixture;
- ``copula``: ``SyntheticAugmenter(GaussianCopulaGenerator())``;
- ``vae``: ``SyntheticAugmenter(TabularVAE(...))`` with a modest budget
  (``--vae-epochs``, 64-row batches on the numeric table, 256 on Adult).

Every sampler uses ``sampling_strategy="auto"`` (the minority class grown to
the majority's size) and ``random_state=0``. On the numeric table the
pipeline scales before resampling (SMOTE's neighbours need it); on Adult the
samplers see the raw mixed table and the one-hot/scaling step follows them.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_imbalanced.py``
(about 5 minutes of CPU on one core; tables ``imbalanced_<table>.csv``);
``--vae-epochs 300 --repeats 1`` for the larger VAE budget (tables
``imbalanced_<table>_vae300.csv``); ``--markdown`` prints the README's tables.
"""

import argparse
import time
import warnings

import numpy as np
from imblearn.over_sampling import SMOTE, SMOTENC, RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from _report import add_arguments, from_arguments
from sksynth.augmentation import SyntheticAugmenter
from sksynth.datasets import load_adult
from sksynth.generators import GaussianCopulaGenerator, TabularVAE


def breast_cancer_table(seed, n_positive=36):
    """All benign rows, ``n_positive`` malignant ones (label 1)."""
    X, y = load_breast_cancer(return_X_y=True)
    y = (y == 0).astype(int)  # 1 = malignant
    rng = np.random.RandomState(seed)
    keep = np.r_[np.flatnonzero(y == 0),
                 rng.choice(np.flatnonzero(y == 1), n_positive, replace=False)]
    keep = rng.permutation(keep)
    return X[keep], y[keep]


def adult_table(seed, n_negative=3800, n_positive=200):
    """A 5%-positive subsample of Adult; missing categories become ``"?"``."""
    X, y = load_adult(return_X_y=True, as_frame=True)
    rng = np.random.RandomState(seed)
    keep = np.r_[rng.choice(np.flatnonzero(y == "<=50K"), n_negative, replace=False),
                 rng.choice(np.flatnonzero(y == ">50K"), n_positive, replace=False)]
    keep = rng.permutation(keep)
    X = X.iloc[keep].reset_index(drop=True)
    for column in X.select_dtypes("category"):
        X[column] = X[column].cat.add_categories("?").fillna("?")
    y = (y.iloc[keep].to_numpy() == ">50K").astype(int)
    return X, y


def methods(table, vae_epochs):
    """``{name: pipeline}`` for one table."""
    logistic = LogisticRegression(max_iter=1000)
    if table == "breast_cancer":
        samplers = {
            "random": RandomOverSampler(random_state=0),
            "smote": SMOTE(random_state=0),
            "gmm": SyntheticAugmenter(random_state=0),
            "copula": SyntheticAugmenter(GaussianCopulaGenerator(), random_state=0),
            "vae": SyntheticAugmenter(
                TabularVAE(epochs=vae_epochs, batch_size=64), random_state=0
            ),
        }
        out = {
            "none": make_pipeline(StandardScaler(), logistic),
            "class_weight": make_pipeline(
                StandardScaler(), LogisticRegression(max_iter=1000, class_weight="balanced")
            ),
        }
        for name, sampler in samplers.items():
            out[name] = make_pipeline(StandardScaler(), sampler, logistic)
        return out
    encode = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_include="category")),
        (StandardScaler(), make_column_selector(dtype_include="number")),
    )
    samplers = {
        "random": RandomOverSampler(random_state=0),
        "smote": SMOTENC(categorical_features="auto", random_state=0),
        "copula": SyntheticAugmenter(GaussianCopulaGenerator(), random_state=0),
        "vae": SyntheticAugmenter(
            TabularVAE(epochs=vae_epochs, batch_size=256), random_state=0
        ),
    }
    out = {
        "none": make_pipeline(encode, logistic),
        "class_weight": make_pipeline(
            encode, LogisticRegression(max_iter=1000, class_weight="balanced")
        ),
    }
    for name, sampler in samplers.items():
        out[name] = make_pipeline(sampler, encode, logistic)
    return out


def cross_validate(pipeline, X, y, seed, repeats):
    """Per-fold ROC-AUC, balanced accuracy, average precision and fit CPU seconds."""
    from sklearn.base import clone

    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=seed)
    rows = []
    for train, test in folds.split(X, y):
        take = (lambda a, i: a.iloc[i]) if hasattr(X, "iloc") else (lambda a, i: a[i])
        model = clone(pipeline)
        start = time.process_time()
        model.fit(take(X, train), y[train])
        seconds = time.process_time() - start
        X_test = take(X, test)
        score = model.predict_proba(X_test)[:, 1]
        rows.append((
            roc_auc_score(y[test], score),
            balanced_accuracy_score(y[test], model.predict(X_test)),
            average_precision_score(y[test], score),
            seconds,
        ))
    return np.array(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the subsampling and of the CV folds (default 0)")
    parser.add_argument("--vae-epochs", type=int, default=100,
                        help="TabularVAE epochs (default 100)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="repetitions of the 5-fold CV, reshuffled (default 3)")
    parser.add_argument("--tables", nargs="+", default=["breast_cancer", "adult"],
                        choices=["breast_cancer", "adult"])
    add_arguments(parser)
    args = parser.parse_args()
    report = from_arguments("imbalanced", args)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    loaders = {"breast_cancer": breast_cancer_table, "adult": adult_table}
    header = ["method", "ROC-AUC", "balanced accuracy", "average precision",
              "ROC-AUC - SMOTE", "bal. acc. - SMOTE", "fit CPU s/fold"]
    for table in args.tables:
        X, y = loaders[table](args.seed)
        scores = {}
        for name, pipeline in methods(table, args.vae_epochs).items():
            with threadpool_limits(1), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                scores[name] = cross_validate(pipeline, X, y, args.seed, args.repeats)
            print(f"  {table} {name}: done", flush=True)
        rows = []
        n_folds = scores["smote"].shape[0]
        for name, folds in scores.items():
            mean, std = folds.mean(axis=0), folds.std(axis=0, ddof=1)
            # paired over the same folds: mean difference and its standard error
            diff = folds[:, :2] - scores["smote"][:, :2]
            se = diff.std(axis=0, ddof=1) / np.sqrt(n_folds)
            paired = (["-", "-"] if name == "smote" else
                      [f"{d:+.3f} ± {e:.3f}" for d, e in zip(diff.mean(axis=0), se)])
            rows.append([name] + [f"{m:.3f} ± {s:.3f}" for m, s in zip(mean[:3], std[:3])]
                        + paired + [f"{mean[3]:.3f}"])
        title = (f"{table}: {len(y)} rows, {int(y.sum())} positive ({y.mean():.1%}); "
                 f"5-fold stratified CV x {args.repeats}, seed {args.seed}; "
                 "mean ± s.d. over folds, differences ± s.e.")
        suffix = "" if args.vae_epochs == 100 else f"_vae{args.vae_epochs}"
        report.table(table + suffix, title, header, rows)

if __name__ == "__main__":
    main()
