"""What a JavaScript spell sees (script-api.md#the-javascript-sandbox) and what it must not reach
(DESIGN.md §5: no host access beyond the API globals)."""

from __future__ import annotations

import pytest

from llmspell.errors import ValidationError


def test_api_globals_use_camel_case(spell):
    ran = spell.run(
        """
        [typeof State.listKeys, typeof State.list_keys, typeof State.workflowGet,
         typeof State.agentSet, typeof State.toolGet,
         typeof Config.isNetworkAccessAllowed, typeof Config.isFileAccessAllowed,
         typeof Config.is_network_access_allowed, typeof Config.get,
         typeof Debug.timer, typeof Debug.dump, typeof Debug.log]
        """
    )
    f, u = "function", "undefined"
    assert ran.value == [f, u, f, f, f, f, f, u, f, f, f, f]


def test_global_members(spell):
    ran = spell.run(
        "({State: Object.keys(State).sort(), Tool: Object.keys(Tool).sort(),"
        " Debug: Object.keys(Debug).sort(), Config: Object.keys(Config).sort()})"
    )
    v = ran.value
    assert {"save", "load", "delete", "listKeys", "set", "get"} <= set(v["State"])
    assert {"agentGet", "agentSet", "toolGet", "toolSet", "workflowGet", "workflowList"} <= set(
        v["State"]
    )
    assert {
        "execute",
        "list",
        "get",
        "exists",
        "categories",
        "discover",
        "schema",
        "register",
    } <= set(v["Tool"])
    assert {"trace", "debug", "info", "warn", "error", "log", "timer", "dump"} <= set(v["Debug"])
    assert {"get", "isNetworkAccessAllowed", "isFileAccessAllowed"} <= set(v["Config"])
    # no snake_case name leaks into JavaScript
    assert not [n for names in v.values() for n in names if "_" in n]


def test_args_with_positional(spell):
    ran = spell.run(
        "[ARGS[0], ARGS[1], ARGS[2], ARGS.k, ARGS.eq, ARGS.flag, ARGS[3], ARGS.positional,"
        " Array.isArray(ARGS.positional)]",
        argv=["a", "b", "--k", "v", "--eq=1", "--flag"],
        chunk_name="s.js",
    )
    assert ran.value == ["s.js", "a", "b", "v", "1", "true", None, ["a", "b"], True]


def test_args_without_arguments(spell):
    assert spell.value("[ARGS[0], ARGS[1], ARGS.positional]") == ["t.js", None, []]


def test_config_values(spell):
    ran = spell.run(
        """
        export default [await Config.isNetworkAccessAllowed(), await Config.isFileAccessAllowed(),
                        await Config.get("state.backend"), typeof (await Config.get()),
                        await Config.get("no.such.key")]
        """
    )
    assert ran.value == [False, True, "memory", "object", None]


def test_native_json_stays(spell):
    # Lua's JSON global (JSON.stringify(v, pretty)) is not installed over the language's own
    ran = spell.run(
        """
        let parseError;
        try { JSON.parse("{"); } catch (e) { parseError = e instanceof SyntaxError; }
        [JSON.stringify({a: [1, 2]}), JSON.stringify({a: 1}, null, 2), JSON.parse('{"x": 1}').x,
         JSON.stringify({a: 1}, true), parseError, Object.prototype.toString.call(JSON)]
        """
    )
    assert ran.value == ['{"a":[1,2]}', '{\n  "a": 1\n}', 1, '{"a":1}', True, "[object JSON]"]


ABSENT = [
    "require",
    "process",
    "std",
    "os",
    "fetch",
    "setTimeout",
    "setInterval",
    "queueMicrotask_python",
    "XMLHttpRequest",
    "module",
    "exports",
    "python",
    "__llmspell",
    "__llmspell_result",
    "Deno",
    "Bun",
    "scriptArgs",
]


@pytest.mark.parametrize("name", ABSENT)
def test_host_access_is_undefined(spell, name):
    assert spell.value(f"typeof globalThis[{name!r}]") == "undefined"
    assert spell.value(f"typeof {name}") == "undefined"


def test_the_bridge_is_gone_in_module_mode_too(spell):
    assert spell.value("await 0;\nexport default typeof __llmspell") == "undefined"


def test_no_global_besides_the_language_and_the_api(spell):
    names = spell.value("Object.getOwnPropertyNames(globalThis)")
    assert not [n for n in names if n.startswith("__")]
    api = {"ARGS", "Config", "Debug", "State", "Tool", "print", "console"}
    assert api <= set(names)
    assert not {"require", "process", "std", "os", "fetch", "setTimeout"} & set(names)


@pytest.mark.parametrize(
    "source",
    [
        'import * as os from "os";\nos.exec(["ls"]);',
        'import * as std from "std";\nstd.getenv("HOME");',
        'import {readFile} from "fs";\nreadFile("/etc/passwd");',
    ],
)
def test_static_imports_of_host_modules_fail(spell, source):
    failed = spell.fail(source)
    assert isinstance(failed.error, ValidationError)
    assert "only relative modules are supported" in failed.error.message
    assert (failed.error.file, failed.error.line) == ("t.js", 1)


@pytest.mark.parametrize("module", ["os", "std", "fs", "child_process"])
def test_dynamic_import_of_host_modules_fails(spell, module):
    ran = spell.run(
        f"let r;\ntry {{ r = typeof (await import({module!r})); }}"
        " catch (e) { r = 'refused: ' + e.name; }\nexport default r"
    )
    assert ran.value.startswith("refused")


def test_function_constructor_stays_in_the_sandbox(spell):
    ran = spell.run(
        """
        const g = Function("return this")();
        const viaCtor = State.get.constructor("return typeof process + typeof __llmspell")();
        [g === globalThis, typeof g.require, viaCtor, typeof eval("typeof os")]
        """
    )
    assert ran.value == [True, "undefined", "undefinedundefined", "string"]
    assert spell.value('eval("typeof os")') == "undefined"


def test_api_functions_do_not_expose_the_bridge(spell):
    # the generated functions close over the bridge; nothing reachable from them is it
    ran = spell.run(
        """
        const f = Tool.execute;
        [Object.getOwnPropertyNames(f).sort(), Object.keys(Object.getPrototypeOf(f)).length,
         Object.getPrototypeOf(f) === Function.prototype]
        """
    )
    props, proto_keys, plain = ran.value
    assert set(props) <= {"length", "name", "prototype"}
    assert proto_keys == 0
    assert plain is True


def test_overwriting_api_globals_only_affects_this_run(spell):
    spell.run("State = null; console = null; print = undefined; globalThis.Tool = 1;")
    ran = spell.run('print(typeof State.get, typeof Tool.execute); console.log("ok")')
    assert ran.stdout == "function\tfunction\nok\n"


def test_globals_from_one_run_do_not_leak_into_the_next(spell):
    spell.run("var leaked = 1; globalThis.other = 2; Array.prototype.evil = 3;")
    assert spell.value("[typeof leaked, typeof other, typeof [].evil]") == [
        "undefined",
        "undefined",
        "undefined",
    ]


def test_console_is_frozen(spell):
    ran = spell.run(
        '"use strict";\nlet r;\ntry { console.log = null; r = "changed"; }'
        " catch (e) { r = e.name; }\nr"
    )
    assert ran.value == "TypeError"
