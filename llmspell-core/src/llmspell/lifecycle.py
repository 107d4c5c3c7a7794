"""Where components meet hooks and events: helpers that take any context.

Tools run with a :class:`~llmspell.runtime.RunSession` (in a spell), a
:class:`~llmspell.runtime.ToolContext` (``llmspell tool invoke``) or no context at all
(unit tests); these helpers find the runtime's hook registry and event bus when there is
one and do nothing otherwise, so callers need no checks of their own.
"""

from __future__ import annotations

from typing import Any

from llmspell.events import EventBus
from llmspell.hooks import HookOutcome, HookRegistry

__all__ = ["bus_of", "correlation_of", "fire", "hooks_of", "publish", "report_of"]

_CONTINUE = HookOutcome()


def hooks_of(ctx: Any) -> HookRegistry | None:
    """The hook registry of ``ctx``'s runtime, if any."""
    runtime = getattr(ctx, "runtime", None)
    hooks: HookRegistry | None = getattr(runtime, "hooks", None)
    return hooks


def bus_of(ctx: Any) -> EventBus | None:
    """The event bus of ``ctx``'s runtime, if any."""
    runtime = getattr(ctx, "runtime", None)
    bus: EventBus | None = getattr(runtime, "events", None)
    return bus


def correlation_of(ctx: Any) -> str | None:
    """The correlation id events and hooks carry in ``ctx``: the run's id (None outside
    a spell)."""
    cid: str | None = getattr(ctx, "run_id", None)
    return cid


def report_of(ctx: Any) -> Any:
    """The function that reports failing hooks for ``ctx``."""
    return getattr(ctx, "report", None) or getattr(getattr(ctx, "runtime", None), "report", None)


def publish(ctx: Any, event_type: str, data: Any, correlation_id: str | None = None) -> None:
    """Publish a runtime event if anyone listens."""
    bus = bus_of(ctx)
    if bus is not None and bus.active:
        bus.publish(event_type, data, correlation_id or correlation_of(ctx))


async def fire(
    ctx: Any, point: str, data: dict[str, Any], *, component_id: str = ""
) -> HookOutcome:
    """Run the hooks at ``point`` (a notification point, or one whose outcome the caller
    reads); ``continue`` when there are none."""
    hooks = hooks_of(ctx)
    if hooks is None or not hooks.has(point):
        return _CONTINUE
    return await hooks.run(
        point,
        data,
        component_id=component_id,
        correlation_id=correlation_of(ctx),
        report=report_of(ctx),
    )
