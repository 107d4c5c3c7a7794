"""``Hook``: run script functions at the runtime's hook points (script-api.md#event-and-hook)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.hooks import HookHandle, point_name
from llmspell.ops import GlobalSpec, ObjectType, Param, ScriptFunction, method

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


HOOK_HANDLE = ObjectType(
    "HookHandle",
    HookHandle,
    fields=lambda h: {"point": h.point, "priority": h.priority},
)
HOOK = GlobalSpec("Hook", object_types=[HOOK_HANDLE], doc="Hooks at the runtime's hook points.")


@HOOK.function(
    "register",
    Param("point", "string"),
    Param("fn", "function"),
    Param("priority", "string", optional=True, default="normal"),
)
def register(ctx: CallContext, point: str, fn: ScriptFunction, priority: str) -> HookHandle:
    """Run ``fn(ctx)`` at ``point`` (priority highest|high|normal|low|lowest); returns
    a handle. Script hooks end with the run."""
    handle = ctx.runtime.hooks.register(point, fn, priority, source="script")
    ctx.cleanups.append(lambda: ctx.runtime.hooks.unregister(handle))
    return handle


def _hook_id(value: Any) -> int:
    if isinstance(value, HookHandle):
        return value.id
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    from llmspell.errors import ValidationError

    raise ValidationError("Hook.unregister: pass the handle Hook.register returned (or its id)")


@HOOK.function("unregister", Param("handle", "handle"))
def unregister(ctx: CallContext, handle: Any) -> bool:
    """Remove a hook; true if it was registered."""
    return ctx.runtime.hooks.unregister(_hook_id(handle))


@HOOK.function("list", Param("point", "string", optional=True))
def list_(ctx: CallContext, point: str | None) -> list[dict[str, Any]]:
    """``{{id, point, priority, source, name}}`` in the order the hooks run."""
    return [h.info() for h in ctx.runtime.hooks.list(point)]


@HOOK.function("points")
def points(ctx: CallContext) -> list[str]:
    """Every hook point name."""
    from llmspell.hooks import POINTS

    return list(POINTS)


@method(HOOK_HANDLE, "id")
def handle_id(ctx: CallContext, handle: HookHandle) -> int:
    """The hook's id."""
    return handle.id


@method(HOOK_HANDLE, "hook_point")
def handle_point(ctx: CallContext, handle: HookHandle) -> str:
    """The point the hook runs at."""
    return point_name(handle.point)


@method(HOOK_HANDLE, "unregister")
def handle_unregister(ctx: CallContext, handle: HookHandle) -> bool:
    """Remove this hook; true if it was still registered."""
    return ctx.runtime.hooks.unregister(handle)
