"""The Jupyter message contents of the llmspell kernel, as plain functions (no ipykernel
here): ``language_info``, the ``is_complete`` status, the ``complete`` reply, an
expression's ``execute_result`` data and an error's content."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from llmspell_cli.repl.state import format_value

if TYPE_CHECKING:
    from llmspell.errors import LLMSpellError
    from llmspell.runtime import Runtime

__all__ = [
    "LANGUAGES",
    "completion_reply",
    "error_content",
    "inspect_reply",
    "is_complete_reply",
    "language_info",
    "result_data",
]

#: what Jupyter front ends need to know of each engine's language
LANGUAGES: dict[str, dict[str, str]] = {
    "lua": {
        "name": "lua",
        "version": "5.4",
        "mimetype": "text/x-lua",
        "file_extension": ".lua",
        "codemirror_mode": "lua",
        "pygments_lexer": "lua",
    },
    "js": {
        "name": "javascript",
        "version": "ES2023",
        "mimetype": "text/javascript",
        "file_extension": ".js",
        "codemirror_mode": "javascript",
        "pygments_lexer": "javascript",
    },
}

#: a line that opens a block or a bracket: the next line is indented one step more
_OPENS = re.compile(r"\b(do|then|else|repeat|function)\b|[({\[]\s*$|=>\s*$")


def language_info(engine: str) -> dict[str, Any]:
    """``kernel_info_reply.language_info`` for ``engine`` ("lua" or "js")."""
    from llmspell.errors import ValidationError

    try:
        return dict(LANGUAGES[engine])
    except KeyError:
        raise ValidationError(
            f"the Jupyter kernel has no language {engine!r}",
            hint="choose --engine lua or --engine js",
        ) from None


def is_complete_reply(engine: str, code: str) -> dict[str, str]:
    """``is_complete_reply``: ``complete``, ``incomplete`` (with the next line's indent)
    or ``invalid`` (a syntax error more lines cannot fix)."""
    if not code.strip() or _dot_command(code):
        return {"status": "complete"}
    from llmspell_cli.repl.complete import entry_status

    status = entry_status(engine, code)
    if status == "incomplete":
        return {"status": status, "indent": _indent(code)}
    return {"status": status}


def _dot_command(code: str) -> bool:
    stripped = code.strip()
    return "\n" not in stripped and stripped.startswith(".") and stripped[1:2].isalpha()


def _indent(code: str) -> str:
    lines = [line for line in code.split("\n") if line.strip()]
    last = lines[-1] if lines else ""
    indent = last[: len(last) - len(last.lstrip())]
    if _OPENS.search(last):
        indent += "  "
    return indent


def completion_reply(runtime: Runtime, engine: str, code: str, cursor_pos: int) -> dict[str, Any]:
    """``complete_reply`` for the cursor at ``cursor_pos`` (code points) in ``code``:
    the REPL's candidates, in ``engine``'s spelling, replacing ``cursor_start`` up to
    the cursor."""
    from llmspell_cli.repl.completion import complete

    cursor_pos = max(0, min(cursor_pos, len(code)))
    candidates = complete(runtime, engine, code[:cursor_pos])
    start = cursor_pos + min((c.start for c in candidates), default=0)
    return {
        "status": "ok",
        "matches": [c.text for c in candidates],
        "cursor_start": start,
        "cursor_end": cursor_pos,
        "metadata": {},
    }


def inspect_reply(
    runtime: Runtime, engine: str, code: str, cursor_pos: int | None, detail_level: int
) -> dict[str, Any]:
    """``inspect_reply``: the help of the name at ``cursor_pos`` (``text/plain`` and
    ``text/markdown``), or ``found: false`` (never an error)."""
    from llmspell_cli.repl.inspect import help_at

    pos = len(code) if cursor_pos is None else cursor_pos
    found = help_at(runtime, engine, code, pos, 1 if detail_level else 0)
    if found is None:
        return {"status": "ok", "found": False, "data": {}, "metadata": {}}
    return {"status": "ok", "found": True, "data": found.bundle(), "metadata": {}}


def result_data(values: tuple[Any, ...], engine: str) -> dict[str, Any]:
    """The mime bundle of an entry's values: ``text/plain`` as the REPL echoes them; a
    single table, object or array also as ``application/json`` (front ends show it as a
    tree)."""
    data: dict[str, Any] = {
        "text/plain": "\t".join(format_value(v, engine) for v in values),
    }
    if len(values) == 1 and isinstance(values[0], dict | list):
        data["application/json"] = json.loads(
            json.dumps(values[0], ensure_ascii=False, default=lambda v: format_value(v, engine))
        )
    return data


def error_content(exc: LLMSpellError) -> dict[str, Any]:
    """``ename`` (the error kind), ``evalue`` (its message) and ``traceback`` (the one
    ``file:line: Kind: message`` line, no Python frames)."""
    from llmspell_cli._support import printable

    return {
        "ename": exc.kind,
        "evalue": printable(str(exc)),
        "traceback": [printable(exc.display())],
    }
