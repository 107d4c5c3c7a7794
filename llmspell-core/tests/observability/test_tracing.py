"""Spans and metrics from a real run (Lua engine, a scripted provider), checked with the
OpenTelemetry SDK's in-memory exporter and metric reader."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from llmspell.errors import LimitExceeded, ProviderError
from llmspell.llm import ChatResponse, Usage
from llmspell.runtime import Limits, Output, Runtime

from .conftest import ScriptedProvider, make_runtime, run, tool_call, trace


def _parent(span, spans):
    if span.parent is None:
        return None
    return next(s for s in spans if s.context.span_id == span.parent.span_id)


def test_an_agent_with_a_tool_nests_run_chat_and_execute_tool(rt: Runtime) -> None:
    t = trace(rt)
    ScriptedProvider.script = [
        tool_call("calculator", "call-7", input="6*7"),
        ChatResponse("42", usage=Usage(11, 3), model="m-2024-06", finish_reason="stop"),
    ]
    value, _ = run(
        rt,
        """
        local a = Agent.builder():name("calc"):model("fake/m"):tools({"calculator"}):build()
        return a:execute("what is 6*7?").text
        """,
    )
    assert value == "42"
    spans = t.finished()
    run_span = t.by_name("run t.lua")
    chat = t.by_name("chat m")
    tool = t.by_name("execute_tool calculator")
    assert {s.context.trace_id for s in spans} == {run_span.context.trace_id}
    assert _parent(chat, spans) is run_span and _parent(tool, spans) is chat
    assert run_span.parent is None
    assert chat.kind is SpanKind.CLIENT
    attrs = dict(chat.attributes)
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "fake"
    assert attrs["gen_ai.request.model"] == "m"
    assert attrs["gen_ai.response.model"] == "m-2024-06"
    assert attrs["gen_ai.usage.input_tokens"] == 14 and attrs["gen_ai.usage.output_tokens"] == 4
    assert list(attrs["gen_ai.response.finish_reasons"]) == ["stop"]
    assert attrs["gen_ai.agent.name"] == "calc"
    tattrs = dict(tool.attributes)
    assert tattrs["gen_ai.tool.name"] == "calculator"
    assert tattrs["gen_ai.tool.call.id"] == "call-7"
    assert tattrs["gen_ai.operation.name"] == "execute_tool"
    # content is off by default: no prompt, answer or argument anywhere
    for span in spans:
        # the run id is random hex: it may hold "42" by chance
        shown = {k: v for k, v in dict(span.attributes).items() if k != "llmspell.run.id"}
        dumped = json.dumps(shown, default=str)
        assert "6*7" not in dumped and "42" not in dumped.replace("2024", "")
    assert run_span.start_time <= chat.start_time <= tool.start_time
    assert tool.end_time <= chat.end_time <= run_span.end_time


def test_content_is_recorded_only_when_opted_in() -> None:
    runtime = make_runtime(overrides={("observability", "content"): True})
    try:
        t = trace(runtime)
        ScriptedProvider.script = [
            tool_call("calculator", "c1", input="6*7"),
            ChatResponse("the answer is 42", usage=Usage(1, 1), finish_reason="stop"),
        ]
        spell = 'return Agent.create{model="fake/m", tools={"calculator"}}:execute("6 times 7?")'
        run(runtime, spell)
        chat = dict(t.by_name("chat m").attributes)
        inputs = json.loads(chat["gen_ai.input.messages"])
        outputs = json.loads(chat["gen_ai.output.messages"])
        assert inputs[0]["role"] == "user" and inputs[0]["parts"][0]["content"] == "6 times 7?"
        assert outputs[0]["parts"][0]["content"] == "the answer is 42"
        tool = dict(t.by_name("execute_tool calculator").attributes)
        assert json.loads(tool["gen_ai.tool.call.arguments"]) == {"input": "6*7"}
    finally:
        runtime.close()


def test_workflow_steps_and_parallel_agents_get_their_own_branches(rt: Runtime) -> None:
    t = trace(rt)
    ScriptedProvider.delay = 0.05  # both agents are in flight at once
    run(
        rt,
        """
        local a = Agent.create{name = "a", model = "fake/m"}
        local b = Agent.create{name = "b", model = "fake/m"}
        local wf = Workflow.builder():name("fan"):parallel()
          :add_step({name = "one", type = "agent", agent = "a", input = "x"})
          :add_step({name = "two", type = "agent", agent = "b", input = "y"})
          :build()
        assert(wf:execute({}).success)
        """,
    )
    spans = t.finished()
    workflow = t.by_name("workflow fan")
    one, two = t.by_name("step one"), t.by_name("step two")
    chats = [s for s in spans if s.name == "chat m"]
    assert len(chats) == 2
    assert _parent(workflow, spans) is t.by_name("run t.lua")
    assert _parent(one, spans) is workflow and _parent(two, spans) is workflow
    by_agent = {dict(c.attributes)["gen_ai.agent.name"]: c for c in chats}
    assert _parent(by_agent["a"], spans) is one
    assert _parent(by_agent["b"], spans) is two
    # they overlapped in time: concurrency, not a sequence
    assert by_agent["a"].start_time < by_agent["b"].end_time
    assert by_agent["b"].start_time < by_agent["a"].end_time
    assert dict(workflow.attributes)["llmspell.workflow.type"] == "parallel"


def test_retries_and_errors_are_span_events_with_the_error_kind(rt: Runtime) -> None:
    t = trace(rt)

    def retried_then_failed(request):
        from llmspell.progress import report_retry

        report_retry(provider="fake", model="m", attempt=1, max_retries=1, delay_s=0.0,
                     error=RuntimeError("HTTP 503"))  # fmt: skip
        return ProviderError("the server is down", hint="try later")

    ScriptedProvider.script = [retried_then_failed]
    value, _ = run(
        rt,
        'local ok, err = pcall(function() return Agent.create{model="fake/m"}:execute("hi") end)\n'
        "return tostring(ok)",
    )
    assert value == "false"
    chat = t.by_name("chat m")
    assert chat.status.status_code is StatusCode.ERROR
    events = {e.name: dict(e.attributes) for e in chat.events}
    assert events["llmspell.retry"]["llmspell.retry.attempt"] == 1
    assert "HTTP 503" in events["llmspell.retry"]["llmspell.error.message"]
    assert events["llmspell.error"]["llmspell.error.kind"] == "ProviderError"
    assert dict(chat.attributes)["error.type"] == "ProviderError"
    # the run itself went on and ended fine
    assert t.by_name("run t.lua").status.status_code is StatusCode.UNSET


def test_a_failed_run_and_a_limit_hit_are_recorded(rt: Runtime) -> None:
    t = trace(rt)

    with pytest.raises(LimitExceeded):
        rt.run_sync(
            "Tool.execute('calculator', {input='1+1'}) while true do end",
            chunk_name="spin.lua",
            output=Output(io.StringIO(), io.StringIO()),
            limits=Limits(0.3, 64),
        )
    span = t.by_name("run spin.lua")
    assert span.status.status_code is StatusCode.ERROR
    assert dict(span.attributes)["error.type"] == "LimitExceeded"
    hits = t.points("llmspell.limit.hits")
    assert sum(p.value for p in hits) == 1
    assert dict(hits[0].attributes) == {"llmspell.operation": "run"}


def test_genai_metrics(rt: Runtime) -> None:
    t = trace(rt)
    ScriptedProvider.script = [
        tool_call("calculator", "c1", input="1+1"),
        ChatResponse("2", usage=Usage(7, 2), model="m-1", finish_reason="stop"),
    ]
    run(rt, 'Agent.create{model="fake/m", tools={"calculator"}}:execute("1+1?")')
    tokens = t.points("gen_ai.client.token.usage")
    by_type = {dict(p.attributes)["gen_ai.token.type"]: p for p in tokens}
    assert by_type["input"].sum == 10 and by_type["output"].sum == 3
    assert dict(by_type["input"].attributes)["gen_ai.request.model"] == "m"
    assert dict(by_type["input"].attributes)["gen_ai.response.model"] == "m-1"
    durations = t.points("gen_ai.client.operation.duration")
    assert len(durations) == 1 and durations[0].count == 1 and durations[0].sum > 0
    tools = t.points("llmspell.tool.duration")
    assert dict(tools[0].attributes) == {"gen_ai.tool.name": "calculator"}


def test_a_broken_exporter_does_not_break_the_run(rt: Runtime) -> None:
    from llmspell.observability import attach

    class Broken:
        def start(self, frame):
            raise RuntimeError("exporter down")

        end = note = start

    observer = attach(rt)
    assert observer is not None
    observer.sinks.append(Broken())
    observer.listener_id = observer.listener_id or rt.events.add_listener("*", observer.on_event)
    value, _ = run(rt, "return Tool.execute('calculator', {input='2+3'}).text")
    assert value == "5"
    assert observer.sink_errors > 0 and "exporter down" in (observer.last_sink_error or "")


def test_tracing_off_imports_nothing_of_opentelemetry(tmp_path) -> None:
    code = (
        "import sys\n"
        "from llmspell.runtime import Runtime\n"
        "rt = Runtime()\n"
        "rt.run_sync('Tool.execute(\"calculator\", {input=\"1+1\"})', chunk_name='x.lua')\n"
        "rt.close()\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    env = {"HOME": str(tmp_path), "LLMSPELL_HOME": str(tmp_path / "h"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "h" / "logs.db").exists()  # the run log is on by default


def test_content_on_spans_has_secrets_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_API_KEY", "acme-secret-0123456789")
    runtime = make_runtime(overrides={("observability", "content"): True})
    try:
        t = trace(runtime)
        ScriptedProvider.script = [
            tool_call("calculator", "c1", input="1+1", password="hunter2-hunter2"),
            ChatResponse("key acme-secret-0123456789 and sk-abcdefghijklmnopqrstu"),
        ]
        run(runtime, 'Agent.create{model="fake/m", tools={"calculator"}}:execute("hi")')
        dumped = json.dumps([dict(s.attributes) for s in t.finished()], default=str)
    finally:
        runtime.close()
    assert "acme-secret" not in dumped and "sk-abcdefghij" not in dumped
    assert "hunter2" not in dumped and "[REDACTED]" in dumped


def test_tracing_without_the_sdk_names_the_pip_line(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from llmspell.errors import ConfigurationError
    from llmspell.observability import attach

    for name in ("opentelemetry.sdk", "opentelemetry.sdk.trace"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ConfigurationError) as caught:
        attach(rt, trace_file=tmp_path / "t.jsonl")
    assert "pip install 'llmspell-core[otel]'" in str(caught.value)


def test_observability_and_logs_settings_are_checked(tmp_path) -> None:
    from llmspell.config import load_settings
    from llmspell.errors import ConfigurationError

    bad = tmp_path / "bad.toml"
    bad.write_text('[observability]\notlp_endpoint = "ftp://u:pw@collector"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(bad, environ={})
    assert "observability.otlp_endpoint" in str(caught.value) and "pw" not in str(caught.value)
    bad.write_text("[logs]\nkeep_days = -1\n")
    with pytest.raises(ConfigurationError, match=r"logs\.keep_days"):
        load_settings(bad, environ={})
    env = {"LLMSPELL_LOGS": "0", "LLMSPELL_OTLP_ENDPOINT": "http://127.0.0.1:4318"}
    settings = load_settings(environ=env, use_files=False)
    assert settings.logs.enabled is False
    assert settings.observability.otlp_endpoint == "http://127.0.0.1:4318"
    with pytest.raises(ConfigurationError, match="LLMSPELL_LOGS"):
        load_settings(environ={"LLMSPELL_LOGS": "maybe"}, use_files=False)
