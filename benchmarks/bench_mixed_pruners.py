"""Mixed-type pruners (issue 21, item 3): a grid search over pruners, keep rates, Gower speed.

Three tables on a penguins-like mixed table (island and sex strings, four
measurements with missing values, species as the label; 344 rows as Palmer
penguins):

- ``grid``: ``GridSearchCV`` (3 stratified folds) of an ``AugmentedClassifier``
  (``GaussianCopulaGenerator``, one-hot + logistic pipeline) over
  ``pruner = None / LabelVerifier / DetectionPruner / DistancePruner`` with
  ``error_score=nan``: failed fits, mean accuracy, synthetic rows kept;
- ``rates``: what each pruner keeps of fresh real-process rows, of rows with
  30% wrong species (LabelVerifier), of exact copies of real rows
  (DistancePruner) and of rows whose island breaks the species link
  (DetectionPruner);
- ``gower``: the hand-written, chunked Gower distance against scikit-learn's
  ``NearestNeighbors`` with the same distance as a Python callable (the only
  way scikit-learn offers), same rows, same answers; then the hand-written one
  alone on larger tables, with its peak memory (``tracemalloc``). The chunked
  time at 400 x 400 is the median of 7 runs after a warm-up; the callable one
  runs once (seconds).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_mixed_pruners.py --seed 0``.
"""

import argparse
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from _report import add_arguments, from_arguments
from sksynth.augmentation import AugmentedClassifier
from sksynth.generators import GaussianCopulaGenerator
from sksynth.pruning import (
    DetectionPruner,
    DistancePruner,
    LabelVerifier,
    estimate_verifier_rates,
)
from sksynth.pruning._gower import _min_gower

SPECIES = np.array(["Adelie", "Chinstrap", "Gentoo"])


def penguins_like(rng, n, missing=True):
    """Island/sex strings, four measurements (NaN in three columns), species labels."""
    species = rng.choice(SPECIES, n, p=[0.44, 0.2, 0.36])
    centre = {"Adelie": (38.8, 18.3, 190.0, 3700.0), "Chinstrap": (48.8, 18.4, 196.0, 3730.0),
              "Gentoo": (47.5, 15.0, 217.0, 5080.0)}
    numbers = np.array([centre[s] for s in species])
    numbers += np.array([2.7, 1.1, 6.5, 460.0]) * rng.standard_normal((n, 4))
    island = np.where(species == "Gentoo", "Biscoe",
                      np.where(species == "Chinstrap", "Dream",
                               rng.choice(["Torgersen", "Biscoe", "Dream"], n)))
    X = pd.DataFrame({"island": island, "bill_length_mm": numbers[:, 0],
                      "bill_depth_mm": numbers[:, 1], "flipper_length_mm": numbers[:, 2],
                      "body_mass_g": numbers[:, 3],
                      "sex": rng.choice(["male", "female"], n).astype(object)})
    if missing:
        for column, rate in (("bill_length_mm", 0.03), ("body_mass_g", 0.03), ("sex", 0.05)):
            X.loc[rng.random(n) < rate, column] = np.nan
    return X, pd.Series(species, name="species")


def _pipeline():
    return make_pipeline(
        make_column_transformer(
            (make_pipeline(SimpleImputer(strategy="most_frequent"),
                           OneHotEncoder(handle_unknown="ignore")),
             make_column_selector(dtype_exclude=np.number)),
            (make_pipeline(SimpleImputer(), StandardScaler()),
             make_column_selector(dtype_include=np.number))),
        LogisticRegression(max_iter=1000))


def grid_table(seed):
    X, y = penguins_like(np.random.default_rng(seed), 344)
    pruners = {"None": None, "LabelVerifier": LabelVerifier(),
               "DetectionPruner": DetectionPruner(), "DistancePruner": DistancePruner()}
    augmented = AugmentedClassifier(estimator=_pipeline(), generator=GaussianCopulaGenerator(),
                                    n_synthetic=1.0, random_state=seed)
    search = GridSearchCV(augmented, {"pruner": list(pruners.values())}, error_score=np.nan,
                          cv=StratifiedKFold(3, shuffle=True, random_state=seed))
    start = time.perf_counter()
    search.fit(X, y)
    seconds = time.perf_counter() - start
    rows = []
    for k, name in enumerate(pruners):
        fold_scores = [search.cv_results_[f"split{f}_test_score"][k] for f in range(3)]
        failed = int(np.sum(np.isnan(fold_scores)))
        kept = np.nan
        if failed < 3:
            model = augmented.set_params(pruner=pruners[name]).fit(X, y)
            kept = model.n_kept_ / model.n_synthetic_
        rows.append([name, f"{failed} of 3", f"{np.nanmean(fold_scores):.3f}"
                     if failed < 3 else "nan", f"{kept:.3f}"])
    return rows, seconds


def rates_table(seed):
    rng = np.random.default_rng(seed)
    X, y = penguins_like(rng, 344)
    fresh, fresh_y = penguins_like(rng, 2000)
    rows = []
    verifier = LabelVerifier().fit(X, y)
    flip = rng.random(2000) < 0.3
    shifted = SPECIES[(np.searchsorted(SPECIES, fresh_y) + rng.integers(1, 3, 2000)) % 3]
    rho, phi = estimate_verifier_rates(verifier, fresh, np.where(flip, shifted, fresh_y), ~flip)
    rows.append(["LabelVerifier", "fresh rows, 30% wrong species",
                 f"kept: right {phi:.3f}, wrong {rho:.3f}"])
    distance = DistancePruner(quantile=0.05).fit(X)
    rows.append(["DistancePruner(quantile=0.05)", "fresh rows / exact copies of real rows",
                 f"kept: {distance.keep_mask(fresh).mean():.3f} / "
                 f"{distance.keep_mask(X).mean():.3f}"])
    detection = DetectionPruner(random_state=seed).fit(X)
    broken = fresh.iloc[:500].copy()
    broken["island"] = rng.choice(["Torgersen", "Biscoe", "Dream"], 500)  # link broken
    mask = detection.keep_mask(pd.concat([fresh.iloc[500:1000], broken], ignore_index=True))
    rows.append(["DetectionPruner(threshold=0.05)", "fresh rows / island drawn at random",
                 f"kept: {mask[:500].mean():.3f} / {mask[500:].mean():.3f}"])
    return rows


def _python_gower(categorical, ranges):
    def gower(a, b):
        d = np.where(categorical, a != b, np.minimum(np.abs(a - b) / np.where(
            ranges > 0, ranges, 1.0), 1.0))
        return float(d.mean())
    return gower


def gower_table(seed, sizes=(2000, 8000), callable_size=400):
    rng = np.random.default_rng(seed)
    rows = []
    X, _ = penguins_like(rng, callable_size, missing=False)
    cand, _ = penguins_like(rng, callable_size, missing=False)
    pruner = DistancePruner().fit(X)
    enc = pruner.encoder_
    Z_real = enc.transform(X)
    Z = enc.transform(cand)
    ours = _min_gower(Z, Z_real, enc.categorical_, enc.ranges_)  # warm-up
    t_ours = []
    for _ in range(7):
        start = time.perf_counter()
        _min_gower(Z, Z_real, enc.categorical_, enc.ranges_)
        t_ours.append(time.perf_counter() - start)
    t_ours = float(np.median(t_ours))
    nn = NearestNeighbors(n_neighbors=1, algorithm="brute",
                          metric=_python_gower(enc.categorical_, enc.ranges_)).fit(Z_real)
    start = time.perf_counter()
    theirs = nn.kneighbors(Z)[0][:, 0]
    t_theirs = time.perf_counter() - start
    rows.append([f"{callable_size} x {callable_size}", f"{t_ours:.4f}", f"{t_theirs:.2f}",
                 f"{t_theirs / t_ours:.0f}x", f"{np.max(np.abs(ours - theirs)):.1e}", "-"])
    for n in sizes:
        X, _ = penguins_like(rng, n)
        cand, _ = penguins_like(rng, n)
        pruner = DistancePruner().fit(X.iloc[:10])  # the encoder only
        enc = pruner.encoder_
        Z_real, Z = enc.transform(X), enc.transform(cand)
        tracemalloc.start()
        start = time.perf_counter()
        _min_gower(Z, Z_real, enc.categorical_, enc.ranges_)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append([f"{n} x {n}", f"{seconds:.2f}", "-", "-", "-", f"{peak / 2**20:.0f}"])
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    add_arguments(parser)
    args = parser.parse_args(argv)
    report = from_arguments("mixed_pruners", args)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows, seconds = grid_table(args.seed)
        report.table("grid", f"GridSearchCV over pruner, penguins-like 344 rows, 3 folds "
                             f"({seconds:.0f} s)",
                     ["pruner", "failed fits", "mean accuracy", "synthetic kept"], rows)
        report.table("rates", "What each pruner keeps (penguins-like, 344 real rows)",
                     ["pruner", "candidates", "result"], rates_table(args.seed))
        report.table("gower", "Gower nearest real row: chunked numpy vs NearestNeighbors "
                              "with a Python callable",
                     ["candidates x real", "chunked s", "callable s", "ratio", "max |diff|",
                      "peak MiB"], gower_table(args.seed))


if __name__ == "__main__":
    main()
