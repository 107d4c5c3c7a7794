"""``State``: persistent JSON values by (scope, key) (script-api.md#state)."""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Awaitable, Coroutine
from typing import TYPE_CHECKING, Any

from llmspell.errors import ValidationError
from llmspell.lifecycle import fire, publish
from llmspell.ops import GlobalSpec, Param, ScriptFunction
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


# -- migrations (docs/sessions-and-state.md#migrations) ---------------------------------

_RUN_MIGRATIONS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _migrations(ctx: CallContext) -> Any:
    """The migrations this run registered."""
    from llmspell.state.migrations import MigrationSet

    found = _RUN_MIGRATIONS.get(ctx)
    if found is None:
        found = _RUN_MIGRATIONS[ctx] = MigrationSet()
        # the plugins' migrations (register_state_migrations) come first
        for scope, version, fn, _origin in getattr(ctx.runtime, "state_migrations", ()):
            found.register(scope, version, _plugin_migration(fn))
    return found


def _plugin_migration(fn: Any) -> Any:
    async def call(value: Any, key: str) -> Any:
        import inspect

        result = fn(value, key)
        return await result if inspect.isawaitable(result) else result

    return call


@STATE.function(
    "register_migration",
    _SCOPE,
    Param("version", "integer"),
    Param("fn", "function"),
    mode="sync",
)
def register_migration(ctx: CallContext, scope: str, version: int, fn: ScriptFunction) -> bool:
    """Register ``fn(value, key) -> new value`` (nil deletes) moving ``scope`` to
    ``version``; ``State.migrate`` applies it. True."""

    async def call(value: Any, key: str) -> Any:
        return await fn(value, key)

    _migrations(ctx).register(scope, version, call)
    return True


@STATE.function("migrate", Param("options", "object", optional=True), mode="async")
async def migrate(ctx: CallContext, options: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Apply the pending registered migrations (``{scope?, dry_run?}``) in one
    transaction; per scope ``{scope, from, to, applied, keys, changed, deleted}``."""
    from llmspell.state import migrations

    options = options or {}
    unknown = sorted(set(options) - {"scope", "dry_run"})
    if unknown:
        raise ValidationError(
            f"State.migrate: unknown option(s) {', '.join(map(str, unknown))}",
            hint="options: scope, dry_run",
        )
    scope = options.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise ValidationError("State.migrate: scope must be a string")
    loop = asyncio.get_running_loop()

    async def offload(fn: Any, *args: Any) -> Any:
        return await loop.run_in_executor(ctx.runtime.executor, fn, *args)

    report: list[dict[str, Any]] = await migrations.migrate(
        ctx.state,
        _migrations(ctx),
        scope,
        dry_run=bool(options.get("dry_run")),
        check=ctx.check_deadline,
        offload=offload,
    )
    return report


@STATE.function("get_schema_versions", mode="blocking")
def get_schema_versions(ctx: CallContext) -> dict[str, int]:
    """Every scope's schema version (scopes never marked are at 0 and not listed)."""
    from llmspell.state.migrations import schema_versions

    return schema_versions(ctx.state)


@STATE.function("get_migration_status", mode="blocking")
def get_migration_status(ctx: CallContext) -> list[dict[str, Any]]:
    """For each scope with registered migrations: ``{scope, current, target, pending}``."""
    from llmspell.state.migrations import status

    return status(ctx.state, _migrations(ctx))


@STATE.function("set_schema_version", _SCOPE, Param("version", "integer"), mode="blocking")
def set_schema_version(ctx: CallContext, scope: str, version: int) -> bool:
    """Mark ``scope`` as being at ``version`` (for data written in the newest shape)."""
    from llmspell.state.migrations import MAX_VERSION, SCHEMA_SCOPE

    _check_name("State.set_schema_version", "scope", scope)
    if not 0 <= version <= MAX_VERSION:
        raise ValidationError(f"State.set_schema_version: version must be 0..{MAX_VERSION}")
    ctx.state.set(SCHEMA_SCOPE, scope, str(version))
    return True
