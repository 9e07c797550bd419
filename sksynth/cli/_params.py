"""Which generator ``--generator`` names, and its ``--param`` and ``--constraint`` values."""

import ast

from sksynth._tables import CLIError, _one_line

#: Short names accepted by ``--generator`` (besides the class names).
ALIASES = {
    "copula": "GaussianCopulaGenerator",
    "gaussian": "GaussianGenerator",
    "mixture": "GaussianMixtureGenerator",
    "vae": "TabularVAE",
    "gan": "ConditionalTabularGAN",
    "ctgan": "ConditionalTabularGAN",
}


def _generator_classes():
    """Public generator classes of sksynth.generators, by name (those with ``sample``)."""
    import inspect

    import sksynth.generators as generators

    found = {}
    for name in getattr(generators, "__all__", []):
        obj = getattr(generators, name, None)
        if inspect.isclass(obj) and callable(getattr(obj, "sample", None)) and callable(
                getattr(obj, "fit", None)):
            found[name] = obj
    return found


def _resolve_generator(name):
    classes = _generator_classes()
    wanted = ALIASES.get(name.lower(), name)
    for cls_name, cls in classes.items():
        if cls_name.lower() == wanted.lower():
            return cls
    aliases = sorted(a for a, target in ALIASES.items() if target in classes)
    raise CLIError(
        f"unknown generator {name!r}; available: {', '.join(sorted(classes))} "
        f"(or the short names {', '.join(aliases)})"
    )


def _parse_value(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        lowered = text.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered in ("none", "null"):
            return None
        return text


def _parse_params(items):
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CLIError(f"--param expects KEY=VALUE, got {item!r}")
        params[key] = _parse_value(value)
    return params


def _set_params(generator, params):
    valid = generator.get_params(deep=False)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise CLIError(
            f"unknown parameter {unknown[0]!r} for {type(generator).__name__}; valid "
            f"parameters: {', '.join(sorted(valid))}"
        )
    return generator.set_params(**params)


def _set_constraints(generator, params, texts):
    """Give ``generator`` the constraints that ``--constraint`` wrote as text."""
    from sksynth.constraints._parse import parse_constraint

    name = type(generator).__name__
    if "constraints" not in generator.get_params(deep=False):
        raise CLIError(f"{name} takes no constraints; --constraint needs a mixed-table "
                       "generator such as GaussianCopulaGenerator or TabularVAE")
    if "constraints" in params:
        raise CLIError("give constraints with --constraint or --param constraints=..., "
                       "not both")
    try:
        constraints = [parse_constraint(text) for text in texts]
    except ValueError as exc:
        raise CLIError(f"--constraint: {_one_line(exc)}") from exc
    generator.set_params(constraints=constraints)
