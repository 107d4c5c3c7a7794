"""A misbehaving (or well-behaved) MCP server over stdio for the client's tests:
``python fake_server.py MODE`` where MODE is ``ok`` (tools echo, huge, die, slow, env,
pid, grow/shrink: add/remove a tool and announce it, ask: a roots, sampling or
elicitation request through the 2026-07-28 input-required flow),
``garbage`` (prints non-JSON-RPC lines and answers nothing), ``exit`` (exits at once
with a message on stderr), ``hang`` (reads stdin, never answers), ``flood`` (one
endless line on stdout), ``noisy`` (a few garbage lines, then a working server).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any


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

    from mcp.server.mcpserver import Context, MCPServer

    # the SDK reads the tools' (string) annotations in this module's namespace
    globals()["Context"] = Context

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

    @app.tool()
    async def grow(name: str, ctx: Context) -> str:
        """Add a tool called ``name`` (it answers "added: TEXT") and announce it."""

        def added(text: str) -> str:
            return f"added: {text}"

        app.add_tool(added, name=name, description="a tool added while the server runs")
        await ctx.notify_tools_changed()
        return "ok"

    @app.tool()
    async def ask(kind: str, ctx: Context) -> Any:
        """Ask the client (roots, sample or elicit) and return its JSON answer."""
        import json

        import mcp_types as types

        answers = ctx.input_responses
        if answers:
            got = answers["q"]
            return json.dumps(got.model_dump(mode="json", by_alias=True, exclude_none=True))
        text = types.TextContent(type="text", text="what is 2+2?")
        message = types.SamplingMessage(role="user", content=text)
        asks: dict[str, Any] = {
            "roots": lambda: types.ListRootsRequest(),
            "sample": lambda: types.CreateMessageRequest(
                params=types.CreateMessageRequestParams(
                    messages=[message], max_tokens=5000, system_prompt="Be brief."
                )
            ),
            "elicit": lambda: types.ElicitRequest(
                params=types.ElicitRequestFormParams(
                    message="your name?",
                    requested_schema={"type": "object", "properties": {"n": {"type": "string"}}},
                )
            ),
        }
        return types.InputRequiredResult(input_requests={"q": asks[kind]()})

    @app.tool()
    async def shrink(name: str, ctx: Context) -> str:
        """Remove the tool called ``name`` and announce it."""
        app.remove_tool(name)
        await ctx.notify_tools_changed()
        return "ok"

    app.run("stdio")


if __name__ == "__main__":
    main()
