# sksynth developer tasks. Everything runs inside a project-local virtual
# environment (.venv) that `make venv` creates from scratch; every target that
# needs Python depends on it, so `make test` / `make demo` / `make docs` work on
# a fresh clone.
#
#   make demo       install everything into .venv, run the main job on bundled data
#   make test       install, then run the fast tests (tests/ + doctests of sksynth/)
#   make test-slow  the long statistical studies (pytest -m slow)
#   make docs       build the HTML docs (warnings are errors) into doc/_build/html
#   make bench      run benchmarks/bench_*.py (SDV comparisons in a separate .venv-bench)
#   make clean      remove build artefacts (keeps .venv); distclean also removes .venv

PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# SDV 2.x pins pandas < 3: its comparisons run in their own environment, so that the
# main .venv keeps its pandas.
BENCH_VENV ?= .venv-bench
BPY := $(BENCH_VENV)/bin/python
BENCH_STAMP := $(BENCH_VENV)/.installed
# Scripts that compare against SDV, run with $(BPY); the others run with $(VPY).
SDV_BENCHMARKS := benchmarks/bench_tabular.py
# Parallel pytest workers (pytest-xdist); loadfile keeps a file's tests on one worker.
JOBS ?= 2
PYTEST_FLAGS ?=
SPHINXOPTS ?=

# Headless plotting everywhere (tests, examples, sphinx-gallery).
export MPLBACKEND := Agg

.DEFAULT_GOAL := help
.PHONY: help venv test test-slow demo docs bench clean distclean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

venv: $(STAMP)

# The stamp is rebuilt only when pyproject.toml changes. torch is installed FIRST
# and pinned exactly: pip then takes the CPU wheel that lies on disk, whereas a
# looser spec (or letting `torch>=...` from our dependencies resolve it) pulls a
# multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --upgrade pip
	$(VPY) -m pip install torch==2.13.0
	$(VPY) -m pip install -e ".[test,docs,imbalanced,privacy,faker]"
	touch $@

test: $(STAMP)
	$(VPY) -m pytest -m "not slow" -n $(JOBS) --dist loadfile $(PYTEST_FLAGS)

# Exit status 5 (no test collected) is not an error here: there may be no slow study yet.
test-slow: $(STAMP)
	$(VPY) -m pytest -m slow -n $(JOBS) --dist loadfile $(PYTEST_FLAGS) || test $$? -eq 5

# Fits the available generators to the bundled Adult data, evaluates them and writes
# HTML reports + summary.csv into sksynth_demo_output/ (the `sksynth demo` command).
demo: $(STAMP)
	$(VPY) -m sksynth demo --out sksynth_demo_output

# -E: always re-read every page; an incremental build would not re-emit the warnings of
# unchanged pages, so -W could pass on a second run. Executed examples are cached by
# sphinx-gallery (by checksum) regardless.
docs: $(STAMP)
	$(VPY) -m sphinx -E -W --keep-going -b html $(SPHINXOPTS) doc doc/_build/html
	@echo "HTML docs: doc/_build/html/index.html"

# The bench environment: torch pinned first (the CPU wheel, as for .venv), then SDV
# (which brings its own pandas < 3), then this checkout without its dependencies (they
# would ask for pandas 3) plus the few it needs that SDV does not bring.
$(BENCH_STAMP): pyproject.toml
	test -x $(BPY) || $(PYTHON) -m venv $(BENCH_VENV)
	$(BPY) -m pip install --upgrade pip
	$(BPY) -m pip install torch==2.13.0
	$(BPY) -m pip install "sdv>=2,<3"
	$(BPY) -m pip install --no-deps -e .
	$(BPY) -m pip install "scikit-learn>=1.6" threadpoolctl tqdm matplotlib skorch
	touch $@

# Each script prints a table and its ratio against a reference measured in the same run.
bench: $(STAMP) $(BENCH_STAMP)
	@set -e; found=0; for f in benchmarks/bench_*.py; do \
		[ -e "$$f" ] || continue; found=1; py="$(VPY)"; \
		case " $(SDV_BENCHMARKS) " in *" $$f "*) py="$(BPY)";; esac; \
		echo "== $$f ($$py)"; $$py "$$f"; \
	done; [ $$found -eq 1 ] || echo "no benchmarks/bench_*.py yet"

clean:
	rm -rf doc/_build doc/generated doc/auto_examples doc/gen_modules doc/sg_execution_times.rst
	rm -rf build dist *.egg-info .pytest_cache .hypothesis sksynth_demo_output
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
