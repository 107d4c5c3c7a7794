"""``Debug``: leveled logging to stderr, timers and ``dump``."""

from __future__ import annotations

import time
from typing import Any

from llmspell.api.values import dump_value
from llmspell.errors import ValidationError
from llmspell.ops import GlobalSpec, ObjectType, Param, method
from llmspell.runtime import LOG_LEVELS, CallContext


class Timer:
    """A running timer (``Debug.timer(name)``); times are milliseconds."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.start = time.perf_counter()
        self.last_lap = self.start
        self.stopped: float | None = None

    def elapsed_ms(self) -> float:
        """Milliseconds since start (until stop)."""
        end = self.stopped if self.stopped is not None else time.perf_counter()
        return (end - self.start) * 1000


TIMER = ObjectType("Timer", Timer, fields=lambda t: {"name": t.name})
DEBUG = GlobalSpec("Debug", object_types=[TIMER], doc="Logging to stderr, timers, dump.")


def _text(message: Any) -> str:
    return message if isinstance(message, str) else dump_value(message)


def _make_level(level: str) -> None:
    @DEBUG.function(
        level,
        Param("message"),
        Param("module", "string", optional=True),
        doc=f"Log ``message`` at level {level} (to stderr, filtered by --log-level).",
    )
    def log_at(ctx: CallContext, message: Any, module: str | None) -> None:
        ctx.log(level, _text(message), module)


for _level in ("trace", "debug", "info", "warn", "error"):
    _make_level(_level)


@DEBUG.function(
    "log", Param("level", "string"), Param("message"), Param("module", "string", optional=True)
)
def log(ctx: CallContext, level: str, message: Any, module: str | None) -> None:
    """Log at a named level (trace, debug, info, warn, error)."""
    lowered = level.lower()
    if lowered not in LOG_LEVELS or lowered == "off":
        raise ValidationError(
            f"Debug.log: unknown level {level!r} (use trace, debug, info, warn or error)"
        )
    ctx.log(lowered, _text(message), module)


@DEBUG.function("timer", Param("name", "string", optional=True, default="timer"))
def timer(ctx: CallContext, name: str) -> Timer:
    """Start a timer; returns an object with ``stop()``, ``lap()``, ``elapsed()`` (ms)."""
    return Timer(name)


@method(TIMER, "stop")
def timer_stop(ctx: CallContext, t: Timer) -> float:
    """Stop the timer; returns the total elapsed milliseconds."""
    if t.stopped is None:
        t.stopped = time.perf_counter()
    return t.elapsed_ms()


@method(TIMER, "lap")
def timer_lap(ctx: CallContext, t: Timer) -> float:
    """Milliseconds since the previous lap (or the start)."""
    now = time.perf_counter()
    lap_ms = (now - t.last_lap) * 1000
    t.last_lap = now
    return lap_ms


@method(TIMER, "elapsed")
def timer_elapsed(ctx: CallContext, t: Timer) -> float:
    """Milliseconds since the start (frozen once stopped)."""
    return t.elapsed_ms()


@DEBUG.function("dump", Param("value", optional=True))
def dump(ctx: CallContext, value: Any) -> str:
    """A readable rendering of any value (keys sorted)."""
    return dump_value(value)
