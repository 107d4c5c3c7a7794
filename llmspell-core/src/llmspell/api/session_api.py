"""``Session``: named groups of work, stored beside State (script-api.md#session).

Ids are strings (UUIDs). While a session is current (``Session.set_current``), State
keys the spell writes are recorded as the session's, artifacts agents record go to it,
and agents' memory uses it (``runtime.current_session_id``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.errors import NotFoundError, ValidationError
from llmspell.ops import BuilderSpec, GlobalSpec, Op, Param

if TYPE_CHECKING:
    from llmspell.runtime import CallContext
    from llmspell.sessions import Sessions

SESSION = GlobalSpec("Session", doc="Sessions: named groups of work with artifacts.")

_ID = Param("session_id", "string")
_CREATE_KEYS = ("name", "description", "tags", "metadata")


def sessions(ctx: CallContext) -> Sessions:
    """The runtime's sessions (opened on first use)."""
    return ctx.runtime.sessions


def _create(ctx: CallContext, options: dict[str, Any]) -> str:
    options = dict(options.get("__fields", options))
    tags = list(options.pop("tags", None) or [])
    tags += list(options.pop("tag_list", None) or [])
    unknown = sorted(set(options) - set(_CREATE_KEYS))
    if unknown:
        raise ValidationError(
            f"Session.create: unknown option(s) {', '.join(map(str, unknown))}",
            hint="options: name, description, tags, metadata",
        )
    return sessions(ctx).store.create(
        name=options.get("name"),
        description=options.get("description"),
        tags=tags,
        metadata=options.get("metadata"),
    )


@SESSION.function("create", Param("options", "object", optional=True), mode="blocking")
def create(ctx: CallContext, options: dict[str, Any] | None) -> str:
    """A new active session from ``{name?, description?, tags?, metadata?}``; its id."""
    return _create(ctx, options or {})


SESSION.builders["builder"] = BuilderSpec(
    setters={
        "name": "name",
        "description": "description",
        "tags": "tags",
        "metadata": "metadata",
    },
    appenders={"tag": "tag_list"},
    build=Op(
        "session.build",
        (Param("fields", "object"),),
        _create,
        mode="blocking",
        display="Session.builder():build",
        doc="Create the session; its id.",
    ),
)


@SESSION.function("get", _ID, mode="blocking")
def get(ctx: CallContext, session_id: str) -> dict[str, Any]:
    """The session's metadata: id, name, description, tags, status, metadata,
    created_at, updated_at, artifact_count, artifact_bytes, state_keys."""
    store = sessions(ctx).store
    info = store.get(session_id)
    info["state_keys"] = store.state_keys(session_id)
    info["current"] = ctx.runtime.current_session_id == session_id
    return info


@SESSION.function("list", Param("options", "object", optional=True), mode="blocking")
def list_(ctx: CallContext, options: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Sessions, newest first: ``{tags?, limit?, status?}`` filter them."""
    options = options or {}
    unknown = sorted(set(options) - {"tags", "limit", "status"})
    if unknown:
        raise ValidationError(
            f"Session.list: unknown option(s) {', '.join(map(str, unknown))}",
            hint="options: tags, limit, status",
        )
    limit = options.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float)):
        raise ValidationError("Session.list limit must be a number")
    return sessions(ctx).store.list(
        tags=options.get("tags"),
        limit=None if limit is None else int(limit),
        status=options.get("status"),
    )


@SESSION.function("save", _ID, mode="blocking")
def save(ctx: CallContext, session_id: str) -> bool:
    """Record the session as saved now (every change is already durable); true."""
    sessions(ctx).store.touch(session_id)
    return True


@SESSION.function("load", _ID, mode="blocking")
def load(ctx: CallContext, session_id: str) -> dict[str, Any]:
    """The stored session's metadata (as ``get``): sessions outlive runs and processes."""
    info: dict[str, Any] = get(ctx, session_id)
    return info


def _status(name: str, status: str, doc: str) -> None:
    def impl(ctx: CallContext, session_id: str) -> bool:
        sessions(ctx).store.set_status(session_id, status)
        return True

    impl.__doc__ = doc
    SESSION.function(name, _ID, mode="blocking")(impl)


_status("complete", "completed", "End the session (final: it takes no more artifacts); true.")
_status("suspend", "suspended", "Pause an active session; true.")
_status("resume", "active", "Make a suspended session active again; true.")


@SESSION.function("delete", _ID, mode="blocking")
def delete(ctx: CallContext, session_id: str) -> bool:
    """Remove the session and its artifacts (its State values stay); true if it existed.
    Deleting the current session leaves no session current."""
    gone = sessions(ctx).store.delete(session_id)
    if ctx.runtime.current_session_id == session_id:
        ctx.runtime.current_session_id = None
    return gone


@SESSION.function("get_current", mode="sync")
def get_current(ctx: CallContext) -> str | None:
    """The current session's id, or nil."""
    return ctx.runtime.current_session_id


@SESSION.function("set_current", Param("session_id", "string", optional=True), mode="blocking")
def set_current(ctx: CallContext, session_id: str | None) -> bool:
    """Make ``session_id`` current (nil: none); an unknown or deleted id is a
    NotFoundError, a completed session a StateError."""
    if session_id is None:
        ctx.runtime.current_session_id = None
        return True
    store = sessions(ctx).store
    try:
        row = store.require(session_id)
    except NotFoundError as exc:
        raise NotFoundError(f"Session.set_current: {exc.message}", hint=exc.hint) from None
    if row[4] == "completed":
        from llmspell.errors import StateError

        raise StateError(
            f"Session.set_current: session {session_id!r} is completed",
            hint="Session.create{...} starts a new session",
        )
    ctx.runtime.current_session_id = session_id
    return True
