"""Test helpers: a table with known missing rates, and the check that samples keep them."""

import math

import numpy as np
import pandas as pd


def missing_table(n=2000, seed=0):
    """Two numeric columns with about 10% and 33% missing, a categorical with 5% missing."""
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n),
                          "c": rng.choice(["x", "y", "z"], n).astype(object)})
    frame.loc[rng.uniform(size=n) < 0.10, "a"] = np.nan
    frame.loc[rng.uniform(size=n) < 0.33, "b"] = np.nan
    frame.loc[rng.uniform(size=n) < 0.05, "c"] = None
    return frame


def assert_missing_rates_match(train, sampled):
    """Sampled missing rate of each column within 4 binomial SEs (training and sample)."""
    for column in train.columns:
        r = train[column].isna().mean()
        se = math.sqrt(r * (1 - r) / len(train) + r * (1 - r) / len(sampled))
        got = sampled[column].isna().mean()
        assert abs(got - r) < 4 * se, (column, r, got, 4 * se)
