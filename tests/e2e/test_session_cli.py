"""End-to-end: ``llmspell session list|show|delete`` (text and ``--output json``) on
SQLite and PostgreSQL, and sessions shared between runs (and processes)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import CLI

SEED = """
local a = Session.create({name = "alpha", description = "first", tags = {"x"}})
local b = Session.create({name = "beta", tags = {"x", "y"}})
Artifact.store(a, "agent_output", "answer.md", "# hi")
Session.set_current(a)
State.save("notes", "k", 1)
Session.complete(b)
print(a)
print(b)
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "sqlite":
        return {}
    return {"LLMSPELL_DATABASE_URL": str(request.getfixturevalue("postgres_url"))}


def _ok(cli: CLI, *args: str, env: dict[str, str]) -> str:
    proc = cli(*args, env=env)
    assert proc.returncode == 0, cli.explain(proc)
    return proc.stdout


def test_list_show_delete(cli: CLI, env: dict[str, str]) -> None:
    a, b = _ok(cli, "exec", SEED, env=env).split()
    rows = json.loads(_ok(cli, "session", "list", "-o", "json", env=env))
    assert {r["name"] for r in rows} == {"alpha", "beta"}
    assert {r["id"]: r["status"] for r in rows} == {a: "active", b: "completed"}
    assert [
        r["name"]
        for r in json.loads(_ok(cli, "session", "list", "--tag", "y", "-o", "json", env=env))
    ] == ["beta"]
    assert [
        r["name"]
        for r in json.loads(
            _ok(cli, "session", "list", "--status", "active", "-o", "json", env=env)
        )
    ] == ["alpha"]
    text = _ok(cli, "session", "list", env=env)
    assert a in text and "alpha" in text and "completed" in text
    shown = json.loads(_ok(cli, "session", "show", a, "-o", "json", env=env))
    assert shown["description"] == "first"
    assert [x["name"] for x in shown["artifacts"]] == ["answer.md"]
    assert shown["state_keys"] == [{"scope": "notes", "key": "k"}]
    text = _ok(cli, "session", "show", a, env=env)
    assert "answer.md" in text and "notes:k" in text
    # a later run (another process) sees the same sessions
    out = _ok(cli, "exec", f'print(Session.get("{a}").artifact_count)', env=env)
    assert out.strip() == "1"
    assert "deleted session" in _ok(cli, "session", "delete", a, env=env)
    proc = cli("session", "show", a, env=env)
    assert proc.returncode == 1 and "no session" in proc.stderr
    proc = cli("session", "delete", a, env=env)
    assert proc.returncode == 1 and "llmspell session list" in proc.stderr
    deleted = json.loads(_ok(cli, "session", "delete", b, "-o", "json", env=env))
    assert deleted == {"id": b, "deleted": True}
    assert json.loads(_ok(cli, "session", "list", "-o", "json", env=env)) == []


def test_no_database_yet_and_memory_backend(cli: CLI) -> None:
    proc = cli("session", "list")
    assert proc.returncode == 0 and "no sessions" in proc.stderr
    assert not (cli.home / "state.db").exists()
    proc = cli("session", "list", env={"LLMSPELL_STATE_BACKEND": "memory"})
    assert proc.returncode == 2 and "memory" in proc.stderr


def test_sessions_live_in_memory_with_the_memory_backend(cli: CLI) -> None:
    spell = 'local id = Session.create({name = "m"}); print(Session.get(id).name, #Session.list())'
    out = _ok(cli, "exec", spell, env={"LLMSPELL_STATE_BACKEND": "memory"})
    assert out.strip() == "m\t1"
    assert not (cli.home / "state.db").exists()


def test_replay_is_not_available(cli: CLI) -> None:
    proc = cli("session", "replay", "some-id")
    assert proc.returncode == 1
    assert "not available" in proc.stderr and "llmspell session show" in proc.stderr
