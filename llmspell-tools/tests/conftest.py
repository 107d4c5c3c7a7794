"""Fixtures for tool tests: a runtime whose allowed path is a fresh directory."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmspell.config import load_settings
from llmspell.runtime import Runtime
from llmspell.tools import execute_tool


class ToolRunner:
    """Runs tools the way a spell does (schema validation, ToolResult shape)."""

    def __init__(self, runtime: Runtime, root: Path) -> None:
        self.runtime = runtime
        self.root = root

    def __call__(self, name: str, /, **params: Any) -> dict[str, Any]:
        """The ToolResult of ``name`` with ``params`` (raises on misuse/denial)."""
        tool = self.runtime.tools.get(name)
        return asyncio.run(execute_tool(tool, params, self.runtime.tool_context()))

    def ok(self, name: str, /, **params: Any) -> dict[str, Any]:
        """Run and assert success; returns the ToolResult."""
        result = self(name, **params)
        assert result["success"], result
        return result

    def failed(self, name: str, /, **params: Any) -> dict[str, Any]:
        """Run and assert ``success=false``; returns the ToolResult."""
        result = self(name, **params)
        assert not result["success"], result
        assert result["error"], result
        return result


def make_runtime(root: Path, **security: Any) -> Runtime:
    """A runtime allowed to touch only ``root`` (plus any ``security`` overrides)."""
    env = {"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(root)}
    overrides = {("security", "allowed_paths"): [str(root)]}
    for key, value in security.items():
        overrides[("security", key)] = value
    return Runtime(load_settings(environ=env, use_files=False, overrides=overrides))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Path]:
    """A directory that is the only allowed path (and the working directory)."""
    root = tmp_path / "sandbox"
    root.mkdir()
    old = Path.cwd()
    os.chdir(root)
    try:
        yield root.resolve()
    finally:
        os.chdir(old)


@pytest.fixture
def tools(sandbox: Path) -> Iterator[ToolRunner]:
    """A :class:`ToolRunner` on a runtime confined to ``sandbox``."""
    runtime = make_runtime(sandbox)
    yield ToolRunner(runtime, sandbox)
    runtime.close()


# -- network tools: a local HTTP server and a policy that reaches only 127.0.0.1 ----------


def _load_http_server_module() -> Any:
    """tests/http_server.py, loaded by path (the tests directory is not on sys.path)."""
    import importlib.util
    import sys

    name = "llmspell_tools_tests_http_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).with_name("http_server.py")
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def http_server() -> Iterator[Any]:
    """A real HTTP server on 127.0.0.1 (see tests/http_server.py for routes and API)."""
    server = _load_http_server_module().HttpServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def net_tools(sandbox: Path) -> Iterator[ToolRunner]:
    """A :class:`ToolRunner` whose policy allows the network to 127.0.0.1 only (no rate
    limit); files still confined to ``sandbox``."""
    runtime = make_runtime(
        sandbox,
        allow_network=True,
        allowed_hosts=["127.0.0.1"],
        requests_per_second_per_host=0,
    )
    yield ToolRunner(runtime, sandbox)
    runtime.close()


@pytest.fixture
def net_ctx(net_tools: ToolRunner) -> Any:
    """The tool context of ``net_tools`` (``ctx.policy`` allows 127.0.0.1 only)."""
    return net_tools.runtime.tool_context()
