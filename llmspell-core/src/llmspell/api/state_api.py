"""``State``: persistent JSON values by (scope, key) (script-api.md#state)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Coroutine
from typing import TYPE_CHECKING, Any

from llmspell.errors import ValidationError
from llmspell.lifecycle import fire, publish
from llmspell.ops import GlobalSpec, Param
from llmspell.values import check_json_value, dumps

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


#: The largest value State stores (encoded JSON).
MAX_VALUE_BYTES = 16 * 1024 * 1024

STATE = GlobalSpec("State", doc="Persistent JSON values by scope and key.")


def _check_name(what: str, label: str, value: str) -> None:
    if not value:
        raise ValidationError(f"{what}: {label} must not be empty")


def _encode(what: str, value: Any) -> str:
    check_json_value(value, what)
    text = dumps(value)
    if len(text.encode()) > MAX_VALUE_BYTES:
        raise ValidationError(
            f"{what}: value is {len(text.encode())} bytes encoded; the limit is {MAX_VALUE_BYTES}"
        )
    return text


def _save(ctx: CallContext, what: str, scope: str, key: str, value: Any) -> bool:
    _check_name(what, "scope", scope)
    _check_name(what, "key", key)
    if value is None:
        ctx.state.delete(scope, key)
        return True
    ctx.state.set(scope, key, _encode(what, value))
    _owned(ctx, scope, key)
    return True


def _owned(ctx: CallContext, scope: str, key: str) -> None:
    """Record (scope, key) as written while the current session was current."""
    sid = ctx.runtime.current_session_id
    if sid is not None:
        ctx.runtime.sessions.store.record_state(sid, scope, key)


def _load(ctx: CallContext, scope: str, key: str) -> Any:
    text = ctx.state.get(scope, key)
    return None if text is None else json.loads(text)


_SCOPE = Param("scope", "string")
_KEY = Param("key", "string")
_VALUE = Param("value", optional=True)


def _write(
    ctx: CallContext, what: str, scope: str, key: str, value: Any, *, delete: bool = False
) -> Coroutine[Any, Any, bool]:
    """A write, submitted to the state worker thread now (so writes and reads keep the
    order the spell made them in), then the StateChanged hooks and the ``state.changed``
    event, which see the scope, key and action, never the value."""
    loop = asyncio.get_running_loop()
    if delete:
        future = loop.run_in_executor(ctx.runtime.executor, ctx.state.delete, scope, key)
    else:
        future = loop.run_in_executor(ctx.runtime.executor, _save, ctx, what, scope, key, value)
    return _after_write(ctx, future, scope, key, "delete" if delete or value is None else "set")


async def _after_write(
    ctx: CallContext, future: asyncio.Future[bool], scope: str, key: str, action: str
) -> bool:
    done = await future
    if ctx.runtime.hooks.has("StateChanged") or ctx.runtime.events.active:
        info = {"scope": scope, "key": key, "action": action}
        await fire(ctx, "StateChanged", info, component_id=f"state:{scope}")
        publish(ctx, "state.changed", info)
    return bool(done)


@STATE.function("save", _SCOPE, _KEY, _VALUE, mode="async")
def save(ctx: CallContext, scope: str, key: str, value: Any) -> Awaitable[bool]:
    """Store ``value`` at (scope, key); saving nil deletes. Durable when it returns."""
    return _write(ctx, "State.save", scope, key, value)


@STATE.function("load", _SCOPE, _KEY, mode="blocking")
def load(ctx: CallContext, scope: str, key: str) -> Any:
    """The value at (scope, key), or nil."""
    return _load(ctx, scope, key)


@STATE.function("delete", _SCOPE, _KEY, mode="async")
def delete(ctx: CallContext, scope: str, key: str) -> Awaitable[bool]:
    """Remove (scope, key); true if it existed."""
    return _write(ctx, "State.delete", scope, key, None, delete=True)


@STATE.function("list_keys", _SCOPE, mode="blocking")
def list_keys(ctx: CallContext, scope: str) -> list[str]:
    """The keys stored in ``scope``, sorted."""
    return ctx.state.keys(scope)


@STATE.function("set", _KEY, _VALUE, mode="async")
def set_(ctx: CallContext, key: str, value: Any) -> Awaitable[bool]:
    """``State.save("global", key, value)``."""
    return _write(ctx, "State.set", "global", key, value)


@STATE.function("get", _KEY, mode="blocking")
def get(ctx: CallContext, key: str) -> Any:
    """``State.load("global", key)``."""
    return _load(ctx, "global", key)


@STATE.function(
    "workflow_get", Param("workflow_id", "string"), Param("step", "string"), mode="blocking"
)
def workflow_get(ctx: CallContext, workflow_id: str, step: str) -> Any:
    """The saved output of ``step`` in workflow ``workflow_id`` (scope ``workflow:<id>``)."""
    return _load(ctx, f"workflow:{workflow_id}", step)


@STATE.function("workflow_list", Param("workflow_id", "string"), mode="blocking")
def workflow_list(ctx: CallContext, workflow_id: str) -> list[str]:
    """The step names with saved outputs for workflow ``workflow_id``."""
    return ctx.state.keys(f"workflow:{workflow_id}")


def _scoped(kind: str) -> None:
    @STATE.function(f"{kind}_get", Param("id", "string"), _KEY, mode="blocking")
    def scoped_get(ctx: CallContext, id_: str, key: str) -> Any:
        return _load(ctx, f"{kind}:{id_}", key)

    scoped_get.__doc__ = f"The value of ``key`` for {kind} ``id`` (scope ``{kind}:<id>``)."

    @STATE.function(f"{kind}_set", Param("id", "string"), _KEY, _VALUE, mode="async")
    def scoped_set(ctx: CallContext, id_: str, key: str, value: Any) -> Awaitable[bool]:
        return _write(ctx, f"State.{kind}_set", f"{kind}:{id_}", key, value)

    scoped_set.__doc__ = f"Store ``value`` at ``key`` for {kind} ``id``."


_scoped("agent")
_scoped("tool")
