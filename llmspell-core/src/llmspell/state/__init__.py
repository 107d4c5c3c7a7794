"""State backends: the interface, the built-in SQLite, memory and PostgreSQL stores,
and where they live (:mod:`llmspell.state.location`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmspell.errors import ConfigurationError
from llmspell.state.base import StateBackend
from llmspell.state.memory import MemoryStateBackend

if TYPE_CHECKING:
    from llmspell.backends import BackendRegistry
    from llmspell.config import Settings
    from llmspell.state.sqlite import SQLiteStateBackend


def __getattr__(name: str) -> Any:
    # sqlite3 (with datetime, ~5 ms) loads with the first State call, not with every run
    if name == "SQLiteStateBackend":
        from llmspell.state.sqlite import SQLiteStateBackend

        return SQLiteStateBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "MemoryStateBackend",
    "SQLiteStateBackend",
    "StateBackend",
    "open_backend",
    "open_configured",
]


def open_backend(kind: str, path: Path | str | None) -> StateBackend:
    """Open the built-in backend named ``kind`` ("sqlite" needs a path, "postgresql" a
    URL)."""
    if kind == "memory":
        return MemoryStateBackend()
    if kind == "postgresql":
        from llmspell.state.postgres import PostgresStateBackend

        if path is None:
            raise ValueError("the postgresql state backend needs a URL")
        return PostgresStateBackend(str(path))
    if kind != "sqlite":
        raise ConfigurationError(
            f"unknown state backend {kind!r}",
            hint='set [state] backend to "sqlite" or "memory", or [storage] url',
        )
    if path is None:
        raise ValueError("the sqlite state backend needs a path")
    from llmspell.state.sqlite import SQLiteStateBackend

    return SQLiteStateBackend(Path(path))


def open_configured(settings: Settings, registry: BackendRegistry | None = None) -> StateBackend:
    """The State backend ``settings`` select, through ``registry`` (a runtime's
    ``state_backends``) when given, else the built-in ones."""
    from llmspell.state.location import storage_location

    where = storage_location(settings)
    if registry is None:
        return open_backend(where.backend, where.location)
    backend: StateBackend = registry.get(where.backend).factory(where.location, settings=settings)
    return backend
