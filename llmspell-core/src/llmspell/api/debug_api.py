"""``Debug``: leveled logging to stderr, timers and ``dump``.

rs-llmspell's controls are here too (camelCase names in both languages, as rs-llmspell
spells write them): a per-run level and on/off switch, module filters, the captured
entries of the run (bounded: the newest 1000, at most 1 MiB), timers with ids,
reports and the dump variants. See docs/coming-from-rs-llmspell.md.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from llmspell.api.debug_state import Timer, state_of
from llmspell.config import LOG_LEVEL_NUMBERS as LOG_LEVELS
from llmspell.errors import ValidationError
from llmspell.ops import GlobalSpec, ObjectType, Param, camel, method
from llmspell.values import dump_value

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


__all__ = ["DEBUG", "TIMER", "Timer"]

TIMER = ObjectType("Timer", Timer, fields=lambda t: {"name": t.name, "id": t.id})
DEBUG = GlobalSpec(
    "Debug",
    object_types=[TIMER],
    doc="Logging to stderr, timers, dump.",
)


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
        _emit(ctx, level, _text(message), module)


def _emit(ctx: CallContext, level: str, message: str, module: str | None, data: Any = None) -> None:
    """Log through the run's Debug state: filters, level, capture, then stderr."""
    state = state_of(ctx)
    if not state.passes(level, module):
        return
    state.capture(level, message, module, data)
    where = f" [{module}]" if module else ""
    extra = f" {json.dumps(data, default=str, sort_keys=True)}" if data is not None else ""
    ctx.output.write(f"[{level.upper()}]{where} {message}{extra}\n", "stderr")


def _checked_level(name: str, what: str) -> str:
    lowered = name.lower()
    if lowered == "warning":
        lowered = "warn"
    if lowered not in LOG_LEVELS:
        raise ValidationError(
            f"{what}: unknown level {name!r} (use trace, debug, info, warn, error or off)"
        )
    return lowered


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
    _emit(ctx, "warn" if lowered == "warning" else lowered, _text(message), module)


@DEBUG.function(
    "log_with_data",
    Param("level", "string"),
    Param("message"),
    Param("data", optional=True),
    Param("module", "string", optional=True),
)
def log_with_data(
    ctx: CallContext, level: str, message: Any, data: Any, module: str | None
) -> None:
    """Log at a named level with structured ``data`` (shown as JSON, kept as the
    captured entry's ``metadata``)."""
    lowered = _checked_level(level, "Debug.logWithData")
    if lowered == "off":
        raise ValidationError("Debug.logWithData: 'off' is not a level to log at")
    _emit(ctx, lowered, _text(message), module, data)


@DEBUG.function("set_level", Param("level", "string"))
def set_level(ctx: CallContext, level: str) -> bool:
    """Set this run's Debug level (trace, debug, info, warn, error, off); true."""
    state_of(ctx).level = _checked_level(level, "Debug.setLevel")
    return True


@DEBUG.function("get_level")
def get_level(ctx: CallContext) -> str:
    """This run's Debug level (initially ``--log-level`` / ``[runtime] log_level``)."""
    return state_of(ctx).level


@DEBUG.function("set_enabled", Param("enabled", "boolean"))
def set_enabled(ctx: CallContext, enabled: bool) -> None:
    """Turn Debug's logging on or off for this run."""
    state_of(ctx).enabled = enabled


@DEBUG.function("is_enabled")
def is_enabled(ctx: CallContext) -> bool:
    """Whether Debug's logging is on."""
    return state_of(ctx).enabled


@DEBUG.function("add_module_filter", Param("pattern", "string"), Param("enabled", "boolean"))
def add_module_filter(ctx: CallContext, pattern: str, enabled: bool) -> None:
    """Show (``enabled``) or hide the modules matching ``pattern`` (``*`` wildcards;
    ``a.b`` also covers ``a.b.c``)."""
    state_of(ctx).add_rule(pattern, "wildcard" if "*" in pattern else "hierarchical", enabled)


@DEBUG.function(
    "add_advanced_filter",
    Param("pattern", "string"),
    Param("pattern_type", "string"),
    Param("enabled", "boolean"),
)
def add_advanced_filter(ctx: CallContext, pattern: str, pattern_type: str, enabled: bool) -> bool:
    """A module filter of a given kind: exact, wildcard, regex or hierarchical; true."""
    state_of(ctx).add_rule(pattern, pattern_type, enabled)
    return True


@DEBUG.function("remove_module_filter", Param("pattern", "string"))
def remove_module_filter(ctx: CallContext, pattern: str) -> bool:
    """Remove the filters with this pattern; true when there was one."""
    return state_of(ctx).remove_rule(pattern)


@DEBUG.function("clear_module_filters")
def clear_module_filters(ctx: CallContext) -> None:
    """Remove every module filter."""
    state_of(ctx).rules.clear()


@DEBUG.function("set_default_filter_enabled", Param("enabled", "boolean"))
def set_default_filter_enabled(ctx: CallContext, enabled: bool) -> None:
    """Whether a module no filter matches is shown (true at first)."""
    state_of(ctx).default_enabled = enabled


@DEBUG.function("get_filter_summary")
def get_filter_summary(ctx: CallContext) -> dict[str, Any]:
    """``{default_enabled, total_rules, rules = {{pattern, pattern_type, enabled}}}``."""
    state = state_of(ctx)
    return {
        "default_enabled": state.default_enabled,
        "total_rules": len(state.rules),
        "rules": [r.as_dict() for r in state.rules],
    }


@DEBUG.function("get_captured_entries", Param("limit", "integer", optional=True))
def get_captured_entries(ctx: CallContext, limit: int | None) -> list[dict[str, Any]]:
    """The newest ``limit`` (default all) log entries of this run that passed the
    filters: ``{timestamp, level, message, module?, metadata?}``, oldest first."""
    if limit is not None and limit < 0:
        raise ValidationError("Debug.getCapturedEntries: limit must be 0 or more")
    return state_of(ctx).entries(limit)


@DEBUG.function("clear_captured")
def clear_captured(ctx: CallContext) -> None:
    """Forget the captured entries."""
    state_of(ctx).clear_captured()


@DEBUG.function("timer", Param("name", "string", optional=True, default="timer"))
def timer(ctx: CallContext, name: str) -> Timer:
    """Start a timer; returns an object with ``stop()``, ``lap()``, ``elapsed()`` (ms)
    and an ``id``."""
    return state_of(ctx).new_timer(name)


@DEBUG.function(
    "record_event",
    Param("timer_id", "string"),
    Param("event_name", "string"),
    Param("metadata", optional=True),
)
def record_event(ctx: CallContext, timer_id: str, event_name: str, metadata: Any) -> bool:
    """Record a named event on the timer with this id; false for an unknown id."""
    return state_of(ctx).record_event(timer_id, event_name, metadata)


@DEBUG.function("performance_report")
def performance_report(ctx: CallContext) -> str:
    """A text report of this run's timers (total, laps, events)."""
    return state_of(ctx).text_report()


@DEBUG.function("json_report")
def json_report(ctx: CallContext) -> str:
    """The timers and captured-entry counts of this run as a JSON string."""
    return json.dumps(state_of(ctx).json_report(), sort_keys=True)


@method(TIMER, "stop")
def timer_stop(ctx: CallContext, t: Timer) -> float:
    """Stop the timer; returns the total elapsed milliseconds."""
    if t.stopped is None:
        t.stopped = time.perf_counter()
    return t.elapsed_ms()


@method(TIMER, "lap", Param("name", "string", optional=True))
def timer_lap(ctx: CallContext, t: Timer, name: str | None) -> float:
    """Milliseconds since the previous lap (or the start); a ``name`` labels it in the
    reports."""
    return t.lap(name)


@method(TIMER, "elapsed")
def timer_elapsed(ctx: CallContext, t: Timer) -> float:
    """Milliseconds since the start (frozen once stopped)."""
    return t.elapsed_ms()


@DEBUG.function("dump", Param("value", optional=True), Param("label", "string", optional=True))
def dump(ctx: CallContext, value: Any, label: str | None) -> str:
    """A readable rendering of any value (keys sorted), after ``label: `` if given."""
    return _labelled(dump_value(value), label)


@DEBUG.function(
    "dump_verbose", Param("value", optional=True), Param("label", "string", optional=True)
)
def dump_verbose(ctx: CallContext, value: Any, label: str | None) -> str:
    """The same as ``dump`` (it already shows every level)."""
    return _labelled(dump_value(value), label)


@DEBUG.function(
    "dump_compact", Param("value", optional=True), Param("label", "string", optional=True)
)
def dump_compact(ctx: CallContext, value: Any, label: str | None) -> str:
    """A one-line rendering of any value (keys sorted)."""
    return _labelled(_compact(value, {}), label)


@DEBUG.function(
    "dump_with_options",
    Param("value", optional=True),
    Param("options", "object", optional=True),
    Param("label", "string", optional=True),
)
def dump_with_options(
    ctx: CallContext, value: Any, options: dict[str, Any] | None, label: str | None
) -> str:
    """A rendering with rs-llmspell's options: ``max_depth``, ``max_string_length``,
    ``max_array_elements``, ``max_table_pairs``, ``compact_mode`` (others accepted)."""
    opts = dict(options or {})
    for key in ("max_depth", "max_string_length", "max_array_elements", "max_table_pairs"):
        if key in opts and (
            isinstance(opts[key], bool) or not isinstance(opts[key], int) or opts[key] < 0
        ):
            raise ValidationError(f"Debug.dumpWithOptions: {key} must be an integer >= 0")
    if opts.get("compact_mode"):
        return _labelled(_compact(value, opts), label)
    return _labelled(dump_value(_trimmed(value, opts, 0)), label)


def _labelled(text: str, label: str | None) -> str:
    return f"{label}: {text}" if label else text


def _trimmed(value: Any, opts: dict[str, Any], depth: int) -> Any:
    """``value`` cut down to the dump options (``...`` marks what was left out)."""
    if isinstance(value, str):
        limit = opts.get("max_string_length", 200)
        return value if len(value) <= limit else value[:limit] + "..."
    if isinstance(value, dict | list):
        if depth >= opts.get("max_depth", 10):
            return "{...}" if isinstance(value, dict) else "[...]"
        if isinstance(value, list):
            limit = opts.get("max_array_elements", 50)
            items = [_trimmed(v, opts, depth + 1) for v in value[:limit]]
            return [*items, "..."] if len(value) > limit else items
        limit = opts.get("max_table_pairs", 50)
        pairs = sorted(value.items(), key=lambda kv: str(kv[0]))
        out = {k: _trimmed(v, opts, depth + 1) for k, v in pairs[:limit]}
        if len(pairs) > limit:
            out["..."] = f"{len(pairs) - limit} more"
        return out
    return value


def _compact(value: Any, opts: dict[str, Any]) -> str:
    trimmed = _trimmed(value, opts, 0)
    return " ".join(dump_value(trimmed).split())


# rs-llmspell's Lua spells write these in camelCase: the same names in both languages
DEBUG.aliases.update({camel(name): name for name in DEBUG.functions if "_" in name})
