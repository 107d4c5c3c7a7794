"""The MCP server of ``llmspell mcp serve``: the catalog's tools over stdio or
streamable HTTP (``/mcp``), with optional bearer-token auth on HTTP.

A tool's result is text content (plus ``structuredContent`` when the result is a JSON
object, validated against the tool's output schema when it declares one). A failure is
an MCP tool error (``isError``) whose text starts with the llmspell error kind
(``ValidationError: ...``) and whose ``_meta`` carries it as ``llmspell/error_kind``;
never a traceback.
"""

from __future__ import annotations

import hmac
import json
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import mcp_types as types
from mcp.server.lowlevel import Server

from llmspell.errors import LLMSpellError
from llmspell_cli.mcp_server.catalog import Catalog, ServedTool

__all__ = ["bearer_auth", "make_server", "tool_result"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: the largest tool result text sent to a client (a bigger one is an error result)
MAX_RESULT_BYTES = 8 * 1024 * 1024


def _error(kind: str, message: str) -> types.CallToolResult:
    text = f"{kind}: {message}"
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        is_error=True,
        _meta={"llmspell/error_kind": kind},
    )


def tool_result(tool: ServedTool, result: dict[str, Any]) -> types.CallToolResult:
    """An llmspell ToolResult dict as an MCP CallToolResult."""
    if not result.get("success", False):
        return _error(
            str(result.get("error_kind") or "ToolError"), str(result.get("error") or "failed")
        )
    value = result.get("result")
    text = result.get("text")
    if not isinstance(text, str):
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                               default=str)  # fmt: skip
    if len(text.encode("utf-8", "replace")) > MAX_RESULT_BYTES:
        return _error(
            "LimitExceeded", f"the result of {tool.name!r} is over {MAX_RESULT_BYTES} bytes"
        )
    structured = value if isinstance(value, dict) else None
    if tool.output_schema is not None:
        from llmspell.schema import first_error

        problem = first_error(tool.output_schema, value) if structured is not None else ("", "")
        if structured is None or problem is not None:
            where = f" at '{problem[0]}'" if problem and problem[0] else ""
            why = problem[1] if problem and problem[1] else "it is not a JSON object"
            return _error(
                "ValidationError",
                f"{tool.name!r} returned a value that does not match its output_schema{where}: "
                + why,
            )
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content=structured,
        is_error=False,
    )


def make_server(catalog: Catalog, *, name: str = "llmspell") -> Server[Any]:
    """The low-level MCP server answering ``tools/list`` and ``tools/call``."""
    from llmspell import __version__

    listed = [
        types.Tool(
            name=t.name,
            description=t.description,
            input_schema=t.input_schema,
            output_schema=t.output_schema,
        )
        for t in catalog.tools.values()
    ]

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listed)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        tool = catalog.tools.get(params.name)
        if tool is None:
            import difflib

            close = difflib.get_close_matches(params.name, list(catalog.tools), n=1)
            tip = f"; did you mean {close[0]!r}?" if close else ""
            return _error("NotFoundError", f"unknown tool {params.name!r}{tip}")
        args = params.arguments or {}
        if not isinstance(args, dict):
            return _error("ValidationError", "the arguments must be a JSON object")
        try:
            result = await tool.call(dict(args))
        except LLMSpellError as exc:
            message = exc.message if hasattr(exc, "message") else str(exc)
            hint = getattr(exc, "hint", None)
            return _error(exc.kind, f"{message}" + (f" ({hint})" if hint else ""))
        except Exception as exc:  # never a traceback to the client; one line to the log
            print(f"llmspell mcp serve: {tool.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return _error("ToolError", f"{type(exc).__name__}: {exc}")
        return tool_result(tool, result)

    schemas = {t.name: t.input_schema for t in catalog.tools.values()}
    return Server(
        name,
        version=__version__,
        instructions="llmspell's tools, spells and agents (https://github.com/ - docs/mcp.md).",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        get_tool_input_schema=schemas.get,
    )


def bearer_auth(app: ASGIApp, token: str) -> ASGIApp:
    """``app`` behind ``Authorization: Bearer TOKEN`` (401 otherwise; constant-time
    comparison; the token is never echoed)."""
    expected = token.encode()

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        given = b""
        for key, value in scope.get("headers", []):
            if key.lower() == b"authorization":
                given = bytes(value)
        scheme, _, credential = given.partition(b" ")
        if scheme.lower() != b"bearer" or not hmac.compare_digest(credential.strip(), expected):
            body = json.dumps(
                {"error": "unauthorized", "message": "a valid bearer token is required"}
            ).encode()
            await send({
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Bearer realm="llmspell"'),
                    (b"content-length", str(len(body)).encode()),
                ],
            })  # fmt: skip
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return guarded
