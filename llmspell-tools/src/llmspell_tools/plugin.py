"""Entry point of llmspell-tools: registers every tool of the library.

Tools live in one module each under a category package and define ``TOOL``. Modules
are discovered, so adding a tool is adding a file. Each imports its third-party library
only when the tool runs, so registering the library stays cheap (see benchmarks/).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import import_module

from llmspell import PluginError, hookimpl

#: the category packages, each holding one module per tool
CATEGORIES = ("utility", "data", "analysis", "filesystem", "system", "media", "document")


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


@hookimpl
def register_tools(register: Callable[..., None]) -> None:
    """Register the built-in tools; a module that fails to import is reported (as a
    plugin error naming it) without keeping the other tools from registering."""
    broken = []
    for name in tool_modules():
        try:
            tool = import_module(name).TOOL
        except Exception as exc:
            broken.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        register(tool)
    if broken:
        raise PluginError("tool modules failed to load: " + "; ".join(broken))
