"""End-to-end: ``llmspell state show|export|import`` on SQLite and on a real PostgreSQL
(``LLMSPELL_DATABASE_URL``): secrets never exported, an import checked whole before it
writes, export -> import into a fresh home round-trips exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import CLI

SEED = """
State.save("notes", "topic", {title = "héllo", n = 2, auth = {password = "p"}, list = {1, 2}})
State.save("notes", "api_key", "sk-not-exported")
State.save("cfg", "n", 3)
State.save("cfg", "flag", true)
State.set("greeting", "hi")
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "sqlite":
        return {}
    return {"LLMSPELL_DATABASE_URL": str(request.getfixturevalue("postgres_url"))}


def _ok(cli: CLI, *args: str, env: dict[str, str], stdin: str | None = None) -> str:
    proc = cli(*args, env=env, stdin=stdin)
    assert proc.returncode == 0, cli.explain(proc)
    return proc.stdout


def test_show_lists_scopes_and_masks_secret_keys(cli: CLI, env: dict[str, str]) -> None:
    _ok(cli, "exec", SEED, env=env)
    out = _ok(cli, "state", "show", env=env)
    assert "cfg     2 key(s)" in out and "notes   2 key(s)" in out
    data = json.loads(_ok(cli, "state", "show", "--output", "json", env=env))
    assert data["scopes"] == {"cfg": 2, "global": 1, "notes": 2}
    if env:
        assert data["location"].startswith("postgresql://") and "password" not in data["location"]
    one = json.loads(_ok(cli, "state", "show", "-s", "notes", "-o", "json", env=env))
    assert one["values"]["api_key"] == "***"
    assert one["values"]["topic"]["title"] == "héllo"


def test_export_leaves_secrets_out_and_round_trips(
    cli: CLI, env: dict[str, str], tmp_path: Path
) -> None:
    _ok(cli, "exec", SEED, env=env)
    proc = cli("state", "export", env=env)
    assert proc.returncode == 0, cli.explain(proc)
    assert "sk-not-exported" not in proc.stdout
    assert "notes:api_key" in proc.stderr and "sk-not-exported" not in proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    header, entries = lines[0], lines[1:]
    assert header["format"] == "llmspell-state" and header["version"] == 1
    assert header["entries"] == 4 and header["skipped_secrets"] == 1
    topic = next(e for e in entries if e["key"] == "topic")
    assert topic["value"]["auth"] == {"password": "[REDACTED]"}
    # into a fresh home (SQLite), then out again: the same entries
    fresh = CLI(tmp_path / "fresh")
    fresh.cwd.mkdir()
    export = fresh.write("export.jsonl", proc.stdout)
    out = _ok(fresh, "state", "import", str(export), env={})
    assert "imported 4 key(s) into 3 scope(s)" in out
    again = _ok(fresh, "state", "export", env={})
    assert again.splitlines()[1:] == proc.stdout.splitlines()[1:]
    # and the values are what a spell reads
    read = _ok(
        fresh, "exec", 'print(State.load("notes", "topic").title, State.get("greeting"))', env={}
    )
    assert read.strip() == "héllo\thi"


def test_export_to_a_file_and_scope_filter(cli: CLI, env: dict[str, str]) -> None:
    _ok(cli, "exec", SEED, env=env)
    _ok(cli, "state", "export", "--scope", "cfg", "--file", "cfg.jsonl", env=env)
    lines = (cli.cwd / "cfg.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["key"] for x in lines[1:]] == ["flag", "n"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "is empty"),
        ('{"not": "a header"}\n', "not an llmspell State export"),
        ('{"format": "llmspell-state", "version": 2}\n', "format version 2"),
        ('{"format": "llmspell-state", "version": 1}\nnot json\n', "line 2: not JSON"),
        ('{"format": "llmspell-state", "version": 1}\n{"scope": "s", "key": ""}\n', "line 2"),
        (
            '{"format": "llmspell-state", "version": 1}\n{"scope": "s", "key": "k", "value": 1}\n'
            '{"scope": "s", "key": "k", "value": 2}\n',
            "appears twice",
        ),
        (
            '{"format": "llmspell-state", "version": 1, "entries": 3}\n'
            '{"scope": "s", "key": "k", "value": 1}\n',
            "truncated",
        ),
    ],
)
def test_a_bad_import_writes_nothing(cli: CLI, body: str, message: str) -> None:
    _ok(cli, "exec", 'State.save("s", "keep", 1)', env={})
    # a good first entry, then the bad part: nothing of it may be written
    cli.write("bad.jsonl", body)
    proc = cli("state", "import", "bad.jsonl")
    assert proc.returncode == 1, cli.explain(proc)
    assert message in proc.stderr and "nothing was written" in proc.stderr
    assert "Traceback" not in proc.stderr
    keys = json.loads(_ok(cli, "state", "list", "-s", "s", "-o", "json", env={}))["keys"]
    assert keys == ["keep"]


def test_import_replace_and_dry_run(cli: CLI) -> None:
    _ok(cli, "exec", 'State.save("s", "old", 1); State.save("s", "k", 0)', env={})
    cli.write(
        "in.jsonl",
        '{"format": "llmspell-state", "version": 1}\n{"scope": "s", "key": "k", "value": 5}\n',
    )
    out = _ok(cli, "state", "import", "in.jsonl", "--replace", "--dry-run", env={})
    assert "would import 1 key(s) into 1 scope(s), would delete 1" in out
    assert json.loads(_ok(cli, "state", "get", "k", "-s", "s", env={})) == 0
    _ok(cli, "state", "import", "in.jsonl", "--replace", env={})
    keys = json.loads(_ok(cli, "state", "list", "-s", "s", "-o", "json", env={}))["keys"]
    assert keys == ["k"]
    assert json.loads(_ok(cli, "state", "get", "k", "-s", "s", env={})) == 5


def test_import_from_stdin_and_missing_file(cli: CLI) -> None:
    body = '{"format": "llmspell-state", "version": 1}\n{"scope": "s", "key": "k", "raw": "x"}\n'
    _ok(cli, "state", "import", "-", env={}, stdin=body)
    assert _ok(cli, "state", "get", "k", "-s", "s", env={}).strip() == '"x"'
    proc = cli("state", "import", "nope.jsonl")
    assert proc.returncode == 2 and "cannot read nope.jsonl" in proc.stderr


def test_postgres_down_is_a_clear_error(cli: CLI, tmp_path: Path) -> None:
    url = f"postgresql://bob:hunter2@/db?host={tmp_path}&port=1"
    proc = cli("state", "show", env={"LLMSPELL_DATABASE_URL": url})
    assert proc.returncode == 2, cli.explain(proc)
    assert "StateError" in proc.stderr and "not reachable" in proc.stderr
    assert "hunter2" not in proc.stderr and "Traceback" not in proc.stderr
    run = cli("exec", 'State.save("a", "b", 1)', env={"LLMSPELL_DATABASE_URL": url})
    assert run.returncode == 1, cli.explain(run)
    assert "StateError" in run.stderr and "hunter2" not in run.stderr


def test_migrate_applies_a_spells_migrations_in_one_transaction(
    cli: CLI, env: dict[str, str]
) -> None:
    _ok(
        cli, "exec", 'State.save("users", "a", {n = 1}); State.save("users", "b", {n = 2})', env=env
    )
    cli.write(
        "m.lua", 'State.register_migration("users", 1, function(v) v.n2 = v.n * 2; return v end)\n'
    )
    out = _ok(cli, "state", "migrate", "m.lua", "--dry-run", env=env)
    assert "users: would migrate version 0 -> 1 (steps 1): 2 key(s), 2 changed, 0 deleted" in out
    assert json.loads(_ok(cli, "state", "get", "a", "-s", "users", env=env)) == {"n": 1}
    out = _ok(cli, "state", "migrate", "m.lua", env=env)
    assert "users: migrated version 0 -> 1" in out
    assert json.loads(_ok(cli, "state", "get", "b", "-s", "users", env=env)) == {"n": 2, "n2": 4}
    assert "users: up to date (version 1)" in _ok(cli, "state", "migrate", "m.lua", env=env)
    # a JavaScript file works the same; a failing migration writes nothing
    cli.write(
        "bad.js",
        'await State.registerMigration("users", 2, (v, k) => {\n'
        '  if (k === "b") throw new Error("cannot migrate b");\n'
        "  v.x = 1; return v; });\n",
    )
    proc = cli("state", "migrate", "bad.js", env=env)
    assert proc.returncode == 1 and "cannot migrate b" in proc.stderr, cli.explain(proc)
    assert json.loads(_ok(cli, "state", "get", "a", "-s", "users", env=env)) == {"n": 1, "n2": 2}
    report = json.loads(_ok(cli, "state", "migrate", "m.lua", "-o", "json", env=env))
    assert report["scopes"][0]["applied"] == []


def test_migrate_without_a_spell_applies_only_the_plugins(cli: CLI) -> None:
    out = _ok(cli, "state", "migrate", env={})
    assert "no migrations registered" in out
    proc = cli("state", "migrate", "notes.txt")
    assert proc.returncode == 2 and ".lua or .js" in proc.stderr
