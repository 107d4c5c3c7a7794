"""W3C ``traceparent`` for outgoing HTTP requests (provider calls): the span of the
operation that makes the request becomes the remote parent. Nothing is added while
tracing is off (and nothing of OpenTelemetry is imported)."""

from __future__ import annotations

from llmspell.observability.frames import current_frame

__all__ = ["enable", "trace_headers"]

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
