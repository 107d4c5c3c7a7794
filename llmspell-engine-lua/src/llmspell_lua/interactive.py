"""Interactive entries for Lua (``llmspell repl``): top-level locals that live on.

``lua.c`` compiles every entry as its own chunk, so a ``local`` dies with its line. Here
an entry's top-level ``local`` statements are rewritten, on the same line, to declare
their names in the session's environment table (the prelude's ``bridge.compile_entry``),
where later entries and the functions this entry defines find them:

- ``local a, b = e`` becomes ``;__repl_local(true,"a","b"); a, b = e``;
- ``local a, b`` becomes ``;__repl_local(false,"a","b")`` (declared, nil);
- ``local function f`` becomes ``;__repl_local(false,"f"); function f``.

Attributes are dropped (``<const>`` is not enforced across entries); a statement with a
``<close>`` attribute stays a real local, closed when its entry ends. Locals inside
blocks and functions are untouched. The text is scanned with a small tokenizer (strings,
long brackets and comments skipped); code it cannot make sense of is left as written,
and Lua's compiler reports it.
"""

from __future__ import annotations

import re

__all__ = ["rewrite_locals", "tokens"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LONG_OPEN = re.compile(r"\[(=*)\[")
_OPENERS = frozenset({"function", "do", "then", "repeat"})
_CLOSERS = frozenset({"end", "until", "elseif"})


def tokens(src: str) -> list[tuple[str, int, int]]:
    """``(text, start, end)`` of every token of ``src`` except strings and comments
    (a string is ``("<str>", start, end)``). Stops quietly at an unterminated string or
    comment."""
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
        elif src.startswith("--", i):
            m = _LONG_OPEN.match(src, i + 2)
            if m:
                close = src.find("]" + m.group(1) + "]", m.end())
                if close < 0:
                    return out
                i = close + len(m.group(1)) + 2
            else:
                nl = src.find("\n", i)
                i = n if nl < 0 else nl + 1
        elif c == "[" and _LONG_OPEN.match(src, i):
            m = _LONG_OPEN.match(src, i)
            assert m is not None
            close = src.find("]" + m.group(1) + "]", m.end())
            if close < 0:
                return out
            end = close + len(m.group(1)) + 2
            out.append(("<str>", i, end))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                if src[j] == "\\":
                    j += 1
                elif src[j] == "\n":
                    return out
                j += 1
            if j >= n:
                return out
            out.append(("<str>", i, j + 1))
            i = j + 1
        else:
            m = _NAME.match(src, i)
            if m:
                out.append((m.group(), i, m.end()))
                i = m.end()
            elif c.isdigit():
                j = i + 1
                while j < n and (src[j].isalnum() or src[j] in "._" or
                                 (src[j] in "+-" and src[j - 1] in "eEpP")):
                    j += 1
                out.append(("<num>", i, j))
                i = j
            else:
                out.append((c, i, i + 1))
                i += 1
    return out


def rewrite_locals(src: str) -> str:
    """``src`` with its top-level ``local`` statements rewritten (module docstring)."""
    toks = tokens(src)
    depth = 0
    edits: list[tuple[int, int, str]] = []
    k = 0
    while k < len(toks):
        text = toks[k][0]
        if text in _OPENERS:
            depth += 1
        elif text in _CLOSERS:
            depth = max(depth - 1, 0)
        if text == "local" and depth == 0 and not _after_dot(toks, k):
            edit = _local_statement(src, toks, k)
            if edit is not None:
                edits.append(edit)
        k += 1
    for start, end, replacement in reversed(edits):
        src = src[:start] + replacement + src[end:]
    return src


def _after_dot(toks: list[tuple[str, int, int]], k: int) -> bool:
    return k > 0 and toks[k - 1][0] in (".", ":")


def _local_statement(
    src: str, toks: list[tuple[str, int, int]], k: int
) -> tuple[int, int, str] | None:
    """The edit for the ``local`` at token ``k``: (start, end, replacement)."""
    start = toks[k][1]
    if k + 2 < len(toks) and toks[k + 1][0] == "function" and _NAME.fullmatch(toks[k + 2][0]):
        name = toks[k + 2][0]
        return start, toks[k + 1][1], f';__repl_local(false,"{name}"); '
    names: list[str] = []
    j = k + 1
    while j < len(toks):
        name = toks[j][0]
        if not _NAME.fullmatch(name) or name in _KEYWORDS:
            return None
        names.append(name)
        j += 1
        if j < len(toks) and toks[j][0] == "<":
            if j + 2 >= len(toks) or toks[j + 2][0] != ">":
                return None
            if toks[j + 1][0] == "close":
                return None  # a to-be-closed variable stays a real local
            j += 3
        if j < len(toks) and toks[j][0] == ",":
            j += 1
            continue
        break
    if not names:
        return None
    quoted = ",".join(f'"{n}"' for n in names)
    if j < len(toks) and toks[j][0] == "=" and not src.startswith("==", toks[j][1]):
        return start, toks[j][1], f';__repl_local(true,{quoted}); {", ".join(names)} '
    end = toks[j - 1][2]
    return start, end, f";__repl_local(false,{quoted})"


_KEYWORD_TEXT = (
    "and break do else elseif end false for function goto if in local nil not or repeat "
    "return then true until while"
)
_KEYWORDS = frozenset(_KEYWORD_TEXT.split())
