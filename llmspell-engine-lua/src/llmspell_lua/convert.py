"""Values across the Lua boundary: tables ↔ dicts/lists, functions ↔ ScriptFunction,
host objects ↔ proxy tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lupa import lua54

from llmspell.errors import ValidationError
from llmspell.values import RawBytes

if TYPE_CHECKING:
    from llmspell_lua.engine import LuaEngine

HANDLE_KEY = "__llmspell_handle"
MAX_DEPTH = 200
#: integer-keyed tables up to this highest key are arrays even when sparse
SPARSE_SAFE = 10
_lua_type = lua54.lua_type

# Upper estimates of what a value takes inside Lua 5.4 (measured with lupa 2.8: a table
# header is 56 bytes, an array slot 16 and a hash node 24-32, both grown by doubling; a
# string 24 bytes of header plus its UTF-8 bytes).
TABLE_BYTES = 64
ARRAY_SLOT_BYTES = 32
HASH_SLOT_BYTES = 80
STRING_BYTES = 32
#: a host object proxy (a table, its handle and metatable link) besides its fields
PROXY_BYTES = 256
#: headroom kept free when a value is pushed into Lua unguarded
GUARD_MARGIN = 256 * 1024
#: conversions check the wall clock and stop requests every this many tables
STOP_CHECK_EVERY = 4096
#: host bytes counted for a converted table besides its contents, and per entry
HOST_TABLE_BYTES = 100
HOST_ENTRY_BYTES = 50


def str_bytes(value: str) -> int:
    """The UTF-8 size of ``value`` (exact for ASCII and big strings, else an upper bound)."""
    n = len(value)
    if value.isascii():
        return n
    if n < 4096:
        return 4 * n
    return len(value.encode("utf-8", "surrogatepass"))


def lua_size(value: Any, cap: float, fields_of: Any = None) -> int:
    """An upper estimate of the bytes ``value`` takes once built in Lua; stops counting
    (returning more than ``cap``) as soon as the total passes ``cap``. ``fields_of(v)``
    gives the fields of a host object's proxy (None for other values)."""
    total = 0
    stack = [value]
    pop, push = stack.pop, stack.append
    while stack:
        v = pop()
        t = type(v)
        if t is str:
            total += STRING_BYTES + str_bytes(v)
        elif t is dict:
            total += TABLE_BYTES + HASH_SLOT_BYTES * len(v)
            for k, item in v.items():
                if type(k) is str:
                    total += STRING_BYTES + len(k)
                push(item)
        elif t is list or t is tuple:
            total += TABLE_BYTES + ARRAY_SLOT_BYTES * len(v)
            stack.extend(v)
        elif t is int or t is float or t is bool or v is None:
            continue
        elif isinstance(v, str | bytes):
            total += STRING_BYTES + len(v) * (1 if isinstance(v, bytes) else 4)
        elif isinstance(v, dict):
            stack.append(dict(v))
        elif isinstance(v, list | tuple):
            stack.append(list(v))
        else:
            total += PROXY_BYTES
            fields = fields_of(v) if fields_of is not None else None
            if fields is not None:
                push(fields)
        if total > cap:
            break
    return total


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
        self._of, self._part = "a host call", "arguments"
        limits = engine.session.limits
        #: the Lua heap limit in bytes (lupa's max_memory), None when unlimited
        self.max_memory: int | None = (limits.memory_mb or 0) * 1024 * 1024 or None
        self._memory_used = engine.lua.get_memory_used
        self._host_budget = limits.host_memory_bytes
        self._host_bytes = 0
        self._tables = 0

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
            if isinstance(value, RawBytes):
                return bytes(value)  # a Lua string of the same bytes
            return value.decode("utf-8", "replace")
        raise ValidationError(f"cannot pass a Python {type(value).__name__} to Lua")

    def guarded(self, value: Any, of: str, *, force: bool = False) -> Any:
        """A Lua value for ``value`` whose building and pushing into Lua cannot fail
        for memory: a Lua memory error outside a protected call would abort the process
        (lupa's PANIC) or deadlock inside lupa. The value is sized first; one that does
        not fit in the memory left is refused with LimitExceeded (unless ``force``, for
        error messages); near the limit it is built with the limit lifted by its size
        and, when it is a string (lupa pushes those later), handed over in the
        bridge's box."""
        t = type(value)
        limit = self.max_memory
        if t is str:
            if limit is None or 4 * len(value) + GUARD_MARGIN < limit - self._memory_used():
                return value  # (the common case, kept short: every host call passes here)
        elif t is int or t is float or t is bool or value is None:
            return value
        if limit is None:
            return self.to_lua(value)
        lua = self.lua
        left = limit - lua.get_memory_used()
        size = lua_size(value, left, self._fields_of)
        if size + GUARD_MARGIN > left:
            lua.gccollect()
            left = limit - lua.get_memory_used()
            # (the first count stopped at the old cap)
            size = lua_size(value, left, self._fields_of)
            if size > left and not force:
                raise self.engine.memory_error(
                    f"the result of {of} needs about {size / 1048576:.1f} MB in Lua, "
                    f"{max(left, 0) / 1048576:.1f} MB are left"
                )
        if t is str and size + GUARD_MARGIN <= left:
            return value
        # tables are built with the limit lifted by twice their estimate: lupa's
        # table_from is not a protected call, so an underestimate must not fail there
        # (the spell's next allocation meets the limit instead, in protected code)
        lua.set_max_memory(limit + 2 * size + GUARD_MARGIN)
        try:
            built = self.to_lua(value)
            if type(built) is str:
                self.engine.bridge.box[1] = built
                return self.engine.bridge.BOXED
            return built
        finally:
            lua.set_max_memory(limit)

    def guarded_bytes(self, data: bytes, of: str) -> Any:
        """``data`` as a Lua string of the same bytes (no UTF-8 decoding), sized against
        the memory left like :meth:`guarded` does for text."""
        limit = self.max_memory
        if limit is None:
            return data
        lua = self.lua
        size = STRING_BYTES + len(data)
        left = limit - lua.get_memory_used()
        if size + GUARD_MARGIN <= left:
            return data
        lua.gccollect()
        left = limit - lua.get_memory_used()
        if size > left:
            raise self.engine.memory_error(
                f"the result of {of} needs about {size / 1048576:.1f} MB in Lua, "
                f"{max(left, 0) / 1048576:.1f} MB are left"
            )
        lua.set_max_memory(limit + 2 * size + GUARD_MARGIN)
        try:
            self.engine.bridge.box[1] = data
            return self.engine.bridge.BOXED
        finally:
            lua.set_max_memory(limit)

    def _fields_of(self, value: Any) -> Any:
        from llmspell_lua.engine import LuaFunction

        if isinstance(value, LuaFunction):
            return None
        object_type = self.engine.session.object_type(value)
        return object_type.fields(value) if object_type is not None else None

    def pack(self, values: list[Any], of: str, part: str) -> Any:
        """A Lua table ``{n = #values, ...}`` of the converted values (guarded)."""
        packed: dict[Any, Any] = {i: v for i, v in enumerate(values, 1)}
        packed["n"] = len(values)
        return self.guarded(packed, of)

    # -- Lua → Python ------------------------------------------------------------------

    def from_host_side(self, value: Any, of: str, part: str = "arguments") -> Any:
        """:meth:`from_lua` for one value crossing to the host, counting the bytes it
        makes the host hold (a table referenced twice is counted twice, as it is
        converted twice) against the run's host memory budget, and checking the wall
        clock as it goes: a huge or exponentially shared value fails fast with
        LimitExceeded."""
        t = type(value)
        if t is int or t is bool or t is float or value is None:
            return self.from_lua(value)
        self._host_bytes = 0
        self._tables = 0
        self._of, self._part = of, part
        return self.from_lua(value)

    def _count(self, size: int) -> None:
        self._host_bytes += size
        budget = self._host_budget
        if budget is not None and self._host_bytes > budget:
            what = f"the {self._part} of {self._of}"
            self.engine.session.check_host_bytes(self._host_bytes, what)

    def from_lua(self, value: Any, depth: int = 0) -> Any:
        """A Python value for a Lua value (empty tables become ``{}``)."""
        t = type(value)
        if t is str:
            if depth == 0 and len(value) > 4096:  # (a table's strings count in _table)
                self._count(len(value))
            return value
        if t is int or t is bool or value is None:
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
        items: list[tuple[Any, Any]] = []
        append = items.append
        try:
            # one pair at a time: lupa makes a new Python string for every string it
            # meets, so a big string referenced many times is counted as it comes
            for pair in table.items():
                v = pair[1]
                if type(v) is str and len(v) > 4096:
                    self._count(len(v))
                append(pair)
        except UnicodeDecodeError as exc:  # lupa decodes keys and values as UTF-8
            raise ValidationError(not_utf8(exc)) from None
        n = len(items)
        self._count(HOST_TABLE_BYTES + HOST_ENTRY_BYTES * n)
        self._tables += 1
        if self._tables % STOP_CHECK_EVERY == 0:
            self.engine.session.check_deadline()
        if not items:
            return {}
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
