"""Fixtures for the observability tests: a runtime with a scripted provider (registered
like a provider plugin) and the Lua engine, and the OpenTelemetry SDK's in-memory
exporter and metric reader attached to it."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from llmspell import hookimpl
from llmspell.config import load_settings
from llmspell.llm import ChatProvider, ChatRequest, ChatResponse, ToolCall, Usage
from llmspell.runtime import Limits, Output, Runtime


class ScriptedProvider(ChatProvider):
    """Answers from a script: a ChatResponse, an exception, or a callable of the request."""

    script: list[Any] = []
    delay = 0.0

    async def chat(self, request: ChatRequest) -> ChatResponse:
        if ScriptedProvider.delay:
            await asyncio.sleep(ScriptedProvider.delay)
        reply = ScriptedProvider.script.pop(0) if ScriptedProvider.script else None
        if reply is None:
            text = request.messages[-1].content if request.messages else ""
            reply = ChatResponse(f"echo: {text}", usage=Usage(5, 2), model="m-2024",
                                 finish_reason="stop")  # fmt: skip
        if callable(reply):
            reply = reply(request)
        if isinstance(reply, Exception):
            raise reply
        return reply

    async def stream(self, request: ChatRequest) -> AsyncIterator[str | ChatResponse]:
        final = await self.chat(request)
        yield final.text
        yield final

    def cost_usd(self, model: str, usage: Usage) -> float | None:
        return 0.5 if model == "priced" else None


class ScriptedPlugin:
    @hookimpl
    def register_providers(self, register: Any) -> None:
        register(ScriptedProvider, name="fake", provider_type="fake")


def tool_call(name: str, call_id: str, **arguments: Any) -> ChatResponse:
    """A reply asking for one tool."""
    return ChatResponse(
        "", tool_calls=[ToolCall(call_id, name, arguments)], usage=Usage(3, 1), model="m-2024",
        finish_reason="tool_calls",
    )  # fmt: skip


def make_runtime(
    environ: dict[str, str] | None = None, overrides: dict[tuple[str, ...], Any] | None = None
) -> Runtime:
    env = {"LLMSPELL_STATE_BACKEND": "memory", **(environ or {})}
    settings = load_settings(
        environ=env,
        use_files=False,
        overrides={("default_provider",): "fake", **(overrides or {})},
    )
    runtime = Runtime(settings, autoload=True)
    runtime.loader.register(ScriptedPlugin(), name="fake-provider")
    runtime.refresh()
    return runtime


@pytest.fixture(autouse=True)
def _lua_engine(_isolated_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests run real spells: the workspace's Lua engine is loaded (and only it)."""
    monkeypatch.delenv("LLMSPELL_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.setenv("LLMSPELL_LOAD_PLUGINS", "lua,tools")


@pytest.fixture
def rt() -> Iterator[Runtime]:
    ScriptedProvider.script = []
    ScriptedProvider.delay = 0.0
    runtime = make_runtime()
    yield runtime
    runtime.close()


@dataclass
class Telemetry:
    spans: Any
    metrics: Any

    def finished(self) -> list[Any]:
        return list(self.spans.get_finished_spans())

    def by_name(self, name: str) -> Any:
        found = [s for s in self.finished() if s.name == name]
        assert len(found) == 1, [s.name for s in self.finished()]
        return found[0]

    def points(self, metric: str) -> list[Any]:
        data = self.metrics.get_metrics_data()
        out: list[Any] = []
        for rm in data.resource_metrics if data else []:
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    if m.name == metric:
                        out.extend(m.data.data_points)
        return out


def trace(runtime: Runtime) -> Telemetry:
    """Attach the SDK's in-memory exporter and metric reader to ``runtime``."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from llmspell.observability import attach

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    attach(runtime, tracer_provider=provider, meter_provider=MeterProvider([reader]))
    return Telemetry(exporter, reader)


def run(runtime: Runtime, source: str, name: str = "t.lua") -> tuple[Any, str]:
    out = io.StringIO()
    result = runtime.run_sync(
        source, chunk_name=name, output=Output(out, io.StringIO()), limits=Limits(10, 64)
    )
    return result.value, out.getvalue()
