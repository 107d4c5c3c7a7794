"""Values across the Lua boundary: tables ↔ dicts/lists, functions ↔ ScriptFunction,
host objects ↔ proxy tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lupa import lua54

from llmspell.errors import ValidationError

if TYPE_CHECKING:
    from llmspell_lua.engine import LuaEngine

HANDLE_KEY = "__llmspell_handle"
MAX_DEPTH = 200
#: integer-keyed tables up to this highest key are arrays even when sparse
SPARSE_SAFE = 10
_lua_type = lua54.lua_type


def not_utf8(exc: UnicodeDecodeError) -> str:
    """The message for a Lua string that cannot cross to the host."""
    return (
        f"a string the spell passed to the host is not valid UTF-8 "
        f"({exc.reason} at byte {exc.start})"
    )


def _plain(value: Any, seen: set[int]) -> bool:
    """True for str/number/bool/None and dicts (string keys) and lists of those, each
    container appearing once (lupa's recursive table_from mistranslates a container that
    appears twice)."""
    if len(seen) > 10_000:
        return False
    t = type(value)
    if t is dict or t is list:
        key = id(value)
        if key in seen:
            return False
        seen.add(key)
        if t is dict:
            for k, v in value.items():
                if type(k) is not str:
                    return False
                tv = type(v)
                scalar = tv is str or tv is int or tv is float or tv is bool or v is None
                if not scalar and not _plain(v, seen):
                    return False
            return True
        for v in value:
            tv = type(v)
            scalar = tv is str or tv is int or tv is float or tv is bool or v is None
            if not scalar and not _plain(v, seen):
                return False
        return True
    return t is str or t is int or t is float or t is bool or value is None


class Marshal:
    """Converts values for one engine (it owns the handle table of host objects)."""

    def __init__(self, engine: LuaEngine) -> None:
        self.engine = engine
        self.lua = engine.lua
        self.table_from = engine.lua.table_from
        self.handles: dict[int, Any] = {}
        self._handle_ids: dict[int, int] = {}

    # -- Python → Lua ------------------------------------------------------------------

    def to_lua(self, value: Any) -> Any:
        """A Lua value for a Python value."""
        t = type(value)
        if t is str or t is int or t is float or t is bool or value is None:
            return value
        if (t is dict or t is list) and _plain(value, set()):
            # plain JSON-like data: lupa builds the nested tables in C (2-3x faster)
            return self.table_from(value, recursive=True)
        if isinstance(value, bool | int | float | str):
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
        t = type(value)
        if t is str or t is int or t is bool or value is None:
            return value
        if t is float:
            return int(value) if value.is_integer() and abs(value) < 2**63 else value
        if t is bytes:
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
        try:
            items = list(table.items())
        except UnicodeDecodeError as exc:  # lupa decodes keys and values as UTF-8
            raise ValidationError(not_utf8(exc)) from None
        if not items:
            return {}
        n = len(items)
        if n == 1 and type(items[0][0]) is int:
            if items[0][0] == 1:
                return [self.from_lua(items[0][1], depth + 1)]
        elif any(k == HANDLE_KEY for k, _ in items):
            # a proxy of a host object (raw iteration sees the handle key)
            hid = dict(items)[HANDLE_KEY]
            if hid in self.handles:
                return self.handles[hid]
        if all(type(k) is int for k, _ in items):
            keys = sorted(k for k, _ in items)
            # an array, holes (nil) included, when its keys are dense enough: the rule of
            # lua-cjson (highest key <= max(2 * count, 10)), so {1, nil, 3} is [1, null, 3]
            if keys[0] >= 1 and keys[-1] <= max(2 * n, SPARSE_SAFE):
                values = dict(items)
                return [self.from_lua(values.get(i), depth + 1) for i in range(1, keys[-1] + 1)]
        out: dict[str, Any] = {}
        for k, v in items:
            if isinstance(k, bool) or not isinstance(k, str | int | float | bytes):
                found = "boolean" if isinstance(k, bool) else _lua_type(k) or type(k).__name__
                raise ValidationError(f"table keys must be strings or numbers, found a {found} key")
            if isinstance(k, bytes):
                k = k.decode("utf-8", "replace")
            elif isinstance(k, float) and k.is_integer():
                k = int(k)
            out[str(k)] = self.from_lua(v, depth + 1)
        return out
