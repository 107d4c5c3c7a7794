"""Limits that hold against hostile spells (issue 11): what the count hook cannot see
(finalizers, one long C call, a host value bigger than the engine's heap, a Lua value
bigger than the host budget) still ends with LimitExceeded naming the limit, promptly,
and the runtime stays usable."""

from __future__ import annotations

import threading
import time

import pytest

from llmspell.errors import Interrupted, LimitExceeded, ValidationError
from llmspell.runtime import Limits
from llmspell_lua import convert
from llmspell_lua.engine import LuaEngine


def _timed_fail(spell, source, limits):
    failed, seconds = spell.timed_fail(source, limits)
    return failed.error, seconds


# -- finalizers and to-be-closed variables --------------------------------------------

GC_SPELLS = {
    "looping finalizer": "setmetatable({}, {__gc = function() while true do end end})\n"
    "collectgarbage()",
    "long finalizer": "setmetatable({}, {__gc = function() for i = 1, 3e8 do end end})\n"
    "collectgarbage()",
    "finalizer at close": "setmetatable({}, {__gc = function() while true do end end})\nreturn 1",
    "non-function __gc": "setmetatable({}, {__gc = false})",
    "via load": 'load("setmetatable({}, {__gc = function() end})")()',
}


@pytest.mark.parametrize("source", GC_SPELLS.values(), ids=GC_SPELLS.keys())
def test_gc_metamethods_are_refused(spell, source):
    limits = Limits(timeout_seconds=2, instruction_limit=100_000)
    err, elapsed = _timed_fail(spell, source, limits)
    assert isinstance(err, ValidationError)
    assert "__gc metamethods are not allowed in a spell" in err.message
    assert err.file  # t.lua, or the load()ed chunk's name
    assert elapsed < 2
    spell.check_usable()


def test_gc_field_added_later_is_never_called(spell):
    # Lua 5.4 marks an object for finalization only when setmetatable sees __gc
    source = """
    local mt = {}
    setmetatable({}, mt)
    mt.__gc = function() while true do end end
    collectgarbage()
    return getmetatable(setmetatable({}, {__index = {}})) ~= nil
    """
    assert spell.value(source, limits=Limits(timeout_seconds=2)) is True


def test_refusal_is_an_ordinary_error_pcall_sees(spell):
    source = "local ok, e = pcall(setmetatable, {}, {__gc = print}) return tostring(ok) .. ' ' .. e"
    value = spell.value(source)
    assert value.startswith("false ValidationError: __gc metamethods are not allowed")


def test_looping_close_handler_hits_the_limit(spell):
    source = (
        "do\n  local x <close> = setmetatable({}, {__close = function() while true do end end})\n"
        "end"
    )
    err, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=0.5))
    assert isinstance(err, LimitExceeded) and err.limit == "timeout"
    assert elapsed < 3
    spell.check_usable()


# -- one long C call ----------------------------------------------------------------


def test_empty_rep_is_empty_at_once(spell):
    source = (
        'return #string.rep("", 2^62) + #string.rep("", 2^62, "") + #("x"):rep(0)'
        ' + #string.rep("x", -5)'
    )
    start = time.monotonic()
    assert spell.value(source, limits=Limits(timeout_seconds=2)) == 0
    assert time.monotonic() - start < 1


def test_rep_still_works(spell):
    assert spell.value('return ("ab"):rep(3, ",") .. string.rep(1, 2)') == "ab,ab,ab11"


def test_rep_past_the_memory_limit_is_refused_up_front(spell):
    err, elapsed = _timed_fail(
        spell, 'local s = string.rep("x", 2^40)', Limits(timeout_seconds=5, memory_mb=16)
    )
    assert isinstance(err, LimitExceeded)
    assert err.limit == "memory"
    assert "memory limit of 16 MB exceeded" in err.message
    assert "refused up front: string.rep" in err.message
    assert err.line == 1
    assert elapsed < 2
    spell.check_usable()


LONG_CALLS = {
    "table.move": "table.move({}, 1, math.maxinteger - 1, 2)",
    "backtracking find": 'local s = string.rep("a", 1e5)\nreturn (string.find(s, ".-.-.-.-.-b"))',
    "backtracking match": 'local s = string.rep("a", 3000)\nreturn (s:match("(.-)(.-)(.-)x"))',
    "backtracking gsub": 'local s = string.rep(" ", 5e4) .. "x"\nreturn (s:gsub("%s*%s*%s*$", ""))',
    "gmatch": 'local s = string.rep("a", 1e5)\nfor x in s:gmatch("a*a*a*b") do end',
    "plain find": 'local s = string.rep("a", 2e7)\n'
    'return (s:find(string.rep("a", 1e5) .. "b", 1, true))',
}


@pytest.mark.parametrize("source", LONG_CALLS.values(), ids=LONG_CALLS.keys())
def test_long_c_calls_are_refused_against_the_time_left(spell, source):
    err, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=1, memory_mb=128))
    assert isinstance(err, LimitExceeded)
    assert err.limit == "timeout"
    assert "wall-time limit of 1 s exceeded (refused up front:" in err.message
    assert elapsed < 3
    spell.check_usable()


@pytest.mark.parametrize("source", LONG_CALLS.values(), ids=LONG_CALLS.keys())
def test_long_c_calls_are_refused_against_the_instruction_budget(spell, source):
    limits = Limits(timeout_seconds=30, instruction_limit=1_000_000, memory_mb=128)
    err, elapsed = _timed_fail(spell, source, limits)
    assert isinstance(err, LimitExceeded)
    assert err.limit == "instructions"
    assert "instruction limit of 1000000 exceeded" in err.message
    assert elapsed < 5
    spell.check_usable()


def test_a_refusal_cannot_be_swallowed(spell):
    source = """
    for i = 1, 100 do
      pcall(string.find, string.rep("a", 1e4), ".-.-.-.-b")
    end
    return "swallowed"
    """
    err = spell.fail(source, limits=Limits(timeout_seconds=2)).error
    assert isinstance(err, LimitExceeded) and err.limit == "timeout"


HEAVY_LOOPS = {
    # under 10k VM instructions in all: the count hook alone would never fire
    "upper": 'for i = 1, 800 do local s = string.rep("ab", 4e6):upper() end',
    "concat": 'local t = {}\nfor i = 1, 1e6 do t[i] = "abcdefgh" end\n'
    "for i = 1, 2000 do local s = table.concat(t) end",
    "unpack": "local t = {}\nfor i = 1, 1e5 do t[i] = i end\nfor i = 1, 1e5 do local a = "
    "select('#', table.unpack(t)) end",
    "sort": "local t = {}\nfor i = 1, 1e6 do t[i] = -i end\nfor i = 1, 1000 do table.sort(t) end",
    "insert at the front": "local t = {}\nfor i = 1, 1e6 do t[i] = i end\n"
    "for i = 1, 1e5 do table.insert(t, 1, i) end",
    "lying __len": "local t = setmetatable({}, {__len = function() return 2^50 end})\n"
    'table.insert(t, 1, "x")',
}


@pytest.mark.parametrize("source", HEAVY_LOOPS.values(), ids=HEAVY_LOOPS.keys())
def test_loops_of_heavy_calls_see_the_deadline(spell, source):
    err, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=1, memory_mb=256))
    assert isinstance(err, LimitExceeded)
    assert err.limit == "timeout"
    assert "wall-time limit of 1 s exceeded" in err.message
    assert elapsed < 5
    spell.check_usable()


def test_heavy_calls_are_charged_to_the_instruction_budget(spell):
    source = 'for i = 1, 1000 do local s = string.rep("x", 1e5) end'
    limits = Limits(timeout_seconds=30, instruction_limit=2_000_000)
    err = spell.fail(source, limits=limits).error
    assert isinstance(err, LimitExceeded) and err.limit == "instructions"
    # the same work fits a budget that covers it
    assert (
        spell.value('for i = 1, 10 do local s = string.rep("x", 1e5) end return 1', limits=limits)
        == 1
    )


ORDINARY = {
    "trim": (
        'local s = "  " .. string.rep("hello world ", 1e4) .. "  "\n'
        'return #s:match("^%s*(.-)%s*$")',
        119_999,
    ),
    "key=value": (
        'local s = string.rep("key=value; ", 1e5)\nlocal n = 0\n'
        'for k, v in s:gmatch("(%w+)=(%w+)") do n = n + 1 end\nreturn n',
        100_000,
    ),
    "digits": ('return (select(2, string.rep("1", 1e6):find("%d+")))', 1_000_000),
    "words": (
        'local s = string.rep("the quick brown fox ", 5e4)\n'
        'return select(2, s:gsub("%a+", string.upper))',
        200_000,
    ),
    "csv": (
        'local line = string.rep("abc,def,ghi,", 1000)\nlocal n = 0\n'
        'for i = 1, 100 do for f in line:gmatch("([^,]*),") do n = n + 1 end end\n'
        "return n",
        300_000,
    ),
    "balanced": (
        'local s = string.rep("(a(b)c) ", 1e4)\nreturn select(2, s:gsub("%b()", ""))',
        10_000,
    ),
    "plain find": ('return (string.rep("ab", 1e6) .. "c"):find("abc", 1, true)', 1_999_999),
    "format": ('return #string.format("%s-%d-%q", string.rep("x", 1e5), 3, "y")', 100_006),
}


@pytest.mark.parametrize(("source", "expected"), ORDINARY.values(), ids=ORDINARY.keys())
def test_ordinary_string_work_is_not_refused(spell, source, expected):
    assert spell.value(source, limits=Limits(timeout_seconds=2)) == expected


def test_table_functions_keep_their_behaviour(spell):
    source = """
    local t = {1, 2, 3}
    table.insert(t, 4); table.insert(t, 1, 0)
    local r = table.remove(t); local r1 = table.remove(t, 1)
    local m = table.move({7, 8, 9}, 1, 3, 2, {})
    local mt = setmetatable({10, 20, 30}, {})
    table.insert(mt, 2, 15); table.remove(mt, 1)
    table.sort(t, function(a, b) return a > b end)
    local ok, e = pcall(table.insert, mt, 10, 1)
    return table.concat(t, ",") .. "|" .. r .. r1 .. "|" .. table.concat(m, ",", 2, 4)
      .. "|" .. table.concat(mt, ",") .. "|" .. select("#", table.unpack({1, 2, nil, 4}, 1, 4))
      .. "|" .. tostring(ok) .. " " .. e
    """
    assert spell.value(source) == (
        "3,2,1|40|7,8,9|15,20,30|4|false bad argument #2 to 'insert' (position out of bounds)"
    )


def test_error_messages_of_wrapped_functions_name_them(spell):
    source = """
    local ok, e = pcall(string.rep)
    local ok2, e2 = pcall(string.find, "x", "[a")
    return e .. "|" .. e2
    """
    value = spell.value(source)
    assert "bad argument #1 to 'string.rep'" in value
    assert "malformed pattern" in value


# -- host values larger than the engine's memory ----------------------------------------


def test_sync_op_result_larger_than_the_memory_left(spell):
    # JSON.parse builds 1e6 numbers: far more than the memory left; it must fail with
    # LimitExceeded, not deadlock inside lupa, and pcall cannot swallow it
    source = """
    local text = "[" .. string.rep("1,", 1e6) .. "1]"
    local ok, e = pcall(JSON.parse, text)
    print("swallowed", ok)
    """
    err, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=10, memory_mb=20))
    assert isinstance(err, LimitExceeded)
    assert err.limit == "memory"
    assert "memory limit of 20 MB exceeded (the result of JSON.parse needs about" in err.message
    assert elapsed < 5
    spell.check_usable()


def test_async_op_result_larger_than_the_memory_left(spell):
    # a tool's result holding one 20 MB string 3 times comes back into Lua as 3 new
    # strings: no PANIC, a clear limit
    source = """
    Tool.register{name = "big", description = "returns a big value", handler = function()
      local s = string.rep("x", 2e7)
      return {s, s, s}
    end}
    local r = Tool.execute("big", {})
    print("carried on", r.success)
    """
    err, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=10, memory_mb=48))
    assert isinstance(err, LimitExceeded)
    assert err.limit == "memory"
    assert "memory limit of 48 MB exceeded (the result of Tool.execute" in err.message
    assert elapsed < 5
    spell.check_usable()


def test_values_built_with_the_limit_lifted_are_delivered(spell, monkeypatch):
    # near the limit a value is built with the limit lifted (strings handed over in the
    # bridge's box): force that path for every value and check what arrives
    monkeypatch.setattr(convert, "GUARD_MARGIN", 1 << 40)
    source = """
    Tool.register{name = "echo", description = "d", handler = function(p) return p.text end}
    local s = JSON.parse('"' .. string.rep("y", 1000) .. '"')
    local t = JSON.parse('{"a": [1, 2, {"b": "c"}]}')
    local r = Tool.execute("echo", {text = "hello"})
    local ok, e = pcall(JSON.parse, "{")
    return #s .. t.a[3].b .. tostring(r.result) .. tostring(ok)
    """
    assert spell.value(source, limits=Limits(memory_mb=64)) == "1000chellofalse"


# -- Lua values larger than the host budget ---------------------------------------------


def test_shared_string_counted_each_time_it_is_reached(spell):
    source = """
    local s = string.rep("x", 1e7)
    local t = {}
    for i = 1, 200 do t[i] = s end
    return #JSON.stringify(t)
    """
    limits = Limits(timeout_seconds=10, memory_mb=64, host_memory_mb=64)
    err, elapsed = _timed_fail(spell, source, limits)
    assert isinstance(err, LimitExceeded)
    assert err.limit == "host_memory"
    assert "the arguments of JSON.stringify" in err.message
    assert "host memory limit of 64 MB" in err.message
    assert elapsed < 5
    spell.check_usable()


def test_exponentially_shared_tables_fail_fast(spell):
    source = "local t = {}\nfor i = 1, 60 do t = {t, t} end\nreturn JSON.stringify(t)"
    limits = Limits(timeout_seconds=10, host_memory_mb=16)
    err, elapsed = _timed_fail(spell, source, limits)
    assert isinstance(err, LimitExceeded)
    assert err.limit == "host_memory"
    assert elapsed < 5
    spell.check_usable()


def test_exponential_sharing_also_sees_the_deadline(spell):
    source = "local t = {}\nfor i = 1, 60 do t = {t, t} end\nreturn JSON.stringify(t)"
    err, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=0.5, host_memory_mb=100_000))
    assert isinstance(err, LimitExceeded)
    assert err.limit == "timeout"
    assert elapsed < 4


def test_the_spells_own_result_is_counted(spell):
    source = 'local s = string.rep("x", 1e7) local t = {} for i = 1, 20 do t[i] = s end return t'
    err = spell.fail(source, limits=Limits(host_memory_mb=64)).error
    assert isinstance(err, LimitExceeded) and err.limit == "host_memory"
    assert "the result of the spell" in err.message


# -- stop requests (Ctrl-C) ---------------------------------------------------------------


@pytest.fixture
def sessions(monkeypatch):
    """The RunSession of every LuaEngine created during the test."""
    seen = []
    original = LuaEngine.__init__

    def init(self, session):
        seen.append(session)
        original(self, session)

    monkeypatch.setattr(LuaEngine, "__init__", init)
    return seen


def _stop_later(sessions, delay=0.3):
    def stop():
        time.sleep(delay)
        sessions[-1].stop(Interrupted())

    thread = threading.Thread(target=stop, daemon=True)
    thread.start()
    return thread


INTERRUPTIBLE = {
    "busy loop": "while true do end",
    "pcall loop": "while true do pcall(function() while true do end end) end",
    "heavy calls": 'for i = 1, 1e9 do local s = string.rep("ab", 4e6):upper() end',
}


@pytest.mark.parametrize("source", INTERRUPTIBLE.values(), ids=INTERRUPTIBLE.keys())
def test_stop_request_interrupts_the_spell(spell, sessions, source):
    thread = _stop_later(sessions)
    err, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=30))
    thread.join()
    assert isinstance(err, Interrupted)
    assert err.kind == "Interrupted"
    assert elapsed < 5
    spell.check_usable()


def test_a_new_runtime_works_after_limits(spell_factory):
    first = spell_factory()
    first.fail('string.find(string.rep("a", 1e5), ".-.-.-b")', limits=Limits(timeout_seconds=1))
    first.fail("for i = 1, 1e5 do end", limits=Limits(instruction_limit=10_000))
    spell_factory().check_usable()
    first.check_usable()
