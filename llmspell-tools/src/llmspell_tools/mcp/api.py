"""``MCP``: use MCP servers' tools, resources and prompts from spells (docs/mcp.md,
script-api.md#mcp). Registered by the llmspell-tools plugin; importing this module does
not import the MCP SDK (that happens when a server is first used)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.errors import ValidationError
from llmspell.extras import require
from llmspell.ops import GlobalSpec, Param
from llmspell.tools import execute_tool

if TYPE_CHECKING:
    from llmspell.runtime import CallContext
    from llmspell_tools.mcp.manager import McpManager

__all__ = ["MCP"]

MCP = GlobalSpec("MCP", doc="Use MCP servers' tools, resources and prompts.")

_SERVER = Param("server", "string", doc="a [mcp.servers.NAME] name or a connected spec's name")


def _manager(ctx: CallContext, *, start: bool = True) -> McpManager:
    """The runtime's MCP client (the manager module is imported on first use)."""
    if start:
        require("mcp", dist="llmspell-tools", extra="mcp", what="MCP servers")
    from llmspell_tools.mcp.manager import manager_for

    return manager_for(ctx.runtime)


def _tool_entry(manager: McpManager, name: str) -> dict[str, Any]:
    tool = manager.runtime.tools.get(name)
    return {
        "name": name,
        "mcp_name": manager.tool_index[name][1],
        "description": tool.description,
        "schema": tool.parameters,
    }


def _tools_of(manager: McpManager, server: str) -> list[str]:
    return sorted(n for n, (s, _) in manager.tool_index.items() if s == server)


@MCP.function("servers")
def servers(ctx: CallContext) -> list[dict[str, Any]]:
    """The known servers ``{name, transport, origin, status, description, tools?}``
    (nothing is started)."""
    return _manager(ctx, start=False).status()


@MCP.function("connect", Param("server", "any"), mode="async")
async def connect(ctx: CallContext, server: Any) -> dict[str, Any]:
    """Start a configured server by name, or a server of the spell's own from a spec
    ``{name, command, args, env, cwd}`` / ``{name, url, headers}`` (a command must be in
    [security] allowed_commands, a URL must pass the network policy); returns
    ``{name, status, server, protocol, tools}``."""
    manager = _manager(ctx)
    if isinstance(server, dict):
        name = manager.add_spell_server(server, ctx).name
    elif isinstance(server, str):
        name = server
        manager.spec(name)
    else:
        raise ValidationError(
            "MCP.connect: pass a server name (string) or a spec table/object",
            hint='MCP.connect("time") or MCP.connect({name = "x", command = "..."})',
        )
    conn = await manager.start(name, ctx)
    return {
        "name": name,
        "status": conn.status,
        "server": conn.server_info.get("name"),
        "version": conn.server_info.get("version"),
        "protocol": conn.server_info.get("protocol"),
        "tools": _tools_of(manager, name),
    }


@MCP.function("disconnect", _SERVER)
def disconnect(ctx: CallContext, server: str) -> bool:
    """Stop a server now (the next use starts it again); true if it was running."""
    return _manager(ctx, start=False).disconnect(server)


@MCP.function("list_tools", _SERVER, mode="async")
async def list_tools(ctx: CallContext, server: str) -> list[dict[str, Any]]:
    """The server's tools ``{name, mcp_name, description, schema}`` (starts it);
    ``name`` is the llmspell tool name (``SERVER__TOOL``)."""
    manager = _manager(ctx)
    await manager.start(server, ctx)
    return [_tool_entry(manager, n) for n in _tools_of(manager, server)]


@MCP.function(
    "call_tool",
    _SERVER,
    Param("tool", "string", doc="the MCP tool name (or its SERVER__TOOL name)"),
    Param("args", "object", optional=True),
    mode="async",
)
async def call_tool(
    ctx: CallContext, server: str, tool: str, args: dict[str, Any] | None
) -> dict[str, Any]:
    """Call a tool of the server; returns a ToolResult like ``Tool.execute``."""
    manager = _manager(ctx)
    await manager.start(server, ctx)
    names = {orig: n for n, (s, orig) in manager.tool_index.items() if s == server}
    name = names.get(tool) or (tool if manager.tool_index.get(tool, ("",))[0] == server else None)
    if name is None:
        import difflib

        close = difflib.get_close_matches(tool, list(names), n=1)
        tip = f"; did you mean {close[0]!r}?" if close else ""
        from llmspell.errors import NotFoundError

        raise NotFoundError(
            f"MCP server {server!r} has no tool {tool!r}{tip}",
            hint=f"MCP.list_tools({server!r}) shows its tools",
        )
    return await execute_tool(ctx.runtime.tools.get(name), args or {}, ctx)


def _page_all(items: list[Any]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        data: dict[str, Any] = item.model_dump(mode="json", exclude_none=True)
        data.pop("meta", None)
        data.pop("annotations", None)
        data.pop("icons", None)
        out.append(data)
    return out


async def _listed(ctx: CallContext, server: str, what: str, method: str, field: str) -> Any:
    manager = _manager(ctx)

    async def fetch(client: Any) -> list[Any]:
        items: list[Any] = []
        cursor = None
        for _ in range(100):
            page = await getattr(client, method)(cursor=cursor)
            items.extend(getattr(page, field))
            cursor = page.next_cursor
            if not cursor:
                break
        return items

    return _page_all(await manager.request(ctx, server, what, fetch))


@MCP.function("list_resources", _SERVER, mode="async")
async def list_resources(ctx: CallContext, server: str) -> list[dict[str, Any]]:
    """The server's resources ``{uri, name, description?, mime_type?}``."""
    return await _listed(ctx, server, "resources/list", "list_resources", "resources")  # type: ignore[no-any-return]


@MCP.function(
    "read_resource", _SERVER, Param("uri", "string"), mode="async"
)
async def read_resource(ctx: CallContext, server: str, uri: str) -> list[dict[str, Any]]:
    """The contents of a resource: a list of ``{uri, mime_type?, text | blob}`` (``blob``
    is base64), capped at the server's max_output_bytes."""
    manager = _manager(ctx)
    result = await manager.request(
        ctx, server, f"resources/read {uri!r}", lambda c: c.read_resource(uri)
    )
    contents = _page_all(list(result.contents))
    _cap(manager, server, contents, f"resource {uri!r}", ctx)
    return contents


@MCP.function("list_prompts", _SERVER, mode="async")
async def list_prompts(ctx: CallContext, server: str) -> list[dict[str, Any]]:
    """The server's prompts ``{name, description?, arguments?}``."""
    return await _listed(ctx, server, "prompts/list", "list_prompts", "prompts")  # type: ignore[no-any-return]


@MCP.function(
    "get_prompt",
    _SERVER,
    Param("name", "string"),
    Param("args", "object", optional=True),
    mode="async",
)
async def get_prompt(
    ctx: CallContext, server: str, name: str, args: dict[str, Any] | None
) -> dict[str, Any]:
    """A prompt filled with ``args`` (string values): ``{description?, messages}``, each
    message ``{role, content}`` (``content`` is text, or a content table)."""
    from llmspell_tools.mcp.adapter import content_block

    manager = _manager(ctx)
    arguments = {str(k): v if isinstance(v, str) else _text(v) for k, v in (args or {}).items()}
    result = await manager.request(
        ctx, server, f"prompt {name!r}", lambda c: c.get_prompt(name, arguments)
    )
    messages = []
    for message in result.messages:
        block = content_block(message.content)
        content: Any = block["text"] if block.get("type") == "text" else block
        messages.append({"role": message.role, "content": content})
    out: dict[str, Any] = {"messages": messages}
    if result.description:
        out["description"] = result.description
    _cap(manager, server, out, f"prompt {name!r}", ctx)
    return out


def _text(value: Any) -> str:
    import json

    return json.dumps(value)


def _cap(manager: McpManager, server: str, value: Any, what: str, ctx: Any) -> None:
    import json

    from llmspell.errors import LimitExceeded

    size = len(json.dumps(value, ensure_ascii=False))
    cap = manager.spec(server).max_output_bytes
    if size > cap:
        raise LimitExceeded(
            f"MCP server {server!r}: {what} is {size} bytes, over the limit of {cap} bytes",
            limit="max_output_bytes",
            hint=f"raise max_output_bytes in [mcp.servers.{server}]",
        )
    check = getattr(ctx, "check_host_bytes", None)
    if check is not None:
        check(size, f"MCP {what}")
