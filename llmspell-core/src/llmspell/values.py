"""Checks and encodings shared by the globals: JSON values and dotted paths."""

from __future__ import annotations

import json
import math
from typing import Any

from llmspell.errors import ValidationError
from llmspell.ops import ScriptFunction, describe_value

__all__ = ["RawBytes", "check_json_value", "dump_value", "dumps"]


class RawBytes(bytes):
    """Bytes an op returns for an engine to hand over unchanged where the language has
    byte strings (a Lua string of the same bytes); elsewhere they cross as text."""


def check_json_value(value: Any, what: str, path: str = "value") -> None:
    """Raise ValidationError naming the place where ``value`` is not a JSON value."""
    if value is None or isinstance(value, bool | str | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(f"{what}: {path} is {value}, which JSON cannot hold")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValidationError(f"{what}: {path} has a non-string key {k!r}")
            check_json_value(v, what, f"{path}.{k}")
        return
    if isinstance(value, list):
        for i, v in enumerate(value):
            check_json_value(v, what, f"{path}[{i + 1}]")
        return
    raise ValidationError(
        f"{what}: {path} is a {describe_value(value)}, which is not a JSON value "
        "(use tables/objects, arrays, strings, numbers, booleans)"
    )


def dumps(value: Any, *, pretty: bool = False) -> str:
    """Encode a JSON value deterministically (sorted keys; 2-space indent when pretty)."""
    return json.dumps(
        value,
        ensure_ascii=False,
        allow_nan=False,
        sort_keys=True,
        indent=2 if pretty else None,
        separators=None if pretty else (",", ":"),
    )


def dump_value(value: Any, indent: int = 0) -> str:
    """A readable, deterministic rendering of any script value (``Debug.dump``)."""
    pad = "  " * indent
    if isinstance(value, ScriptFunction):
        return "<function>"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = sorted(value.items(), key=_dump_order)
        inner = ",\n".join(f"{pad}  {k}: {dump_value(v, indent + 1)}" for k, v in items)
        return "{\n" + inner + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = ",\n".join(f"{pad}  {dump_value(v, indent + 1)}" for v in value)
        return "[\n" + inner + "\n" + pad + "]"
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return f"<{type(value).__name__}>"  # a host object (a timer, a tool)


def _dump_order(item: tuple[Any, Any]) -> tuple[bool, float, str]:
    """Numeric keys first in numeric order (1, 2, 10), then the rest by name."""
    key = item[0]
    number = isinstance(key, int | float) and not isinstance(key, bool)
    return (not number, key if number and math.isfinite(key) else 0, str(key))
