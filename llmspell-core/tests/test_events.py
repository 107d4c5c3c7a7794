"""llmspell.events: patterns, bounded queues and their overflow policies, receive."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from llmspell.errors import ValidationError
from llmspell.events import EventBus, matcher


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.mark.parametrize(
    "pattern, yes, no",
    [
        ("*", ["a", "agent.started", "x.y.z"], []),
        ("agent.*", ["agent.started", "agent.x.y"], ["agent", "agents.x", "tool.started"]),
        ("tool.started", ["tool.started"], ["tool.started.x", "tool.startedx"]),
        ("workflow.*.completed", ["workflow.step.completed"], ["workflow.completed"]),
        ("tool.?ailed", ["tool.failed"], ["tool.completed"]),
    ],
)
def test_patterns(pattern: str, yes: list[str], no: list[str]) -> None:
    m = matcher(pattern)
    assert all(m(t) for t in yes)
    assert not any(m(t) for t in no)


def test_publish_and_receive_in_order() -> None:
    bus = EventBus()
    sub = bus.subscribe("order.*")
    other = bus.subscribe("invoice.*")
    bus.publish("order.created", {"id": 1}, "corr-1")
    bus.publish("invoice.sent", {"id": 2})
    bus.publish("order.paid", {"id": 1})

    async def go() -> list[Any]:
        return [await bus.receive(sub.id, 0.1) for _ in range(3)]

    first, second, third = run(go())
    assert first.event_type == "order.created" and first.correlation_id == "corr-1"
    assert second.event_type == "order.paid" and second.sequence == 3
    assert third is None
    assert first.as_dict()["timestamp"].endswith("+00:00")
    assert bus.poll(other.id).data == {"id": 2}  # type: ignore[union-attr]
    stats = bus.stats()
    assert stats["published"] == 3 and stats["delivered"] == 3 and stats["subscriptions"] == 2


def test_receive_waits_for_a_later_event() -> None:
    bus = EventBus()
    sub = bus.subscribe("*")

    async def go() -> Any:
        asyncio.get_running_loop().call_later(0.02, bus.publish, "late", 1)
        return await bus.receive(sub.id, 2.0)

    assert run(go()).event_type == "late"


def test_publish_from_another_thread_wakes_the_reader() -> None:
    bus = EventBus()
    sub = bus.subscribe("*")

    async def go() -> Any:
        threading.Timer(0.02, bus.publish, args=("from.thread", 1)).start()
        return await bus.receive(sub.id, 2.0)

    assert run(go()).event_type == "from.thread"


def test_unsubscribe_ends_a_waiting_receive() -> None:
    bus = EventBus()
    sub = bus.subscribe("*")

    async def go() -> Any:
        asyncio.get_running_loop().call_later(0.02, bus.unsubscribe, sub.id)
        return await bus.receive(sub.id, 2.0)

    assert run(go()) is None
    assert bus.unsubscribe(sub.id) is False
    with pytest.raises(ValidationError, match="no subscription"):
        bus.poll(sub.id)


def test_drop_oldest_keeps_the_newest() -> None:
    bus = EventBus(queue_size=3)
    sub = bus.subscribe("*")
    for i in range(5):
        bus.publish("n", i)
    got = [bus.poll(sub.id).data for _ in range(3)]  # type: ignore[union-attr]
    assert got == [2, 3, 4]
    assert sub.dropped == 2 and bus.stats()["dropped"] == 2


def test_drop_newest_keeps_the_oldest_and_per_subscription_size() -> None:
    bus = EventBus(queue_size=10, overflow="drop_newest")
    sub = bus.subscribe("*", queue_size=2)
    for i in range(4):
        bus.publish("n", i)
    assert [bus.poll(sub.id).data for _ in range(2)] == [0, 1]  # type: ignore[union-attr]
    assert bus.poll(sub.id) is None
    assert sub.info()["dropped"] == 2


def test_listeners_and_their_errors() -> None:
    bus = EventBus()
    seen: list[str] = []
    lid = bus.add_listener("a.*", lambda e: seen.append(e.event_type))
    bus.add_listener("*", lambda e: 1 / 0)
    assert bus.active
    bus.publish("a.b")
    bus.publish("c")
    assert seen == ["a.b"] and bus.listener_errors == 2
    assert bus.remove_listener(lid) is True


def test_empty_pattern_rejected() -> None:
    with pytest.raises(ValidationError, match="non-empty"):
        EventBus().subscribe("")
