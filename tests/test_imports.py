"""The package's import graph: arrows point one way (no circles), nothing below the CLI
imports the package root, no private name or private module crosses a sub-package
boundary, and the core imports nothing above it.

Function-level imports count: an import deferred into a function still ties the two
modules together (it only hides the circle from the interpreter at import time).
"""

from __future__ import annotations

import ast
import importlib
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "tsforecast"
#: Circles known and not yet untied, listed so that any NEW circle fails (none left).
KNOWN_CIRCLES: list[set] = []

#: Issue 21's layout is made: no planned moves are left (module today -> module after).
LAYOUT: dict[str, str] = {}
#: The face: what stays loose at the package root (everything else lives in a sub-package).
FACE = {"tsforecast", "tsforecast._registry", "tsforecast._version", "tsforecast._quiet",
        "tsforecast.exceptions", "tsforecast.datasets", "tsforecast.__main__"}  # python -m tsforecast
#: Public module paths (relative to the package) that the README and docs/ taught users to
#: import; after the move each stays at the root as an alias of the module's new home.
ALIASES = ("metrics", "plotting")


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
    assert "tsforecast.core.panel" in graph["tsforecast.forecasters.base"]  # module level, relative
    assert "tsforecast.reporting.plotting" in graph["tsforecast.backtesting.result"]  # inside a function


def test_no_import_circles():
    circles = [c for c in _circles(_graph()) if c not in KNOWN_CIRCLES]
    assert circles == [], f"import circles: {[sorted(c) for c in circles]}"


def test_nothing_below_the_cli_imports_the_package_root():
    graph = _graph()
    offenders = sorted(name for name, targets in graph.items()
                       if "tsforecast" in targets and not name.startswith("tsforecast.cli"))
    assert offenders == []


def _placed(name: str) -> str:
    """Where ``name`` lives once the layout is made."""
    return LAYOUT.get(name, name)


def _subpackage(name: str) -> str:
    """``tsforecast.backtesting`` for its modules and itself; ``tsforecast`` for loose modules
    (after the move; see :data:`LAYOUT`)."""
    parts = _placed(name).split(".")
    if len(parts) > 2 or (len(parts) == 2 and (ROOT / parts[1]).is_dir()):
        return ".".join(parts[:2])
    return "tsforecast"


def _private_to(module: str) -> str | None:
    """The package a private module is private to (``tsforecast.backtesting`` for
    ``tsforecast.backtesting._run``), or None for a public one."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def test_the_layout_helpers():
    assert _private_to("tsforecast.backtesting._run") == "tsforecast.backtesting"
    assert _private_to("tsforecast._registry") == "tsforecast"
    assert _private_to("tsforecast.core.metrics") is None and _private_to("tsforecast.__main__") is None
    assert _subpackage("tsforecast.backtesting._run") == "tsforecast.backtesting"
    assert _subpackage("tsforecast.exceptions") == "tsforecast"
    assert all(_subpackage(old) == ".".join(new.split(".")[:2]) for old, new in LAYOUT.items())


def test_only_the_face_stays_at_the_root():
    loose = {_placed(name) for name in _modules() if _subpackage(name) == "tsforecast"}
    assert loose - {f"tsforecast.{alias}" for alias in ALIASES} == FACE


@pytest.mark.parametrize("alias", ALIASES)
def test_old_public_module_paths_still_import(alias):
    """``from tsforecast.core.metrics import mase`` keeps working: the old path is the module
    itself (one object, so ``mock.patch`` on either path patches both)."""
    path = f"tsforecast.{alias}"
    old = importlib.import_module(path)
    if path in LAYOUT:  # before the move: the module itself, which the move will turn into an alias
        assert old.__name__ == path
    else:
        assert _subpackage(old.__name__) != "tsforecast", f"{path} is not an alias of a moved module"
        assert old is importlib.import_module(old.__name__) and sys.modules[path] is old


@pytest.mark.parametrize("name", sorted(_modules()))
def test_no_private_name_imported_across_subpackages(name):
    modules = _modules()
    crossing = [(target, n) for target, names in _imports(name, modules[name], modules) for n in names
                if n.startswith("_") and not n.startswith("__") and _subpackage(target) != _subpackage(name)]
    assert crossing == [], f"{name} imports private names from another sub-package: {crossing}"


@pytest.mark.parametrize("name", sorted(_modules()))
def test_no_private_module_imported_from_outside_its_package(name):
    """A private module (``_x``) is private to the package holding it: ``tsforecast._registry``
    serves the whole package, ``tsforecast.backtesting._run`` only ``tsforecast.backtesting``."""
    modules = _modules()
    placed = _placed(name)
    outside = sorted({_placed(target) for target, _ in _imports(name, modules[name], modules)
                      if (owner := _private_to(_placed(target))) is not None
                      and not placed.startswith(owner + ".") and placed != owner})
    assert outside == [], f"{placed} imports private modules of another package: {outside}"


def test_the_core_imports_nothing_above_it():
    """The core (panel, time index, validation, kernels, windowing, splits, metrics) is the
    bottom layer: it may import itself and the exceptions, nothing else of the package."""
    up = sorted((_placed(name), _placed(target)) for name, targets in _graph().items()
                if _subpackage(name) == "tsforecast.core" for target in targets
                if _subpackage(target) != "tsforecast.core" and target != "tsforecast.exceptions")
    assert up == [], f"the core imports modules above it: {up}"
