"""
When does generative augmentation help on real data? Cross-validated learning curves
====================================================================================

The Gaussian-mixture study of Zheng et al. (2023) (see
:ref:`sphx_glr_auto_examples_plot_gda_bgmm.py`) predicts that augmenting a
training set with rows from a generator fitted to it can help by a constant
factor when the training set is small -- when the learner overfits -- and
that the benefit fades as the training set grows. Here we ask the practical
question on three real tables: if the augmentation strategy is *chosen by
cross-validation* on the training rows alone, does the chosen model beat the
plain estimator on held-out data, and at which training-set sizes?

For each data set and training-set size ``n_train`` in {20, 50, 100, 500,
2000} (as far as the data set allows, keeping at least a quarter of it for
testing), and for each of several random stratified splits:

- the **plain** estimator -- standardisation then logistic regression -- is
  fitted on the ``n_train`` rows;
- the **augmented** model is an
  :class:`~sksynth.augmentation.AugmentedClassifier` around the same
  estimator whose ``n_synthetic`` (0, 1 or 4 times ``n_train``), generator (a
  class-conditional :class:`~sksynth.generators.GaussianMixtureGenerator`
  with pooled full or pooled diagonal covariance) and pruner (none or a
  :class:`~sksynth.pruning.LabelVerifier`) are chosen by a
  :class:`~sklearn.model_selection.GridSearchCV` on the same ``n_train``
  rows (3-fold stratified). ``n_synthetic=0`` is in the grid, so the search
  may decline to augment. Every fold fits its own generator on its own
  training part: nothing leaks from the validation folds;
- both are scored on the held-out rows, and the **gain** is the difference in
  accuracy, with a 95% confidence band (Student t) over the splits.

This is nested cross-validation: the inner search picks the strategy, the
outer splits measure what that choice is worth.

The study is run for two estimators: **logistic regression** on
standardised features, a well-regularised learner, and an unpruned
**decision tree**, a learner that overfits small training sets -- the regime
where the theory expects augmentation to pay.

The default run uses 20 splits per size and the 9-candidate grid above, so
that the example finishes in about a minute on two cores. Run the script with
``--full`` for 50 splits, 5-fold inner searches and a 41-candidate grid
(``n_synthetic`` in {0, 0.5, 1, 2, 4, 8}, ``synthetic_weight`` in {0.5, 1}):
about twenty times longer, with tighter bands (its numbers are not the ones
discussed below).

**Result, stated up front.** Chosen by cross-validation, augmentation
*helped the decision tree* on small training sets -- significantly by 2.1
points on Adult and 3.9 points on digits with 50 rows, and with positive but
uncertain mean gains at every other size up to 100 rows -- and *slightly hurt
logistic regression* there (0.4-0.5 points on Adult with 20-100 rows and on
breast cancer with 50). From 500 rows on the effects are within about 0.3
points of zero. The table and the discussion at the end give the numbers.
"""

# %%
# Data
# ----
# Three tables shipped with scikit-learn or sksynth (no download):
#
# - **Adult** (census income, 48,842 rows; sksynth's bundled copy): the six
#   numeric columns, with ``log1p`` applied to the heavy-tailed
#   ``capital_gain``, ``capital_loss`` and ``fnlwgt``; is the income above
#   50K? Test sets are capped at 5,000 rows.
# - **Breast cancer** (569 rows, 30 features, 2 classes).
# - **Digits** (1,797 rows, 64 pixel features, 10 classes).

import sys
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from matplotlib.ticker import NullFormatter
from scipy import stats
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    ParameterGrid,
    StratifiedKFold,
    StratifiedShuffleSplit,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sksynth.augmentation import AugmentedClassifier
from sksynth.datasets import load_adult
from sksynth.generators import GaussianMixtureGenerator
from sksynth.pruning import LabelVerifier

t_start = time.perf_counter()
FULL = "--full" in sys.argv[1:]


def load_adult_numeric():
    X, y = load_adult(return_X_y=True)
    columns = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week",
               "fnlwgt"]
    X = X[columns].astype(np.float64)
    for column in ["capital_gain", "capital_loss", "fnlwgt"]:
        X[column] = np.log1p(X[column])
    return X.to_numpy(), (y == ">50K").to_numpy().astype(np.int64)


DATASETS = {
    "adult": load_adult_numeric(),
    "breast_cancer": load_breast_cancer(return_X_y=True),
    "digits": load_digits(return_X_y=True),
}
N_TRAIN = [20, 50, 100, 500, 2000]
MAX_TEST = 5000
for name, (X, y) in DATASETS.items():
    print(f"{name}: {X.shape[0]} rows, {X.shape[1]} features, {np.unique(y).size} classes")

# %%
# The plain estimator and the search
# ----------------------------------
# The estimator scales the features inside the pipeline, so it is fitted on
# whatever rows it receives (real, or real and synthetic). The label verifier
# uses the same pipeline. The grid is a list so that ``n_synthetic=0`` is a
# single candidate.


def logistic_regression():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


def decision_tree():
    return DecisionTreeClassifier(random_state=0)


ESTIMATORS = {"logistic regression": logistic_regression, "decision tree": decision_tree}


def param_grid(full):
    generators = [GaussianMixtureGenerator(covariance_type="tied"),
                  GaussianMixtureGenerator(covariance_type="tied_diag")]
    augmented = {
        "n_synthetic": [0.5, 1.0, 2.0, 4.0, 8.0] if full else [1.0, 4.0],
        "generator": generators,
        "pruner": [None, LabelVerifier(estimator=logistic_regression())],
    }
    if full:
        augmented["synthetic_weight"] = [0.5, 1.0]
    return [{"n_synthetic": [0.0]}, augmented]


N_SPLITS = 50 if FULL else 20
INNER_FOLDS = 5 if FULL else 3
GRID = param_grid(FULL)


def describe(params):
    if params["n_synthetic"] == 0:
        return "none"
    pruner = "verified" if params["pruner"] is not None else "unverified"
    return f"x{params['n_synthetic']:g} {params['generator'].covariance_type} {pruner}"


def one_split(estimator, name, n_train, split, train, test):
    """Fit the plain and the CV-chosen augmented model on one split; score both."""
    make_estimator = ESTIMATORS[estimator]
    X, y = DATASETS[name]
    X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
    with warnings.catch_warnings():
        # tiny folds: a class may have fewer members than folds, and the pooled
        # covariance of 13 rows in 64 dimensions is singular up to reg_covar
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = make_estimator().fit(X_train, y_train)
        smallest_class = np.bincount(y_train).min()
        inner = StratifiedKFold(n_splits=max(2, min(INNER_FOLDS, smallest_class)),
                                shuffle=True, random_state=split)
        search = GridSearchCV(
            AugmentedClassifier(make_estimator(), GaussianMixtureGenerator(),
                                random_state=split),
            GRID, cv=inner, scoring="accuracy", n_jobs=1,
        ).fit(X_train, y_train)
    return {
        "estimator": estimator,
        "dataset": name,
        "n_train": n_train,
        "split": split,
        "plain": plain.score(X_test, y_test),
        "augmented": search.score(X_test, y_test),
        "chosen": describe(search.best_params_),
    }


tasks = []
for name, (X, y) in DATASETS.items():
    for n_train in N_TRAIN:
        if n_train > 0.75 * X.shape[0]:
            continue
        n_test = min(MAX_TEST, X.shape[0] - n_train)
        splitter = StratifiedShuffleSplit(n_splits=N_SPLITS, train_size=n_train,
                                          test_size=n_test, random_state=0)
        for split, (train, test) in enumerate(splitter.split(X, y)):
            tasks.extend((estimator, name, n_train, split, train, test)
                         for estimator in ESTIMATORS)

start = time.perf_counter()
results = pd.DataFrame(Parallel(n_jobs=2)(delayed(one_split)(*task) for task in tasks))
print(f"{len(tasks)} nested searches ({N_SPLITS} splits per size, {len(ParameterGrid(GRID))} "
      f"candidates, {INNER_FOLDS}-fold inner CV): {time.perf_counter() - start:.0f} s")

# %%
# The learning-curve table
# ------------------------
# One row per data set and training-set size: mean held-out accuracy of the
# plain and the augmented model, the mean gain with its 95% confidence band
# over the splits, how often the search chose not to augment, its most
# frequent choice otherwise, and the verdict (the band above zero: *helped*;
# below: *hurt*; containing zero: *no detectable effect*).


def summarise(group):
    gain = group["augmented"] - group["plain"]
    half_width = stats.t.ppf(0.975, len(gain) - 1) * gain.std(ddof=1) / np.sqrt(len(gain))
    low, high = gain.mean() - half_width, gain.mean() + half_width
    augmented = group.loc[group["chosen"] != "none", "chosen"]
    return pd.Series({
        "plain": group["plain"].mean(),
        "augmented": group["augmented"].mean(),
        "gain": gain.mean(),
        "ci_low": low,
        "ci_high": high,
        "no_aug_chosen": (group["chosen"] == "none").mean(),
        "top_choice": augmented.mode().iloc[0] if len(augmented) else "-",
        "verdict": "helped" if low > 0 else ("hurt" if high < 0 else "no detectable effect"),
    })


summary = results.groupby(["estimator", "dataset", "n_train"]).apply(
    summarise, include_groups=False
)
with pd.option_context("display.width", 250, "display.max_columns", 20):
    print(summary.to_string(float_format=lambda v: f"{v:.4f}"))

# %%
# The gain with its band, per data set
# ------------------------------------

fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
for row, estimator in enumerate(ESTIMATORS):
    for ax, name in zip(axes[row], DATASETS):
        table = summary.loc[(estimator, name)]
        n = table.index.to_numpy()
        ax.axhline(0, color="black", linewidth=0.8)
        ax.fill_between(n, table["ci_low"], table["ci_high"], alpha=0.3,
                        label="95% confidence band")
        ax.plot(n, table["gain"], marker="o", label="mean gain")
        ax.set(xscale="log", xlabel="n_train", title=f"{estimator}, {name}",
               ylabel="accuracy gain")
        ax.set_xticks(n, [str(v) for v in n])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.legend(fontsize=8)
fig.suptitle("Held-out accuracy: CV-chosen augmentation minus plain training")
fig.tight_layout()
plt.show()

# %%
# Where augmentation helped, and where it hurt
# --------------------------------------------
# The verdicts of the table, in words (default run):
#
# - **Helped: the decision tree on small training sets.** An unpruned tree
#   fitted to 50 rows memorises them; synthetic rows from a class-conditional
#   Gaussian smooth its splits towards the class means, the overfitting
#   regime where the GDA study predicts a constant-factor gain. The gain is
#   significant on Adult (+2.1 points, band 0.8 to 3.5) and digits (+3.9
#   points, band 1.7 to 6.0) with 50 rows, the search augmenting in 75% and
#   95% of the splits, most often with four times as many synthetic rows as real
#   ones. At the other sizes up to 100 rows the mean gains are positive
#   (0.2 to 1.9 points) but their bands contain zero.
# - **Hurt: logistic regression on small training sets.** A regularised
#   linear model is already close to what the Gaussian generator knows (a
#   pooled-covariance Gaussian per class implies a linear boundary), so the
#   synthetic rows add no information, only the generator's estimation
#   error. The losses are small but systematic: 0.4 to 0.5 points on Adult
#   with 20, 50 and 100 rows and on breast cancer with 50, and negative mean
#   gains at every size below 500 except breast cancer with 20 rows, where
#   the search declined to augment in 80% of the splits. Picking among 9
#   candidates with validation folds of 7 to 35 rows, the search chooses an
#   augmented candidate by luck of the folds (the winner's curse) more often
#   than it should; the outer splits expose it.
# - **Neither, from 500 rows on.** Every band contains zero except the tree
#   on Adult with 2,000 rows (-0.3 points, band -0.7 to -0.01): as the theory
#   says, the benefit of generated rows fades as the real ones stop
#   overfitting, and what remains is the generator's error.
#
# There are 24 verdicts at the 95% level, so one or two of them may be
# chance; the pattern across sizes and data sets is what to read. In short:
# augmentation from a generator fitted to the same rows adds no information
# the rows did not have, but it can regularise a learner that overfits them.
# Whether that beats regularising the learner directly (pruning the tree, a
# random forest) is a separate question this example does not answer.

print(f"Total run time: {time.perf_counter() - t_start:.1f} s")

# %%
# References
# ----------
# Zheng, C., Wu, G. and Li, C. (2023). "Toward understanding generative data
# augmentation." NeurIPS 2023, arXiv:2305.17476.
