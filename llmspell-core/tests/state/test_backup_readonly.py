"""A backup never writes to the database it copies: it completes while another
process holds the write lock (SQLite's busy wait is not fair, so a busy writer could
hold a backup off for minutes), and it does not create the session tables."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from llmspell.state import open_backend
from llmspell.state.backup import create_backup, restore_backup
from llmspell.state.location import StorageLocation


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_a_backup_completes_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    state = open_backend("sqlite", str(db))
    state.write_batch([("s", "a", "1"), ("s", "b", "2")])
    state.close()
    assert "llmspell_sessions" not in _tables(db)  # State only, no session tables yet
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE state SET value = 'uncommitted' WHERE key = 'a'")
    try:
        started = time.monotonic()
        info = create_backup(StorageLocation("sqlite", str(db)), tmp_path / "backups")
        waited = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    # the connection's busy timeout is 30 s: a backup that needed the lock would fail
    assert waited < 25
    assert info.counts["state"] == 2
    assert info.counts["llmspell_sessions"] == 0 and info.counts["llmspell_artifacts"] == 0
    with sqlite3.connect(info.path) as conn:
        assert dict(conn.execute("SELECT key, value FROM state").fetchall()) == {
            "a": "1",
            "b": "2",
        }
    assert "llmspell_sessions" not in _tables(db)  # nothing was written to the source


def test_a_backup_without_session_tables_restores_into_a_fresh_database(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    state = open_backend("sqlite", str(db))
    state.set("s", "k", "v")
    state.close()
    info = create_backup(StorageLocation("sqlite", str(db)), tmp_path / "backups")
    fresh = tmp_path / "fresh.db"
    restore_backup(StorageLocation("sqlite", str(fresh)), Path(info.path))
    restored = open_backend("sqlite", str(fresh))
    assert restored.get("s", "k") == "v"
    restored.close()
