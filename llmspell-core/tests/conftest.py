"""Shared fixtures for the core unit tests.

Every test runs with ``HOME`` and ``LLMSPELL_HOME`` pointing into its own temporary
directory and with no ``LLMSPELL_*`` variable inherited from the caller, so nothing
reads or writes the real home directory and no installed plugin is autoloaded by
accident.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llmspell.config import load_settings
from llmspell.engine import ScriptEngine
from llmspell.ops import ScriptFunction
from llmspell.plugins import PluginLoader
from llmspell.runtime import Limits, Output, RunSession, Runtime


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("LLMSPELL_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("LLMSPELL_HOME", str(tmp_path / "llmspell-home"))
    monkeypatch.setenv("LLMSPELL_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The fake home directory (``HOME``) of this test."""
    return tmp_path / "home"


@pytest.fixture
def environ(tmp_path: Path, home: Path) -> dict[str, str]:
    """A minimal explicit environment for ``load_settings(environ=...)``."""
    return {"HOME": str(home), "LLMSPELL_HOME": str(tmp_path / "llmspell-home")}


class _Engine(ScriptEngine):
    name = "lua"
    extensions = (".fake",)

    async def run(self, source: str, chunk_name: str) -> Any:
        return None


class PyFunction(ScriptFunction):
    """A "script function" backed by a Python callable (sync or async)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.calls: list[tuple[Any, ...]] = []

    async def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        value = self.fn(*args)
        if asyncio.iscoroutine(value):
            value = await value
        return value


class ApiHost:
    """Calls script-API ops as an engine does, one event loop per ``call``."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.session = RunSession(
            runtime,
            engine_cls=_Engine,
            chunk_name="spell.fake",
            script_path=None,
            argv=(),
            limits=Limits(),
            output=runtime.output,
        )

    def __call__(self, path: str, *args: Any) -> Any:
        """``host("Workflow.sequential", {...})``."""
        gname, fname = path.split(".")
        spec = self.runtime.globals.get(gname)
        assert spec is not None, gname
        return self.run(spec.functions[spec.aliases.get(fname, fname)], args)

    def method(self, obj: Any, name: str, *args: Any) -> Any:
        """Call a method of a host object (``wf:execute``)."""
        ot = self.session.object_type(obj)
        assert ot is not None
        return self.run(ot.methods[name], (obj, *args))

    def run(self, op: Any, args: tuple[Any, ...]) -> Any:
        """One op call, awaited in a fresh loop."""

        async def go() -> Any:
            result = self.session.call(op, list(args))
            if asyncio.isfuture(result) or asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run(go())

    @property
    def stderr(self) -> str:
        """What the run wrote to stderr."""
        return self.runtime.output.stderr.getvalue()  # type: ignore[attr-defined]


@pytest.fixture
def api_host() -> Callable[..., ApiHost]:
    """``api_host(*plugins, overrides=...)``: a memory-state runtime with the built-in
    globals and the given plugins, and a host that calls its ops."""

    def make(*plugins: Any, overrides: dict[tuple[str, ...], Any] | None = None) -> ApiHost:
        settings = load_settings(
            environ={},
            use_files=False,
            overrides={("state", "backend"): "memory", **(overrides or {})},
        )
        loader = PluginLoader(autoload=False, environ={})
        for i, plugin in enumerate(plugins):
            loader.register(plugin, name=f"test-plugin-{i}")
        rt = Runtime(settings, loader=loader, output=Output(io.StringIO(), io.StringIO()))
        return ApiHost(rt)

    return make


@pytest.fixture
def fn() -> type[PyFunction]:
    """``fn(callable)``: a script function backed by Python."""
    return PyFunction
