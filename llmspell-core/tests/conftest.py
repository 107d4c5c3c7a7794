"""Shared fixtures for the core unit tests.

Every test runs with ``HOME`` and ``LLMSPELL_HOME`` pointing into its own temporary
directory and with no ``LLMSPELL_*`` variable inherited from the caller, so nothing
reads or writes the real home directory and no installed plugin is autoloaded by
accident.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


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
