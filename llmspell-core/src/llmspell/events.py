"""The in-process event bus (script-api.md#event-and-hook, DESIGN.md §6).

Events are ``{event_type, data, timestamp, sequence, correlation_id}``. A subscription
has a pattern (``agent.*``, ``workflow.step.*``, ``*``, or an exact type) and a bounded
queue. When a queue is full the overflow policy of ``[events] overflow`` applies:
``drop_oldest`` (the default: a slow reader sees the newest events) or ``drop_newest``.
Dropped events are counted per subscription and in :meth:`EventBus.stats`.

:meth:`EventBus.publish` is synchronous and thread-safe (tool handlers running in worker
threads may publish); :meth:`EventBus.receive` waits on the loop with a timeout. Python
code can also listen with a callback (:meth:`EventBus.add_listener`).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from llmspell.errors import ValidationError
from llmspell.sizing import approx_bytes

__all__ = ["Event", "EventBus", "Subscription", "matcher"]


@dataclass
class Event:
    """One published event."""

    event_type: str
    data: Any
    #: when it was published (``time.time()``); ``timestamp`` is its ISO 8601 form
    created: float
    sequence: int
    correlation_id: str | None = None
    #: approximate bytes of ``data`` (what it costs a queue to hold the event)
    size: int = 0

    @property
    def timestamp(self) -> str:
        """When it was published: ISO 8601 UTC with milliseconds (formatted when read:
        most events are never read by a spell, and formatting costs more than the rest
        of publishing)."""
        return _iso(self.created)

    def as_dict(self) -> dict[str, Any]:
        """The event as plain data (what ``Event.receive`` returns)."""
        return {
            "event_type": self.event_type,
            "data": self.data,
            "timestamp": self.timestamp,
            "sequence": self.sequence,
            "correlation_id": self.correlation_id,
        }


def matcher(pattern: str) -> Callable[[str], bool]:
    """A predicate for ``pattern``: ``*`` matches anything (dots included), ``agent.*``
    matches ``agent.started`` and ``agent.x.y``; ``?`` and ``[...]`` as in fnmatch."""
    if pattern == "*":
        return lambda t: True
    if not any(c in pattern for c in "*?["):
        return lambda t: t == pattern
    if pattern.endswith(".*") and not any(c in pattern[:-2] for c in "*?["):
        prefix = pattern[:-1]
        return lambda t: t.startswith(prefix)
    return lambda t: fnmatchcase(t, pattern)


@dataclass
class Subscription:
    """A pattern and the queue of events that matched it."""

    id: str
    pattern: str
    capacity: int
    overflow: str
    owner: Any = None
    #: the most bytes of event data the queue holds (the overflow policy applies past it)
    max_bytes: int = 16 * 1024 * 1024
    queued_bytes: int = 0
    matches: Callable[[str], bool] = field(default=lambda t: False, repr=False)
    queue: deque[Event] = field(default_factory=deque)
    received: int = 0
    dropped: int = 0
    _waiter: asyncio.Future[None] | None = field(default=None, repr=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)

    def info(self) -> dict[str, Any]:
        """``{id, pattern, queued, received, dropped}``."""
        return {
            "id": self.id,
            "pattern": self.pattern,
            "queued": len(self.queue),
            "queued_bytes": self.queued_bytes,
            "received": self.received,
            "dropped": self.dropped,
        }


class EventBus:
    """Publish/subscribe inside one runtime."""

    def __init__(
        self,
        *,
        queue_size: int = 1000,
        overflow: str = "drop_oldest",
        queue_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.queue_size = queue_size
        self.queue_bytes = queue_bytes
        self.overflow = overflow
        self._subs: dict[str, Subscription] = {}
        self._listeners: dict[int, tuple[Callable[[str], bool], Callable[[Event], Any]]] = {}
        self._sequence = itertools.count(1)
        self._sub_ids = itertools.count(1)
        self._lock = threading.Lock()
        self.published = 0
        self.delivered = 0
        self.dropped = 0
        self.listener_errors = 0

    # -- subscribing ----------------------------------------------------------------

    def subscribe(
        self, pattern: str, *, queue_size: int | None = None, owner: Any = None
    ) -> Subscription:
        """A new subscription to events whose type matches ``pattern``."""
        if not isinstance(pattern, str) or not pattern:
            raise ValidationError("an event pattern must be a non-empty string, e.g. 'agent.*'")
        capacity = queue_size or self.queue_size
        sub = Subscription(
            f"sub-{next(self._sub_ids)}",
            pattern,
            capacity,
            self.overflow,
            owner,
            self.queue_bytes,
            matches=matcher(pattern),
        )
        with self._lock:
            self._subs[sub.id] = sub
        return sub

    def unsubscribe(self, sub_id: str) -> bool:
        """Remove a subscription (a pending ``receive`` on it returns nothing)."""
        with self._lock:
            sub = self._subs.pop(sub_id, None)
        if sub is None:
            return False
        self._wake(sub)
        return True

    def subscriptions(self, owner: Any = None) -> list[Subscription]:
        """The subscriptions (of ``owner`` when given)."""
        return [s for s in self._subs.values() if owner is None or s.owner is owner]

    def add_listener(self, pattern: str, fn: Callable[[Event], Any]) -> int:
        """Call ``fn(event)`` for every matching event, synchronously in the publisher
        (Python plugins; keep it quick). Returns an id for :meth:`remove_listener`."""
        listener_id = next(self._sub_ids)
        self._listeners[listener_id] = (matcher(pattern), fn)
        return listener_id

    def remove_listener(self, listener_id: int) -> bool:
        """Stop a listener; True if it existed."""
        return self._listeners.pop(listener_id, None) is not None

    # -- publishing -------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """True when anyone would see an event (publishers may skip building data)."""
        return bool(self._subs or self._listeners)

    def publish(
        self, event_type: str, data: Any = None, correlation_id: str | None = None
    ) -> Event:
        """Publish an event to every matching subscription and listener."""
        event = Event(event_type, data, time.time(), next(self._sequence), correlation_id)
        self.published += 1
        if self._subs:
            event.size = approx_bytes(data, self.queue_bytes)
            with self._lock:
                targets = [s for s in self._subs.values() if s.matches(event_type)]
                for sub in targets:
                    self._enqueue(sub, event)
            for sub in targets:
                if sub._waiter is not None:
                    self._wake(sub)
        for matches, fn in list(self._listeners.values()):
            if matches(event_type):
                try:
                    fn(event)
                except Exception:
                    self.listener_errors += 1
        return event

    @property
    def has_listeners(self) -> bool:
        """True when a Python listener is attached."""
        return bool(self._listeners)

    def notify(self, event_type: str, data: Any = None, correlation_id: str | None = None) -> None:
        """Call the Python listeners only — no subscription sees it, and it is neither
        numbered nor counted as published: the runtime's lifecycle notifications
        (``run.started`` ...) for observers, which leave what a spell sees unchanged."""
        event = Event(event_type, data, time.time(), 0, correlation_id)
        for matches, fn in list(self._listeners.values()):
            if matches(event_type):
                try:
                    fn(event)
                except Exception:
                    self.listener_errors += 1

    def _enqueue(self, sub: Subscription, event: Event) -> None:
        queue = sub.queue
        if event.size > sub.max_bytes:  # could never fit: dropped whatever the policy
            sub.dropped += 1
            self.dropped += 1
            return
        while queue and (
            len(queue) >= sub.capacity or sub.queued_bytes + event.size > sub.max_bytes
        ):
            sub.dropped += 1
            self.dropped += 1
            if sub.overflow == "drop_newest":
                return
            sub.queued_bytes -= queue.popleft().size
        queue.append(event)
        sub.queued_bytes += event.size

    def _wake(self, sub: Subscription) -> None:
        waiter, loop = sub._waiter, sub._loop
        if waiter is None or loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            if not waiter.done():
                waiter.set_result(None)
        else:
            loop.call_soon_threadsafe(_settle, waiter)

    # -- receiving ----------------------------------------------------------------------

    def poll(self, sub_id: str) -> Event | None:
        """The next queued event of a subscription, or None at once."""
        sub = self._get(sub_id)
        with self._lock:
            if not sub.queue:
                return None
            event = sub.queue.popleft()
            sub.queued_bytes -= event.size
        sub.received += 1
        self.delivered += 1
        return event

    async def receive(self, sub_id: str, timeout_s: float | None = 5.0) -> Event | None:
        """The next event of a subscription, waiting up to ``timeout_s`` (None: forever);
        None when none arrived in time or the subscription was removed."""
        event = self.poll(sub_id)
        if event is not None or (timeout_s is not None and timeout_s <= 0):
            return event
        sub = self._subs[sub_id]
        loop = asyncio.get_running_loop()
        deadline = None if timeout_s is None else loop.time() + timeout_s
        while True:
            sub._waiter, sub._loop = loop.create_future(), loop
            try:
                left = None if deadline is None else max(deadline - loop.time(), 0)
                await asyncio.wait_for(asyncio.shield(sub._waiter), left)
            except TimeoutError:
                return self.poll(sub_id) if sub_id in self._subs else None
            finally:
                sub._waiter = None
            if sub_id not in self._subs:
                return None
            event = self.poll(sub_id)
            if event is not None:
                return event

    def _get(self, sub_id: str) -> Subscription:
        sub = self._subs.get(sub_id)
        if sub is None:
            raise ValidationError(
                f"no subscription {sub_id!r} (unsubscribed, or not made by Event.subscribe)"
            )
        return sub

    def stats(self) -> dict[str, Any]:
        """Counts: published, delivered, dropped, subscriptions, listeners."""
        return {
            "published": self.published,
            "delivered": self.delivered,
            "dropped": self.dropped,
            "subscriptions": len(self._subs),
            "listeners": len(self._listeners),
            "queue_size": self.queue_size,
            "queue_bytes": self.queue_bytes,
            "overflow": self.overflow,
        }


def _settle(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _iso(seconds: float) -> str:
    from datetime import UTC, datetime  # (imported on the first event read, not at start-up)

    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
