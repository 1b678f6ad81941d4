"""
The simulator's module structure, read from its source with ``ast`` (nothing is imported).

- The import graph of ``nautilus_bitget.sim.*`` is acyclic (every import statement counts, also
  those under ``if TYPE_CHECKING:`` and inside functions).
- No module imports a private name (``_x``) from another ``nautilus_bitget`` module.
- ``sim/`` never imports the client side: from ``nautilus_bitget`` only ``nautilus_bitget.sim.*``,
  ``nautilus_bitget.common.*`` and ``nautilus_bitget.constants`` (design.md 5: the simulator is
  built to Bitget's documents, not to our client).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import nautilus_bitget.sim


SIM_ROOT = Path(nautilus_bitget.sim.__file__).parent
PACKAGE_ROOT = SIM_ROOT.parent.parent  # the directory holding the nautilus_bitget package
ALLOWED = ("nautilus_bitget.sim", "nautilus_bitget.common", "nautilus_bitget.constants")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


SIM_MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(SIM_ROOT.rglob("*.py"))}


def _imports(module: str, path: Path) -> list[tuple[str, str | None, int]]:
    """Return ``(imported module, imported name or None, line)`` for every import statement."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    out: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            out += [(source, alias.name, node.lineno) for alias in node.names]
    return out


def _target(source: str, name: str | None) -> str:
    """Return the module an import depends on: ``from pkg import mod`` depends on ``pkg.mod``."""
    if name is not None and f"{source}.{name}" in SIM_MODULES:
        return f"{source}.{name}"
    return source


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in SIM_MODULES}
    for module, path in SIM_MODULES.items():
        for source, name, _ in _imports(module, path):
            target = _target(source, name)
            if target in SIM_MODULES and target != module:
                graph[module].add(target)
    return graph


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_sim_modules_are_found() -> None:
    assert "nautilus_bitget.sim.server" in SIM_MODULES
    assert "nautilus_bitget.sim.v3.rest" in SIM_MODULES


def test_find_cycle_detects_a_cycle() -> None:
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_sim_import_graph_is_acyclic() -> None:
    cycle = _find_cycle(_graph())
    assert cycle is None, "import cycle in nautilus_bitget.sim: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("module", sorted(SIM_MODULES))
def test_no_private_names_imported_across_modules(module: str) -> None:
    bad = [
        f"line {line}: from {source} import {name}"
        for source, name, line in _imports(module, SIM_MODULES[module])
        if name is not None
        and name.startswith("_")
        and source.startswith("nautilus_bitget")
        and _target(source, name) != module
    ]
    assert not bad, f"{module} imports private names: {bad}"


@pytest.mark.parametrize("module", sorted(SIM_MODULES))
def test_sim_never_imports_the_client_side(module: str) -> None:
    bad = []
    for source, name, line in _imports(module, SIM_MODULES[module]):
        target = _target(source, name)
        if target == "nautilus_bitget" and name is not None:
            target = f"nautilus_bitget.{name}"  # ``from nautilus_bitget import x``
        if not target.startswith("nautilus_bitget"):
            continue
        if any(target == ok or target.startswith(ok + ".") for ok in ALLOWED):
            continue
        bad.append(f"line {line}: {target}")
    assert not bad, f"{module} imports the client side: {bad}"
