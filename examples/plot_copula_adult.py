"""
Gaussian copula on the Adult census data
========================================

:class:`~sksynth.generators.GaussianCopulaGenerator` models a mixed table
(integers, categories, missing values) with one marginal per column and a
Gaussian copula on normal scores. This example fits it to the bundled Adult
data, compares real and synthetic marginals, and draws rows under conditions,
exactly and without rejection.
"""

# %%
# Fit on the training rows, with the income class as the target
# -------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sksynth.datasets import load_adult
from sksynth.generators import GaussianCopulaGenerator

adult = load_adult(subset="train")
X, y = adult.data, adult.target
generator = GaussianCopulaGenerator(random_state=0).fit(X, y)
X_syn, y_syn = generator.sample(len(X))
print(X_syn.head())
print("same dtypes as the real data:", X_syn.dtypes.equals(X.dtypes))

# %%
# Marginals: real versus synthetic
# --------------------------------
# Numeric columns keep their atoms (``capital_gain`` is zero for 92% of the
# rows) and stay within the observed range; categories keep their frequencies,
# and missing values (``?`` in the raw file) their rates.
fig, axes = plt.subplots(2, 2, figsize=(10, 7))
bins = np.arange(15, 92, 3)
axes[0, 0].hist([X["age"], X_syn["age"]], bins=bins, density=True, label=["real", "synthetic"])
axes[0, 0].set_title("age")
axes[0, 0].legend()
axes[0, 1].hist([X["hours_per_week"], X_syn["hours_per_week"]], bins=np.arange(0, 101, 5),
                density=True)
axes[0, 1].set_title("hours_per_week")
for ax, column in zip(axes[1], ["education", "workclass"]):
    shares = pd.DataFrame({
        "real": X[column].astype(object).fillna("(missing)").value_counts(normalize=True),
        "synthetic": X_syn[column].astype(object).fillna("(missing)").value_counts(
            normalize=True),
    }).fillna(0.0).sort_values("real")
    shares.plot.barh(ax=ax, legend=False)
    ax.set_title(column)
fig.tight_layout()

print("share of capital_gain == 0:",
      round((X["capital_gain"] == 0).mean(), 3), "real,",
      round((X_syn["capital_gain"] == 0).mean(), 3), "synthetic")
print("missing workclass:", round(X["workclass"].isna().mean(), 4), "real,",
      round(X_syn["workclass"].isna().mean(), 4), "synthetic")

# %%
# Dependence between columns
# --------------------------
# Rank correlations of the numeric columns, real and synthetic.
numeric = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
print(pd.concat({"real": X[numeric].corr(method="spearman").round(2),
                 "synthetic": X_syn[numeric].corr(method="spearman").round(2)}, axis=1)
      .loc[:, (slice(None), ["age", "education_num"])])

# %%
# Conditional sampling
# --------------------
# ``sample(y=labels)`` draws ``X | y``: fitted with class labels, the
# generator fits one copula per class on that class's rows and draws each row
# from its label's copula.
X_rich, _ = generator.sample(y=np.repeat([">50K"], 5000))
X_poor, _ = generator.sample(y=np.repeat(["<=50K"], 5000))
summary = pd.DataFrame({
    "real >50K": [X.loc[y == ">50K", "age"].mean(),
                  X.loc[y == ">50K", "education_num"].mean()],
    "synthetic >50K": [X_rich["age"].mean(), X_rich["education_num"].mean()],
    "real <=50K": [X.loc[y == "<=50K", "age"].mean(),
                   X.loc[y == "<=50K", "education_num"].mean()],
    "synthetic <=50K": [X_poor["age"].mean(), X_poor["education_num"].mean()],
}, index=["mean age", "mean education_num"]).round(1)
print(summary)

# %%
# Any column can be conditioned on, with one value for all rows or one per
# row, including a missing value. Here: women aged 30, and rows whose
# ``workclass`` is missing (in the real data, ``occupation`` is then missing
# too). Values that were impossible in the data (a category never seen, an age
# outside the observed range) raise a ``ValueError``.
X_cond, y_cond = generator.sample(2000, conditions={"sex": "Female", "age": 30})
real = y[(X["sex"] == "Female") & (X["age"] == 30)]
print("P(>50K | female, 30): real", round((real == ">50K").mean(), 3),
      "(n =", len(real), ") synthetic", round((y_cond == ">50K").mean(), 3))
X_miss, _ = generator.sample(2000, conditions={"workclass": np.nan})
print("P(occupation missing | workclass missing): real",
      round(X.loc[X["workclass"].isna(), "occupation"].isna().mean(), 3),
      "synthetic", round(X_miss["occupation"].isna().mean(), 3))
try:
    generator.sample(5, conditions={"workclass": "Astronaut"})
except ValueError as error:
    print("ValueError:", str(error)[:90], "...")

# %%
# The copula reproduces pairwise (rank) dependence and missingness patterns
# well, but not every interaction: a Gaussian copula cannot represent a
# non-monotone link (e.g. between an unordered category and a number), so the
# conditional probabilities above differ from the real ones by a few points.
# ``benchmarks/bench_tabular.py`` compares it with SDV on quality, detection
# and train-on-synthetic accuracy.
plt.show()
