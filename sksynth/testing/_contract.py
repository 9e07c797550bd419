"""The generator contract's entry points: :func:`check_generator` and
:func:`parametrize_with_generator_checks`.

They pick the variant the generator's tags call for: the table checks
(:mod:`._generator_checks`) for generators of tables, the sequence checks
(:mod:`._sequence_checks`) for those that take 3-D arrays only.
"""

import re

from ..base import is_generator
from ._generator_checks import _yield_table_checks
from ._sequence_checks import _is_sequence_generator, _yield_sequence_checks

__all__ = ["check_generator", "parametrize_with_generator_checks"]


def _yield_generator_checks(generator, *, data=None, max_examples=10):
    """Yield every check of the generator's variant with its data bound; ``check(generator)``
    runs it."""
    if not is_generator(generator):
        raise TypeError(
            f"{type(generator).__name__} is not a generator: it needs fit and sample methods."
        )
    if isinstance(generator, type):
        raise TypeError("pass a generator instance, not a class, e.g. GaussianGenerator().")
    if _is_sequence_generator(generator):
        yield from _yield_sequence_checks(generator, data=data)
    else:
        yield from _yield_table_checks(generator, data=data, max_examples=max_examples)


def check_generator(generator, *, data=None, expected_failed_checks=None, max_examples=10,
                    on_fail="raise"):
    """Check that a generator follows the sksynth generator contract.

    The generator analogue of scikit-learn's ``check_estimator`` (which never
    calls ``sample``): each check fits clones of ``generator`` and tests one
    property of the contract (see :doc:`/design`):

    ==================================  =========================================================
    check                               property
    ==================================  =========================================================
    ``check_not_fitted``                ``sample`` before ``fit`` raises ``NotFittedError``
    ``check_sample_container``          samples come back in the fitted container, columns
                                        (in order) and dtypes; ``(X, y)`` when fitted with a
                                        target
    ``check_sample_array``              float64 and float32 arrays keep their dtype
    ``check_sample_categories``         sampled categories, strings, booleans and labels
                                        were all seen in fit; complete columns stay complete
    ``check_sample_on_tabular_frames``  the same on ``max_examples`` frames drawn by
                                        :func:`tabular_frames` (constant, skewed, outlying
                                        columns, rare levels, missing values when allowed);
                                        failures shrink to a small frame
    ``check_n_samples_zero``            ``sample(0)`` is empty with the fitted columns
    ``check_bad_n_samples``             ``-1`` raises ``ValueError``; ``2.5``, ``"3"``, ``None``,
                                        ``True`` raise ``TypeError``
    ``check_random_state_fit``          same ``random_state``: same samples; another seed or
                                        another call: new rows
    ``check_random_state_sample``       ``sample(random_state=k)`` is reproducible, depends
                                        on ``k`` and leaves the stream alone
    ``check_pickle``                    pickling keeps the stream, ``score`` and ``transform``
    ``check_score_heldout``             ``score`` / ``score_samples`` finite on held-out rows
    ``check_conditional_labels``        ``sample(y=labels)`` returns those labels
    ``check_conditional_rows``          rows drawn for class k resemble class k
    ``check_conditional_errors``        unseen labels, mismatched ``n_samples`` and ``y``
                                        without a fitted target raise ``ValueError``
    ``check_transform_deterministic``   ``transform`` does not depend on draws
    ``check_iter_sample``               batches add up and are reproducible
    ==================================  =========================================================

    The data follow the generator's tags: a numeric frame (float, skewed
    float, int and bool columns, three well-separated classes) for numeric
    generators; plus a categorical column with a rare level when
    ``input_tags.categorical`` is set, a string column when
    ``input_tags.string`` is, missing values when ``input_tags.allow_nan`` is;
    labels are passed to ``fit`` when ``target_tags.required`` is set. The
    three conditional checks run only for generators whose ``sample`` takes
    ``y`` (a generator without conditional sampling is not asked for it).

    A sequence generator (tags ``input_tags.three_d_array`` and not
    ``two_d_array``, e.g. :class:`~sksynth.generators.SLDSVAE`) gets the
    sequence variant instead, on 24 sequences of 12 steps and 3 features (two
    sticky regimes; 16 fitted, 8 held out): ``check_not_fitted``,
    ``check_bad_n_samples``, ``check_random_state_fit``,
    ``check_random_state_sample``, ``check_pickle``, ``check_score_heldout``,
    ``check_transform_deterministic`` and ``check_iter_sample`` as above, and

    ===================================  ========================================================
    check                                property
    ===================================  ========================================================
    ``check_sequence_sample_shape``      ``sample(n)`` is a float64 ndarray of shape
                                         (n, n_timesteps, n_features), complete
    ``check_sequence_float32``           float32 sequences keep their dtype
    ``check_sequence_n_timesteps``       ``sample(n, n_timesteps=T)`` (when offered) sets the
                                         length, also in ``iter_sample``; ``T=0`` raises
                                         ``ValueError``, ``T=2.5`` ``TypeError``
    ``check_sequence_n_samples_zero``    ``sample(0)`` has shape (0, n_timesteps, n_features)
    ``check_sequence_params``            ``clone`` / ``get_params`` / ``set_params`` round
                                         trips; ``fit`` returns self and keeps the
                                         parameters; a clone of a fitted generator is unfitted
    ``check_sequence_input_validation``  a 2-D ``X`` or ``inf`` at ``fit``, one feature too
                                         few at ``score`` / ``transform`` raise ``ValueError``
    ``check_sequence_missing_steps``     with ``allow_nan``: fits sequences with NaN steps,
                                         samples complete ones, scores and transforms them
                                         to finite values; without it ``fit`` raises
    ===================================  ========================================================

    Parameters
    ----------
    generator : generator instance
        Unfitted; it is cloned by each check. It needs a ``random_state``
        parameter.
    data : array-like, DataFrame or tuple of (X, y), default=None
        Run the checks on your own rows instead (the first two thirds are
        fitted on, the rest held out). Without ``y``, the conditional checks
        are not run. ``check_sample_on_tabular_frames`` always uses generated
        frames. For a sequence generator: one array of shape (n_sequences,
        n_timesteps, n_features), split likewise by sequence
        (``check_sequence_missing_steps`` then checks nothing).
    expected_failed_checks : dict, default=None
        ``{check_name: reason}`` for checks known to fail; their failure is
        recorded as ``"xfail"`` instead of raised.
    max_examples : int, default=10
        Frames tried by ``check_sample_on_tabular_frames``.
    on_fail : {"raise", None}, default="raise"
        Raise the first unexpected failure, or record every result.

    Returns
    -------
    results : list of dict
        One ``{"check", "status", "message"}`` per check; status is
        ``"passed"``, ``"failed"``, ``"xfail"`` or ``"xpass"``.

    Raises
    ------
    AssertionError
        With ``on_fail="raise"``, for the first failing check; the message
        starts with the check's name and states the broken property.

    See Also
    --------
    parametrize_with_generator_checks : The same checks as pytest cases.

    Examples
    --------
    >>> from sksynth.generators import GaussianGenerator
    >>> from sksynth.testing import check_generator
    >>> results = check_generator(GaussianGenerator())
    >>> len(results), {r["status"] for r in results}
    (16, {'passed'})
    """
    if on_fail not in ("raise", None):
        raise ValueError(f"on_fail must be 'raise' or None, got {on_fail!r}.")
    expected = dict(expected_failed_checks or {})
    results = []
    for check in _yield_generator_checks(generator, data=data, max_examples=max_examples):
        name = check.__name__
        try:
            check(generator)
        except AssertionError as exc:
            if name in expected:
                results.append({"check": name, "status": "xfail", "message": expected[name]})
                continue
            if on_fail == "raise":
                raise
            results.append({"check": name, "status": "failed", "message": str(exc)})
            continue
        status = "xpass" if name in expected else "passed"
        results.append({"check": name, "status": status, "message": ""})
    return results


def _generator_id(generator):
    return re.sub(r"\s+", "", repr(generator))


def parametrize_with_generator_checks(generators, *, expected_failed_checks=None, data=None,
                                      max_examples=10):
    """Pytest decorator running the generator contract on each generator.

    Like scikit-learn's ``parametrize_with_checks``: the decorated test takes
    ``generator`` and ``check`` and calls ``check(generator)``; each
    (generator, check) pair is a separate test with a readable id.

    Parameters
    ----------
    generators : list of generator instances
        Unfitted generators to check.
    expected_failed_checks : callable, default=None
        Takes a generator and returns ``{check_name: reason}``; those checks
        are marked ``xfail`` with the reason.
    data : array-like, DataFrame or tuple of (X, y), default=None
        Own data for every generator, as in :func:`check_generator`.
    max_examples : int, default=10
        Frames tried by ``check_sample_on_tabular_frames``.

    Returns
    -------
    decorator : ``pytest.mark.parametrize``

    See Also
    --------
    check_generator : Run the checks directly.

    Examples
    --------
    >>> from sksynth.generators import GaussianGenerator, GaussianMixtureGenerator
    >>> from sksynth.testing import parametrize_with_generator_checks
    >>> @parametrize_with_generator_checks([GaussianGenerator(), GaussianMixtureGenerator()])
    ... def test_generator_contract(generator, check):
    ...     check(generator)
    """
    import pytest

    if any(isinstance(g, type) for g in generators):
        raise TypeError("pass generator instances, not classes, e.g. [GaussianGenerator()].")
    params = []
    for generator in generators:
        expected = expected_failed_checks(generator) if callable(expected_failed_checks) else {}
        for check in _yield_generator_checks(generator, data=data, max_examples=max_examples):
            name = check.__name__
            marks = ([pytest.mark.xfail(reason=expected[name], strict=True)]
                     if name in expected else [])
            params.append(pytest.param(generator, check, marks=marks,
                                       id=f"{_generator_id(generator)}-{name}"))
    return pytest.mark.parametrize("generator, check", params)
