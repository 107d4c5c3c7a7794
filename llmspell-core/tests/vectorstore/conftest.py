"""The vector-store backends every conformance test runs against.

``backend`` is parametrised over sqlite-vec (a file in the test's temporary
directory), pgvector (a fresh database on the session's PostgreSQL, the root
``postgres_url`` fixture) and the in-memory store. ``backend.open()`` opens the same
location again, which is how tests check persistence across a reopen.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from llmspell.vectorstore.base import VectorStore

BACKENDS = ["sqlite-vec", "pgvector", "memory"]


@dataclass
class Backend:
    """A backend under test: its name, how to open its location, whether it persists."""

    name: str
    opener: Callable[[], VectorStore]
    persistent: bool
    opened: list[VectorStore] = field(default_factory=list)

    def open(self) -> VectorStore:
        """A store on this backend's location (the same one every time)."""
        store = self.opener()
        self.opened.append(store)
        return store


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Each backend in turn (see the module docstring)."""
    name = request.param
    if name == "sqlite-vec":
        from llmspell.vectorstore.sqlite_vec import open_store

        path = str(tmp_path / "rag.db")
        be = Backend(name, lambda: open_store(path), persistent=True)
    elif name == "pgvector":
        from llmspell.vectorstore.pgvector import open_store as open_pg

        url = request.getfixturevalue("postgres_url")
        be = Backend(name, lambda: open_pg(url), persistent=True)
    else:
        if importlib.util.find_spec("llmspell.vectorstore.memory") is None:
            pytest.skip("no in-memory vector store in this tree")
        from llmspell.vectorstore.memory import open_store as open_memory

        shared = open_memory(None)
        be = Backend(name, lambda: shared, persistent=False)
    try:
        yield be
    finally:
        for store in be.opened:
            store.close()


@pytest.fixture
def store(backend: Backend) -> VectorStore:
    """An open, empty, unbound store of the backend under test."""
    return backend.open()
