"""The embedder and vector store RAG, Memory and Context share (one per runtime).

Both open on first use, never when the runtime starts: the local embedder loads a model
and the store may be a PostgreSQL server. All their work runs on one worker thread of
its own (``llmspell-rag``), so a long ingest never holds the event loop nor the State
worker, and the store is used from one thread at a time as :class:`VectorStore` asks.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar, cast

from llmspell.embedders import Embedder, open_embedder
from llmspell.errors import ConfigurationError, LLMSpellError, ValidationError

if TYPE_CHECKING:
    from llmspell.runtime import Runtime
    from llmspell.vectorstore.base import VectorStore

__all__ = ["MAX_NAME_CHARS", "VectorIndex", "check_name", "serial", "shared_index"]

T = TypeVar("T")

#: the longest tenant, scope, scope id or session id
MAX_NAME_CHARS = 256


def check_name(what: str, value: Any, *, allow_empty: bool = False) -> str:
    """``value`` as a tenant/scope/session name: a string, non-empty unless
    ``allow_empty``, at most :data:`MAX_NAME_CHARS` characters, no control characters."""
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be a string (got {type(value).__name__})")
    if not value and not allow_empty:
        raise ValidationError(f"{what} must not be empty")
    if len(value) > MAX_NAME_CHARS:
        raise ValidationError(f"{what} is {len(value)} characters; the limit is {MAX_NAME_CHARS}")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValidationError(f"{what} must not contain control characters")
    return value


F = TypeVar("F", bound=Callable[..., Any])


def serial(method: F) -> F:
    """A service method that holds its index's :attr:`VectorIndex.serial` lock."""

    @functools.wraps(method)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with self.index.serial:
            return method(self, *args, **kwargs)

    return cast(F, locked)


def store_choice(runtime: Runtime) -> tuple[str, str | None]:
    """The configured vector store's name and location (``[rag] store`` / ``location``;
    pgvector with ``[storage] url`` when that is PostgreSQL, else sqlite-vec)."""
    settings = runtime.settings
    url = settings.storage.url
    on_pg = bool(url and url.startswith(("postgresql://", "postgres://")))
    name = settings.rag.store or ("pgvector" if on_pg else "sqlite-vec")
    location = settings.rag.location
    if location is None and name == "pgvector":
        location = url
    return name, location


class VectorIndex:
    """Lazily opened embedders (by spec) and the vector store, with their worker thread."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._embedders: dict[str, Embedder] = {}
        self._store: VectorStore | None = None
        self._lock = threading.RLock()
        #: held by every service call (RagService, MemoryService), so callers on other
        #: threads than the worker (a tool, a CLI command) never use the store at once
        self.serial = threading.RLock()
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False

    @property
    def default_spec(self) -> str:
        """``[rag] embedder``."""
        return self.runtime.settings.rag.embedder

    @property
    def executor(self) -> ThreadPoolExecutor:
        """The worker thread embedding and store calls run on."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="llmspell-rag"
                )
            return self._executor

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on the worker thread, awaited from the event loop."""
        loop = asyncio.get_running_loop()

        def call() -> T:
            with self.serial:
                return fn(*args)

        return await loop.run_in_executor(self.executor, call)

    def embedder(self, spec: str | None = None) -> Embedder:
        """The embedder ``spec`` names (default ``[rag] embedder``), opened once."""
        spec = (spec or self.default_spec).strip()
        with self._lock:
            found = self._embedders.get(spec)
            if found is None:
                found = self._open(
                    "embedder",
                    spec,
                    lambda: open_embedder(
                        spec,
                        self.runtime.embedders,
                        self.runtime.settings,
                        transport=self.runtime.provider_transport,
                        runtime=self.runtime,
                    ),
                )
                self._embedders[spec] = found
            return found

    def store(self) -> VectorStore:
        """The configured vector store, opened once."""
        with self._lock:
            if self._store is None:
                name, location = store_choice(self.runtime)

                def open_() -> VectorStore:
                    info = self.runtime.vector_stores.get(name)
                    store: VectorStore = info.factory(location, settings=self.runtime.settings)
                    return store

                self._store = self._open("vector store", name, open_)
            return self._store

    def bound(self, spec: str | None = None) -> tuple[Embedder, VectorStore]:
        """The embedder and the store, the store checked (or bound) to its model:
        DimensionMismatchError when the store holds another model's vectors."""
        embedder = self.embedder(spec)
        store = self.store()
        store.ensure(embedder.model, embedder.dimensions)
        return embedder, store

    def opened_store(self) -> VectorStore | None:
        """The store if it is open (stats need not open the embedder)."""
        return self._store

    @staticmethod
    def _open(what: str, name: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except LLMSpellError:
            raise
        except Exception as exc:  # a backend's own error: say what failed to open
            raise ConfigurationError(
                f"cannot open the {what} {name!r}: {type(exc).__name__}: {exc}",
                hint=f"check [rag] {'embedder' if what == 'embedder' else 'store/location'} "
                "in llmspell.toml",
            ) from None

    def close(self) -> None:
        """Close the embedders, the store and the worker thread."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        with self._lock:
            for embedder in self._embedders.values():
                embedder.close()
            self._embedders.clear()
            if self._store is not None:
                self._store.close()
                self._store = None


def shared_index(runtime: Runtime) -> VectorIndex:
    """The runtime's one :class:`VectorIndex` (created on first use)."""
    services: dict[str, Any] = runtime.services
    found = services.get("vector_index")
    if found is None:
        found = services["vector_index"] = VectorIndex(runtime)
    index: VectorIndex = found
    return index
