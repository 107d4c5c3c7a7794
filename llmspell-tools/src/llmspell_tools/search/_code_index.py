"""code-search's semantic index: a source tree's symbols in the RAG scope ``code:<root>``.

Each file's symbols (its declaration and up to :data:`MAX_SYMBOL_LINES` lines of source)
are one ingest into the scope id ``<relative path>|<size>|<mtime_ns>``, so the store
itself says which version of each file it holds: one listing of the scope's ids tells
which files are new, changed (their old id is deleted, the new one ingested) or gone
(deleted). A file without symbols is indexed as its text. The embedder and the store are
the runtime's RAG ones; calls run on RAG's worker thread, one at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from llmspell.tools import current_call
from llmspell_tools._support import check
from llmspell_tools.search._code_files import SourceFile, Tree, read_source
from llmspell_tools.search._code_symbols import language_of, parse_symbols

__all__ = ["index_and_search", "scope_of"]

T = TypeVar("T")
#: source lines of one symbol that are embedded (its start; the rest is left out)
MAX_SYMBOL_LINES = 60
#: characters of one symbol's document
MAX_SYMBOL_CHARS = 4_000
#: characters of a file without symbols that are embedded
MAX_PLAIN_CHARS = 20_000
#: the longest scope or scope id RAG accepts
MAX_NAME = 256


def scope_of(root: str) -> str:
    """The RAG scope of a tree: ``code:<absolute root>`` (hashed when too long)."""
    scope = f"code:{root}"
    if len(scope) > MAX_NAME:
        scope = f"code:{hashlib.sha256(root.encode()).hexdigest()}"
    return scope


def _version(item: SourceFile) -> str:
    return f"{item.rel}|{item.size}|{item.mtime_ns}"


def _on_index(svc: Any, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args)`` on RAG's worker thread (the store is used by one thread at a time)."""
    index = getattr(svc, "index", None)
    executor = getattr(index, "executor", None)
    if executor is None:
        return fn(*args, **kwargs)
    result: T = executor.submit(fn, *args, **kwargs).result()
    return result


def _documents(item: SourceFile, data: bytes) -> list[dict[str, Any]]:
    language = language_of(item.rel) or ""
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines()
    docs: list[dict[str, Any]] = []
    symbols = parse_symbols(data, language)
    for n, sym in enumerate(symbols):
        end = min(sym.end_line, sym.line + MAX_SYMBOL_LINES - 1)
        if n + 1 < len(symbols) and sym.line < symbols[n + 1].line <= end:
            end = symbols[n + 1].line - 1  # a class up to its first method (which has its own)
        body = "\n".join(lines[sym.line - 1 : end])
        content = f"{sym.kind} {sym.name} in {item.rel}\n{body}"[:MAX_SYMBOL_CHARS]
        meta = {"file": item.rel, "line": sym.line, "end_line": sym.end_line, "kind": sym.kind,
                "name": sym.name, "signature": sym.signature, "language": language}  # fmt: skip
        if sym.parent:
            meta["parent"] = sym.parent
        docs.append({"id": f"{n}:{sym.name}"[:MAX_NAME], "content": content, "metadata": meta})
    if not docs and text.strip():
        meta = {"file": item.rel, "line": 1, "end_line": len(lines), "kind": "file",
                "name": item.rel, "signature": "", "language": language}  # fmt: skip
        docs.append({"id": "file", "content": text[:MAX_PLAIN_CHARS], "metadata": meta})
    return docs


def _sync(svc: Any, tree: Tree, scope: str, tenant: str, reindex: bool) -> dict[str, int]:
    """Bring the scope up to date with the tree; counts of files indexed, kept, removed."""
    stats = _on_index(svc, svc.stats, scope, None, tenant)
    stored = {row["scope_id"] for row in stats.get("scopes", []) if row.get("scope") == scope}
    wanted = {_version(item): item for item in tree.files}
    counts = {"files_indexed": 0, "files_unchanged": 0, "files_removed": 0, "vectors_created": 0}
    if reindex:
        for scope_id in stored:
            _on_index(svc, svc.cleanup_scope, scope, scope_id, tenant)
        stored = set()
    call = current_call()  # RAG's worker thread does not see the call: hand its check over
    guard = call.check if call is not None else None
    live = {item.rel for item in tree.files}
    for scope_id in sorted(stored - set(wanted)):
        check()
        _on_index(svc, svc.cleanup_scope, scope, scope_id, tenant)
        if scope_id.rsplit("|", 2)[0] not in live:
            counts["files_removed"] += 1
    for version, item in wanted.items():
        check()
        if version in stored:
            counts["files_unchanged"] += 1
            continue
        if len(version) > MAX_NAME:
            tree.skip(item.rel, "path too long to index")
            continue
        data = read_source(tree, item)
        docs = _documents(item, data) if data is not None else []
        if not docs:
            continue
        opts = {"scope": scope, "scope_id": version, "tenant_id": tenant}
        got = _on_index(svc, svc.ingest, docs, opts, check=guard)
        counts["files_indexed"] += 1
        counts["vectors_created"] += int(got.get("vectors_created") or 0)
    return counts


def _result(hit: dict[str, Any]) -> dict[str, Any]:
    meta = hit.get("metadata") or {}
    out = {key: meta.get(key) for key in ("file", "line", "end_line", "kind", "name",
                                          "signature", "language")}  # fmt: skip
    if meta.get("parent"):
        out["parent"] = meta["parent"]
    out["score"] = hit.get("score")
    out["content"] = hit.get("content")
    return out


def index_and_search(
    ctx: Any,
    tree: Tree,
    query: str,
    *,
    top_k: int,
    threshold: Any,
    tenant: str,
    reindex: bool,
) -> dict[str, Any]:
    """Index the changed files of ``tree`` into its scope, then search it."""
    from llmspell.rag import rag_service

    svc = rag_service(ctx.runtime)
    scope = scope_of(str(tree.root))
    counts = _sync(svc, tree, scope, tenant, reindex)
    opts: dict[str, Any] = {"scope": scope, "tenant_id": tenant, "top_k": top_k}
    if threshold is not None:
        opts["threshold"] = threshold
    found = _on_index(svc, svc.search, query, opts)
    results = [_result(hit) for hit in found.get("results") or []]
    return {
        "root": str(tree.root),
        "scope": scope,
        "query": query,
        "results": results,
        "total": len(results),
        **counts,
        "files_scanned": len(tree.files),
        "truncated": tree.truncated,
        "skipped": tree.skipped,
    }
