"""Semantic memory: facts about entities, extracted from episodes by consolidation.

Facts live under ``Namespace(tenant, "memory:semantic", "")``, one record per fact; the
fact's normalised text (lower case, single spaces, no final period) is its key, so the
same fact found again updates the record instead of adding a second one.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

from llmspell.rag.index import VectorIndex
from llmspell.rag.options import check_query
from llmspell.vectorstore.base import Namespace, SearchHit, VectorRecord

__all__ = ["SEMANTIC", "Semantic", "fact_key", "fact_of"]

SEMANTIC = "memory:semantic"
#: the longest fact or entity name kept (characters)
MAX_FACT_CHARS = 2000
MAX_ENTITY_CHARS = 200
#: the most sessions a fact remembers as its sources
MAX_SOURCES = 20


def fact_key(text: str) -> str:
    """The key two wordings of one fact share."""
    norm = " ".join(text.lower().split()).rstrip(" .!;")
    return hashlib.sha256(norm.encode()).hexdigest()[:32]


def fact_of(hit: SearchHit) -> dict[str, Any]:
    """A fact as scripts see it: ``{id, content, entity, score, metadata, created_at}``."""
    meta = dict(hit.metadata)
    return {
        "id": hit.id,
        "content": hit.content,
        "entity": meta.get("entity", ""),
        "score": round(float(hit.score), 6),
        "metadata": meta,
        "created_at": hit.created_at,
    }


def clean(text: Any, limit: int) -> str:
    """A model's string, control characters removed, whitespace collapsed, cut."""
    if not isinstance(text, str):
        return ""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    return " ".join(text.split())[:limit]


class Semantic:
    """Query and update the facts."""

    def __init__(self, index: VectorIndex, tenant: str = "default") -> None:
        self.index = index
        self.namespace = Namespace(tenant, SEMANTIC, "")

    def query(self, query: str | list[float], limit: int) -> list[SearchHit]:
        """The ``limit`` facts most like ``query`` (a text or its vector), best first."""
        if isinstance(query, str):
            check_query("Memory.semantic.query", query)
        store = self.index.store()
        if store.info().get("model") is None or store.count(self.namespace) == 0:
            return []
        embedder, store = self.index.bound()
        vector = embedder.embed([query])[0] if isinstance(query, str) else query
        return store.search(self.namespace, vector, limit)

    def count(self) -> int:
        """How many facts are stored."""
        return self.index.store().count(self.namespace)

    def upsert(self, facts: list[tuple[str, str]], source: str) -> tuple[int, int]:
        """Store ``(entity, fact)`` pairs found in session ``source``: new facts added,
        known ones (same key) updated. Returns ``(added, updated)``."""
        embedder, store = self.index.bound()
        fresh: dict[str, tuple[str, str]] = {}
        for entity, fact in facts:
            fact = clean(fact, MAX_FACT_CHARS)
            if fact:
                fresh[fact_key(fact)] = (clean(entity, MAX_ENTITY_CHARS), fact)
        if not fresh:
            return 0, 0
        keys = list(fresh)
        vectors = embedder.embed([fresh[k][1] for k in keys])
        records, added, updated = [], 0, 0
        now = time.time()
        for key, vector in zip(keys, vectors, strict=True):
            entity, fact = fresh[key]
            old = store.list(self.namespace, limit=1, filters={"fact_key": key})
            sources = [source]
            created = now
            if old:
                updated += 1
                prior = old[0].metadata.get("sources")
                if isinstance(prior, list):
                    kept = [s for s in prior if s != source][-(MAX_SOURCES - 1) :]
                    sources = [*kept, source]
                created = old[0].created_at or now
                entity = entity or str(old[0].metadata.get("entity", ""))
            else:
                added += 1
            meta = {"entity": entity, "fact_key": key, "sources": sources, "updated_at": now}
            records.append(
                VectorRecord("fact-" + key, self.namespace, fact, vector, meta, key, created)
            )
        store.add(records)
        return added, updated

    def delete(self, facts: list[str]) -> int:
        """Delete the facts with these texts (by key); returns how many were."""
        store = self.index.store()
        gone = 0
        for fact in facts:
            text = clean(fact, MAX_FACT_CHARS)
            if text:
                gone += 1 if store.delete(self.namespace, doc_id=fact_key(text)) else 0
        return gone
