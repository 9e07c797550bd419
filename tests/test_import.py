"""``import sksynth`` stays light: no torch, fast."""

import subprocess
import sys
import time


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)


def test_core_subpackages_do_not_import_torch():
    out = _run(
        "import sys, sksynth, sksynth.generators, sksynth.augmentation, sksynth.pruning, "
        "sksynth.datasets; print('torch' in sys.modules, 'skorch' in sys.modules)"
    )
    assert out.stdout.split() == ["False", "False"]


def test_top_level_import_is_lazy_and_fast():
    out = _run("import sys, sksynth; print('sksynth.generators' in sys.modules)")
    assert out.stdout.strip() == "False"
    # interpreter start-up is the reference, measured in the same run
    start = time.perf_counter()
    _run("pass")
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    _run("import sksynth")
    assert time.perf_counter() - start - baseline < 1.0
