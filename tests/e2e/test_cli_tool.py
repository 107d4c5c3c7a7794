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
    proc = cli("tool", "info", "image-processor")
    assert proc.returncode == 0, cli.explain(proc)
    assert "file_path*" in proc.stdout


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
    cli.write("alt.toml", '[tools.calculator]\nmax_int_bits = 64\n')
    proc = cli("tool", "invoke", "calculator", "-p", '{"input": "2 ** 100"}', "-c", "alt.toml")
    assert proc.returncode == 1, cli.explain(proc)
    assert "max_int_bits" in proc.stdout
    assert cli("tool", "list", "-c", "alt.toml", "-o", "json").returncode == 0
    missing = cli("tool", "list", "-c", "nope.toml")
    assert missing.returncode == 2 and "nope.toml" in missing.stderr
