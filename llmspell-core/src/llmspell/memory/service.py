"""The Memory service behind ``Memory``, ``Context``, ``llmspell memory`` and agents with
memory: episodic entries, semantic facts, consolidation and context assembly, over the
runtime's shared :class:`~llmspell.rag.index.VectorIndex`.

The synchronous methods block (embedding, store I/O); the globals run them on the
index's worker thread. :meth:`MemoryService.consolidate` is a coroutine (it calls an LLM).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from llmspell.memory.consolidation import WATERMARK_SCOPE
from llmspell.memory.context import DEFAULT_MAX_TOKENS, STRATEGIES, assemble
from llmspell.memory.episodic import Episodic, check_limit
from llmspell.memory.semantic import Semantic, fact_of
from llmspell.rag.index import VectorIndex, serial, shared_index
from llmspell.rag.options import check_query

if TYPE_CHECKING:
    from llmspell.runtime import Runtime

__all__ = ["MemoryService", "memory_service"]


class MemoryService:
    """Episodic and semantic memory of one runtime (tenant ``default``)."""

    tenant = "default"

    def __init__(self, runtime: Runtime, index: VectorIndex) -> None:
        self.runtime = runtime
        self.index = index
        self.episodic = Episodic(index, runtime.settings.memory.max_entry_bytes, self.tenant)
        self.semantic = Semantic(index, self.tenant)

    # -- the contract H4's commands and the globals use -------------------------------

    @serial
    def add(self, session_id: str, role: str, content: str, metadata: Any = None) -> str:
        """``Memory.episodic.add``: store an entry; returns its id."""
        return self.episodic.add(session_id, role, content, metadata)

    @serial
    def search(self, session_id: str, query: str, limit: Any = 10) -> list[dict[str, Any]]:
        """``Memory.episodic.search``."""
        return self.episodic.search(session_id, query, limit)

    @serial
    def semantic_query(self, query: str, limit: Any = 10) -> list[dict[str, Any]]:
        """``Memory.semantic.query``: ``{{id, content, entity, score, metadata,
        created_at}}``, best first."""
        check_query("Memory.semantic.query", query)
        limit = check_limit("Memory.semantic.query", limit, self.runtime.settings.rag.max_top_k)
        return [fact_of(h) for h in self.semantic.query(query, limit)]

    @serial
    def episodic_count(self, session_id: str | None = None) -> int:
        """Entries of one session (None: of all)."""
        return self.index.store().count(self.episodic.namespace(session_id))

    @serial
    def stats(self) -> dict[str, Any]:
        """``Memory.stats``: ``{episodic_count, semantic_count, sessions_with_unprocessed,
        has_episodic, has_semantic, has_consolidation}``; ``has_consolidation`` says a
        consolidation model is configured (``[memory] consolidation_model``) — the
        default provider may still serve without it."""
        sessions = self.episodic.sessions()
        unprocessed = 0
        for sid, _ in sessions:
            raw = self.runtime.state.get(WATERMARK_SCOPE, sid)
            mark = json.loads(raw) if raw else None
            after = float(mark) if isinstance(mark, int | float) else None
            if self.episodic.since(sid, after, 1):
                unprocessed += 1
        episodic = sum(n for _, n in sessions)
        semantic = self.semantic.count()
        return {
            "episodic_count": episodic,
            "semantic_count": semantic,
            "sessions_with_unprocessed": unprocessed,
            "has_episodic": episodic > 0,
            "has_semantic": semantic > 0,
            "has_consolidation": bool(self.runtime.settings.memory.consolidation_model),
        }

    async def consolidate(
        self,
        session_id: str | None = None,
        force: bool = False,
        *,
        usage: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``Memory.consolidate`` (needs an LLM provider; see :mod:`.consolidation`); the
        model's tokens are added to ``usage`` (a run's) when given."""
        from llmspell.memory.consolidation import consolidate
        from llmspell.rag.index import check_name

        if session_id is not None:
            check_name("Memory.consolidate: session_id", session_id)
        return await consolidate(self, session_id, force, usage=usage)

    # -- context -----------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` by the ``[rag]`` embedder's count."""
        return self.index.embedder().count_tokens(text)

    @serial
    def assemble(
        self,
        query: str,
        strategy: str = "hybrid",
        max_tokens: int = DEFAULT_MAX_TOKENS,
        session_id: str | None = None,
    ) -> dict[str, Any]:
        """``Context.assemble`` (see :mod:`llmspell.memory.context`)."""
        return assemble(self, query, strategy, max_tokens, session_id)

    @serial
    def strategy_stats(self) -> dict[str, Any]:
        """``Context.strategy_stats``: ``{episodic_count, semantic_count, strategies}``."""
        return {
            "episodic_count": self.episodic_count(),
            "semantic_count": self.semantic.count(),
            "strategies": list(STRATEGIES),
        }

    def close(self) -> None:
        """Nothing of its own to release (the index closes the backends)."""


def memory_service(runtime: Runtime) -> MemoryService:
    """The runtime's :class:`MemoryService` (one per runtime, created on first use)."""
    services: dict[str, Any] = runtime.services
    found = services.get("memory")
    if found is None:
        index = shared_index(runtime)
        found = services["memory"] = MemoryService(runtime, index)
    service: MemoryService = found
    return service
