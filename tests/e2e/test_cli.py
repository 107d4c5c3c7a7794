"""End-to-end tests of the ``llmspell`` command: a real subprocess per case.

Every run gets a private ``LLMSPELL_HOME`` and ``HOME`` (so no user config or state leaks
in) and runs in ``tmp_path``. Exit codes: 0 ok, 1 script error, 2 usage error.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "examples" / "hello.lua"


# -- run ----------------------------------------------------------------------------------


def test_run_hello_example(cli):
    assert HELLO.is_file(), HELLO
    first = cli("run", str(HELLO), "--", "Ada")
    assert first.returncode == 0, cli.explain(first)
    lines = first.stdout.splitlines()
    assert lines[:3] == ["Hello, Ada!", "This spell has run 1 time(s).", "Greetings, Ada"]
    assert json.loads("\n".join(lines[3:])) == {"greeted": "Ada", "runs": 1}
    assert first.stderr == ""
    # State persists in the SQLite store under LLMSPELL_HOME
    assert (cli.home / "state.db").is_file()
    second = cli("run", str(HELLO))
    assert second.returncode == 0, cli.explain(second)
    assert second.stdout.splitlines()[:2] == ["Hello, world!", "This spell has run 2 time(s)."]


def test_run_ok_prints_output_and_result(cli):
    cli.write("ok.lua", 'print("a", 1, nil, true)\nreturn "done"\n')
    proc = cli("run", "ok.lua")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == "a\t1\tnil\ttrue\ndone\n"
    assert proc.stderr == ""


def test_run_without_result_prints_only_output(cli):
    cli.write("quiet.lua", 'print("only this")\n')
    proc = cli("run", "quiet.lua")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "only this\n", "")


def test_script_error_exit_1_with_location(cli):
    cli.write("boom.lua", 'print("before")\nlocal x = 1\nerror("ToolError: it broke")\n')
    proc = cli("run", "boom.lua")
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stdout == "before\n"
    assert proc.stderr == "boom.lua:3: ToolError: it broke\n"


def test_runtime_error_exit_1(cli):
    cli.write("nil.lua", "local t\n\nreturn t.x\n")
    proc = cli("run", "nil.lua")
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stderr == "nil.lua:3: ScriptError: attempt to index a nil value (local 't')\n"


def test_syntax_error_exit_1(cli):
    cli.write("syntax.lua", "local x = \n")
    proc = cli("run", "syntax.lua")
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stderr.startswith("syntax.lua:")
    assert "ScriptError: syntax error:" in proc.stderr


def test_host_error_exit_1(cli):
    cli.write("json.lua", '\nlocal v = JSON.parse("{oops")\n')
    proc = cli("run", "json.lua")
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stderr.startswith("json.lua:2: ValidationError: JSON.parse: invalid JSON")
    assert proc.stderr.count("\n") == 1


# -- usage errors (exit 2) ----------------------------------------------------------------


def test_missing_script_file_exit_2(cli):
    proc = cli("run", "nope.lua")
    assert proc.returncode == 2, cli.explain(proc)
    assert "nope.lua" in proc.stderr
    assert proc.stdout == ""


def test_directory_as_script_is_a_clear_usage_error(cli):
    (cli.cwd / "spells").mkdir()
    proc = cli("run", "spells")
    assert proc.returncode == 2, cli.explain(proc)
    assert proc.stderr == "llmspell: 'spells' is a directory, not a spell file\n"


def test_non_utf8_script_is_a_usage_error_with_the_prefix(cli):
    (cli.cwd / "latin1.lua").write_bytes(b'print("caf\xe9")\n')
    proc = cli("run", "latin1.lua")
    assert proc.returncode == 2, cli.explain(proc)
    assert proc.stderr.startswith("llmspell: script file 'latin1.lua' is not UTF-8 text (byte 10")
    assert "save it as UTF-8" in proc.stderr


@pytest.mark.parametrize("name", ["bom.lua", "bom.js"])
def test_a_utf8_byte_order_mark_is_not_a_syntax_error(cli, name):
    (cli.cwd / name).write_bytes(b"\xef\xbb\xbfprint('with a BOM')\n")
    proc = cli("run", name)
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == "with a BOM\n"


def test_dev_null_is_an_empty_spell(cli):
    proc = cli("run", "/dev/null")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == proc.stderr == ""


def test_dash_reads_the_spell_from_stdin(cli):
    proc = cli("run", "-", "--", "a", stdin='print("from stdin", ARGS[0], ARGS[1])\n')
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == "from stdin\t<stdin>\ta\n"
    js = cli("run", "-", "--engine", "js", stdin='print("js from stdin")\n')
    assert js.stdout == "js from stdin\n", cli.explain(js)
    failed = cli("run", "-", stdin='error("boom")\n')
    assert failed.returncode == 1
    assert failed.stderr.startswith("<stdin>:1: ScriptError: boom")


def test_version_flag_matches_the_version_command(cli):
    flag, command, short = cli("--version"), cli("version"), cli("-V")
    assert flag.returncode == 0, cli.explain(flag)
    assert flag.stdout == command.stdout == short.stdout
    assert flag.stdout.startswith("llmspell ") and "llmspell-core" in flag.stdout


def test_unknown_option_exit_2(cli):
    cli.write("ok.lua", "return 1\n")
    proc = cli("run", "--bogus-option", "ok.lua")
    assert proc.returncode == 2, cli.explain(proc)
    assert "--bogus-option" in proc.stderr


def test_unknown_command_exit_2(cli):
    proc = cli("frobnicate")
    assert proc.returncode == 2, cli.explain(proc)


def test_unknown_engine_exit_2(cli):
    cli.write("ok.lua", "return 1\n")
    proc = cli("run", "--engine", "cobol", "ok.lua")
    assert proc.returncode == 2, cli.explain(proc)
    assert "cobol" in proc.stderr
    assert "lua" in proc.stderr  # names what is installed


def test_js_without_the_js_engine_names_the_distribution(cli):
    cli.write("hello.js", 'console.log("hi")\n')
    # load only the Lua engine, so the test holds whether or not the JS engine exists
    proc = cli("run", "hello.js", env={"LLMSPELL_LOAD_PLUGINS": "llmspell-engine-lua"})
    assert proc.returncode == 2, cli.explain(proc)
    assert "llmspell-engine-js" in proc.stderr
    assert ".js" in proc.stderr


def test_invalid_config_file_names_file_and_key(cli):
    cli.write("bad.toml", "[runtime]\ntimeout_secs = 3\n")
    cli.write("ok.lua", "return 1\n")
    proc = cli("run", "--config", "bad.toml", "ok.lua")
    assert proc.returncode == 2, cli.explain(proc)
    assert "bad.toml" in proc.stderr
    assert "runtime.timeout_secs" in proc.stderr
    assert "timeout_seconds" in proc.stderr  # the suggested fix


def test_discovered_config_file_with_a_bad_value(cli):
    cli.write("llmspell.toml", '[runtime]\nmemory_mb = "lots"\n')
    cli.write("ok.lua", "return 1\n")
    proc = cli("run", "ok.lua")
    assert proc.returncode == 2, cli.explain(proc)
    assert "llmspell.toml" in proc.stderr
    assert "runtime.memory_mb" in proc.stderr


def test_config_file_that_is_not_toml(cli):
    cli.write("broken.toml", "[runtime\n")
    proc = cli("config", "validate", "--config", "broken.toml")
    assert proc.returncode == 2, cli.explain(proc)
    assert "broken.toml" in proc.stderr


def test_missing_config_file_exit_2(cli):
    cli.write("ok.lua", "return 1\n")
    proc = cli("run", "--config", "absent.toml", "ok.lua")
    assert proc.returncode == 2, cli.explain(proc)
    assert "absent.toml" in proc.stderr


# -- output formats, ARGS, exec -----------------------------------------------------------


def test_output_json_last_line(cli):
    cli.write("j.lua", 'print("printed first")\nreturn {answer = 42, list = {1, 2}}\n')
    proc = cli("run", "j.lua", "--output", "json")
    assert proc.returncode == 0, cli.explain(proc)
    lines = proc.stdout.splitlines()
    assert lines[0] == "printed first"
    payload = json.loads(lines[-1])
    assert set(payload) == {"result", "duration_ms", "usage"}
    assert payload["result"] == {"answer": 42, "list": [1, 2]}
    assert isinstance(payload["duration_ms"], int | float)
    assert payload["duration_ms"] >= 0
    assert isinstance(payload["usage"], dict)


def test_output_json_without_result_is_null(cli):
    cli.write("n.lua", "local x = 1\n")
    proc = cli("run", "n.lua", "-o", "json")
    assert proc.returncode == 0, cli.explain(proc)
    assert json.loads(proc.stdout.splitlines()[-1])["result"] is None


def test_output_json_on_error_still_exits_1(cli):
    cli.write("e.lua", 'error("ValidationError: nope")\n')
    proc = cli("run", "e.lua", "--output", "json")
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stderr == "e.lua:1: ValidationError: nope\n"


def test_script_args(cli):
    cli.write(
        "args.lua",
        "print(ARGS[0], ARGS[1], ARGS[2], ARGS.k, ARGS.flag, ARGS[3], ARGS.timeout)\n",
    )
    proc = cli("run", "args.lua", "--", "a", "b", "--k", "v", "--timeout", "5", "--flag")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == "args.lua\ta\tb\tv\ttrue\tnil\t5\n"


def test_exec(cli):
    proc = cli("exec", 'print(1 + 1)\nreturn "x"')
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == "2\nx\n"


def test_exec_error(cli):
    proc = cli("exec", 'local a = 1\nerror("NotFoundError: gone")')
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stderr == "<exec>:2: NotFoundError: gone\n"


def test_exec_output_json(cli):
    proc = cli("exec", "return {1, 2, 3}", "--output", "json")
    assert proc.returncode == 0, cli.explain(proc)
    assert json.loads(proc.stdout.splitlines()[-1])["result"] == [1, 2, 3]


# -- information commands -----------------------------------------------------------------


def test_engines(cli):
    proc = cli("engines")
    assert proc.returncode == 0, cli.explain(proc)
    assert "lua" in proc.stdout
    assert "Lua 5.4" in proc.stdout


def test_engines_json(cli):
    proc = cli("engines", "--json")
    assert proc.returncode == 0, cli.explain(proc)
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert rows["lua"]["extensions"] == [".lua"]
    assert rows["lua"]["language"] == "Lua 5.4"


def test_plugins(cli):
    proc = cli("plugins")
    assert proc.returncode == 0, cli.explain(proc)
    assert "llmspell-engine-lua" in proc.stdout
    assert "register_engines" in proc.stdout


def test_plugins_json(cli):
    proc = cli("plugins", "--json")
    assert proc.returncode == 0, cli.explain(proc)
    rows = json.loads(proc.stdout)
    by_dist = {row["distribution"]: row for row in rows}
    assert "register_engines" in by_dist["llmspell-engine-lua"]["hooks"]
    assert "register_globals" in by_dist["llmspell-core"]["hooks"]
    assert all(row["error"] is None for row in rows), rows


def test_version(cli):
    proc = cli("version")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.startswith("llmspell ")
    for dist in ("llmspell-core", "llmspell-engine-lua", "llmspell-cli"):
        assert dist in proc.stdout


# -- config -------------------------------------------------------------------------------


def test_config_init_validate_show(cli):
    proc = cli("config", "init")
    assert proc.returncode == 0, cli.explain(proc)
    written = cli.cwd / "llmspell.toml"
    assert written.is_file()
    assert "[runtime]" in written.read_text(encoding="utf-8")

    again = cli("config", "init")
    assert again.returncode == 2, cli.explain(again)
    assert "--force" in again.stderr

    # validate finds ./llmspell.toml by itself, and accepts it explicitly
    found = cli("config", "validate")
    assert found.returncode == 0, cli.explain(found)
    assert "llmspell.toml" in found.stdout
    explicit = cli("config", "validate", "--config", str(written))
    assert explicit.returncode == 0, cli.explain(explicit)

    show = cli("config", "show")
    assert show.returncode == 0, cli.explain(show)
    settings = json.loads(show.stdout)
    assert settings["runtime"]["memory_mb"] == 256


def test_config_init_to_a_path(cli):
    proc = cli("config", "init", "conf/custom.toml")
    assert proc.returncode == 0, cli.explain(proc)
    assert (cli.cwd / "conf" / "custom.toml").is_file()


def test_config_show_redacts_secrets(cli):
    cli.write(
        "secret.toml",
        '[tools.web_search]\napi_key = "sk-very-secret-value"\n\n'
        '[providers.local]\nbase_url = "http://127.0.0.1:9/v1"\napi_key_env = "LOCAL_KEY"\n',
    )
    proc = cli("config", "show", "--config", "secret.toml")
    assert proc.returncode == 0, cli.explain(proc)
    assert "sk-very-secret-value" not in proc.stdout + proc.stderr
    settings = json.loads(proc.stdout)
    assert settings["tools"]["web_search"]["api_key"] == "***"
    # the *name* of the env var holding a key is not a secret
    assert settings["providers"]["local"]["api_key_env"] == "LOCAL_KEY"


def test_config_validate_rejects_bad_file(cli):
    cli.write("bad.toml", "[security]\nallow_network = 3\n")
    proc = cli("config", "validate", "--config", "bad.toml")
    assert proc.returncode == 2, cli.explain(proc)
    assert "bad.toml" in proc.stderr
    assert "security.allow_network" in proc.stderr


# -- limits and logging -------------------------------------------------------------------


def test_timeout_on_infinite_loop(cli):
    cli.write("loop.lua", "while true do end\n")
    start = time.monotonic()
    proc = cli("run", "--timeout", "1", "loop.lua")
    elapsed = time.monotonic() - start
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stderr.startswith("loop.lua:1: LimitExceeded: wall-time limit of 1 s exceeded")
    assert elapsed < 10


def test_memory_limit(cli):
    cli.write("bomb.lua", "local t = {}\nfor i = 1, 1e9 do t[i] = i end\n")
    proc = cli("run", "--memory-mb", "16", "bomb.lua")
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stderr.startswith("bomb.lua")
    assert "LimitExceeded: memory limit of 16 MB exceeded" in proc.stderr


def test_log_level(cli):
    cli.write(
        "log.lua",
        'Debug.debug("debug line")\nDebug.warn("warn line")\nprint("stdout line")\n',
    )
    default = cli("run", "log.lua")
    assert default.returncode == 0, cli.explain(default)
    assert default.stdout == "stdout line\n"
    assert "warn line" in default.stderr
    assert "debug line" not in default.stderr

    debug = cli("run", "--log-level", "debug", "log.lua")
    assert debug.returncode == 0, cli.explain(debug)
    assert debug.stdout == "stdout line\n"
    assert "debug line" in debug.stderr
    assert debug.stderr.index("debug line") < debug.stderr.index("warn line")


def test_log_level_from_environment(cli):
    cli.write("log.lua", 'Debug.info("info line")\n')
    proc = cli("run", "log.lua", env={"LLMSPELL_LOG_LEVEL": "info"})
    assert proc.returncode == 0, cli.explain(proc)
    assert "info line" in proc.stderr


def test_help_shows_config_table_names_as_written(cli):
    proc = cli("run", "--help")
    assert "([security]" in proc.stdout and "allow_network)" in proc.stdout, proc.stdout


def test_exec_takes_usage_and_stream(cli):
    proc = cli("exec", "return 1", "--usage", "--stream")
    assert proc.returncode == 0, cli.explain(proc)
    assert "no LLM calls" in proc.stderr


def test_config_validate_does_not_tell_you_to_run_itself(cli):
    cli.write("bad.toml", "[runtime]\ntimeout_seconds = -3\n")
    proc = cli("config", "validate", "-c", "bad.toml")
    assert proc.returncode == 2, cli.explain(proc)
    assert "timeout_seconds" in proc.stderr
    assert "llmspell config validate" not in proc.stderr
