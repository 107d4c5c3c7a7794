"""Running the MCP server: over this process's stdio, or over streamable HTTP at
``/mcp`` (uvicorn) with many clients at once."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmspell.runtime import Runtime

__all__ = ["serve"]


async def serve(
    runtime: Runtime,
    *,
    transport: str,
    host: str,
    port: int,
    spells: Path | None,
    only: list[str] | None,
    builtin: bool,
    token: str | None,
) -> None:
    """Build the catalog and serve it until the transport ends (stdin closes) or the
    process is interrupted."""
    from llmspell_cli.mcp_server.catalog import build_catalog
    from llmspell_cli.mcp_server.server import make_server

    catalog = await build_catalog(runtime, spells=spells, only=only, builtin=builtin)
    server = make_server(catalog)
    try:
        if transport == "stdio":
            from mcp.server.stdio import stdio_server

            print(
                f"llmspell mcp serve: {len(catalog.tools)} tools on stdio", file=sys.stderr
            )
            async with stdio_server() as (read, write):
                await server.run(read, write, server.create_initialization_options())
        else:
            await _serve_http(server, catalog_size=len(catalog.tools), host=host, port=port,
                              token=token)  # fmt: skip
    finally:
        catalog.close()


async def _serve_http(server: Any, *, catalog_size: int, host: str, port: int,
                      token: str | None) -> None:  # fmt: skip
    import uvicorn

    from llmspell_cli.mcp_server.server import bearer_auth

    app: Any = server.streamable_http_app(host=host)
    if token:
        app = bearer_auth(app, token)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        from llmspell.errors import ConfigurationError

        raise ConfigurationError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="pick another --port (0 picks a free one)",
        ) from None
    sock.listen(512)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    auth = "bearer token required" if token else "no auth"
    print(
        f"llmspell mcp serve: {catalog_size} tools at http://{shown}:{bound}/mcp ({auth})",
        file=sys.stderr,
        flush=True,
    )
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", timeout_graceful_shutdown=3,
        limit_concurrency=1000, backlog=512,
    )  # fmt: skip
    await uvicorn.Server(config).serve(sockets=[sock])
