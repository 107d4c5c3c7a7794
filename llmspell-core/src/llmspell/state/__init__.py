"""State backends: the interface and the built-in SQLite and memory stores."""

from __future__ import annotations

from pathlib import Path

from llmspell.errors import ConfigurationError
from llmspell.state.base import StateBackend
from llmspell.state.memory import MemoryStateBackend
from llmspell.state.sqlite import SQLiteStateBackend

__all__ = ["MemoryStateBackend", "SQLiteStateBackend", "StateBackend", "open_backend"]


def open_backend(kind: str, path: Path | None) -> StateBackend:
    """Open the backend named ``kind`` ("sqlite" needs ``path``)."""
    if kind == "memory":
        return MemoryStateBackend()
    if kind != "sqlite":
        raise ConfigurationError(
            f"unknown state backend {kind!r}", hint='set [state] backend to "sqlite" or "memory"'
        )
    if path is None:
        raise ValueError("the sqlite state backend needs a path")
    return SQLiteStateBackend(path)
