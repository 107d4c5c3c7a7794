"""``Memory``: episodic entries, semantic facts, consolidation (script-api.md#memory).

``Memory.episodic`` and ``Memory.semantic`` are sub-tables (dotted op names, which the
engines bind as nested tables/objects). Calls run on the RAG worker thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.ops import GlobalSpec, Param

if TYPE_CHECKING:
    from llmspell.memory.service import MemoryService
    from llmspell.runtime import CallContext

MEMORY = GlobalSpec("Memory", doc="Episodic and semantic memory.")


def _service(ctx: CallContext) -> MemoryService:
    from llmspell.memory import memory_service

    return memory_service(ctx.runtime)


@MEMORY.function(
    "episodic.add",
    Param("session_id", "string"),
    Param("role", "string"),
    Param("content", "string"),
    Param("metadata", "object", optional=True),
    mode="async",
)
async def episodic_add(
    ctx: CallContext, session_id: str, role: str, content: str, metadata: Any
) -> str:
    """Store an entry in a session's episodic memory; returns its id."""
    mem = _service(ctx)
    return await mem.index.run(mem.add, session_id, role, content, metadata)


@MEMORY.function(
    "episodic.search",
    Param("session_id", "string"),
    Param("query", "string"),
    Param("limit", "integer", optional=True, default=10),
    mode="async",
)
async def episodic_search(
    ctx: CallContext, session_id: str, query: str, limit: int
) -> list[dict[str, Any]]:
    """``{{id, session_id, role, content, metadata, created_at, score}}``, best first."""
    mem = _service(ctx)
    return await mem.index.run(mem.search, session_id, query, limit)


@MEMORY.function(
    "semantic.query",
    Param("query", "string"),
    Param("limit", "integer", optional=True, default=10),
    mode="async",
)
async def semantic_query(ctx: CallContext, query: str, limit: int) -> list[dict[str, Any]]:
    """``{{id, content, entity, score, metadata, created_at}}``, best first."""
    mem = _service(ctx)
    return await mem.index.run(mem.semantic_query, query, limit)


@MEMORY.function(
    "consolidate",
    Param("session_id", "string", optional=True),
    Param("force", "boolean", optional=True, default=False),
    mode="async",
)
async def consolidate(ctx: CallContext, session_id: str | None, force: bool) -> dict[str, Any]:
    """Extract facts from unprocessed entries with the consolidation LLM (its tokens
    count in the run's usage)."""
    return await _service(ctx).consolidate(session_id, force, usage=ctx.usage)


@MEMORY.function("stats", mode="async")
async def stats(ctx: CallContext) -> dict[str, Any]:
    """``{episodic_count, semantic_count, sessions_with_unprocessed, has_episodic,
    has_semantic, has_consolidation}``."""
    mem = _service(ctx)
    return await mem.index.run(mem.stats)
