"""``llmspell backup create|restore|list``: State, sessions and artifacts in one file.

A backup is an SQLite file holding a copy of every row of State and of the session
tables, read in one snapshot transaction of the source (SQLite's WAL read transaction,
PostgreSQL's REPEATABLE READ), so it is consistent while spells keep writing. It is
written under a temporary name and renamed when complete: a backup killed half-way
leaves a ``.tmp`` file that ``list`` ignores, never a damaged backup. ``restore``
replaces everything in one transaction and refuses a backup of a newer schema.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmspell.errors import NotFoundError, StateError, ValidationError
from llmspell.sessions.schema import SCHEMA_VERSION, ensure_schema, schema_version
from llmspell.state.db import Database, open_database
from llmspell.state.location import StorageLocation

__all__ = ["BackupInfo", "create_backup", "list_backups", "read_info", "restore_backup"]

FORMAT = "llmspell-backup"
PREFIX = "llmspell-backup-"
#: rows copied per batch (bounded memory for large tables); artifact content rows are
#: up to [sessions] max_artifact_bytes each, so they go a few at a time
BATCH = 500
BLOB_BATCH = 4


def _batch(table: str) -> int:
    return BLOB_BATCH if table == "llmspell_blobs" else BATCH

#: each table's columns (the backup file keeps the same names)
COLUMNS: dict[str, tuple[str, ...]] = {
    "state": ("scope", "key", "value", "updated_at"),
    "llmspell_sessions": (
        "id", "name", "description", "tags", "status", "metadata", "created_at",
        "updated_at", "next_sequence",
    ),
    "llmspell_blobs": ("hash", "size", "content"),
    "llmspell_artifacts": (
        "session_id", "sequence", "type", "name", "hash", "size", "metadata", "created_at",
    ),
    "llmspell_session_state": ("session_id", "scope", "key"),
}  # fmt: skip
_KEYS: dict[str, str] = {
    "state": "scope, key",
    "llmspell_sessions": "id",
    "llmspell_blobs": "hash",
    "llmspell_artifacts": "session_id, sequence",
    "llmspell_session_state": "session_id, scope, key",
}


@dataclass
class BackupInfo:
    """One backup file: where, when, its schema and how many rows of each table."""

    path: Path
    created_at: str
    schema: int
    source: str
    counts: dict[str, int]
    size: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "path": str(self.path),
            "name": self.path.name,
            "created_at": self.created_at,
            "schema": self.schema,
            "source": self.source,
            "counts": self.counts,
            "bytes": self.size,
        }


def _state_table(db: Database) -> str:
    return "llmspell_state" if db.kind == "postgresql" else "state"


def _check_location(where: StorageLocation) -> str:
    if where.location is None or where.backend not in ("sqlite", "postgresql"):
        raise StateError(
            f"State is kept in {where.shown()}: there is nothing on disk to back up",
            hint='use [state] backend = "sqlite" (the default) or [storage] url',
        )
    return where.location


def _open_target(where: StorageLocation) -> Database:
    """The database a restore writes into, its tables created if needed."""
    location = _check_location(where)
    from llmspell.state import open_backend

    open_backend(where.backend, location).close()  # (creates the State table)
    db = open_database(location)
    ensure_schema(db)
    return db


def _open_source(where: StorageLocation) -> Database:
    """The database a backup reads, opened without writing to it: creating missing
    tables would need the write lock, which a busy writer can hold off for a long time
    (SQLite's busy wait is not fair); a missing table is backed up as empty."""
    location = _check_location(where)
    db = open_database(location)
    found = schema_version(db)
    if found is not None and found > SCHEMA_VERSION:
        db.close()
        raise StateError(
            f"the database {db.where} has storage schema {found}; this llmspell knows "
            f"schema {SCHEMA_VERSION}",
            hint="back it up with a newer llmspell",
        )
    return db


def _tables(tx: Any, db: Database) -> set[str]:
    """The tables that exist in ``db`` (read inside the snapshot transaction)."""
    if db.kind == "postgresql":
        rows = tx.run(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()"
        )
    else:
        rows = tx.run("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(r[0]) for r in rows}


def create_backup(where: StorageLocation, directory: Path) -> BackupInfo:
    """Copy State, sessions and artifacts at ``where`` into a new file in ``directory``."""
    # a backup is a full copy, credentials included: readable by its owner only
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    final = directory / f"{PREFIX}{stamp}-{uuid.uuid4().hex[:6]}.db"
    tmp = final.with_name(final.name + ".tmp")
    source = _open_source(where)
    counts: dict[str, int] = {}
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        out = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            out.execute("PRAGMA journal_mode=OFF")
            out.execute("BEGIN")
            out.execute("CREATE TABLE backup_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            for table, cols in COLUMNS.items():
                out.execute(f"CREATE TABLE {table} ({', '.join(cols)})")
            with source.transaction(snapshot=True) as tx:
                present = _tables(tx, source)
                for table, cols in COLUMNS.items():
                    name = _state_table(source) if table == "state" else table
                    counts[table] = _copy(tx, name, table, cols, out) if name in present else 0
            meta = {
                "format": FORMAT,
                "schema": str(SCHEMA_VERSION),
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "source": where.shown(),
            }
            out.executemany("INSERT INTO backup_meta VALUES (?, ?)", list(meta.items()))
            out.execute("COMMIT")
        finally:
            out.close()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    return read_info(final)


def _copy(tx: Any, source_table: str, table: str, cols: tuple[str, ...], out: Any) -> int:
    """Copy ``source_table`` in key order, ``BATCH`` rows at a time (keyset paging)."""
    names = ", ".join(cols)
    marks = ", ".join("?" for _ in cols)
    keys = _KEYS[table]
    key_cols = [k.strip() for k in keys.split(",")]
    positions = [cols.index(k) for k in key_cols]
    total = 0
    last: tuple[Any, ...] | None = None
    while True:
        if last is None:
            rows = tx.run(
                f"SELECT {names} FROM {source_table} ORDER BY {keys} LIMIT {_batch(table)}"
            )
        else:
            cond = f"({keys}) > ({', '.join('?' for _ in key_cols)})"
            rows = tx.run(
                f"SELECT {names} FROM {source_table} WHERE {cond} ORDER BY {keys} "
                f"LIMIT {_batch(table)}",
                last,
            )
        if not rows:
            return total
        out.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",
            [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows],
        )
        total += len(rows)
        last = tuple(rows[-1][p] for p in positions)


def read_info(path: Path) -> BackupInfo:
    """The metadata of backup ``path`` (a ValidationError if it is not one)."""
    if not path.is_file():
        raise NotFoundError(
            f"no backup {str(path)!r}", hint="llmspell backup list shows the backups"
        )
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(conn.execute("SELECT key, value FROM backup_meta").fetchall())
            counts = {
                t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in COLUMNS
            }
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ValidationError(f"{path} is not an llmspell backup ({exc})") from None
    if meta.get("format") != FORMAT:
        raise ValidationError(f"{path} is not an llmspell backup")
    return BackupInfo(
        path=path,
        created_at=str(meta.get("created_at", "")),
        schema=int(meta.get("schema", 0)),
        source=str(meta.get("source", "")),
        counts=counts,
        size=path.stat().st_size,
    )


def list_backups(directory: Path) -> list[BackupInfo]:
    """The complete backups in ``directory``, oldest first (unreadable files skipped)."""
    if not directory.is_dir():
        return []
    out: list[BackupInfo] = []
    for path in sorted(directory.glob(f"{PREFIX}*.db")):
        try:
            out.append(read_info(path))
        except (ValidationError, NotFoundError):
            continue
    return out


def restore_backup(where: StorageLocation, path: Path) -> BackupInfo:
    """Replace State, sessions and artifacts at ``where`` with backup ``path``, in one
    transaction; a backup of a newer schema is refused before anything is touched."""
    info = read_info(path)
    if info.schema > SCHEMA_VERSION:
        raise StateError(
            f"backup {path.name} has storage schema {info.schema}; this llmspell knows "
            f"schema {SCHEMA_VERSION}",
            hint="restore it with a newer llmspell",
        )
    target = _open_target(where)
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with target.transaction() as tx:
            for table in reversed(list(COLUMNS)):
                name = _state_table(target) if table == "state" else table
                tx.execute(f"DELETE FROM {name}")
            for table, cols in COLUMNS.items():
                name = _state_table(target) if table == "state" else table
                names = ", ".join(cols)
                marks = ", ".join("?" for _ in cols)
                cur = src.execute(f"SELECT {names} FROM {table}")
                while rows := cur.fetchmany(_batch(table)):
                    tx.many(f"INSERT INTO {name} ({names}) VALUES ({marks})", rows)
    except sqlite3.Error as exc:
        raise ValidationError(f"{path} cannot be read: {exc}") from None
    finally:
        src.close()
        target.close()
    return info
