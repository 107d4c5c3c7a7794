"""A small JavaScript tokenizer: enough to find a module's top-level ``import`` and
``export`` statements (strings, template literals, comments and regular expression
literals are skipped as wholes, so an ``import`` inside one is never mistaken for a
statement). It does not validate: QuickJS parses every module afterwards and reports
syntax errors itself.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Token", "tokenize"]

#: after these keywords a ``/`` starts a regular expression, not a division
_REGEX_AFTER_WORDS = frozenset(
    "return typeof instanceof in of new delete void throw case do else yield await".split()  # noqa: SIM905
)
_ID_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$\\")
_ID_PART = _ID_START | frozenset("0123456789")


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is id, str, tpl, num, regex or punc; ``depth`` the nesting of
    brackets it sits in (0: the module's top level); ``nl`` a line break before it."""

    kind: str
    text: str
    start: int
    end: int
    depth: int
    nl: bool


class LexError(ValueError):
    """The text ends inside a string, comment, template or regular expression."""


def _is_id_char(c: str, start: bool) -> bool:
    if c in (_ID_START if start else _ID_PART):
        return True
    return ord(c) > 127 and (c.isidentifier() or (not start and ("a" + c).isidentifier()))


def tokenize(src: str) -> list[Token]:
    """The tokens of ``src`` (comments and whitespace dropped)."""
    out: list[Token] = []
    stack: list[str] = []  # open brackets; "t" is a template's ${
    i, n = 0, len(src)
    nl = False

    def prev_allows_regex() -> bool:
        if not out:
            return True
        p = out[-1]
        if p.kind == "id":
            return p.text in _REGEX_AFTER_WORDS
        if p.kind in ("str", "tpl", "num", "regex"):
            return False
        return p.text not in (")", "]")

    def scan_template(j: int) -> tuple[int, bool]:
        """From inside a template at ``j``: (index after the closing backtick, False) or
        (index after ``${``, True)."""
        while j < n:
            c = src[j]
            if c == "\\":
                j += 2
            elif c == "`":
                return j + 1, False
            elif c == "$" and j + 1 < n and src[j + 1] == "{":
                return j + 2, True
            else:
                j += 1
        raise LexError("unterminated template literal")

    while i < n:
        c = src[i]
        if c in " \t\r\n\f\v\ufeff\u00a0\u2028\u2029":
            if c in "\n\r\u2028\u2029":
                nl = True
            i += 1
            continue
        if c == "/" and i + 1 < n and src[i + 1] == "/":
            j = i + 2
            while j < n and src[j] not in "\n\r\u2028\u2029":
                j += 1
            i = j
            continue
        if c == "/" and i + 1 < n and src[i + 1] == "*":
            j = src.find("*/", i + 2)
            if j < 0:
                raise LexError("unterminated comment")
            if any(x in src[i:j] for x in "\n\r\u2028\u2029"):
                nl = True
            i = j + 2
            continue
        depth = len(stack)
        if c in "'\"":
            j = i + 1
            while j < n and src[j] != c:
                if src[j] == "\\":
                    j += 1
                elif src[j] in "\n\r":
                    raise LexError("unterminated string")
                j += 1
            if j >= n:
                raise LexError("unterminated string")
            out.append(Token("str", src[i : j + 1], i, j + 1, depth, nl))
            i = j + 1
        elif c == "`":
            j, opened = scan_template(i + 1)
            if opened:
                stack.append("t")
            out.append(Token("tpl", src[i:j], i, j, depth, nl))
            i = j
        elif c == "}" and stack and stack[-1] == "t":
            stack.pop()
            j, opened = scan_template(i + 1)
            if opened:
                stack.append("t")
            out.append(Token("tpl", src[i:j], i, j, len(stack), nl))
            i = j
        elif c == "/" and prev_allows_regex():
            j, in_class = i + 1, False
            while j < n:
                d = src[j]
                if d == "\\":
                    j += 2
                    continue
                if d in "\n\r":
                    raise LexError("unterminated regular expression")
                if d == "[":
                    in_class = True
                elif d == "]":
                    in_class = False
                elif d == "/" and not in_class:
                    break
                j += 1
            if j >= n:
                raise LexError("unterminated regular expression")
            j += 1
            while j < n and _is_id_char(src[j], False):
                j += 1
            out.append(Token("regex", src[i:j], i, j, depth, nl))
            i = j
        elif c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] in "._"):
                j += 1
            out.append(Token("num", src[i:j], i, j, depth, nl))
            i = j
        elif _is_id_char(c, True) or c == "#":
            j = i + 1
            while j < n and _is_id_char(src[j], False):
                j += 1
            out.append(Token("id", src[i:j], i, j, depth, nl))
            i = j
        else:
            if c in "([{":
                stack.append(c)
            elif c in ")]}":
                if stack:
                    stack.pop()
                depth = len(stack)
            out.append(Token("punc", c, i, i + 1, depth, nl))
            i += 1
        nl = False
    return out
