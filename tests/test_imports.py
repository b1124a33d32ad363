"""The package's import graph: arrows point one way (no circles), nothing below the CLI
imports the package root, and no private name crosses a sub-package boundary.

Function-level imports count: an import deferred into a function still ties the two
modules together (it only hides the circle from the interpreter at import time).
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "tsforecast"
#: Circles known and not yet untied, listed so that any NEW circle fails (none left).
KNOWN_CIRCLES: list[set] = []


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict:
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def _imports(name: str, path: pathlib.Path, modules: dict) -> list[tuple[str, list[str]]]:
    """``(module imported, names imported from it)`` for every import in ``path``,
    wherever it stands (module level or inside a function)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # "from . import windowing" imports a module
                full = f"{target}.{alias.name}"
                out.append((full, []) if full in modules else (target, [alias.name]))
        elif isinstance(node, ast.Import):
            out += [(alias.name, []) for alias in node.names]
    return [(target, names) for target, names in out if target in modules]


def _graph() -> dict:
    modules = _modules()
    return {name: {t for t, _ in _imports(name, path, modules)} - {name} for name, path in modules.items()}


def _circles(graph: dict) -> list[set]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _circles(graph) == [{"a", "b", "c"}]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_function_level_and_relative_imports():
    graph = _graph()
    assert "tsforecast._panel" in graph["tsforecast.base"]  # module level, relative
    assert "tsforecast.plotting" in graph["tsforecast.backtesting.result"]  # inside a function


def test_no_import_circles():
    circles = [c for c in _circles(_graph()) if c not in KNOWN_CIRCLES]
    assert circles == [], f"import circles: {[sorted(c) for c in circles]}"


def test_nothing_below_the_cli_imports_the_package_root():
    graph = _graph()
    offenders = sorted(name for name, targets in graph.items()
                       if "tsforecast" in targets and not name.startswith("tsforecast.cli"))
    assert offenders == []


def _subpackage(name: str) -> str:
    """``tsforecast.backtesting`` for its modules and itself; ``tsforecast`` for loose modules."""
    parts = name.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (ROOT / parts[1]).is_dir()):
        return ".".join(parts[:2])
    return "tsforecast"


@pytest.mark.parametrize("name", sorted(_modules()))
def test_no_private_name_imported_across_subpackages(name):
    modules = _modules()
    crossing = [(target, n) for target, names in _imports(name, modules[name], modules) for n in names
                if n.startswith("_") and not n.startswith("__") and _subpackage(target) != _subpackage(name)]
    assert crossing == [], f"{name} imports private names from another sub-package: {crossing}"
