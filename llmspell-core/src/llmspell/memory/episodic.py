"""Episodic memory: what was said, by whom, in which session (searchable by meaning).

Entries live in the vector store under ``Namespace(tenant, "memory:episodic", session)``;
the record's metadata holds the role and the entry's own metadata (as JSON text, so any
JSON table fits). Methods block: callers run them on the index's worker thread.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from llmspell.errors import ValidationError
from llmspell.rag.index import VectorIndex, check_name
from llmspell.rag.options import check_metadata, check_query
from llmspell.vectorstore.base import Namespace, SearchHit, VectorRecord

__all__ = ["EPISODIC", "MAX_LIMIT", "Episodic", "entry_of"]

EPISODIC = "memory:episodic"
#: the most entries one search or listing returns
MAX_LIMIT = 1000
_MAX_ROLE_CHARS = 64


def entry_of(hit: SearchHit) -> dict[str, Any]:
    """An entry as scripts see it: ``{id, session_id, role, content, metadata,
    created_at, score}``."""
    raw = hit.metadata.get("meta")
    meta = json.loads(raw) if isinstance(raw, str) and raw else {}
    return {
        "id": hit.id,
        "session_id": hit.namespace.scope_id or "",
        "role": hit.metadata.get("role", ""),
        "content": hit.content,
        "metadata": meta,
        "created_at": hit.created_at,
        "score": round(float(hit.score), 6),
    }


def check_limit(what: str, limit: Any, high: int = MAX_LIMIT) -> int:
    """A positive integer limit, capped at ``high``."""
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit != limit or limit < 1:
        raise ValidationError(f"{what}: limit must be a positive integer (got {limit!r})")
    return int(min(limit, high))


class Episodic:
    """Add, search and list episodic entries."""

    def __init__(self, index: VectorIndex, max_entry_bytes: int, tenant: str = "default") -> None:
        self.index = index
        self.max_entry_bytes = max_entry_bytes
        self.tenant = tenant

    def namespace(self, session_id: str | None) -> Namespace:
        """The namespace of one session (None: every session)."""
        return Namespace(self.tenant, EPISODIC, session_id)

    def add(
        self,
        session_id: str,
        role: str,
        content: str,
        metadata: Any = None,
        *,
        vector: list[float] | None = None,
    ) -> str:
        """Store an entry; returns its id. ``vector``: one already computed (benchmarks,
        callers that embedded in bulk)."""
        what = "Memory.episodic.add"
        check_name(f"{what}: session_id", session_id)
        check_name(f"{what}: role", role)
        if len(role) > _MAX_ROLE_CHARS:
            raise ValidationError(f"{what}: role is longer than {_MAX_ROLE_CHARS} characters")
        if not isinstance(content, str) or not content.strip():
            raise ValidationError(f"{what}: content must be a non-empty string")
        size = len(content.encode("utf-8", "surrogatepass"))
        if size > self.max_entry_bytes:
            raise ValidationError(
                f"{what}: the entry is {size} bytes; the limit is {self.max_entry_bytes}",
                hint="store a summary, or raise [memory] max_entry_bytes",
            )
        meta = check_metadata(what, metadata, flat=False)
        embedder, store = self.index.bound()
        if vector is None:
            vector = embedder.embed([content])[0]
        entry_id = "ep-" + uuid.uuid4().hex
        record = VectorRecord(
            entry_id,
            self.namespace(session_id),
            content,
            vector,
            {"role": role, "meta": json.dumps(meta, ensure_ascii=False) if meta else ""},
            entry_id,
            time.time(),
        )
        store.add([record])
        return entry_id

    def search(self, session_id: str, query: str, limit: Any = 10) -> list[dict[str, Any]]:
        """The ``limit`` entries of the session most like ``query``, best first."""
        what = "Memory.episodic.search"
        check_name(f"{what}: session_id", session_id)
        check_query(what, query)
        limit = check_limit(what, limit, self.index.runtime.settings.rag.max_top_k)
        return [entry_of(h) for h in self.similar(query, session_id, limit)]

    def similar(self, query: str | list[float], session_id: str | None, k: int) -> list[SearchHit]:
        """Hits for a query text (or its vector) in one session or all (None)."""
        store = self.index.store()
        ns = self.namespace(session_id)
        if store.info().get("model") is None or store.count(ns) == 0:
            return []
        embedder, store = self.index.bound()
        vector = embedder.embed([query])[0] if isinstance(query, str) else query
        return store.search(ns, vector, k)

    def sessions(self) -> list[tuple[str, int]]:
        """``(session_id, entries)`` of every session with entries."""
        store = self.index.store()
        return [
            (ns.scope_id or "", count)
            for ns, count, _ in store.namespaces(self.tenant)
            if ns.scope == EPISODIC
        ]

    def since(self, session_id: str, after: float | None, limit: int) -> list[SearchHit]:
        """The session's entries created after ``after`` (all if None), oldest first."""
        store = self.index.store()
        since = None if after is None else after + 1e-6
        hits = store.list(self.namespace(session_id), limit=limit, since=since)
        hits.sort(key=lambda h: (h.created_at, h.id))
        return hits
