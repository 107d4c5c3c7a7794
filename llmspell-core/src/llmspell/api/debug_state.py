"""The per-run state behind ``Debug``: level, switch, module filters, captured entries
and timers. Everything a spell can grow here is bounded (entries, bytes, rules, timers)."""

from __future__ import annotations

import json
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from llmspell.config import LOG_LEVEL_NUMBERS as LOG_LEVELS
from llmspell.errors import LimitExceeded, ValidationError

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


__all__ = ["DebugState", "Rule", "Timer", "state_of"]

#: the most captured entries, bytes of captured text, filter rules and timers per run
MAX_ENTRIES = 1000
MAX_CAPTURED_BYTES = 1 << 20
MAX_RULES = 100
MAX_TIMERS = 10_000
MAX_EVENTS_PER_TIMER = 1000
PATTERN_TYPES = ("exact", "wildcard", "regex", "hierarchical")


class Timer:
    """A running timer (``Debug.timer(name)``); times are milliseconds."""

    def __init__(self, name: str, timer_id: str = "") -> None:
        self.name = name
        self.id = timer_id or name
        self.start = time.perf_counter()
        self.last_lap = self.start
        self.stopped: float | None = None
        self.laps: list[tuple[str, float]] = []
        self.events: list[dict[str, Any]] = []

    def elapsed_ms(self) -> float:
        """Milliseconds since start (until stop)."""
        end = self.stopped if self.stopped is not None else time.perf_counter()
        return (end - self.start) * 1000

    def lap(self, name: str | None = None) -> float:
        """Milliseconds since the previous lap (or the start); recorded as ``name``."""
        now = time.perf_counter()
        lap_ms = (now - self.last_lap) * 1000
        self.last_lap = now
        if len(self.laps) < MAX_EVENTS_PER_TIMER:
            self.laps.append((name or f"lap {len(self.laps) + 1}", lap_ms))
        return lap_ms

    def report(self) -> dict[str, Any]:
        """``{name, id, elapsed_ms, stopped, laps = {{name, ms}}, events}``."""
        return {
            "name": self.name,
            "id": self.id,
            "elapsed_ms": round(self.elapsed_ms(), 3),
            "stopped": self.stopped is not None,
            "laps": [{"name": n, "ms": round(ms, 3)} for n, ms in self.laps],
            "events": list(self.events),
        }


class Rule:
    """A module filter: modules matching ``pattern`` are shown (``enabled``) or hidden."""

    def __init__(
        self, pattern: str, pattern_type: str, enabled: bool, compiled: Any = None
    ) -> None:
        self.pattern = pattern
        self.pattern_type = pattern_type
        self.enabled = enabled
        self.compiled = compiled

    def matches(self, module: str) -> bool:
        """Whether ``module`` matches this rule."""
        if self.pattern_type == "exact":
            return module == self.pattern
        if self.pattern_type == "wildcard":
            import fnmatch

            return fnmatch.fnmatchcase(module, self.pattern)
        if self.pattern_type == "hierarchical":
            return module == self.pattern or module.startswith(self.pattern + ".")
        found: bool = self.compiled.search(module)
        return found

    def as_dict(self) -> dict[str, Any]:
        """``{pattern, pattern_type, enabled}``."""
        return {"pattern": self.pattern, "pattern_type": self.pattern_type, "enabled": self.enabled}


class DebugState:
    """What ``Debug`` keeps for one run."""

    def __init__(self, level: str) -> None:
        self.level = level
        self.enabled = True
        self.default_enabled = True
        self.rules: list[Rule] = []
        self._entries: deque[tuple[dict[str, Any], int]] = deque()
        self._bytes = 0
        self.timers: dict[str, Timer] = {}
        self._timer_count = 0

    # -- filters -------------------------------------------------------------------

    def passes(self, level: str, module: str | None) -> bool:
        """Whether a message at ``level`` from ``module`` is shown."""
        if not self.enabled or LOG_LEVELS.get(level, 20) < LOG_LEVELS[self.level]:
            return False
        if module is None or not self.rules:
            return module is None or self.default_enabled
        for rule in reversed(self.rules):  # the latest matching rule decides
            if rule.matches(module):
                return rule.enabled
        return self.default_enabled

    def add_rule(self, pattern: str, pattern_type: str, enabled: bool) -> None:
        """Add a module filter; ValidationError for an unknown type or a bad regex."""
        kind = pattern_type.lower()
        if kind not in PATTERN_TYPES:
            raise ValidationError(
                f"Debug filter: unknown pattern type {pattern_type!r} "
                f"(use {', '.join(PATTERN_TYPES)})"
            )
        if len(pattern) > 500:
            raise ValidationError("Debug filter: the pattern is longer than 500 characters")
        if len(self.rules) >= MAX_RULES:
            raise LimitExceeded(
                f"a run may hold at most {MAX_RULES} Debug filters",
                limit="debug_filters",
                hint="remove some with Debug.removeModuleFilter or clearModuleFilters",
            )
        compiled = None
        if kind == "regex":
            import re

            from llmspell.schema import _Pattern  # bounded matching (a time budget)

            try:
                compiled = _Pattern(pattern)
            except re.error as exc:
                raise ValidationError(f"Debug filter: invalid regex {pattern!r}: {exc}") from None
        self.rules.append(Rule(pattern, kind, enabled, compiled))

    def remove_rule(self, pattern: str) -> bool:
        """Remove the rules with ``pattern``; whether there was one."""
        kept = [r for r in self.rules if r.pattern != pattern]
        removed = len(kept) != len(self.rules)
        self.rules = kept
        return removed

    # -- captured entries ----------------------------------------------------------

    def capture(self, level: str, message: str, module: str | None, data: Any) -> None:
        """Keep a shown entry (the newest :data:`MAX_ENTRIES`, :data:`MAX_CAPTURED_BYTES`)."""
        entry: dict[str, Any] = {"timestamp": time.time(), "level": level, "message": message}
        if module is not None:
            entry["module"] = module
        if data is not None:
            entry["metadata"] = data
        size = len(message) + (len(json.dumps(data, default=str)) if data is not None else 0)
        if size > MAX_CAPTURED_BYTES:
            return  # too big to keep: shown, not captured
        self._entries.append((entry, size))
        self._bytes += size
        while len(self._entries) > MAX_ENTRIES or self._bytes > MAX_CAPTURED_BYTES:
            _, dropped = self._entries.popleft()
            self._bytes -= dropped

    def entries(self, limit: int | None) -> list[dict[str, Any]]:
        """The newest ``limit`` captured entries (all when None), oldest first."""
        items = [e for e, _ in self._entries]
        return items if limit is None else items[len(items) - limit :] if limit else []

    def clear_captured(self) -> None:
        """Forget the captured entries."""
        self._entries.clear()
        self._bytes = 0

    # -- timers --------------------------------------------------------------------

    def new_timer(self, name: str) -> Timer:
        """Start a timer with a fresh id (``name`` + a sequence number)."""
        if self._timer_count >= MAX_TIMERS:
            raise LimitExceeded(
                f"a run may start at most {MAX_TIMERS} Debug timers",
                limit="debug_timers",
                hint="reuse a timer (lap) instead of starting new ones",
            )
        self._timer_count += 1
        timer = Timer(name, f"{name}-{self._timer_count}")
        self.timers[timer.id] = timer
        return timer

    def record_event(self, timer_id: str, name: str, metadata: Any) -> bool:
        """Record an event on a timer; False for an unknown id."""
        timer = self.timers.get(timer_id)
        if timer is None:
            return False
        if len(timer.events) < MAX_EVENTS_PER_TIMER:
            event: dict[str, Any] = {"name": name, "at_ms": round(timer.elapsed_ms(), 3)}
            if metadata is not None:
                event["metadata"] = metadata
            timer.events.append(event)
        return True

    def json_report(self) -> dict[str, Any]:
        """``{timers = {...}, captured_entries, level, enabled}``."""
        return {
            "timers": [t.report() for t in self.timers.values()],
            "captured_entries": len(self._entries),
            "level": self.level,
            "enabled": self.enabled,
        }

    def text_report(self) -> str:
        """The timers as readable lines."""
        if not self.timers:
            return "Performance report: no timers"
        lines = ["Performance report:"]
        for t in self.timers.values():
            state = "" if t.stopped is not None else " (running)"
            lines.append(f"  {t.name}: {t.elapsed_ms():.3f} ms{state}")
            lines.extend(f"    lap {n}: {ms:.3f} ms" for n, ms in t.laps)
            lines.extend(f"    event {e['name']} at {e['at_ms']:.3f} ms" for e in t.events)
        return "\n".join(lines)


def _level_name(threshold: int) -> str:
    for name, value in LOG_LEVELS.items():
        if value == threshold and name != "warning":
            return name
    return "warn"


def state_of(ctx: CallContext) -> DebugState:
    """The run's :class:`DebugState` (made on first use, level from the runtime)."""
    state = ctx.data.get("debug")
    if not isinstance(state, DebugState):
        state = ctx.data["debug"] = DebugState(_level_name(ctx.runtime.log_threshold))
    return state
