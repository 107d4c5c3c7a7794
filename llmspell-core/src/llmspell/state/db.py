"""One small SQL layer over SQLite (stdlib ``sqlite3``) and PostgreSQL (psycopg 3).

State, sessions, artifacts and backups write SQL once, with ``?`` placeholders; the
PostgreSQL side rewrites them to ``%s``. Every write runs in a transaction that is
committed before the call returns (SQLite: WAL with ``synchronous=FULL``; PostgreSQL:
autocommit or an explicit transaction with the server's default ``synchronous_commit``).
Errors become :class:`~llmspell.errors.StateError` naming the database (a URL's password
masked) and how to fix it; a PostgreSQL connection that broke is re-opened on the next
call, so a server restart costs the calls made while it was down, never half a write.
"""

from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from llmspell.errors import StateError
from llmspell.security import mask_url_password

__all__ = ["Database", "PostgresDatabase", "SQLiteDatabase", "open_database"]

Row = tuple[Any, ...]


class Database(ABC):
    """A connection to the storage database, safe to share between threads."""

    #: "sqlite" or "postgresql"
    kind: str = ""
    #: the database for messages (a URL's password masked)
    where: str = ""
    #: the SQL type of binary columns
    blob_type: str = "BLOB"

    @abstractmethod
    def run(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        """Run one statement in its own transaction; its rows (empty for writes)."""

    @abstractmethod
    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one write in its own transaction; the number of rows it changed."""

    @abstractmethod
    def transaction(self, *, snapshot: bool = False) -> Any:
        """A context manager yielding a :class:`Tx`: every statement in it commits
        together or not at all. ``snapshot``: a read-only consistent view (backups)."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection."""


class Tx:
    """The statements of one transaction (see :meth:`Database.transaction`)."""

    def __init__(self, cursor: Any, convert: bool) -> None:
        self._cur = cursor
        self._convert = convert

    def run(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        """Run one statement; its rows (empty for writes)."""
        self._cur.execute(_pg(sql) if self._convert else sql, tuple(args))
        if self._cur.description is None:
            return []
        return [tuple(r) for r in self._cur.fetchall()]

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one write; the number of rows it changed."""
        self._cur.execute(_pg(sql) if self._convert else sql, tuple(args))
        return int(self._cur.rowcount or 0)

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one write for each of ``rows``."""
        if rows:
            self._cur.executemany(_pg(sql) if self._convert else sql, [tuple(r) for r in rows])


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


class SQLiteDatabase(Database):
    """A SQLite file (created with its directory on first use)."""

    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False
            )
            from llmspell.state.sqlite import setup

            setup(self._db, ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"))
        except (sqlite3.Error, OSError) as exc:
            raise StateError(
                f"cannot open the database {self.path}: {exc}",
                hint="set LLMSPELL_HOME or [storage] url to a writable place",
            ) from None

    def _fail(self, exc: Exception) -> StateError:
        return StateError(f"database {self.path}: {exc}")

    def run(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        """See :meth:`Database.run`."""
        try:
            with self._lock:
                return [tuple(r) for r in self._db.execute(sql, tuple(args)).fetchall()]
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """See :meth:`Database.execute`."""
        try:
            with self._lock:
                return int(self._db.execute(sql, tuple(args)).rowcount)
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    @contextmanager
    def transaction(self, *, snapshot: bool = False) -> Iterator[Tx]:
        """See :meth:`Database.transaction` (BEGIN IMMEDIATE for writes; a WAL read
        transaction is already a snapshot)."""
        with self._lock:
            try:
                self._db.execute("BEGIN" if snapshot else "BEGIN IMMEDIATE")
                cur = self._db.cursor()
            except sqlite3.Error as exc:
                raise self._fail(exc) from None
            try:
                yield Tx(cur, convert=False)
            except BaseException as exc:
                with suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._fail(exc) from None
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._fail(exc) from None

    def close(self) -> None:
        """See :meth:`Database.close`."""
        with self._lock:
            self._db.close()


class PostgresDatabase(Database):
    """A PostgreSQL database by URL (psycopg 3, imported on first use)."""

    kind = "postgresql"
    blob_type = "BYTEA"

    def __init__(self, url: str, *, connect_timeout: float = 10.0) -> None:
        from llmspell.extras import require

        require("psycopg", dist="llmspell-core", extra="postgres", what="PostgreSQL storage")
        self.url = url
        self.where = describe_url(url)
        self._timeout = connect_timeout
        self._lock = threading.RLock()
        self._conn: Any = None
        with self._lock:
            self._connect()

    def _connect(self) -> Any:
        import psycopg

        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        if self._conn is not None:
            with suppress(Exception):
                self._conn.close()
            self._conn = None
        try:
            self._conn = psycopg.connect(
                self.url, autocommit=True, connect_timeout=max(1, int(self._timeout))
            )
        except psycopg.Error as exc:
            raise self._fail(exc) from None
        return self._conn

    def _fail(self, exc: Exception) -> StateError:
        import psycopg

        text = mask_url_password(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
        if isinstance(exc, psycopg.OperationalError):
            return StateError(
                f"PostgreSQL at {self.where} is not reachable: {text or type(exc).__name__}",
                hint="check that the server is running and that [storage] url / "
                "LLMSPELL_DATABASE_URL is right; nothing of this call was written",
            )
        return StateError(f"PostgreSQL at {self.where}: {text or type(exc).__name__}")

    def run(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        """See :meth:`Database.run`. A read on a connection the server dropped (it
        restarted since the last call) is retried once on a new connection."""
        import psycopg

        with self._lock:
            for attempt in (1, 2):
                conn = self._connect()
                try:
                    with conn.cursor() as cur:
                        cur.execute(_pg(sql), tuple(args))
                        if cur.description is None:
                            return []
                        return [tuple(r) for r in cur.fetchall()]
                except psycopg.OperationalError as exc:
                    reading = sql.lstrip()[:6].upper() == "SELECT"
                    if attempt == 1 and reading and conn.broken:
                        continue
                    raise self._fail(exc) from None
                except psycopg.Error as exc:
                    raise self._fail(exc) from None
            raise AssertionError("unreachable")  # pragma: no cover

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """See :meth:`Database.execute`."""
        import psycopg

        with self._lock:
            conn = self._connect()
            try:
                with conn.cursor() as cur:
                    cur.execute(_pg(sql), tuple(args))
                    return int(cur.rowcount or 0)
            except psycopg.Error as exc:
                raise self._fail(exc) from None

    @contextmanager
    def transaction(self, *, snapshot: bool = False) -> Iterator[Tx]:
        """See :meth:`Database.transaction` (REPEATABLE READ READ ONLY for snapshots)."""
        import psycopg

        with self._lock:
            conn = self._connect()
            try:
                with conn.transaction(), conn.cursor() as cur:
                    if snapshot:
                        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    yield Tx(cur, convert=True)
            except psycopg.Error as exc:
                raise self._fail(exc) from None

    def close(self) -> None:
        """See :meth:`Database.close`."""
        with self._lock:
            if self._conn is not None:
                with suppress(Exception):
                    self._conn.close()
                self._conn = None


def describe_url(url: str) -> str:
    """A PostgreSQL URL for messages: ``host[:port]/db`` (the socket directory for a
    Unix-socket URL), never the password."""
    from urllib.parse import parse_qs, urlsplit

    try:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        host = parts.hostname or (query.get("host") or ["localhost"])[0]
        port = f":{parts.port}" if parts.port else ""
        db = parts.path.lstrip("/") or "postgres"
    except ValueError:
        return mask_url_password(url)
    return f"{host}{port}/{db}"


def open_database(location: str | Path) -> Database:
    """A :class:`Database` for a ``postgresql://`` URL, a ``sqlite:///`` URL or a path."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(text)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///") :]
    return SQLiteDatabase(Path(text).expanduser())
