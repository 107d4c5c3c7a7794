"""Text shapes of ``llmspell tool list|info``: one-line summaries fitted to the terminal,
parameter rows, and example calls in Lua and JavaScript built from a tool's schema."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Mapping
from typing import Any

#: the width used when standard output is not a terminal
DEFAULT_WIDTH = 80

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_LUA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LUA_KEYWORDS = frozenset(
    {
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto",
        "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until",
        "while",
    }
)  # fmt: skip
_JS_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def output_width() -> int:
    """The terminal's width when standard output is one, else :data:`DEFAULT_WIDTH`."""
    try:
        tty = sys.stdout.isatty()
    except (AttributeError, ValueError):
        tty = False
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns if tty else DEFAULT_WIDTH


def ellipsis() -> str:
    """``…`` when standard output can encode it, else ``...``."""
    try:
        "…".encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "..."
    return "…"


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` on one line (all of it when there is no end mark)."""
    flat = " ".join(text.split())
    return _SENTENCE_END.split(flat, maxsplit=1)[0]


def shorten(text: str, width: int, mark: str = "…") -> str:
    """``text`` cut to at most ``width`` characters at a word boundary, ending in ``mark``
    when cut; a word is never split (a first word too long leaves only ``mark``)."""
    if len(text) <= width:
        return text
    if width < len(mark):
        return ""
    room = width - len(mark)
    cut = text[: room + 1]  # one more: a space right after the room is a clean cut
    head = cut.rsplit(" ", 1)[0] if " " in cut else ""
    head = head[:room].rstrip(" ,;:-(")
    return head + mark if head else mark


def list_lines(rows: list[tuple[str, str, str]], width: int, mark: str = "…") -> list[str]:
    """One line per ``(name, category, summary)``: aligned columns, each line at most
    ``width`` characters (the summary is shortened; names are never cut)."""
    if not rows:
        return []
    name_w = max(len(r[0]) for r in rows)
    cat_w = max(len(r[1]) for r in rows)
    lines = []
    for name, category, summary in rows:
        head = f"{name:<{name_w}}  {category:<{cat_w}}  "
        text = shorten(summary, width - len(head), mark)
        lines.append((head + text).rstrip())
    return lines


def type_text(schema: Mapping[str, Any]) -> str:
    """A parameter's type in words: ``string``, ``integer 1..10``, ``one of: a | b``."""
    if "enum" in schema:
        return "one of: " + " | ".join(json.dumps(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    text = " or ".join(kind) if isinstance(kind, list) else str(kind)
    if kind == "array" and isinstance(schema.get("items"), Mapping):
        text = f"array of {type_text(schema['items'])}"
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        text += f" {'' if low is None else low}..{'' if high is None else high}"
    return text


def parameter_rows(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``{name, type, required, default, description}`` for each property of ``schema``
    (``default`` is absent when the schema gives none)."""
    props: Mapping[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    rows = []
    for name, sub in props.items():
        sub = sub if isinstance(sub, Mapping) else {}
        row: dict[str, Any] = {
            "name": name,
            "type": type_text(sub),
            "required": name in required,
            "description": sub.get("description", ""),
        }
        if "default" in sub:
            row["default"] = sub["default"]
        rows.append(row)
    return rows


def example_value(name: str, schema: Mapping[str, Any]) -> Any:
    """A plausible value for a parameter: its first example, default or choice, else one
    made from its type (paths and URLs by the parameter's name)."""
    if schema.get("examples"):
        return schema["examples"][0]
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type", "string")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    if kind in ("integer", "number"):
        low = schema.get("minimum")
        return low if isinstance(low, int | float) and low > 1 else 1
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {}
    named, described = name.lower(), str(schema.get("description", "")).lower()
    if "url" in named or described.startswith(("url", "the url", "a url")):
        return "https://example.com"
    if any(w in named for w in ("path", "file", "dir")) or described.startswith(
        ("path", "the path", "a path", "file", "the file")
    ):
        return "data.txt"
    return "text"


def example_params(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Example values for a call: the required parameters and those with ``examples``;
    when none of them takes free input (all are choices), also the first parameter that
    has neither a default nor choices (the path of ``operation = "read"``). Schema order."""
    props: Mapping[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])

    def sub(name: str) -> Mapping[str, Any]:
        found = props.get(name)
        return found if isinstance(found, Mapping) else {}

    chosen = [n for n in props if n in required or sub(n).get("examples")]
    chosen += [n for n in required if n not in props]
    if not any("enum" not in sub(n) for n in chosen):
        extra = next((n for n in props if "default" not in sub(n) and "enum" not in sub(n)), None)
        if extra is not None:
            chosen = [n for n in props if n in chosen or n == extra]
    return {n: example_value(n, sub(n)) for n in chosen}


def lua_value(value: Any) -> str:
    """``value`` as a Lua literal."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "{" + ", ".join(lua_value(v) for v in value) + "}"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        parts = []
        for key, item in value.items():
            key = str(key)
            ok = _LUA_NAME.match(key) and key not in _LUA_KEYWORDS
            shown = key if ok else f"[{json.dumps(key, ensure_ascii=False)}]"
            parts.append(f"{shown} = {lua_value(item)}")
        return "{" + ", ".join(parts) + "}"
    return json.dumps(str(value), ensure_ascii=False)


def js_value(value: Any) -> str:
    """``value`` as a JavaScript literal."""
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        parts = []
        for key, item in value.items():
            key = str(key)
            shown = key if _JS_NAME.match(key) else json.dumps(key, ensure_ascii=False)
            parts.append(f"{shown}: {js_value(item)}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(js_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def example_calls(name: str, schema: Mapping[str, Any]) -> dict[str, str]:
    """``{"lua": ..., "js": ...}``: a ``Tool.execute`` call with the required parameters."""
    params = example_params(schema)
    quoted = json.dumps(name, ensure_ascii=False)
    return {
        "lua": f"Tool.execute({quoted}, {lua_value(params)})",
        "js": f"await Tool.execute({quoted}, {js_value(params)})",
    }
