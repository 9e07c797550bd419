"""The privacy floor ``min_group_size`` in the neural mixed-type generators."""

import numpy as np
import pandas as pd
import pytest

from sksynth.base import PrivacyWarning
from sksynth.generators import ConditionalTabularGAN, TabularVAE

pytestmark = pytest.mark.usefixtures("one_torch_thread")

FAST = {
    "vae": lambda **kw: TabularVAE(epochs=3, batch_size=40, random_state=0, **kw),
    "gan": lambda **kw: ConditionalTabularGAN(epochs=3, batch_size=40, random_state=0, **kw),
}


def _table(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(["x", "y"], n)})
    X.loc[:2, "b"] = "rare"  # a category of 3 rows
    y = np.r_[["solo"], rng.choice(["p", "q"], n - 1)]
    return X, y


@pytest.mark.parametrize("name", sorted(FAST))
def test_tiny_tables_classes_and_conditions(name):
    X, y = _table()
    with pytest.raises(ValueError, match="4 sample.*min_group_size=5"):
        FAST[name]().fit(X.iloc[:4])
    with pytest.warns(PrivacyWarning, match=r"\['solo'\]"):
        gen = FAST[name]().fit(X, y)
    rows, labels = gen.sample(y=["solo"] * 300)
    assert (labels == "solo").all()
    solo = X.iloc[0]
    assert not ((rows["a"] == solo["a"]) & (rows["b"] == solo["b"])).any()
    with pytest.raises(ValueError, match=r"on \['rare'\]: fewer than min_group_size=5"):
        gen.sample(10, conditions={"b": "rare"})
    # min_group_size=1: the floor is off, the condition is honoured exactly
    free = FAST[name](min_group_size=1).fit(X, y)
    assert (free.sample(10, conditions={"b": "rare"})[0]["b"] == "rare").all()
