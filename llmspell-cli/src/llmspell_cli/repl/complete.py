"""Is an entry complete, or does it continue on the next line?

Lua asks Lua's own compiler, as ``lua.c`` does: an entry that compiles (as
``return <entry>`` or as statements) is complete; one whose error ends at ``<eof>`` needs
more lines; any other error is complete (running it reports the error). JavaScript uses a
scanner (brackets, strings, template literals, comments, regular expressions): an entry
inside a template literal or a block comment, or with a bracket left open, continues.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_complete"]

_lua_load: Any = None


def is_complete(engine: str, text: str) -> bool:
    """True when ``text`` is a whole entry for ``engine`` ("lua" or "js"); an engine
    without a checker takes every line as a whole entry."""
    if not text.strip():
        return True
    if engine == "lua":
        return _lua_complete(text)
    if engine == "js":
        from llmspell_js.interactive import bracket_depth

        depth = bracket_depth(text)
        return depth == 0
    return True


def _lua_complete(text: str) -> bool:
    load = _compiler()
    if load("return " + text + "\n")[0] is not None:
        return True
    fn, err = load(text)
    if fn is not None:
        return True
    return not str(err).rstrip().endswith("<eof>")


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
