"""The embedded SQLite state backend (WAL, one transaction per write, synchronous=FULL)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from llmspell.errors import StateError
from llmspell.state.base import StateBackend

__all__ = ["SQLiteStateBackend"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID
"""


_UPSERT = (
    "INSERT INTO state(scope, key, value, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(scope, key) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at"
)


def setup(db: sqlite3.Connection, statements: tuple[str, ...], wait: float = 10.0) -> None:
    """Run set-up statements, retrying while another process holds the file: switching
    a new file to WAL does not wait for the busy timeout, so two processes opening it at
    once could fail."""
    deadline = time.monotonic() + wait
    for statement in statements:
        while True:
            try:
                db.execute(statement)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)


class SQLiteStateBackend(StateBackend):
    """State in one SQLite file; every write is committed before it returns."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path), timeout=10.0, isolation_level=None, check_same_thread=False
            )
            setup(self._db, ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", _SCHEMA))
        except (sqlite3.Error, OSError) as exc:
            raise StateError(
                f"cannot open the state database {self.path}: {exc}",
                hint="set LLMSPELL_HOME or [state] path to a writable place, "
                "or use LLMSPELL_STATE_BACKEND=memory",
            ) from None

    def _run(self, sql: str, args: tuple[object, ...]) -> sqlite3.Cursor:
        try:
            with self._lock:
                return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise StateError(f"state database {self.path}: {exc}") from None

    def get(self, scope: str, key: str) -> str | None:
        """See :meth:`StateBackend.get`."""
        row = self._run("SELECT value FROM state WHERE scope=? AND key=?", (scope, key)).fetchone()
        return None if row is None else str(row[0])

    def set(self, scope: str, key: str, value: str) -> None:
        """See :meth:`StateBackend.set`."""
        self._run(
            "INSERT INTO state(scope, key, value, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(scope, key) DO UPDATE SET value=excluded.value, "
            "updated_at=excluded.updated_at",
            (scope, key, value, time.time()),
        )

    def set_many(self, scope: str, items: dict[str, str]) -> None:
        """See :meth:`StateBackend.set_many`: one transaction."""
        now = time.time()
        rows = [(scope, k, v, now) for k, v in items.items()]
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(
                        "INSERT INTO state(scope, key, value, updated_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(scope, key) DO UPDATE SET value=excluded.value, "
                        "updated_at=excluded.updated_at",
                        rows,
                    )
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StateError(f"state database {self.path}: {exc}") from None

    def delete(self, scope: str, key: str) -> bool:
        """See :meth:`StateBackend.delete`."""
        cur = self._run("DELETE FROM state WHERE scope=? AND key=?", (scope, key))
        return cur.rowcount > 0

    def keys(self, scope: str, prefix: str = "") -> list[str]:
        """See :meth:`StateBackend.keys`."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._run(
            "SELECT key FROM state WHERE scope=? AND key LIKE ? ESCAPE '\\' ORDER BY key",
            (scope, pattern),
        ).fetchall()
        # LIKE ignores ASCII case; keep only keys that really start with the prefix
        return [str(r[0]) for r in rows if str(r[0]).startswith(prefix)]

    def write_batch(self, writes: list[tuple[str, str, str | None]]) -> None:
        """See :meth:`StateBackend.write_batch`: one transaction."""
        now = time.time()
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for scope, key, value in writes:
                        if value is None:
                            self._db.execute(
                                "DELETE FROM state WHERE scope=? AND key=?", (scope, key)
                            )
                        else:
                            self._db.execute(_UPSERT, (scope, key, value, now))
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StateError(f"state database {self.path}: {exc}") from None

    def scopes(self) -> list[str]:
        """See :meth:`StateBackend.scopes`."""
        rows = self._run("SELECT DISTINCT scope FROM state ORDER BY scope", ()).fetchall()
        return [str(r[0]) for r in rows]

    def items(self, scope: str) -> list[tuple[str, str]]:
        """See :meth:`StateBackend.items`."""
        rows = self._run(
            "SELECT key, value FROM state WHERE scope=? ORDER BY key", (scope,)
        ).fetchall()
        return [(str(k), str(v)) for k, v in rows]

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()
