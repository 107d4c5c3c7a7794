"""``llmspell mcp list|serve``: the MCP servers spells use, and llmspell as an MCP
server (docs/mcp.md)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from llmspell_cli.common import (
    EXIT_SCRIPT,
    EXIT_USAGE,
    ConfigOpt,
    JsonFlagOpt,
    OutputFormat,
    OutputOpt,
    build_runtime,
    fail,
    wants_json,
)
from llmspell_cli.run_cmd import AllowHostOpt, AllowNetOpt, network_overrides

if TYPE_CHECKING:
    from llmspell.runtime import Runtime

app = typer.Typer(
    help="MCP: list the configured MCP servers and their tools; serve llmspell's tools, "
    "spells and agents to MCP clients.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class Transport(StrEnum):
    """How ``serve`` talks to clients."""

    stdio = "stdio"
    http = "http"


def _require_mcp(dist: str) -> None:
    from llmspell.errors import LLMSpellError
    from llmspell.extras import require

    try:
        require("mcp", dist=dist, extra="mcp", what="llmspell mcp")
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)


def _printable(text: Any) -> str:
    from llmspell_cli._support import printable

    return printable(str(text))


@app.command("list")
def list_(
    server: Annotated[
        str | None, typer.Argument(help="Only this server.", show_default=False)
    ] = None,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
    as_json: JsonFlagOpt = False,
) -> None:
    """Start each configured MCP server ([mcp.servers.NAME]) and list its tools by the
    names spells use (SERVER__TOOL). A server that fails to start is reported and the
    others are still listed; exit 1 when any failed."""
    _require_mcp("llmspell-tools")
    from llmspell.errors import LLMSpellError

    runtime = build_runtime(config)
    try:
        from llmspell_tools.mcp.manager import manager_for
    except ImportError:
        fail("llmspell mcp list needs llmspell-tools: pip install 'llmspell-tools[mcp]'")
    manager = manager_for(runtime)
    try:
        names = manager.names()
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    if server is not None:
        if server not in names:
            fail(f"no MCP server {server!r} in the configuration (known: "
                 f"{', '.join(names) or 'none'})", EXIT_USAGE)  # fmt: skip
        names = [server]
    if not names:
        print("no MCP servers are configured (add [mcp.servers.NAME] to llmspell.toml; "
              "see docs/mcp.md)")  # fmt: skip
        return
    rows: list[dict[str, Any]] = []
    try:
        for name in names:
            spec = manager.spec(name)
            row: dict[str, Any] = {"name": name, "transport": spec.transport,
                                   "target": spec.describe()}  # fmt: skip
            try:
                conn = manager.start_sync(name)
            except LLMSpellError as exc:
                row["error"] = f"{exc.kind}: {exc}"
            else:
                row["server"] = conn.server_info
                row["tools"] = [
                    {"name": n, "mcp_name": orig,
                     "description": runtime.tools.get(n).description}
                    for n, (srv, orig) in sorted(manager.tool_index.items()) if srv == name
                ]  # fmt: skip
            rows.append(row)
    finally:
        manager.stop_all()
        runtime.close()
    if wants_json(output, as_json):
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        _print_rows(rows)
    if any("error" in r for r in rows):
        raise SystemExit(EXIT_SCRIPT)


def _print_rows(rows: list[dict[str, Any]]) -> None:
    from llmspell_cli.tool_format import first_sentence

    for i, row in enumerate(rows):
        if i:
            print()
        head = f"{row['name']} ({row['transport']}: {_printable(row['target'])})"
        if "error" in row:
            print(f"{head}: failed to start")
            print(f"  {_printable(row['error'])}")
            continue
        info = row.get("server") or {}
        label = f"{_printable(info.get('name') or '?')} {_printable(info.get('version') or '')}"
        print(f"{head}: {label.strip()}, {len(row['tools'])} tools")
        width = max((len(t["name"]) for t in row["tools"]), default=0)
        for tool in row["tools"]:
            summary = _printable(first_sentence(tool["description"] or ""))[:100]
            print(f"  {tool['name']:<{width}}  {summary}")


@app.command("serve")
def serve(
    transport: Annotated[
        Transport, typer.Option("--transport", "-t", help="stdio (default) or http.")
    ] = Transport.stdio,
    host: Annotated[
        str, typer.Option("--host", help="HTTP: the address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", "-p", help="HTTP: the port (0: a free one).")
    ] = 8765,
    spells: Annotated[
        Path | None,
        typer.Option("--spells", help="Serve the spells of this directory: the tools they "
                     "register, and each spell with a NAME.mcp.json declaration as a tool."),
    ] = None,
    tool: Annotated[
        list[str] | None,
        typer.Option("--tool", help="Serve only this tool (repeatable).", show_default=False),
    ] = None,
    no_builtin: Annotated[
        bool, typer.Option("--no-builtin", help="Leave the built-in and plugin tools out.")
    ] = False,
    token_env: Annotated[
        str | None,
        typer.Option("--token-env", help="HTTP: require 'Authorization: Bearer TOKEN', the "
                     "token being the value of this environment variable."),
    ] = None,
    config: ConfigOpt = None,
    allow_net: AllowNetOpt = False,
    allow_host: AllowHostOpt = None,
) -> None:
    """Serve llmspell's tools, the spells of --spells DIR and the [agents.NAME] agents
    to MCP clients, over stdio or streamable HTTP (http://HOST:PORT/mcp). Calls follow
    the [security] policy exactly as a spell's calls do."""
    _require_mcp("llmspell-cli")
    from llmspell.errors import LLMSpellError

    if transport is Transport.http:
        from llmspell.extras import require

        try:
            require("uvicorn", dist="llmspell-cli", extra="mcp",
                    what="llmspell mcp serve over HTTP")  # fmt: skip
        except LLMSpellError as exc:
            fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    token = None
    if token_env is not None:
        token = os.environ.get(token_env)
        if not token:
            fail(f"--token-env {token_env}: the environment variable is not set or empty",
                 EXIT_USAGE)  # fmt: skip
        if transport is not Transport.http:
            fail("--token-env applies to --transport http only", EXIT_USAGE)
    elif transport is Transport.http and host not in ("127.0.0.1", "localhost", "::1"):
        print(f"llmspell mcp serve: warning: serving on {host} without --token-env: any "
              "client that reaches it may call the tools", file=sys.stderr)  # fmt: skip
    runtime = _runtime(config, allow_net, allow_host)
    try:
        asyncio.run(_serve(runtime, transport.value, host, port, spells, tool, not no_builtin,
                           token))  # fmt: skip
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    finally:
        runtime.close()


def _runtime(config: Path | None, allow_net: bool, allow_host: list[str] | None) -> Runtime:
    from llmspell.runtime import Output

    runtime = build_runtime(config, network_overrides(allow_net, allow_host),
                            allow_hosts=allow_host)  # fmt: skip
    # stdout may be the MCP channel: what spells print goes to stderr
    runtime.output = Output(stdout=sys.stderr, stderr=sys.stderr)
    return runtime


async def _serve(runtime: Runtime, transport: str, host: str, port: int, spells: Path | None,
                 only: list[str] | None, builtin: bool, token: str | None) -> None:  # fmt: skip
    from llmspell_cli.mcp_server.run import serve as run_server

    await run_server(runtime, transport=transport, host=host, port=port, spells=spells,
                     only=only, builtin=builtin, token=token)  # fmt: skip


def register(root: typer.Typer) -> None:
    """Add ``llmspell mcp`` to the root app."""
    root.add_typer(app, name="mcp")
