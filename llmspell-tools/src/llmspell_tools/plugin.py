"""Entry point of llmspell-tools: registers every tool of the library.

Tools live in one module each under a category package and define ``TOOL``. Modules
are discovered, so adding a tool is adding a file. Each imports its third-party library
only when the tool runs, so registering the library stays cheap (see benchmarks/).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import import_module
from typing import Any

from llmspell import PluginError, hookimpl
from llmspell.tools import LazyTool, Tool

#: the category packages, each holding one module per tool
CATEGORIES = (
    "utility",
    "data",
    "analysis",
    "filesystem",
    "system",
    "media",
    "document",
    "api",
    "web",
    "search",
    "communication",
)


def tool_modules() -> list[str]:
    """The dotted names of every tool module, sorted (a directory listing: pkgutil
    costs ~10 ms to import, more than all the tool modules together)."""
    root = os.path.dirname(__file__)
    names = []
    for category in CATEGORIES:
        for entry in os.listdir(os.path.join(root, category)):
            stem, ext = os.path.splitext(entry)
            if ext == ".py" and not stem.startswith("_"):
                names.append(f"llmspell_tools.{category}.{stem}")
    return sorted(names)


def tool_name(module: str) -> str:
    """The tool a module defines: ``llmspell_tools.utility.hash_calculator`` →
    ``hash-calculator`` (a test checks every module's ``TOOL.name`` against it)."""
    return module.rsplit(".", 1)[1].replace("_", "-")


def _loader(module: str) -> Callable[[], Tool]:
    def load() -> Tool:
        try:
            tool: Tool = import_module(module).TOOL
        except Exception as exc:
            raise PluginError(
                f"tool module {module} failed to load: {type(exc).__name__}: {exc}"
            ) from exc
        if tool.settings is None:
            tool.settings = {}  # a built-in tool that declares none has no [tools.NAME] keys
        return tool

    return load


@hookimpl
def register_tools(register: Callable[..., None]) -> None:
    """Register the built-in tools by name; each module is imported when its tool is
    first used (a module that fails to import is reported then, naming it)."""
    for module in tool_modules():
        register(LazyTool(tool_name(module), _loader(module)))


@hookimpl
def register_globals(register: Callable[..., None]) -> None:
    """The ``MCP`` global (docs/mcp.md); the MCP SDK is imported when a server is used."""
    from llmspell_tools.mcp.api import MCP

    register(MCP)


@hookimpl
def llmspell_startup(runtime: Any) -> None:
    """Configured MCP servers' tools resolve by name (``SERVER__TOOL``), starting the
    server on first use."""
    if not getattr(getattr(runtime.settings, "mcp", None), "servers", None):
        return

    def resolve(name: str) -> Tool | None:
        if "__" not in name:
            return None
        from llmspell_tools.mcp.manager import manager_for

        return manager_for(runtime).resolve(name)

    runtime.tools.add_resolver(resolve)


@hookimpl
def llmspell_shutdown(runtime: Any) -> None:
    """Stop the MCP servers the runtime started."""
    import sys

    module = sys.modules.get("llmspell_tools.mcp.manager")
    if module is None:  # no MCP server was used: nothing to stop
        return
    manager = module._MANAGERS.get(runtime)
    if manager is not None:
        manager.stop_all()
