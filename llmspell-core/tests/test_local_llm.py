"""LocalLLM against real HTTP servers on 127.0.0.1 started by the test (a fake Ollama and
a fake llama.cpp): status, list, info, absence, timeouts, size bounds, redirects, keys,
and that only the operator's local servers are reached."""

from __future__ import annotations

import asyncio
import io
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import llmspell
from llmspell import local_llm
from llmspell.config import load_settings
from llmspell.errors import ConfigurationError, NotFoundError
from llmspell.plugins import PluginLoader
from llmspell.runtime import Output, Runtime
from llmspell.testing import OpHost

SEEN: list[tuple[str, str, str | None]] = []


class Handler(BaseHTTPRequestHandler):
    """Ollama's /api/tags, /api/version, /api/show and llama.cpp's /v1/models, /health;
    /slow/... never answers in time, /big/... answers too much, /moved/... redirects."""

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, obj: Any, code: int = 200) -> None:
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        SEEN.append(("GET", self.path, self.headers.get("Authorization")))
        if self.path.startswith("/slow"):
            time.sleep(2)
            return self._send({})
        if self.path.startswith("/trickle"):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(40):
                time.sleep(0.1)
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return None
            return None
        if self.path.startswith("/big"):
            return self._send({"data": ["x" * 1024] * 3000})
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/v1/models")
            self.end_headers()
            return None
        routes: dict[str, Any] = {
            "/api/tags": {
                "models": [
                    {
                        "name": "llama3.2:1b",
                        "size": 1_300_000_000,
                        "modified_at": "2025-01-02T03:04:05.123456789Z",
                        "details": {
                            "format": "gguf",
                            "family": "llama",
                            "parameter_size": "1.2B",
                            "quantization_level": "Q8_0",
                        },
                    }
                ]
            },
            "/api/version": {"version": "0.5.7"},
            "/v1/models": {
                "object": "list",
                "data": [
                    {
                        "id": "qwen2.5-0.5b",
                        "object": "model",
                        "meta": {
                            "size": 500_000_000,
                            "n_params": 494_000_000,
                            "n_ctx_train": 32768,
                        },
                    }
                ],
            },
            "/health": {"status": "ok"},
        }
        if self.path in routes:
            return self._send(routes[self.path])
        return self._send({"error": "not found"}, 404)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        SEEN.append(("POST", self.path, json.dumps(body)))
        if self.path == "/api/show":
            return self._send(
                {
                    "model_info": {
                        "general.architecture": "llama",
                        "general.parameter_count": 1_235_814_432,
                        "llama.context_length": 131072,
                    }
                }
            )
        return self._send({}, 404)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPresets:
    """The local presets as llmspell-providers registers them (no SDK needed here)."""

    @llmspell.hookimpl
    def register_providers(self, register: Any) -> None:
        for name, port in (
            ("ollama", 11434),
            ("llamacpp", 8080),
            ("lmstudio", 1234),
            ("vllm", 8000),
        ):
            register(
                object,
                name=name,
                provider_type="openai",
                base_url=f"http://127.0.0.1:{port}/v1",
                api_key_env=None,
                default_model=None,
                local=True,
            )
        register(
            object,
            name="remote",
            provider_type="openai",
            base_url="https://api.example.com/v1",
            api_key_env="REMOTE_KEY",
            default_model="m",
            local=False,
        )


@pytest.fixture
def make(port: int) -> Callable[..., Runtime]:
    """``make(providers={name: table})``: a runtime whose local presets all point at a
    closed port unless the test says otherwise."""

    def build(providers: dict[str, dict[str, Any]] | None = None) -> Runtime:
        closed = _closed_port()
        tables: dict[str, dict[str, Any]] = {
            name: {"base_url": f"http://127.0.0.1:{closed}/v1"}
            for name in ("ollama", "llamacpp", "lmstudio", "vllm")
        }
        tables.update(providers or {})
        settings = load_settings(
            environ={},
            use_files=False,
            overrides={("state", "backend"): "memory", ("providers",): tables},
        )
        loader = PluginLoader(autoload=False, environ={})
        loader.register(LocalPresets(), name="local-presets")
        return Runtime(settings, loader=loader, output=Output(io.StringIO(), io.StringIO()))

    return build


def test_nothing_running_is_not_an_error(make: Callable[..., Runtime]) -> None:
    rt = make()
    started = time.monotonic()
    status = asyncio.run(local_llm.status(rt))
    assert time.monotonic() - started < 3
    assert set(status) == {"ollama", "llamacpp", "lmstudio", "vllm", "candle"}
    for name in ("ollama", "llamacpp", "lmstudio", "vllm"):
        assert status[name]["running"] is False and status[name]["models"] == 0
        assert "not running" in status[name]["error"]
    assert status["candle"]["ready"] is False and status["candle"]["models"] == 0
    assert asyncio.run(local_llm.models(rt)) == []
    with pytest.raises(NotFoundError, match="running: none"):
        asyncio.run(local_llm.model_info(rt, "llama3"))


def test_ollama_and_llamacpp_servers(make: Callable[..., Runtime], port: int) -> None:
    url = f"http://127.0.0.1:{port}/v1"
    rt = make({"ollama": {"base_url": url}, "llamacpp": {"base_url": url}})
    host = OpHost(rt)
    status = host("LocalLLM.status")
    assert status["ollama"] == {
        "running": True,
        "ready": True,
        "models": 1,
        "base_url": url,
        "kind": "ollama",
        "version": "0.5.7",
    }
    assert status["llamacpp"]["running"] is True and status["llamacpp"]["health"] == "ok"
    assert status["vllm"]["running"] is False
    listed = {m["id"]: m for m in host("LocalLLM.list")}
    assert listed["llama3.2:1b"]["backend"] == "ollama"
    assert listed["llama3.2:1b"]["size_bytes"] == 1_300_000_000
    assert listed["llama3.2:1b"]["quantization"] == "Q8_0"
    assert listed["llama3.2:1b"]["modified_at"] == 1735787045
    assert listed["qwen2.5-0.5b"]["size_bytes"] == 500_000_000
    assert [m["id"] for m in host("LocalLLM.list", "llamacpp")] == ["qwen2.5-0.5b"]
    assert host("LocalLLM.list", "candle") == []
    info = host("LocalLLM.info", "local/llama3.2:1b@ollama")
    assert info["context_length"] == 131072 and info["architecture"] == "llama"
    assert info["parameter_count"] == 1_235_814_432
    assert ("POST", "/api/show", json.dumps({"model": "llama3.2:1b"})) in SEEN
    assert host("LocalLLM.info", "qwen2.5-0.5b")["context_length"] == 32768
    with pytest.raises(NotFoundError, match="'nope' was not found on ollama"):
        host("LocalLLM.info", "nope@ollama")


def test_only_operator_backends_are_reached(make: Callable[..., Runtime], port: int) -> None:
    rt = make({"remote_box": {"base_url": f"http://10.255.255.1:{port}/v1"}})
    names = [b.name for b in local_llm.backends(rt)]
    assert "remote_box" not in names and "remote" not in names  # not on this machine
    host = OpHost(rt)
    for bad in (f"http://127.0.0.1:{port}", "remote", "remote_box"):
        with pytest.raises(ConfigurationError, match="no local backend is called"):
            host("LocalLLM.list", bad)
    with pytest.raises(ConfigurationError, match="no local backend"):
        host("LocalLLM.info", f"m@http://127.0.0.1:{port}")
    with pytest.raises(ConfigurationError, match="ollama pull llama3"):
        host("LocalLLM.pull", "llama3@ollama")


def test_a_configured_loopback_provider_is_local_and_gets_its_key(
    make: Callable[..., Runtime], port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_LOCAL_KEY", "sk-local-secret")
    rt = make({"mine": {"base_url": f"http://localhost:{port}/v1", "api_key_env": "MY_LOCAL_KEY"}})
    SEEN.clear()
    status = OpHost(rt)("LocalLLM.status")
    assert status["mine"]["running"] is True and status["mine"]["models"] == 1
    assert ("GET", "/v1/models", "Bearer sk-local-secret") in SEEN
    assert "sk-local-secret" not in json.dumps(status)


def test_disabled_backends_are_not_probed(make: Callable[..., Runtime], port: int) -> None:
    rt = make({"ollama": {"base_url": f"http://127.0.0.1:{port}/v1", "enabled": False}})
    assert "ollama" not in OpHost(rt)("LocalLLM.status")


@pytest.mark.parametrize(
    ("path", "fragment"),
    [("/big/v1", "larger than 2 MiB"), ("/moved/v1", "HTTP 302"), ("/nothing/v1", "HTTP 404")],
)
def test_bad_answers_are_reported_not_raised(
    make: Callable[..., Runtime], port: int, path: str, fragment: str
) -> None:
    rt = make({"vllm": {"base_url": f"http://127.0.0.1:{port}{path}"}})
    status = OpHost(rt)("LocalLLM.status")["vllm"]
    assert status["running"] is True and status["ready"] is False
    assert fragment in status["error"]


def test_a_server_that_does_not_answer_in_time(
    make: Callable[..., Runtime], port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_llm, "TOTAL_SECONDS", 0.5)
    rt = make({"vllm": {"base_url": f"http://127.0.0.1:{port}/slow/v1"}})
    started = time.monotonic()
    status = OpHost(rt)("LocalLLM.status")["vllm"]
    assert time.monotonic() - started < 1.8
    assert status["running"] is False and "timed out" in status["error"]


def test_model_spec_parsing() -> None:
    assert local_llm.parse_model_spec("local/llama3.1:8b@ollama") == ("llama3.1:8b", "ollama")
    assert local_llm.parse_model_spec("llama3.1:8b") == ("llama3.1:8b", None)
    assert local_llm._epoch("2025-01-02T03:04:05Z") == 1735787045
    assert local_llm._epoch("yesterday") is None


def test_a_server_that_trickles_is_cut_off(
    make: Callable[..., Runtime], port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_llm, "TOTAL_SECONDS", 0.5)
    rt = make({"vllm": {"base_url": f"http://127.0.0.1:{port}/trickle/v1"}})

    async def timed() -> tuple[dict[str, Any], float]:
        started = time.monotonic()
        found = await local_llm.status(rt)
        return found["vllm"], time.monotonic() - started

    # (the answer comes at the cut-off; asyncio.run then waits for the worker thread)
    status, elapsed = asyncio.run(timed())
    assert elapsed < 2
    assert status["running"] in (True, False) and status["ready"] is False
    assert "no complete answer" in status["error"] or "timed out" in status["error"]
