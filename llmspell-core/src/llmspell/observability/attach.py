"""Turning observability on for a runtime: the run log (on by default) and tracing
(``--trace FILE``, ``[observability] otlp_endpoint``, or providers a Python caller
passes). Cheap when both are off: no listener, no import of OpenTelemetry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmspell.config import llmspell_home
from llmspell.observability.frames import HANDLED, Observer

__all__ = ["attach", "logs_path", "logs_switched_off", "set_logs_switch"]

#: the file ``llmspell logs off`` creates in LLMSPELL_HOME
OFF_FILE = "logs-off"


def logs_switched_off(home: Path | None = None) -> bool:
    """True after ``llmspell logs off`` (until ``llmspell logs on``)."""
    return ((home or llmspell_home()) / OFF_FILE).exists()


def set_logs_switch(on: bool, home: Path | None = None) -> None:
    """``llmspell logs on|off``: record runs or not (for every configuration)."""
    flag = (home or llmspell_home()) / OFF_FILE
    if on:
        flag.unlink(missing_ok=True)
    else:
        flag.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        flag.write_text("llmspell logs on: record runs again\n", encoding="utf-8")


def logs_path(settings: Any) -> Path:
    """The run log's SQLite file: ``[logs] path`` or LLMSPELL_HOME/logs.db (on
    PostgreSQL the log is in the ``[storage] url`` database instead:
    :func:`llmspell.observability.store.log_location`)."""
    configured = settings.logs.path
    return Path(configured).expanduser() if configured else llmspell_home() / "logs.db"


def attach(
    runtime: Any,
    *,
    trace_file: str | Path | None = None,
    tracer_provider: Any = None,
    meter_provider: Any = None,
) -> Observer | None:
    """Observe ``runtime``'s runs: the run log when ``[logs] enabled`` (and not switched
    off), spans and metrics when a trace file, an OTLP endpoint or a tracer provider is
    given. Idempotent; a later call may add tracing. Returns the observer (None when
    nothing is on)."""
    observer: Observer | None = getattr(runtime, "observability", None)
    settings = runtime.settings
    if observer is None:
        observer = Observer()
        if settings.logs.enabled and not logs_switched_off():
            from llmspell.observability.runlog import RunLog
            from llmspell.observability.store import open_log_store

            cfg = settings.logs
            observer.sinks.append(
                RunLog(
                    open_log_store(settings),
                    content=cfg.content,
                    keep_days=cfg.keep_days,
                    max_content_bytes=cfg.max_content_bytes,
                )
            )
    endpoint = settings.observability.otlp_endpoint
    wants_trace = trace_file is not None or endpoint or tracer_provider is not None
    if wants_trace and tracer(observer) is None:
        if tracer_provider is None:
            from llmspell.observability.sdk import build_providers

            tracer_provider, built_meters = build_providers(
                service_name=settings.observability.service_name,
                trace_file=trace_file,
                otlp_endpoint=endpoint,
            )
            meter_provider = meter_provider or built_meters
        from llmspell.observability import propagation
        from llmspell.observability.tracing import Tracer

        observer.sinks.append(
            Tracer(tracer_provider, meter_provider, content=settings.observability.content)
        )
        propagation.enable()
    runtime.observability = observer
    if observer.sinks and observer.listener_id is None:
        events = runtime.events

        def listen(event: Any) -> None:
            if event.event_type in HANDLED:
                observer.on_event(event)

        observer.listener_id = events.add_listener("*", listen)
    return observer if observer.sinks else None


def tracer(observer: Observer | None) -> Any:
    """The observer's tracer sink, if tracing is on."""
    for sink in observer.sinks if observer is not None else ():
        if type(sink).__name__ == "Tracer":
            return sink
    return None
