"""Constraints written as text, for the command line: ``parse_constraint``.

``sksynth fit --constraint "Inequality('Min.Price', 'Price')"`` reads a call of
one of the constraint classes with literal arguments. The text is parsed with
:mod:`ast` and only a call of an allowed class whose arguments are literals
(numbers, strings, booleans, None, lists and tuples of them) is accepted:
nothing is evaluated, so a command line (or a configuration file that feeds
it) cannot run code.
"""

import ast

from ._combinations import FixedCombinations
from ._inequality import Inequality
from ._range import Range

#: The constraint classes a text may name.
CONSTRAINTS = {cls.__name__: cls for cls in (Inequality, Range, FixedCombinations)}


def _literal(node, text, what):
    """The value of a literal argument; a bare identifier is a column name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, (ast.List, ast.Tuple)):
        values = [_literal(item, text, what) for item in node.elts]
        return values if isinstance(node, ast.List) else tuple(values)
    try:
        return ast.literal_eval(node)
    except ValueError:
        hint = ("; quote column names that are not Python identifiers, e.g. "
                "Inequality('Min.Price', 'Price')" if isinstance(node, ast.Attribute) else "")
        raise ValueError(
            f"constraint {text!r}: {what} is not a literal "
            f"({ast.get_source_segment(text, node)!r}){hint}."
        ) from None


def parse_constraint(text):
    """Build the constraint that ``text`` writes as a call with literal arguments.

    Parameters
    ----------
    text : str
        A call of :class:`Inequality`, :class:`Range` or
        :class:`FixedCombinations`, e.g. ``"Inequality('start', 'end',
        strict=True)"``, ``"Range('share', 0, 1)"`` or
        ``"FixedCombinations(['species', 'island'])"``. Column names that are
        Python identifiers may go unquoted (``Range(age, 0, 120)``).

    Returns
    -------
    constraint : Inequality, Range or FixedCombinations
        Unfitted; its parameters are checked when a generator is fitted.

    Raises
    ------
    ValueError
        If ``text`` is not such a call.

    Examples
    --------
    >>> from sksynth.constraints._parse import parse_constraint
    >>> parse_constraint("Inequality('Min.Price', 'Price')")
    Inequality(high='Price', low='Min.Price')
    >>> parse_constraint("Range(share, 0, 1)")
    Range(column='share', high=1, low=0)
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        tree = None
    call = getattr(tree, "body", None)
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise ValueError(
            f"constraint {text!r} is not a call such as Inequality('low', 'high'); "
            f"use one of {', '.join(CONSTRAINTS)}."
        )
    cls = CONSTRAINTS.get(call.func.id)
    if cls is None:
        raise ValueError(
            f"constraint {text!r} names {call.func.id!r}, which is not a constraint; "
            f"use one of {', '.join(CONSTRAINTS)}."
        )
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(
            keyword.arg is None for keyword in call.keywords):
        raise ValueError(f"constraint {text!r}: *args and **kwargs are not accepted.")
    args = [_literal(arg, text, f"argument {i + 1}") for i, arg in enumerate(call.args)]
    kwargs = {kw.arg: _literal(kw.value, text, f"argument {kw.arg!r}") for kw in call.keywords}
    try:
        return cls(*args, **kwargs)
    except TypeError as exc:
        raise ValueError(f"constraint {text!r}: {exc}") from None
