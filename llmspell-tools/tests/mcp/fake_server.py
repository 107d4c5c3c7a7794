"""A misbehaving (or well-behaved) MCP server over stdio for the client's tests:
``python fake_server.py MODE`` where MODE is ``ok`` (tools echo, huge, die, slow, env),
``garbage`` (prints non-JSON-RPC lines and answers nothing), ``exit`` (exits at once
with a message on stderr), ``hang`` (reads stdin, never answers), ``flood`` (one
endless line on stdout), ``noisy`` (a few garbage lines, then a working server).
"""

from __future__ import annotations

import os
import sys
import time


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "ok"
    if mode == "exit":
        print("fake server: cannot start (missing FAKE_TOKEN)", file=sys.stderr, flush=True)
        raise SystemExit(3)
    if mode == "garbage":
        for _ in range(5):
            print("Hello! I am not JSON-RPC", flush=True)
        time.sleep(120)
        return
    if mode == "hang":
        sys.stdin.read()
        return
    if mode == "flood":
        chunk = "x" * 65536
        while True:
            sys.stdout.write(chunk)
            sys.stdout.flush()
    if mode == "noisy":
        print("starting up...", flush=True)

    from mcp.server.mcpserver import MCPServer

    app = MCPServer("fake")

    @app.tool()
    def echo(text: str) -> str:
        """Echo the text back."""
        return text

    @app.tool()
    def huge(size: int) -> str:
        """Return ``size`` characters."""
        return "y" * size

    @app.tool()
    def die() -> str:
        """Exit the server process in the middle of the call."""
        os._exit(7)

    @app.tool()
    def slow(seconds: float) -> str:
        """Sleep, then answer."""
        time.sleep(seconds)
        return "done"

    @app.tool()
    def env(name: str) -> str:
        """The value of an environment variable ('' when unset)."""
        return os.environ.get(name, "")

    @app.tool()
    def pid() -> int:
        """The server's process id."""
        return os.getpid()

    app.run("stdio")


if __name__ == "__main__":
    main()
