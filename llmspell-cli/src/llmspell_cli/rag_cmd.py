"""``llmspell rag ingest|search|stats|clear``: the documents spells search with ``RAG``.

The commands use the store and embedder a run would (``[rag]``, ``[storage] url``) and
the run's security policy: files only inside ``[security] allowed_paths``. Exit codes:
0 ok, 1 the operation failed (a file refused, a search error), 2 usage or configuration
error (a path that does not exist, bad options, a store or embedder that cannot open).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from llmspell_cli._support import printable
from llmspell_cli.common import (
    EXIT_INTERRUPTED,
    EXIT_SCRIPT,
    EXIT_USAGE,
    ConfigOpt,
    OutputFormat,
    OutputOpt,
    build_runtime,
    fail,
    wants_json,
)

if TYPE_CHECKING:
    from llmspell.errors import LLMSpellError
    from llmspell.rag import RagService
    from llmspell.runtime import Runtime

app = typer.Typer(
    help="Ingest files into RAG, search them, show, clear or copy what is stored.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

ScopeOpt = Annotated[str, typer.Option("--scope", "-s", help="The RAG scope (RAG.ingest's scope).")]
ScopeIdOpt = Annotated[str, typer.Option("--scope-id", help="The id within the scope.")]
TenantOpt = Annotated[str, typer.Option("--tenant", help="The tenant (RAG's tenant_id).")]
#: error kinds that are the setup's fault, not the operation's
_USAGE_KINDS = {"ConfigurationError", "PluginError", "NotFoundError"}


def _error(err: LLMSpellError) -> NoReturn:
    fail(f"{err.kind}: {err}", EXIT_USAGE if err.kind in _USAGE_KINDS else EXIT_SCRIPT)


@contextmanager
def _service(config: Path | None) -> Iterator[tuple[Runtime, RagService]]:
    """The runtime (closed after) and its RAG service; errors become exit codes."""
    from llmspell.errors import LLMSpellError
    from llmspell.rag import rag_service

    runtime = build_runtime(config)
    try:
        yield runtime, rag_service(runtime)
    except LLMSpellError as err:
        _error(err)
    except KeyboardInterrupt:
        fail("interrupted", EXIT_INTERRUPTED)
    finally:
        runtime.close()


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@app.command("ingest")
def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files and directories (directories: .txt .md .html .pdf inside).",
                       show_default=False),
    ],
    scope: ScopeOpt = "global",
    scope_id: ScopeIdOpt = "",
    tenant: TenantOpt = "default",
    chunk_size: Annotated[
        int | None, typer.Option("--chunk-size", help="Tokens per chunk (default [rag]).")
    ] = None,
    strategy: Annotated[
        str | None, typer.Option("--strategy", help="fixed, sentence or markdown.")
    ] = None,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Ingest files: text, Markdown, HTML and PDF, directories recursively. A file's id
    is its path, so ingesting it again replaces its chunks. A progress bar on a terminal."""
    from llmspell_cli.rag_ingest import IngestProgress, collect_files

    chunking: dict[str, Any] = {}
    if chunk_size is not None:
        chunking["chunk_size"] = chunk_size
    if strategy is not None:
        chunking["strategy"] = strategy
    opts: dict[str, Any] = {"scope": scope, "scope_id": scope_id, "tenant_id": tenant}
    if chunking:
        opts["chunking"] = chunking
    with _service(config) as (runtime, svc):
        files = collect_files(runtime.policy, paths)
        if not files:
            fail(f"no .txt, .md, .html or .pdf files under {', '.join(paths)}", EXIT_USAGE)
        progress = IngestProgress(live=sys.stderr.isatty() and not wants_json(output))
        try:
            result = svc.ingest_files(files, opts, policy=runtime.policy, progress=progress)
        finally:
            progress.close()
    result = {**result, "files": len(files), "scope": scope, "scope_id": scope_id,
              "tenant_id": tenant}  # fmt: skip
    if wants_json(output):
        _print_json(result)
        return
    skipped = result.get("documents_skipped") or 0
    print(
        f"ingested {result['documents_processed']} of {len(files)} file(s) into scope "
        f"{scope!r}: {result['vectors_created']} chunks, {result['total_tokens']} tokens"
        + (f" ({skipped} empty file(s) skipped)" if skipped else "")
    )


@app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="What to look for.", show_default=False)],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, help="How many results.")] = 5,
    scope: ScopeOpt = "global",
    scope_id: Annotated[
        str | None, typer.Option("--scope-id", help="Only this id of the scope (default all).")
    ] = None,
    tenant: TenantOpt = "default",
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=-1.0, max=1.0, help="The lowest similarity shown."),
    ] = None,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Search a scope by meaning: the most similar chunks, best first, with their score."""
    opts: dict[str, Any] = {"scope": scope, "tenant_id": tenant, "top_k": top_k}
    if scope_id is not None:
        opts["scope_id"] = scope_id
    if threshold is not None:
        opts["threshold"] = threshold
    with _service(config) as (_, svc):
        result = svc.search(query, opts)
    if wants_json(output):
        _print_json(result)
        return
    hits = result.get("results") or []
    if not hits:
        print(f"no results in scope {scope!r}", file=sys.stderr)
    for n, hit in enumerate(hits, start=1):
        meta = hit.get("metadata") or {}
        source = meta.get("source") or meta.get("path") or meta.get("doc_id") or hit["id"]
        text = " ".join(str(hit.get("content") or "").split())
        if len(text) > 300:
            text = text[:299] + "…"
        print(f"{n}. {float(hit['score']):.3f}  {_shown(str(source))}")
        print(f"   {_shown(text)}")


def _shown(text: str) -> str:
    """Stored text as shown on the terminal: one line, no control characters."""
    return printable(text).replace("\n", " ").replace("\t", " ")


@app.command("stats")
def stats(
    scope: Annotated[str | None, typer.Option("--scope", "-s", help="Only this scope.")] = None,
    tenant: Annotated[str | None, typer.Option("--tenant", help="Only this tenant.")] = None,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """What is stored: the store, the embedding model, and each scope's chunks and
    documents (Memory's entries are counted by llmspell memory stats)."""
    with _service(config) as (_, svc):
        result = svc.stats(scope, None, tenant)
    if wants_json(output):
        _print_json(result)
        return
    print(f"store: {result.get('store')} ({result.get('location')})")
    model = result.get("model")
    bound = f"{model} ({result.get('dimensions')} dims)" if model else "none yet"
    print(f"embedder: {result.get('embedder')}; vectors of: {bound}")
    print(f"chunks: {result['total_vectors']}, documents: {result['total_documents']}")
    for row in result.get("scopes") or []:
        where = row["scope"] + (f" / {row['scope_id']}" if row["scope_id"] else "")
        print(f"  {row['tenant_id']}: {_shown(where)}: {row['vectors']} chunks, "
              f"{row['documents']} documents")  # fmt: skip


def _confirm(what: str, count: int, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        fail(
            f"refusing to delete {what} ({count} chunk(s)) without --yes (standard input is "
            "not a terminal to confirm on)",
            EXIT_USAGE,
        )
    if not typer.confirm(f"Delete {what} ({count} chunk(s))?", default=False):
        fail("nothing deleted", EXIT_SCRIPT)


@app.command("clear")
def clear(
    scope: Annotated[str | None, typer.Option("--scope", "-s", help="The scope to clear.")] = None,
    scope_id: Annotated[
        str | None, typer.Option("--scope-id", help="Only this id of the scope.")
    ] = None,
    tenant: TenantOpt = "default",
    all_: Annotated[
        bool,
        typer.Option("--all", help="Everything: RAG, Memory and the store's embedding model."),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask (required when not on a terminal).")
    ] = False,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Delete a scope's chunks (--scope, optionally one --scope-id), or --all: every
    vector, Memory's too, and the model binding (to re-index with another embedder).
    Asks first on a terminal unless --yes."""
    if all_ == (scope is not None):
        fail("give --scope SCOPE (optionally with --scope-id) or --all", EXIT_USAGE)
    if scope_id is not None and scope is None:
        fail("--scope-id needs --scope", EXIT_USAGE)
    with _service(config) as (_, svc):
        if all_:
            store = svc.index.store()
            count = store.count()
            what = "everything in the vector store (RAG documents and Memory entries)"
            _confirm(what, count, yes)
            store.clear()
            deleted, what = count, "everything"
        else:
            assert scope is not None
            rows = svc.stats(scope, scope_id, tenant)
            count = int(rows.get("total_vectors") or 0)
            what = f"scope {scope!r}" + (f" id {scope_id!r}" if scope_id is not None else "")
            if count == 0:
                deleted = 0
            else:
                _confirm(what, count, yes)
                deleted = svc.cleanup_scope(scope, scope_id, tenant)
    if wants_json(output):
        print(json.dumps({"deleted": deleted, "scope": scope, "scope_id": scope_id,
                          "tenant_id": tenant, "all": all_}))  # fmt: skip
    else:
        print(f"deleted {deleted} chunk(s) of {what}")


@app.command("copy")
def copy_(
    source: Annotated[
        str,
        typer.Argument(help="The old store: a sqlite-vec file or a postgresql:// URL.",
                       show_default=False),
    ],
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Copy every RAG chunk and Memory entry of another store into the configured one
    (moving from SQLite to PostgreSQL): each text is embedded again with [rag] embedder;
    ids are kept, so copying again replaces. The source is only read."""
    from llmspell_cli.rag_copy import copy_store, source_store
    from llmspell_cli.rag_ingest import IngestProgress

    with _service(config) as (runtime, _):
        old = source_store(runtime, source)
        progress = IngestProgress(live=sys.stderr.isatty() and not wants_json(output))
        try:
            result = copy_store(runtime, old, progress)
        finally:
            progress.close()
            old.close()
    if wants_json(output):
        _print_json(result)
    else:
        print(f"copied {result['records']} record(s) of {result['namespaces']} scope(s) from "
              f"{result['from']} to {result['to']} (embedded with {result['model']})")  # fmt: skip
