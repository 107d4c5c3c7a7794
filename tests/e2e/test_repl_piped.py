"""``llmspell repl`` without a terminal: piped entries run one by one (multi-line ones
gathered by the completeness checkers), dot commands work, a failed entry sets exit 1."""

from __future__ import annotations

from tests.e2e.conftest import CLI


def test_piped_lua_entries_run_one_by_one(cli: CLI) -> None:
    proc = cli(
        "repl",
        stdin="local x = 6\nx * 7\nfunction f(n)\n  return n + x\nend\nf(1)\n"
        "error('boom')\nprint('after', x)\n.save s.lua\n",
    )
    assert proc.stdout == "42\n7\nafter\t6\n", cli.explain(proc)
    assert "stdin:1: ScriptError: boom" in proc.stderr
    assert proc.returncode == 1
    run = cli("run", "s.lua")
    assert run.stdout == "after\t6\n", cli.explain(run)


def test_piped_js_and_switching_engines(cli: CLI) -> None:
    proc = cli(
        "repl", "--engine", "js",
        stdin="let t = `a\nb`\nt.length\nconst v = await Promise.resolve(2)\nv * 21\n"
        ".engine lua\nlocal n = 5\nn + 1\n",
    )  # fmt: skip
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == "3\n42\n6\n"


def test_unknown_command_and_engine_are_clear_errors(cli: CLI) -> None:
    proc = cli("repl", stdin=".nope\n.engine cobol\n1 + 1\n")
    assert "ValidationError: unknown command '.nope'" in proc.stderr
    assert "ValidationError: unknown engine 'cobol'" in proc.stderr
    assert proc.stdout == "2\n"
    assert proc.returncode == 1


def test_load_runs_a_file_in_the_session(cli: CLI) -> None:
    cli.write("lib.lua", "local base = 40\nfunction add(n) return base + n end\n")
    proc = cli("repl", stdin=".load lib.lua\nadd(2)\nbase\n.load missing.lua\n")
    assert proc.stdout == "42\n40\n", cli.explain(proc)
    assert "NotFoundError: no file 'missing.lua'" in proc.stderr
