"""Shared pytest configuration for the sksynth test suite.

- Plots render headless (matplotlib's Agg backend).
- ``rng``: a seeded NumPy ``Generator``, fresh for every test.
- Hypothesis profiles: ``ci`` (deterministic, bounded; loaded when the ``CI``
  environment variable is set, as in ``.ci/run``) and ``dev`` (the default).
  ``HYPOTHESIS_PROFILE=<name>`` picks one explicitly.
"""

import os
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=25,
    derandomize=True,
    # Shared 2-core CI machines are slow and noisy: timing is not a property under test.
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", deadline=None)


def _truthy(value):
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _truthy(os.environ.get("CI")) else "dev")
)


@pytest.fixture
def rng():
    """A NumPy random ``Generator`` seeded with 0, new for each test."""
    return np.random.default_rng(0)


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread for a module's small networks: on a busy 2-core machine two
    OpenMP threads per process make every training step wait for the other jobs.
    Use with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``."""
    torch = sys.modules.get("torch")  # imported by the discovery of the torch estimators
    if torch is None:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
