"""The run log in an SQLite file (``LLMSPELL_HOME/logs.db`` or ``[logs] path``), with an
FTS5 full-text index.

The file is created readable by its owner only (it may hold prompts). Several processes
may write it at once (WAL, a busy timeout). Deleted rows are overwritten
(``secure_delete``), so pruned prompts do not linger in free pages.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

from llmspell.observability.store import (
    AGENT_COLUMNS,
    ERROR_COLUMNS,
    PRUNE_EVERY,
    RUN_COLUMNS,
    SCHEMA_VERSION,
    SEARCH_HITS,
    TOOL_COLUMNS,
    LogBackend,
    Outside,
    cell,
    cutoff,
    decoded,
    escape_like,
    filters,
    fts_match,
)

__all__ = ["SQLiteLogBackend"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, spell TEXT, script TEXT, engine TEXT, started TEXT,
  duration_ms REAL, status TEXT, error_kind TEXT, error TEXT,
  input_tokens INTEGER, output_tokens INTEGER, cost_usd REAL,
  agent_call_count INTEGER, tool_call_count INTEGER, content INTEGER
);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started);
CREATE TABLE IF NOT EXISTS agent_calls (
  id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, call_id INTEGER, agent TEXT,
  provider TEXT, model TEXT, response_model TEXT, started TEXT, duration_ms REAL,
  status TEXT, error_kind TEXT, error TEXT, input_tokens INTEGER, output_tokens INTEGER,
  cost_usd REAL, finish_reason TEXT, workflow TEXT, step TEXT, prompt TEXT, response TEXT
);
CREATE INDEX IF NOT EXISTS agent_calls_run ON agent_calls (run_id);
CREATE INDEX IF NOT EXISTS agent_calls_model ON agent_calls (model);
CREATE TABLE IF NOT EXISTS tool_calls (
  id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, agent_call_id INTEGER, tool TEXT,
  tool_call_id TEXT, started TEXT, duration_ms REAL, status TEXT, error_kind TEXT,
  error TEXT, params TEXT
);
CREATE INDEX IF NOT EXISTS tool_calls_run ON tool_calls (run_id);
CREATE TABLE IF NOT EXISTS errors (
  id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, at TEXT, source TEXT, kind TEXT,
  message TEXT
);
CREATE INDEX IF NOT EXISTS errors_run ON errors (run_id);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5 (
  run_id UNINDEXED, source UNINDEXED, text, tokenize = 'unicode61'
);
"""


class SQLiteLogBackend(LogBackend):
    """One run-log database file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.where = str(self.path)

    @contextmanager
    def connect(self, *, create: bool = True) -> Iterator[sqlite3.Connection]:
        """A connection (the file and schema made first when ``create``)."""
        path = self.path
        assert path is not None
        if create and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        db = sqlite3.connect(path, timeout=10.0, isolation_level=None)
        with closing(db):
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA busy_timeout = 10000")
            if create:
                from llmspell.state.sqlite import setup

                # switching a new file to WAL does not wait for the busy timeout: two
                # processes writing their first run at once would lose one write
                setup(db, ("PRAGMA journal_mode = WAL",))
                db.execute("PRAGMA synchronous = NORMAL")
                db.execute("PRAGMA secure_delete = ON")
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version != SCHEMA_VERSION:
                    db.executescript(_SCHEMA)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            yield db

    def _exists(self) -> bool:
        return self.path is not None and self.path.exists()

    # -- writing ----------------------------------------------------------------------

    def write(
        self,
        run: dict[str, Any] | None,
        agent_calls: Iterable[dict[str, Any]],
        tool_calls: Iterable[dict[str, Any]],
        errors: Iterable[dict[str, Any]],
        search: Iterable[tuple[str, str, str]],
        *,
        keep_days: int,
        outside: Outside | None,
    ) -> None:
        """See :meth:`LogStore.write`."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                if run is not None:
                    _upsert_run(db, run)
                if outside is not None:
                    row, agents, tools = outside
                    db.execute(
                        "INSERT INTO runs (id, spell, started, status, agent_call_count, "
                        "tool_call_count, content) VALUES (?, ?, ?, 'ok', ?, ?, ?) "
                        "ON CONFLICT (id) DO UPDATE SET "
                        "agent_call_count = agent_call_count + excluded.agent_call_count, "
                        "tool_call_count = tool_call_count + excluded.tool_call_count",
                        (row["id"], row.get("spell"), row.get("started"), agents, tools,
                         row.get("content")),
                    )  # fmt: skip
                _insert(db, "agent_calls", AGENT_COLUMNS, agent_calls)
                _insert(db, "tool_calls", TOOL_COLUMNS, tool_calls)
                _insert(db, "errors", ERROR_COLUMNS, errors)
                db.executemany(
                    "INSERT INTO search (run_id, source, text) VALUES (?, ?, ?)",
                    [row for row in search if row[2]],
                )
                pruned = _maybe_prune(db, keep_days) if keep_days > 0 else 0
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            if pruned:
                _checkpoint(db)

    def prune(self, keep_days: int) -> int:
        """See :meth:`LogStore.prune`."""
        if not self._exists():
            return 0
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            count = _prune(db, keep_days)
            db.execute("COMMIT")
            if count:
                _checkpoint(db)
        return count

    # -- reading ----------------------------------------------------------------------

    def list_runs(
        self,
        *,
        since: str | None,
        spell: str | None,
        model: str | None,
        run_ids: list[str] | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """See :meth:`LogStore.list_runs`."""
        if not self._exists():
            return []
        where, args = filters(since, spell, model)
        if run_ids is not None:
            where.append(f"id IN ({', '.join('?' * len(run_ids))})")
            args.extend(run_ids)
        sql = "SELECT * FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started DESC, rowid DESC LIMIT ?"
        with self.connect(create=False) as db:
            if not _has_schema(db):
                return []
            rows = db.execute(sql, [*args, limit]).fetchall()
            runs = [dict(r) for r in rows]
            for run in runs:
                run["models"] = [
                    m[0]
                    for m in db.execute(
                        "SELECT DISTINCT model FROM agent_calls WHERE run_id = ? ORDER BY model",
                        (run["id"],),
                    )
                ]
        return runs

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """See :meth:`LogStore.get_run`."""
        if not self._exists():
            return None
        with self.connect(create=False) as db:
            if not _has_schema(db):
                return None
            rows = db.execute(
                "SELECT * FROM runs WHERE id = ? OR id LIKE ? ESCAPE '\\' LIMIT 3",
                (run_id, escape_like(run_id) + "%"),
            ).fetchall()
            exact = [r for r in rows if r["id"] == run_id]
            if exact:
                rows = exact
            if not rows:
                return None
            if len(rows) > 1:
                raise ValueError(", ".join(r["id"] for r in rows))
            run = dict(rows[0])
            rid = run["id"]
            for table, order in (
                ("agent_calls", "started, id"),
                ("tool_calls", "started, id"),
                ("errors", "at, id"),
            ):
                found = db.execute(
                    f"SELECT * FROM {table} WHERE run_id = ? ORDER BY {order}", (rid,)
                )
                run[table] = [decoded(dict(r)) for r in found]
        return run

    def search_hits(self, terms: list[str]) -> list[tuple[str, str, str]]:
        """See :meth:`LogBackend.search_hits` (FTS5, ranked by bm25)."""
        if not self._exists():
            return []
        query = fts_match(terms)
        with self.connect(create=False) as db:
            if not _has_schema(db):
                return []
            hits = db.execute(
                "SELECT run_id, source, snippet(search, 2, '[', ']', '…', 12) AS snippet "
                f"FROM search WHERE search MATCH ? ORDER BY rank LIMIT {SEARCH_HITS}",
                (query,),
            ).fetchall()
        return [(h["run_id"], h["source"], h["snippet"]) for h in hits]

    def stats(self) -> dict[str, Any]:
        """See :meth:`LogStore.stats`."""
        out: dict[str, Any] = {"runs": 0, "agent_calls": 0, "tool_calls": 0, "bytes": 0}
        if not self._exists():
            return out
        out["bytes"] = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"))
            if p is not None and p.exists()
        )
        with self.connect(create=False) as db:
            if not _has_schema(db):
                return out
            for table in ("runs", "agent_calls", "tool_calls"):
                out[table] = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            oldest, newest = db.execute("SELECT min(started), max(started) FROM runs").fetchone()
            out["oldest"], out["newest"] = oldest, newest
        return out


def _has_schema(db: sqlite3.Connection) -> bool:
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'"
    ).fetchone()
    return found is not None


def _upsert_run(db: sqlite3.Connection, run: dict[str, Any]) -> None:
    names = ", ".join(RUN_COLUMNS)
    marks = ", ".join("?" * len(RUN_COLUMNS))
    updates = ", ".join(f"{c} = excluded.{c}" for c in RUN_COLUMNS if c != "id")
    db.execute(
        f"INSERT INTO runs ({names}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {updates}",
        [run.get(c) for c in RUN_COLUMNS],
    )


def _insert(
    db: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: Iterable[dict[str, Any]]
) -> None:
    values = [[cell(r.get(c)) for c in columns] for r in rows]
    if values:
        marks = ", ".join("?" * len(columns))
        db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)


def _maybe_prune(db: sqlite3.Connection, keep_days: int) -> int:
    found = db.execute("SELECT value FROM meta WHERE key = 'pruned'").fetchone()
    now = time.time()
    if found is not None and now - float(found[0]) < PRUNE_EVERY:
        return 0
    count = _prune(db, keep_days)
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('pruned', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(now),),
    )
    return count


def _checkpoint(db: sqlite3.Connection) -> None:
    """Copy the WAL into the file and empty it, so deleted text leaves the WAL too
    (a busy reader only postpones it to a later checkpoint)."""
    with suppress(sqlite3.Error):
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _prune(db: sqlite3.Connection, keep_days: int) -> int:
    if keep_days <= 0:
        return 0
    before = cutoff(keep_days)
    old = "SELECT id FROM runs WHERE started < ?"
    for table in ("agent_calls", "tool_calls", "errors", "search"):
        db.execute(f"DELETE FROM {table} WHERE run_id IN ({old})", (before,))
    count = db.execute("DELETE FROM runs WHERE started < ?", (before,)).rowcount
    if count:
        # FTS5 keeps deleted words in its index segments until they are merged
        db.execute("INSERT INTO search (search) VALUES ('optimize')")
    return count
