"""An MCP server's tool as an llmspell :class:`~llmspell.tools.Tool`, and MCP results as
llmspell values (untrusted input: size-capped, control characters kept out of names)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from llmspell.schema import SchemaProblem, check_schema
from llmspell.tools import Tool, ToolFailure, ToolOutput

if TYPE_CHECKING:
    import mcp_types as types

    from llmspell_tools.mcp.manager import McpManager

__all__ = ["content_block", "make_tool", "tool_output"]

_MAX_DESCRIPTION = 2048


def _clean(raw: Any, limit: int) -> str:
    text = "".join(c if c.isprintable() or c in "\n\t" else " " for c in str(raw or ""))
    return text if len(text) <= limit else text[:limit] + "..."


def _schema(raw: Any) -> dict[str, Any]:
    """The server's input schema when it is a usable JSON schema for an object (else a
    permissive one: the server validates its own input)."""
    if not isinstance(raw, dict) or raw.get("type", "object") != "object":
        return {"type": "object", "properties": {}}
    try:
        check_schema(raw)
    except SchemaProblem:
        return {"type": "object", "properties": {}}
    schema = dict(raw)
    schema.setdefault("type", "object")
    schema.setdefault("properties", {})
    return schema


def make_tool(manager: McpManager, server: str, name: str, tool: types.Tool) -> Tool:
    """The llmspell tool ``name`` (``SERVER__TOOL``) calling ``tool`` on ``server``."""
    mcp_name = tool.name
    spec = manager.spec(server)

    async def handler(params: dict[str, Any], ctx: Any) -> ToolOutput:
        result = await manager.call_tool(ctx, server, mcp_name, params)
        return tool_output(result, server, mcp_name, manager.spec(server).max_output_bytes, ctx)

    description = _clean(tool.description or tool.title or mcp_name, _MAX_DESCRIPTION)
    return Tool(
        name=name,
        description=description,
        handler=handler,
        parameters=_schema(tool.input_schema),
        category="mcp",
        tags=("mcp", server),
        # the call's own timeout (the server's timeout_seconds) answers first
        timeout_seconds=spec.timeout_seconds + 5.0,
        source=f"mcp:{server}",
        settings={},
    )


def content_block(block: Any) -> dict[str, Any]:
    """One MCP content block as a plain table (text, image, audio, resource, link)."""
    data: dict[str, Any] = block.model_dump(mode="json", exclude_none=True, by_alias=False)
    data.pop("meta", None)
    data.pop("annotations", None)
    resource = data.get("resource")
    if isinstance(resource, dict):
        resource.pop("meta", None)
    return data


def tool_output(
    result: types.CallToolResult, server: str, mcp_name: str, cap: int, ctx: Any
) -> ToolOutput:
    """The ToolResult fields of a ``tools/call`` answer: ``result`` is the structured
    content when the server sent some, else the text (or the content blocks when any is
    not text); an ``isError`` answer is a failed tool call."""
    blocks = [content_block(b) for b in result.content]
    texts = [str(b["text"]) for b in blocks if b.get("type") == "text" and "text" in b]
    text = "\n".join(texts)
    if result.is_error:
        raise ToolFailure(
            _clean(text or "the tool reported an error", 2000),
            kind="ToolError",
            operation=mcp_name,
        )
    value: Any
    if result.structured_content is not None:
        value = result.structured_content
    elif len(texts) == len(blocks):
        value = text
    else:
        value = blocks
    size = len(json.dumps({"value": value, "blocks": blocks}, ensure_ascii=False))
    if size > cap:
        raise ToolFailure(
            f"MCP server {server!r}: tool {mcp_name!r} returned {size} bytes, over the "
            f"limit of {cap} bytes (max_output_bytes in [mcp.servers.{server}])",
            kind="LimitExceeded",
            operation=mcp_name,
        )
    check = getattr(ctx, "check_host_bytes", None)
    if check is not None:
        check(size, f"the result of MCP tool {server}__{mcp_name}")
    metadata: dict[str, Any] = {"server": server, "mcp_tool": mcp_name}
    if len(texts) != len(blocks):
        metadata["content"] = blocks
    return ToolOutput(result=value, text=text, operation=mcp_name, metadata=metadata)
