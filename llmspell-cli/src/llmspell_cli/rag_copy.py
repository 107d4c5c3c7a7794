"""``llmspell rag copy FROM``: every chunk, episodic entry and fact of another vector store
copied into the configured one (moving from SQLite to PostgreSQL, or back).

Stores do not hand out their vectors, so each record's text is embedded again with the
configured embedder: the copy also works between stores of different models. Records keep
their ids, namespaces, metadata and creation times, so copying again replaces rather than
duplicates.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmspell.runtime import Runtime
    from llmspell.vectorstore.base import VectorStore

__all__ = ["copy_store", "source_store"]

Progress = Callable[[int, int, str], Any]


def source_store(runtime: Runtime, location: str) -> VectorStore:
    """The store at ``location``: a PostgreSQL URL (pgvector) or an existing sqlite-vec
    file. NotFoundError for a file that does not exist (it would be created empty)."""
    from llmspell.errors import NotFoundError

    pg = location.startswith(("postgresql://", "postgres://"))
    if not pg:
        path = location.removeprefix("sqlite:///")
        if not os.path.isfile(os.path.expanduser(path)):
            raise NotFoundError(f"no vector store file {location!r}")
        location = os.path.expanduser(path)
    info = runtime.vector_stores.get("pgvector" if pg else "sqlite-vec")
    store: VectorStore = info.factory(location, settings=runtime.settings)
    return store


def copy_store(
    runtime: Runtime, source: VectorStore, progress: Progress | None = None
) -> dict[str, Any]:
    """Copy every record of ``source`` into the runtime's store, re-embedded; returns
    ``{records, namespaces, model, from, to}``."""
    from llmspell.errors import ValidationError
    from llmspell.rag.index import shared_index
    from llmspell.vectorstore.base import VectorRecord

    index = shared_index(runtime)
    embedder, target = index.bound()
    if source.info().get("location") == target.info().get("location"):
        raise ValidationError(
            f"the source is the configured store itself ({target.info().get('location')})",
            hint="name the old store, after pointing [rag]/[storage] at the new one",
        )
    spaces = source.namespaces()
    total = sum(count for _, count, _ in spaces)
    done = 0
    batch = max(1, embedder.max_batch)
    for namespace, count, _ in spaces:
        hits = source.list(namespace, limit=max(count, 1))
        where = f"{namespace.tenant}/{namespace.scope}/{namespace.scope_id}"
        for start in range(0, len(hits), batch):
            part = hits[start : start + batch]
            vectors = embedder.embed([h.content for h in part])
            target.add([
                VectorRecord(h.id, h.namespace, h.content, vec, dict(h.metadata), h.doc_id,
                             h.created_at)
                for h, vec in zip(part, vectors, strict=True)
            ])  # fmt: skip
            done += len(part)
            if progress is not None:
                progress(done, total, where)
    return {
        "records": done,
        "namespaces": len(spaces),
        "model": embedder.model,
        "from": source.info().get("location"),
        "to": target.info().get("location"),
    }
