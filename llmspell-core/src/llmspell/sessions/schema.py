"""The tables of sessions and artifacts (and the storage schema version), created in
State's database: the SQLite file beside ``state`` or PostgreSQL tables ``llmspell_*``.

``SCHEMA_VERSION`` counts changes of these tables; a database (or a backup) written by a
newer llmspell is refused rather than misread.
"""

from __future__ import annotations

import time

from llmspell.errors import StateError
from llmspell.state.db import Database

__all__ = ["SCHEMA_VERSION", "TABLES", "ensure_schema", "schema_version"]

#: the version of the tables below
SCHEMA_VERSION = 1

#: every table a backup copies, in restore order
TABLES = ("llmspell_sessions", "llmspell_blobs", "llmspell_artifacts", "llmspell_session_state")


def _ddl(blob: str) -> list[str]:
    return [
        "CREATE TABLE IF NOT EXISTS llmspell_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS llmspell_sessions (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            tags TEXT NOT NULL,
            status TEXT NOT NULL,
            metadata TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            next_sequence BIGINT NOT NULL DEFAULT 0
        )""",
        f"""CREATE TABLE IF NOT EXISTS llmspell_blobs (
            hash TEXT PRIMARY KEY,
            size BIGINT NOT NULL,
            content {blob} NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS llmspell_artifacts (
            session_id TEXT NOT NULL,
            sequence BIGINT NOT NULL,
            type TEXT NOT NULL,
            name TEXT NOT NULL,
            hash TEXT NOT NULL,
            size BIGINT NOT NULL,
            metadata TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (session_id, sequence)
        )""",
        "CREATE INDEX IF NOT EXISTS llmspell_artifacts_hash ON llmspell_artifacts (hash)",
        """CREATE TABLE IF NOT EXISTS llmspell_session_state (
            session_id TEXT NOT NULL,
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            PRIMARY KEY (session_id, scope, key)
        )""",
    ]


def schema_version(db: Database) -> int | None:
    """The schema version recorded in ``db`` (None: no llmspell tables yet)."""
    try:
        rows = db.run("SELECT value FROM llmspell_meta WHERE key = 'schema_version'")
    except StateError:
        return None
    return int(rows[0][0]) if rows else None


def ensure_schema(db: Database) -> None:
    """Create the tables if needed; refuse a database of a newer schema."""
    found = schema_version(db)
    if found is not None and found > SCHEMA_VERSION:
        raise StateError(
            f"the database {db.where} has storage schema {found}; this llmspell knows "
            f"schema {SCHEMA_VERSION}",
            hint="upgrade llmspell, or point [storage] url at another database",
        )
    if found == SCHEMA_VERSION:
        return
    for attempt in range(5):
        try:
            with db.transaction() as tx:
                for statement in _ddl(db.blob_type):
                    tx.execute(statement)
                tx.execute(
                    "INSERT INTO llmspell_meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO NOTHING",
                    (str(SCHEMA_VERSION),),
                )
            return
        except StateError:
            # two processes creating the tables at once (PostgreSQL's catalog race):
            # the other one wins; wait for its commit, or try again
            time.sleep(0.05 * (attempt + 1))
            if schema_version(db) is not None:
                return
            if attempt == 4:
                raise
