"""The Lua sandbox (DESIGN.md §5): what a spell must not reach, and what stays."""

from __future__ import annotations

import pytest

from llmspell.errors import ScriptError

# io, os.getenv, os.exit, require, package, dofile and loadfile exist on the host's
# policies (test_stdlib.py); what could run processes or touch files outside them does not
REMOVED = [
    "io.popen",
    "io.tmpfile",
    "os.execute",
    "os.remove",
    "os.rename",
    "os.tmpname",
    "package.loadlib",
    "package.searchers",
    "debug",
    "python",
    "string.dump",
]


@pytest.mark.parametrize("name", REMOVED)
def test_dangerous_globals_are_nil(spell, name):
    assert spell.value(f"return type({name})") == "nil"


def test_string_methods_cannot_reach_dump(spell):
    assert spell.value('return type(("x").dump)') == "nil"


def test_io_popen_unreachable(spell):
    failed = spell.fail('io.popen("echo hi")')
    assert isinstance(failed.error, ScriptError)
    assert "attempt to call a nil value (field 'popen')" in failed.error.message


@pytest.mark.parametrize("mode", ["nil", '"b"', '"bt"'])
def test_load_refuses_binary_chunks(spell, mode):
    ran = spell.run(f'local f, err = load("\\27Lua\\84\\0", "x", {mode})\nreturn {{f == nil, err}}')
    refused, message = ran.value
    assert refused is True
    assert "binary" in message or "text" in message


def test_load_of_text_still_works(spell):
    assert spell.value('return load("return 1 + 2")()') == 3


def test_load_runs_in_the_sandboxed_environment(spell):
    assert spell.value('return load("return type(debug)")()') == "nil"


def test_binary_spell_source_is_refused(spell):
    failed = spell.fail("\x1bLua\x54\x00junk")
    assert isinstance(failed.error, ScriptError)
    assert "binary chunks are not allowed" in failed.error.message


def test_shebang_line_is_ignored(spell):
    assert spell.value("#!/usr/bin/env llmspell\nreturn 5") == 5


def test_time_functions_stay(spell):
    ran = spell.run(
        "return {os.time() > 1600000000, os.clock() >= 0, type(os.date('%Y')), "
        "type(os.difftime(2, 1)), os.date('!%Y-%m-%d', 0)}"
    )
    assert ran.value == [True, True, "string", "number", "1970-01-01"]


def test_safe_libraries_stay(spell):
    ran = spell.run(
        "return {string.upper('a'), math.floor(2.5), table.concat({1, 2}, ','), "
        "utf8.char(72), type(coroutine.wrap), select('#', 1, 2)}"
    )
    assert ran.value == ["A", 2, "1,2", "H", "function", 2]


def test_collectgarbage_is_restricted(spell):
    assert spell.value("return type(collectgarbage('count'))") == "number"
    failed = spell.fail('collectgarbage("stop")')
    assert "not allowed" in failed.error.message


def test_no_python_object_is_reachable_from_globals(spell):
    # walk every table reachable from _G (and metatables): no userdata (Python objects)
    ran = spell.run(
        """
        local seen, bad = {}, {}
        local function walk(v, path)
          local t = type(v)
          if t == "userdata" then bad[#bad + 1] = path return end
          if t ~= "table" or seen[v] then return end
          seen[v] = true
          for k, x in pairs(v) do
            if type(k) == "userdata" then bad[#bad + 1] = path .. "[key]" end
            walk(x, path .. "." .. tostring(k))
          end
          local mt = getmetatable(v)
          if mt then walk(mt, path .. ".<mt>") end
        end
        walk(_G, "_G")
        walk(getmetatable(""), "<string mt>")
        walk(Debug.timer("t"), "timer")
        return bad
        """
    )
    assert ran.value == {}


def test_python_attribute_access_is_impossible(spell):
    # the handle proxies are plain Lua tables; no __class__/__dict__ leads to Python
    ran = spell.run(
        """
        local t = Debug.timer("t")
        return {type(t), rawget(t, "__class__") == nil, t.__class__ == nil,
                t.__dict__ == nil, type(python), type(t.stop)}
        """
    )
    assert ran.value == ["table", True, True, True, "nil", "function"]


def test_host_functions_do_not_expose_python(spell):
    # host functions are Lua closures; indexing them is a Lua error, not Python access
    failed = spell.fail("return JSON.parse.__globals__")
    assert isinstance(failed.error, ScriptError)
    assert "attempt to index a function value" in failed.error.message


def test_globals_do_not_leak_between_runs(spell):
    spell.run("leaked = 42; string.evil = true")
    assert spell.value("return {type(leaked), type(string.evil)}") == ["nil", "nil"]
