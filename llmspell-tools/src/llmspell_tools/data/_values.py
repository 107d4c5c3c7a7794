"""Helpers shared by the data and analysis tools: input caps, JSON-ish input, paths."""

from __future__ import annotations

import json
import math
from typing import Any

from llmspell_tools._support import check, fail

#: the largest text input (characters) these tools accept inline
MAX_TEXT = 10_000_000
#: the most values (nodes of a JSON tree) a structured input or result may hold
MAX_NODES = 1_000_000
#: the deepest nesting accepted
MAX_DEPTH = 200

_MISSING = object()


def check_text(text: str, name: str = "input", limit: int = MAX_TEXT) -> str:
    """``text`` when it is at most ``limit`` characters; a clear failure otherwise."""
    if len(text) > limit:
        fail(
            f"'{name}' is {len(text)} characters, over the limit of {limit}",
            kind="ValidationError",
        )
    return text


def plain(value: Any, name: str = "input", budget: int = MAX_NODES) -> Any:
    """A JSON-able copy of ``value`` (dates → ISO strings, tuples → lists, keys → str),
    refusing trees with more than ``budget`` nodes or deeper than MAX_DEPTH (this also
    stops YAML alias bombs and self-referencing structures)."""
    count = 0

    def walk(v: Any, depth: int) -> Any:
        nonlocal count
        count += 1
        if not count & 0xFFF:
            check()
        if count > budget:
            fail(f"'{name}' has more than {budget} values", kind="ValidationError")
        if depth > MAX_DEPTH:
            fail(f"'{name}' is nested deeper than {MAX_DEPTH} levels", kind="ValidationError")
        if v is None or isinstance(v, bool | int | str):
            return v
        if isinstance(v, float):
            return v if math.isfinite(v) else str(v)
        if isinstance(v, dict):
            return {str(k): walk(x, depth + 1) for k, x in v.items()}
        if isinstance(v, list | tuple | set | frozenset):
            return [walk(x, depth + 1) for x in v]
        if isinstance(v, bytes):
            return v.decode("utf-8", "replace")
        if hasattr(v, "isoformat"):
            return v.isoformat()
        return str(v)

    return walk(value, 0)


def json_input(value: Any, name: str = "input") -> Any:
    """A JSON value given either as a value or as JSON text (size-checked)."""
    if isinstance(value, str):
        check_text(value, name)
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            fail(f"'{name}' is not valid JSON: {exc}", kind="ValidationError")
    return plain(value, name)


def get_path(value: Any, path: str, default: Any = _MISSING) -> Any:
    """``value`` at the dotted ``path`` (``a.b.0.c``); ``default`` (or _MISSING) if absent."""
    current = value
    if path in ("", "."):
        return current
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.lstrip("-").isdigit():
            index = int(part)
            if -len(current) <= index < len(current):
                current = current[index]
            else:
                return default
        else:
            return default
    return current


def missing(value: Any) -> bool:
    """Whether ``value`` is the marker :func:`get_path` returns for absent paths."""
    return value is _MISSING
