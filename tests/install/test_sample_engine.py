"""Install check (b): a third-party engine (``tests/plugins/llmspell-engine-sample``)
installed next to core + lua + cli is found through its entry point, runs its own files,
binds the core's op table, and reports errors with file and line.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

SPELL = """\
# a .sample spell: one statement per line
print hello from a plugin engine
call State.set ["greeting", {"text": "hi", "n": 2}]
call State.get ["greeting"]
call Config.is_network_access_allowed
return {"ok": true}
"""


@pytest.fixture(scope="module")
def venv(make_venv):
    return make_venv(
        "llmspell-core", "llmspell-engine-lua", "llmspell-cli", "llmspell-engine-sample"
    )


def test_engines_lists_sample(venv, tmp_path):
    proc = venv.llmspell("engines", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    assert set(rows) == {"lua", "sample"}
    assert rows["sample"]["extensions"] == [".sample"]
    assert rows["sample"]["plugin"] == "sample"
    table = venv.llmspell("engines", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "sample" in table.stdout
    assert ".sample" in table.stdout


def test_plugins_lists_the_sample_distribution(venv, tmp_path):
    proc = venv.llmspell("plugins", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    assert rows["sample"]["distribution"] == "llmspell-engine-sample"
    assert rows["sample"]["version"] == venv.installed["llmspell-engine-sample"]
    assert rows["sample"]["hooks"] == ["register_engines"]
    assert rows["sample"]["error"] is None


def test_run_sample_calls_core_ops(venv, tmp_path):
    (tmp_path / "x.sample").write_text(SPELL)
    proc = venv.llmspell("run", "x.sample", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:4] == [
        "hello from a plugin engine",
        "true",
        '{"n": 2, "text": "hi"}',
        "false",
    ]
    assert json.loads("\n".join(lines[4:])) == {"ok": True}


def test_state_is_shared_with_lua(venv, tmp_path):
    """Both engines bind the same op table and the same store (LLMSPELL_HOME)."""
    (tmp_path / "w.sample").write_text('call State.set ["from", "sample"]\n')
    (tmp_path / "r.lua").write_text('return State.get("from")\n')
    assert venv.llmspell("run", "w.sample", cwd=tmp_path).returncode == 0
    proc = venv.llmspell("run", "r.lua", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "sample"


def test_engine_flag_selects_sample(venv, tmp_path):
    (tmp_path / "spell.txt").write_text("print chosen by --engine\nreturn 7\n")
    proc = venv.llmspell("run", "spell.txt", "--engine", "sample", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["chosen by --engine", "7"]
    inline = venv.llmspell("exec", "--engine", "sample", "print inline", cwd=tmp_path)
    assert inline.returncode == 0, inline.stderr
    assert inline.stdout == "inline\n"


def test_script_error_has_file_and_line(venv, tmp_path):
    (tmp_path / "bad.sample").write_text("print before\n\nerror ToolError: it broke\nprint after\n")
    proc = venv.llmspell("run", "bad.sample", cwd=tmp_path)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stdout == "before\n"
    assert "bad.sample:3: ToolError: it broke" in proc.stderr


def test_op_argument_errors_come_from_the_op_table(venv, tmp_path):
    (tmp_path / "args.sample").write_text("call State.set [1]\n")
    proc = venv.llmspell("run", "args.sample", cwd=tmp_path)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "args.sample:1: ValidationError: State.set: argument 1 'key'" in proc.stderr


def test_json_error_output(venv, tmp_path):
    (tmp_path / "e.sample").write_text("error WorkflowError: stage 2\n")
    proc = venv.llmspell("run", "e.sample", "--output", "json", cwd=tmp_path)
    assert proc.returncode == 1
    err = json.loads(proc.stdout.splitlines()[0])["error"]
    assert err == {"kind": "WorkflowError", "message": "stage 2", "file": "e.sample", "line": 1}


def test_lua_still_works(venv, tmp_path):
    (tmp_path / "x.lua").write_text('print("lua ok")\n')
    proc = venv.llmspell("run", "x.lua", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "lua ok\n"
