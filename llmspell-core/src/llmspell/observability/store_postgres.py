"""The run log in the ``[storage] url`` PostgreSQL database, so the hosts of a service
(and every machine sharing that database) keep one log.

Tables are prefixed ``llmspell_log_`` and made on first use (under an advisory lock, so
hosts starting together do not race); the layout's version is kept in
``llmspell_log_meta``. Full-text search uses a stored ``tsvector`` (the ``simple``
configuration: words lower-cased, never stemmed, like SQLite's ``unicode61``) with a GIN
index. Several hosts may write at once: rows are inserted, a run row is upserted and the
counts of calls outside a run are added in the database, so no write is lost. Errors are
:class:`~llmspell.errors.StateError` naming the server (password masked). psycopg is
imported on first use.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from llmspell.errors import StateError
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
)

__all__ = ["PREFIX", "TABLES", "PostgresLogBackend"]

PREFIX = "llmspell_log_"
#: the run log's tables (without the prefix)
TABLES = ("meta", "runs", "agent_calls", "tool_calls", "errors", "search")
#: seconds to wait for the server before a write or a read gives up
CONNECT_TIMEOUT = 5.0
#: seconds one statement may take (a write waiting on a lock gives up)
STATEMENT_TIMEOUT = 30.0
#: text beyond this many characters is kept but not indexed (a tsvector holds < 1 MB)
INDEXED_CHARS = 200_000
#: the advisory lock held while the tables are made
_LOCK_ID = 0x6C6C6D73706C6C  # "llmspll"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {PREFIX}meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS {PREFIX}runs (
  id TEXT PRIMARY KEY, spell TEXT, script TEXT, engine TEXT, started TEXT,
  duration_ms DOUBLE PRECISION, status TEXT, error_kind TEXT, error TEXT,
  input_tokens BIGINT, output_tokens BIGINT, cost_usd DOUBLE PRECISION,
  agent_call_count BIGINT, tool_call_count BIGINT, content INTEGER
);
CREATE INDEX IF NOT EXISTS {PREFIX}runs_started ON {PREFIX}runs (started);
CREATE TABLE IF NOT EXISTS {PREFIX}agent_calls (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id TEXT NOT NULL, call_id BIGINT,
  agent TEXT, provider TEXT, model TEXT, response_model TEXT, started TEXT,
  duration_ms DOUBLE PRECISION, status TEXT, error_kind TEXT, error TEXT,
  input_tokens BIGINT, output_tokens BIGINT, cost_usd DOUBLE PRECISION, finish_reason TEXT,
  workflow TEXT, step TEXT, prompt TEXT, response TEXT
);
CREATE INDEX IF NOT EXISTS {PREFIX}agent_calls_run ON {PREFIX}agent_calls (run_id);
CREATE INDEX IF NOT EXISTS {PREFIX}agent_calls_model ON {PREFIX}agent_calls (model);
CREATE TABLE IF NOT EXISTS {PREFIX}tool_calls (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id TEXT NOT NULL,
  agent_call_id BIGINT, tool TEXT, tool_call_id TEXT, started TEXT,
  duration_ms DOUBLE PRECISION, status TEXT, error_kind TEXT, error TEXT, params TEXT
);
CREATE INDEX IF NOT EXISTS {PREFIX}tool_calls_run ON {PREFIX}tool_calls (run_id);
CREATE TABLE IF NOT EXISTS {PREFIX}errors (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id TEXT NOT NULL, at TEXT,
  source TEXT, kind TEXT, message TEXT
);
CREATE INDEX IF NOT EXISTS {PREFIX}errors_run ON {PREFIX}errors (run_id);
CREATE TABLE IF NOT EXISTS {PREFIX}search (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id TEXT NOT NULL, source TEXT,
  text TEXT NOT NULL,
  tsv TSVECTOR GENERATED ALWAYS AS
    (to_tsvector('simple'::regconfig, {{words}})) STORED
);
CREATE INDEX IF NOT EXISTS {PREFIX}search_tsv ON {PREFIX}search USING GIN (tsv);
CREATE INDEX IF NOT EXISTS {PREFIX}search_run ON {PREFIX}search (run_id);
"""

#: ASCII punctuation splits words, as in SQLite's ``unicode61`` (PostgreSQL's parser
#: would keep ``forty-two`` and ``a@b.org`` whole, so ``"says forty"`` would not match)
_PUNCTUATION = r"'[!-/:-@\[-`{-~]+'"
_SCHEMA = _SCHEMA.replace(
    "{words}", f"regexp_replace(left(text, {INDEXED_CHARS}), {_PUNCTUATION}, ' ', 'g')"
)

#: connections made before a fork: never used nor closed by the child (closing would
#: end the parent's session on the shared socket)
_inherited: list[Any] = []


def _t(name: str) -> str:
    return PREFIX + name


class PostgresLogBackend(LogBackend):
    """The run log in a PostgreSQL database (one connection, opened on first use)."""

    def __init__(self, url: str) -> None:
        from llmspell.state.db import describe_url

        self.url = url
        self.path = None
        self.where = f"postgresql://{describe_url(url)}"
        self._lock = threading.RLock()
        self._db: Any = None
        self._pid = 0
        self._ready = False

    def _database(self) -> Any:
        """The connection (re-opened after a fork or a failed connect)."""
        from llmspell.state.db import PostgresDatabase

        if self._db is not None and self._pid != os.getpid():
            _inherited.append(self._db)
            self._db, self._ready = None, False
        if self._db is None:
            db = PostgresDatabase(self.url, connect_timeout=CONNECT_TIMEOUT)
            try:
                # a locked table or a stuck server must not hold a run's end forever
                db.execute(f"SET statement_timeout = {int(STATEMENT_TIMEOUT * 1000)}")
            except BaseException:
                db.close()
                raise
            self._db, self._pid = db, os.getpid()
        return self._db

    def _schema(self, *, create: bool) -> bool:
        """Whether the tables exist (made first when ``create``); StateError when they
        were made by a newer llmspell."""
        if self._ready:
            return True
        db = self._database()
        version = _version(db)
        if version is None and not create:
            return False
        if version is not None and version > SCHEMA_VERSION:
            raise StateError(
                f"the run log at {self.where} has layout version {version}; this llmspell "
                f"knows version {SCHEMA_VERSION}",
                hint="upgrade llmspell on this host (pip install -U llmspell)",
            )
        if version != SCHEMA_VERSION:
            with db.transaction() as tx:
                tx.run("SELECT pg_advisory_xact_lock(?)", (_LOCK_ID,))
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        tx.execute(statement)
                tx.execute(
                    f"INSERT INTO {_t('meta')} (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(SCHEMA_VERSION),),
                )
        self._ready = True
        return True

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
        """See :meth:`LogStore.write` (one transaction)."""
        with self._lock:
            self._schema(create=True)
            with self._database().transaction() as tx:
                if run is not None:
                    names = ", ".join(RUN_COLUMNS)
                    marks = ", ".join("?" * len(RUN_COLUMNS))
                    updates = ", ".join(f"{c} = excluded.{c}" for c in RUN_COLUMNS if c != "id")
                    tx.execute(
                        f"INSERT INTO {_t('runs')} ({names}) VALUES ({marks}) "
                        f"ON CONFLICT (id) DO UPDATE SET {updates}",
                        [_clean(run.get(c)) for c in RUN_COLUMNS],
                    )
                if outside is not None:
                    row, agents, tools = outside
                    runs = _t("runs")
                    tx.execute(
                        f"INSERT INTO {runs} (id, spell, started, status, agent_call_count, "
                        "tool_call_count, content) VALUES (?, ?, ?, 'ok', ?, ?, ?) "
                        "ON CONFLICT (id) DO UPDATE SET "
                        f"agent_call_count = COALESCE({runs}.agent_call_count, 0) "
                        "+ excluded.agent_call_count, "
                        f"tool_call_count = COALESCE({runs}.tool_call_count, 0) "
                        "+ excluded.tool_call_count",
                        [_clean(v) for v in (row["id"], row.get("spell"), row.get("started"),
                                             agents, tools, row.get("content"))],
                    )  # fmt: skip
                _insert(tx, "agent_calls", AGENT_COLUMNS, agent_calls)
                _insert(tx, "tool_calls", TOOL_COLUMNS, tool_calls)
                _insert(tx, "errors", ERROR_COLUMNS, errors)
                tx.many(
                    f"INSERT INTO {_t('search')} (run_id, source, text) VALUES (?, ?, ?)",
                    [[_clean(v) for v in row] for row in search if row[2]],
                )
                if keep_days > 0 and _due(tx):
                    _prune(tx, keep_days)

    def prune(self, keep_days: int) -> int:
        """See :meth:`LogStore.prune`."""
        with self._lock:
            if keep_days <= 0 or not self._schema(create=False):
                return 0
            with self._database().transaction() as tx:
                return _prune(tx, keep_days)

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
        where, args = filters(since, spell, model, like="ILIKE", agent_table=_t("agent_calls"))
        if run_ids is not None:
            where.append("id = ANY(?)")
            args.append(list(run_ids))
        sql = f"SELECT {', '.join(RUN_COLUMNS)} FROM {_t('runs')}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started DESC, id DESC LIMIT ?"
        with self._lock:
            if not self._schema(create=False):
                return []
            db = self._database()
            runs = [dict(zip(RUN_COLUMNS, r, strict=True)) for r in db.run(sql, [*args, limit])]
            if runs:
                models: dict[str, list[str]] = {}
                for rid, name in db.run(
                    f"SELECT DISTINCT run_id, model FROM {_t('agent_calls')} "
                    "WHERE run_id = ANY(?) ORDER BY run_id, model",
                    ([r["id"] for r in runs],),
                ):
                    models.setdefault(rid, []).append(name)
                for run in runs:
                    run["models"] = models.get(run["id"], [])
        return runs

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """See :meth:`LogStore.get_run`."""
        with self._lock:
            if not self._schema(create=False):
                return None
            db = self._database()
            rows = db.run(
                f"SELECT {', '.join(RUN_COLUMNS)} FROM {_t('runs')} "
                "WHERE id = ? OR id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 3",
                (run_id, escape_like(run_id) + "%"),
            )
            found = [dict(zip(RUN_COLUMNS, r, strict=True)) for r in rows]
            exact = [r for r in found if r["id"] == run_id]
            if exact:
                found = exact
            if not found:
                return None
            if len(found) > 1:
                raise ValueError(", ".join(r["id"] for r in found))
            run = found[0]
            for table, columns, order in (
                ("agent_calls", AGENT_COLUMNS, "started, id"),
                ("tool_calls", TOOL_COLUMNS, "started, id"),
                ("errors", ERROR_COLUMNS, "at, id"),
            ):
                names = ("id", *columns)
                rows = db.run(
                    f"SELECT {', '.join(names)} FROM {_t(table)} WHERE run_id = ? "
                    f"ORDER BY {order}",
                    (run["id"],),
                )
                run[table] = [decoded(dict(zip(names, r, strict=True))) for r in rows]
        return run

    def search_hits(self, terms: list[str]) -> list[tuple[str, str, str]]:
        """See :meth:`LogBackend.search_hits` (``tsvector @@ tsquery`` on the GIN index,
        ranked by ``ts_rank``; every term a ``phraseto_tsquery``)."""
        parts = ", ".join(
            f"phraseto_tsquery('simple'::regconfig, regexp_replace(?, {_PUNCTUATION}, ' ', 'g'))"
            f" AS p{i}"
            for i in range(len(terms))
        )
        both = " && ".join(f"p{i}" for i in range(len(terms)))
        # a term without any word (``*``) matches nothing, as on SQLite
        words = " AND ".join(f"numnode(p{i}) > 0" for i in range(len(terms)))
        sql = (
            f"WITH p AS (SELECT {parts}), q AS (SELECT {both} AS q, {words} AS ok FROM p),"
            " hits AS ("
            f"  SELECT s.id, s.run_id, s.source, s.text, ts_rank(s.tsv, q.q) AS rank"
            f"  FROM {_t('search')} s, q WHERE q.ok AND s.tsv @@ q.q"
            f"  ORDER BY rank DESC, s.id LIMIT {SEARCH_HITS})"
            " SELECT run_id, source, ts_headline('simple'::regconfig, text, q.q,"
            "  'StartSel=[, StopSel=], MaxWords=12, MinWords=4, ShortWord=0,"
            "  MaxFragments=1, FragmentDelimiter=…')"
            " FROM hits, q ORDER BY rank DESC, id"
        )
        with self._lock:
            if not self._schema(create=False):
                return []
            rows = self._database().run(sql, [_clean(t) for t in terms])
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    def stats(self) -> dict[str, Any]:
        """See :meth:`LogStore.stats` (``bytes``: the tables with their indexes)."""
        out: dict[str, Any] = {"runs": 0, "agent_calls": 0, "tool_calls": 0, "bytes": 0}
        with self._lock:
            if not self._schema(create=False):
                return out
            db = self._database()
            sizes = " + ".join(f"pg_total_relation_size('{_t(t)}')" for t in TABLES)
            counts = ", ".join(f"(SELECT count(*) FROM {_t(t)})" for t in out if t != "bytes")
            [row] = db.run(
                f"SELECT {sizes}, {counts}, min(started), max(started) FROM {_t('runs')}"
            )
        out["bytes"], out["runs"], out["agent_calls"], out["tool_calls"] = (
            int(v) for v in row[:4]
        )
        out["oldest"], out["newest"] = row[4], row[5]
        return out

    def close(self) -> None:
        """See :meth:`LogBackend.close`."""
        with self._lock:
            if self._db is not None and self._pid == os.getpid():
                self._db.close()
            self._db, self._ready = None, False


def _version(db: Any) -> int | None:
    [(exists,)] = db.run(f"SELECT to_regclass('{_t('meta')}') IS NOT NULL")
    if not exists:
        return None
    rows = db.run(f"SELECT value FROM {_t('meta')} WHERE key = 'schema_version'")
    return int(rows[0][0]) if rows else None


def _clean(value: Any) -> Any:
    """A value PostgreSQL accepts: text never holds NUL (a spell's output may)."""
    value = cell(value)
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


def _insert(tx: Any, table: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    values = [[_clean(r.get(c)) for c in columns] for r in rows]
    if values:
        marks = ", ".join("?" * len(columns))
        tx.many(f"INSERT INTO {_t(table)} ({', '.join(columns)}) VALUES ({marks})", values)


def _due(tx: Any) -> bool:
    """Whether retention is due (at most every :data:`PRUNE_EVERY` seconds, by one host:
    the row lock makes a concurrent writer see the new time)."""
    now = time.time()
    meta = _t("meta")
    tx.execute(f"INSERT INTO {meta} (key, value) VALUES ('pruned', '0') ON CONFLICT DO NOTHING")
    claimed = tx.run(
        f"UPDATE {meta} SET value = ? WHERE key = 'pruned' "
        "AND CAST(value AS DOUBLE PRECISION) <= ? RETURNING key",
        (str(now), now - PRUNE_EVERY),
    )
    return bool(claimed)


def _prune(tx: Any, keep_days: int) -> int:
    before = cutoff(keep_days)
    old = f"SELECT id FROM {_t('runs')} WHERE started < ?"
    for table in ("agent_calls", "tool_calls", "errors", "search"):
        tx.execute(f"DELETE FROM {_t(table)} WHERE run_id IN ({old})", (before,))
    return int(tx.execute(f"DELETE FROM {_t('runs')} WHERE started < ?", (before,)))
