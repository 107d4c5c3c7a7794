"""Registries for what plugins contribute: engines, providers, tools and globals."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmspell.engine import ScriptEngine
from llmspell.errors import NotFoundError, PluginError
from llmspell.ops import GlobalSpec, ObjectType
from llmspell.tools import LazyTool, Tool

__all__ = [
    "KNOWN_ENGINE_DISTRIBUTIONS",
    "EngineRegistry",
    "GlobalRegistry",
    "ProviderInfo",
    "ProviderRegistry",
    "ToolRegistry",
]

#: Engines llmspell ships as separate distributions, by name and file extension, so a
#: missing engine error can say what to install.
KNOWN_ENGINE_DISTRIBUTIONS: dict[str, str] = {
    "lua": "llmspell-engine-lua",
    ".lua": "llmspell-engine-lua",
    "js": "llmspell-engine-js",
    "javascript": "llmspell-engine-js",
    ".js": "llmspell-engine-js",
    ".mjs": "llmspell-engine-js",
}


def _suggest(name: str, choices: Iterable[str]) -> str:
    import difflib  # only for a did-you-mean

    close = difflib.get_close_matches(name, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


class EngineRegistry:
    """Script engines by name and by file extension."""

    def __init__(self) -> None:
        self._by_name: dict[str, type[ScriptEngine]] = {}
        self._by_ext: dict[str, type[ScriptEngine]] = {}
        self.origins: dict[str, str] = {}

    def register(self, engine_cls: type[ScriptEngine], *, origin: str = "") -> None:
        """Add an engine class; its ``name`` and ``extensions`` must be set."""
        if not (isinstance(engine_cls, type) and issubclass(engine_cls, ScriptEngine)):
            raise PluginError(f"register_engines: {engine_cls!r} is not a ScriptEngine subclass")
        if not engine_cls.name:
            raise PluginError(f"register_engines: {engine_cls.__name__} has no name")
        existing = self._by_name.get(engine_cls.name)
        if existing is engine_cls:
            return
        if existing is not None:
            raise PluginError(
                f"engine {engine_cls.name!r} is already registered by plugin "
                f"{self.origins.get(engine_cls.name) or '?'!r}; the first one stays",
                hint="uninstall one of the two plugins, or allowlist with LLMSPELL_LOAD_PLUGINS",
            )
        self._by_name[engine_cls.name] = engine_cls
        self.origins[engine_cls.name] = origin
        for ext in engine_cls.extensions:
            self._by_ext.setdefault("." + ext.lstrip(".").lower(), engine_cls)

    def names(self) -> list[str]:
        """Registered engine names, sorted."""
        return sorted(self._by_name)

    def all(self) -> list[type[ScriptEngine]]:
        """Registered engine classes, sorted by name."""
        return [self._by_name[n] for n in self.names()]

    def get(self, name: str) -> type[ScriptEngine]:
        """The engine called ``name``; NotFoundError names what to install."""
        try:
            return self._by_name[name]
        except KeyError:
            dist = KNOWN_ENGINE_DISTRIBUTIONS.get(name.lower())
            if dist:
                raise NotFoundError(
                    f"script engine {name!r} is not installed",
                    hint=f"install it with: pip install {dist}",
                ) from None
            available = ", ".join(self.names()) or "none"
            raise NotFoundError(
                f"unknown script engine {name!r} (installed: {available})"
                + _suggest(name, self._by_name)
            ) from None

    def for_path(self, path: str | Path) -> type[ScriptEngine] | None:
        """The engine for a file's extension, or None when the extension is unknown."""
        ext = Path(path).suffix.lower()
        return self._by_ext.get(ext)

    def missing_for_path(self, path: str | Path) -> NotFoundError:
        """The error for a file no installed engine runs, naming what to install."""
        ext = Path(path).suffix.lower()
        dist = KNOWN_ENGINE_DISTRIBUTIONS.get(ext)
        if dist:
            return NotFoundError(
                f"no installed script engine runs {ext} files",
                hint=f"install it with: pip install {dist}",
            )
        known = ", ".join(sorted(self._by_ext)) or "none"
        return NotFoundError(
            f"no script engine for {ext or 'files without an extension'!s} "
            f"(known extensions: {known})",
            hint="pass --engine NAME",
        )


@dataclass
class ProviderInfo:
    """A registered provider family: a name, a factory and free-form details."""

    name: str
    factory: Callable[..., Any]
    info: dict[str, Any] = field(default_factory=dict)
    origin: str = ""


class ProviderRegistry:
    """LLM providers by name (filled by ``register_providers``)."""

    def __init__(self) -> None:
        self._providers: dict[str, ProviderInfo] = {}

    def register(
        self, factory: Callable[..., Any], *, name: str, origin: str = "", **info: Any
    ) -> None:
        """Add a provider factory under ``name``."""
        if not name:
            raise PluginError("register_providers: a provider needs a name")
        existing = self._providers.get(name)
        if existing is not None:
            if existing.factory is factory:
                return
            raise PluginError(
                f"provider {name!r} is already registered by plugin {existing.origin or '?'!r}; "
                "the first one stays"
            )
        self._providers[name] = ProviderInfo(name, factory, dict(info), origin)

    def names(self) -> list[str]:
        """Registered provider names, sorted."""
        return sorted(self._providers)

    def get(self, name: str) -> ProviderInfo:
        """The provider called ``name`` (NotFoundError otherwise)."""
        try:
            return self._providers[name]
        except KeyError:
            raise NotFoundError(
                f"unknown provider {name!r} (registered: {', '.join(self.names()) or 'none'})"
                + _suggest(name, self._providers),
                hint="install llmspell-providers or add a [providers.NAME] table to llmspell.toml",
            ) from None


#: rs-llmspell's tools (v0.14.1), whose names before its kebab-case rename (v0.11.1) had
#: ``_`` for ``-`` (``hash_calculator``)
_RS_TOOLS = (
    "base64-encoder", "hash-calculator", "uuid-generator", "datetime-handler",
    "text-manipulator", "diff-calculator", "data-validator", "template-creator",
    "citation-formatter", "json-processor", "csv-analyzer", "graph-builder", "pdf-processor",
    "http-requester", "graphql-query", "file-operations", "file-search", "file-converter",
    "file-watcher", "archive-handler", "environment-reader", "process-executor",
    "service-checker", "system-monitor", "image-processor", "audio-processor",
    "video-processor", "web-searcher", "url-analyzer", "web-scraper", "api-tester",
    "webhook-caller", "webpage-monitor", "sitemap-crawler", "email-sender",
    "database-connector",
)  # fmt: skip
#: rs-llmspell's old tool names and the tools they are now
OLD_TOOL_NAMES: dict[str, str] = {
    **{name.replace("-", "_"): name for name in _RS_TOOLS},
    "http_request": "http-requester",
    "http-request": "http-requester",
    "web_search": "web-searcher",
    "template_engine": "template-creator",
    "data_validation": "data-validator",
    "date_time_handler": "datetime-handler",
}


def _stderr_note(message: str) -> None:
    sys.stderr.write(message + "\n")


class ToolRegistry:
    """Tools by name: plugin tools (``register_tools``) and script-registered ones.

    A plugin may register a :class:`~llmspell.tools.LazyTool` (a name and a loader):
    the tool's module is imported when the tool is first fetched or listed, so a spell
    pays only for the tools it uses.

    rs-llmspell's old tool names (``file_operations``, ``http_request``, ...) resolve to
    today's tools wherever a tool is looked up by name, with a note on stderr the first
    time each old name is used (``note`` writes it).
    """

    def __init__(self, note: Callable[[str], None] = _stderr_note) -> None:
        self._tools: dict[str, Tool] = {}
        self._lazy: dict[str, LazyTool] = {}
        self._note = note
        self._noted: set[str] = set()
        self._resolvers: list[Callable[[str], Tool | None]] = []

    def add_resolver(self, resolver: Callable[[str], Tool | None]) -> None:
        """Ask ``resolver(name)`` for a tool no one registered under ``name`` (None: not
        its name). The MCP client resolves ``SERVER__TOOL`` so, starting that server on
        first use; a resolved tool is registered like any other."""
        self._resolvers.append(resolver)

    def _resolve(self, name: str) -> Tool | None:
        for resolver in self._resolvers:
            tool = resolver(name)
            if tool is not None:
                if not self._has(tool.name):
                    self._tools[tool.name] = tool
                return tool
        return None

    def _has(self, name: str) -> bool:
        return name in self._tools or name in self._lazy

    def canonical(self, name: str) -> str:
        """``name``, or today's name of the tool an old rs-llmspell name means (noted on
        stderr once per name)."""
        if self._has(name):
            return name
        target = OLD_TOOL_NAMES.get(name)
        if target is None or not self._has(target):
            return name
        if name not in self._noted:
            self._noted.add(name)
            self._note(f"llmspell: tool {name!r} is now {target!r}; the old name still works")
        return target

    def register(self, tool: Tool | LazyTool, *, replace: bool = False) -> None:
        """Add ``tool``; a second tool with the same name is refused unless ``replace``."""
        if not isinstance(tool, Tool | LazyTool):
            raise PluginError(f"register_tools: {tool!r} is not an llmspell.tools.Tool")
        if self._has(tool.name) and not replace:
            raise PluginError(f"a tool named {tool.name!r} is already registered")
        self._lazy.pop(tool.name, None)
        self._tools.pop(tool.name, None)
        if isinstance(tool, LazyTool):
            self._lazy[tool.name] = tool
        else:
            self._tools[tool.name] = tool

    def unregister(self, name: str) -> bool:
        """Remove a tool; True if it existed."""
        lazy = self._lazy.pop(name, None) is not None
        return self._tools.pop(name, None) is not None or lazy

    def exists(self, name: str) -> bool:
        """True if a tool called ``name`` (or once so, in rs-llmspell) is registered."""
        name = self.canonical(name)
        return self._has(name) or (bool(self._resolvers) and self._resolve(name) is not None)

    def _load(self, name: str) -> Tool | None:
        name = self.canonical(name)
        lazy = self._lazy.pop(name, None)
        if lazy is None:
            found = self._tools.get(name)
            if found is None and self._resolvers:
                return self._resolve(name)
            return found
        tool = lazy.load()
        if not isinstance(tool, Tool) or tool.name != name:
            raise PluginError(f"the loader of tool {name!r} gave {tool!r}, not a Tool named so")
        self._tools[name] = tool
        return tool

    def get(self, name: str) -> Tool:
        """The tool called ``name``; NotFoundError suggests a close name."""
        tool = self._load(name)
        if tool is None:
            raise NotFoundError(
                f"unknown tool {name!r}" + _suggest(name, [*self._tools, *self._lazy]),
                hint="Tool.list() shows the available tools",
            )
        return tool

    def find(self, name: str) -> Tool | None:
        """The tool called ``name`` or None."""
        return self._load(name)

    def all(self, category: str | None = None) -> list[Tool]:
        """Tools sorted by name, optionally only one category (loads lazy tools)."""
        for name in list(self._lazy):
            self._load(name)
        tools = sorted(self._tools.values(), key=lambda t: t.name)
        return [t for t in tools if category is None or t.category == category]

    def categories(self) -> list[str]:
        """The categories in use, sorted."""
        return sorted({t.category for t in self.all()})


class GlobalRegistry:
    """Script globals contributed by the core and by ``register_globals`` plugins."""

    def __init__(self) -> None:
        self._globals: dict[str, GlobalSpec] = {}
        self.object_types: dict[type, ObjectType] = {}

    def register(self, spec: GlobalSpec) -> None:
        """Add a global; a later spec with the same name adds functions, aliases and
        object types to it. The registry keeps its own copy, so merging never changes
        a plugin's (module-level) spec."""
        if not isinstance(spec, GlobalSpec):
            raise PluginError(f"register_globals: {spec!r} is not an llmspell.ops.GlobalSpec")
        existing = self._globals.get(spec.name)
        if existing is None:
            self._globals[spec.name] = dataclasses.replace(
                spec,
                functions=dict(spec.functions),
                aliases=dict(spec.aliases),
                object_types=list(spec.object_types),
            )
        else:
            clashes = [
                k
                for k, v in spec.functions.items()
                if k in existing.functions and existing.functions[k] is not v
            ]
            if clashes:
                names = ", ".join(f"{spec.name}.{k}" for k in clashes)
                raise PluginError(
                    f"{names} is already defined; a plugin can add functions to a global "
                    "but not replace them"
                )
            for k, v in spec.functions.items():
                existing.functions.setdefault(k, v)
            for k, alias in spec.aliases.items():
                existing.aliases.setdefault(k, alias)
            for ot in spec.object_types:
                if ot not in existing.object_types:
                    existing.object_types.append(ot)
        for ot in spec.object_types:
            self.object_types.setdefault(ot.python_type, ot)

    def all(self) -> list[GlobalSpec]:
        """Globals sorted by name."""
        return [self._globals[k] for k in sorted(self._globals)]

    def get(self, name: str) -> GlobalSpec | None:
        """The global called ``name`` or None."""
        return self._globals.get(name)
