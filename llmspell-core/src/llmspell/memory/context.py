"""Context assembly: the most relevant memory and documents for a query, within a budget.

Strategies: ``"episodic"`` (entries of a session, or of every session), ``"semantic"``
(facts), ``"hybrid"`` (both, ranked together by similarity) and ``"rag"`` (chunks of the
RAG scope ``global``, every scope id). Candidates are taken best first while they fit;
``formatted`` (one ``[source] role: content`` line each) is what an agent is given, and
its token count (the embedder's count) never exceeds ``max_tokens``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.errors import ValidationError
from llmspell.memory.episodic import EPISODIC
from llmspell.rag.index import check_name
from llmspell.rag.options import check_query
from llmspell.vectorstore.base import Namespace, SearchHit

if TYPE_CHECKING:
    from llmspell.memory.service import MemoryService

__all__ = ["DEFAULT_MAX_TOKENS", "MAX_TOKENS", "STRATEGIES", "assemble"]

STRATEGIES = ("episodic", "semantic", "hybrid", "rag")
DEFAULT_MAX_TOKENS = 8192
MAX_TOKENS = 1_000_000
#: candidates taken from each source before packing
CANDIDATES = 50


def _chunk(hit: SearchHit, ranker: str) -> dict[str, Any]:
    meta = dict(hit.metadata)
    if hit.namespace.scope == EPISODIC:
        role = str(meta.get("role", ""))
        source = f"episodic:{hit.namespace.scope_id}"
        meta.pop("meta", None)
    elif ranker == "semantic" or hit.namespace.scope.startswith("memory:"):
        role, source = "fact", "semantic"
    else:
        role, source = "document", f"rag:{hit.doc_id}"
    return {
        "chunk": {
            "role": role,
            "content": hit.content,
            "source": source,
            "timestamp": hit.created_at,
            "metadata": meta,
        },
        "score": round(float(hit.score), 6),
        "ranker": ranker,
    }


def _line(item: dict[str, Any]) -> str:
    chunk = item["chunk"]
    return f"[{chunk['source']}] {chunk['role']}: {' '.join(chunk['content'].split())}"


def check_strategy(strategy: Any) -> str:
    """One of :data:`STRATEGIES`."""
    if strategy not in STRATEGIES:
        raise ValidationError(
            f"Context.assemble: strategy {strategy!r} is not one of {', '.join(STRATEGIES)}"
        )
    return str(strategy)


def check_budget(max_tokens: Any) -> int:
    """A token budget from 1 to :data:`MAX_TOKENS`."""
    ok = isinstance(max_tokens, int | float) and not isinstance(max_tokens, bool)
    if not ok or max_tokens != max_tokens or not 1 <= max_tokens <= MAX_TOKENS:
        raise ValidationError(
            f"Context.assemble: max_tokens must be an integer from 1 to {MAX_TOKENS} "
            f"(got {max_tokens!r})"
        )
    return int(max_tokens)


def assemble(
    mem: MemoryService,
    query: str,
    strategy: str = "hybrid",
    max_tokens: int = DEFAULT_MAX_TOKENS,
    session_id: str | None = None,
) -> dict[str, Any]:
    """``Context.assemble``: ``{chunks = {{chunk = {role, content, source, timestamp,
    metadata}, score, ranker}}, total_confidence, temporal_span, token_count,
    formatted, strategy}``. Blocks (embedding, store): run it on the index's thread."""
    check_query("Context.assemble", query)
    strategy = check_strategy(strategy)
    budget = check_budget(max_tokens)
    if session_id is not None:
        check_name("Context.assemble: session_id", session_id)
    store = mem.index.store()
    items: list[dict[str, Any]] = []
    if store.info().get("model") is not None:
        embedder, store = mem.index.bound()
        vector = embedder.embed([query])[0]
        if strategy in ("episodic", "hybrid"):
            hits = mem.episodic.similar(vector, session_id, CANDIDATES)
            items += [_chunk(h, "episodic") for h in hits]
        if strategy in ("semantic", "hybrid"):
            items += [_chunk(h, "semantic") for h in mem.semantic.query(vector, CANDIDATES)]
        if strategy == "rag":
            ns = Namespace(mem.tenant, "global", None)
            items += [_chunk(h, "rag") for h in store.search(ns, vector, CANDIDATES)]
    items.sort(key=lambda item: -item["score"])
    return pack(items, budget, mem.count_tokens, strategy)


def pack(items: list[dict[str, Any]], budget: int, count: Any, strategy: str) -> dict[str, Any]:
    """Take ``items`` (best first) while the formatted text stays within ``budget``."""
    chosen: list[dict[str, Any]] = []
    lines: list[str] = []
    used = 0
    for item in items:
        line = _line(item)
        cost = count(line) + (1 if lines else 0)  # the newline between lines
        if used + cost > budget:
            continue
        chosen.append(item)
        lines.append(line)
        used += cost
    formatted = "\n".join(lines)
    tokens = count(formatted) if lines else 0
    while lines and tokens > budget:  # a tokenizer that counts the whole differently
        chosen.pop()
        lines.pop()
        formatted = "\n".join(lines)
        tokens = count(formatted) if lines else 0
    times = [c["chunk"]["timestamp"] for c in chosen if c["chunk"]["timestamp"]]
    return {
        "chunks": chosen,
        "total_confidence": round(sum(c["score"] for c in chosen) / len(chosen), 6)
        if chosen
        else 0.0,
        "temporal_span": {"start": min(times), "end": max(times)} if times else None,
        "token_count": tokens,
        "formatted": formatted,
        "strategy": strategy,
    }
