"""A small JSONPath subset for api-tester's ``json_path`` expectations.

Supported: ``$`` (the document), ``.name`` and ``['name']`` / ``["name"]`` (a member),
``[n]`` (an element; negative counts from the end), ``[*]`` and ``.*`` (every element or
member value). Not supported: ``..`` (recursive descent), filters ``[?()]``, slices and
unions — they are a clear ValueError naming the position.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["compile_path", "find"]

_NAME = re.compile(r"[A-Za-z_$][\w$-]*")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")
_QUOTED = re.compile(r"""\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]""")
_WILD = re.compile(r"\[\s*\*\s*\]|\.\*")

Step = tuple[str, Any]  # ("key", name) | ("index", n) | ("wild", None)


def compile_path(path: str) -> tuple[list[Step], bool]:
    """The steps of ``path`` and whether it can match several values (a wildcard)."""
    text = path.strip()
    if not text.startswith("$"):
        raise ValueError(f"JSONPath {path!r} must start with '$' (e.g. '$.items[0].name')")
    steps: list[Step] = []
    pos = 1
    while pos < len(text):
        if text.startswith("..", pos):
            raise ValueError(f"JSONPath {path!r}: recursive descent '..' is not supported")
        if m := _WILD.match(text, pos):
            steps.append(("wild", None))
        elif m := _INDEX.match(text, pos):
            steps.append(("index", int(m.group(1))))
        elif m := _QUOTED.match(text, pos):
            raw = m.group(1) if m.group(1) is not None else m.group(2)
            steps.append(("key", re.sub(r"\\(.)", r"\1", raw)))
        elif text[pos] == "." and (m := _NAME.match(text, pos + 1)):
            steps.append(("key", m.group()))
        else:
            raise ValueError(
                f"JSONPath {path!r}: cannot read {text[pos:]!r} (supported: .name, "
                "['name'], [n], [*], .*)"
            )
        pos = m.end()
    return steps, any(kind == "wild" for kind, _ in steps)


def find(document: Any, path: str) -> tuple[list[Any], bool]:
    """The values ``path`` selects in ``document`` and whether it had a wildcard."""
    steps, wild = compile_path(path)
    current = [document]
    for kind, arg in steps:
        following: list[Any] = []
        for node in current:
            member = kind == "key" and isinstance(node, dict) and arg in node
            element = kind == "index" and isinstance(node, list) and -len(node) <= arg < len(node)
            if member or element:
                following.append(node[arg])
            elif kind == "wild" and isinstance(node, list):
                following.extend(node)
            elif kind == "wild" and isinstance(node, dict):
                following.extend(node.values())
        current = following
    return current, wild
