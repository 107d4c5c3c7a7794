"""Fixtures for the MCP client's tests: runtimes configured with MCP servers (a fake
Python server, PyPI mcp-server-time, the npm reference server when installed)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmspell.config import load_settings
from llmspell.runtime import Runtime

HERE = Path(__file__).parent
FAKE = HERE / "fake_server.py"
TIME_SERVER = Path(sys.executable).parent / "mcp-server-time"
# read at import: the root conftest removes LLMSPELL_* variables for the test session
NPM_DIR = os.environ.get("LLMSPELL_TEST_NPM_DIR")
REQUIRE_DEPS = os.environ.get("LLMSPELL_REQUIRE_MCP_DEPS") == "1"


def npm_dir() -> Path:
    """The node_modules of .ci/install-mcp-deps (LLMSPELL_TEST_NPM_DIR); skips the test
    when unset, fails it when LLMSPELL_REQUIRE_MCP_DEPS=1 (CI)."""
    value = NPM_DIR
    if value and (Path(value) / "@modelcontextprotocol/server-everything").is_dir():
        return Path(value)
    reason = (
        "the npm MCP packages are not installed: run `eval \"$(.ci/install-mcp-deps)\"` "
        "(sets LLMSPELL_TEST_NPM_DIR)"
    )
    if REQUIRE_DEPS:
        pytest.fail(reason)
    pytest.skip(reason)


def everything_js() -> str:
    """The reference server's entry point (server-everything)."""
    return str(npm_dir() / "@modelcontextprotocol/server-everything/dist/index.js")


def toml_value(value: Any) -> str:
    """A TOML value from a Python one (strings, lists, tables of strings, numbers)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def fake(mode: str = "ok", **extra: Any) -> dict[str, Any]:
    """A [mcp.servers.X] table running the fake server in ``mode``."""
    return {"command": sys.executable, "args": [str(FAKE), mode], **extra}


class McpRuntime:
    """A runtime in ``root`` with ``servers`` configured; ``run(source)`` runs a spell."""

    def __init__(self, root: Path, servers: dict[str, dict[str, Any]], extra: str = "") -> None:
        lines = [extra]
        for name, table in servers.items():
            lines.append(f"[mcp.servers.{name}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
        path = root / "llmspell.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.settings = load_settings(path)
        self.runtime = Runtime(self.settings)

    def run(self, source: str, *, name: str = "spell.lua") -> Any:
        """The value the spell returns."""
        return self.runtime.run_sync(source, chunk_name=name).value

    def close(self) -> None:
        """Close the runtime (stops its servers)."""
        self.runtime.close()


@pytest.fixture
def mcp_runtime(tmp_path: Path) -> Iterator[Any]:
    """``make(servers, extra_toml="")`` -> :class:`McpRuntime` (closed after the test)."""
    made: list[McpRuntime] = []

    def make(servers: dict[str, dict[str, Any]], extra: str = "") -> McpRuntime:
        rt = McpRuntime(tmp_path, servers, extra)
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.close()


def alive(pid: int) -> bool:
    """True while process ``pid`` exists (and is not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


def run_async(coro: Any) -> Any:
    """asyncio.run, for readability in tests."""
    return asyncio.run(coro)


@pytest.fixture
def kit() -> Any:
    """The helpers above, for test modules (conftest is not importable by name)."""
    import types

    return types.SimpleNamespace(
        FAKE=FAKE, TIME_SERVER=TIME_SERVER, alive=alive, everything_js=everything_js,
        fake=fake, npm_dir=npm_dir, run_async=run_async,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def everything_http(kit: Any) -> Iterator[str]:
    """server-everything's streamable HTTP transport on 127.0.0.1; yields its URL."""
    port = _free_port()
    proc = subprocess.Popen(
        ["node", kit.everything_js(), "streamableHttp"],
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(10)
