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


def _package_imports():
    """``{(importer, imported): [modules]}`` over the top-level parts of sksynth.

    Every ``import`` and ``from ... import`` statement of every module under
    ``sksynth/`` counts, wherever it stands (inside functions too, so lazy
    imports count), relative or absolute, as do ``import_module`` calls on a
    literal ``"sksynth.<name>"``. A part is a sub-package (``generators``) or a
    top-level module (``base``, ``cli``).
    """
    import ast
    from collections import defaultdict
    from pathlib import Path

    import sksynth

    root = Path(sksynth.__file__).parent
    edges = defaultdict(set)
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        package = parts[:-1]  # what a relative import of level 1 starts from
        if parts[1] == "__init__":
            continue  # sksynth/__init__.py: lazy attribute access, no import statement
        source = parts[1]
        targets = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = list(package[: len(package) - node.level + 1])
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                if node.module is None or module == "sksynth":
                    targets += [f"{module}.{alias.name}" for alias in node.names]
                else:
                    targets.append(module)
            elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(
                    node.func, "id", None)) == "import_module" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                targets.append(node.args[0].value)
        for target in targets:
            names = target.split(".")
            if names[0] == "sksynth" and len(names) > 1 and names[1] != source:
                edges[source, names[1]].add(".".join(parts))
    return edges


def _find_cycle(edges):
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_packages_import_one_way():
    # issue 22: theory needs numpy/scipy only, studies sit on top, and no two parts of the
    # package import each other, lazily or not
    edges = _package_imports()
    cycle = _find_cycle(edges)
    assert cycle is None, "import cycle " + " -> ".join(cycle) + "; " + "; ".join(
        f"{a} -> {b} in {sorted(edges[a, b])}" for a, b in zip(cycle, cycle[1:]))
    theory = sorted(b for a, b in edges if a == "theory")
    assert theory == [], f"sksynth.theory imports {theory}; it must need numpy/scipy only"
