"""Host objects (handles) and the Tool global (script-api.md#tool, #debug for Debug.timer)."""

from __future__ import annotations

from llmspell.errors import NotFoundError, ValidationError

ECHO = """
Tool.register{
  name = "echo",
  description = "Echoes x back",
  category = "testing",
  tags = {"demo"},
  parameters = {type = "object", properties = {x = {type = "integer"}}, required = {"x"}},
  handler = function(params) return {got = params.x} end,
}
"""


def test_timer_methods_with_colon(spell):
    ran = spell.run(
        """
        local t = Debug.timer("work")
        local e = t:elapsed()
        local l = t:lap()
        local s = t:stop()
        local after = t:elapsed()
        return {t.name, type(e), type(l), type(s), s >= 0, after == s, tostring(t)}
        """
    )
    assert ran.value == ["work", "number", "number", "number", True, True, "Timer: work"]


def test_timer_method_with_dot_is_a_clear_error(spell):
    failed = spell.fail('local t = Debug.timer("x")\nlocal ms = t.stop()\n')
    err = failed.error
    assert isinstance(err, ValidationError)
    assert err.display() == "t.lua:2: ValidationError: call Timer methods with ':' (obj:stop(...))"


def test_timer_dot_error_is_catchable(spell):
    ran = spell.run("local t = Debug.timer()\nreturn select(2, pcall(t.elapsed))")
    assert ran.value == "ValidationError: call Timer methods with ':' (obj:elapsed(...))"


def test_a_fake_handle_is_refused(spell):
    # a table that only looks like a timer is not one
    ran = spell.run(
        'local t = Debug.timer("x")\nlocal fake = {name = "x"}\n'
        "return select(2, pcall(t.stop, fake))"
    )
    assert ran.value.startswith("ValidationError: call Timer methods with ':'")


def test_handles_are_the_same_object_across_calls(spell):
    ran = spell.run(
        ECHO
        + """
        local a, b = Tool.get("echo"), Tool.get("echo")
        return {a.name, b.name, getmetatable(a) == getmetatable(b)}
        """
    )
    assert ran.value == ["echo", "echo", True]


def test_tool_get_returns_fields_and_execute_method(spell):
    ran = spell.run(
        ECHO
        + """
        local t = Tool.get("echo")
        local r = t:execute({x = 2})
        return {name = t.name, description = t.description, category = t.category,
                version = t.version, schema = t.schema, result = r.result, success = r.success,
                tool = r.metadata.tool}
        """
    )
    assert ran.value == {
        "name": "echo",
        "description": "Echoes x back",
        "category": "testing",
        "version": "1.0.0",
        "schema": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
        "result": {"got": 2},
        "success": True,
        "tool": "echo",
    }


def test_tool_get_unknown_is_nil(spell):
    assert spell.value('return Tool.get("nope") == nil') is True


def test_tool_handle_execute_with_dot_is_a_clear_error(spell):
    failed = spell.fail(ECHO + 'local t = Tool.get("echo")\nt.execute({x = 1})')
    assert isinstance(failed.error, ValidationError)
    assert "call ToolHandle methods with ':'" in failed.error.message


def test_register_and_execute(spell):
    ran = spell.run(
        ECHO
        + """
        local r = Tool.execute("echo", {x = 7})
        return {r.success, r.result.got, r.text == nil, type(r.metadata.execution_time_ms),
                r.metadata.tool}
        """
    )
    assert ran.value == [True, 7, True, "number", "echo"]


def test_string_result_is_also_text(spell):
    ran = spell.run(
        'Tool.register{name = "hi", description = "d", handler = function(p) return "hello" end}\n'
        'local r = Tool.execute("hi", {})\nreturn {r.result, r.text}'
    )
    assert ran.value == ["hello", "hello"]


def test_handler_raising_gives_success_false(spell):
    ran = spell.run(
        """
        Tool.register{name = "boom", description = "d", handler = function(p)
          error("disk on fire")
        end}
        local r = Tool.execute("boom", {})
        return {r.success, r.error, r.error_kind, r.result == nil, r.metadata.tool}
        """
    )
    assert ran.value == [False, "disk on fire", "ScriptError", True, "boom"]


def test_handler_raising_a_kind_keeps_it(spell):
    ran = spell.run(
        'Tool.register{name = "k", description = "d", handler = function(p)\n'
        '  error("ToolError: bad input file", 0)\nend}\n'
        'local r = Tool.execute("k", {})\nreturn {r.success, r.error, r.error_kind}'
    )
    assert ran.value == [False, "bad input file", "ToolError"]


def test_handler_host_error_gives_success_false(spell):
    ran = spell.run(
        'Tool.register{name = "p", description = "d", handler = function(p)\n'
        '  return JSON.parse("{")\nend}\n'
        'local r = Tool.execute("p", {})\nreturn {r.success, r.error_kind}'
    )
    assert ran.value == [False, "ValidationError"]


def test_params_are_validated_against_the_schema(spell):
    failed = spell.fail(ECHO + 'Tool.execute("echo", {x = "seven"})')
    err = failed.error
    assert isinstance(err, ValidationError)
    assert "parameter 'x'" in err.message
    assert err.file == "t.lua"


def test_missing_required_param_names_it(spell):
    ran = spell.run(ECHO + 'return select(2, pcall(Tool.execute, "echo", {}))')
    assert ran.value.startswith("ValidationError: tool 'echo': parameter 'x'")


def test_unknown_tool_is_not_found(spell):
    failed = spell.fail('Tool.execute("ech0", {})')
    assert isinstance(failed.error, NotFoundError)
    ran = spell.run(ECHO + 'return select(2, pcall(Tool.execute, "ech0", {x = 1}))')
    assert ran.value.startswith("NotFoundError: unknown tool 'ech0'; did you mean 'echo'?")


def test_list_exists_schema_categories_discover(spell):
    ran = spell.run(
        ECHO
        + """
        Tool.register{name = "other", description = "o", handler = function() return 1 end}
        local names = {}
        for _, t in ipairs(Tool.list()) do names[#names + 1] = t.name end
        table.sort(names)
        local testing = Tool.list({category = "testing"})
        local found = Tool.discover({tag = "demo"})
        return {
          names = names,
          testing = testing,
          exists = {Tool.exists("echo"), Tool.exists("nope")},
          schema = Tool.schema("echo").required,
          categories = Tool.categories(),
          discovered = {#found, found[1].name, found[1].tags[1]},
        }
        """
    )
    v = ran.value
    # built-in tools (llmspell-tools) are listed too; the spell's own are among them
    assert {"echo", "other"} <= set(v["names"])
    assert v["names"] == sorted(v["names"])
    assert v["testing"] == [
        {"name": "echo", "description": "Echoes x back", "category": "testing", "version": "1.0.0"}
    ]
    assert v["exists"] == [True, False]
    assert v["schema"] == ["x"]
    assert {"custom", "testing"} <= set(v["categories"])
    assert v["discovered"] == [1, "echo", "demo"]


def test_register_validates_its_spec(spell):
    ran = spell.run(
        """
        local _, a = pcall(Tool.register, {description = "no name", handler = print})
        local _, b = pcall(Tool.register, {name = "x", description = "no handler"})
        local _, c = pcall(Tool.register, {name = "x", handler = print,
                                            parameters = {type = "nonsense"}})
        return {a, b, c}
        """
    )
    a, b, c = ran.value
    assert a == "ValidationError: Tool.register: 'name' must be a non-empty string"
    assert b == "ValidationError: Tool.register: 'handler' must be a function(params)"
    assert c.startswith("ValidationError: Tool.register: 'parameters' of 'x' is not a valid")


def test_registered_tools_end_with_the_run(spell):
    spell.run(ECHO)
    assert spell.value('return Tool.exists("echo")') is False


def test_handler_sees_upvalues_and_state(spell):
    ran = spell.run(
        """
        local seen = {}
        Tool.register{name = "rec", description = "d", handler = function(p)
          seen[#seen + 1] = p.v
          State.set("last", p.v)
          return #seen
        end}
        Tool.execute("rec", {v = "a"})
        local r = Tool.execute("rec", {v = "b"})
        return {r.result, seen[1], seen[2], State.get("last")}
        """
    )
    assert ran.value == [2, "a", "b", "b"]
