"""``Artifact``: content that agents, tools and spells produced in a session
(script-api.md#artifact). Content-addressed (SHA-256), deduplicated, size-capped.

Content crosses as a string (UTF-8 text) or, for binary data, as ``{base64 = "..."}``;
``Artifact.get`` returns text as a string, and binary content (not valid UTF-8, or when
asked with ``{encoding = "base64"}``) as base64 with ``encoding = "base64"``.
``store_file`` reads any file inside the allowed paths byte for byte.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from llmspell.api.session_api import sessions
from llmspell.errors import NotFoundError, SecurityError, ValidationError
from llmspell.ops import GlobalSpec, Param
from llmspell.values import RawBytes, check_json_value

if TYPE_CHECKING:
    from llmspell.runtime import CallContext

ARTIFACT = GlobalSpec("Artifact", doc="Artifacts of sessions: content-addressed, deduplicated.")

_SID = Param("session_id", "string")
_REF = Param("artifact_id")
_META = Param("metadata", "object", optional=True)


def _content(ctx: CallContext, content: Any) -> bytes:
    if isinstance(content, bytes):  # a Lua string that is not UTF-8, byte for byte
        return content
    if isinstance(content, str):
        try:
            return content.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Artifact.store: the content is not valid UTF-8 text") from None
    if isinstance(content, dict) and set(content) == {"base64"}:
        encoded = content["base64"]
        if not isinstance(encoded, str):
            raise ValidationError("Artifact.store: content.base64 must be a string")
        cap = ctx.settings.sessions.max_artifact_bytes
        if len(encoded) > (cap // 3 + 1) * 4 + 4:
            raise ValidationError(
                f"Artifact.store: the base64 content decodes to more than {cap} bytes",
                hint="raise [sessions] max_artifact_bytes, or store a smaller piece",
            )
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("Artifact.store: content.base64 is not valid base64") from None
    raise ValidationError(
        'Artifact.store: content must be a string (text) or {base64 = "..."} (binary)'
    )


def _metadata(what: str, metadata: dict[str, Any] | None) -> dict[str, Any]:
    if not metadata:
        return {}
    check_json_value(metadata, what)
    return dict(metadata)


@ARTIFACT.function(
    "store",
    _SID,
    # (binary: a name that is not UTF-8 is a ValidationError a spell can catch)
    Param("type", "string", binary=True),
    Param("name", "string", binary=True),
    Param("content", binary=True),
    _META,
    mode="blocking",
)
def store(
    ctx: CallContext,
    session_id: str,
    kind: str,
    name: str,
    content: Any,
    metadata: dict[str, Any] | None,
) -> dict[str, Any]:
    """Store ``content`` in the session; ``{content_hash, session_id, sequence}``. Types:
    agent_output, tool_result, user_input, system_generated, or a custom string."""
    data = _content(ctx, content)
    return sessions(ctx).artifacts.store(
        session_id, kind, name, data, _metadata("Artifact.store metadata", metadata)
    )


@ARTIFACT.function(
    "store_file",
    _SID,
    Param("path", "string"),
    Param("type", "string", optional=True, default="user_input"),
    _META,
    mode="blocking",
)
def store_file(
    ctx: CallContext, session_id: str, path: str, kind: str, metadata: dict[str, Any] | None
) -> dict[str, Any]:
    """Store a file (inside the allowed paths) byte for byte; named by its file name,
    with ``mime_type`` and ``source_path`` added to the metadata."""
    real = ctx.policy.resolve_path(path, what="Artifact.store_file path")
    sessions(ctx).store.require(session_id)
    try:
        size = real.stat().st_size
    except FileNotFoundError:
        raise NotFoundError(
            f"Artifact.store_file: no file {path!r}",
            hint="paths are relative to the spell's working directory",
        ) from None
    except OSError as exc:
        raise ValidationError(
            f"Artifact.store_file: cannot read {path!r}: {exc.strerror}"
        ) from None
    if not real.is_file():
        raise ValidationError(f"Artifact.store_file: {path!r} is not a regular file")
    cap = ctx.settings.sessions.max_artifact_bytes
    if size > cap:
        raise ValidationError(
            f"artifact {real.name!r} is {size} bytes; the limit is {cap}",
            hint="raise [sessions] max_artifact_bytes, or store a smaller file",
        )
    try:
        ctx.policy.check_size(size, what=f"file {path!r}")
        with open(real, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as exc:
        raise ValidationError(
            f"Artifact.store_file: cannot read {path!r}: {exc.strerror}"
        ) from None
    except SecurityError:
        raise
    import mimetypes

    meta = _metadata("Artifact.store_file metadata", metadata)
    meta.setdefault("mime_type", mimetypes.guess_type(real.name)[0] or "application/octet-stream")
    meta.setdefault("source_path", path)
    return sessions(ctx).artifacts.store(session_id, kind, real.name, data, meta)


@ARTIFACT.function("get", _SID, _REF, Param("options", "object", optional=True), mode="blocking")
def get(
    ctx: CallContext, session_id: str, artifact_id: Any, options: dict[str, Any] | None
) -> dict[str, Any]:
    """``{content, metadata, encoding}``: text as a string ("utf-8"); binary content, or
    any with ``{encoding = "base64"}``, as base64 ("base64"); in Lua ``{encoding =
    "raw"}`` gives a string of the stored bytes ("raw"). ``metadata`` holds the
    stored metadata plus type, name, size, content_hash, sequence, created_at."""
    options = options or {}
    wanted = options.get("encoding", "auto")
    if wanted not in ("auto", "utf-8", "base64", "raw") or set(options) - {"encoding"}:
        raise ValidationError(
            'Artifact.get options: {encoding = "base64"}, {encoding = "utf-8"} or (Lua) '
            '{encoding = "raw"}'
        )
    if wanted == "raw" and ctx.naming != "snake":
        raise ValidationError(
            'Artifact.get: {encoding: "raw"} is for Lua, whose strings hold any bytes',
            hint='use {encoding: "base64"} in JavaScript',
        )
    info, data = sessions(ctx).artifacts.get(session_id, artifact_id)
    meta = dict(info["metadata"])
    for key in ("type", "name", "size", "content_hash", "sequence", "session_id", "created_at"):
        meta[key] = info[key]
    if wanted == "raw":
        return {"content": RawBytes(data), "metadata": meta, "encoding": "raw"}
    if wanted != "base64":
        try:
            return {"content": data.decode("utf-8"), "metadata": meta, "encoding": "utf-8"}
        except UnicodeDecodeError:
            if wanted == "utf-8":
                raise ValidationError(
                    f"artifact {info['sequence']} is binary, not UTF-8 text",
                    hint='ask for {encoding = "base64"}',
                ) from None
    return {
        "content": base64.b64encode(data).decode("ascii"),
        "metadata": meta,
        "encoding": "base64",
    }


@ARTIFACT.function("list", _SID, mode="blocking")
def list_(ctx: CallContext, session_id: str) -> list[dict[str, Any]]:
    """The session's artifacts (without content), in the order they were stored."""
    return sessions(ctx).artifacts.list(session_id)


@ARTIFACT.function("delete", _SID, _REF, mode="blocking")
def delete(ctx: CallContext, session_id: str, artifact_id: Any) -> bool:
    """Remove one artifact; true."""
    return sessions(ctx).artifacts.delete(session_id, artifact_id)


@ARTIFACT.function("query", Param("query", "object", optional=True), mode="blocking")
def query(ctx: CallContext, q: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Artifacts matching ``{session_id, type, name_pattern, tags, created_after,
    created_before, min_size, max_size, limit}`` (all optional; limit 100 by default)."""
    return sessions(ctx).artifacts.query(q or {})
