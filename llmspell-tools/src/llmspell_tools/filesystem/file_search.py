"""file-search: find lines matching a text or regular expression in files.

Walks the tree without following directory symlinks; a symlinked file is searched only
when it resolves inside the allowed paths (otherwise skipped and reported). Regular
expressions are capped in length and refused when they nest quantifiers (the classic
catastrophic-backtracking shapes such as ``(a+)+``); files over the size cap and binary
files are skipped; long lines are only matched in their first characters.
"""

from __future__ import annotations

import fnmatch
import os
import re
import time
from pathlib import Path
from typing import Any

from llmspell.errors import SecurityError
from llmspell.tools import Tool
from llmspell_tools._support import UserRegex, check, fail, output, resolve
from llmspell_tools.filesystem._paths import walk

MAX_PATTERN = 500
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_LINE = 4_096
MAX_RESULTS = 10_000
MAX_CONTEXT = 10
#: seconds a search may take before it stops with what it found
SEARCH_BUDGET = 20.0

# a group that contains a quantifier and is itself quantified: (a+)+ (a*)* (\w+\s?)*
_NESTED = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*}]|\{\d*,\d*\})(?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d)")


def compile_pattern(pattern: str, *, regex: bool, case_sensitive: bool) -> UserRegex:
    """The compiled search pattern (matched with a time budget); SecurityError for
    patterns that nest repetition, the classic runaway shape."""
    if len(pattern) > MAX_PATTERN:
        raise SecurityError(f"search pattern is longer than {MAX_PATTERN} characters")
    if not regex:
        return UserRegex(re.escape(pattern), ignore_case=not case_sensitive)
    if _NESTED.search(pattern):
        raise SecurityError(
            f"regular expression {pattern!r} nests repetition (catastrophic backtracking risk)",
            hint="simplify the pattern, e.g. (a+)+ → a+",
        )
    return UserRegex(pattern, ignore_case=not case_sensitive)


def _globs(value: Any) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _wanted(rel: str, include: list[str], exclude: list[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]

    def hit(globs: list[str]) -> bool:
        return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(rel, g) for g in globs)

    if include and not hit(include):
        return False
    return not (exclude and hit(exclude))


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Search ``path`` (a file or a directory) for ``pattern``."""
    pattern_text = params["pattern"]
    path_arg = params["path"]
    regex = compile_pattern(
        pattern_text,
        regex=bool(params.get("use_regex")),
        case_sensitive=bool(params.get("case_sensitive", False)),
    )
    root = resolve(ctx, path_arg)
    if not root.exists():
        fail(f"{path_arg!r} does not exist", kind="NotFoundError")
    context = min(int(params.get("context_lines", 0)), MAX_CONTEXT)
    limit = min(int(params.get("max_results", 100)), MAX_RESULTS)
    include, exclude = _globs(params.get("include")), _globs(params.get("exclude"))
    skipped: list[dict[str, str]] = []

    files: list[tuple[Path, str]] = []
    if root.is_file():
        files.append((root, path_arg))
    else:
        recursive = bool(params.get("recursive", True))
        for item in walk(root, recursive=recursive):
            check()
            rel = item.relative_to(root).as_posix()
            if item.is_symlink():
                if item.is_dir():
                    continue  # directory links are never followed
                try:
                    resolve(ctx, item)
                except SecurityError:
                    skipped.append({"file": rel, "reason": "symlink outside the allowed paths"})
                    continue
            if item.is_file() and _wanted(rel, include, exclude):
                files.append((item, os.path.join(path_arg, rel)))

    matches: list[dict[str, Any]] = []
    truncated = False
    deadline = time.monotonic() + SEARCH_BUDGET
    searched = 0
    for real, shown in files:
        check()
        if len(matches) >= limit or time.monotonic() > deadline:
            truncated = True
            break
        size = real.stat().st_size
        if size > min(MAX_FILE_BYTES, ctx.policy.max_input_bytes):
            skipped.append({"file": shown, "reason": f"larger than {MAX_FILE_BYTES} bytes"})
            continue
        data = real.read_bytes()
        if b"\x00" in data[:8192]:
            skipped.append({"file": shown, "reason": "binary"})
            continue
        searched += 1
        lines = data.decode("utf-8", errors="replace").splitlines()
        for idx, line in enumerate(lines):
            if idx % 1024 == 0:
                check()
            if not regex.search(line[:MAX_LINE]):
                continue
            match: dict[str, Any] = {"file": shown, "line": idx + 1, "text": line[:MAX_LINE]}
            if context:
                match["context_before"] = lines[max(0, idx - context) : idx]
                match["context_after"] = lines[idx + 1 : idx + 1 + context]
            matches.append(match)
            if len(matches) >= limit:
                truncated = True
                break
    text = "\n".join(f"{m['file']}:{m['line']}: {m['text']}" for m in matches)
    return output(
        {
            "matches": matches,
            "count": len(matches),
            "files_searched": searched,
            "truncated": truncated,
            "skipped": skipped,
        },
        text=text,
    )


TOOL = Tool(
    name="file-search",
    description="Search files under a path for a text or regular expression; returns the "
    "matching lines (file, line, text) with optional context.",
    category="filesystem",
    handler=run,
    timeout_seconds=30,
    security=("files",),
    tags=("file", "search", "grep"),
    parameters={
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "minLength": 1},
            "path": {"type": "string", "description": "a file or directory"},
            "recursive": {"type": "boolean", "default": True},
            "case_sensitive": {"type": "boolean", "default": False},
            "use_regex": {"type": "boolean", "default": False},
            "context_lines": {"type": "integer", "minimum": 0, "maximum": MAX_CONTEXT},
            "include": {
                "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                "description": "glob(s) a file name or relative path must match",
            },
            "exclude": {
                "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                "description": "glob(s) of files to skip",
            },
            "max_results": {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS},
        },
        "required": ["pattern", "path"],
        "additionalProperties": False,
    },
)
