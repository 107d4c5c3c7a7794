"""diff-calculator: differences between texts (difflib), JSON values (deepdiff) or files.

difflib's matcher is quadratic when lines (or words, for ``inline``) repeat: two texts of
100,000 identical lines take hours. The work is estimated before the diff starts — the
sum over distinct lines of (occurrences in old x occurrences in new) — and refused past
``[tools.diff-calculator] max_work`` (20,000,000); the matcher checks the call's deadline
at every step.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import check, fail, limit, output, over_limit, read_text

FORMATS = ("unified", "context", "inline", "simple")
#: the default cap on the estimated matcher work (see the module notes)
MAX_WORK = 20_000_000


class _Matcher(difflib.SequenceMatcher):  # type: ignore[type-arg]
    """A SequenceMatcher that checks the call's deadline at every longest-match search."""

    def find_longest_match(self, *args: Any, **kwargs: Any) -> Any:
        check()
        return super().find_longest_match(*args, **kwargs)


def _bound(ctx: Any, a: Sequence[str], b: Sequence[str], what: str) -> None:
    """Refuse a diff whose repeated lines/words would make the matcher quadratic."""
    cap = limit(ctx, "diff-calculator", "max_work", MAX_WORK)
    counts = Counter(b)
    work = len(a) + len(b) + sum(counts.get(x, 0) for x in a)
    if work > cap:
        over_limit(
            f"the estimated diff work ({work} steps: {len(a)} x {len(b)} {what}, many repeated)",
            cap,
            setting="[tools.diff-calculator] max_work",
        )


def _text_diff(
    old: str, new: str, params: dict[str, Any], names: tuple[str, str], ctx: Any = None
) -> Any:
    fmt = params.get("format", "unified")
    n = params.get("context_lines", 3)
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    _bound(ctx, a, b, "lines")
    matcher = _Matcher(None, a, b, autojunk=False)
    added = removed = 0
    hunks: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed += i2 - i1
        added += j2 - j1
        hunks.append({
            "type": {"replace": "change", "delete": "delete", "insert": "insert"}[tag],
            "old_start": i1 + 1, "old_lines": [s.rstrip("\r\n") for s in a[i1:i2]],
            "new_start": j1 + 1, "new_lines": [s.rstrip("\r\n") for s in b[j1:j2]],
        })  # fmt: skip
    if fmt == "unified":
        lines = difflib.unified_diff(a, b, names[0], names[1], n=n)
        diff = "".join(_nl(line) for line in lines)
    elif fmt == "context":
        lines = difflib.context_diff(a, b, names[0], names[1], n=n)
        diff = "".join(_nl(line) for line in lines)
    elif fmt == "simple":
        out: list[str] = []
        for hunk in hunks:
            out.extend(f"- {line}\n" for line in hunk["old_lines"])
            out.extend(f"+ {line}\n" for line in hunk["new_lines"])
        diff = "".join(out)
    else:
        diff = _inline(old, new, ctx)
    identical = old == new
    result = {
        "diff": diff,
        "format": fmt,
        "identical": identical,
        "changes": hunks,
        "stats": {"additions": added, "deletions": removed, "hunks": len(hunks),
                  "similarity": round(matcher.ratio(), 4)},
    }  # fmt: skip
    return output(result, text=diff if diff else "no differences")


def _nl(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"


def _inline(old: str, new: str, ctx: Any = None) -> str:
    """Word-level markup: removed text as [-...-], added text as {+...+}."""
    import re

    a = re.findall(r"\s+|[^\s]+", old)
    b = re.findall(r"\s+|[^\s]+", new)
    _bound(ctx, a, b, "words")
    out: list[str] = []
    for tag, i1, i2, j1, j2 in _Matcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if i2 > i1:
            out.append("[-" + "".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + "".join(b[j1:j2]) + "+}")
    return "".join(out) if old != new else ""


def _json_diff(old: Any, new: Any) -> Any:
    from deepdiff import DeepDiff

    try:
        diff = DeepDiff(old, new, verbose_level=2)
        changes = json.loads(diff.to_json())
    except Exception as exc:  # deepdiff errors on exotic input
        fail(f"cannot compare the JSON values: {exc}", operation="json")
    lines: list[str] = []
    for kind, entries in changes.items():
        lines.extend(f"{kind}: {path}" for path in entries)  # dict keys or list items
    summary = "\n".join(lines)
    result = {
        "identical": not changes,
        "changes": changes,
        "diff": summary,
        "stats": {kind: len(entries) for kind, entries in changes.items()},
    }
    return output(result, text=summary or "no differences")


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Diff texts, JSON values or files."""
    kind = params.get("type", "text")
    if kind == "json":
        if "old_json" not in params or "new_json" not in params:
            fail("type 'json' needs 'old_json' and 'new_json'", kind="ValidationError")
        size = len(json.dumps(params["old_json"])) + len(json.dumps(params["new_json"]))
        ctx.policy.check_size(size, what="old_json + new_json")
        return _json_diff(params["old_json"], params["new_json"])
    if kind == "file":
        if not params.get("old_file") or not params.get("new_file"):
            fail("type 'file' needs 'old_file' and 'new_file'", kind="ValidationError")
        # both paths are checked before either file is read
        ctx.policy.resolve_path(params["old_file"], what="old_file")
        ctx.policy.resolve_path(params["new_file"], what="new_file")
        old = read_text(ctx, params["old_file"], what="old_file")
        new = read_text(ctx, params["new_file"], what="new_file")
        return _text_diff(old, new, params, (params["old_file"], params["new_file"]), ctx)
    if params.get("old_text") is None or params.get("new_text") is None:
        fail("type 'text' needs 'old_text' and 'new_text'", kind="ValidationError")
    old, new = params["old_text"], params["new_text"]
    ctx.policy.check_size(len(old.encode()) + len(new.encode()), what="old_text + new_text")
    return _text_diff(old, new, params, ("old", "new"), ctx)


TOOL = Tool(
    name="diff-calculator",
    description="Compare two texts (type text: old_text/new_text), two JSON values (type "
    "json: old_json/new_json, structural diff in result.changes) or two files (type file: "
    "old_file/new_file). Text diffs come as unified, context, inline ([-old-]{+new+}) or "
    "simple (-/+ lines) in result.diff, with hunks in result.changes and result.stats.",
    category="utility",
    handler=run,
    timeout_seconds=30,
    security=("files",),
    settings={
        "max_work": {
            "type": "integer",
            "minimum": 1,
            "default": MAX_WORK,
            "description": "the most matching work one comparison may do",
        },
    },
    tags=("diff", "compare"),
    parameters={
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["text", "json", "file"], "default": "text"},
            "old_text": {"type": "string"},
            "new_text": {"type": "string"},
            "old_json": {"description": "any JSON value (object, array, ...)"},
            "new_json": {"description": "any JSON value (object, array, ...)"},
            "old_file": {"type": "string", "description": "path of the old file"},
            "new_file": {"type": "string", "description": "path of the new file"},
            "format": {"type": "string", "enum": list(FORMATS), "default": "unified"},
            "context_lines": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 3},
        },
        "additionalProperties": False,
    },
)
