"""The OpenTelemetry SDK set up for llmspell: a tracer provider and a meter provider
exporting to ``--trace FILE`` (spans as JSON lines) and/or ``[observability]
otlp_endpoint`` (OTLP over HTTP: ``/v1/traces``, ``/v1/metrics``). Imported only when
tracing is turned on; the SDK comes with ``pip install 'llmspell-core[otel]'``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmspell.extras import require

__all__ = ["build_providers"]

_INSTALL = {"dist": "llmspell-core", "extra": "otel"}


def build_providers(
    *, service_name: str, trace_file: str | Path | None, otlp_endpoint: str | None
) -> tuple[Any, Any]:
    """``(tracer_provider, meter_provider)``; the meter provider is None without an
    OTLP endpoint (the trace file holds spans only)."""
    what = "tracing (--trace or [observability] otlp_endpoint)"
    require("opentelemetry.sdk.trace", what=what, **_INSTALL)
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from llmspell import __version__

    resource = Resource.create(
        {"service.name": service_name, "service.version": __version__}
    )
    tracer_provider = TracerProvider(resource=resource)
    meter_provider = None
    if trace_file is not None:
        from llmspell.observability.jsonl import JsonLinesSpanExporter

        try:
            exporter = JsonLinesSpanExporter(trace_file)
        except OSError as exc:
            from llmspell.errors import ConfigurationError

            raise ConfigurationError(
                f"cannot write the trace file {str(trace_file)!r}: {exc.strerror or exc}",
                hint="give --trace a path in a directory you can write to",
            ) from None
        # spans are written by the processor's thread, in batches, and flushed at the
        # end of each run (so the file is complete when the run returns)
        tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
    if otlp_endpoint:
        require("opentelemetry.exporter.otlp.proto.http", what=what, **_INSTALL)
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

        base = otlp_endpoint.rstrip("/")
        tracer_provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces"))
        )
        reader = PeriodicExportingMetricReader(
            OTLPMetricExporter(endpoint=f"{base}/v1/metrics"), export_interval_millis=60_000
        )
        meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
    import atexit

    atexit.register(tracer_provider.shutdown)
    if meter_provider is not None:
        atexit.register(meter_provider.shutdown)
    return tracer_provider, meter_provider
