"""Tracing end to end: the real ``llmspell`` command with ``--trace FILE`` against
llm-katan (OpenAI and Anthropic wire formats) and a scripted OpenAI server, and with
``[observability] otlp_endpoint`` against an OTLP/HTTP receiver the test starts on
127.0.0.1 (it decodes the protobuf requests with opentelemetry-proto)."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import CLI
from tests.e2e.katan_server import start_katan
from tests.e2e.scripted_openai import Reply, ScriptedOpenAI


@pytest.fixture(scope="module")
def katan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    proc, port = start_katan(tmp_path_factory.mktemp("katan"))
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def _spans(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _katan_config(port: int) -> str:
    return (
        '[providers.katan]\nprovider_type = "openai"\n'
        f'base_url = "http://127.0.0.1:{port}/v1"\napi_key_env = "KATAN_KEY"\nmax_retries = 1\n'
        '[providers.katan_anthropic]\nprovider_type = "anthropic"\n'
        f'base_url = "http://127.0.0.1:{port}"\napi_key_env = "KATAN_KEY"\nmax_retries = 1\n'
    )


def test_trace_file_has_genai_spans_over_both_wire_formats(cli: CLI, katan: int) -> None:
    cli.write("llmspell.toml", _katan_config(katan))
    cli.write(
        "two.lua",
        """
        for _, model in ipairs({"katan/echo-model", "katan_anthropic/echo-model"}) do
          local a = Agent.create{name = model, model = model, tools = {"calculator"},
                                 max_tool_calls = 1}
          a:execute("hello there")
        end
        """,
    )
    proc = cli("run", "two.lua", "--trace", "trace.jsonl", env={"KATAN_KEY": "k"}, timeout=120)
    assert proc.returncode == 0, cli.explain(proc)
    spans = _spans(cli.cwd / "trace.jsonl")
    by_id = {s["span_id"]: s for s in spans}
    [root] = [s for s in spans if s["parent_id"] is None]
    assert root["name"] == "run two.lua"
    assert {s["trace_id"] for s in spans} == {root["trace_id"]}
    chats = [s for s in spans if s["name"] == "chat echo-model"]
    assert len(chats) == 2
    providers = set()
    for chat in chats:
        attrs = chat["attributes"]
        assert chat["kind"] == "CLIENT" and by_id[chat["parent_id"]] is root
        assert attrs["gen_ai.operation.name"] == "chat"
        assert attrs["gen_ai.request.model"] == "echo-model"
        assert attrs["gen_ai.response.model"]
        assert attrs["gen_ai.usage.input_tokens"] > 0 and attrs["gen_ai.usage.output_tokens"] > 0
        assert attrs["gen_ai.response.finish_reasons"]
        providers.add(attrs["gen_ai.provider.name"])
        # content is off by default
        assert "gen_ai.input.messages" not in attrs
        assert chat["start_time"] <= chat["end_time"]
        assert chat["start_time_unix_nano"] <= chat["end_time_unix_nano"]
        tools = [s for s in spans if s["parent_id"] == chat["span_id"]]
        assert [t["name"] for t in tools] == ["execute_tool calculator"]
        assert tools[0]["attributes"]["gen_ai.tool.name"] == "calculator"
        assert tools[0]["attributes"]["gen_ai.tool.call.id"]
    assert providers == {"katan", "katan_anthropic"}


def test_provider_requests_carry_traceparent_and_retries_are_events(cli: CLI) -> None:
    with ScriptedOpenAI() as server:
        server.replies = [Reply(status=503), Reply(text="fine")]
        cli.write("llmspell.toml", server.toml(max_retries=1))
        cli.write("r.lua", 'Agent.create{model = "scripted/gpt-x"}:execute("hi")')
        proc = cli(
            "run", "r.lua", "--trace", "t.jsonl", env={"SCRIPTED_KEY": "k"}, timeout=120
        )
        assert proc.returncode == 0, cli.explain(proc)
        headers = server.request_headers
    [chat] = [s for s in _spans(cli.cwd / "t.jsonl") if s["name"] == "chat gpt-x"]
    assert len(headers) == 2
    for seen in headers:
        version, trace_id, parent_id, flags = seen["traceparent"].split("-")
        assert (version, trace_id, parent_id) == ("00", chat["trace_id"], chat["span_id"])
        assert int(flags, 16) & 1  # sampled
    [retry] = [e for e in chat["events"] if e["name"] == "llmspell.retry"]
    assert retry["attributes"]["llmspell.retry.attempt"] == 1
    assert retry["attributes"]["http.response.status_code"] == 503


def test_without_tracing_requests_carry_no_traceparent(cli: CLI) -> None:
    with ScriptedOpenAI() as server:
        cli.write("llmspell.toml", server.toml())
        cli.write("r.lua", 'Agent.create{model = "scripted/gpt-x"}:execute("hi")')
        proc = cli("run", "r.lua", env={"SCRIPTED_KEY": "k"}, timeout=120)
        assert proc.returncode == 0, cli.explain(proc)
        assert "traceparent" not in server.request_headers[0]


def test_trace_errors_are_usage_errors(cli: CLI) -> None:
    cli.write("s.lua", "print(1)")
    proc = cli("run", "s.lua", "--trace", str(cli.cwd / "no" / "such" / "dir" / "t.jsonl"))
    assert proc.returncode == 2
    assert "--trace" in proc.stderr and "cannot write the trace file" in proc.stderr
    proc = cli("exec", "--trace", "e.jsonl", "print(2)")
    assert proc.returncode == 0, cli.explain(proc)
    assert [s["name"] for s in _spans(cli.cwd / "e.jsonl")] == ["run <exec>"]


def test_javascript_spells_are_traced_the_same(cli: CLI) -> None:
    code = 'await Tool.execute("calculator", {input: "1+1"}); console.log("ok")'
    proc = cli("exec", "-e", "js", "--trace", "j.jsonl", code)
    assert proc.returncode == 0, cli.explain(proc)
    spans = _spans(cli.cwd / "j.jsonl")
    assert [s["name"] for s in spans] == ["execute_tool calculator", "run <exec>"]
    assert spans[0]["parent_id"] == spans[1]["span_id"]
    assert spans[1]["attributes"]["llmspell.engine"] == "js"


class _Receiver:
    """An OTLP/HTTP receiver: POST /v1/traces and /v1/metrics (protobuf), decoded."""

    def __init__(self) -> None:
        from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
            ExportMetricsServiceRequest,
        )
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )

        self.spans: list[Any] = []
        self.metrics: list[Any] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path == "/v1/traces":
                    request = ExportTraceServiceRequest()
                    request.ParseFromString(body)
                    for rs in request.resource_spans:
                        for ss in rs.scope_spans:
                            receiver.spans.extend(ss.spans)
                elif self.path == "/v1/metrics":
                    request = ExportMetricsServiceRequest()
                    request.ParseFromString(body)
                    for rm in request.resource_metrics:
                        for sm in rm.scope_metrics:
                            receiver.metrics.extend(sm.metrics)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _attrs(span: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kv in span.attributes:
        value = kv.value
        kind = value.WhichOneof("value")
        out[kv.key] = (
            [v.string_value for v in value.array_value.values]
            if kind == "array_value"
            else getattr(value, kind)
        )
    return out


def test_otlp_export_to_a_local_receiver(cli: CLI) -> None:
    receiver = _Receiver()
    try:
        with ScriptedOpenAI() as server:
            server.replies = [Reply(text="hello", tool_calls=[("calculator", {"input": "2+2"})]),
                              Reply(text="4")]  # fmt: skip
            cli.write(
                "llmspell.toml",
                server.toml()
                + f'[observability]\notlp_endpoint = "http://127.0.0.1:{receiver.port}"\n',
            )
            cli.write(
                "w.lua",
                """
                local a = Agent.create{name = "calc", model = "scripted/gpt-x",
                                       tools = {"calculator"}}
                local wf = Workflow.builder():name("flow"):sequential()
                  :add_step({name = "ask", type = "agent", agent = "calc", input = "2+2?"})
                  :build()
                assert(wf:execute({}).success)
                """,
            )
            proc = cli("run", "w.lua", env={"SCRIPTED_KEY": "k"}, timeout=120)
            assert proc.returncode == 0, cli.explain(proc)
    finally:
        receiver.close()
    names = {s.name: s for s in receiver.spans}
    assert set(names) == {
        "run w.lua", "workflow flow", "step ask", "chat gpt-x", "execute_tool calculator",
    }  # fmt: skip
    chain = ["execute_tool calculator", "chat gpt-x", "step ask", "workflow flow", "run w.lua"]
    for child, parent in itertools.pairwise(chain):
        assert names[child].parent_span_id == names[parent].span_id, child
    chat = _attrs(names["chat gpt-x"])
    assert chat["gen_ai.provider.name"] == "scripted"
    assert chat["gen_ai.request.model"] == "gpt-x"
    assert chat["gen_ai.usage.input_tokens"] >= 0
    assert chat["gen_ai.response.finish_reasons"] == ["stop"]
    assert names["chat gpt-x"].kind == 3  # SPAN_KIND_CLIENT
    metric_names = {m.name for m in receiver.metrics}
    assert {
        "gen_ai.client.token.usage",
        "gen_ai.client.operation.duration",
        "llmspell.tool.duration",
        "llmspell.workflow.duration",
        "llmspell.run.duration",
    } <= metric_names


class _HeaderRecorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_http_tool_requests_carry_the_tool_calls_traceparent(cli: CLI) -> None:
    _HeaderRecorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HeaderRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cli.write(
            "llmspell.toml",
            "[security]\nallow_network = true\nallow_private_addresses = true\n",
        )
        url = f"http://127.0.0.1:{server.server_address[1]}/x"
        cli.write("h.lua", f'Tool.execute("http-requester", {{input = "{url}"}})')
        proc = cli("run", "h.lua", "--trace", "t.jsonl", timeout=120)
        assert proc.returncode == 0, cli.explain(proc)
        proc = cli("run", "h.lua", timeout=120)  # tracing off: no header
        assert proc.returncode == 0, cli.explain(proc)
    finally:
        server.shutdown()
        server.server_close()
    traced, untraced = _HeaderRecorder.seen
    [tool] = [s for s in _spans(cli.cwd / "t.jsonl") if s["name"] == "execute_tool http-requester"]
    version, trace_id, parent_id, _flags = traced["traceparent"].split("-")
    assert (version, trace_id, parent_id) == ("00", tool["trace_id"], tool["span_id"])
    assert "traceparent" not in untraced


def test_a_run_continues_a_traceparent_from_the_environment(cli: CLI) -> None:
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    cli.write("r.lua", "return 1")
    proc = cli("run", "r.lua", "--trace", "t.jsonl", env={"TRACEPARENT": caller})
    assert proc.returncode == 0, cli.explain(proc)
    [run] = [s for s in _spans(cli.cwd / "t.jsonl") if s["name"].startswith("run ")]
    assert run["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert run["parent_id"] == "00f067aa0ba902b7"
