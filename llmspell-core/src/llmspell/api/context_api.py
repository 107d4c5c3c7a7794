"""``Context``: the most relevant memory and documents for a query, within a token
budget (script-api.md#context)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.errors import ValidationError
from llmspell.ops import GlobalSpec, Param

if TYPE_CHECKING:
    from llmspell.memory.service import MemoryService
    from llmspell.runtime import CallContext

#: (llmspell.memory.context, kept here so start-up does not import it)
DEFAULT_MAX_TOKENS = 8192

CONTEXT = GlobalSpec("Context", doc="Context assembly from memory and documents.")


def _service(ctx: CallContext) -> MemoryService:
    from llmspell.memory import memory_service

    return memory_service(ctx.runtime)


@CONTEXT.function(
    "assemble",
    Param("query", "string"),
    Param("strategy", optional=True),
    Param("max_tokens", "integer", optional=True),
    Param("session_id", "string", optional=True),
    mode="async",
)
async def assemble(
    ctx: CallContext, query: str, strategy: Any, max_tokens: int | None, session_id: str | None
) -> dict[str, Any]:
    """``{chunks = {{chunk = {role, content, source, timestamp, metadata}, score,
    ranker}}, total_confidence, temporal_span, token_count, formatted, strategy}``;
    ``strategy`` may also be a table ``{strategy, max_tokens, session_id}``."""
    if isinstance(strategy, dict):
        unknown = set(strategy) - {"strategy", "max_tokens", "session_id"}
        if unknown:
            raise ValidationError(
                f"Context.assemble: unknown option(s) {', '.join(sorted(unknown))} "
                "(known: strategy, max_tokens, session_id)"
            )
        max_tokens = strategy.get("max_tokens", max_tokens)
        session_id = strategy.get("session_id", session_id)
        strategy = strategy.get("strategy")
    mem = _service(ctx)
    return await mem.index.run(
        mem.assemble,
        query,
        strategy or "hybrid",
        DEFAULT_MAX_TOKENS if max_tokens is None else max_tokens,
        session_id,
    )


@CONTEXT.function(
    "test", Param("query", "string"), Param("session_id", "string", optional=True), mode="async"
)
async def test(ctx: CallContext, query: str, session_id: str | None) -> list[dict[str, Any]]:
    """Each strategy tried on ``query``: ``{{strategy, chunks, token_count,
    total_confidence}}`` (chunks: how many were found)."""
    from llmspell.memory.context import STRATEGIES

    mem = _service(ctx)

    def every() -> list[dict[str, Any]]:
        out = []
        for name in STRATEGIES:
            got = mem.assemble(query, name, DEFAULT_MAX_TOKENS, session_id)
            out.append(
                {
                    "strategy": name,
                    "chunks": len(got["chunks"]),
                    "token_count": got["token_count"],
                    "total_confidence": got["total_confidence"],
                }
            )
        return out

    return await mem.index.run(every)


@CONTEXT.function("strategy_stats", mode="async")
async def strategy_stats(ctx: CallContext) -> dict[str, Any]:
    """``{episodic_count, semantic_count, strategies}``."""
    mem = _service(ctx)
    return await mem.index.run(mem.strategy_stats)
