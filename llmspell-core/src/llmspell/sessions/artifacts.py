"""Artifacts: what agents, tools and spells produced in a session, content-addressed.

An artifact is ``(session_id, sequence)`` with a type, a name, metadata and content. The
content is stored once per SHA-256 (``llmspell_blobs``), however many artifacts share it,
and removed with the last artifact that uses it. Content is bytes (binary-safe); the
size cap (``[sessions] max_artifact_bytes``) is checked before anything is written.
"""

from __future__ import annotations

import builtins
import fnmatch
import hashlib
import json
import time
from typing import Any

from llmspell.errors import NotFoundError, StateError, ValidationError
from llmspell.sessions.store import MAX_NAME, SessionStore, check_tags, check_text, iso

__all__ = ["ARTIFACT_TYPES", "ArtifactStore"]

#: rs-llmspell's artifact types (any other non-empty string is a custom type)
ARTIFACT_TYPES = ("agent_output", "tool_result", "user_input", "system_generated")
#: the most artifacts one query returns
MAX_QUERY = 1000
#: the largest metadata of one artifact (encoded JSON)
MAX_METADATA_BYTES = 64 * 1024

_COLUMNS = "session_id, sequence, type, name, hash, size, metadata, created_at"


class ArtifactStore:
    """Artifacts of the sessions in ``sessions``' database."""

    def __init__(self, sessions: SessionStore, *, max_bytes: int, max_per_session: int) -> None:
        self.sessions = sessions
        self.db = sessions.db
        self.max_bytes = max_bytes
        self.max_per_session = max_per_session

    @staticmethod
    def _info(row: tuple[Any, ...]) -> dict[str, Any]:
        sid, seq, kind, name, digest, size, metadata, created = row
        return {
            "session_id": sid,
            "sequence": int(seq),
            "content_hash": digest,
            "type": kind,
            "name": name,
            "size": int(size),
            "metadata": json.loads(metadata),
            "created_at": iso(float(created)),
        }

    def store(
        self,
        session_id: str,
        kind: str,
        name: str,
        content: bytes,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store ``content``; returns ``{content_hash, session_id, sequence}``."""
        row = self.sessions.require(session_id)
        if row[4] == "completed":
            raise StateError(
                f"session {session_id!r} is completed; it takes no more artifacts",
                hint="Session.create{...} starts a new session",
            )
        kind = check_text("Artifact type", kind, MAX_NAME, empty=False)
        name = check_text("Artifact name", name, MAX_NAME, empty=False)
        if len(content) > self.max_bytes:
            raise ValidationError(
                f"artifact {name!r} is {len(content)} bytes; the limit is {self.max_bytes}",
                hint="raise [sessions] max_artifact_bytes, or store a smaller piece",
            )
        meta_text = json.dumps(metadata or {}, ensure_ascii=False, sort_keys=True)
        if len(meta_text.encode()) > MAX_METADATA_BYTES:
            raise ValidationError(
                f"artifact {name!r}: metadata is {len(meta_text.encode())} bytes encoded; "
                f"the limit is {MAX_METADATA_BYTES}"
            )
        digest = hashlib.sha256(content).hexdigest()
        now = time.time()
        with self.db.transaction() as tx:
            seq_rows = tx.run(
                "UPDATE llmspell_sessions SET next_sequence = next_sequence + 1, updated_at = ? "
                "WHERE id = ? RETURNING next_sequence",
                (now, session_id),
            )
            if not seq_rows:
                raise NotFoundError(f"no session {session_id!r} (deleted meanwhile)")
            sequence = int(seq_rows[0][0])
            count = tx.run(
                "SELECT COUNT(*) FROM llmspell_artifacts WHERE session_id = ?", (session_id,)
            )[0][0]
            if int(count) >= self.max_per_session:
                raise ValidationError(
                    f"session {session_id!r} already holds {count} artifacts; the limit is "
                    f"{self.max_per_session}",
                    hint="raise [sessions] max_artifacts_per_session or delete some",
                )
            tx.execute(
                "INSERT INTO llmspell_blobs (hash, size, content) VALUES (?, ?, ?) "
                "ON CONFLICT (hash) DO NOTHING",
                (digest, len(content), content),
            )
            tx.execute(
                f"INSERT INTO llmspell_artifacts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, sequence, kind, name, digest, len(content), meta_text, now),
            )
        return {"content_hash": digest, "session_id": session_id, "sequence": sequence}

    def _find(self, session_id: str, ref: Any) -> tuple[Any, ...]:
        """The artifact row ``ref`` names: a sequence number, a content hash (the latest
        artifact with it) or the table ``store`` returned."""
        self.sessions.require(session_id)
        if isinstance(ref, dict):
            if ref.get("session_id") not in (None, session_id):
                raise ValidationError(
                    f"the artifact id belongs to session {ref.get('session_id')!r}, "
                    f"not {session_id!r}"
                )
            ref = ref.get("sequence", ref.get("content_hash"))
        if isinstance(ref, bool) or ref is None:
            raise ValidationError(
                "an artifact id is a sequence number, a content hash, or the table "
                "Artifact.store returned"
            )
        if isinstance(ref, int | float):
            rows = self.db.run(
                f"SELECT {_COLUMNS} FROM llmspell_artifacts WHERE session_id = ? AND sequence = ?",
                (session_id, int(ref)),
            )
        elif isinstance(ref, str):
            rows = self.db.run(
                f"SELECT {_COLUMNS} FROM llmspell_artifacts WHERE session_id = ? AND hash = ? "
                "ORDER BY sequence DESC LIMIT 1",
                (session_id, ref),
            )
        else:
            raise ValidationError(f"an artifact id cannot be a {type(ref).__name__}")
        if not rows:
            raise NotFoundError(
                f"no artifact {ref!r} in session {session_id!r}",
                hint="Artifact.list(session_id) shows the session's artifacts",
            )
        return rows[0]

    def get(self, session_id: str, ref: Any) -> tuple[dict[str, Any], bytes]:
        """The artifact's metadata and content."""
        row = self._find(session_id, ref)
        blob = self.db.run("SELECT content FROM llmspell_blobs WHERE hash = ?", (row[4],))
        if not blob:
            raise StateError(f"the content of artifact {row[1]} ({row[4]}) is missing")
        return self._info(row), bytes(blob[0][0])

    def list(self, session_id: str) -> list[dict[str, Any]]:
        """The session's artifacts (metadata, no content), in store order."""
        self.sessions.require(session_id)
        rows = self.db.run(
            f"SELECT {_COLUMNS} FROM llmspell_artifacts WHERE session_id = ? ORDER BY sequence",
            (session_id,),
        )
        return [self._info(r) for r in rows]

    def delete(self, session_id: str, ref: Any) -> bool:
        """Remove one artifact (and its content when no other artifact shares it)."""
        row = self._find(session_id, ref)
        with self.db.transaction() as tx:
            gone = tx.execute(
                "DELETE FROM llmspell_artifacts WHERE session_id = ? AND sequence = ?",
                (session_id, row[1]),
            )
            tx.execute(
                "DELETE FROM llmspell_blobs WHERE hash = ? AND NOT EXISTS "
                "(SELECT 1 FROM llmspell_artifacts WHERE hash = ?)",
                (row[4], row[4]),
            )
        return bool(gone > 0)

    def query(self, q: dict[str, Any]) -> builtins.list[dict[str, Any]]:
        """Artifacts matching every given filter: session_id, type, name_pattern (a glob:
        ``*`` and ``?``), tags (metadata.tags holds them all), created_after /
        created_before (ISO 8601 or seconds since the epoch), min_size, max_size, limit."""
        known = {
            "session_id", "type", "name_pattern", "tags", "created_after", "created_before",
            "min_size", "max_size", "limit",
        }  # fmt: skip
        unknown = sorted(set(q) - known)
        if unknown:
            raise ValidationError(
                f"Artifact.query: unknown filter(s) {', '.join(unknown)}",
                hint=f"filters: {', '.join(sorted(known))}",
            )
        where, args = [], []
        if q.get("session_id") is not None:
            self.sessions.require(q["session_id"])
            where.append("session_id = ?")
            args.append(q["session_id"])
        if q.get("type") is not None:
            where.append("type = ?")
            args.append(check_text("Artifact.query type", q["type"], MAX_NAME))
        for key, op in (("min_size", ">="), ("max_size", "<=")):
            if q.get(key) is not None:
                where.append(f"size {op} ?")
                args.append(_number(key, q[key]))
        for key, op in (("created_after", ">"), ("created_before", "<")):
            if q.get(key) is not None:
                where.append(f"created_at {op} ?")
                args.append(_time(key, q[key]))
        limit = min(int(_number("limit", q.get("limit", 100))), MAX_QUERY)
        pattern = q.get("name_pattern")
        if pattern is not None:
            check_text("Artifact.query name_pattern", pattern, MAX_NAME)
        tags = check_tags("Artifact.query tags", q.get("tags"))
        sql = f"SELECT {_COLUMNS} FROM llmspell_artifacts"
        if where:
            sql += " WHERE " + " AND ".join(where)
        out: builtins.list[dict[str, Any]] = []
        for row in self.db.run(sql + " ORDER BY created_at, session_id, sequence", args):
            if len(out) >= limit:
                break
            info = self._info(row)
            if pattern is not None and not fnmatch.fnmatchcase(info["name"], pattern):
                continue
            have = info["metadata"].get("tags") if isinstance(info["metadata"], dict) else None
            if tags and not (isinstance(have, list) and set(tags) <= set(map(str, have))):
                continue
            out.append(info)
        return out


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValidationError(f"Artifact.query {key} must be a number 0 or more")
    return float(value)


def _time(key: str, value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        from datetime import datetime

        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    raise ValidationError(
        f"Artifact.query {key} must be an ISO 8601 time or seconds since the epoch"
    )
