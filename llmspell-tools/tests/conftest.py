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
