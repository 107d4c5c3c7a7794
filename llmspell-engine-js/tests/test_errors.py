"""Errors (DESIGN.md §8, script-api.md#errors): host errors are thrown Errors whose ``name``
is the kind; uncaught errors reach Python with the spell's file and line."""

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
from llmspell.runtime import Limits


def test_uncaught_type_error_in_script_mode(spell):
    failed = spell.fail("let a = 1;\n\nnull.x;\n")
    err = failed.error
    assert type(err) is ScriptError
    assert err.file == "t.js"
    assert err.line == 3
    assert err.message == "TypeError: cannot read property 'x' of null"
    assert err.display() == "t.js:3: ScriptError: TypeError: cannot read property 'x' of null"


def test_uncaught_type_error_in_module_mode_after_an_await(spell):
    failed = spell.fail('await State.get("a");\nconst o = undefined;\n\no.field;\n')
    err = failed.error
    assert type(err) is ScriptError
    assert err.line == 4
    assert err.message.startswith("TypeError: cannot read property 'field' of undefined")


def test_error_inside_a_function_names_its_line(spell):
    source = "await 0;\nfunction f() {\n  return undefined.y;\n}\nf();\n"
    assert spell.fail(source).error.line == 3
    assert spell.fail(source.replace("await 0;", "0;")).error.line == 3


def test_error_inside_an_async_function_after_awaits(spell):
    source = (
        "function check(v) {\n  return v.z;\n}\nasync function f() {\n"
        "  await State.set('k', 1);\n  await State.get('k');\n  return check(null);\n}\n"
        "await f();\n"
    )
    err = spell.fail(source).error
    assert err.line == 2
    assert "TypeError" in err.message
    # QuickJS-ng reports a failure in the async function's own body after an await at the
    # line of the last await it resumed from; the error still points into the function
    direct = spell.fail(source.replace("return check(null);", "return null.z;")).error
    assert direct.file == "t.js"
    assert direct.line in (6, 7)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("const a = 1;\na = 2;", "TypeError: 'a' is read-only"),
        ("let a = 1;\nundefinedFunction();", "ReferenceError: undefinedFunction is not defined"),
        ("let a = 1;\nnew Array(-1);", "RangeError: invalid array length"),
        ("let a = 1;\n(1).toFixed(500);", "RangeError"),
        ("let a = 1;\ndecodeURIComponent('%');", "URIError"),
    ],
)
def test_native_errors_keep_their_name(spell, source, fragment):
    err = spell.fail(source).error
    assert type(err) is ScriptError
    assert err.line == 2
    assert fragment in err.message


def test_chunk_name_is_the_file_in_the_location(spell):
    failed = spell.fail('throw new Error("ValidationError: bad")', chunk_name="research.js")
    assert failed.error.display() == "research.js:1: ValidationError: bad"


# -- host errors --------------------------------------------------------------------------


def test_host_errors_are_errors_with_the_kind_as_name(spell):
    ran = spell.run(
        """
        const out = [];
        for (const f of [() => Tool.execute("nope", {}), () => State.save("s"),
                         () => Debug.log("loud", "x"), () => State.set("n", NaN)]) {
          try { await f(); out.push("no error"); }
          catch (e) { out.push([e instanceof Error, e.name, e.message, String(e).split(":")[0]]); }
        }
        export default out
        """
    )
    nf, missing_arg, bad_level, nan = ran.value
    assert nf[:3] == [
        True,
        "NotFoundError",
        "unknown tool 'nope' (Tool.list() shows the available tools)",
    ]
    assert nf[3] == "NotFoundError"
    assert missing_arg[:2] == [True, "ValidationError"]
    assert missing_arg[2].startswith("State.save: argument 2 'key' is required")
    assert bad_level[:2] == [True, "ValidationError"]
    assert "unknown level 'loud'" in bad_level[2]
    assert nan[1] == "ValidationError"


def test_host_error_can_be_caught_with_promise_catch(spell):
    assert spell.value('Tool.execute("nope", {}).catch(e => e.name)') == "NotFoundError"


def test_caught_host_error_lets_the_spell_go_on(spell):
    ran = spell.run(
        'let r;\ntry { await Tool.execute("nope", {}); } catch (e) { r = "caught " + e.name; }\n'
        'await State.set("after", 1);\nexport default [r, await State.get("after")]'
    )
    assert ran.value == ["caught NotFoundError", 1]


def test_uncaught_host_error_has_the_calling_line(spell):
    failed = spell.fail('const a = 1;\n\nawait Tool.execute("no-such-tool", {});\n')
    err = failed.error
    assert type(err) is NotFoundError
    assert err.line == 3
    assert err.display().startswith("t.js:3: NotFoundError: unknown tool 'no-such-tool'")


def test_uncaught_host_error_in_script_mode(spell):
    # not awaited, but the last expression: the run waits for it and fails
    failed = spell.fail('const a = 1;\nState.save("s");\n')
    assert type(failed.error) is ValidationError
    assert failed.error.line == 2


def test_uncaught_host_error_inside_nested_functions_names_the_call(spell):
    source = """
function outer() { return middle(); }
function middle() { return inner(); }
async function inner() {
  const x = 1;
  return await Tool.execute("nope", {});
}
await outer();
"""
    err = spell.fail(source).error
    assert type(err) is NotFoundError
    assert err.line == 6


def test_uncaught_host_error_in_a_sync_helper_names_the_call(spell):
    source = "\nfunction g() {\n  return Tool.execute('nope', {});\n}\ng();\n"
    err = spell.fail(source).error
    assert type(err) is NotFoundError
    assert err.line == 3


def test_uncaught_host_error_in_a_callback(spell):
    source = (
        "const names = ['a', 'b'];\nawait Promise.all(names.map(n =>\n  Tool.execute(n, {})));\n"
    )
    err = spell.fail(source).error
    assert type(err) is NotFoundError
    assert err.line == 3


def test_rethrown_host_error_keeps_its_kind(spell):
    source = (
        "try {\n  await Tool.execute('nope', {});\n} catch (e) {\n"
        "  print('saw', e.name);\n  throw e;\n}\n"
    )
    failed = spell.fail(source)
    assert type(failed.error) is NotFoundError
    assert failed.stdout == "saw\tNotFoundError\n"
    assert failed.error.file == "t.js"


def test_location_never_points_into_the_prelude(spell):
    for source in ['State.save("s")', 'await Tool.execute("nope", {})', "null.x"]:
        err = spell.fail(source).error
        assert err.file == "t.js"
        assert err.line == 1
        assert "prelude" not in err.display()


# -- errors the spell throws ------------------------------------------------------------


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
def test_kind_in_the_message_is_mapped(spell, kind, cls):
    failed = spell.fail(f'let a;\nthrow new Error("{kind}: message");')
    assert type(failed.error) is cls
    assert failed.error.display() == f"t.js:2: {kind}: message"


@pytest.mark.parametrize(
    ("kind", "cls"), [("ToolError", ToolError), ("ValidationError", ValidationError)]
)
def test_kind_as_the_error_name_is_mapped(spell, kind, cls):
    failed = spell.fail(f'const e = new Error("it broke");\ne.name = "{kind}";\nthrow e;')
    assert type(failed.error) is cls
    assert failed.error.message == "it broke"
    assert failed.error.display() == f"t.js:1: {kind}: it broke"


def test_error_subclass_named_as_a_kind(spell):
    source = (
        "class ToolError extends Error {\n"
        "  constructor(m) { super(m); this.name = 'ToolError'; }\n}\n"
        "await 0;\nthrow new ToolError('from a subclass');\n"
    )
    failed = spell.fail(source)
    assert type(failed.error) is ToolError
    assert failed.error.message == "from a subclass"
    # the stack's top frame is where the Error was made: the constructor's super() call
    assert failed.error.line == 2


def test_plain_error_is_a_script_error(spell):
    failed = spell.fail('\nthrow new Error("something went wrong");')
    assert type(failed.error) is ScriptError
    assert failed.error.display() == "t.js:2: ScriptError: something went wrong"


def test_unknown_kind_is_a_script_error_keeping_the_text(spell):
    failed = spell.fail('throw new Error("MadeUpError: x");')
    assert type(failed.error) is ScriptError
    assert failed.error.display() == "t.js:1: ScriptError: MadeUpError: x"


def test_native_error_thrown_by_the_spell(spell):
    failed = spell.fail('throw new TypeError("custom");')
    assert type(failed.error) is ScriptError
    assert failed.error.display() == "t.js:1: ScriptError: TypeError: custom"


@pytest.mark.parametrize(
    ("thrown", "message"),
    [
        ('"a string"', "a string"),
        ("42", "42"),
        ("undefined", "undefined"),
        ("{code: 7}", ""),
        ('"ToolError: as a string"', "as a string"),
    ],
)
@pytest.mark.parametrize("prefix", ["", "await 0;\n"], ids=["script", "module"])
def test_throwing_a_non_error_value(spell, thrown, message, prefix):
    err = spell.fail(f"{prefix}throw {thrown};").error
    assert isinstance(err, ToolError if "ToolError" in thrown else ScriptError)
    assert message in err.message
    assert err.file == "t.js"
    if thrown.startswith("{"):
        # script mode shows String(value), module mode the value as JSON
        assert err.message in ("[object Object]", '{"code":7}')


@pytest.mark.parametrize("prefix", ["", "await 0;\n"], ids=["script", "module"])
def test_throw_null_without_a_memory_limit(spell, prefix):
    # QuickJS reports some out-of-memory failures as a thrown null, so under a memory
    # limit a null counts as one; without a limit it is just what the spell threw
    limits = Limits(timeout_seconds=5, memory_mb=None)
    err = spell.fail(f"{prefix}throw null;", limits=limits).error
    assert type(err) is ScriptError
    assert err.message == "null"
    assert err.file == "t.js"


def test_a_spell_cannot_fake_a_limit_that_persists(spell):
    failed = spell.fail('throw new Error("LimitExceeded: pretend");')
    assert isinstance(failed.error, LimitExceeded)
    assert spell.value("1 + 1") == 2


def test_output_before_an_error_is_kept(spell):
    failed = spell.fail(
        'print("first");\nconsole.error("to stderr");\nthrow new Error("ToolError: then this");'
    )
    assert failed.stdout == "first\n"
    assert failed.stderr == "to stderr\n"


def test_output_before_an_error_in_module_mode_is_kept(spell):
    failed = spell.fail('print("first");\nawait State.set("k", 1);\nprint("second");\nnull.x;')
    assert failed.stdout == "first\nsecond\n"


# -- syntax errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ("let x = ;", 1, "SyntaxError: unexpected token in expression: ';'"),
        ("let a = 1;\nlet b = 2;\nlet x = ;\n", 3, "SyntaxError"),
        ("await 1;\nlet x = ;", 2, "SyntaxError: unexpected token in expression: ';'"),
        ("\n\nclass {", 3, "SyntaxError"),
        ("function f() {\n  return 1;\n", 3, "SyntaxError"),
        ("let a = 1;\nlet a = 2;", 2, "SyntaxError"),
    ],
)
def test_syntax_errors(spell, source, line, fragment):
    err = spell.fail(source).error
    assert type(err) is ScriptError
    assert err.file == "t.js"
    assert err.line == line
    assert fragment in err.message
    assert err.display().startswith(f"t.js:{line}: ScriptError: SyntaxError")


def test_top_level_return_is_a_syntax_error(spell):
    err = spell.fail("const a = 1;\nreturn a;").error
    assert type(err) is ScriptError
    assert "SyntaxError" in err.message
    assert err.line == 2


def test_a_syntax_error_leaves_the_runtime_usable(spell):
    spell.fail("let x = ;")
    assert spell.value("1 + 2") == 3


def test_shebang_line_is_ignored(spell):
    assert spell.value("#!/usr/bin/env llmspell\n6 * 7") == 42
    err = spell.fail("#!/usr/bin/env llmspell\nnull.x").error
    assert err.line == 2
