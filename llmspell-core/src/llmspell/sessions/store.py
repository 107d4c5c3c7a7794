"""Sessions: named groups of work with a status, tags and metadata, stored in State's
database (one row per session in ``llmspell_sessions``).

A session is ``active`` when created; ``suspend`` / ``resume`` move it between
``active`` and ``suspended``; ``complete`` ends it (``completed`` is final). Every change
is committed before the call returns, so ``save`` and ``load`` only confirm and read.
"""

from __future__ import annotations

import builtins
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from llmspell.errors import NotFoundError, StateError, ValidationError
from llmspell.sessions.schema import ensure_schema
from llmspell.state.db import Database

__all__ = ["STATUSES", "SessionStore", "iso"]

STATUSES = ("active", "suspended", "completed")
#: the longest name, description and tag a session may have (characters)
MAX_NAME = 256
MAX_DESCRIPTION = 4096
MAX_TAGS = 64
MAX_LIST = 1000
#: the largest metadata of one session (encoded JSON)
MAX_METADATA_BYTES = 64 * 1024

_COLUMNS = "id, name, description, tags, status, metadata, created_at, updated_at"


def iso(ts: float) -> str:
    """A UTC timestamp as ISO 8601 (``2026-12-05T06:00:00.123456Z``)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_text(what: str, value: Any, limit: int, *, empty: bool = True) -> str:
    """``value`` as a string of at most ``limit`` characters (a ValidationError if not)."""
    if not isinstance(value, str):
        from llmspell.ops import describe_value

        raise ValidationError(f"{what} must be a string, got {describe_value(value)}")
    if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValidationError(f"{what} is not valid UTF-8 text", hint="pass names as UTF-8 strings")
    if not empty and not value.strip():
        raise ValidationError(f"{what} must not be empty")
    if len(value) > limit:
        raise ValidationError(f"{what} is {len(value)} characters; the limit is {limit}")
    return value


def check_tags(what: str, tags: Any) -> list[str]:
    """A list of distinct tag strings (a ValidationError names the bad one)."""
    if tags is None:
        return []
    if isinstance(tags, dict) and not tags:
        return []
    if not isinstance(tags, list):
        raise ValidationError(f"{what} must be an array of strings")
    if len(tags) > MAX_TAGS:
        raise ValidationError(f"{what}: {len(tags)} tags; the limit is {MAX_TAGS}")
    out: list[str] = []
    for tag in tags:
        text = check_text(f"{what}: a tag", tag, MAX_NAME, empty=False)
        if text not in out:
            out.append(text)
    return out


class SessionStore:
    """Sessions in a :class:`~llmspell.state.db.Database` (tables created on open)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        ensure_schema(db)
        #: ids this process deleted (for a clearer error when one is used again)
        self.deleted: set[str] = set()

    # -- rows ---------------------------------------------------------------------

    def _row(self, session_id: str) -> tuple[Any, ...] | None:
        rows = self.db.run(f"SELECT {_COLUMNS} FROM llmspell_sessions WHERE id = ?", (session_id,))
        return rows[0] if rows else None

    def _info(self, row: tuple[Any, ...], counts: bool = True) -> dict[str, Any]:
        sid, name, description, tags, status, metadata, created, updated = row
        info: dict[str, Any] = {
            "id": sid,
            "name": name,
            "description": description,
            "tags": json.loads(tags),
            "status": status,
            "metadata": json.loads(metadata),
            "created_at": iso(float(created)),
            "updated_at": iso(float(updated)),
        }
        if counts:
            count, size = self.db.run(
                "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM llmspell_artifacts "
                "WHERE session_id = ?",
                (sid,),
            )[0]
            info["artifact_count"] = int(count)
            info["artifact_bytes"] = int(size)
        return info

    def require(self, session_id: Any, what: str = "session") -> tuple[Any, ...]:
        """The row of ``session_id``; NotFoundError (with a hint) when there is none."""
        check_text("a session id", session_id, MAX_NAME, empty=False)
        row = self._row(session_id)
        if row is None:
            gone = " (it was deleted)" if session_id in self.deleted else ""
            raise NotFoundError(
                f"no {what} {session_id!r}{gone}",
                hint="Session.list() / llmspell session list shows the sessions; "
                "Session.create{...} makes one",
            )
        return row

    # -- operations ---------------------------------------------------------------

    def create(
        self,
        name: str | None = None,
        description: str | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """A new active session; returns its id (a UUID string)."""
        sid = str(uuid.uuid4())
        name = check_text("Session name", name if name is not None else "", MAX_NAME)
        description = check_text(
            "Session description", description if description is not None else "", MAX_DESCRIPTION
        )
        tag_list = check_tags("Session tags", tags)
        meta = metadata or {}
        if not isinstance(meta, dict):
            raise ValidationError("Session metadata must be a table/object")
        from llmspell.values import check_json_value

        check_json_value(meta, "Session metadata")
        meta_text = json.dumps(meta, ensure_ascii=False, sort_keys=True)
        if len(meta_text.encode()) > MAX_METADATA_BYTES:
            raise ValidationError(
                f"Session metadata is {len(meta_text.encode())} bytes encoded; the limit is "
                f"{MAX_METADATA_BYTES}",
                hint="keep large data in State or in artifacts",
            )
        now = time.time()
        self.db.execute(
            f"INSERT INTO llmspell_sessions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (sid, name, description, json.dumps(tag_list), "active", meta_text, now, now),
        )
        return sid

    def get(self, session_id: str) -> dict[str, Any]:
        """The session's metadata (id, name, description, tags, status, times, counts)."""
        return self._info(self.require(session_id))

    def list(
        self, tags: list[str] | None = None, limit: int | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Sessions, newest first; only those with every tag in ``tags`` / that status."""
        wanted = check_tags("Session.list tags", tags)
        if status is not None and status not in STATUSES:
            raise ValidationError(
                f"Session.list status {status!r} is not one of {', '.join(STATUSES)}"
            )
        cap = MAX_LIST if limit is None else int(limit)
        if cap < 0:
            raise ValidationError("Session.list limit must be 0 or more")
        sql = f"SELECT {_COLUMNS} FROM llmspell_sessions"
        args: tuple[Any, ...] = ()
        if status is not None:
            sql += " WHERE status = ?"
            args = (status,)
        rows = self.db.run(sql + " ORDER BY created_at DESC, id", args)
        out: list[dict[str, Any]] = []
        for row in rows:
            if len(out) >= min(cap, MAX_LIST):
                break
            if wanted and not set(wanted) <= set(json.loads(row[3])):
                continue
            out.append(self._info(row))
        return out

    def touch(self, session_id: str) -> dict[str, Any]:
        """Record that the session was saved now; its metadata."""
        self.require(session_id)
        self.db.execute(
            "UPDATE llmspell_sessions SET updated_at = ? WHERE id = ?", (time.time(), session_id)
        )
        return self.get(session_id)

    def set_status(self, session_id: str, status: str) -> dict[str, Any]:
        """Move the session to ``status`` (complete, suspend, resume); a StateError names a
        move that is not allowed (a completed session stays completed)."""
        row = self.require(session_id)
        current = row[4]
        allowed = {
            "completed": ("active", "suspended", "completed"),
            "suspended": ("active", "suspended"),
            "active": ("suspended", "active"),
        }[status]
        if current not in allowed:
            verb = {"completed": "complete", "suspended": "suspend", "active": "resume"}[status]
            raise StateError(
                f"cannot {verb} session {session_id!r}: it is {current}",
                hint="a completed session is final; Session.create{...} starts a new one",
            )
        self.db.execute(
            "UPDATE llmspell_sessions SET status = ?, updated_at = ? WHERE id = ?",
            (status, time.time(), session_id),
        )
        return self.get(session_id)

    def delete(self, session_id: str) -> bool:
        """Remove the session, its artifacts (blobs nobody else uses) and its record of
        State keys (the State values stay); False when there was no such session."""
        check_text("a session id", session_id, MAX_NAME, empty=False)
        with self.db.transaction() as tx:
            hashes = [
                r[0]
                for r in tx.run(
                    "SELECT DISTINCT hash FROM llmspell_artifacts WHERE session_id = ?",
                    (session_id,),
                )
            ]
            tx.execute("DELETE FROM llmspell_artifacts WHERE session_id = ?", (session_id,))
            for digest in hashes:
                tx.execute(
                    "DELETE FROM llmspell_blobs WHERE hash = ? AND NOT EXISTS "
                    "(SELECT 1 FROM llmspell_artifacts WHERE hash = ?)",
                    (digest, digest),
                )
            tx.execute("DELETE FROM llmspell_session_state WHERE session_id = ?", (session_id,))
            gone = tx.execute("DELETE FROM llmspell_sessions WHERE id = ?", (session_id,))
        if gone:
            self.deleted.add(session_id)
        return bool(gone > 0)

    def record_state(self, session_id: str, scope: str, key: str) -> None:
        """Remember that State (scope, key) was written while the session was current."""
        self.db.execute(
            "INSERT INTO llmspell_session_state (session_id, scope, key) VALUES (?, ?, ?) "
            "ON CONFLICT (session_id, scope, key) DO NOTHING",
            (session_id, scope, key),
        )

    def state_keys(self, session_id: str) -> builtins.list[dict[str, str]]:
        """The State keys written while the session was current: ``{scope, key}``."""
        rows = self.db.run(
            "SELECT scope, key FROM llmspell_session_state WHERE session_id = ?", (session_id,)
        )
        return [{"scope": s, "key": k} for s, k in sorted(rows)]

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()
