"""Sphinx configuration for the sksynth documentation.

Built by ``make docs`` as ``sphinx-build -W --keep-going -b html doc doc/_build/html``:
every warning fails the build. The build needs no network (CI has none), so
intersphinx is not used; sphinx-gallery executes ``examples/plot_*.py``.
"""

import os
import re
import sys

# Headless plotting for the gallery, set before anything imports pyplot.
os.environ.setdefault("MPLBACKEND", "Agg")
import matplotlib  # noqa: E402

matplotlib.use("Agg")

# Build against the working tree even when the package is not installed.
sys.path.insert(0, os.path.abspath(".."))

import sksynth  # noqa: E402

# -- Project -----------------------------------------------------------------
project = "sksynth"
author = "sksynth developers"
copyright = f"2026, {author}"
release = sksynth.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
# sphinx.ext.intersphinx is deliberately absent: it fetches inventories over the
# network, which CI does not have.

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
nitpicky = False
default_role = "literal"
add_module_names = False
pygments_style = "sphinx"

# -- autodoc / autosummary / numpydoc ---------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# Methods inherited from scikit-learn (get_metadata_routing, set_output,
# set_*_request, ClassifierMixin.score, ...) carry :ref:/:term:/:doc: roles that
# point into scikit-learn's own documentation. Without intersphinx (no network)
# they would be unresolved and fail the -W build, so for objects defined in
# scikit-learn only, such roles are reduced to their text. Our own docstrings are
# left alone: a broken reference there is a real error.
_SKLEARN_ROLE = re.compile(r":(?:ref|term|doc):`([^`<]*?)\s*(?:<([^`>]*)>)?`", re.DOTALL)


def _role_text(match):
    return (match.group(1).strip() or (match.group(2) or "").strip()).replace("\n", " ")


def _strip_sklearn_refs(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if not module.startswith("sklearn"):
        return
    lines[:] = _SKLEARN_ROLE.sub(_role_text, "\n".join(lines)).split("\n")


def setup(app):
    app.connect("autodoc-process-docstring", _strip_sklearn_refs)


# -- sphinx-gallery -----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Execute every example script whose file name starts with plot_.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "image_scrapers": ("matplotlib",),
    # Back-references feed the "Examples using ..." mini-galleries in the API pages.
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("sksynth",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "min_reported_time": 1,
}

# -- HTML ---------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401
except ImportError:  # the docs extra is not installed: fall back to the built-in theme
    html_theme = "alabaster"
    html_theme_options = {}
else:
    html_theme = "pydata_sphinx_theme"
    html_theme_options = {
        "navigation_with_keys": False,
        "show_toc_level": 2,
        "footer_start": ["copyright"],
        "footer_end": ["sphinx-version"],
    }
html_title = f"sksynth {release}"
_static = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_static")
html_static_path = ["_static"] if os.path.isdir(_static) else []
html_show_sourcelink = False
