"""The core's layers stay acyclic: no module imports, at module level, a module that
(through others) imports it back; the ``api/`` globals sit above the runtime, which reaches
them only through the plugin loader (a function-level import of the built-in plugin)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "llmspell"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(("llmspell", *parts)).removesuffix(".__init__")


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        deps: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level only
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("llmspell"):
                    deps.add(node.module)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("llmspell"))
        graph[_module(path)] = deps
    return graph


def test_no_import_cycles_at_module_level() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for dep in sorted(graph.get(name, ())):
            if dep not in graph:
                continue
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_the_runtime_layer_does_not_import_the_globals() -> None:
    graph = _graph()
    below = [m for m in graph if not m.startswith("llmspell.api")]
    offenders = {m: sorted(d for d in graph[m] if d.startswith("llmspell.api")) for m in below}
    assert not {m: d for m, d in offenders.items() if d}
