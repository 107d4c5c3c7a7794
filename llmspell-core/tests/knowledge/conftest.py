"""A runtime for RAG/Memory unit tests: the test hash embedder, the in-memory vector
store, memory State, and the test's directory as the only allowed path."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from llmspell.config import load_settings
from llmspell.embedders import HashEmbedder
from llmspell.plugins import PluginLoader
from llmspell.runtime import Output, Runtime

MakeRuntime = Callable[..., Runtime]


@pytest.fixture
def make_runtime(tmp_path: Path) -> Iterator[MakeRuntime]:
    """``make_runtime(overrides={...}, plugins=[...])``: a runtime with test-hash and
    the memory store (closed after the test)."""
    made: list[Runtime] = []

    def make(overrides: dict[tuple[str, ...], Any] | None = None, plugins: Any = ()) -> Runtime:
        settings = load_settings(
            environ={},
            use_files=False,
            overrides={
                ("state", "backend"): "memory",
                ("rag", "store"): "memory",
                ("rag", "embedder"): "test-hash",
                ("security", "allowed_paths"): [str(tmp_path)],
                **(overrides or {}),
            },
        )
        loader = PluginLoader(autoload=False, environ={})
        for i, plugin in enumerate(plugins):
            loader.register(plugin, name=f"test-plugin-{i}")
        rt = Runtime(settings, loader=loader, output=Output(io.StringIO(), io.StringIO()))
        rt.embedders.register(HashEmbedder, name="test-hash")
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.close()


@pytest.fixture
def rt(make_runtime: MakeRuntime) -> Runtime:
    """The default test runtime."""
    return make_runtime()


def run_lua(rt: Runtime, source: str) -> Any:
    """Run a Lua spell on ``rt``; its result value."""
    return rt.run_sync(source, chunk_name="spell.lua").value


def run_js(rt: Runtime, source: str) -> Any:
    """Run a JavaScript spell on ``rt``; its result value."""
    return rt.run_sync(source, chunk_name="spell.js").value
