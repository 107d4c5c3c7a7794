"""The spell's result and values across the bridge (DESIGN.md §3,
script-api.md#values-across-the-boundary): objects ↔ dict, arrays ↔ list, integers stay
integers, undefined/null ↔ None, handles."""

from __future__ import annotations

import math

import pytest

from llmspell.errors import ToolError, ValidationError

ECHO = 'await Tool.register({name: "echo", description: "returns its params", handler: p => p});\n'


# -- the result: export default, or the last expression ---------------------------------


def test_export_default(spell):
    assert spell.value('export default {greeting: "hi", n: 2}') == {"greeting": "hi", "n": 2}


def test_export_default_after_awaits(spell):
    ran = spell.run(
        'await State.set("x", 5);\nconst v = await State.get("x");\nexport default v * 2'
    )
    assert ran.value == 10


@pytest.mark.parametrize(
    "source",
    [
        'const v = await State.get("none"); export default [v, 1]',
        "await 0;\n  export default [null, 1];",
        "await 0;\nexport default[null, 1]",
        "export default [await State.get('none'), 1]",
    ],
)
def test_export_default_forms(spell, source):
    assert spell.value(source) == [None, 1]


def test_export_default_of_a_function_call_and_class(spell):
    assert spell.value("function f() { return 3 }\nexport default f() + 1") == 4
    assert spell.value("export default (class { static x = 1 }).x") == 1


@pytest.mark.parametrize(
    "source",
    [
        "const v = 7;\nexport { v as default };",
        "export const other = 1;\nexport default 7;",
        "export default function seven() { return 7; }\nexport const x = 1;\n// fn is no result",
    ],
)
def test_other_export_forms(spell, source):
    value = spell.value(source)
    if "function" in source:
        assert type(value).__name__ == "JSFunction"
    else:
        assert value == 7


def test_export_default_text_inside_strings_is_left_alone(spell):
    ran = spell.run(
        'const a = "x; export default y";\nconst b = `\nexport default z`;\n'
        "print(a);\nprint(b.trim());\nexport default [a.length, b.length]"
    )
    assert ran.stdout == "x; export default y\nexport default z\n"
    assert ran.value == [19, 17]


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ('print("once");\nState.set("n", 1);\nJSON.parse("{");', 3),
        ('print("once");\neval("let x = ;");', 2),
        ('print("once");\nthrow new SyntaxError("mine");', 2),
        ('print("once");\nnew Function("let x = ;");', 2),
    ],
)
def test_a_spell_runs_once_even_when_it_raises_a_syntax_error(spell, source, line):
    # a SyntaxError raised while running (JSON.parse, eval) is not a parse failure: the
    # spell must not be run a second time as a module
    failed = spell.fail(source)
    assert failed.stdout == "once\n"
    assert failed.error.message.startswith("SyntaxError: ")
    assert failed.error.file == "t.js"
    assert failed.error.line == line


def test_module_without_export_default_has_no_result(spell):
    # with top-level await the spell is a module: only export default is its result
    assert spell.value("await State.set('k', 1);\n42") is None


def test_promise_as_last_expression_is_awaited(spell):
    assert spell.value('State.set("p", 3).then(() => State.get("p"))') == 3
    assert spell.value("Promise.resolve([1, 2])") == [1, 2]
    assert spell.value("new Promise(r => r('later'))") == "later"


def test_rejected_promise_as_last_expression_is_an_error(spell):
    failed = spell.fail('\nPromise.reject(new Error("ToolError: rejected"))')
    assert isinstance(failed.error, ToolError)
    assert failed.error.display() == "t.js:2: ToolError: rejected"


@pytest.mark.parametrize(
    "source", ["undefined", "null", "", "// only a comment", "let x = 1;", "void 0"]
)
def test_no_value_is_none(spell, source):
    assert spell.value(source) is None


def test_export_default_undefined_is_none(spell):
    assert spell.value("await 0;\nexport default undefined") is None


# -- values ---------------------------------------------------------------------------


def test_nested_objects_and_arrays(spell):
    value = spell.value('({a: {b: [1, 2, {c: true}]}, s: "x", n: -3, e: [], o: {}})')
    assert value == {"a": {"b": [1, 2, {"c": True}]}, "s": "x", "n": -3, "e": [], "o": {}}


def test_integers_stay_integers(spell):
    value = spell.value("[1, 0, -7, 3.0, 10 / 2, 2 ** 53, -(2 ** 53), -0]")
    assert value == [1, 0, -7, 3, 5, 2**53, -(2**53), 0]
    assert all(type(v) is int for v in value)


def test_non_integral_and_huge_numbers_stay_floats(spell):
    value = spell.value("[1.5, -0.25, 1e300, 2 ** 64, 1e21]")
    assert value == [1.5, -0.25, 1e300, 2.0**64, 1e21]
    assert all(type(v) is float for v in value)


def test_non_finite_results(spell):
    nan, inf, ninf = spell.value("[NaN, Infinity, -Infinity]")
    assert math.isnan(nan)
    assert (inf, ninf) == (math.inf, -math.inf)


def test_undefined_in_objects_is_absent_and_in_arrays_null(spell):
    assert spell.value("({a: undefined, b: 1})") == {"b": 1}
    assert spell.value("[1, undefined, 3]") == [1, None, 3]


def test_strings(spell):
    assert spell.value('"héllo 😀 \\u0000 z"') == "héllo 😀 \x00 z"
    assert spell.value("'line\\nbreak\\ttab \"quoted\"'") == 'line\nbreak\ttab "quoted"'


def test_dates_become_iso_strings(spell):
    assert spell.value("new Date(0)") == "1970-01-01T00:00:00.000Z"


@pytest.mark.parametrize("source", ["5n", "-3n", "0n"])
def test_small_bigint_result(spell, source):
    value = spell.value(source)
    assert value == int(source[:-1])
    assert type(value) is int


def test_big_bigint_result_is_exact(spell):
    assert spell.value("10n ** 30n") == 10**30
    assert spell.value("[2n ** 70n, -(2n ** 64n)]") == [2**70, -(2**64)]
    assert spell.value("({big: 123456789012345678901234567890n})") == {
        "big": 123456789012345678901234567890
    }


def test_bigint_reaches_the_host_exactly(spell):
    ran = spell.run(
        ECHO
        + 'const r = await Tool.execute("echo", {v: 2n ** 70n, s: 5n});\n'
        + 'await State.set("big", 2n ** 64n);\n'
        + "export default [r.result.s, typeof r.result.s, await State.get('big') === 2 ** 64]"
    )
    assert ran.value == [5, "number", True]


def test_symbols_are_not_values(spell):
    assert spell.value('Symbol("s")') is None
    assert spell.value('({a: Symbol("s"), b: 1})') == {"b": 1}


@pytest.mark.parametrize(
    ("value", "word"), [("NaN", "nan"), ("Infinity", "inf"), ("-Infinity", "-inf")]
)
def test_non_finite_numbers_refused_by_state(spell, value, word):
    failed = spell.fail(f'\nawait State.set("n", {value});')
    err = failed.error
    assert isinstance(err, ValidationError)
    assert f"State.set: value is {word}" in err.message
    assert err.display().startswith("t.js:2: ValidationError: State.set")


def test_non_finite_inside_objects_refused_and_catchable(spell):
    ran = spell.run(
        "let r;\ntry { await State.set('n', {list: [1, NaN]}); r = 'stored'; }"
        " catch (e) { r = [e.name, e.message]; }\nexport default r"
    )
    name, message = ran.value
    assert name == "ValidationError"
    assert "nan" in message


def test_functions_refused_by_state(spell):
    ran = spell.run(
        "let r;\ntry { await State.save('s', 'k', () => 1); } catch (e) { r = e.name + ': ' +"
        " e.message; }\nexport default r"
    )
    assert ran.value.startswith("ValidationError: State.save: value is a function")


def test_cyclic_object_passed_to_the_host_is_a_validation_error(spell):
    ran = spell.run(
        "const o = {}; o.self = o;\nlet r;\ntry { await State.set('c', o); }"
        " catch (e) { r = [e.name, e instanceof Error]; }\nexport default r"
    )
    assert ran.value == ["ValidationError", True]


def test_round_trip_through_the_host(spell):
    ran = spell.run(
        ECHO + 'const r = await Tool.execute("echo", {i: 7, f: 1.5, s: "x", b: false, n: null,'
        " l: [1, [2]], o: {}, e: [], u: undefined});\n"
        + "export default [r.result, Number.isInteger(r.result.i), Array.isArray(r.result.e),"
        " 'u' in r.result]"
    )
    result, is_int, is_array, has_u = ran.value
    assert result == {
        "i": 7,
        "f": 1.5,
        "s": "x",
        "b": False,
        "n": None,
        "l": [1, [2]],
        "o": {},
        "e": [],
    }
    assert (is_int, is_array, has_u) == (True, True, False)


def test_host_values_reach_javascript_with_their_types(spell):
    ran = spell.run(
        "await State.set('v', {i: 3, f: 2.5, n: null, l: [1, 'a', true], o: {}});\n"
        "const v = await State.get('v');\n"
        "export default [typeof v.i, typeof v.f, v.n === null, Array.isArray(v.l), v.l[1],"
        " Object.keys(v.o).length, Array.isArray(v.o)]"
    )
    assert ran.value == ["number", "number", True, True, "a", 0, False]


def test_functions_cross_as_script_functions(spell):
    ran = spell.run(
        """
        let calls = 0;
        await Tool.register({name: "count", description: "d", handler: (p) => {
          calls += 1;
          return p.n * 2;
        }});
        const a = (await Tool.execute("count", {n: 2})).result;
        const b = (await Tool.execute("count", {n: 5})).result;
        export default [a, b, calls]
        """
    )
    assert ran.value == [4, 10, 2]


def test_one_function_registered_twice_under_two_names(spell):
    ran = spell.run(
        """
        const h = (p) => p.v + 1;
        await Tool.register({name: "a", description: "d", handler: h});
        await Tool.register({name: "b", description: "d", handler: h});
        export default [(await Tool.execute("a", {v: 1})).result,
                        (await Tool.execute("b", {v: 10})).result]
        """
    )
    assert ran.value == [2, 11]


# -- handles ----------------------------------------------------------------------------


def test_timer_fields_and_methods(spell):
    ran = spell.run(
        """
        const t = await Debug.timer("work");
        const e = await t.elapsed();
        const l = await t.lap();
        const s = await t.stop();
        const after = await t.elapsed();
        export default [t.name, Object.keys(t), typeof t.stop, typeof e, typeof l, typeof s,
                        s >= 0, after === s, t.stop() instanceof Promise]
        """
    )
    assert ran.value == [
        *["work", ["name", "id"], "function", "number", "number", "number"],
        *[True, True, True],
    ]


def test_tool_get_returns_fields_and_execute_method(spell):
    ran = spell.run(
        """
        await Tool.register({name: "echo", description: "Echoes x back", category: "testing",
          parameters: {type: "object", properties: {x: {type: "integer"}}, required: ["x"]},
          handler: (params) => ({got: params.x})});
        const t = await Tool.get("echo");
        const r = await t.execute({x: 2});
        export default {name: t.name, description: t.description, category: t.category,
                        version: t.version, schema: t.schema, result: r.result,
                        success: r.success, tool: r.metadata.tool, missing: await Tool.get("nope")}
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
        "missing": None,
    }


def test_handles_of_one_type_share_their_methods(spell):
    ran = spell.run(
        ECHO
        + "const a = await Tool.get('echo'), b = await Tool.get('echo');\n"
        + "export default [a.name, b.name, Object.getPrototypeOf(a) === Object.getPrototypeOf(b),"
        " a.execute === b.execute]"
    )
    assert ran.value == ["echo", "echo", True, True]


def test_handle_methods_work_when_bound(spell):
    ran = spell.run(
        "const t = await Debug.timer('x');\nconst stop = t.stop.bind(t);\n"
        "const viaCall = await t.elapsed.call(t);\n"
        "export default [typeof (await stop()), typeof viaCall]"
    )
    assert ran.value == ["number", "number"]


def test_detached_method_is_a_clear_validation_error(spell):
    failed = spell.fail('const t = await Debug.timer("w");\nconst stop = t.stop;\n\nawait stop();')
    err = failed.error
    assert isinstance(err, ValidationError)
    assert err.display() == (
        "t.js:4: ValidationError: call Timer methods on the object (obj.stop(...))"
    )


def test_detached_method_error_is_catchable(spell):
    ran = spell.run(
        ECHO
        + "const t = await Tool.get('echo');\nconst ex = t.execute;\nlet r;\n"
        + "try { await ex({}); } catch (e) { r = [e.name, e.message, e instanceof Error]; }\n"
        + "export default r"
    )
    assert ran.value == [
        "ValidationError",
        "call ToolHandle methods on the object (obj.execute(...))",
        True,
    ]


@pytest.mark.parametrize(
    "call",
    [
        "t.stop.call({name: 'w'})",
        "Object.create(Object.getPrototypeOf(t)).stop()",
        "t.stop.call(JSON.parse(JSON.stringify(t)))",
        "t.stop.call(null)",
    ],
)
def test_a_fake_handle_is_refused(spell, call):
    ran = spell.run(
        f"const t = await Debug.timer('w');\nlet r;\ntry {{ await {call}; r = 'accepted'; }}"
        " catch (e) { r = e.name + ': ' + e.message; }\nexport default r"
    )
    assert ran.value == "ValidationError: call Timer methods on the object (obj.stop(...))"


def test_a_handle_is_not_a_json_value(spell):
    ran = spell.run(
        "const t = await Debug.timer('w');\nlet r;\ntry { await State.set('t', t); }"
        " catch (e) { r = [e.name, e.message]; }\nexport default r"
    )
    name, message = ran.value
    assert name == "ValidationError"
    assert "State.set: value is a Timer" in message


def test_handle_passed_back_to_the_host_is_the_host_object(spell):
    # a handle crosses back as the host object it stands for (not as a copy of its fields):
    # the echo tool returns it, and it arrives as a working handle again
    ran = spell.run(
        ECHO
        + "const h = await Tool.get('echo');\n"
        + "const r = await Tool.execute('echo', {h, list: [h]});\n"
        + "const back = r.result.h;\n"
        + "const again = await back.execute({x: 1});\n"
        + "export default [back.name, Object.getPrototypeOf(back) === Object.getPrototypeOf(h),"
        " r.result.list[0].name, again.result]"
    )
    assert ran.value == ["echo", True, "echo", {"x": 1}]


def test_a_handle_as_the_result_is_the_host_object(spell):
    value = spell.value("await 0;\nexport default await Debug.timer('w')")
    assert type(value).__name__ == "Timer"


def test_handles_do_not_survive_into_another_run(spell):
    # each run has a fresh context: a handle from one run is unknown to the next
    spell.run("globalThis.t = await Debug.timer('w');")
    assert spell.value("typeof globalThis.t") == "undefined"
