"""End-to-end tests of ``llmspell tool list|info|invoke|search``: a real subprocess per case.

Same isolation as test_cli.py: a private ``LLMSPELL_HOME`` and ``HOME``, run in
``tmp_path``. Exit codes: 0 ok, 1 the tool failed (success=false) or was refused,
2 usage error (bad JSON, unknown tool or category).
"""

from __future__ import annotations

import json
import subprocess

import pytest


def _json(proc: subprocess.CompletedProcess[str]) -> object:
    try:
        return json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"stdout is not JSON (exit {proc.returncode})\n{proc.stdout}\n{proc.stderr}")


# -- list ---------------------------------------------------------------------------------


def test_list_table_and_json(cli):
    proc = cli("tool", "list")
    assert proc.returncode == 0, cli.explain(proc)
    assert "calculator" in proc.stdout and "utility" in proc.stdout
    proc = cli("tool", "list", "--output", "json")
    assert proc.returncode == 0, cli.explain(proc)
    tools = _json(proc)
    assert isinstance(tools, list)
    names = [t["name"] for t in tools]
    assert "calculator" in names and names == sorted(names)
    calc = next(t for t in tools if t["name"] == "calculator")
    assert set(calc) == {"name", "description", "category", "version"}
    assert calc["category"] == "utility"


def test_list_is_one_line_per_tool_in_80_columns(cli):
    proc = cli("tool", "list")  # not a terminal: 80 columns, whatever COLUMNS says
    assert proc.returncode == 0, cli.explain(proc)
    tools = _json(cli("tool", "list", "-o", "json"))
    assert isinstance(tools, list)
    lines = proc.stdout.splitlines()
    assert len(lines) == len(tools)
    described = {t["name"]: " ".join(t["description"].split()) for t in tools}
    cut = 0
    for line, tool in zip(lines, tools, strict=True):
        assert len(line) <= 80, line
        name, category, summary = line.split(None, 2)
        assert (name, category) == (tool["name"], tool["category"])
        text = described[name]
        if summary.endswith("…"):
            cut += 1
            head = summary[:-1]
            assert text.startswith(head), (head, text)
            assert text[len(head)] in " ,;:-(", f"cut inside a word: {line!r}"
        else:
            assert text.startswith(summary)
    assert cut > 0  # the long descriptions were shortened


def test_list_long_has_whole_descriptions(cli):
    proc = cli("tool", "list", "--long", "--category", "utility", env={"COLUMNS": "400"})
    assert proc.returncode == 0, cli.explain(proc)
    assert "with optional variables." in proc.stdout  # the end of calculator's description
    assert "document" not in proc.stdout


def test_list_by_category(cli):
    proc = cli("tool", "list", "--category", "media", "-o", "json")
    assert proc.returncode == 0, cli.explain(proc)
    tools = _json(proc)
    assert {t["category"] for t in tools} == {"media"}
    assert {"image-processor", "audio-processor", "video-processor"} <= {t["name"] for t in tools}
    proc = cli("tool", "list", "--category", "document")
    assert proc.returncode == 0 and "pdf-processor" in proc.stdout, cli.explain(proc)


def test_list_bad_category_or_output_is_a_usage_error(cli):
    proc = cli("tool", "list", "--category", "no-such-category")
    assert proc.returncode == 2, cli.explain(proc)
    assert "no tools in category 'no-such-category'" in proc.stderr
    assert "utility" in proc.stderr  # the known categories are listed
    proc = cli("tool", "list", "--output", "yaml")
    assert proc.returncode == 2, cli.explain(proc)
    assert "'yaml' is not one of 'text', 'json'" in proc.stderr


# -- info ---------------------------------------------------------------------------------


def test_info_text_and_json(cli):
    proc = cli("tool", "info", "calculator")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.startswith("calculator (utility, v")
    assert "input" in proc.stdout and "evaluate" in proc.stdout
    proc = cli("tool", "info", "pdf-processor", "--json")
    assert proc.returncode == 0, cli.explain(proc)
    info = _json(proc)
    assert isinstance(info, dict)
    assert info["name"] == "pdf-processor" and info["category"] == "document"
    assert info["parameters"]["required"] == ["input"]
    assert "pdf" in info["tags"] and info["timeout_seconds"] > 0


def test_info_marks_required_parameters(cli):
    proc = cli("tool", "info", "pdf-processor")
    assert proc.returncode == 0, cli.explain(proc)
    assert "\n  input (string, required)\n      path of the PDF file\n" in proc.stdout
    assert "\n  start_page (integer 1.., optional)\n" in proc.stdout


def test_info_shows_timeout_security_defaults_settings_and_examples(cli):
    proc = cli("tool", "info", "calculator")
    assert proc.returncode == 0, cli.explain(proc)
    out = proc.stdout
    assert "timeout: 5 s per call" in out
    assert "security: none declared" in out
    # a long parameter line wraps, indented under its name
    assert '  operation (one of: "evaluate" | "validate" | "functions", optional, default\n' in out
    assert '      "evaluate")\n' in out
    assert "settings ([tools.calculator] in llmspell.toml):" in out
    assert "  max_int_bits (integer 1.., optional, default 100000)" in out
    assert 'example (Lua):\n  Tool.execute("calculator", {input = "1 + 2"})\n' in out
    assert 'example (JavaScript):\n  await Tool.execute("calculator", {input: "1 + 2"})\n' in out
    assert all(len(line) <= 80 for line in out.splitlines()), out


def test_info_security_needs_and_a_tool_without_settings(cli):
    proc = cli("tool", "info", "http-requester")
    assert proc.returncode == 0, cli.explain(proc)
    assert "security: network: needs [security] allow_network (or --allow-net)" in proc.stdout
    proc = cli("tool", "info", "video-processor")
    assert "files: only under [security] allowed_paths" in proc.stdout
    assert "processes: needs [security] allow_process" in proc.stdout
    proc = cli("tool", "info", "uuid-generator")
    assert "settings: none" in proc.stdout
    # a required enum gets a free-form parameter too, so the example does something
    proc = cli("tool", "info", "file-operations")
    assert 'Tool.execute("file-operations", {operation = "read", path = "data.txt"})' in proc.stdout


def test_info_json_carries_the_same_data(cli):
    proc = cli("tool", "info", "calculator", "-o", "json")
    assert proc.returncode == 0, cli.explain(proc)
    info = _json(proc)
    assert isinstance(info, dict)
    assert info["timeout_seconds"] == 5 and info["security"] == []
    rows = {row["name"]: row for row in info["parameter_list"]}
    assert rows["operation"]["default"] == "evaluate" and rows["operation"]["required"] is False
    assert rows["input"]["type"] == "string" and "default" not in rows["input"]
    assert info["settings"]["table"] == "[tools.calculator]"
    assert info["settings"]["keys"][0]["name"] == "max_int_bits"
    assert info["examples"] == {
        "lua": 'Tool.execute("calculator", {input = "1 + 2"})',
        "js": 'await Tool.execute("calculator", {input: "1 + 2"})',
    }
    network = _json(cli("tool", "info", "database-connector", "-o", "json"))
    assert isinstance(network, dict) and network["security"] == ["files", "network"]


def test_info_examples_run_in_both_engines(cli):
    # the printed example is a real call: run it as a spell
    info = _json(cli("tool", "info", "calculator", "-o", "json"))
    assert isinstance(info, dict)
    lua = cli("exec", f"print({info['examples']['lua']}.text)")
    assert lua.returncode == 0 and lua.stdout.strip() == "3", cli.explain(lua)
    js = cli("exec", "-e", "js", f"console.log(({info['examples']['js']}).text)")
    assert js.returncode == 0 and js.stdout.strip() == "3", cli.explain(js)


def test_info_shows_square_brackets_literally(cli):
    # descriptions name config tables ("[tools.email-sender] provider"): not rich markup
    proc = cli("tool", "info", "email-sender", env={"COLUMNS": "200"})
    assert proc.returncode == 0, cli.explain(proc)
    assert "[tools.email-sender]" in proc.stdout


def test_info_unknown_tool(cli):
    proc = cli("tool", "info", "no-such-tool")
    assert proc.returncode == 2, cli.explain(proc)
    assert "unknown tool 'no-such-tool'" in proc.stderr
    assert proc.stdout == ""


# -- invoke -------------------------------------------------------------------------------


def test_invoke_success(cli):
    proc = cli("tool", "invoke", "calculator", "--params", '{"input": "2 * (3 + x)", '
               '"variables": {"x": 4}}')  # fmt: skip
    assert proc.returncode == 0, cli.explain(proc)
    result = _json(proc)
    assert isinstance(result, dict)
    assert result["success"] is True
    assert result["result"]["result"] == 14 and result["text"] == "14"
    assert result["metadata"]["tool"] == "calculator"
    assert isinstance(result["metadata"]["execution_time_ms"], float | int)


def test_invoke_default_params_and_short_option(cli):
    proc = cli("tool", "invoke", "calculator", "-p", '{"operation": "functions"}')
    assert proc.returncode == 0, cli.explain(proc)
    assert "sqrt" in _json(proc)["result"]["functions"]


def test_invoke_tool_failure_exits_1_with_the_result(cli):
    proc = cli("tool", "invoke", "calculator", "--params", '{"input": "1/0"}')
    assert proc.returncode == 1, cli.explain(proc)
    result = _json(proc)
    assert isinstance(result, dict)
    assert result["success"] is False and result["error"] == "division by zero"
    assert result["error_kind"] == "ToolError"


def test_invoke_file_tool_in_the_working_directory(cli, tmp_path):
    (tmp_path / "doc.pdf").write_text("not a pdf", encoding="utf-8")
    proc = cli("tool", "invoke", "pdf-processor", "--params", '{"input": "doc.pdf"}')
    assert proc.returncode == 1, cli.explain(proc)
    assert "no %PDF header" in _json(proc)["error"]


def test_invoke_security_denial_exits_1(cli):
    proc = cli("tool", "invoke", "pdf-processor", "--params", '{"input": "/etc/passwd"}')
    assert proc.returncode == 1, cli.explain(proc)
    assert "SecurityError: access to '/etc/passwd' is denied" in proc.stderr
    assert proc.stdout == ""


def test_invoke_invalid_params_exits_1_naming_the_parameter(cli):
    proc = cli("tool", "invoke", "calculator", "--params", '{"input": 5}')
    assert proc.returncode == 1, cli.explain(proc)
    assert "ValidationError" in proc.stderr and "parameter 'input'" in proc.stderr


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("{bad json", "--params is not valid JSON"),
        ("[1, 2]", "--params must be a JSON object"),
        ('"text"', "--params must be a JSON object"),
    ],
)
def test_invoke_bad_json_is_a_usage_error(cli, params, message):
    proc = cli("tool", "invoke", "calculator", "--params", params)
    assert proc.returncode == 2, cli.explain(proc)
    assert message in proc.stderr
    assert proc.stdout == ""


def test_invoke_unknown_tool_is_a_usage_error(cli):
    proc = cli("tool", "invoke", "no-such-tool", "--params", "{}")
    assert proc.returncode == 2, cli.explain(proc)
    assert "unknown tool 'no-such-tool'" in proc.stderr


# -- search -------------------------------------------------------------------------------


def test_search_words_all_match(cli):
    proc = cli("tool", "search", "pdf", "--json")
    assert proc.returncode == 0, cli.explain(proc)
    assert [t["name"] for t in _json(proc)] == ["pdf-processor"]
    proc = cli("tool", "search", "MEDIA", "image")  # case-insensitive, every word must match
    assert proc.returncode == 0, cli.explain(proc)
    assert "image-processor" in proc.stdout and "audio-processor" not in proc.stdout
    proc = cli("tool", "search", "math", "--json")  # tags count too
    assert "calculator" in [t["name"] for t in _json(proc)]


def test_search_no_match(cli):
    proc = cli("tool", "search", "zzz-nothing")
    assert proc.returncode == 0, cli.explain(proc)
    assert "no tool matches 'zzz-nothing'" in proc.stdout
    proc = cli("tool", "search", "zzz-nothing", "--json")
    assert proc.returncode == 0 and _json(proc) == []


def test_tool_without_subcommand_shows_help(cli):
    proc = cli("tool")
    assert proc.returncode in (0, 2), cli.explain(proc)
    assert "invoke" in proc.stdout + proc.stderr


# -- one convention for every command -------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("engines",),
        ("plugins",),
        ("tool", "list"),
        ("tool", "info", "calculator"),
        ("tool", "search", "math"),
    ],
)
def test_every_listing_takes_output_json_and_the_older_json_flag(cli, command):
    new = cli(*command, "--output", "json")
    short = cli(*command, "-o", "json")
    old = cli(*command, "--json")
    assert new.returncode == 0, cli.explain(new)
    assert json.loads(new.stdout) == json.loads(short.stdout) == json.loads(old.stdout)


def test_tool_commands_take_config(cli):
    cli.write("alt.toml", "[tools.calculator]\nmax_int_bits = 64\n")
    proc = cli("tool", "invoke", "calculator", "-p", '{"input": "2 ** 100"}', "-c", "alt.toml")
    assert proc.returncode == 1, cli.explain(proc)
    assert "max_int_bits" in proc.stdout
    assert cli("tool", "list", "-c", "alt.toml", "-o", "json").returncode == 0
    missing = cli("tool", "list", "-c", "nope.toml")
    assert missing.returncode == 2 and "nope.toml" in missing.stderr
