"""Interactive entries for JavaScript (``llmspell repl``).

An entry is evaluated as a global script (as QuickJS's own ``qjs`` does), so its
top-level ``let``, ``const`` and ``class`` declarations join the global lexical scope and
later entries see them. A script cannot ``await`` at its top level; an entry that does is
run as the body of an async function instead (as Node's REPL does), rewritten on the same
lines so error lines stay right:

- an entry that is one expression becomes ``(async () => (entry))()`` and its value is
  echoed;
- otherwise the body of ``(async () => { entry })()``, with each top-level ``let``,
  ``const`` or ``var NAME`` declaration turned into an assignment to a global ``let NAME``
  declared first (a ``const`` so declared can be assigned again in a later entry), and
  ``function NAME`` / ``class NAME`` into ``NAME = function NAME`` / ``NAME = class NAME``
  (such a function is defined where it stands, not hoisted to the top of the entry).
  Destructuring declarations (``const {a} = await f()``) stay local to the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from llmspell_js.jslex import LexError, Token, tokenize

__all__ = ["AsyncEntry", "async_entry", "entry_status", "uses_await"]

_DECLARATIONS = frozenset({"let", "const", "var"})


@dataclass
class AsyncEntry:
    """An entry rewritten to run in an async function: the names to declare as global
    ``let`` bindings first, and the statement-form source."""

    names: list[str] = field(default_factory=list)
    body: str = ""


def uses_await(src: str) -> bool:
    """True when ``src`` has an ``await`` token (outside strings and comments)."""
    try:
        return any(t.kind == "id" and t.text == "await" for t in tokenize(src))
    except LexError:
        return False


def expression_form(src: str) -> str:
    """``src`` as an async arrow function's expression body (not yet called)."""
    return "(async () => (" + src + "\n))"


def async_entry(src: str) -> AsyncEntry:
    """``src`` rewritten as the body of an async function (module docstring)."""
    toks = tokenize(src)
    names: list[str] = []
    edits: list[tuple[int, int, str]] = []
    for k, tok in enumerate(toks):
        if tok.depth != 0 or tok.kind != "id" or _after_dot(toks, k):
            continue
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if tok.text in _DECLARATIONS and nxt is not None and nxt.kind == "id":
            declared = _declarator_names(toks, k + 1)
            names.extend(declared)
            edits.append((tok.start, nxt.start, ""))
        elif tok.text in ("function", "class") and nxt is not None and nxt.kind == "id":
            start, before = tok.start, k - 1
            if k > 0 and toks[k - 1].text == "async" and toks[k - 1].depth == 0:
                start, before = toks[k - 1].start, k - 2
            if before >= 0 and toks[before].text not in (";", "}") and not toks[before + 1].nl:
                continue  # an expression (x = function f() {}), not a declaration
            names.append(nxt.text)
            edits.append((start, start, f"{nxt.text} = "))
            close = _body_end(toks, k + 2)
            if close is not None:
                edits.append((close, close, ";"))
    body = src
    for start, end, text in sorted(edits, reverse=True):
        body = body[:start] + text + body[end:]
    return AsyncEntry(names=list(dict.fromkeys(names)), body="(async () => {" + body + "\n})()")


def _after_dot(toks: list[Token], k: int) -> bool:
    return k > 0 and toks[k - 1].text in (".", "?.")


def _declarator_names(toks: list[Token], k: int) -> list[str]:
    """The names a ``let a = 1, b = f(x)`` declaration starting at token ``k`` binds:
    the identifier after the keyword and after each comma at the declaration's level,
    up to a ``;`` or the end of its line."""
    names = [toks[k].text]
    j = k + 1
    while j < len(toks):
        tok = toks[j]
        if tok.depth == 0 and (tok.text == ";" or (tok.nl and toks[j - 1].text != ",")):
            break
        if (
            tok.depth == 0
            and tok.text == ","
            and j + 1 < len(toks)
            and toks[j + 1].kind == "id"
            and (j + 2 >= len(toks) or toks[j + 2].text in ("=", ",", ";") or toks[j + 2].nl)
        ):
            names.append(toks[j + 1].text)
        j += 1
    return names


def _body_end(toks: list[Token], k: int) -> int | None:
    """The end offset of the ``{...}`` body of a function or class whose name ends at
    token ``k - 1``: the first ``}`` back at depth 0 after a ``{`` at depth 0."""
    opened = False
    for tok in toks[k:]:
        if tok.depth == 0 and tok.text == "{":
            opened = True
        elif opened and tok.depth == 0 and tok.text == "}":
            return tok.end
    return None


def entry_status(src: str) -> str:
    """Whether ``src`` is a whole entry: "complete"; "incomplete" when it ends inside a
    template literal or a block comment or leaves a bracket (or template ``${``) open
    (more lines will finish it); "invalid" when more lines cannot help (a string or
    regular expression left open on its line, a closing bracket too many)."""
    try:
        toks = tokenize(src)
    except LexError as exc:
        return "incomplete" if "template" in str(exc) or "comment" in str(exc) else "invalid"
    depth = 0
    for tok in toks:
        if tok.kind == "punc" and tok.text in "([{":
            depth += 1
        elif tok.kind == "punc" and tok.text in ")]}":
            depth -= 1
        elif tok.kind == "tpl":
            if tok.text.startswith("}"):
                depth -= 1
            if tok.text.endswith("${"):
                depth += 1
        if depth < 0:
            return "invalid"
    return "incomplete" if depth > 0 else "complete"
