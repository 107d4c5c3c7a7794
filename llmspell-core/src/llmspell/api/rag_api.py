"""``RAG``: ingest documents and files, search them (script-api.md#rag).

Every call runs on the RAG worker thread (never the event loop, never the State worker);
a long ingest checks the run's limits between embedding batches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.errors import ValidationError
from llmspell.ops import GlobalSpec, Param

if TYPE_CHECKING:
    from llmspell.rag.service import RagService
    from llmspell.runtime import CallContext

RAG = GlobalSpec("RAG", doc="Documents chunked, embedded and searched by meaning.")

#: what RAG.configure may set for the rest of the run
CONFIG_KEYS = ("scope", "scope_id", "tenant_id", "provider", "chunking", "top_k", "k", "threshold")
_DEFAULTS = "rag.defaults"


def _service(ctx: CallContext) -> RagService:
    from llmspell.rag import rag_service

    return rag_service(ctx.runtime)


def _opts(ctx: CallContext, what: str, opts: Any) -> dict[str, Any]:
    """``opts`` over the run's defaults (RAG.configure)."""
    if opts is None or opts == []:
        opts = {}
    if not isinstance(opts, dict):
        raise ValidationError(f"{what}: options must be a table/object")
    defaults: dict[str, Any] = ctx.data.get(_DEFAULTS, {})
    return {**defaults, **opts}


def _docs(what: str, value: Any) -> list[Any]:
    if isinstance(value, dict) and value and ("content" in value or "text" in value):
        return [value]
    if isinstance(value, str):
        return [{"content": value}]
    if isinstance(value, list):
        return value
    if value == {}:
        return []
    raise ValidationError(
        f"{what}: argument 1 must be a document {{content=, id?, metadata?}} or a list of them"
    )


_OPTS = Param("options", "object", optional=True)


@RAG.function("ingest", Param("documents"), _OPTS, mode="async")
async def ingest(ctx: CallContext, documents: Any, options: Any) -> dict[str, Any]:
    """Chunk, embed and store documents; ``{success, documents_processed,
    vectors_created, total_tokens, documents_skipped}``."""
    svc = _service(ctx)
    docs = _docs("RAG.ingest", documents)
    opts = _opts(ctx, "RAG.ingest", options)
    return await svc.index.run(lambda: svc.ingest(docs, opts, check=ctx.check_deadline))


@RAG.function("ingest_file", Param("paths"), _OPTS, mode="async")
async def ingest_file(ctx: CallContext, paths: Any, options: Any) -> dict[str, Any]:
    """Ingest .txt, .md, .html/.htm and .pdf files inside the allowed paths (each file a
    document whose id is its path)."""
    svc = _service(ctx)
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list):
        raise ValidationError("RAG.ingest_file: argument 1 must be a path or a list of paths")
    opts = _opts(ctx, "RAG.ingest_file", options)
    return await svc.index.run(
        lambda: svc.ingest_files(paths, opts, policy=ctx.policy, check=ctx.check_deadline)
    )


@RAG.function("search", Param("query"), _OPTS, mode="async")
async def search(ctx: CallContext, query: Any, options: Any) -> dict[str, Any]:
    """``{success = true, total, results = {{id, content, text, score, metadata}}}``."""
    svc = _service(ctx)
    opts = _opts(ctx, "RAG.search", options)
    return await svc.index.run(svc.search, query, opts)


def _name(what: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{what} must be a string")
    return value


@RAG.function(
    "get_stats",
    Param("scope", optional=True),
    Param("scope_id", optional=True),
    Param("tenant_id", optional=True),
    mode="async",
)
async def get_stats(ctx: CallContext, scope: Any, scope_id: Any, tenant_id: Any) -> dict[str, Any]:
    """``{total_vectors, total_documents, scopes = {{tenant_id, scope, scope_id, vectors,
    documents}}, embedder, model, dimensions, store, location}``."""
    svc = _service(ctx)
    args = (
        _name("RAG.get_stats: scope", scope),
        _name("RAG.get_stats: scope_id", scope_id),
        _name("RAG.get_stats: tenant_id", tenant_id),
    )
    return await svc.index.run(svc.stats, *args)


@RAG.function(
    "cleanup_scope",
    Param("scope", "string"),
    Param("scope_id", optional=True),
    Param("tenant_id", optional=True),
    mode="async",
)
async def cleanup_scope(ctx: CallContext, scope: str, scope_id: Any, tenant_id: Any) -> int:
    """Delete a scope's chunks (of one scope_id if given); returns how many."""
    svc = _service(ctx)
    sid = _name("RAG.cleanup_scope: scope_id", scope_id)
    tenant = _name("RAG.cleanup_scope: tenant_id", tenant_id)
    return await svc.index.run(svc.cleanup_scope, scope, sid, tenant)


@RAG.function("list_providers")
def list_providers(ctx: CallContext) -> list[dict[str, Any]]:
    """The registered embedders: ``{{name, description, default}}``."""
    return _service(ctx).list_providers()


@RAG.function("configure", Param("options", "object"))
def configure(ctx: CallContext, options: dict[str, Any]) -> bool:
    """Set default options (scope, scope_id, tenant_id, provider, chunking, top_k,
    threshold) for the rest of this run; nothing persists (``[rag]`` does)."""
    unknown = set(options) - set(CONFIG_KEYS)
    if unknown:
        raise ValidationError(
            f"RAG.configure: unknown option(s) {', '.join(sorted(unknown))} "
            f"(known: {', '.join(CONFIG_KEYS)})"
        )
    ctx.data[_DEFAULTS] = {**ctx.data.get(_DEFAULTS, {}), **options}
    return True


@RAG.function("save")
def save(ctx: CallContext) -> bool:
    """True: every ingest is durable when it returns, there is nothing to save."""
    return True
