"""print, Debug logging, ARGS, Config, JSON and the spell's return value (script-api.md)."""

from __future__ import annotations

import pytest

from llmspell.errors import ValidationError


def test_print_formatting(spell):
    ran = spell.run('print("a", 1, nil, true, false, 1.5, 10 / 2, "x\\ty")\nprint()\nprint("end")')
    assert ran.stdout == "a\t1\tnil\ttrue\tfalse\t1.5\t5.0\tx\ty\n\nend\n"
    assert ran.stderr == ""


def test_print_uses_tostring_metamethods(spell):
    ran = spell.run(
        'local obj = setmetatable({}, {__tostring = function() return "<obj>" end})\n'
        'print(obj, Debug.timer("tm"))'
    )
    assert ran.stdout == "<obj>\tTimer: tm\n"


def test_print_tables_and_functions_show_addresses(spell):
    ran = spell.run("print({}, print)")
    table, function = ran.stdout.rstrip("\n").split("\t")
    assert table.startswith("table: ")
    assert function.startswith("function: ")


def test_print_writes_exactly_what_it_is_given(spell):
    ran = spell.run('print("no newline inside") print("multi\\nline")')
    assert ran.stdout == "no newline inside\nmulti\nline\n"


def test_stdout_and_stderr_keep_their_order(spell):
    ran = spell.run(
        'print("one")\nDebug.warn("two")\nprint("three")\nDebug.error("four", "mod")\n'
        'print("five")',
        merged=True,
    )
    assert ran.stdout == "one\n[WARN] two\nthree\n[ERROR] [mod] four\nfive\n"


def test_debug_levels_are_filtered(spell):
    ran = spell.run(
        'Debug.trace("t")\nDebug.debug("d")\nDebug.info("i")\nDebug.warn("w")\n'
        'Debug.error("e")\nDebug.log("warn", "via log")\nDebug.log("debug", "hidden")'
    )
    assert ran.stdout == ""
    assert ran.stderr == "[WARN] w\n[ERROR] e\n[WARN] via log\n"


def test_debug_level_from_settings(spell_factory):
    ran = spell_factory({"LLMSPELL_LOG_LEVEL": "debug"}).run(
        'Debug.trace("t")\nDebug.debug("d", "m")\nDebug.info({a = 1})'
    )
    assert ran.stderr == "[DEBUG] [m] d\n[INFO] {\n  a: 1\n}\n"


def test_debug_log_unknown_level(spell):
    ran = spell.run('return select(2, pcall(Debug.log, "loud", "x"))')
    assert ran.value.startswith("ValidationError: Debug.log: unknown level 'loud'")


def test_debug_dump_is_deterministic(spell):
    ran = spell.run('return Debug.dump({b = 1, a = {2, 3}, c = "x", d = {}, e = true})')
    assert ran.value == '{\n  a: [\n    2,\n    3\n  ],\n  b: 1,\n  c: "x",\n  d: {},\n  e: true\n}'
    assert spell.value("return Debug.dump(nil)") == "nil"
    assert spell.value("return Debug.dump(print)") == "<function>"


def test_args(spell):
    ran = spell.run(
        "return {ARGS[0], ARGS[1], ARGS[2], ARGS.k, ARGS.flag, ARGS.eq, ARGS[3] == nil, #ARGS}",
        argv=["a", "b", "--k", "v", "--eq=1", "--flag"],
        chunk_name="s.lua",
    )
    assert ran.value == ["s.lua", "a", "b", "v", "true", "1", True, 2]


def test_args_without_arguments(spell):
    assert spell.value("return {ARGS[0], #ARGS}") == ["t.lua", 0]


def test_config_get_and_aliases(spell):
    ran = spell.run(
        """
        local all = Config.get()
        return {type(all.runtime), Config.get("state.backend"), Config.get("runtime.memory_mb"),
                Config.get("no.such.key") == nil, Config.is_network_access_allowed(),
                Config.isNetworkAccessAllowed(), Config.is_file_access_allowed(),
                Config.isFileAccessAllowed()}
        """
    )
    assert ran.value == ["table", "memory", 256, True, False, False, True, True]


def test_json_parse_and_stringify(spell):
    ran = spell.run(
        """
        local v = JSON.parse('{"b": [1, 2.5, true, null], "a": {"x": "y"}}')
        return {JSON.stringify(v), JSON.stringify({}), JSON.stringify({1, 2}),
                JSON.stringify("s"), JSON.stringify(3), JSON.stringify({z = 1, a = 2}, true)}
        """
    )
    assert ran.value == [
        '{"a":{"x":"y"},"b":[1,2.5,true]}',
        "{}",
        "[1,2]",
        '"s"',
        "3",
        '{\n  "a": 2,\n  "z": 1\n}',
    ]


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ('JSON.parse("{")', "JSON.parse: invalid JSON at line 1 column 2"),
        ('JSON.parse("")', "JSON.parse: invalid JSON"),
        ("JSON.stringify(print)", "JSON.stringify: value is a function"),
        ("JSON.stringify({1, 0/0})", "JSON.stringify: value[2] is nan"),
    ],
)
def test_json_errors(spell, source, fragment):
    failed = spell.fail(f"\n{source}")
    assert isinstance(failed.error, ValidationError)
    assert failed.error.line == 2
    assert fragment in failed.error.message


def test_return_value_is_the_result(spell):
    assert spell.value('return {greeting = "hi", n = 2}') == {"greeting": "hi", "n": 2}
    assert spell.value("local x = 1") is None


def test_result_has_duration_and_engine(runtime):
    result = runtime.run_sync("return 1", chunk_name="t.lua")
    assert result.engine == "lua"
    assert result.duration_ms >= 0
    assert result.to_json()["result"] == 1
    assert set(result.to_json()) == {"result", "duration_ms", "usage"}
