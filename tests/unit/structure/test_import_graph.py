"""The shape of the code: which package may import which.

- Production code never imports the demo (`bff.demo`): only the composition root's
  platform factory names it, so a deployment runs without it.
- No import cycle between packages (`bff.<package>` and the root modules), counting every
  import, also those inside functions.
- Shared plumbing (`bff.lib`) and the media helpers (`bff.media`) import no capability.
"""

from __future__ import annotations

import ast
import importlib.util
from collections import defaultdict
from pathlib import Path

import bff

ROOT = Path(bff.__file__).parent
DEMO_NAMERS = {"bff.platform_factory"}
LEAVES = {"lib": set(), "media": {"lib"}}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name == "bff" or name.startswith("bff.")}


def _package(module: str) -> str:
    """`bff.catalog.nearby` → `catalog`; a root module `bff.app` → `app`."""
    return module.split(".")[1] if "." in module else module


def _modules() -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in sorted(ROOT.rglob("*.py"))}


def test_production_never_imports_the_demo() -> None:
    offenders = sorted(
        f"{module} imports {name}"
        for module, imported in _modules().items()
        if _package(module) != "demo" and module not in DEMO_NAMERS
        for name in imported if _package(name) == "demo"
    )
    assert offenders == []


def test_shared_plumbing_imports_no_capability() -> None:
    offenders = sorted(
        f"{module} imports {name}"
        for module, imported in _modules().items()
        if _package(module) in LEAVES
        for name in imported
        if _package(name) != _package(module) and _package(name) not in LEAVES[_package(module)]
    )
    assert offenders == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_packages() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    witnesses: dict[tuple[str, str], str] = {}
    for module, imported in _modules().items():
        for name in imported:
            source, target = _package(module), _package(name)
            if source != target and target != "bff":
                edges[source].add(target)
                witnesses.setdefault((source, target), f"{module} → {name}")
    described = [
        [witnesses[(a, b)] for a in cycle for b in cycle if (a, b) in witnesses]
        for cycle in _cycles(edges)
    ]
    assert described == []


def test_every_import_of_the_package_resolves() -> None:
    """Also the imports inside functions, which only run on some paths (a command line
    verb, a fallback): a module that moved must not leave one behind."""
    missing = sorted(
        f"{module} imports {name}"
        for module, imported in _modules().items()
        for name in imported
        if importlib.util.find_spec(name) is None
    )
    assert missing == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
