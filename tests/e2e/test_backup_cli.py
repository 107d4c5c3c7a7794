"""End-to-end: ``llmspell backup create|restore|list`` on SQLite and PostgreSQL: a
consistent snapshot while another process writes, ``kill -9`` during a backup leaves no
damaged backup and an intact database, restore replaces everything and refuses a backup
of a newer schema."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import CLI, COMMAND

SEED = """
State.save("notes", "a", 1)
State.save("notes", "b", {x = "y"})
local sid = Session.create({name = "kept", tags = {"t"}})
Artifact.store(sid, "agent_output", "out.txt", "some output")
Artifact.store(sid, "user_input", "bytes", {base64 = "AAEC/w=="})
print(sid)
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


def test_create_list_restore(cli: CLI, env: dict[str, str]) -> None:
    sid = _ok(cli, "exec", SEED, env=env).strip()
    created = json.loads(_ok(cli, "backup", "create", "-o", "json", env=env))
    assert created["counts"]["state"] == 2
    assert created["counts"]["llmspell_sessions"] == 1
    assert created["counts"]["llmspell_artifacts"] == 2
    assert created["schema"] == 1
    listed = json.loads(_ok(cli, "backup", "list", "-o", "json", env=env))
    assert [b["name"] for b in listed] == [created["name"]]
    # change everything, then restore
    _ok(
        cli,
        "exec",
        f'State.save("notes", "a", 99); State.save("new", "k", 1); Session.delete("{sid}")',
        env=env,
    )
    proc = cli("backup", "restore", created["name"], env=env)
    assert proc.returncode == 2 and "--yes" in proc.stderr  # not on a terminal
    out = _ok(cli, "backup", "restore", created["name"], "--yes", env=env)
    assert "restored 2 State key(s), 1 session(s), 2 artifact(s)" in out
    check = f"""
    print(State.load("notes", "a"), State.load("new", "k"), Session.get("{sid}").name)
    local bin = Artifact.get("{sid}", 2)
    print(bin.encoding, bin.content, #Artifact.list("{sid}"))
    """
    assert _ok(cli, "exec", textwrap.dedent(check), env=env).splitlines() == [
        "1\tnil\tkept",
        "base64\tAAEC/w==\t2",
    ]


def test_restore_refuses_a_newer_schema_and_a_non_backup(cli: CLI) -> None:
    _ok(cli, "exec", SEED, env={})
    created = json.loads(_ok(cli, "backup", "create", "-o", "json", env={}))
    path = Path(created["path"])
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE backup_meta SET value = '99' WHERE key = 'schema'")
    _ok(cli, "exec", 'State.save("notes", "a", 5)', env={})
    proc = cli("backup", "restore", str(path), "--yes")
    assert proc.returncode == 1, cli.explain(proc)
    assert "schema 99" in proc.stderr and "nothing was changed" in proc.stderr
    assert json.loads(_ok(cli, "state", "get", "a", "-s", "notes", env={})) == 5
    cli.write("junk.db", "not a database")
    proc = cli("backup", "restore", "junk.db", "--yes")
    assert proc.returncode == 2 and "not an llmspell backup" in proc.stderr
    proc = cli("backup", "restore", "missing.db", "--yes")
    assert proc.returncode == 2 and "no backup" in proc.stderr


def test_memory_state_has_nothing_to_back_up(cli: CLI) -> None:
    proc = cli("backup", "create", env={"LLMSPELL_STATE_BACKEND": "memory"})
    assert proc.returncode == 1 and "nothing on disk to back up" in proc.stderr


_PAIR_WRITER = textwrap.dedent(
    """
    import sys
    from llmspell.state import open_backend
    kind, loc = sys.argv[1], sys.argv[2]
    b = open_backend(kind, loc)
    i = 0
    while True:
        i += 1
        b.write_batch([("pair", "a", str(i)), ("pair", "b", str(i))])
        if i == 1:
            print("started", flush=True)
    """
)


def _pairs(path: Path) -> tuple[str, str]:
    with sqlite3.connect(path) as conn:
        rows = dict(conn.execute("SELECT key, value FROM state WHERE scope = 'pair'").fetchall())
    return rows["a"], rows["b"]


def test_backups_are_consistent_while_another_process_writes(cli: CLI, env: dict[str, str]) -> None:
    _ok(cli, "exec", 'State.save("x", "y", 1)', env=env)
    if env:
        kind, loc = "postgresql", env["LLMSPELL_DATABASE_URL"]
    else:
        kind, loc = "sqlite", str(cli.home / "state.db")
    writer = subprocess.Popen(
        [sys.executable, "-c", _PAIR_WRITER, kind, loc], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "started"
        seen = []
        for _ in range(3):
            info = json.loads(_ok(cli, "backup", "create", "-o", "json", env=env))
            a, b = _pairs(Path(info["path"]))
            assert a == b  # both keys of one transaction, never half of it
            seen.append(int(a))
        assert seen == sorted(seen)
    finally:
        writer.kill()
        writer.wait()


def test_kill_9_during_a_backup_leaves_no_damaged_backup(cli: CLI) -> None:
    # enough data that a backup takes a moment
    big = 'local sid = Session.create({name = "big"})\n' + (
        "for i = 1, 150 do Artifact.store(sid, 'x', 'n' .. i, string.rep(tostring(i), 60000)) end"
    )
    _ok(cli, "exec", big, env={})
    _ok(cli, "exec", 'State.save("k", "v", 1)', env={})
    before = json.loads(_ok(cli, "backup", "create", "-o", "json", env={}))
    killed = False
    for delay in (0.35, 0.5, 0.8):
        proc = subprocess.Popen(
            [*COMMAND, "backup", "create"], cwd=cli.cwd, env=cli.env, stdout=subprocess.PIPE
        )
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
        proc.wait()
        if killed:
            break
    listed = json.loads(_ok(cli, "backup", "list", "-o", "json", env={}))
    # every listed backup is complete and readable; the killed one, if any, is not listed
    for item in listed:
        assert item["counts"]["llmspell_artifacts"] == 150
    assert before["name"] in [b["name"] for b in listed]
    with sqlite3.connect(cli.home / "state.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # and the next backup works
    again = json.loads(_ok(cli, "backup", "create", "-o", "json", env={}))
    assert again["counts"]["llmspell_artifacts"] == 150
