"""``llmspell run --trace FILE``: finished spans as JSON lines, one span per line.

Each line: ``name``, ``trace_id``, ``span_id``, ``parent_id`` (null for a root),
``kind``, ``start_time``/``end_time`` (ISO 8601 UTC) and ``start_time_unix_nano``/
``end_time_unix_nano``, ``duration_ms``, ``status`` (``{code, description}``),
``attributes``, ``events`` (``{name, time, attributes}``) and ``resource``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

__all__ = ["JsonLinesSpanExporter", "span_record"]


class JsonLinesSpanExporter(SpanExporter):
    """Appends each exported span to a file as one JSON object per line (the file is
    created or emptied when the exporter is made)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = self.path.open("w", encoding="utf-8")
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Write ``spans``, one line each."""
        lines = "".join(
            json.dumps(span_record(s), ensure_ascii=False, default=str) + "\n" for s in spans
        )
        with self._lock:
            if self._file is None:
                return SpanExportResult.FAILURE
            self._file.write(lines)
            self._file.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Close the file."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Lines are flushed as they are written."""
        return True


def span_record(span: ReadableSpan) -> dict[str, Any]:
    """One span as plain data (a line of the trace file)."""
    context = span.get_span_context()
    parent = span.parent
    start = span.start_time or 0
    end = span.end_time or start
    return {
        "name": span.name,
        "trace_id": f"{context.trace_id:032x}" if context else None,
        "span_id": f"{context.span_id:016x}" if context else None,
        "parent_id": f"{parent.span_id:016x}" if parent is not None else None,
        "kind": span.kind.name,
        "start_time": _iso(start),
        "end_time": _iso(end),
        "start_time_unix_nano": start,
        "end_time_unix_nano": end,
        "duration_ms": round((end - start) / 1e6, 3),
        "status": {"code": span.status.status_code.name, "description": span.status.description},
        "attributes": _plain(span.attributes),
        "events": [
            {"name": e.name, "time": _iso(e.timestamp), "attributes": _plain(e.attributes)}
            for e in span.events
        ],
        "resource": _plain(span.resource.attributes),
    }


def _iso(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat(timespec="microseconds")


def _plain(attributes: Any) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dict(attributes or {}).items()}
