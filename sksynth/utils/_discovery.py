"""Find every public estimator of the package, so checks cover new ones."""

import importlib
import inspect
import pkgutil

from sklearn.base import BaseEstimator

# constraints are parameter objects of generators (as scikit-learn's Gaussian-process
# kernels are), not estimators: tests/test_constraints.py checks their protocol
_SKIP = ("tests", "testing", "utils", "cli", "report", "constraints")


def all_estimators():
    """Return the public estimators of sksynth as sorted ``(name, class)`` pairs.

    A class is public when a public sub-package lists it in ``__all__``; private
    modules (``_name``) and abstract classes are skipped.

    Returns
    -------
    estimators : list of tuple of (str, type)

    Examples
    --------
    >>> from sksynth.utils import all_estimators
    >>> "GaussianGenerator" in dict(all_estimators())
    True
    """
    import sksynth

    found = {}
    for module_info in pkgutil.iter_modules(sksynth.__path__, "sksynth."):
        leaf = module_info.name.rsplit(".", 1)[-1]
        if leaf.startswith("_") or leaf in _SKIP:
            continue
        module = importlib.import_module(module_info.name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
                and not name.startswith("_")
            ):
                found[name] = obj
    return sorted(found.items())
