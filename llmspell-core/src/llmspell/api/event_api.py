"""``Event``: publish, subscribe to and receive events (script-api.md#event-and-hook)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from llmspell.errors import ValidationError
from llmspell.lifecycle import fire
from llmspell.ops import GlobalSpec, Param
from llmspell.values import check_json_value

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


def _options(what: str, options: dict[str, Any] | None, known: tuple[str, ...]) -> dict[str, Any]:
    """Option keys in snake_case or camelCase (``queue_size`` / ``queueSize``); an unknown
    key is a ValidationError naming the known ones."""
    out: dict[str, Any] = {}
    for key, value in (options or {}).items():
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", str(key)).lower()
        if snake not in known:
            raise ValidationError(f"{what}: unknown option {key!r} (known: {', '.join(known)})")
        out[snake] = value
    return out


EVENT = GlobalSpec(
    "Event",
    aliases={"listSubscriptions": "list_subscriptions", "getStats": "get_stats"},
    doc="The in-process event bus.",
)


@EVENT.function(
    "publish",
    Param("event_type", "string"),
    Param("data", optional=True),
    Param("options", "object", optional=True),
    mode="async",
)
async def publish(
    ctx: CallContext, event_type: str, data: Any, options: dict[str, Any] | None
) -> bool:
    """Publish ``data`` as an event of ``event_type`` (options: ``correlation_id``).
    False when an EventPublished hook skipped or cancelled it."""
    if not event_type.strip():
        raise ValidationError("Event.publish: the event type must not be empty")
    check_json_value(data, "Event.publish")
    cid = _options("Event.publish", options, ("correlation_id",)).get("correlation_id")
    if cid is not None and not isinstance(cid, str | int):
        raise ValidationError("Event.publish: correlation_id must be a string")
    cid = cid or ctx.run_id
    if ctx.runtime.hooks.has("EventPublished"):
        info = {"event_type": event_type, "data": data}
        outcome = await fire(ctx, "EventPublished", info, component_id="events")
        if outcome.action in ("skip", "cancel"):
            return False
        if outcome.action == "modified":
            data = outcome.data.get("data", data)
    ctx.runtime.events.publish(event_type, data, str(cid))
    return True


@EVENT.function("subscribe", Param("pattern", "string"), Param("options", "object", optional=True))
def subscribe(ctx: CallContext, pattern: str, options: dict[str, Any] | None) -> str:
    """Subscribe to events matching ``pattern`` (``agent.*``, ``*``); returns its id.
    Options: ``queue_size``. Subscriptions end with the run."""
    size = _options("Event.subscribe", options, ("queue_size",)).get("queue_size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 1):
        raise ValidationError("Event.subscribe: queue_size must be an integer >= 1")
    sub = ctx.runtime.events.subscribe(pattern, queue_size=size, owner=ctx)
    ctx.cleanups.append(lambda: ctx.runtime.events.unsubscribe(sub.id))
    return sub.id


@EVENT.function(
    "receive",
    Param("subscription_id", "string"),
    Param("timeout_ms", "number", optional=True, default=5000),
    mode="async",
)
async def receive(ctx: CallContext, subscription_id: str, timeout_ms: float) -> Any:
    """The next event ``{event_type, data, timestamp, sequence, correlation_id}``, or
    nil when none arrives within ``timeout_ms`` (default 5000; 0 = do not wait)."""
    if timeout_ms < 0:
        raise ValidationError("Event.receive: timeout_ms must be >= 0")
    event = await ctx.runtime.events.receive(subscription_id, timeout_ms / 1000)
    return None if event is None else event.as_dict()


@EVENT.function("unsubscribe", Param("subscription_id", "string"))
def unsubscribe(ctx: CallContext, subscription_id: str) -> bool:
    """End a subscription; true if it existed."""
    return ctx.runtime.events.unsubscribe(subscription_id)


@EVENT.function("list_subscriptions")
def list_subscriptions(ctx: CallContext) -> list[dict[str, Any]]:
    """``{{id, pattern, queued, received, dropped}}`` of this run's subscriptions."""
    return [s.info() for s in ctx.runtime.events.subscriptions(owner=ctx)]


@EVENT.function("get_stats")
def get_stats(ctx: CallContext) -> dict[str, Any]:
    """Bus counts: published, delivered, dropped, subscriptions, listeners, queue_size,
    overflow."""
    return ctx.runtime.events.stats()
