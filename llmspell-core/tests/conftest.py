"""Shared fixtures for the core unit tests.

Every test runs with ``HOME`` and ``LLMSPELL_HOME`` pointing into its own temporary
directory and with no ``LLMSPELL_*`` variable inherited from the caller, so nothing
reads or writes the real home directory and no installed plugin is autoloaded by
accident.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llmspell.config import load_settings
from llmspell.plugins import PluginLoader
from llmspell.runtime import Output, Runtime
from llmspell.testing import OpHost, PyFunction


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


@pytest.fixture
def api_host() -> Callable[..., OpHost]:
    """``api_host(*plugins, overrides=...)``: a memory-state runtime with the built-in
    globals and the given plugins, and a host that calls its ops."""

    def make(*plugins: Any, overrides: dict[tuple[str, ...], Any] | None = None) -> OpHost:
        settings = load_settings(
            environ={},
            use_files=False,
            overrides={("state", "backend"): "memory", **(overrides or {})},
        )
        loader = PluginLoader(autoload=False, environ={})
        for i, plugin in enumerate(plugins):
            loader.register(plugin, name=f"test-plugin-{i}")
        rt = Runtime(settings, loader=loader, output=Output(io.StringIO(), io.StringIO()))
        return OpHost(rt)

    return make


@pytest.fixture
def fn() -> type[PyFunction]:
    """``fn(callable)``: a script function backed by Python."""
    return PyFunction
