"""The RAG service behind the ``RAG`` global, ``llmspell rag`` and the search tool.

Documents are chunked (:mod:`llmspell.rag.chunking`), embedded, then written: every
chunk of one ingest call is embedded *before* anything is written, so an embedder that
fails leaves the store as it was; a re-ingested document id replaces its old chunks
(atomically when the store offers ``replace_documents``, else delete then add).
Methods block (embedding, store I/O): callers run them off the event loop
(:meth:`VectorIndex.run`).
"""

from __future__ import annotations

import hashlib
import os
import time
from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llmspell.embedders import split_spec
from llmspell.errors import ValidationError
from llmspell.rag.chunking import chunk_text
from llmspell.rag.extract import extract_text
from llmspell.rag.index import VectorIndex, check_name, serial, shared_index
from llmspell.rag.options import (
    RESERVED_PREFIX,
    Chunking,
    check_metadata,
    check_query,
    namespace_of,
)
from llmspell.vectorstore.base import Namespace, SearchHit, VectorRecord

if TYPE_CHECKING:
    from llmspell.runtime import Runtime

__all__ = ["DEFAULT_TOP_K", "RagService", "rag_service"]

DEFAULT_TOP_K = 10
Check = Callable[[], None]
Progress = Callable[[int, int, str], Any]

#: chunk metadata keys RAG sets (a document's own keys of these names are replaced)
CHUNK_KEYS = ("doc_id", "chunk_index", "heading")


def record_id(namespace: Namespace, doc_id: str, index: int) -> str:
    """A chunk's id in the store: unique across namespaces (the spell sees ``doc#n``)."""
    raw = f"{namespace.tenant}\x1f{namespace.scope}\x1f{namespace.scope_id}\x1f{doc_id}"
    return f"{hashlib.sha256(raw.encode()).hexdigest()[:20]}#{index}"


def _result(hit: SearchHit) -> dict[str, Any]:
    index = hit.metadata.get("chunk_index", 0)
    return {
        "id": f"{hit.doc_id}#{index}",
        "content": hit.content,
        "text": hit.content,
        "score": round(float(hit.score), 6),
        "metadata": dict(hit.metadata),
    }


class RagService:
    """Ingest, search, stats and cleanup over the runtime's :class:`VectorIndex`."""

    def __init__(self, runtime: Runtime, index: VectorIndex) -> None:
        self.runtime = runtime
        self.index = index

    @property
    def settings(self) -> Any:
        """``[rag]``."""
        return self.runtime.settings.rag

    # -- ingest ------------------------------------------------------------------------

    def _docs(self, docs: list[Any]) -> list[tuple[str, str, dict[str, Any]]]:
        """``(id, text, metadata)`` of each document, checked (count, size, fields)."""
        limit = self.settings.max_documents
        if len(docs) > limit:
            raise ValidationError(
                f"RAG.ingest: {len(docs)} documents in one call; the limit is {limit}",
                hint="ingest in smaller batches, or raise [rag] max_documents",
            )
        out: list[tuple[str, str, dict[str, Any]]] = []
        seen: set[str] = set()
        for n, doc in enumerate(docs, start=1):
            if isinstance(doc, str):
                doc = {"content": doc}
            if not isinstance(doc, dict):
                raise ValidationError(
                    f"RAG.ingest: document {n} must be a table {{content=, id?, metadata?}}"
                )
            unknown = set(doc) - {"content", "text", "id", "metadata"}
            if unknown:
                raise ValidationError(
                    f"RAG.ingest: document {n} has unknown field(s) {', '.join(sorted(unknown))} "
                    "(known: content, text, id, metadata)"
                )
            text = doc.get("content", doc.get("text"))
            if not isinstance(text, str):
                raise ValidationError(f"RAG.ingest: document {n} needs content (a string)")
            size = len(text.encode("utf-8", "surrogatepass"))
            raw_id = doc.get("id")
            name = f"document {raw_id!r}" if isinstance(raw_id, str) else f"document {n}"
            if size > self.settings.max_document_bytes:
                raise ValidationError(
                    f"RAG.ingest: {name} is {size} bytes; the limit is "
                    f"{self.settings.max_document_bytes} bytes",
                    hint="split it, or raise [rag] max_document_bytes",
                )
            if raw_id is None:
                doc_id = (
                    "doc-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
                )
            else:
                doc_id = check_name(f"RAG.ingest: {name} id", raw_id)
            if doc_id in seen:
                raise ValidationError(f"RAG.ingest: document id {doc_id!r} appears twice")
            seen.add(doc_id)
            meta = check_metadata(f"RAG.ingest: {name}", doc.get("metadata"), flat=True)
            out.append((doc_id, text, meta))
        return out

    @serial
    def ingest(
        self, docs: list[Any], opts: dict[str, Any] | None = None, *, check: Check | None = None
    ) -> dict[str, Any]:
        """``RAG.ingest``: ``{success, documents_processed, vectors_created, total_tokens,
        documents_skipped}``. Blank documents are skipped (and counted); if every one is
        blank, a ValidationError. ``check`` is called between embedding batches (the
        run's limits)."""
        opts = dict(opts or {})
        what = "RAG.ingest"
        namespace = namespace_of(what, opts)
        chunking = Chunking.of(what, opts.get("chunking"), self.settings)
        provider = opts.get("provider")
        if provider is not None and (not isinstance(provider, str) or not provider.strip()):
            raise ValidationError(f"{what}: provider must be an embedder name like 'local'")
        checked = self._docs(docs)
        if not checked:
            raise ValidationError(f"{what}: no documents given")
        if all(not text.strip() for _, text, _ in checked):
            raise ValidationError(
                f"{what}: every document is empty", hint="give documents with some text"
            )
        embedder, store = self.index.bound(provider)
        records: list[VectorRecord] = []
        total_tokens = processed = skipped = 0
        now = time.time()
        for doc_id, text, meta in checked:
            chunks = chunk_text(
                text,
                strategy=chunking.strategy,
                chunk_size=chunking.chunk_size,
                overlap=chunking.overlap,
                count_tokens=embedder.count_tokens,
            )
            if not chunks:
                skipped += 1
                continue
            processed += 1
            for i, chunk in enumerate(chunks):
                total_tokens += chunk.tokens
                cmeta = {k: v for k, v in meta.items() if k not in CHUNK_KEYS}
                cmeta.update(doc_id=doc_id, chunk_index=i)
                if chunk.heading is not None:
                    cmeta["heading"] = chunk.heading
                rid = record_id(namespace, doc_id, i)
                records.append(VectorRecord(rid, namespace, chunk.text, [], cmeta, doc_id, now))
        batch = max(1, embedder.max_batch)
        for start in range(0, len(records), batch):
            if check is not None:
                check()
            part = records[start : start + batch]
            vectors = embedder.embed([r.content for r in part])
            if len(vectors) != len(part):
                raise ValidationError(
                    f"the embedder {embedder.describe()} returned {len(vectors)} vectors "
                    f"for {len(part)} texts"
                )
            for rec, vec in zip(part, vectors, strict=True):
                # 4 bytes a number instead of a Python float's 24: a large ingest holds
                # every vector until it is written
                rec.vector = array("f", vec)
        if check is not None:
            check()
        doc_ids = [doc_id for doc_id, text, _ in checked if text.strip()]
        replace = getattr(store, "replace_documents", None)
        if callable(replace):
            replace(namespace, doc_ids, records)
        else:
            for doc_id in doc_ids:
                store.delete(namespace, doc_id=doc_id)
            store.add(records)
        return {
            "success": True,
            "documents_processed": processed,
            "vectors_created": len(records),
            "total_tokens": total_tokens,
            "documents_skipped": skipped,
        }

    @serial
    def ingest_files(
        self,
        paths: list[str],
        opts: dict[str, Any] | None = None,
        *,
        policy: Any,
        progress: Progress | None = None,
        check: Check | None = None,
    ) -> dict[str, Any]:
        """``RAG.ingest_file``: each file (policy-checked, size-capped, text extracted)
        ingested as a document whose id is its path (Markdown chunked by headings unless
        ``chunking.strategy`` says otherwise); ``progress(done, total, path)`` after each.
        Every file is read and checked before any is embedded; then they are written one
        by one (a failure while embedding keeps the files written before)."""
        if not paths:
            raise ValidationError("RAG.ingest_file: no paths given")
        limit = self.settings.max_documents
        if len(paths) > limit:
            raise ValidationError(
                f"RAG.ingest_file: {len(paths)} files in one call; the limit is {limit}",
                hint="ingest in smaller batches, or raise [rag] max_documents",
            )
        for p in paths:
            if not isinstance(p, str) or not p:
                raise ValidationError("RAG.ingest_file: each path must be a non-empty string")
        totals = {
            "success": True,
            "documents_processed": 0,
            "vectors_created": 0,
            "total_tokens": 0,
            "documents_skipped": 0,
        }
        texts = []
        for path in paths:  # every file is checked before anything is embedded
            text, meta = extract_text(policy, path, max_bytes=self.settings.max_document_bytes)
            texts.append((os.path.normpath(path), text, meta))
        for done, (doc_id, text, meta) in enumerate(texts, start=1):
            if text.strip():
                doc = {"id": doc_id, "content": text, "metadata": meta}
                got = self.ingest([doc], _file_opts(opts, meta["file_type"]), check=check)
                for key in ("documents_processed", "vectors_created", "total_tokens"):
                    totals[key] += got[key]
            else:
                totals["documents_skipped"] += 1
            if progress is not None:
                progress(done, len(texts), doc_id)
        return totals

    # -- search ------------------------------------------------------------------------

    @serial
    def search(self, query: str, opts: dict[str, Any] | None = None) -> dict[str, Any]:
        """``RAG.search``: ``{success = true, total, results = {{id, content, text, score,
        metadata}}}``; nothing ingested yet is an empty result, not an error."""
        what = "RAG.search"
        opts = dict(opts or {})
        query = check_query(what, query)
        namespace = namespace_of(what, opts, any_id=True)
        k = opts.get("top_k", opts.get("k", DEFAULT_TOP_K))
        if isinstance(k, bool) or not isinstance(k, int | float) or k != k or k < 1:
            raise ValidationError(f"{what}: top_k must be a positive integer (got {k!r})")
        k = int(min(k, self.settings.max_top_k))
        threshold = opts.get("threshold")
        if threshold is not None and (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not -1.0 <= threshold <= 1.0
        ):
            raise ValidationError(f"{what}: threshold must be a number from -1 to 1")
        filters = opts.get("metadata_filter", opts.get("filters"))
        filters = check_metadata(what, filters, flat=True) or None
        provider = opts.get("provider")
        if provider is not None and (not isinstance(provider, str) or not provider.strip()):
            raise ValidationError(f"{what}: provider must be an embedder name like 'local'")
        store = self.index.store()
        if store.info().get("model") is None or store.count(namespace) == 0:
            return {"success": True, "total": 0, "results": []}
        embedder, store = self.index.bound(provider)
        vector = embedder.embed([query])[0]
        hits = store.search(
            namespace,
            vector,
            k,
            filters=filters,
            threshold=float(threshold) if threshold is not None else None,
        )
        results = [_result(h) for h in hits]
        return {"success": True, "total": len(results), "results": results}

    # -- stats and cleanup -------------------------------------------------------------

    @serial
    def stats(
        self, scope: str | None = None, scope_id: str | None = None, tenant_id: str | None = None
    ) -> dict[str, Any]:
        """``{total_vectors, total_documents, scopes = {{tenant_id, scope, scope_id,
        vectors, documents}}, embedder, model, dimensions, store}`` of RAG's scopes
        (Memory's are left out), of ``scope`` / ``scope_id`` / ``tenant_id`` if given."""
        if scope is not None:
            check_name("RAG.get_stats: scope", scope)
        if scope_id is not None:
            check_name("RAG.get_stats: scope_id", scope_id, allow_empty=True)
        store = self.index.store()
        rows = []
        for ns, vectors, documents in store.namespaces(tenant_id):
            if ns.scope.startswith(RESERVED_PREFIX):
                continue
            if scope is not None and ns.scope != scope:
                continue
            if scope_id is not None and ns.scope_id != scope_id:
                continue
            rows.append(
                {
                    "tenant_id": ns.tenant,
                    "scope": ns.scope,
                    "scope_id": ns.scope_id or "",
                    "vectors": vectors,
                    "documents": documents,
                }
            )
        info = store.info()
        return {
            "total_vectors": sum(r["vectors"] for r in rows),
            "total_documents": sum(r["documents"] for r in rows),
            "scopes": rows,
            "embedder": self.index.default_spec,
            "model": info.get("model"),
            "dimensions": info.get("dimensions"),
            "store": store.name,
            "location": info.get("location"),
        }

    @serial
    def cleanup_scope(
        self, scope: str, scope_id: str | None = None, tenant_id: str | None = None
    ) -> int:
        """Delete ``scope``'s chunks (of one ``scope_id`` if given, else of every id);
        returns how many were deleted."""
        opts = {"scope": scope, "scope_id": scope_id, "tenant_id": tenant_id}
        namespace = namespace_of("RAG.cleanup_scope", opts, any_id=True)
        store = self.index.store()
        gone = 0
        for ns, _, _ in store.namespaces(namespace.tenant):
            if ns.scope == namespace.scope and (
                namespace.scope_id is None or ns.scope_id == namespace.scope_id
            ):
                gone += store.delete(ns)
        return gone

    def list_providers(self) -> list[dict[str, Any]]:
        """The registered embedders: ``{{name, description, default}}``."""
        default = split_spec(self.index.default_spec)[0]
        return [
            {"name": info.name, "description": info.description, "default": info.name == default}
            for info in self.runtime.embedders.infos()
        ]

    def close(self) -> None:
        """Nothing of its own to release (the index closes the backends)."""


def _file_opts(opts: dict[str, Any] | None, file_type: str) -> dict[str, Any]:
    """A Markdown file is chunked by headings unless the spell chose a strategy."""
    out = dict(opts or {})
    chunking = out.get("chunking")
    if file_type == "markdown" and (
        chunking is None or chunking == [] or isinstance(chunking, dict)
    ):
        chunking = dict(chunking or {})
        chunking.setdefault("strategy", "markdown")
        out["chunking"] = chunking
    return out


def rag_service(runtime: Runtime) -> RagService:
    """The runtime's :class:`RagService` (one per runtime, created on first use; the
    embedder and the store open when first needed)."""
    services: dict[str, Any] = runtime.services
    found = services.get("rag")
    if found is None:
        index = shared_index(runtime)
        found = services["rag"] = RagService(runtime, index)
    service: RagService = found
    return service
