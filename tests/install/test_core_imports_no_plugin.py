"""The core imports no plugin package (DESIGN.md §1: "Core never imports a plugin package").

Engines, providers, tools and the CLI reach the core through hookspecs and its public
API only. Two checks: a static one over every source file of ``llmspell-core`` (any
import, lazy ones and ``importlib.import_module("...")`` included), and a runtime one in
a fresh interpreter (importing every core module and building a runtime with no plugins
loads none of the forbidden modules).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE_SRC = ROOT / "llmspell-core" / "src"

#: plugin packages and the libraries only plugins may use
FORBIDDEN = frozenset(
    {
        "llmspell_lua",
        "llmspell_js",
        "llmspell_providers",
        "llmspell_tools",
        "llmspell_cli",
        "typer",
        "rich",
        "lupa",
        "quickjs",
        "openai",
        "anthropic",
    }
)


def _imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for every absolute import and every constant-string dynamic import."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                name in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                found.append((node.lineno, first.value))
    return found


def test_static_core_sources_import_no_plugin():
    files = sorted(CORE_SRC.rglob("*.py"))
    assert len(files) >= 10, f"expected the core sources under {CORE_SRC}, found {files}"
    offenders = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, module in _imported_names(tree):
            if module.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    assert not offenders, "the core imports plugin packages:\n" + "\n".join(offenders)


def test_static_check_catches_every_import_form():
    source = (
        "import lupa\n"
        "from rich.table import Table\n"
        "def f():\n"
        "    import llmspell_lua.engine\n"
        "    importlib.import_module('openai')\n"
        "    return __import__('typer')\n"
        "from . import sibling\n"
        "import json\n"
    )
    names = sorted(m for _, m in _imported_names(ast.parse(source)))
    assert names == ["json", "llmspell_lua.engine", "lupa", "openai", "rich.table", "typer"]


RUNTIME_CHECK = """\
import importlib, json, pkgutil, sys
import llmspell, llmspell.runtime, llmspell.plugins
from llmspell.plugins import PluginLoader
loader = PluginLoader(autoload=False)
assert [p.name for p in loader.plugins] == ["llmspell.builtins"], loader.plugins
modules = ["llmspell"]
for info in pkgutil.walk_packages(llmspell.__path__, "llmspell."):
    importlib.import_module(info.name)
    modules.append(info.name)
from llmspell.runtime import Runtime
rt = Runtime(autoload=False)
assert rt.engines.names() == [], rt.engines.names()
rt.close()
forbidden = set(sys.argv[1].split(","))
leaked = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
print(json.dumps({"leaked": leaked, "modules": modules}))
"""


def test_runtime_core_loads_no_plugin_module(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LLMSPELL_HOME": str(tmp_path / "home"),
    }
    proc = subprocess.run(
        [sys.executable, "-c", RUNTIME_CHECK, ",".join(sorted(FORBIDDEN))],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert "llmspell.api.builtin_plugin" in report["modules"]
    assert report["leaked"] == [], f"the core imported plugin modules: {report['leaked']}"
