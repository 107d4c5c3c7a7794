"""The MCP client of one runtime: its servers (``[mcp.servers.NAME]`` and those a spell
connects), their tools in the runtime's tool registry, and when servers stop.

- A configured server starts when a spell first uses it: ``MCP.connect``, one of its
  tools by name (``Tool.execute("time__get_current_time")``, an agent's tool list, a
  workflow step) or ``MCP.list_tools``. Its tools then join the registry (``Tool.list``).
- It is reused by every later call; one that crashed is started again once per run.
- A server that announces ``notifications/tools/list_changed`` has its tools read again
  on the next use (any ``MCP.*`` call on it, or one of its tools): the registry then
  gains, updates or loses them.
- Servers stop when the run that used them ends (the last such run, when several share
  a runtime) and when the runtime closes. A server a spell connected with a spec of its
  own (not the operator's config) is forgotten then, with its tools.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from llmspell.errors import NotFoundError, ValidationError
from llmspell.tools import Tool
from llmspell_tools.mcp.spec import ServerSpec, parse_spec, split_tool_name, tool_names

if TYPE_CHECKING:
    import mcp_types as types
    from mcp import Client

    from llmspell_tools.mcp.connection import Connection

__all__ = ["McpManager", "manager_for"]

T = TypeVar("T")

_MANAGERS: weakref.WeakKeyDictionary[Any, McpManager] = weakref.WeakKeyDictionary()
_MANAGERS_LOCK = threading.Lock()


def manager_for(runtime: Any) -> McpManager:
    """The MCP client of ``runtime`` (created on first use; cheap: nothing starts)."""
    with _MANAGERS_LOCK:
        found = _MANAGERS.get(runtime)
        if found is None:
            found = _MANAGERS[runtime] = McpManager(runtime)
        return found


class McpManager:
    """Servers, connections and tool names of one runtime."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self._configured: dict[str, ServerSpec] | None = None
        self._spell_specs: dict[str, ServerSpec] = {}
        self._connections: dict[str, Connection] = {}
        #: llmspell tool name -> (server, MCP tool name), for the started servers
        self.tool_index: dict[str, tuple[str, str]] = {}
        #: the MCP definition each registered tool was made from
        self._tool_defs: dict[str, Any] = {}
        self._sessions: set[int] = set()
        self._lock = threading.RLock()

    # -- servers -----------------------------------------------------------------------

    def configured(self) -> dict[str, ServerSpec]:
        """The operator's servers, validated on first use (a bad table is a
        ConfigurationError naming it)."""
        if self._configured is None:
            raw = getattr(getattr(self.runtime.settings, "mcp", None), "servers", None) or {}
            self._configured = {name: parse_spec(name, table) for name, table in raw.items()}
        return self._configured

    def names(self) -> list[str]:
        """Every known server name (configured and spell-connected), sorted."""
        return sorted({*self.configured(), *self._spell_specs})

    def spec(self, name: str) -> ServerSpec:
        """The server called ``name``; NotFoundError suggests a close name."""
        found = self.configured().get(name) or self._spell_specs.get(name)
        if found is None:
            import difflib

            close = difflib.get_close_matches(name, self.names(), n=1)
            tip = f"; did you mean {close[0]!r}?" if close else ""
            known = ", ".join(self.names()) or "none"
            raise NotFoundError(
                f"unknown MCP server {name!r} (configured: {known}){tip}",
                hint="add a [mcp.servers.NAME] table to llmspell.toml, or MCP.connect a spec",
            )
        return found

    def add_spell_server(self, raw: dict[str, Any], ctx: Any) -> ServerSpec:
        """Validate an ``MCP.connect`` spec under the spell's policy (a command must be
        allowlisted, a URL must pass the network policy); it lasts for this run."""
        from llmspell_tools.mcp.spec import check_name

        name = check_name(raw.get("name"), origin="spell")
        spec = parse_spec(name, {k: v for k, v in raw.items() if k != "name"}, origin="spell")
        if name in self.configured():
            raise ValidationError(
                f"MCP.connect: {name!r} is a configured server; connect it by name",
                hint=f"MCP.connect({name!r}) uses the operator's [mcp.servers.{name}]",
            )
        policy = ctx.policy
        if spec.command:
            from llmspell.errors import SecurityError
            from llmspell_tools.system.process_executor import (
                _FORBIDDEN_ENV,
                _FORBIDDEN_ENV_NAMES,
            )

            for key in spec.env:
                if key.startswith(_FORBIDDEN_ENV) or key in _FORBIDDEN_ENV_NAMES or "=" in key:
                    raise SecurityError(
                        f"MCP.connect {name!r}: environment variable {key!r} may not be set "
                        "for a process (loader and shell start-up variables are refused)"
                    )
            resolved = policy.resolve_command(spec.command)
            if spec.cwd is not None:
                policy.resolve_path(spec.cwd, what="cwd")
            spec = _replace(spec, command=resolved)
        else:
            policy.check_url(str(spec.url), what="MCP server url")
        with self._lock:
            old = self._spell_specs.get(name)
            if old is not None and old != spec:
                raise ValidationError(
                    f"MCP.connect: a server called {name!r} is already connected with "
                    "another spec",
                    hint="pick another name, or MCP.disconnect it first",
                )
            self._spell_specs[name] = spec
        self.attach(ctx)
        return spec

    # -- connections -------------------------------------------------------------------

    def connection(self, name: str) -> Connection:
        """The connection object of server ``name`` (not started)."""
        from llmspell.extras import require

        require("mcp", dist="llmspell-tools", extra="mcp", what="MCP servers")
        from llmspell_tools.mcp.connection import Connection

        spec = self.spec(name)
        with self._lock:
            conn = self._connections.get(name)
            if conn is None or conn.spec != spec:
                conn = self._connections[name] = Connection(spec, self.runtime)
            return conn

    async def _started(self, name: str) -> Connection:
        conn = self.connection(name)
        await conn.ensure()
        await conn.fresh_tools()
        return conn

    async def start(self, name: str, ctx: Any = None) -> Connection:
        """Start server ``name`` if needed (from the runtime's loop) and register its
        tools; returns its connection."""
        from llmspell_tools.mcp.connection import loop_thread

        self.attach(ctx)
        conn = await loop_thread().run_async(self._started(name))
        self._register(name, conn.tools)
        return conn

    def start_sync(self, name: str) -> Connection:
        """:meth:`start` for a synchronous caller (blocks until the server is up)."""
        from llmspell_tools.mcp.connection import loop_thread

        spec = self.spec(name)
        conn = loop_thread().run(self._started(name), spec.startup_timeout_seconds + 15.0)
        self._register(name, conn.tools)
        return conn

    async def request(
        self, ctx: Any, name: str, what: str, call: Callable[[Client], Awaitable[T]]
    ) -> T:
        """``call(client)`` on server ``name`` (started if needed)."""
        import asyncio

        from llmspell_tools.mcp.connection import loop_thread
        from llmspell_tools.mcp.server_requests import Caller

        self.attach(ctx)
        conn = self.connection(name)
        version = conn.tools_version
        caller = Caller(ctx, asyncio.get_running_loop()) if ctx is not None else None
        if caller is not None:
            conn.callers.append(caller)
        try:
            value = await loop_thread().run_async(conn.request(what, call))
        finally:
            if caller is not None:
                conn.callers.remove(caller)
        if conn.tools_version != version or not any(
            s == name for s, _ in self.tool_index.values()
        ):
            self._register(name, conn.tools)
        return value

    async def call_tool(
        self, ctx: Any, name: str, mcp_tool: str, params: dict[str, Any]
    ) -> types.CallToolResult:
        """``tools/call`` of ``mcp_tool`` on server ``name``."""
        return await self.request(
            ctx, name, f"tool {mcp_tool!r}", lambda c: c.call_tool(mcp_tool, params)
        )

    def _register(self, server: str, tools: list[types.Tool]) -> None:
        """Put a started server's tools in the registry (again after a restart); a name
        another tool already has is an error, not an override."""
        from llmspell_tools.mcp.adapter import make_tool

        registry = self.runtime.tools
        source = f"mcp:{server}"
        with self._lock:
            names = tool_names(server, [t.name for t in tools])
            by_mcp = {t.name: t for t in tools}
            for name, original in names.items():
                existing = registry.find(name) if registry._has(name) else None
                if existing is not None and existing.source != source:
                    raise ValidationError(
                        f"MCP server {server!r}: its tool {original!r} would be {name!r}, "
                        f"but a {existing.source} tool already has that name",
                        hint="rename the MCP server in llmspell.toml",
                    )
            for name, (srv, _) in list(self.tool_index.items()):
                if srv == server and name not in names:
                    registry.unregister(name)
                    del self.tool_index[name]
                    self._tool_defs.pop(name, None)
            for name, original in names.items():
                same = self._tool_defs.get(name) == by_mcp[original]
                if name in self.tool_index and registry._has(name) and same:
                    continue
                registry.register(make_tool(self, server, name, by_mcp[original]), replace=True)
                self.tool_index[name] = (server, original)
                self._tool_defs[name] = by_mcp[original]

    # -- the tool registry's resolver ----------------------------------------------------

    def resolve(self, name: str) -> Tool | None:
        """The tool ``SERVER__TOOL`` of a configured server, starting it (None when the
        name is not of that form or names no configured server)."""
        parts = split_tool_name(name)
        if parts is None:
            return None
        # a broken [mcp.servers.X] table is reported here, naming the table and the key
        known = parts[0] in self.configured() or parts[0] in self._spell_specs
        if not known:
            return None
        self.start_sync(parts[0])
        if name in self.tool_index:
            return self.runtime.tools.find(name)  # type: ignore[no-any-return]
        return None

    # -- run lifetime --------------------------------------------------------------------

    def attach(self, ctx: Any) -> None:
        """Note that the run ``ctx`` uses MCP, so its end stops the servers (when no
        other run of this runtime is still using them)."""
        cleanups = getattr(ctx, "cleanups", None)
        data = getattr(ctx, "data", None)
        if cleanups is None or not isinstance(data, dict) or data.get("mcp.attached"):
            return
        data["mcp.attached"] = True
        key = id(ctx)
        with self._lock:
            self._sessions.add(key)

        def detach() -> None:
            with self._lock:
                self._sessions.discard(key)
                last = not self._sessions
            if last:
                self.stop_all()

        cleanups.append(detach)

    def stop_all(self) -> None:
        """Stop every running server; forget the servers spells connected."""
        with self._lock:
            conns = list(self._connections.values())
            for name in list(self._spell_specs):
                self._forget(name)
        running = [c for c in conns if c.client is not None or c.status != "stopped"]
        if running:
            from llmspell_tools.mcp.connection import loop_thread

            loop = loop_thread()
            futures = [loop.submit(c.stop()) for c in running]
            for future in futures:
                try:
                    future.result(15.0)
                except Exception:
                    future.cancel()

    def _forget(self, name: str) -> None:
        self._spell_specs.pop(name, None)
        self._connections.pop(name, None)
        for tool, (srv, _) in list(self.tool_index.items()):
            if srv == name:
                self.runtime.tools.unregister(tool)
                del self.tool_index[tool]
                self._tool_defs.pop(tool, None)

    def disconnect(self, name: str) -> bool:
        """Stop server ``name``; a spell's own server is forgotten. True if it ran."""
        self.spec(name)
        with self._lock:
            conn = self._connections.get(name)
            ran = conn is not None and conn.client is not None
            if name in self._spell_specs:
                self._forget(name)
        if conn is not None:
            from llmspell_tools.mcp.connection import loop_thread

            loop_thread().run(conn.stop(), 20.0)
        return ran

    def status(self) -> list[dict[str, Any]]:
        """Every known server: name, transport, origin, status, tool count when known."""
        out = []
        for name in self.names():
            spec = self.spec(name)
            conn = self._connections.get(name)
            entry: dict[str, Any] = {
                "name": name,
                "transport": spec.transport,
                "origin": spec.origin,
                "status": conn.status if conn is not None else "stopped",
                "description": spec.description,
            }
            if conn is not None and conn.status == "ready":
                entry["tools"] = len(conn.tools)
                entry["server"] = dict(conn.server_info)
            out.append(entry)
        return out


def _replace(spec: ServerSpec, **changes: Any) -> ServerSpec:
    import dataclasses

    return dataclasses.replace(spec, **changes)
