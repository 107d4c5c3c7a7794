"""semantic-search: search a RAG scope by meaning (what ``RAG.search`` does, as a tool an
agent can call). The embedder and the vector store are the runtime's (``[rag]``); they
open on the first call, not when the tool is registered."""

from __future__ import annotations

from typing import Any

from llmspell.tools import Tool, ToolOutput
from llmspell_tools._support import output

#: the longest excerpt of a result the text form shows (characters)
EXCERPT = 200
_OPTIONS = ("scope", "scope_id", "tenant_id", "top_k", "threshold", "filters")


def run(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Search the scope; the results are RAG.search's (id, content, text, score,
    metadata), best first."""
    from llmspell.rag import rag_service

    opts = {key: params[key] for key in _OPTIONS if params.get(key) is not None}
    found = rag_service(ctx.runtime).search(params["query"], opts)
    results = list(found.get("results") or [])
    lines = []
    for hit in results:
        content = " ".join(str(hit.get("content") or "").split())
        if len(content) > EXCERPT:
            content = content[: EXCERPT - 1] + "…"
        lines.append(f"{float(hit.get('score') or 0):.3f}  {content}")
    return output(
        {
            "query": params["query"],
            "scope": params.get("scope") or "global",
            "results": results,
            "total": found.get("total", len(results)),
        },
        text="\n".join(lines) if lines else "no results",
    )


TOOL = Tool(
    name="semantic-search",
    description="Search documents ingested with RAG (RAG.ingest, RAG.ingest_file, llmspell "
    "rag ingest) by meaning: the chunks of a scope most similar to the query, best first, "
    "with their score and metadata.",
    category="search",
    handler=run,
    timeout_seconds=120,
    tags=("rag", "semantic", "search", "embeddings", "vector", "knowledge"),
    settings={},
    parameters={
        "type": "object",
        "properties": {
            "query": {"type": "string", "minLength": 1, "description": "what to look for"},
            "scope": {"type": "string", "minLength": 1, "default": "global",
                      "description": "the RAG scope the documents were ingested into"},
            "scope_id": {"type": "string", "description": "the id within the scope"},
            "tenant_id": {"type": "string", "minLength": 1, "default": "default"},
            "top_k": {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 5,
                      "description": "the most results ([rag] max_top_k caps it)"},
            "threshold": {"type": "number", "minimum": -1, "maximum": 1,
                          "description": "the lowest similarity returned (cosine)"},
            "filters": {"type": "object",
                        "description": "metadata that must match: {key = value} or "
                        "{key = {v1, v2}} for one of several values"},
        },
        "required": ["query"],
        "additionalProperties": False,
    },
)  # fmt: skip
