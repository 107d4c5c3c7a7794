"""Values across the bridge (DESIGN.md §3): tables ↔ dict, arrays ↔ list, integers stay
integers, nil ↔ None."""

from __future__ import annotations

import pytest

from llmspell.errors import ValidationError

ECHO_TOOL = """
Tool.register{name = "echo", description = "returns its params",
  handler = function(p) return p end}
local function echo(v) return Tool.execute("echo", {v = v}).result.v end
"""


def test_nested_tables(spell):
    value = spell.value('return {a = {b = {1, 2, {c = true}}}, s = "x", n = -3}')
    assert value == {"a": {"b": [1, 2, {"c": True}]}, "s": "x", "n": -3}


def test_arrays_become_lists(spell):
    assert spell.value('return {"a", "b", "c"}') == ["a", "b", "c"]
    assert spell.value("return {{1, 2}, {3}}") == [[1, 2], [3]]


def test_empty_table_is_an_object(spell):
    assert spell.value("return {}") == {}
    assert spell.value("return {a = {}}") == {"a": {}}


def test_integers_stay_integers(spell):
    value = spell.value("return {1, math.maxinteger, math.mininteger, -7, 0}")
    assert value == [1, 2**63 - 1, -(2**63), -7, 0]
    assert all(type(v) is int for v in value)


def test_integral_floats_become_ints(spell):
    value = spell.value("return {3.0, 10 / 2, 2^53, -0.0}")
    assert value == [3, 5, 2**53, 0]
    assert all(type(v) is int for v in value)


def test_non_integral_and_huge_floats_stay_floats(spell):
    value = spell.value("return {1.5, 2^63, 1e300}")
    assert value == [1.5, 2.0**63, 1e300]
    assert all(type(v) is float for v in value)


def test_scalars(spell):
    assert spell.value("return nil") is None
    assert spell.value("return true") is True
    assert spell.value("return false") is False
    assert spell.value('return "héllo"') == "héllo"
    assert spell.value("return") is None


def test_only_the_first_return_value_is_the_result(spell):
    assert spell.value("return 1, 2, 3") == 1


def test_nil_holes_become_null_in_dense_arrays(spell):
    # holes in a dense enough integer-keyed table become nil/null (lua-cjson's rule)
    assert spell.value("return {1, nil, 3}") == [1, None, 3]
    assert spell.value("return {[2] = 'b'}") == [None, "b"]
    assert spell.value("local t = {} t[3] = 1 t[40] = 2 return t") == {"3": 1, "40": 2}
    assert spell.value("return {[0] = 'z', 'a'}") == {"0": "z", "1": "a"}
    assert spell.value("return {[1] = 'a', [3] = 'c'}") == ["a", None, "c"]


def test_trailing_nil_is_dropped(spell):
    assert spell.value("return {1, 2, nil}") == [1, 2]


def test_nil_values_are_absent_keys(spell):
    assert spell.value("return {a = nil, b = 1}") == {"b": 1}


def test_non_string_keys_become_strings(spell):
    value = spell.value('return {[5] = "five", [1.5] = "x", [2.0] = "two", name = "n"}')
    assert value == {"5": "five", "1.5": "x", "2": "two", "name": "n"}


def test_array_not_starting_at_one_is_an_object(spell):
    assert spell.value("return {[0] = 'z', 'a'}") == {"0": "z", "1": "a"}


@pytest.mark.parametrize(
    ("key", "word"),
    [("true", "boolean"), ("{}", "table"), ("print", "function")],
)
def test_unsupported_keys_are_refused(spell, key, word):
    err = spell.fail(f"return {{[{key}] = 1}}").error
    assert isinstance(err, ValidationError)
    assert f"found a {word} key" in err.message
    assert err.file == "t.lua"


def test_table_containing_itself_is_refused(spell):
    err = spell.fail("local t = {}\nt.self = t\nreturn t").error
    assert isinstance(err, ValidationError)
    assert "contain itself" in err.message
    assert err.file == "t.lua"


def test_table_containing_itself_refused_by_host_calls(spell):
    ran = spell.run("local t = {1}\nt[2] = t\nreturn select(2, pcall(JSON.stringify, t))")
    assert ran.value.startswith("ValidationError: ")
    assert "contain itself" in ran.value


def test_shared_subtables_are_fine(spell):
    value = spell.value("local s = {1}\nreturn {a = s, b = s}")
    assert value == {"a": [1], "b": [1]}


def test_deep_but_finite_nesting(spell):
    value = spell.value("local t = {} local c = t for i = 1, 50 do c.n = {} c = c.n end return t")
    depth = 0
    while value:
        value = value["n"]
        depth += 1
    assert depth == 50


def test_round_trip_through_the_host(spell):
    ran = spell.run(
        ECHO_TOOL
        + """
        local v = echo({list = {1, 2, 3}, obj = {x = "y"}, empty = {}, f = 1.5, i = 7,
                        b = false, s = "str", nested = {{a = 1}, {b = {2}}}})
        return {
          math.type(v.i), math.type(v.f), v.i, v.f, #v.list, v.list[3], v.obj.x,
          next(v.empty) == nil, v.b, v.s, v.nested[2].b[1], type(v.nested)
        }
        """
    )
    assert ran.value == ["integer", "float", 7, 1.5, 3, 3, "y", True, False, "str", 2, "table"]


def test_integral_float_comes_back_as_integer(spell):
    ran = spell.run(ECHO_TOOL + "local v = echo(4.0) return {math.type(v), v}")
    assert ran.value == ["integer", 4]


def test_host_values_reach_lua_with_their_types(spell):
    ran = spell.run(
        'local v = JSON.parse(\'{"i": 3, "f": 2.5, "big": 9007199254740993, "n": null, '
        '"l": [1, "a", true], "o": {}}\')\n'
        "return {math.type(v.i), math.type(v.f), v.big, v.n == nil, #v.l, v.l[2], v.l[3], "
        "type(v.o)}"
    )
    assert ran.value == ["integer", "float", 9007199254740993, True, 3, "a", True, "table"]


def test_functions_cross_as_script_functions(spell):
    # a function passed to the host can be called back (Tool.register's handler)
    ran = spell.run(
        """
        local calls = 0
        Tool.register{name = "count", description = "d", handler = function(p)
          calls = calls + 1
          return p.n * 2
        end}
        local a = Tool.execute("count", {n = 2}).result
        local b = Tool.execute("count", {n = 5}).result
        return {a, b, calls}
        """
    )
    assert ran.value == [4, 10, 2]


def test_strings_with_embedded_zeros_and_unicode(spell):
    assert spell.value('return "a\\0b"') == "a\x00b"
    assert spell.value("return JSON.parse('\"\\\\u00e9\\\\ud83d\\\\ude00\"')") == "é😀"
    assert spell.value("return utf8.char(0x1F600)") == "😀"


@pytest.mark.parametrize(
    "source", ['return "\\xff"', 'return {["\\xff"] = 1}', 'return {{s = "ok\\xfe"}}']
)
def test_invalid_utf8_returned_is_a_validation_error(spell, source):
    err = spell.fail(source).error
    assert isinstance(err, ValidationError)
    assert "not valid UTF-8" in err.message
    assert spell.value("return 1") == 1


def test_invalid_utf8_passed_to_the_host_is_catchable(spell):
    ran = spell.run('return select(2, pcall(JSON.stringify, {"\\xff"}))')
    assert ran.value.startswith("ValidationError: ")
    assert "UTF-8" in ran.value


def test_invalid_utf8_printed_is_a_spell_error_not_a_crash(spell):
    err = spell.fail('print("\\xff")').error
    assert err.kind in {"ScriptError", "ValidationError"}


def test_a_table_reached_twice_crosses_intact(spell):
    # a workflow result holds the same step output under outputs and iterations; the
    # fast conversion of plain data must not mistranslate the second occurrence
    value = spell.value(
        """
        local wf = Workflow.loop{name = "twice", range = {start = 1, ["end"] = 2},
          steps = {{name = "s", fn = function(ctx) return {n = ctx.loop.item} end}}}
        local r = wf:execute()
        return {r.outputs.s.n, r.iterations[2].outputs.s.n, type(r.iterations[2].outputs.s)}
        """
    )
    assert value == [2, 2, "table"]


def test_deep_and_wide_plain_data_crosses(spell):
    value = spell.value(
        ECHO_TOOL + 'local t = echo({list = {1, 2, {x = "y"}}, map = {a = {b = {c = {}}}}})\n'
        "return {t.list[3].x, type(t.map.a.b.c), #t.list}"
    )
    assert value == ["y", "table", 3]
