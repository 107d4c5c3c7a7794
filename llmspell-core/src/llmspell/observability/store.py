"""The run log's store: runs, agent calls, tool calls and errors, a full-text index, and
retention, in one of two databases behind the same methods.

- SQLite (:mod:`.store_sqlite`): ``LLMSPELL_HOME/logs.db`` or ``[logs] path``.
- PostgreSQL (:mod:`.store_postgres`): the ``[storage] url`` database
  (``LLMSPELL_DATABASE_URL``) when it is ``postgresql://...``, so the hosts of a service
  share one log. psycopg is imported only then.

:func:`open_log_store` picks one from the settings; :class:`LogStore` is what the run-log
sink (:mod:`.runlog`) writes to and ``llmspell logs`` reads from.
"""

from __future__ import annotations

import json
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

__all__ = [
    "SCHEMA_VERSION",
    "LogBackend",
    "LogStore",
    "fts_query",
    "log_location",
    "open_log_store",
    "search_terms",
]

#: the version of the tables' layout (SQLite: ``user_version``; PostgreSQL: the meta table)
SCHEMA_VERSION = 1

RUN_COLUMNS = (
    "id", "spell", "script", "engine", "started", "duration_ms", "status", "error_kind",
    "error", "input_tokens", "output_tokens", "cost_usd", "agent_call_count", "tool_call_count",
    "content",
)  # fmt: skip
AGENT_COLUMNS = (
    "run_id", "call_id", "agent", "provider", "model", "response_model", "started",
    "duration_ms", "status", "error_kind", "error", "input_tokens", "output_tokens",
    "cost_usd", "finish_reason", "workflow", "step", "prompt", "response",
)  # fmt: skip
TOOL_COLUMNS = (
    "run_id", "agent_call_id", "tool", "tool_call_id", "started", "duration_ms", "status",
    "error_kind", "error", "params",
)  # fmt: skip
ERROR_COLUMNS = ("run_id", "at", "source", "kind", "message")
#: retention runs at most this often (seconds)
PRUNE_EVERY = 3600.0
#: the most full-text hits one search ranks
SEARCH_HITS = 500

Outside = tuple[dict[str, Any], int, int]


class LogBackend(ABC):
    """One database holding the run log (see :class:`LogStore` for the methods)."""

    #: the database for messages (a file path, or ``postgresql://host/db``)
    where: str = ""
    #: the SQLite file, None for a server database
    path: Path | None = None

    @abstractmethod
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

    @abstractmethod
    def prune(self, keep_days: int) -> int:
        """See :meth:`LogStore.prune`."""

    @abstractmethod
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

    @abstractmethod
    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """See :meth:`LogStore.get_run`."""

    @abstractmethod
    def search_hits(self, terms: list[str]) -> list[tuple[str, str, str]]:
        """``(run_id, source, snippet)`` of the indexed texts holding every term (a word
        or a phrase), best first, at most :data:`SEARCH_HITS`; the matches in the
        snippet are marked ``[like this]``."""

    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """See :meth:`LogStore.stats`."""

    def close(self) -> None:  # noqa: B027 (SQLite opens a connection per call)
        """Let go of connections (a later call opens them again)."""


class LogStore:
    """The run log in an SQLite file (a path) or a PostgreSQL database (a
    ``postgresql://`` URL)."""

    def __init__(self, location: str | Path) -> None:
        text = str(location)
        self.backend: LogBackend
        if text.startswith(("postgresql://", "postgres://")):
            from llmspell.observability.store_postgres import PostgresLogBackend

            self.backend = PostgresLogBackend(text)
        else:
            from llmspell.observability.store_sqlite import SQLiteLogBackend

            if text.startswith("sqlite:///"):
                text = text[len("sqlite:///") :]
            self.backend = SQLiteLogBackend(Path(text).expanduser())
        self._warned = False

    @property
    def where(self) -> str:
        """The database for messages (a URL's password never shown)."""
        return self.backend.where

    @property
    def path(self) -> Path | None:
        """The SQLite file (None on PostgreSQL)."""
        return self.backend.path

    @property
    def kind(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return "sqlite" if self.backend.path is not None else "postgresql"

    def write(
        self,
        run: dict[str, Any] | None,
        agent_calls: Iterable[dict[str, Any]] = (),
        tool_calls: Iterable[dict[str, Any]] = (),
        errors: Iterable[dict[str, Any]] = (),
        search: Iterable[tuple[str, str, str]] = (),
        *,
        keep_days: int = 0,
        outside: Outside | None = None,
    ) -> None:
        """Store one run (or a part of one) in one transaction; prune old runs now and
        then when ``keep_days`` is set. ``outside``: ``(run row, agent calls, tool
        calls)`` of calls made outside a run, added to that pseudo-run's counts.

        A failure (a full disk, a database that is down) raises; the first one of this
        store also prints one warning line on stderr (the run itself goes on)."""
        try:
            self.backend.write(
                run, agent_calls, tool_calls, errors, search,
                keep_days=keep_days, outside=outside,
            )  # fmt: skip
        except Exception as exc:
            if not self._warned:
                self._warned = True
                kind = getattr(exc, "kind", type(exc).__name__)
                with suppress(Exception):
                    print(f"llmspell: warning: the run log was not written: {kind}: {exc}",
                          file=sys.stderr, flush=True)  # fmt: skip
            raise

    def prune(self, keep_days: int) -> int:
        """Delete runs older than ``keep_days`` days; the number deleted."""
        return self.backend.prune(keep_days)

    def list_runs(
        self,
        *,
        since: str | None = None,
        spell: str | None = None,
        model: str | None = None,
        run_ids: list[str] | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        """Runs, newest first, filtered (``spell`` and ``model``: substrings, any case),
        each with ``models``: the models its agent calls named."""
        if run_ids is not None and not run_ids:
            return []
        return self.backend.list_runs(
            since=since, spell=spell, model=model, run_ids=run_ids, limit=limit
        )

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """A run with its agent calls, tool calls and errors; ``run_id`` may be a unique
        prefix (``run-3f2a``). None when there is none; ValueError when ambiguous."""
        return self.backend.get_run(run_id)

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
        hits = self.backend.search_hits(search_terms(text))
        order: list[str] = []
        matches: dict[str, list[dict[str, str]]] = {}
        for run_id, source, snippet in hits:
            if run_id not in matches:
                order.append(run_id)
                matches[run_id] = []
            if len(matches[run_id]) < 5:
                matches[run_id].append({"source": source, "snippet": snippet})
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
        return self.backend.stats()

    def close(self) -> None:
        """Let go of connections (a later call opens them again)."""
        self.backend.close()


def log_location(settings: Any) -> str | Path:
    """Where the run log lives: ``[logs] path`` (an SQLite file); else the ``[storage]
    url`` database when it is PostgreSQL; else ``LLMSPELL_HOME/logs.db``."""
    from llmspell.config import llmspell_home

    configured = settings.logs.path
    if configured:
        return Path(configured).expanduser()
    url = settings.storage.url
    if url and url.startswith(("postgresql://", "postgres://")):
        return str(url)
    return llmspell_home() / "logs.db"


def open_log_store(settings: Any) -> LogStore:
    """The run log's store for ``settings`` (nothing is opened until it is used)."""
    return LogStore(log_location(settings))


def search_terms(text: str) -> list[str]:
    """The words of a search (``"a phrase"`` in quotes is one term); ValueError when
    there is none."""
    import shlex

    try:
        parts = shlex.split(text)
    except ValueError:
        parts = text.split()
    terms = [p for p in parts if p.strip()]
    if not terms:
        raise ValueError("the search text is empty")
    return terms


def fts_query(text: str) -> str:
    """A safe FTS5 query: each word (or ``"quoted phrase"``) must appear; FTS operators
    in the text are taken literally."""
    return fts_match(search_terms(text))


def fts_match(terms: list[str]) -> str:
    """The FTS5 query of :func:`search_terms`' terms: each one quoted, all required."""
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


def escape_like(text: str) -> str:
    """``text`` for a LIKE pattern with ``ESCAPE '\\'``: wildcards taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filters(
    since: str | None,
    spell: str | None,
    model: str | None,
    *,
    like: str = "LIKE",
    agent_table: str = "agent_calls",
) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (``?`` placeholders) of ``--since``, ``--spell``, ``--model``
    on the runs table; ``like`` is the case-insensitive LIKE of the database."""
    where: list[str] = []
    args: list[Any] = []
    if since:
        where.append("started >= ?")
        args.append(since)
    if spell:
        where.append(f"(spell {like} ? ESCAPE '\\' OR script {like} ? ESCAPE '\\')")
        pattern = "%" + escape_like(spell) + "%"
        args.extend([pattern, pattern])
    if model:
        where.append(
            f"id IN (SELECT run_id FROM {agent_table} WHERE model {like} ? ESCAPE '\\' "
            f"OR response_model {like} ? ESCAPE '\\')"
        )
        pattern = "%" + escape_like(model) + "%"
        args.extend([pattern, pattern])
    return where, args


def cell(value: Any) -> Any:
    """A value as stored: dicts and lists as JSON text."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return value


def decoded(row: dict[str, Any]) -> dict[str, Any]:
    """A tool-call row with its JSON parameters parsed."""
    params = row.get("params")
    if isinstance(params, str):
        with suppress(ValueError):
            row["params"] = json.loads(params)
    return row


def cutoff(keep_days: int) -> str:
    """The ISO time before which runs are deleted."""
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(days=keep_days)).isoformat(timespec="milliseconds")
