"""Install check (c): a plugin whose module raises on import
(``tests/plugins/llmspell-plugin-broken``) is reported and skipped, never fatal, unless
``LLMSPELL_STRICT_PLUGINS=1``; ``LLMSPELL_LOAD_PLUGINS`` allowlists (DESIGN.md §2).
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

BOOM = "RuntimeError: boom at import"


@pytest.fixture(scope="module")
def venv(make_venv):
    return make_venv(
        "llmspell-core", "llmspell-engine-lua", "llmspell-cli", "llmspell-plugin-broken"
    )


@pytest.fixture
def spell(tmp_path):
    (tmp_path / "x.lua").write_text('print("still running")\nreturn 1 + 1\n')
    return tmp_path


def test_plugins_reports_the_broken_plugin(venv, tmp_path):
    proc = venv.llmspell("plugins", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    broken = rows["broken"]
    assert broken["distribution"] == "llmspell-plugin-broken"
    assert broken["version"] == venv.installed["llmspell-plugin-broken"]
    assert broken["error"] == BOOM
    assert broken["hooks"] == []
    assert rows["lua"]["error"] is None
    assert rows["llmspell.builtins"]["error"] is None


def test_plugins_table_shows_the_error(venv, tmp_path):
    proc = venv.llmspell("plugins", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if "broken" in ln)
    assert "llmspell-plugin-broken" in line
    assert "boom at import" in line


def test_run_lua_still_works(venv, spell):
    proc = venv.llmspell("run", "x.lua", cwd=spell)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "still running\n2\n"
    assert "Traceback" not in proc.stderr


def test_engines_still_works(venv, tmp_path):
    proc = venv.llmspell("engines", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [r["name"] for r in json.loads(proc.stdout)] == ["lua"]


def test_strict_mode_fails_naming_the_plugin(venv, spell):
    proc = venv.llmspell("run", "x.lua", cwd=spell, env={"LLMSPELL_STRICT_PLUGINS": "1"})
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == ""  # the spell never ran
    assert "PluginError" in proc.stderr
    assert "'broken'" in proc.stderr
    assert "llmspell-plugin-broken" in proc.stderr
    assert "boom at import" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("allow", ["lua", "llmspell-engine-lua", "lua,sample-not-installed"])
def test_allowlist_skips_the_broken_plugin(venv, spell, allow):
    env = {"LLMSPELL_LOAD_PLUGINS": allow, "LLMSPELL_STRICT_PLUGINS": "1"}
    proc = venv.llmspell("run", "x.lua", cwd=spell, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "still running\n2\n"
    listed = venv.llmspell("plugins", "--json", cwd=spell, env=env)
    assert listed.returncode == 0, listed.stderr
    assert {r["name"] for r in json.loads(listed.stdout)} == {"llmspell.builtins", "lua"}


def test_allowlist_naming_the_broken_plugin_reports_it(venv, spell):
    env = {"LLMSPELL_LOAD_PLUGINS": "lua,broken"}
    listed = venv.llmspell("plugins", "--json", cwd=spell, env=env)
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert rows["broken"]["error"] == BOOM
    proc = venv.llmspell("run", "x.lua", cwd=spell, env=env)
    assert proc.returncode == 0, proc.stderr
