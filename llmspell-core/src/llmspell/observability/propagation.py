"""W3C ``traceparent`` for outgoing HTTP requests (provider calls): the span of the
operation that makes the request becomes the remote parent. Nothing is added while
tracing is off (and nothing of OpenTelemetry is imported)."""

from __future__ import annotations

import re

from llmspell.observability.frames import current_frame

__all__ = ["enable", "trace_headers", "valid_traceparent"]

_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")


def valid_traceparent(value: str | None) -> bool:
    """Whether ``value`` is a W3C ``traceparent`` of version 00 with non-zero ids."""
    match = _TRACEPARENT.fullmatch((value or "").strip())
    if match is None:
        return False
    return set(match.group(1)) != {"0"} and set(match.group(2)) != {"0"}

_enabled = False


def enable() -> None:
    """Called when a tracer is attached: from now on requests carry ``traceparent``."""
    global _enabled
    _enabled = True


def trace_headers() -> dict[str, str]:
    """``{"traceparent": ...}`` for a request made inside an observed operation with a
    recording span (tracing on); ``{}`` otherwise."""
    if not _enabled:
        return {}
    frame = current_frame()
    while frame is not None and frame.span is None:
        frame = frame.parent
    if frame is None:
        return {}
    context = frame.span.get_span_context()
    if not context.is_valid:
        return {}
    flags = int(context.trace_flags) & 0xFF
    return {"traceparent": f"00-{context.trace_id:032x}-{context.span_id:016x}-{flags:02x}"}
