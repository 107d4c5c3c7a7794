"""Where a provider's key may go: endpoint matching (parse_endpoint / covers), the
client pinned to the addresses the network policy checked, and no redirects."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from llmspell.llm import ProviderConfig
from llmspell.provider_resolution import parse_endpoint
from llmspell_providers.transport import PinnedTransport, http_client_for


@pytest.mark.parametrize(
    ("allowed", "candidate", "covered"),
    [
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1", True),
        ("http://127.0.0.1:8080/v1", "HTTP://127.0.0.1:8080/v1/", True),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/x/./y/..", True),
        ("https://API.example.com./v1", "https://api.example.com:443/v1/chat", True),
        ("http://[::1]:80/", "http://[0:0::1]/anything", True),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v10", False),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/../admin", False),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8081/v1", False),
        ("http://127.0.0.1:8080/v1", "https://127.0.0.1:8080/v1", False),
        ("http://127.0.0.1:8080/v1", "http://localhost:8080/v1", False),
    ],
)
def test_endpoint_matching(allowed: str, candidate: str, covered: bool) -> None:
    assert parse_endpoint(allowed).covers(parse_endpoint(candidate)) is covered


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://h/x", "http"),
        ("http://u:p@h/v1", "user info"),
        ("http://h/v1?x=", "query"),
        ("http://h/v1#f", "query or fragment"),
        ("http://h/%2e%2e/admin", "escapes"),
        ("http://h/v1\\..", "backslashes"),
        ("http:///v1", "http"),
        ("http://h:99999/", "valid URL"),
    ],
)
def test_unusable_endpoints(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as info:
        parse_endpoint(url)
    assert ":p@" not in str(info.value)


def test_pinned_transport_connects_to_the_checked_address() -> None:
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if request.url.host == "10.0.0.1":
            raise httpx2.ConnectError("refused", request=request)
        return httpx2.Response(200, json={"ok": True})

    transport = PinnedTransport(
        httpx2.MockTransport(answer), "api.example.com", ["10.0.0.1", "10.0.0.2"]
    )

    async def go() -> None:
        async with httpx2.AsyncClient(transport=transport) as client:
            r = await client.get("https://api.example.com/v1/models")
            assert r.status_code == 200
            with pytest.raises(httpx2.ConnectError, match=r"only 'api\.example\.com'"):
                await client.get("https://elsewhere.example.com/")

    asyncio.run(go())
    assert [str(r.url) for r in seen] == [
        "https://10.0.0.1/v1/models",
        "https://10.0.0.2/v1/models",
    ]
    assert all(r.headers["host"] == "api.example.com" for r in seen)
    assert all(r.extensions["sni_hostname"] == "api.example.com" for r in seen)


def test_provider_clients_follow_no_redirects() -> None:
    seen: list[str] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(str(request.url))
        return httpx2.Response(307, headers={"Location": "http://evil.example/steal"})

    config = ProviderConfig(
        name="p",
        provider_type="openai",
        base_url="http://api.example.com/v1",
        api_key="sk-test",
        transport=httpx2.MockTransport(answer),
    )
    client = http_client_for(config)

    async def go() -> None:
        async with client:
            r = await client.post("http://api.example.com/v1/chat/completions")
            assert r.status_code == 307

    asyncio.run(go())
    assert seen == ["http://api.example.com/v1/chat/completions"]
