"""End-to-end tests of ``llmspell`` running JavaScript spells: a real subprocess per case.

Same isolation as test_cli.py: a private ``LLMSPELL_HOME`` and ``HOME``, run in
``tmp_path``. Exit codes: 0 ok, 1 script error, 2 usage error.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELLO_JS = ROOT / "examples" / "hello.js"


def test_run_hello_js_example(cli):
    assert HELLO_JS.is_file(), HELLO_JS
    first = cli("run", str(HELLO_JS), "--", "Ada")
    assert first.returncode == 0, cli.explain(first)
    lines = first.stdout.splitlines()
    assert lines[:3] == ["Hello, Ada!", "This spell has run 1 time(s).", "Greetings, Ada"]
    assert json.loads("\n".join(lines[3:])) == {"greeted": "Ada", "runs": 1}
    assert first.stderr == ""
    # State persists in the SQLite store under LLMSPELL_HOME
    second = cli("run", str(HELLO_JS))
    assert second.returncode == 0, cli.explain(second)
    assert second.stdout.splitlines()[:2] == ["Hello, world!", "This spell has run 2 time(s)."]


def test_run_js_prints_output_and_result(cli):
    cli.write("ok.js", 'print("a", 1, null, true);\nconsole.log("b", 2);\n"done"\n')
    proc = cli("run", "ok.js")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == "a\t1\tnull\ttrue\nb 2\ndone\n"
    assert proc.stderr == ""


def test_run_js_without_result_prints_only_output(cli):
    cli.write("quiet.js", 'await State.set("k", 1);\nconsole.log("only this");\n')
    proc = cli("run", "quiet.js")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "only this\n", "")


def test_console_error_goes_to_stderr(cli):
    cli.write("streams.js", 'console.log("out");\nconsole.error("err");\nconsole.warn("warn");\n')
    proc = cli("run", "streams.js")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == "out\n"
    assert proc.stderr == "err\nwarn\n"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            'print("before");\nlet x = 1;\nthrow new Error("ToolError: it broke");\n',
            "boom.js:3: ToolError: it broke\n",
        ),
        (
            'print("before");\nconst e = new Error("named");\n'
            'e.name = "ValidationError";\nthrow e;\n',
            "boom.js:2: ValidationError: named\n",
        ),
        (
            'print("before");\nawait State.get("k");\n\nnull.x;\n',
            "boom.js:4: ScriptError: TypeError: cannot read property 'x' of null\n",
        ),
        (
            'print("before");\n\nawait Tool.execute("no-such-tool", {});\n',
            "boom.js:3: NotFoundError: unknown tool 'no-such-tool' "
            "(Tool.list() shows the available tools)\n",
        ),
    ],
    ids=["thrown kind", "error name", "type error in module", "host error"],
)
def test_script_error_exit_1_with_location(cli, source, expected):
    cli.write("boom.js", source)
    proc = cli("run", "boom.js")
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stdout == "before\n"
    assert proc.stderr == expected


def test_syntax_error_exit_1(cli):
    cli.write("syntax.js", "let a = 1;\nlet x = ;\n")
    proc = cli("run", "syntax.js")
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stderr.startswith("syntax.js:2: ScriptError: SyntaxError: ")
    assert proc.stderr.count("\n") == 1


def test_output_json_result_from_export_default(cli):
    cli.write(
        "j.js",
        'print("printed first");\nawait State.set("k", 2);\n'
        'export default {answer: 40 + await State.get("k"), list: [1, 2], none: null};\n',
    )
    proc = cli("run", "j.js", "--output", "json")
    assert proc.returncode == 0, cli.explain(proc)
    lines = proc.stdout.splitlines()
    assert lines[0] == "printed first"
    payload = json.loads(lines[-1])
    assert set(payload) == {"result", "duration_ms", "usage"}
    assert payload["result"] == {"answer": 42, "list": [1, 2], "none": None}
    assert payload["duration_ms"] >= 0


def test_output_json_result_from_last_expression(cli):
    cli.write("last.js", "const x = 6;\n({product: x * 7})\n")
    proc = cli("run", "last.js", "-o", "json")
    assert proc.returncode == 0, cli.explain(proc)
    assert json.loads(proc.stdout.splitlines()[-1])["result"] == {"product": 42}


def test_output_json_without_result_is_null(cli):
    cli.write("n.js", "await 0;\nconst x = 1;\n")
    proc = cli("run", "n.js", "-o", "json")
    assert proc.returncode == 0, cli.explain(proc)
    assert json.loads(proc.stdout.splitlines()[-1])["result"] is None


def test_output_json_on_error_still_exits_1(cli):
    cli.write("e.js", 'throw new Error("ValidationError: nope");\n')
    proc = cli("run", "e.js", "--output", "json")
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stderr == "e.js:1: ValidationError: nope\n"


def test_script_args(cli):
    cli.write(
        "args.js",
        "print(ARGS[0], ARGS[1], ARGS[2], ARGS.k, ARGS.flag, ARGS[3], ARGS.timeout,"
        " JSON.stringify(ARGS.positional));\n",
    )
    proc = cli("run", "args.js", "--", "a", "b", "--k", "v", "--timeout", "5", "--flag")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == 'args.js\ta\tb\tv\ttrue\tundefined\t5\t["a","b"]\n'


def test_exec_with_engine_js(cli):
    proc = cli("exec", "--engine", "js", 'console.log(1 + 1);\n"x"')
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == "2\nx\n"


def test_exec_js_with_top_level_await_and_json(cli):
    proc = cli(
        "exec",
        "--engine",
        "js",
        "--output",
        "json",
        'await State.set("k", [1, 2]); export default await State.get("k")',
    )
    assert proc.returncode == 0, cli.explain(proc)
    assert json.loads(proc.stdout.splitlines()[-1])["result"] == [1, 2]


def test_exec_js_error(cli):
    proc = cli("exec", "--engine", "js", 'let a = 1;\nthrow new Error("NotFoundError: gone");')
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stderr == "<exec>:2: NotFoundError: gone\n"


def test_timeout_on_infinite_loop(cli):
    cli.write("loop.js", "while (true) {}\n")
    start = time.monotonic()
    proc = cli("run", "--timeout", "1", "loop.js")
    elapsed = time.monotonic() - start
    assert proc.returncode == 1, cli.explain(proc)
    # a loop at the top level: QuickJS's interrupt knows no line finer than its function
    assert proc.stderr.startswith("loop.js: LimitExceeded: wall-time limit of 1 s exceeded")
    assert elapsed < 10


def test_memory_limit(cli):
    cli.write("bomb.js", "const a = [];\nwhile (true) a.push({x: a.length});\n")
    proc = cli("run", "--memory-mb", "16", "bomb.js")
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stderr.startswith("bomb.js")
    assert "LimitExceeded: memory limit of 16 MB exceeded" in proc.stderr


def test_engines_lists_js(cli):
    proc = cli("engines", "--json")
    assert proc.returncode == 0, cli.explain(proc)
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert rows["js"]["extensions"] == [".js", ".mjs"]
    assert "QuickJS" in rows["js"]["language"]


def test_mjs_extension_selects_js(cli):
    cli.write("m.mjs", 'export default "from mjs";\n')
    proc = cli("run", "m.mjs")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == "from mjs\n"
