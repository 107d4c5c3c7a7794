"""The run log's SQLite file (``LLMSPELL_HOME/logs.db``): runs, agent calls, tool calls
and errors, a full-text index, and retention.

The file is created readable by its owner only (it may hold prompts). Several processes
may write it at once (WAL, a busy timeout). Deleted rows are overwritten
(``secure_delete``), so pruned prompts do not linger in free pages.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA_VERSION", "LogStore", "fts_query"]

SCHEMA_VERSION = 1

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

_RUN_COLUMNS = (
    "id", "spell", "script", "engine", "started", "duration_ms", "status", "error_kind",
    "error", "input_tokens", "output_tokens", "cost_usd", "agent_call_count", "tool_call_count",
    "content",
)  # fmt: skip
_AGENT_COLUMNS = (
    "run_id", "call_id", "agent", "provider", "model", "response_model", "started",
    "duration_ms", "status", "error_kind", "error", "input_tokens", "output_tokens",
    "cost_usd", "finish_reason", "workflow", "step", "prompt", "response",
)  # fmt: skip
_TOOL_COLUMNS = (
    "run_id", "agent_call_id", "tool", "tool_call_id", "started", "duration_ms", "status",
    "error_kind", "error", "params",
)  # fmt: skip
_ERROR_COLUMNS = ("run_id", "at", "source", "kind", "message")
#: retention runs at most this often (seconds)
_PRUNE_EVERY = 3600.0


class LogStore:
    """One run-log database file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()

    # -- connection -------------------------------------------------------------------

    @contextmanager
    def connect(self, *, create: bool = True) -> Iterator[sqlite3.Connection]:
        """A connection (the file and schema made first when ``create``)."""
        if create and not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        with closing(db):
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA busy_timeout = 10000")
            if create:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                db.execute("PRAGMA secure_delete = ON")
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version != SCHEMA_VERSION:
                    db.executescript(_SCHEMA)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            yield db

    # -- writing ----------------------------------------------------------------------

    def write(
        self,
        run: dict[str, Any] | None,
        agent_calls: Iterable[dict[str, Any]] = (),
        tool_calls: Iterable[dict[str, Any]] = (),
        errors: Iterable[dict[str, Any]] = (),
        search: Iterable[tuple[str, str, str]] = (),
        *,
        keep_days: int = 0,
        outside: tuple[dict[str, Any], int, int] | None = None,
    ) -> None:
        """Store one run (or a part of one) in one transaction; prune old runs now and
        then when ``keep_days`` is set. ``outside``: ``(run row, agent calls, tool
        calls)`` of calls made outside a run, added to that pseudo-run's counts."""
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
                _insert(db, "agent_calls", _AGENT_COLUMNS, agent_calls)
                _insert(db, "tool_calls", _TOOL_COLUMNS, tool_calls)
                _insert(db, "errors", _ERROR_COLUMNS, errors)
                db.executemany(
                    "INSERT INTO search (run_id, source, text) VALUES (?, ?, ?)",
                    [row for row in search if row[2]],
                )
                if keep_days > 0:
                    _maybe_prune(db, keep_days)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def prune(self, keep_days: int) -> int:
        """Delete runs older than ``keep_days`` days; the number deleted."""
        if not self.path.exists():
            return 0
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            count = _prune(db, keep_days)
            db.execute("COMMIT")
        return count

    # -- reading ----------------------------------------------------------------------

    def list_runs(
        self,
        *,
        since: str | None = None,
        spell: str | None = None,
        model: str | None = None,
        run_ids: list[str] | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        """Runs, newest first, filtered (``spell`` and ``model``: substrings)."""
        if not self.path.exists():
            return []
        where, args = _filters(since, spell, model)
        if run_ids is not None:
            if not run_ids:
                return []
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
        """A run with its agent calls, tool calls and errors; ``run_id`` may be a unique
        prefix (``run-3f2a``). None when there is none; ValueError when ambiguous."""
        if not self.path.exists():
            return None
        with self.connect(create=False) as db:
            if not _has_schema(db):
                return None
            rows = db.execute(
                "SELECT * FROM runs WHERE id = ? OR id LIKE ? ESCAPE '\\' LIMIT 3",
                (run_id, _like_prefix(run_id)),
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
                run[table] = [_decoded(dict(r)) for r in found]
        return run

    def search(
        self,
        text: str,
        *,
        since: str | None = None,
        spell: str | None = None,
        model: str | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        """Runs whose logged text matches ``text`` (full-text, every word; ``"a phrase"``
        in quotes), best first, each with ``matches``: ``{source, snippet}``."""
        if not self.path.exists():
            return []
        query = fts_query(text)
        with self.connect(create=False) as db:
            if not _has_schema(db):
                return []
            hits = db.execute(
                "SELECT run_id, source, snippet(search, 2, '[', ']', '…', 12) AS snippet "
                "FROM search WHERE search MATCH ? ORDER BY rank LIMIT 500",
                (query,),
            ).fetchall()
        order: list[str] = []
        matches: dict[str, list[dict[str, str]]] = {}
        for hit in hits:
            if hit["run_id"] not in matches:
                order.append(hit["run_id"])
                matches[hit["run_id"]] = []
            if len(matches[hit["run_id"]]) < 5:
                matches[hit["run_id"]].append({"source": hit["source"], "snippet": hit["snippet"]})
        runs = {
            r["id"]: r
            for r in self.list_runs(
                since=since, spell=spell, model=model, run_ids=order, limit=len(order) or 1
            )
        }
        found = [{**runs[rid], "matches": matches[rid]} for rid in order if rid in runs]
        return found[:limit]

    def stats(self) -> dict[str, Any]:
        """``{runs, agent_calls, tool_calls, bytes, oldest, newest}``."""
        out: dict[str, Any] = {"runs": 0, "agent_calls": 0, "tool_calls": 0, "bytes": 0}
        if not self.path.exists():
            return out
        out["bytes"] = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"))
            if p.exists()
        )
        with self.connect(create=False) as db:
            if not _has_schema(db):
                return out
            for table in ("runs", "agent_calls", "tool_calls"):
                out[table] = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            oldest, newest = db.execute("SELECT min(started), max(started) FROM runs").fetchone()
            out["oldest"], out["newest"] = oldest, newest
        return out


def fts_query(text: str) -> str:
    """A safe FTS5 query: each word (or ``"quoted phrase"``) must appear; FTS operators
    in the text are taken literally."""
    import shlex

    try:
        parts = shlex.split(text)
    except ValueError:
        parts = text.split()
    terms = [p for p in parts if p.strip()]
    if not terms:
        raise ValueError("the search text is empty")
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _filters(
    since: str | None, spell: str | None, model: str | None
) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if since:
        where.append("started >= ?")
        args.append(since)
    if spell:
        where.append("(spell LIKE ? ESCAPE '\\' OR script LIKE ? ESCAPE '\\')")
        pattern = "%" + _escape_like(spell) + "%"
        args.extend([pattern, pattern])
    if model:
        where.append(
            "id IN (SELECT run_id FROM agent_calls WHERE model LIKE ? ESCAPE '\\' "
            "OR response_model LIKE ? ESCAPE '\\')"
        )
        pattern = "%" + _escape_like(model) + "%"
        args.extend([pattern, pattern])
    return where, args


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_prefix(text: str) -> str:
    return _escape_like(text) + "%"


def _has_schema(db: sqlite3.Connection) -> bool:
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'"
    ).fetchone()
    return found is not None


def _upsert_run(db: sqlite3.Connection, run: dict[str, Any]) -> None:
    names = ", ".join(_RUN_COLUMNS)
    marks = ", ".join("?" * len(_RUN_COLUMNS))
    updates = ", ".join(f"{c} = excluded.{c}" for c in _RUN_COLUMNS if c != "id")
    db.execute(
        f"INSERT INTO runs ({names}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {updates}",
        [run.get(c) for c in _RUN_COLUMNS],
    )


def _insert(
    db: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: Iterable[dict[str, Any]]
) -> None:
    values = [[_value(r.get(c)) for c in columns] for r in rows]
    if values:
        marks = ", ".join("?" * len(columns))
        db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)


def _value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return value


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    params = row.get("params")
    if isinstance(params, str):
        with suppress(ValueError):
            row["params"] = json.loads(params)
    return row


def _maybe_prune(db: sqlite3.Connection, keep_days: int) -> None:
    found = db.execute("SELECT value FROM meta WHERE key = 'pruned'").fetchone()
    now = time.time()
    if found is not None and now - float(found[0]) < _PRUNE_EVERY:
        return
    _prune(db, keep_days)
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('pruned', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(now),),
    )


def _prune(db: sqlite3.Connection, keep_days: int) -> int:
    if keep_days <= 0:
        return 0
    cutoff = (datetime.now(UTC) - timedelta(days=keep_days)).isoformat(timespec="milliseconds")
    old = "SELECT id FROM runs WHERE started < ?"
    for table in ("agent_calls", "tool_calls", "errors", "search"):
        db.execute(f"DELETE FROM {table} WHERE run_id IN ({old})", (cutoff,))
    return db.execute("DELETE FROM runs WHERE started < ?", (cutoff,)).rowcount
