"""Is an entry complete, or does it continue on the next line?

Lua asks Lua's own compiler, as ``lua.c`` does: an entry that compiles (as
``return <entry>`` or as statements) is complete; one whose error ends at ``<eof>`` needs
more lines; any other error is complete (running it reports the error). JavaScript uses a
scanner (brackets, strings, template literals, comments, regular expressions): an entry
inside a template literal or a block comment, or with a bracket left open, continues.
"""

from __future__ import annotations

from typing import Any

__all__ = ["entry_status", "is_complete"]

_lua_load: Any = None


def is_complete(engine: str, text: str) -> bool:
    """True when ``text`` is a whole entry for ``engine`` ("lua" or "js"): an entry with
    a syntax error more lines cannot fix is whole too (running it reports the error); an
    engine without a checker takes every line as a whole entry."""
    return entry_status(engine, text) != "incomplete"


def entry_status(engine: str, text: str) -> str:
    """"complete", "incomplete" (more lines will finish it) or "invalid" (a syntax error
    more lines cannot fix) — the REPL's Enter and the kernel's ``is_complete`` both ask."""
    if not text.strip():
        return "complete"
    if engine == "lua":
        return _lua_status(text)
    if engine == "js":
        from llmspell_js.interactive import entry_status as js_entry_status

        return js_entry_status(text)
    return "complete"


def _lua_status(text: str) -> str:
    load = _compiler()
    if load("return " + text + "\n")[0] is not None:
        return "complete"
    fn, err = load(text)
    if fn is not None:
        return "complete"
    return "incomplete" if str(err).rstrip().endswith("<eof>") else "invalid"


def _compiler() -> Any:
    """Lua's ``load`` in a bare state that never runs anything it compiles."""
    global _lua_load
    if _lua_load is None:
        from lupa import lua54

        lua = lua54.LuaRuntime(register_eval=False, register_builtins=False)
        raw = lua.eval("function(s) local f, e = load(s, '=stdin', 't', {}) return f, e end")

        def load(source: str) -> tuple[Any, Any]:
            result = raw(source)
            return result if isinstance(result, tuple) else (result, None)

        _lua_load = load
    return _lua_load
