"""Spans and metrics from frames, through the OpenTelemetry API.

Span names and attributes follow the OpenTelemetry GenAI semantic conventions: an agent
call is ``chat {model}`` (kind CLIENT) with ``gen_ai.operation.name``,
``gen_ai.provider.name``, ``gen_ai.request.model``, ``gen_ai.response.model``,
``gen_ai.usage.input_tokens``/``output_tokens`` and ``gen_ai.response.finish_reasons``;
a tool call is ``execute_tool {name}`` with ``gen_ai.tool.name`` and
``gen_ai.tool.call.id``. Runs, workflows and steps are ``run {spell}``, ``workflow
{name}`` and ``step {name}`` with ``llmspell.*`` attributes. Failures set the span's
status and add an ``llmspell.error`` event with the llmspell error kind; provider
retries add ``llmspell.retry`` events. Prompts, answers and tool arguments are
recorded only with ``[observability] content = true``.

An interactive session (``llmspell repl``, the Jupyter kernel) has no span of its own:
each entry is the root of a trace of its own, ``repl entry`` or ``kernel entry``, with
``llmspell.run.id`` (the session's run-log id, the same for all its entries) and
``llmspell.entry.index`` — a trace a collector shows as soon as the entry ends, not when
the session does.

A run continues a caller's trace: ``TRACEPARENT`` in the environment (the W3C value, as
the OpenTelemetry environment-carrier convention names it; ``llmspell serve`` sets it
for a run submitted with a ``traceparent`` header) becomes the remote parent of every
run span.
"""

from __future__ import annotations

import json
import os
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from llmspell.observability.frames import Frame
from llmspell.observability.propagation import valid_traceparent
from llmspell.observability.scrub import Scrubber

__all__ = ["MAX_CONTENT_CHARS", "Tracer", "remote_parent"]

#: the longest prompt, answer or argument text put on a span (content opted in)
MAX_CONTENT_CHARS = 16 * 1024
_SCOPE = "llmspell"
#: masks secrets in what goes on spans (content, error messages): made by the Tracer
_scrub = Scrubber({})


#: how long the export of the last spans may take when the process is ending
EXIT_FLUSH_MILLIS = 500


class Tracer:
    """A sink that turns frames into spans and metric points."""

    #: the watchdog is ending the process: export before the run log writes
    exit_first = True

    def __init__(
        self, tracer_provider: Any, meter_provider: Any = None, *, content: bool = False
    ) -> None:
        from llmspell import __version__

        global _scrub
        _scrub = Scrubber()
        self.tracer = tracer_provider.get_tracer(_SCOPE, __version__)
        self.content = content
        self.tracer_provider = tracer_provider
        self.meter_provider = meter_provider
        #: set when the process is ending: flushes wait at most EXIT_FLUSH_MILLIS
        self.exiting = False
        #: the caller's span (TRACEPARENT), parent of run spans; None: a new trace
        self.remote_parent = remote_parent(os.environ.get("TRACEPARENT"))
        self._metrics = _Metrics(meter_provider.get_meter(_SCOPE, __version__)) if (
            meter_provider is not None
        ) else None

    # -- spans ------------------------------------------------------------------------

    def start(self, frame: Frame) -> None:
        """Start the frame's span, a child of the nearest enclosing span."""
        parent = frame.parent
        while parent is not None and parent.span is None:
            parent = parent.parent
        context = (
            trace.set_span_in_context(parent.span) if parent is not None else self.remote_parent
        )
        if frame.kind == "run" and frame.data.get("interactive"):
            return  # a session: its entries are traces of their own
        name, kind, attributes = _describe(frame, self.content)
        frame.span = self.tracer.start_span(
            name, context=context, kind=kind, attributes=attributes, start_time=frame.start_ns
        )

    def end(self, frame: Frame) -> None:
        """Finish the frame's span with what its end event said; record metrics."""
        span = frame.span
        if span is None:
            return
        for key, value in _end_attributes(frame, self.content).items():
            if value is not None:
                span.set_attribute(key, value)
        if frame.status == "error":
            kind = frame.error_kind or "Error"
            span.set_attribute("error.type", kind)
            span.add_event(
                "llmspell.error",
                {"llmspell.error.kind": kind, "llmspell.error.message": _secretless(frame.error)},
                timestamp=frame.end_ns,
            )
            span.set_status(Status(StatusCode.ERROR, f"{kind}: {_secretless(frame.error)}"))
        span.end(end_time=frame.end_ns)
        if self._metrics is not None:
            self._metrics.record(frame)
        if frame.kind in ("run", "entry"):
            self.flush()

    def note(self, frame: Frame | None, name: str, data: dict[str, Any]) -> None:
        """A provider retry: an ``llmspell.retry`` event on the agent call's span."""
        if frame is None or frame.span is None or name != "retry":
            return
        attributes = {
            "llmspell.retry.attempt": data.get("attempt"),
            "llmspell.retry.max_retries": data.get("max_retries"),
            "llmspell.retry.delay_s": data.get("delay_s"),
            "http.response.status_code": data.get("status"),
            "llmspell.error.message": _secretless(data.get("error")),
        }
        frame.span.add_event(
            "llmspell.retry", {k: v for k, v in attributes.items() if v is not None}
        )
        if self._metrics is not None:
            self._metrics.retries.add(1, {"gen_ai.provider.name": str(data.get("provider"))})

    def flush(self, timeout_millis: int = 30_000) -> None:
        """Export what is pending (the end of a run), waiting at most ``timeout_millis``
        for each provider."""
        if self.exiting:
            timeout_millis = min(timeout_millis, EXIT_FLUSH_MILLIS)
        for provider in (self.tracer_provider, self.meter_provider):
            flush = getattr(provider, "force_flush", None)
            if flush is not None:
                flush(timeout_millis)


def remote_parent(value: str | None) -> Any:
    """An OpenTelemetry context whose current span is the remote span ``value`` (a W3C
    ``traceparent``) names; None when there is none or it is malformed (ignored)."""
    if not valid_traceparent(value):
        return None
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    assert value is not None
    return TraceContextTextMapPropagator().extract({"traceparent": value.strip()})


def provider_and_model(model: str) -> tuple[str, str]:
    """``("openai", "gpt-4o")`` from ``"openai/gpt-4o"``."""
    provider, sep, name = model.partition("/")
    return (provider, name) if sep else ("", model)


def _describe(frame: Frame, content: bool) -> tuple[str, SpanKind, dict[str, Any]]:
    data = frame.data
    if frame.kind == "agent":
        provider, model = provider_and_model(str(data.get("model") or ""))
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider,
            "gen_ai.request.model": model,
            "gen_ai.agent.name": frame.name,
            "llmspell.agent.call_id": data.get("call_id"),
        }
        call = frame.call
        if content and call is not None and call.input is not None:
            attributes["gen_ai.input.messages"] = _messages("user", call.input)
        return f"chat {model}", SpanKind.CLIENT, _clean(attributes)
    if frame.kind == "tool":
        attributes = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": frame.name,
            "gen_ai.tool.call.id": frame.tool_call_id,
        }
        if content and frame.arguments is not None:
            attributes["gen_ai.tool.call.arguments"] = _cut(
                json.dumps(_scrub.data(frame.arguments), ensure_ascii=False, default=str)
            )
        return f"execute_tool {frame.name}", SpanKind.INTERNAL, _clean(attributes)
    if frame.kind == "run":
        attributes = {
            "llmspell.run.id": frame.key,
            "llmspell.spell": frame.name,
            "llmspell.engine": data.get("engine"),
        }
        return f"run {frame.name}", SpanKind.INTERNAL, _clean(attributes)
    if frame.kind == "entry":
        attributes = {
            "llmspell.run.id": data.get("run_id"),
            "llmspell.spell": frame.name,
            "llmspell.engine": data.get("engine"),
            "llmspell.entry.index": data.get("index"),
            "llmspell.entry.chunk": data.get("chunk"),
        }
        source = data.get("source")
        if content and isinstance(source, str):
            attributes["llmspell.entry.source"] = _cut(source)
        return f"{frame.name.strip('<>')} entry", SpanKind.INTERNAL, _clean(attributes)
    if frame.kind == "workflow":
        attributes = {
            "llmspell.workflow.name": frame.name,
            "llmspell.workflow.type": data.get("type"),
            "llmspell.workflow.execution_id": frame.correlation_id,
        }
        return f"workflow {frame.name}", SpanKind.INTERNAL, _clean(attributes)
    attributes = {
        "llmspell.workflow.name": data.get("workflow"),
        "llmspell.step.name": frame.name,
        "llmspell.step.iteration": data.get("iteration"),
    }
    return f"step {frame.name}", SpanKind.INTERNAL, _clean(attributes)


def _end_attributes(frame: Frame, content: bool) -> dict[str, Any]:
    data = frame.end_data
    if frame.kind == "agent":
        usage = data.get("usage") or {}
        out: dict[str, Any] = {
            "gen_ai.response.model": data.get("response_model"),
            "gen_ai.usage.input_tokens": usage.get("input_tokens"),
            "gen_ai.usage.output_tokens": usage.get("output_tokens"),
            "llmspell.cost_usd": data.get("cost_usd"),
        }
        reason = data.get("finish_reason")
        if reason:
            out["gen_ai.response.finish_reasons"] = [str(reason)]
        call = frame.call
        result = call.notes.get("result") if call is not None else None
        if content and isinstance(result, dict) and frame.status == "ok":
            out["gen_ai.output.messages"] = _messages(
                "assistant", str(result.get("text") or ""), str(reason or "stop")
            )
            calls = result.get("tool_calls") or []
            if calls:
                out["llmspell.tool_calls"] = _cut(json.dumps(_scrub.data(calls), default=str))
        return out
    if frame.kind == "tool":
        return {"llmspell.tool.success": frame.status == "ok"}
    if frame.kind in ("run", "entry", "workflow", "step"):
        usage = data.get("usage") or {}
        return {
            "llmspell.usage.input_tokens": usage.get("input_tokens"),
            "llmspell.usage.output_tokens": usage.get("output_tokens"),
        }
    return {}


def _messages(role: str, value: Any, finish: str | None = None) -> str:
    text = value if isinstance(value, str) else (
        value.get("text") if isinstance(value, dict) else str(value)
    )
    message: dict[str, Any] = {
        "role": role,
        "parts": [{"type": "text", "content": _cut(str(text or ""))}],
    }
    if finish is not None:
        message["finish_reason"] = finish
    return json.dumps([message], ensure_ascii=False)


def _cut(text: str) -> str:
    text = _secretless(text)
    return text if len(text) <= MAX_CONTENT_CHARS else text[: MAX_CONTENT_CHARS - 1] + "…"


def _secretless(text: Any) -> str:
    """``text`` with secrets masked (see llmspell.observability.scrub)."""
    return _scrub.text(str(text)) or "" if text is not None else ""


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if v is not None and v != ""}


class _Metrics:
    """The instruments: GenAI client metrics, tool and workflow durations, limit hits."""

    def __init__(self, meter: Any) -> None:
        buckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
                   40.96, 81.92]  # fmt: skip
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Number of input and output tokens used",
            explicit_bucket_boundaries_advisory=[
                1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
                16777216, 67108864,
            ],
        )  # fmt: skip
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration",
            explicit_bucket_boundaries_advisory=buckets,
        )
        self.tool_duration = meter.create_histogram(
            "llmspell.tool.duration", unit="s", description="Tool call duration"
        )
        self.workflow_duration = meter.create_histogram(
            "llmspell.workflow.duration", unit="s", description="Workflow duration"
        )
        self.run_duration = meter.create_histogram(
            "llmspell.run.duration", unit="s", description="Spell run duration"
        )
        self.limit_hits = meter.create_counter(
            "llmspell.limit.hits", unit="{hit}", description="Runs and calls a limit stopped"
        )
        self.retries = meter.create_counter(
            "llmspell.provider.retries", unit="{retry}", description="Provider requests retried"
        )

    def record(self, frame: Frame) -> None:
        seconds = (frame.end_ns - frame.start_ns) / 1e9
        error = {"error.type": frame.error_kind or "Error"} if frame.status == "error" else {}
        if frame.kind == "agent":
            provider, model = provider_and_model(str(frame.data.get("model") or ""))
            attrs: dict[str, Any] = {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": provider,
                "gen_ai.request.model": model,
            }
            response_model = frame.end_data.get("response_model")
            if response_model:
                attrs["gen_ai.response.model"] = response_model
            self.duration.record(seconds, {**attrs, **error})
            usage = frame.end_data.get("usage") or {}
            for kind in ("input", "output"):
                count = usage.get(f"{kind}_tokens")
                if isinstance(count, int):
                    self.tokens.record(count, {**attrs, "gen_ai.token.type": kind})
        elif frame.kind == "tool":
            self.tool_duration.record(seconds, {"gen_ai.tool.name": frame.name, **error})
        elif frame.kind == "workflow":
            attrs = {"llmspell.workflow.name": frame.name}
            self.workflow_duration.record(seconds, {**attrs, **error})
        elif frame.kind in ("run", "entry"):  # a session's entries are its runs
            self.run_duration.record(seconds, {"llmspell.spell": frame.name, **error})
        if frame.error_kind == "LimitExceeded":
            self.limit_hits.add(1, {"llmspell.operation": frame.kind})
