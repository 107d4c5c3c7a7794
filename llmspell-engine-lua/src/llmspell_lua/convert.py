"""Values across the Lua boundary: tables ↔ dicts/lists, functions ↔ ScriptFunction,
host objects ↔ proxy tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.errors import ValidationError
from lupa import lua54

if TYPE_CHECKING:
    from llmspell_lua.engine import LuaEngine

HANDLE_KEY = "__llmspell_handle"
MAX_DEPTH = 200
_lua_type = lua54.lua_type


class Marshal:
    """Converts values for one engine (it owns the handle table of host objects)."""

    def __init__(self, engine: LuaEngine) -> None:
        self.engine = engine
        self.lua = engine.lua
        self.table_from = engine.lua.table_from
        self.rawget = engine.bridge.rawget
        self.handles: dict[int, Any] = {}
        self._handle_ids: dict[int, int] = {}

    # -- Python → Lua ------------------------------------------------------------------

    def to_lua(self, value: Any) -> Any:
        """A Lua value for a Python value."""
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, dict):
            return self.table_from({k: self.to_lua(v) for k, v in value.items()})
        if isinstance(value, list | tuple):
            return self.table_from([self.to_lua(v) for v in value])
        from llmspell_lua.engine import LuaFunction

        if isinstance(value, LuaFunction) and value.engine is self.engine:
            return value.fn
        object_type = self.engine.session.object_type(value)
        if object_type is not None:
            key = id(value)
            hid = self._handle_ids.get(key)
            if hid is None:
                hid = len(self.handles) + 1
                self.handles[hid] = value
                self._handle_ids[key] = hid
            fields = self.to_lua(object_type.fields(value))
            return self.engine.bridge.proxy(object_type.name, HANDLE_KEY, hid, fields)
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        raise ValidationError(f"cannot pass a Python {type(value).__name__} to Lua")

    # -- Lua → Python ------------------------------------------------------------------

    def from_lua(self, value: Any, depth: int = 0) -> Any:
        """A Python value for a Lua value (empty tables become ``{}``)."""
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, float):
            return int(value) if value.is_integer() and abs(value) < 2**63 else value
        if isinstance(value, int):
            return value
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        kind = _lua_type(value)
        if kind == "table":
            return self._table(value, depth)
        if kind == "function":
            from llmspell_lua.engine import LuaFunction

            return LuaFunction(self.engine, value)
        raise ValidationError(f"cannot pass a Lua {kind or type(value).__name__} to the host")

    def _table(self, table: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ValidationError(
                f"table nesting is deeper than {MAX_DEPTH} levels (does a table contain itself?)"
            )
        hid = self.rawget(table, HANDLE_KEY)
        if hid is not None and hid in self.handles:
            return self.handles[hid]
        items = list(table.items())
        if not items:
            return {}
        n = len(items)
        if all(type(k) is int for k, _ in items):
            keys = sorted(k for k, _ in items)
            if keys[0] == 1 and keys[-1] == n:
                values = dict(items)
                return [self.from_lua(values[i], depth + 1) for i in range(1, n + 1)]
        out: dict[str, Any] = {}
        for k, v in items:
            if isinstance(k, bool) or not isinstance(k, str | int | float | bytes):
                found = _lua_type(k) or type(k).__name__
                raise ValidationError(f"table keys must be strings or numbers, found a {found} key")
            if isinstance(k, bytes):
                k = k.decode("utf-8", "replace")
            elif isinstance(k, float) and k.is_integer():
                k = int(k)
            out[str(k)] = self.from_lua(v, depth + 1)
        return out
