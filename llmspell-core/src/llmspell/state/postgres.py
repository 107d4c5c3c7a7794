"""The PostgreSQL State backend: table ``llmspell_state`` in the ``[storage] url``
database, shared by every host that points there.

Each write is one statement in autocommit mode (one transaction, committed when the call
returns); ``set_many`` and ``write_batch`` are one transaction. Two processes writing the
same key never lose a write that returned: the last committed one wins, as an upsert.
"""

from __future__ import annotations

from llmspell.state.base import StateBackend
from llmspell.state.db import PostgresDatabase

__all__ = ["PostgresStateBackend"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS llmspell_state (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL DEFAULT extract(epoch from clock_timestamp()),
    PRIMARY KEY (scope, key)
)
"""
_UPSERT = (
    "INSERT INTO llmspell_state(scope, key, value) VALUES (?, ?, ?) "
    "ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, "
    "updated_at = extract(epoch from clock_timestamp())"
)


class PostgresStateBackend(StateBackend):
    """State in PostgreSQL; every write is committed before it returns."""

    def __init__(self, url: str) -> None:
        self.db = PostgresDatabase(url)
        self._ready = False
        self._ensure()

    def _ensure(self) -> None:
        if not self._ready:
            # (two hosts creating the table at once: the loser's CREATE waits, then no-ops;
            # a concurrent-create race on the type is retried once)
            try:
                self.db.execute(_SCHEMA)
            except Exception:
                self.db.execute(_SCHEMA)
            self._ready = True

    def get(self, scope: str, key: str) -> str | None:
        """See :meth:`StateBackend.get`."""
        rows = self.db.run(
            "SELECT value FROM llmspell_state WHERE scope = ? AND key = ?", (scope, key)
        )
        return None if not rows else str(rows[0][0])

    def set(self, scope: str, key: str, value: str) -> None:
        """See :meth:`StateBackend.set`."""
        self.db.execute(_UPSERT, (scope, key, value))

    def set_many(self, scope: str, items: dict[str, str]) -> None:
        """See :meth:`StateBackend.set_many`: one transaction."""
        with self.db.transaction() as tx:
            tx.many(_UPSERT, [(scope, k, v) for k, v in items.items()])

    def write_batch(self, writes: list[tuple[str, str, str | None]]) -> None:
        """See :meth:`StateBackend.write_batch`: one transaction."""
        with self.db.transaction() as tx:
            for scope, key, value in writes:
                if value is None:
                    tx.execute(
                        "DELETE FROM llmspell_state WHERE scope = ? AND key = ?", (scope, key)
                    )
                else:
                    tx.execute(_UPSERT, (scope, key, value))

    def delete(self, scope: str, key: str) -> bool:
        """See :meth:`StateBackend.delete`."""
        return (
            self.db.execute("DELETE FROM llmspell_state WHERE scope = ? AND key = ?", (scope, key))
            > 0
        )

    def keys(self, scope: str, prefix: str = "") -> list[str]:
        """See :meth:`StateBackend.keys` (sorted by code point, as the other backends)."""
        if prefix:
            pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = self.db.run(
                "SELECT key FROM llmspell_state WHERE scope = ? AND key LIKE ? "
                'ORDER BY key COLLATE "C"',
                (scope, pattern),
            )
        else:
            rows = self.db.run(
                'SELECT key FROM llmspell_state WHERE scope = ? ORDER BY key COLLATE "C"',
                (scope,),
            )
        return sorted(str(r[0]) for r in rows)

    def scopes(self) -> list[str]:
        """See :meth:`StateBackend.scopes`."""
        rows = self.db.run("SELECT DISTINCT scope FROM llmspell_state")
        return sorted(str(r[0]) for r in rows)

    def items(self, scope: str) -> list[tuple[str, str]]:
        """See :meth:`StateBackend.items`."""
        rows = self.db.run("SELECT key, value FROM llmspell_state WHERE scope = ?", (scope,))
        return sorted((str(k), str(v)) for k, v in rows)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()
