"""Property-testing tools: hypothesis strategies, the generator contract, recovery checks.

- Strategies: :func:`tabular_frames` (mixed-type DataFrames that shrink to
  small counterexamples), :func:`linear_models`, :func:`gaussian_mixtures`
  and :func:`partially_linear_models` (data-generating processes carrying
  their true parameters), :func:`from_generator` (data drawn from a fitted
  generator).
- The generator contract: :func:`check_generator` and
  :func:`parametrize_with_generator_checks` (for tables, and a sequence
  variant for generators of 3-D arrays such as SLDSVAE).
- Quirky tables (issue 19): :func:`quirk_cases` (a catalogue of awkward
  inputs with their expected behaviour), :func:`quirk_subjects` and
  :func:`run_quirks` / :func:`tally_quirks` (pass, clear error, obscure error
  or silent-wrong, and the exact-copy rate against a holdout sample).
- :func:`assert_recovers`: an estimator recovers a planted parameter within
  a tolerance that scales like ``1 / sqrt(n)``.

This sub-package needs `hypothesis <https://hypothesis.readthedocs.io>`_,
which comes with the ``test`` extra (``pip install "sksynth[test]"``);
importing it without hypothesis raises an ``ImportError`` that says so.
``import sksynth`` never imports it.
"""

try:
    import hypothesis  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "sksynth.testing needs the hypothesis package, which is not installed; install "
        "the test extra with: pip install 'sksynth[test]' (or pip install hypothesis)."
    ) from exc

from ._dgp import DataGeneratingProcess, GaussianMixtureDGP, LinearDGP, PartiallyLinearDGP
from ._contract import check_generator, parametrize_with_generator_checks
from ._quirk_catalogue import quirk_cases, quirk_subjects, run_quirks
from ._quirks import (
    Expect,
    QuirkCase,
    QuirkResult,
    QuirkSubject,
    exact_copy_rate,
    run_quirk,
    tally_quirks,
)
from ._recovery import RecoveryResult, assert_recovers
from ._strategies import (
    ColumnSpec,
    from_generator,
    gaussian_mixtures,
    linear_models,
    partially_linear_models,
    tabular_frames,
)

__all__ = [
    "ColumnSpec",
    "DataGeneratingProcess",
    "Expect",
    "GaussianMixtureDGP",
    "LinearDGP",
    "PartiallyLinearDGP",
    "QuirkCase",
    "QuirkResult",
    "QuirkSubject",
    "RecoveryResult",
    "assert_recovers",
    "check_generator",
    "exact_copy_rate",
    "from_generator",
    "gaussian_mixtures",
    "linear_models",
    "parametrize_with_generator_checks",
    "partially_linear_models",
    "quirk_cases",
    "quirk_subjects",
    "run_quirk",
    "run_quirks",
    "tabular_frames",
    "tally_quirks",
]
