"""print, console and Debug output (script-api.md#print, #debug): print joins with a tab,
console.log with a space, warn/error go to stderr, and the order of script and host
output is the program's order."""

from __future__ import annotations

import pytest


def test_print_joins_with_tab(spell):
    ran = spell.run(
        'print("a", 1, null, undefined, true, 1.5, 10 / 2, "x\\ty");\nprint();\nprint("end")'
    )
    assert ran.stdout == "a\t1\tnull\tundefined\ttrue\t1.5\t5\tx\ty\n\nend\n"
    assert ran.stderr == ""


def test_console_log_joins_with_space(spell):
    ran = spell.run(
        'console.log("a", 1, null, false);\nconsole.info("info", 2);\nconsole.debug("dbg")'
    )
    assert ran.stdout == "a 1 null false\ninfo 2\ndbg\n"
    assert ran.stderr == ""


def test_console_warn_and_error_go_to_stderr(spell):
    ran = spell.run('console.warn("w", 1);\nconsole.error("e", {x: 1});\nconsole.log("out")')
    assert ran.stdout == "out\n"
    assert ran.stderr == 'w 1\ne {"x":1}\n'


def test_objects_are_printed_as_json(spell):
    ran = spell.run(
        'print({a: [1, 2], b: {c: "d"}, e: null, u: undefined}, [1, "x", [true]]);\n'
        'console.log({k: "v"}, []);'
    )
    assert ran.stdout == '{"a":[1,2],"b":{"c":"d"},"e":null}\t[1,"x",[true]]\n{"k":"v"} []\n'


def test_functions_and_errors_are_printed_readably(spell):
    ran = spell.run('print(function foo() {}, () => 1, new Error("boom"), new TypeError("t"));')
    assert ran.stdout == "[Function: foo]\t[Function]\tError: boom\tTypeError: t\n"


def test_printed_objects_show_no_bridge_markers(spell):
    ran = spell.run(
        "const t = await Debug.timer('w');\n"
        "print({f: function g() {}, n: [1n, NaN, -Infinity, undefined], t});"
    )
    out = ran.stdout
    assert "\\u0000" not in out and "\x00" not in out
    expected = '{"f":"[Function: g]","n":[1,"NaN","-Infinity",null],"t":{"name":"w","id":"w-1"}}'
    assert out == expected + "\n"


def test_functions_inside_printed_objects_show_their_names(spell):
    ran = spell.run("print({f: () => 1});\nprint([() => 2]);")
    assert ran.stdout == '{"f":"[Function: f]"}\n["[Function]"]\n'


def test_cyclic_object_is_printed_without_failing(spell):
    ran = spell.run("const o = {a: 1};\no.self = o;\nprint(o);\nprint('after');")
    assert ran.stdout == "[object Object]\nafter\n"


def test_primitives_print_like_string(spell):
    ran = spell.run('print(5n, NaN, Infinity, -0, Symbol("s"), 1e21, 0.1 + 0.2)')
    assert ran.stdout == "5\tNaN\tInfinity\t0\tSymbol(s)\t1e+21\t0.30000000000000004\n"


def test_print_writes_exactly_what_it_is_given(spell):
    ran = spell.run('print("no newline inside"); print("multi\\nline")')
    assert ran.stdout == "no newline inside\nmulti\nline\n"


def test_unicode_output(spell):
    ran = spell.run('print("héllo", "😀"); console.log("ü")')
    assert ran.stdout == "héllo\t😀\nü\n"


def test_script_and_host_output_keep_program_order(spell_factory):
    spell = spell_factory({"LLMSPELL_LOG_LEVEL": "info"})
    ran = spell.run(
        """
        console.log("one");
        Debug.info("two");
        console.log("three");
        await Debug.warn("four", "mod");
        console.error("five");
        print("six");
        await Tool.execute("nope", {}).catch(() => {});
        print("seven");
        Debug.error("eight");
        console.log("nine");
        """,
        merged=True,
    )
    assert ran.stdout == (
        "one\n[INFO] two\nthree\n[WARN] [mod] four\nfive\nsix\nseven\n[ERROR] eight\nnine\n"
    )


def test_host_output_order_with_concurrent_requests(spell_factory):
    spell = spell_factory({"LLMSPELL_LOG_LEVEL": "info"})
    ran = spell.run(
        """
        await Promise.all([
          Debug.info("a"),
          Tool.execute("nope", {}).catch(() => console.log("b")),
          Debug.info("c"),
        ]);
        console.log("d");
        """,
        merged=True,
    )
    assert ran.stdout.splitlines() == ["[INFO] a", "[INFO] c", "b", "d"]


def test_debug_levels_are_filtered(spell):
    ran = spell.run(
        'Debug.trace("t"); Debug.debug("d"); Debug.info("i"); Debug.warn("w");\n'
        'Debug.error("e"); Debug.log("warn", "via log"); Debug.log("debug", "hidden");'
    )
    assert ran.stdout == ""
    assert ran.stderr == "[WARN] w\n[ERROR] e\n[WARN] via log\n"


def test_output_of_handlers_and_callbacks_is_in_order(spell):
    ran = spell.run(
        """
        await Tool.register({name: "talk", description: "d", handler: (p) => {
          console.log("in handler", p.n);
          return p.n;
        }});
        console.log("before");
        const r = await Tool.execute("talk", {n: 1});
        console.log("after", r.result);
        """
    )
    assert ran.stdout == "before\nin handler 1\nafter 1\n"


@pytest.mark.parametrize("name", ["log", "info", "debug", "warn", "error"])
def test_console_methods_are_functions(spell, name):
    assert spell.value(f"typeof console.{name}") == "function"


def test_print_is_available_in_module_mode(spell):
    ran = spell.run('await 0;\nprint("m", 1);\nconsole.log("m", 2);')
    assert ran.stdout == "m\t1\nm 2\n"
