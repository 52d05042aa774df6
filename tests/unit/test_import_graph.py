"""No import cycle among the project's modules, function-level and typing-only imports included.

import-linter checks the layers but not cycles; a cycle hidden in a function body still ties the
modules together (and breaks the moment someone moves the import to the top).
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "review", "channels", "templates")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            owner = _owner(name, modules)
            # a package's __init__ is not a dependency of its own sub-modules' imports
            if owner and owner != module and not module.startswith(owner + "."):
                targets.add(owner)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: _imports(m, p, modules) for m, p in modules.items()}


def test_the_graph_sees_the_project() -> None:
    graph = import_graph()
    assert "bot.app" in graph and "review.publishing.engine" in graph
    assert "bot.services" in graph["bot.app"]
    # a function-level import is an edge too (bot.cli.actions.common loads the registry lazily)
    assert "bot.platforms.registry" in graph["bot.cli.actions.common"]


def test_no_import_cycle() -> None:
    sorter = graphlib.TopologicalSorter(import_graph())
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None


def test_a_cycle_would_be_reported() -> None:
    graph = import_graph()
    graph["bot.services"] = graph["bot.services"] | {"bot.app"}  # bot.app imports bot.services
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError:
        return
    raise AssertionError("an added cycle went unnoticed")
