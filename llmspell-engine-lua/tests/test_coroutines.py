"""Host calls from inside a spell's own coroutines (the request/yield bridge, DESIGN.md §3)."""

from __future__ import annotations

from llmspell.errors import ScriptError

ECHO = """
Tool.register{name = "echo", description = "d", handler = function(p) return p.v end}
"""


def test_sync_host_call_inside_coroutine_wrap(spell):
    source = "local f = coroutine.wrap(function() return JSON.stringify({a = 1}) end)\nreturn f()"
    assert spell.value(source) == '{"a":1}'


def test_async_host_call_inside_coroutine_wrap(spell):
    source = ECHO + (
        'local f = coroutine.wrap(function() return Tool.execute("echo", {v = 5}) end)\n'
        "return f().result"
    )
    assert spell.value(source) == 5


def test_yield_and_host_calls_interleave_with_resume(spell):
    ran = spell.run(
        ECHO
        + """
        local co = coroutine.create(function(x)
          local parsed = JSON.parse(x)
          local y = coroutine.yield(parsed[2])
          local r = Tool.execute("echo", {v = y * 10})
          local z = coroutine.yield(r.result)
          return State.get("missing") == nil and z
        end)
        local out = {}
        local ok, v = coroutine.resume(co, "[1, 2]")
        out[#out + 1] = v
        ok, v = coroutine.resume(co, v + 1)
        out[#out + 1] = v
        ok, v = coroutine.resume(co, "done")
        out[#out + 1] = v
        out[#out + 1] = coroutine.status(co)
        return out
        """
    )
    assert ran.value == [2, 30, "done", "dead"]


def test_generator_style_iterator_with_host_calls(spell):
    ran = spell.run(
        ECHO
        + """
        local function gen(n)
          return coroutine.wrap(function()
            for i = 1, n do coroutine.yield(Tool.execute("echo", {v = i * i}).result) end
          end)
        end
        local acc = {}
        for v in gen(4) do acc[#acc + 1] = v end
        return acc
        """
    )
    assert ran.value == [1, 4, 9, 16]


def test_nested_coroutines_with_host_calls(spell):
    ran = spell.run(
        ECHO
        + """
        local outer = coroutine.wrap(function()
          local inner = coroutine.wrap(function()
            coroutine.yield(Tool.execute("echo", {v = "inner"}).result)
          end)
          coroutine.yield(inner() .. "+" .. Tool.execute("echo", {v = "outer"}).result)
        end)
        return outer()
        """
    )
    assert ran.value == "inner+outer"


def test_host_error_inside_coroutine_is_catchable(spell):
    ran = spell.run(
        """
        local co = coroutine.create(function() return Tool.execute("nope", {}) end)
        return {coroutine.resume(co)}
        """
    )
    ok, message = ran.value
    assert ok is False
    assert "NotFoundError: unknown tool 'nope'" in message


def test_tool_handler_may_use_coroutines_and_host_calls(spell):
    ran = spell.run(
        ECHO
        + """
        Tool.register{name = "outer", description = "d", handler = function(p)
          local f = coroutine.wrap(function()
            return Tool.execute("echo", {v = p.n + 1}).result
          end)
          return f()
        end}
        return Tool.execute("outer", {n = 41}).result
        """
    )
    assert ran.value == 42


def test_isyieldable_is_false_at_top_level(spell):
    ran = spell.run(
        "local top = coroutine.isyieldable()\n"
        "local inside = coroutine.wrap(function() return coroutine.isyieldable() end)()\n"
        "return {top, inside}"
    )
    assert ran.value == [False, True]


def test_yield_at_top_level_is_an_error(spell):
    failed = spell.fail("local x = 1\ncoroutine.yield(x)\n")
    assert isinstance(failed.error, ScriptError)
    assert failed.error.display() == (
        "t.lua:2: ScriptError: attempt to yield from outside a coroutine"
    )


def test_yield_at_top_level_is_catchable(spell):
    ran = spell.run("return {pcall(coroutine.yield, 1)}")
    assert ran.value == [False, "attempt to yield from outside a coroutine"]


def test_yield_in_a_tool_handler_root_is_an_error(spell):
    ran = spell.run(
        """
        Tool.register{name = "y", description = "d", handler = function() coroutine.yield(1) end}
        local r = Tool.execute("y", {})
        return {r.success, r.error}
        """
    )
    success, error = ran.value
    assert success is False
    assert "attempt to yield from outside a coroutine" in error


def test_cannot_forge_a_request_by_yielding(spell):
    # yielding look-alike values from a user coroutine stays inside the spell
    ran = spell.run(
        """
        local co = coroutine.wrap(function() coroutine.yield("\\0llmspell:request", 0) end)
        return co()
        """
    )
    assert ran.value == "\x00llmspell:request"


def test_request_inside_a_c_callback_is_a_clear_validation_error(spell):
    out = spell.run(
        'State.set("k", 1)\n'
        "local ok, err = pcall(table.sort, {3, 1, 2}, function(a, b)\n"
        '  return State.get("k") and a < b\n'
        "end)\n"
        "print(ok, err)\n"
        'print((string.gsub("ab", "%w", function(c) return Tool.exists(c) and "" or c end)))\n'
    )
    first, second = out.stdout.splitlines()
    assert first.startswith("false\tt.lua:3: ValidationError: State.get cannot be called")
    assert "table.sort comparator" in first
    assert second == "ab"  # sync host functions work inside C callbacks
