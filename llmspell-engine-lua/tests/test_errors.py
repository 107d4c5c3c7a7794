"""Errors (DESIGN.md §8, script-api.md#errors): kinds, file:line, and what pcall sees."""

from __future__ import annotations

import pytest

from llmspell.errors import (
    ConfigurationError,
    LimitExceeded,
    NotFoundError,
    ScriptError,
    ToolError,
    ValidationError,
    WorkflowError,
)


def test_error_with_a_kind_carries_file_and_line(spell):
    failed = spell.fail('local x = 1\n\nerror("ToolError: the tool broke")')
    err = failed.error
    assert isinstance(err, ToolError)
    assert err.file == "t.lua"
    assert err.line == 3
    assert err.message == "the tool broke"
    assert err.display() == "t.lua:3: ToolError: the tool broke"


def test_chunk_name_is_the_file_in_the_location(spell):
    failed = spell.fail('error("ValidationError: bad")', chunk_name="research.lua")
    assert failed.error.display() == "research.lua:1: ValidationError: bad"


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        ("ValidationError", ValidationError),
        ("ConfigurationError", ConfigurationError),
        ("ToolError", ToolError),
        ("NotFoundError", NotFoundError),
        ("WorkflowError", WorkflowError),
        ("ScriptError", ScriptError),
    ],
)
def test_kinds_are_mapped(spell, kind, cls):
    failed = spell.fail(f'error("{kind}: message")')
    assert type(failed.error) is cls
    assert failed.error.kind == kind
    assert failed.error.display() == f"t.lua:1: {kind}: message"


def test_unknown_kind_is_a_script_error_keeping_the_text(spell):
    failed = spell.fail('error("MadeUpError: x")')
    assert type(failed.error) is ScriptError
    assert failed.error.display() == "t.lua:1: ScriptError: MadeUpError: x"


def test_plain_error_is_a_script_error(spell):
    failed = spell.fail('\nerror("something went wrong")')
    assert type(failed.error) is ScriptError
    assert failed.error.display() == "t.lua:2: ScriptError: something went wrong"


def test_error_level_zero_has_no_line(spell):
    failed = spell.fail('error("ToolError: no position", 0)')
    assert isinstance(failed.error, ToolError)
    assert failed.error.display() == "t.lua: ToolError: no position"


def test_runtime_error_is_a_script_error(spell):
    failed = spell.fail("local t = nil\nlocal x = 1\nreturn t.field")
    err = failed.error
    assert type(err) is ScriptError
    assert err.line == 3
    assert "attempt to index a nil value (local 't')" in err.message


def test_runtime_error_in_a_function_names_its_line(spell):
    source = "local function f(a)\n  return a + {}\nend\nlocal y = f(1)\n"
    failed = spell.fail(source)
    assert failed.error.line == 2
    assert "attempt to perform arithmetic" in failed.error.message


def test_syntax_error(spell):
    failed = spell.fail("local x = 1\nlocal y = = 2\n")
    err = failed.error
    assert type(err) is ScriptError
    assert err.file == "t.lua"
    assert err.line == 2
    assert err.message.startswith("syntax error: ")
    assert err.display().startswith("t.lua:2: ScriptError: syntax error: ")


def test_syntax_error_unfinished_block(spell):
    failed = spell.fail("if true then\n  print(1)\n")
    assert type(failed.error) is ScriptError
    assert "syntax error" in failed.error.message
    assert "'end' expected" in failed.error.message


def test_host_error_uncaught_has_the_calling_line(spell):
    failed = spell.fail('local a = 1\nlocal v = JSON.parse("{not json")\n')
    err = failed.error
    assert type(err) is ValidationError
    assert err.line == 2
    assert err.display().startswith("t.lua:2: ValidationError: JSON.parse: invalid JSON")


def test_async_host_error_uncaught_has_the_calling_line(spell):
    failed = spell.fail('\n\nlocal r = Tool.execute("no-such-tool", {})\n')
    err = failed.error
    assert type(err) is NotFoundError
    assert err.display().startswith("t.lua:3: NotFoundError: unknown tool 'no-such-tool'")


@pytest.mark.parametrize(
    "source",
    [
        'return JSON.parse("{")',
        'return Tool.execute("nope", {})',
        "local t = Debug.timer('x')\nreturn t.stop()",
    ],
)
def test_host_error_in_a_top_level_tail_call_names_the_spell(spell, source):
    # a tail call loses the caller's line, but the location must be the spell, never
    # the engine's own prelude
    err = spell.fail(source).error
    assert err.file == "t.lua"
    assert "prelude" not in err.display()
    assert err.kind in {"ValidationError", "NotFoundError"}


def test_pcall_catches_host_errors_as_kind_strings(spell):
    ran = spell.run(
        """
        local ok1, e1 = pcall(JSON.parse, "{")
        local ok2, e2 = pcall(Tool.execute, "nope", {})
        local ok3, e3 = pcall(State.save, "s", "k", function() end)
        return {ok1, e1, ok2, e2, ok3, e3, type(e1)}
        """
    )
    ok1, e1, ok2, e2, ok3, e3, ty = ran.value
    assert (ok1, ok2, ok3, ty) == (False, False, False, "string")
    assert e1.startswith("ValidationError: JSON.parse: invalid JSON at line 1 column 2")
    assert e2.startswith("NotFoundError: unknown tool 'nope'")
    assert e3.startswith("ValidationError: State.save: value is a function")


def test_pcall_in_a_function_sees_location_then_kind(spell):
    ran = spell.run(
        """
        local ok, e = pcall(function()
          local v = JSON.parse("[")
          return v
        end)
        return e
        """
    )
    assert ran.value.startswith("t.lua:3: ValidationError: JSON.parse")


def test_argument_errors_are_validation_errors(spell):
    ran = spell.run(
        """
        local _, a = pcall(JSON.parse, 42)
        local _, b = pcall(JSON.parse)
        local _, c = pcall(State.save, "scope")
        return {a, b, c}
        """
    )
    a, b, c = ran.value
    assert a == "ValidationError: JSON.parse: argument 1 'text' must be a string, got number"
    assert b == "ValidationError: JSON.parse: argument 1 'text' is required, got nil"
    assert c.startswith("ValidationError: State.save: argument 2 'key' is required")


def test_error_objects_survive_pcall(spell):
    assert spell.value("local ok, e = pcall(error, {code = 7})\nreturn e.code") == 7


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("error({code = 1})", "(error object is a table value)"),
        ("error()", "(error object is a nil value)"),
        ("error(42)", "42"),
        (
            'error(setmetatable({}, {__tostring = function() return "ToolError: custom" end}))',
            "custom",
        ),
    ],
)
def test_uncaught_non_string_errors_have_a_message(spell, source, message):
    err = spell.fail(source).error
    assert err.message == message
    assert err.file == "t.lua"


def test_error_inside_coroutine_propagates_through_wrap(spell):
    failed = spell.fail(
        'local f = coroutine.wrap(function()\n  error("ToolError: inner")\nend)\nf()\n'
    )
    assert isinstance(failed.error, ToolError)
    assert failed.error.display() == "t.lua:2: ToolError: inner"


def test_coroutine_resume_returns_errors(spell):
    ran = spell.run(
        """
        local co = coroutine.create(function() error("ValidationError: in co", 0) end)
        return {coroutine.resume(co)}
        """
    )
    assert ran.value == [False, "ValidationError: in co"]


def test_a_spell_cannot_fake_a_limit_that_persists(spell):
    # a spell may raise the kind itself; it is reported but the runtime is unaffected
    failed = spell.fail('error("LimitExceeded: pretend")')
    assert isinstance(failed.error, LimitExceeded)
    assert spell.value("return 1") == 1


def test_output_before_an_error_is_kept(spell):
    failed = spell.fail('print("first")\nerror("ToolError: then this")')
    assert failed.stdout == "first\n"
