"""Install check (a): ``llmspell-core llmspell-engine-lua llmspell-cli`` and nothing else.

DESIGN.md §1: that install gives a working ``llmspell run x.lua``; running ``x.js`` then
fails with a message that names the distribution to install.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

LUA_SPELL = """\
local n = (State.get("runs") or 0) + 1
State.set("runs", n)
print("hello from lua", n, JSON.stringify({ a = 1 }))
return { runs = n }
"""


@pytest.fixture(scope="module")
def venv(make_venv):
    return make_venv("llmspell-core", "llmspell-engine-lua", "llmspell-cli")


def test_only_the_three_distributions_are_installed(venv):
    ours = sorted(n for n in venv.installed if n.startswith("llmspell"))
    assert ours == ["llmspell-cli", "llmspell-core", "llmspell-engine-lua"]
    assert venv.script("llmspell").is_file()


def test_run_lua_works(venv, tmp_path):
    (tmp_path / "x.lua").write_text(LUA_SPELL)
    first = venv.llmspell("run", "x.lua", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == 'hello from lua\t1\t{"a":1}'
    assert json.loads("".join(first.stdout.splitlines(keepends=True)[1:])) == {"runs": 1}
    # state lives under LLMSPELL_HOME and survives the process
    assert (tmp_path / "home" / "state.db").is_file()
    second = venv.llmspell("run", "x.lua", "--output", "json", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout.splitlines()[-1])["result"] == {"runs": 2}


def test_exec_uses_lua_by_default(venv, tmp_path):
    proc = venv.llmspell("exec", "return 6 * 7", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "42"


def test_run_js_fails_naming_the_distribution(venv, tmp_path):
    (tmp_path / "x.js").write_text('console.log("hi")\n')
    proc = venv.llmspell("run", "x.js", cwd=tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "llmspell-engine-js" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_engine_js_flag_fails_naming_the_distribution(venv, tmp_path):
    proc = venv.llmspell("exec", "--engine", "js", "1", cwd=tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "llmspell-engine-js" in proc.stderr


def test_engines_lists_lua_only(venv, tmp_path):
    as_json = venv.llmspell("engines", "--json", cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert [r["name"] for r in rows] == ["lua"]
    assert rows[0]["extensions"] == [".lua"]
    table = venv.llmspell("engines", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "lua" in table.stdout
    assert "js" not in table.stdout.replace("json", "")


def test_plugins_all_loaded(venv, tmp_path):
    proc = venv.llmspell("plugins", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    assert set(rows) == {"llmspell.builtins", "lua"}
    assert all(r["error"] is None for r in rows.values()), rows
    assert rows["lua"]["distribution"] == "llmspell-engine-lua"
    assert "register_engines" in rows["lua"]["hooks"]


def test_version_reports_what_is_missing(venv, tmp_path):
    proc = venv.llmspell("version", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"llmspell-engine-lua {venv.installed['llmspell-engine-lua']}" in proc.stdout
    assert "llmspell-engine-js (not installed)" in proc.stdout


def test_uncaught_not_found_error_in_a_spell_is_a_script_error(venv, tmp_path):
    (tmp_path / "x.lua").write_text('local a = 1\nTool.execute("nope", {})\n')
    proc = venv.llmspell("run", "x.lua", cwd=tmp_path)
    assert "x.lua:2: NotFoundError: unknown tool 'nope'" in proc.stderr
    assert proc.returncode == 1
