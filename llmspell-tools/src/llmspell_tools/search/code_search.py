"""code-search: symbols, text and meaning in a source tree.

``symbols`` lists functions, classes, methods and types (file, line, kind, name,
signature) from the tree-sitter grammars of Python, JavaScript, TypeScript, Rust, Go and
Lua; ``text`` finds a literal or a regular expression (file:line:column with context
lines); ``semantic`` indexes the tree's symbols into the RAG scope ``code:<root>``
(re-embedding only files whose size or mtime changed) and searches it by meaning.

Only inside the allowed paths; ``.git``, ``node_modules``, virtual environments and
binary files are skipped; files, bytes per file and results are capped
(``[tools.code-search]``). tree-sitter is the ``llmspell-tools[code]`` extra.
"""

from __future__ import annotations

import re
import time
from typing import Any

from llmspell.extras import require
from llmspell.tools import Tool, ToolOutput
from llmspell_tools._support import UserRegex, check, dispatch, fail, limit, output
from llmspell_tools.search._code_files import Tree, read_source, scan
from llmspell_tools.search._code_symbols import LANGUAGES, language_of, parse_symbols

NAME = "code-search"
MAX_FILES = 5_000
MAX_FILE_BYTES = 1024 * 1024
MAX_RESULTS = 1_000
MAX_CONTEXT = 10
MAX_PATTERN = 1_000
#: the longest line shown in a text match (characters)
MAX_LINE = 1_000
#: seconds a text search may take before it stops with what it found
SEARCH_BUDGET = 20.0
_SOURCE_EXTENSIONS = frozenset(LANGUAGES)


def _caps(ctx: Any) -> tuple[int, int]:
    return (limit(ctx, NAME, "max_files", MAX_FILES),
            limit(ctx, NAME, "max_file_bytes", MAX_FILE_BYTES))  # fmt: skip


def _max_results(ctx: Any, params: dict[str, Any], default: int) -> int:
    cap = limit(ctx, NAME, "max_results", MAX_RESULTS)
    return min(int(params.get("max_results") or default), cap)


def _scan(ctx: Any, params: dict[str, Any], *, source_only: bool) -> Tree:
    max_files, max_bytes = _caps(ctx)
    return scan(
        ctx,
        params.get("path") or ".",
        max_files=max_files,
        max_file_bytes=max_bytes,
        extensions=_SOURCE_EXTENSIONS if source_only else None,
        include=params.get("include"),
        exclude=params.get("exclude"),
    )


def _kinds(value: Any) -> set[str] | None:
    if not value:
        return None
    return {value} if isinstance(value, str) else {str(v) for v in value}


def symbols(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Every symbol of the tree (filtered by ``query`` in its name and by ``kind``)."""
    require("tree_sitter", dist="llmspell-tools", extra="code", what=NAME)
    tree = _scan(ctx, params, source_only=True)
    wanted = str(params.get("query") or "").lower()
    kinds = _kinds(params.get("kind"))
    cap = _max_results(ctx, params, MAX_RESULTS)
    found: list[dict[str, Any]] = []
    truncated = tree.truncated
    scanned = 0
    for item in tree.files:
        check()
        language = language_of(item.rel)
        data = read_source(tree, item) if language else None
        if data is None or language is None:
            continue
        scanned += 1
        for sym in parse_symbols(data, language):
            if wanted and wanted not in sym.name.lower():
                continue
            if kinds and sym.kind not in kinds:
                continue
            if len(found) >= cap:
                truncated = True
                break
            found.append({**sym.as_dict(item.rel), "language": language})
        if len(found) >= cap and truncated:
            break
    text = "\n".join(f"{s['file']}:{s['line']}: [{s['kind']}] {s['signature']}" for s in found)
    return output(
        {"root": str(tree.root), "symbols": found, "count": len(found),
         "files_scanned": scanned, "truncated": truncated, "skipped": tree.skipped},
        text=text,
    )  # fmt: skip


def _pattern(params: dict[str, Any]) -> UserRegex:
    query = params.get("query")
    if not isinstance(query, str) or not query:
        fail("operation 'text' needs a non-empty 'query' (the text or regular expression)",
             kind="ValidationError")  # fmt: skip
    if len(query) > MAX_PATTERN:
        fail(f"'query' is longer than {MAX_PATTERN} characters", kind="ValidationError")
    ignore_case = not params.get("case_sensitive", False)
    if params.get("regex"):
        return UserRegex(query, ignore_case=ignore_case)
    return UserRegex(re.escape(query), ignore_case=ignore_case)


def text(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Lines matching ``query`` (literal, or a regular expression with ``regex``)."""
    pattern = _pattern(params)
    tree = _scan(ctx, params, source_only=False)
    context = min(int(params.get("context_lines", 2)), MAX_CONTEXT)
    cap = _max_results(ctx, params, 100)
    matches: list[dict[str, Any]] = []
    truncated = tree.truncated
    deadline = time.monotonic() + SEARCH_BUDGET
    scanned = 0
    for item in tree.files:
        check()
        if len(matches) >= cap or time.monotonic() > deadline:
            truncated = True
            break
        data = read_source(tree, item)
        if data is None:
            continue
        scanned += 1
        lines = data.decode("utf-8", errors="replace").splitlines()
        for idx, line in enumerate(lines):
            if idx % 1024 == 0:
                check()
            found = pattern.search(line[:MAX_LINE])
            if found is None:
                continue
            match: dict[str, Any] = {
                "file": item.rel,
                "line": idx + 1,
                "column": found.start() + 1,
                "text": line[:MAX_LINE],
            }
            if context:
                match["context_before"] = [x[:MAX_LINE] for x in lines[max(0, idx - context) : idx]]
                match["context_after"] = [x[:MAX_LINE] for x in lines[idx + 1 : idx + 1 + context]]
            matches.append(match)
            if len(matches) >= cap:
                truncated = True
                break
    shown = "\n".join(f"{m['file']}:{m['line']}:{m['column']}: {m['text']}" for m in matches)
    return output(
        {"root": str(tree.root), "matches": matches, "count": len(matches),
         "files_scanned": scanned, "truncated": truncated, "skipped": tree.skipped},
        text=shown,
    )  # fmt: skip


def semantic(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Index the tree's symbols into its RAG scope (changed files only), then search."""
    from llmspell_tools.search import _code_index

    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        fail("operation 'semantic' needs a non-empty 'query' (what the code does)",
             kind="ValidationError")  # fmt: skip
    require("tree_sitter", dist="llmspell-tools", extra="code", what=NAME)
    tree = _scan(ctx, params, source_only=True)
    top_k = min(int(params.get("top_k") or 10), _max_results(ctx, params, MAX_RESULTS))
    result = _code_index.index_and_search(
        ctx, tree, query,
        top_k=top_k,
        threshold=params.get("threshold"),
        tenant=str(params.get("tenant_id") or "default"),
        reindex=bool(params.get("reindex")),
    )  # fmt: skip
    shown = "\n".join(
        f"{r['file']}:{r['line']}: {r['kind']} {r['name']} ({r['score']:.3f})"
        for r in result["results"]
    )
    return output(result, text=shown)


OPERATIONS = {"symbols": symbols, "text": text, "semantic": semantic}


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Dispatch ``operation``."""
    return dispatch(params, OPERATIONS, params, ctx)


_GLOBS = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}

TOOL = Tool(
    name=NAME,
    description="Search a source tree: 'symbols' lists functions, classes and methods "
    "(file, line, kind, name, signature) from tree-sitter for Python, JavaScript, "
    "TypeScript, Rust, Go and Lua; 'text' finds a literal or regular expression "
    "(file:line:column with context); 'semantic' finds code by meaning (indexes the "
    "tree's symbols into the RAG scope code:<root>, re-indexing only changed files).",
    category="search",
    handler=run,
    timeout_seconds=300,
    security=("files",),
    tags=("code", "search", "symbols", "tree-sitter", "grep", "semantic", "rag"),
    settings={
        "max_files": {
            "type": "integer", "minimum": 1, "default": MAX_FILES,
            "description": "the most files one call reads",
        },
        "max_file_bytes": {
            "type": "integer", "minimum": 1, "default": MAX_FILE_BYTES,
            "description": "larger files are skipped",
        },
        "max_results": {
            "type": "integer", "minimum": 1, "default": MAX_RESULTS,
            "description": "the most symbols, matches or results one call returns",
        },
    },
    parameters={
        "type": "object",
        "properties": {
            "operation": {"type": "string", "enum": list(OPERATIONS)},
            "path": {
                "type": "string",
                "default": ".",
                "description": "the root of the source tree (or one file)",
            },
            "query": {
                "type": "string",
                "description": "symbols: part of the name; text: the text or regular "
                "expression; semantic: what the code does, in words",
            },
            "kind": {
                "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                "description": "symbols: only these kinds (function, method, class, struct, "
                "enum, interface, trait, impl, type, module, macro)",
            },
            "regex": {"type": "boolean", "default": False, "description": "text: a regex"},
            "case_sensitive": {"type": "boolean", "default": False},
            "context_lines": {"type": "integer", "minimum": 0, "maximum": MAX_CONTEXT,
                              "default": 2},
            "include": {**_GLOBS, "description": "glob(s) a file name or path must match"},
            "exclude": {**_GLOBS, "description": "glob(s) of files to skip"},
            "max_results": {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS},
            "top_k": {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS, "default": 10},
            "threshold": {"type": "number", "minimum": -1, "maximum": 1,
                          "description": "semantic: the lowest similarity returned"},
            "tenant_id": {"type": "string", "description": "semantic: the RAG tenant"},
            "reindex": {"type": "boolean", "default": False,
                        "description": "semantic: re-embed every file"},
        },
        "required": ["operation"],
        "additionalProperties": False,
    },
)
