"""``{{...}}`` placeholders in step inputs (script-api.md#workflow).

Explicit roots resolve strictly: ``{{input}}``, ``{{input.key}}``,
``{{steps.<name>.text}}`` (``step.`` is rs-llmspell's spelling of ``steps.``),
``{{steps.<name>.result.<path>}}``, ``{{steps.<name>.output.<path>}}``,
``{{loop.index}}``, ``{{loop.item}}``, ``{{loop.item.<path>}}``, ``{{shared.<key>}}``;
one that names nothing is an error naming it and what is known, never an empty string.

A bare ``{{name}}`` (``{{step}}`` and ``{{shared}}`` too: roots are strict only with a
dot) is the text of a step called ``name`` that has run, else the workflow input's key
``name``; any other ``{{...}}`` (a bare name neither knows, a
tool's own template such as template-creator's ``{{content}}``, ``{{#if x}}``) is left
as it is, for the tool to fill in.

A placeholder always becomes text: strings as they are, numbers as numbers print
(``3``, not ``3.0``), tables/objects as JSON. Numeric path segments index arrays from 1,
as in Lua (``{{steps.list.result.items.1}}`` is the first item).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from llmspell.errors import WorkflowError

__all__ = ["ROOTS", "render", "step_text", "substitute"]

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


def step_text(output: Any) -> str:
    """The text of a step's output: an agent's or workflow's ``text``, a tool's ``text``
    (or its result), a function's value."""
    if isinstance(output, Mapping):
        if isinstance(output.get("text"), str):
            return str(output["text"])
        if "result" in output and "success" in output:  # a ToolResult without text
            return render(output["result"])
    return render(output)


def render(value: Any) -> str:
    """A value as placeholder text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _walk(value: Any, path: list[str], shown: str) -> Any:
    for part in path:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and 1 <= int(part) <= len(value):
            value = value[int(part) - 1]
        else:
            raise WorkflowError(f"placeholder {{{{{shown}}}}}: nothing at {part!r}")
    return value


#: roots that resolve strictly (a name under them that is not there is an error)
ROOTS = ("input", "steps", "step", "loop", "shared")
#: what a bare name may be: an identifier, as step names and input keys usually are
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
#: the step parts that mean "what the step produced" (rs-llmspell's ``step.NAME.result``)
_TEXT_PARTS = ("text", "result", "output")


class _Unresolved(Exception):
    """A placeholder that is not ours: it stays in the text as written."""


def _step(expr: str, path: list[str], scope: Mapping[str, Any], *, rs_form: bool) -> Any:
    outputs: Mapping[str, Any] = scope.get("steps") or {}
    name, rest = path[0], path[1:]
    if name not in outputs:
        known = ", ".join(outputs) or "none yet"
        raise WorkflowError(f"placeholder {{{{{expr}}}}} names no step that has run (ran: {known})")
    output = outputs[name]
    if not rest or rest == ["text"]:
        return step_text(output)
    has_result = isinstance(output, Mapping) and "result" in output
    if len(rest) == 1 and rest[0] in _TEXT_PARTS and (rs_form or rest[0] == "output"):
        return step_text(output)  # {{step.x.result}}: what the step produced, as text
    if rest[0] == "result":
        if not rest[1:] and not has_result:
            return step_text(output)  # an agent's or a function's output has no result
        return _walk(output["result"] if has_result else output, rest[1:], expr)
    if rest[0] == "output":
        return _walk(output, rest[1:], expr)
    return _walk(output, rest, expr)


def _bare(expr: str, scope: Mapping[str, Any]) -> Any:
    outputs: Mapping[str, Any] = scope.get("steps") or {}
    if expr in outputs:
        return step_text(outputs[expr])
    given = scope.get("input")
    if isinstance(given, Mapping) and expr in given:
        return given[expr]
    raise _Unresolved(expr)


def _resolve(expr: str, scope: Mapping[str, Any]) -> Any:
    head, *path = expr.split(".")
    if not path and head != "input" and _BARE.fullmatch(head):
        # a bare name, also {{step}} or {{shared}}: roots are strict only with a dot
        return _bare(head, scope)
    if head == "input":
        return _walk(scope.get("input"), path, expr)
    if head == "shared":
        return _walk(scope.get("shared") or {}, path, expr)
    if head == "loop":
        loop = scope.get("loop")
        if loop is None:
            raise WorkflowError(f"placeholder {{{{{expr}}}}} is only known inside a loop")
        return _walk(loop, path, expr)
    if head in ("steps", "step"):
        return _step(expr, path, scope, rs_form=head == "step")
    if not path and _BARE.fullmatch(head):
        return _bare(head, scope)
    raise _Unresolved(expr)


def _replace(match: re.Match[str], scope: Mapping[str, Any]) -> str:
    try:
        return render(_resolve(match.group(1), scope))
    except _Unresolved:
        return match.group(0)


def substitute(value: Any, scope: Mapping[str, Any]) -> Any:
    """``value`` with placeholders in strings (also inside tables/lists) replaced."""
    if isinstance(value, str):
        if "{{" not in value:
            return value
        return _PLACEHOLDER.sub(lambda m: _replace(m, scope), value)
    if isinstance(value, Mapping):
        return {k: substitute(v, scope) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, scope) for v in value]
    return value
