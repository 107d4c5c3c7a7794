"""The core's own backends, registered like any plugin's: the sqlite-vec and pgvector
vector stores (and a throwaway in-memory one) and the SQLite and memory State backends.
Each factory imports its module (and that module its library) only when a backend is
opened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmspell.hookspecs import hookimpl


def _sqlite_vec(location: str | None, **kwargs: Any) -> Any:
    from llmspell.vectorstore.sqlite_vec import open_store

    return open_store(location, **kwargs)


def _pgvector(location: str | None, **kwargs: Any) -> Any:
    from llmspell.vectorstore.pgvector import open_store

    return open_store(location, **kwargs)


def _memory(location: str | None, **kwargs: Any) -> Any:
    from llmspell.vectorstore.memory import open_store

    return open_store(location, **kwargs)


@hookimpl
def register_vector_stores(register: Callable[..., None]) -> None:
    """sqlite-vec (the embedded default) and pgvector (PostgreSQL, for scale-out)."""
    register(_sqlite_vec, name="sqlite-vec", description="SQLite file with sqlite-vec (exact)")
    register(_pgvector, name="pgvector", description="PostgreSQL with pgvector (HNSW)")
    register(_memory, name="memory", description="in this process's memory (lost at exit)")


def _state_sqlite(location: str | None, **kwargs: Any) -> Any:
    from llmspell.state import open_backend

    return open_backend("sqlite", location)


def _state_memory(location: str | None, **kwargs: Any) -> Any:
    from llmspell.state import open_backend

    return open_backend("memory", None)


def _state_postgres(location: str | None, **kwargs: Any) -> Any:
    from llmspell.state import open_backend

    return open_backend("postgresql", location)


@hookimpl
def register_state_backends(register: Callable[..., None]) -> None:
    """SQLite (the embedded default), memory (one process) and PostgreSQL (shared)."""
    register(_state_sqlite, name="sqlite", description="SQLite file (WAL, synchronous=FULL)")
    register(_state_memory, name="memory", description="in this process's memory (lost at exit)")
    register(_state_postgres, name="postgresql", description="PostgreSQL ([storage] url)")
