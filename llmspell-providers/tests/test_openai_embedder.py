"""The ``openai`` embedder against a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from llmspell.config import ProviderSettings, Settings
from llmspell.errors import (
    AuthenticationError,
    ConfigurationError,
    ProviderError,
    RateLimitError,
    UnavailableError,
    ValidationError,
)
from llmspell_providers.embeddings.openai import KNOWN_DIMENSIONS, OpenAIEmbedder, open_openai

KEY = "sk-embed-test-secret-0123456789"


def vector_for(text: str, dims: int) -> list[float]:
    """A deterministic, not normalised vector."""
    digest = hashlib.sha256(text.encode()).digest()
    return [(digest[i % 32] - 127.5) / 10.0 for i in range(dims)]


class EmbeddingServer:
    """``POST /v1/embeddings``: answers from ``script`` (one callable per request, the
    last one repeating), else with ``dims``-long vectors listed in reverse order."""

    def __init__(self, dims: int = 8) -> None:
        self.dims = dims
        self.requests: list[dict[str, Any]] = []
        self.script: list[Any] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                headers = {k.lower(): v for k, v in self.headers.items()}
                owner.requests.append({"path": self.path, "headers": headers, "body": body})
                status, payload, headers = owner.answer(body)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def answer(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        if self.script:
            step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
            return step(body)
        return self.ok(body)

    def ok(self, body: dict[str, Any], dims: int | None = None) -> tuple[int, Any, dict]:
        items = [
            {"object": "embedding", "index": i, "embedding": vector_for(t, dims or self.dims)}
            for i, t in enumerate(body["input"])
        ]
        return 200, {"object": "list", "data": items[::-1], "model": body["model"]}, {}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = EmbeddingServer()
    yield srv
    srv.close()


@pytest.fixture
def settings(server):
    return Settings(
        providers={
            "mine": ProviderSettings(base_url=server.url, api_key_env="MY_EMBED_KEY"),
            "keyless": ProviderSettings(base_url=server.url, max_retries=2),
        }
    )


@pytest.fixture
def embedder(settings, monkeypatch):
    monkeypatch.setenv("MY_EMBED_KEY", KEY)
    emb = open_openai("nomic-embed", settings=settings, provider="mine")
    emb.sleep = _no_sleep
    return emb


async def _no_sleep(_: float) -> None:
    return None


def _norm(v):
    return math.sqrt(sum(x * x for x in v))


def test_vectors_come_back_in_order_and_normalised(server, embedder):
    texts = ["alpha", "beta", "gamma"]
    vectors = embedder.embed(texts)
    assert len(vectors) == 3
    for text, v in zip(texts, vectors, strict=True):
        raw = vector_for(text, 8)
        assert abs(_norm(v) - 1.0) < 1e-9
        assert all(abs(a - b / _norm(raw)) < 1e-9 for a, b in zip(v, raw, strict=True))
    (request,) = server.requests
    assert request["path"] == "/v1/embeddings"
    assert request["body"] == {"model": "nomic-embed", "input": texts}
    assert request["headers"]["authorization"] == f"Bearer {KEY}"
    assert embedder.dimensions == 8
    assert embedder.max_input_tokens == 512
    assert embedder.embed([]) == []


def test_batches_are_at_most_max_batch(server, settings, monkeypatch):
    monkeypatch.setenv("MY_EMBED_KEY", KEY)
    emb = open_openai("m", settings=settings, provider="mine", max_batch=3)
    vectors = emb.embed([f"t{i}" for i in range(7)])
    assert [len(r["body"]["input"]) for r in server.requests] == [3, 3, 1]
    assert vectors[6] == emb.embed(["t6"])[0]


def test_dimensions_of_an_unknown_model_are_probed_once(server, embedder):
    assert embedder.describe() == "mine/nomic-embed (dims not known yet)"
    assert embedder.dimensions == 8
    assert embedder.dimensions == 8
    assert len(server.requests) == 1
    assert server.requests[0]["body"]["input"] == ["dimension probe"]


def test_openai_models_have_known_dimensions_without_a_request(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("LLMSPELL_PROVIDER_OPENAI_BASE_URL", server.url)
    emb = open_openai(None, settings=Settings())
    assert (emb.model, emb.dimensions) == ("text-embedding-3-small", 1536)
    assert emb.max_input_tokens == 8191
    assert open_openai("text-embedding-3-large", settings=Settings()).dimensions == 3072
    assert KNOWN_DIMENSIONS["text-embedding-ada-002"] == 1536
    assert server.requests == []
    # a server answering with other dimensions than the model's is an error
    with pytest.raises(ProviderError, match=r"8 dimensions .* expected 1536"):
        emb.embed(["hello"])


def test_a_keyless_local_server_gets_no_authorization(server, settings):
    emb = open_openai("m", settings=settings, provider="keyless")
    emb.embed(["x"])
    assert "authorization" not in server.requests[0]["headers"]


def test_a_missing_key_names_the_variable(settings, monkeypatch):
    monkeypatch.delenv("MY_EMBED_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="MY_EMBED_KEY"):
        open_openai("m", settings=settings, provider="mine")


def test_a_rejected_key_names_the_variable_and_never_the_key(server, embedder):
    server.script = [lambda body: (401, {"error": {"message": f"bad key {KEY}"}}, {})]
    with pytest.raises(AuthenticationError) as err:
        embedder.embed(["x"])
    assert "MY_EMBED_KEY" in err.value.hint
    assert KEY not in str(err.value)
    assert len(server.requests) == 1  # not retried


def test_an_unknown_model_is_a_clear_error(server, embedder):
    server.script = [
        lambda body: (404, {"error": {"message": "model 'nomic-embed' not found"}}, {})
    ]
    with pytest.raises(ProviderError, match="does not serve embedding model 'nomic-embed'") as e:
        embedder.embed(["x"])
    assert "--embeddings" in e.value.hint


def test_server_errors_are_retried_then_reported(server, embedder):
    server.script = [lambda body: (503, {"error": "busy"}, {}), server.ok]
    assert len(embedder.embed(["x"])) == 1
    assert len(server.requests) == 2
    server.requests.clear()
    server.script = [lambda body: (500, b"\x1b[31mboom\x1b[0m", {})]
    with pytest.raises(ProviderError, match="HTTP 500") as err:
        embedder.embed(["x"])
    assert "\x1b" not in str(err.value)
    assert len(server.requests) == 4  # 1 + max_retries (3)


def test_rate_limits_are_retried_after_the_servers_delay(server, embedder):
    delays: list[float] = []

    async def sleep(d: float) -> None:
        delays.append(d)

    embedder.sleep = sleep
    server.script = [lambda body: (429, {"error": {"message": "slow down"}}, {"Retry-After": "2"})]
    with pytest.raises(RateLimitError, match="slow down"):
        embedder.embed(["x"])
    assert delays == [2.0, 2.0, 2.0]


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (lambda body: (200, {"data": []}, {}), "returned 0 vectors for 2 texts"),
        (
            lambda body: (
                200,
                {"data": [{"index": 0, "embedding": [1.0, 2.0]}, {"index": 1, "embedding": [1.0]}]},
                {},
            ),
            "different lengths",
        ),
        (
            lambda body: (
                200,
                {"data": [{"index": 0, "embedding": [1.0]}, {"index": 0, "embedding": [1.0]}]},
                {},
            ),
            "two vectors have the index 0",
        ),
        (
            lambda body: (
                200,
                {"data": [{"index": 0, "embedding": [1.0]}, {"index": 1, "embedding": ["a"]}]},
                {},
            ),
            "not a finite number",
        ),
        (lambda body: (200, b"<html>not json</html>", {}), "not JSON"),
        (lambda body: (200, {"object": "list"}, {}), 'no "data" list'),
        (lambda body: (200, {"data": [{"index": 5, "embedding": [1.0]}] * 2}, {}), "invalid index"),
    ],
)
def test_a_server_that_answers_wrongly_is_an_error(server, embedder, reply, message):
    server.script = [reply]
    with pytest.raises(ProviderError, match=message):
        embedder.embed(["one", "two"])
    assert len(server.requests) == 1


def test_a_zero_vector_is_an_error(server, embedder):
    server.script = [lambda body: (200, {"data": [{"index": 0, "embedding": [0.0, 0.0]}]}, {})]
    with pytest.raises(ProviderError, match="zero"):
        embedder.embed(["x"])


def test_vectors_changing_length_between_calls_is_an_error(server, embedder):
    embedder.embed(["x"])
    server.script = [lambda body: server.ok(body, dims=16)]
    with pytest.raises(ProviderError, match=r"16 dimensions .* expected 8"):
        embedder.embed(["y"])


def test_an_oversized_response_is_refused(server, embedder):
    server.script = [lambda body: server.ok(body, dims=200_000)]
    with pytest.raises(ProviderError, match="larger than"):
        embedder.embed(["x"])


def test_an_unreachable_server_is_unavailable(settings, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = Settings(providers={"dead": ProviderSettings(base_url=f"http://127.0.0.1:{port}/v1")})
    emb = open_openai("m", settings=dead, provider="dead")
    emb.sleep = _no_sleep
    with pytest.raises(UnavailableError, match="cannot reach provider 'dead'"):
        emb.embed(["x"])


def test_a_redirect_is_not_followed(server, embedder):
    server.script = [lambda body: (307, b"", {"Location": "http://example.com/v1/embeddings"})]
    with pytest.raises(ProviderError, match="redirects are not followed"):
        embedder.embed(["x"])


def test_providers_without_an_embeddings_api_or_model_are_refused(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    with pytest.raises(ConfigurationError, match="no OpenAI-compatible /embeddings"):
        open_openai("claude", settings=Settings(), provider="anthropic")
    with pytest.raises(ConfigurationError, match='"llamacpp/MODEL"'):
        open_openai(None, settings=Settings(), provider="llamacpp")
    with pytest.raises(ConfigurationError, match="unknown provider 'nowhere'"):
        open_openai("m", settings=Settings(), provider="nowhere")


def test_bad_texts_are_validation_errors(embedder):
    with pytest.raises(ValidationError):
        embedder.embed("one string")
    with pytest.raises(ValidationError):
        embedder.embed([None])


def test_the_test_transport_replaces_the_network():
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = json.loads(request.content)
        data = [{"index": i, "embedding": [3.0, 4.0]} for i in range(len(body["input"]))]
        return httpx.Response(200, json={"data": data})

    emb = open_openai(
        "nomic", settings=Settings(), provider="llamacpp", transport=httpx.MockTransport(handle)
    )
    assert emb.embed(["a"]) == [[0.6, 0.8]]
    assert str(seen[0].url) == "http://127.0.0.1:8080/v1/embeddings"


def test_embed_works_when_called_on_an_event_loop(server, embedder):
    async def main() -> list[list[float]]:
        return embedder.embed(["inside a loop"])

    assert len(asyncio.run(main())[0]) == 8


def test_an_embedder_is_an_openai_embedder(embedder):
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.name == "openai"
