"""Host → script calls: Tool.register handlers the host runs (script-api.md#tool), which may
themselves await host calls, return Promises, or throw."""

from __future__ import annotations

import time

import pytest

from llmspell.errors import ValidationError


def test_handler_that_awaits_host_calls(spell):
    ran = spell.run(
        """
        await Tool.register({name: "inner", description: "d", handler: (p) => p.n * 2});
        await Tool.register({name: "outer", description: "d", handler: async (p) => {
          await State.set("seen", p.n);
          const r = await Tool.execute("inner", {n: p.n + 1});
          return {doubled: r.result, seen: await State.get("seen")};
        }});
        const r = await Tool.execute("outer", {n: 20});
        export default [r.success, r.result, r.metadata.tool]
        """
    )
    assert ran.value == [True, {"doubled": 42, "seen": 20}, "outer"]


def test_handler_returning_a_promise(spell):
    ran = spell.run(
        """
        await Tool.register({name: "p", description: "d",
          handler: (p) => new Promise(res => res("later"))});
        await Tool.register({name: "q", description: "d",
          handler: (p) => State.set("q", p.v).then(() => State.get("q"))});
        const a = await Tool.execute("p", {});
        const b = await Tool.execute("q", {v: [1, 2]});
        export default [a.success, a.result, a.text, b.result]
        """
    )
    assert ran.value == [True, "later", "later", [1, 2]]


def test_handler_result_shapes(spell):
    ran = spell.run(
        """
        await Tool.register({name: "s", description: "d", handler: () => "hello"});
        await Tool.register({name: "o", description: "d", handler: () => ({a: [1, {b: 2}]})});
        await Tool.register({name: "u", description: "d", handler: () => undefined});
        await Tool.register({name: "n", description: "d", handler: () => 7});
        const out = {};
        for (const n of ["s", "o", "u", "n"]) {
          const r = await Tool.execute(n, {});
          out[n] = [r.success, r.result ?? null, r.text ?? null];
        }
        export default out
        """
    )
    assert ran.value == {
        "s": [True, "hello", "hello"],
        "o": [True, {"a": [1, {"b": 2}]}, None],
        "u": [True, None, None],
        "n": [True, 7, None],
    }


def test_handler_throwing_gives_success_false(spell):
    ran = spell.run(
        """
        await Tool.register({name: "boom", description: "d", handler: (p) => {
          throw new Error("disk on fire");
        }});
        const r = await Tool.execute("boom", {});
        export default [r.success, r.error, r.result ?? null, r.metadata.tool]
        """
    )
    assert ran.value == [False, "disk on fire", None, "boom"]


HANDLERS = {
    "kind in message": ('throw new Error("ToolError: bad input")', "bad input", "ToolError"),
    "kind as name": (
        'const e = new Error("bad2"); e.name = "ToolError"; throw e',
        "bad2",
        "ToolError",
    ),
    "a string": ('throw "a string"', "a string", "ScriptError"),
    "a type error": ("null.x", "TypeError: cannot read property 'x' of null", "ScriptError"),
    "native JSON error": ('JSON.parse("{")', "SyntaxError", "ScriptError"),
    "host error": ('return Tool.execute("nope", {})', "unknown tool 'nope'", "NotFoundError"),
    "awaited host error": (
        'await State.get("k"); await Tool.execute("nope", {})',
        "unknown tool 'nope'",
        "NotFoundError",
    ),
    "rejected promise": (
        'return Promise.reject(new Error("ValidationError: rejected"))',
        "rejected",
        "ValidationError",
    ),
}


@pytest.mark.parametrize("body,fragment,kind", HANDLERS.values(), ids=HANDLERS.keys())
def test_handler_errors(spell, body, fragment, kind):
    ran = spell.run(
        'await Tool.register({name: "h", description: "d",\n'
        f"  handler: async (p) => {{ {body} }}}});\n"
        'const r = await Tool.execute("h", {});\n'
        "export default [r.success, r.error, r.error_kind ?? r.errorKind]"
    )
    success, error, error_kind = ran.value
    assert success is False
    assert fragment in error
    assert error_kind == kind


def test_handler_error_does_not_end_the_run(spell):
    ran = spell.run(
        """
        let calls = 0;
        await Tool.register({name: "flaky", description: "d", handler: (p) => {
          calls++;
          if (p.fail) throw new Error("ToolError: asked to fail");
          return "ok";
        }});
        const a = await Tool.execute("flaky", {fail: true});
        const b = await Tool.execute("flaky", {fail: false});
        export default [a.success, b.success, b.result, calls]
        """
    )
    assert ran.value == [False, True, "ok", 2]


def test_params_are_validated_before_the_handler_runs(spell):
    ran = spell.run(
        """
        let ran = 0;
        await Tool.register({name: "echo", description: "d",
          parameters: {type: "object", properties: {x: {type: "integer"}}, required: ["x"]},
          handler: (p) => { ran++; return {got: p.x}; }});
        const errors = [];
        for (const params of [{x: "seven"}, {}]) {
          try { await Tool.execute("echo", params); }
          catch (e) { errors.push([e.name, e.message]); }
        }
        export default [errors, ran, (await Tool.execute("echo", {x: 3})).result, ran]
        """
    )
    errors, before, result, after = ran.value
    assert [e[0] for e in errors] == ["ValidationError", "ValidationError"]
    assert "parameter 'x'" in errors[0][1]
    assert "'x' is a required property" in errors[1][1]
    assert (before, result, after) == (0, {"got": 3}, 1)


def test_uncaught_param_validation_error_has_the_line(spell):
    failed = spell.fail(
        'await Tool.register({name: "e", description: "d",\n'
        '  parameters: {type: "object", properties: {x: {type: "integer"}}},\n'
        "  handler: (p) => p});\n"
        'await Tool.execute("e", {x: "no"});\n'
    )
    assert isinstance(failed.error, ValidationError)
    assert failed.error.line == 4


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ('{description: "no name", handler: () => 1}', "'name' must be a non-empty string"),
        ('{name: "x", description: "no handler"}', "'handler' must be a function(params)"),
        ('{name: "x", description: "d", handler: 42}', "'handler' must be a function(params)"),
        (
            '{name: "x", handler: () => 1, parameters: {type: "nonsense"}}',
            "'parameters' of 'x' is not a valid",
        ),
    ],
)
def test_register_validates_its_spec(spell, spec, message):
    ran = spell.run(
        f"let r;\ntry {{ await Tool.register({spec}); r = 'accepted'; }}"
        " catch (e) { r = e.name + ': ' + e.message; }\nexport default r"
    )
    assert ran.value.startswith(f"ValidationError: Tool.register: {message}")


def test_registered_tools_end_with_the_run(spell):
    spell.run('await Tool.register({name: "echo", description: "d", handler: p => p});')
    assert spell.value('export default await Tool.exists("echo")') is False


def test_handler_sees_closures_and_state(spell):
    ran = spell.run(
        """
        const seen = [];
        await Tool.register({name: "rec", description: "d", handler: async (p) => {
          seen.push(p.v);
          await State.set("last", p.v);
          return seen.length;
        }});
        await Tool.execute("rec", {v: "a"});
        const r = await Tool.execute("rec", {v: "b"});
        export default [r.result, seen, await State.get("last")]
        """
    )
    assert ran.value == [2, ["a", "b"], "b"]


def test_handlers_run_concurrently_with_promise_all(spell):
    start = time.monotonic()
    ran = spell.run(
        """
        await Tool.register({name: "wrap", description: "d", handler: async (p) => {
          const r = await Tool.execute("slow", {i: p.i});
          return r.result.i * 10;
        }});
        const rs = await Promise.all([1, 2, 3, 4, 5].map(i => Tool.execute("wrap", {i})));
        export default rs.map(r => r.result)
        """
    )
    assert ran.value == [10, 20, 30, 40, 50]
    assert time.monotonic() - start < 0.6


def test_handler_can_resolve_a_promise_the_spell_awaits(spell):
    # not a stall: the host is still working when the spell awaits
    ran = spell.run(
        """
        let resolve;
        const p = new Promise(r => { resolve = r; });
        await Tool.register({name: "r", description: "d",
                             handler: () => { resolve(5); return 1; }});
        Tool.execute("r", {});
        export default await p
        """
    )
    assert ran.value == 5


def test_tool_handle_execute_runs_the_handler(spell):
    ran = spell.run(
        """
        await Tool.register({name: "sq", description: "d", handler: (p) => p.n * p.n});
        const t = await Tool.get("sq");
        export default [(await t.execute({n: 4})).result, t.name]
        """
    )
    assert ran.value == [16, "sq"]


def test_catalog_functions(spell):
    ran = spell.run(
        """
        await Tool.register({name: "echo", description: "Echoes", category: "testing",
          tags: ["demo"], handler: (p) => p});
        const names = (await Tool.list()).map(t => t.name).sort();
        const testing = await Tool.list({category: "testing"});
        const found = await Tool.discover({tag: "demo"});
        export default {names, testing,
                        exists: [await Tool.exists("echo"), await Tool.exists("no")],
                        categories: await Tool.categories(),
                        discovered: found.map(t => t.name), schema: await Tool.schema("echo")}
        """
    )
    v = ran.value
    assert "echo" in v["names"] and "slow" in v["names"]
    assert v["testing"] == [
        {"name": "echo", "description": "Echoes", "category": "testing", "version": "1.0.0"}
    ]
    assert v["exists"] == [True, False]
    assert "testing" in v["categories"]
    assert v["discovered"] == ["echo"]
    assert v["schema"] == {"type": "object", "properties": {}}


def test_unknown_tool_suggests_a_name(spell):
    ran = spell.run(
        'await Tool.register({name: "echo", description: "d", handler: p => p});\n'
        'export default await Tool.execute("ech0", {}).catch(e => e.name + ": " + e.message)'
    )
    assert ran.value.startswith("NotFoundError: unknown tool 'ech0'; did you mean 'echo'?")
