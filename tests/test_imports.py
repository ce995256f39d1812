"""Every module of padu imports on its own, and no module-level import closes a cycle."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import padu

PACKAGE = Path(padu.__file__).parent

# Imports each named padu module in a child forked from an interpreter that holds no padu
# module yet (third-party packages are loaded once, before forking, so the run stays fast);
# prints one line per module that failed.
_DRIVER = """
import importlib, os, sys, traceback
for name in sys.argv[2:]:
    importlib.import_module(name)
assert not any(m == "padu" or m.startswith("padu.") for m in sys.modules)
modules = sys.argv[1].split(",")
for module in modules:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(module)
        except BaseException:
            os.write(write, traceback.format_exc().encode())
            os._exit(1)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        print(f"{module}: {message.strip().splitlines()[-1] if message else status}")
"""


def _modules() -> dict[str, Path]:
    """Every module of the padu package by dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports run when the module runs: not those in functions or under ``TYPE_CHECKING``."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _module_level_imports(node.body)
            yield from _module_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                yield from _module_level_imports(block)
        elif isinstance(node, ast.With):
            yield from _module_level_imports(node.body)


def _needed(name: str, importer: str, modules: dict[str, Path]) -> set[str]:
    """Padu modules that importing ``name`` from ``importer`` runs or needs complete.

    ``name`` itself, and the packages above it that are not above ``importer`` (those are
    being imported already when ``importer`` runs, and a submodule of a package still being
    imported imports fine).
    """
    parts = name.split(".")
    needed = {name} if name in modules else set()
    for i in range(1, len(parts)):
        package = ".".join(parts[:i])
        if package in modules and not importer.startswith(package + "."):
            needed.add(package)
    return needed


def import_graph() -> dict[str, set[str]]:
    """Which padu modules each padu module imports at module level."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in _module_level_imports(ast.parse(path.read_text()).body):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")
                    anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                    base = ".".join([*anchor, *([base] if base else [])])
                # `from p import m` needs the submodule m when there is one, else p's names.
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    for a in node.names
                ]
            for target in targets:
                edges |= _needed(target, name, modules)
        graph[name] = edges - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as the path around it, or None when it has none."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, successors = stack[-1]
            step = next(successors, None)
            if step is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
            elif step in on_path:
                return [*path[path.index(step) :], step]
            elif step not in done:
                stack.append((step, iter(sorted(graph[step]))))
                path.append(step)
                on_path.add(step)
    return None


def _third_party() -> list[str]:
    """Top-level packages padu imports at module level, other than padu."""
    names: set[str] = set()
    for path in _modules().values():
        for node in _module_level_imports(ast.parse(path.read_text()).body):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif node.module and not node.level:
                names.add(node.module.split(".")[0])
    names.discard("padu")
    return sorted(names)


def test_every_module_imports_on_its_own() -> None:
    modules = sorted(_modules())
    assert len(modules) > 90 and "padu.resolvers.pagination" in modules
    root = str(PACKAGE.parent)
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, ",".join(modules), *_third_party()],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", f"modules that fail when imported first:\n{done.stdout}"


def test_no_import_cycle() -> None:
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])
    assert graph["padu.schema.build"] >= {"padu.schema.query", "padu.schema.mutations"}
    assert "padu.schema" in graph["padu.resolvers.pagination"]


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_graph_sees_package_imports() -> None:
    """Importing a submodule of another package runs that package's ``__init__`` first."""
    graph = import_graph()
    # padu.view imports padu.sources.performance: padu.sources' __init__ runs too.
    assert {"padu.sources", "padu.sources.performance"} <= graph["padu.view"]
    # A submodule does not depend on its own package merely by importing a sibling.
    assert "padu.loaders" not in graph["padu.loaders.learning"]
