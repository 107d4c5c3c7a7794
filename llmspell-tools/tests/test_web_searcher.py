"""web-searcher against the local HTTP server serving recorded-shape answers of each
provider (tests/data/search/): the normalised results, the outgoing request (where the
key goes) and that the key never shows up in results or errors."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from llmspell.errors import SecurityError, ValidationError

DATA = Path(__file__).parent / "data" / "search"
KEY = "sk-test-Q7f3xZ9-SECRET"
ENV_KEYS = {"brave": "BRAVE_API_KEY", "tavily": "TAVILY_API_KEY",
            "serpapi": "SERPAPI_API_KEY", "serperdev": "SERPER_API_KEY"}  # fmt: skip
FIRST_URL = "https://docs.python.org/3/library/asyncio.html"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """No real key or endpoint override from the caller's environment leaks in."""
    for name in ENV_KEYS.values():
        monkeypatch.delenv(name, raising=False)
    for provider in ("DUCKDUCKGO", "BRAVE", "TAVILY", "SERPAPI", "SERPERDEV"):
        monkeypatch.delenv(f"LLMSPELL_SEARCH_{provider}_URL", raising=False)


def _serve(http_server, monkeypatch, provider, method, fixture, *, status=200, ctype=None):
    path = f"/{provider}/search"
    body = (DATA / fixture).read_bytes()
    ctype = ctype or ("text/html; charset=utf-8" if fixture.endswith(".html") else
                      "application/json")  # fmt: skip
    http_server.route(method, path, lambda r: (status, {"Content-Type": ctype}, body))
    monkeypatch.setenv(f"LLMSPELL_SEARCH_{provider.upper()}_URL", http_server.url(path))
    if provider in ENV_KEYS:
        monkeypatch.setenv(ENV_KEYS[provider], KEY)


def _no_key_anywhere(result) -> None:
    assert KEY not in json.dumps(result)


def test_duckduckgo_is_the_default_and_needs_no_key(net_tools, http_server, monkeypatch):
    _serve(http_server, monkeypatch, "duckduckgo", "POST", "duckduckgo.html")
    r = net_tools.ok("web-searcher", input="python asyncio")
    res = r["result"]
    assert res["provider"] == "duckduckgo" and res["query"] == "python asyncio"
    assert res["count"] == 3 and res["results"][0]["url"] == FIRST_URL
    assert res["results"][1]["url"] == "https://realpython.com/async-io-python/?ref=ddg&x=1"
    assert r["text"].splitlines()[0].startswith("1. asyncio — Asynchronous I/O")
    sent = http_server.last
    assert sent.method == "POST" and parse_qs(sent.text())["q"] == ["python asyncio"]
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"


def test_brave(net_tools, http_server, monkeypatch):
    _serve(http_server, monkeypatch, "brave", "GET", "brave.json")
    r = net_tools.ok("web-searcher", input="python asyncio", provider="brave", max_results=2)
    assert [x["url"] for x in r["result"]["results"]] == [
        FIRST_URL, "https://realpython.com/async-io-python/"]  # fmt: skip
    assert "<strong>" not in r["result"]["results"][0]["snippet"]
    sent = http_server.last
    assert sent.method == "GET" and sent.headers["x-subscription-token"] == KEY
    assert sent.query == {"q": "python asyncio", "count": "2"}
    _no_key_anywhere(r)


def test_tavily(net_tools, http_server, monkeypatch):
    _serve(http_server, monkeypatch, "tavily", "POST", "tavily.json")
    r = net_tools.ok("web-searcher", input="python asyncio", provider="tavily", max_results=50)
    assert r["result"]["count"] == 2 and r["result"]["results"][0]["url"] == FIRST_URL
    body = http_server.last.json()
    assert body["api_key"] == KEY and body["query"] == "python asyncio"
    assert body["max_results"] == 20  # Tavily's own cap
    assert KEY not in json.dumps(http_server.last.headers)
    _no_key_anywhere(r)


def test_serpapi(net_tools, http_server, monkeypatch):
    _serve(http_server, monkeypatch, "serpapi", "GET", "serpapi.json")
    r = net_tools.ok("web-searcher", input="python asyncio", provider="serpapi")
    assert r["result"]["count"] == 2 and r["result"]["results"][1]["title"] == (
        "Async IO in Python: A Complete Walkthrough"
    )
    sent = http_server.last
    assert sent.query["api_key"] == KEY and sent.query["engine"] == "google"
    assert sent.query["q"] == "python asyncio" and sent.query["num"] == "10"
    _no_key_anywhere(r)


def test_serperdev(net_tools, http_server, monkeypatch):
    _serve(http_server, monkeypatch, "serperdev", "POST", "serperdev.json")
    r = net_tools.ok("web-searcher", input="python asyncio", provider="serperdev", max_results=1)
    assert r["result"]["results"] == [{
        "title": "asyncio — Asynchronous I/O — Python 3.12.2 documentation",
        "url": FIRST_URL,
        "snippet": "asyncio is a library to write concurrent code using the async/await syntax.",
    }]  # fmt: skip
    sent = http_server.last
    assert sent.headers["x-api-key"] == KEY and sent.json() == {"q": "python asyncio", "num": 1}
    _no_key_anywhere(r)


def test_empty_results(net_tools, http_server, monkeypatch):
    _serve(http_server, monkeypatch, "serpapi", "GET", "serpapi_empty.json")
    r = net_tools.ok("web-searcher", input="qwxzqwxzqwxz", provider="serpapi")
    assert r["result"]["results"] == [] and r["text"] == "no results for 'qwxzqwxzqwxz'"
    _serve(http_server, monkeypatch, "duckduckgo", "POST", "duckduckgo_empty.html")
    assert net_tools.ok("web-searcher", input="qwxzqwxzqwxz")["result"]["count"] == 0


@pytest.mark.parametrize("provider", list(ENV_KEYS))
def test_missing_key_names_the_env_var(net_tools, http_server, monkeypatch, provider):
    monkeypatch.setenv(f"LLMSPELL_SEARCH_{provider.upper()}_URL", http_server.url("/echo"))
    monkeypatch.setenv(ENV_KEYS[provider], "   ")
    r = net_tools.failed("web-searcher", input="x", provider=provider)
    assert r["error_kind"] == "ConfigurationError" and ENV_KEYS[provider] in r["error"]
    assert http_server.requests == []


@pytest.mark.parametrize(
    ("provider", "method", "fixture", "status"),
    [("brave", "GET", "brave_error.json", 401),
     ("tavily", "POST", "tavily_error.json", 401),
     ("serpapi", "GET", "serpapi_error.json", 401),
     ("serperdev", "POST", "serperdev_error.json", 403)],
)  # fmt: skip
def test_rejected_key(net_tools, http_server, monkeypatch, provider, method, fixture, status):
    _serve(http_server, monkeypatch, provider, method, fixture, status=status)
    r = net_tools.failed("web-searcher", input="x", provider=provider)
    assert r["error_kind"] == "AuthenticationError" and ENV_KEYS[provider] in r["error"]
    assert f"HTTP {status}" in r["error"]
    _no_key_anywhere(r)


def test_error_bodies_echoing_the_key_are_masked(net_tools, http_server, monkeypatch):
    _serve(http_server, monkeypatch, "serpapi", "GET", "serpapi.json")

    def echo_key(req):
        return 500, {}, {"error": f"backend failed for api_key={req.query['api_key']}"}

    http_server.route("GET", "/serpapi/search", echo_key)
    r = net_tools.failed("web-searcher", input="x", provider="serpapi")
    assert r["error_kind"] == "ToolError" and "HTTP 500" in r["error"] and "***" in r["error"]
    _no_key_anywhere(r)
    assert len(http_server.requests) == 2  # one retry on 5xx


def test_rate_limited(net_tools, http_server, monkeypatch):
    _serve(http_server, monkeypatch, "brave", "GET", "brave.json")
    http_server.route("GET", "/brave/search", lambda r: (429, {}, {"message": "slow down"}))
    r = net_tools.failed("web-searcher", input="x", provider="brave")
    assert r["error_kind"] == "RateLimitError" and "slow down" in r["error"]


def test_not_json_and_bot_check(net_tools, http_server, monkeypatch):
    _serve(http_server, monkeypatch, "tavily", "POST", "duckduckgo.html", ctype="text/html")
    r = net_tools.failed("web-searcher", input="x", provider="tavily")
    assert "not valid JSON" in r["error"]
    _no_key_anywhere(r)
    _serve(http_server, monkeypatch, "duckduckgo", "POST", "duckduckgo_challenge.html")
    r = net_tools.failed("web-searcher", input="x")
    assert r["error_kind"] == "RateLimitError" and "bot check" in r["error"]


def test_config_table_sets_provider_and_url(net_tools, http_server, monkeypatch):
    body = (DATA / "brave.json").read_bytes()
    http_server.route("GET", "/cfg/brave", lambda r: (200, {"Content-Type": "application/json"},
                                                      body))  # fmt: skip
    monkeypatch.setenv("BRAVE_API_KEY", KEY)
    net_tools.runtime.settings.tools["web-searcher"] = {
        "provider": "brave", "brave_url": http_server.url("/cfg/brave")}  # fmt: skip
    r = net_tools.ok("web-searcher", input="python")
    assert r["result"]["provider"] == "brave" and http_server.last.path == "/cfg/brave"
    # the environment wins over the config file
    monkeypatch.setenv("LLMSPELL_SEARCH_BRAVE_URL", http_server.url("/brave/env"))
    http_server.route("GET", "/brave/env", lambda r: (200, {"Content-Type": "application/json"},
                                                      body))  # fmt: skip
    net_tools.ok("web-searcher", input="python")
    assert http_server.last.path == "/brave/env"
    net_tools.runtime.settings.tools["web-searcher"] = {"provider": "bing"}
    r = net_tools.failed("web-searcher", input="python")
    assert r["error_kind"] == "ConfigurationError" and "[tools.web-searcher] provider" in r["error"]


def test_policy_and_limits(tools, net_tools, http_server, monkeypatch):
    _serve(http_server, monkeypatch, "serpapi", "GET", "serpapi.json")
    with pytest.raises(SecurityError, match="network access is not allowed") as info:
        tools("web-searcher", input="x", provider="serpapi")
    assert KEY not in str(info.value)
    with pytest.raises(SecurityError, match="network access is not allowed"):
        tools("web-searcher", input="x")  # duckduckgo's public endpoint, never reached
    to_metadata = {"Location": "http://169.254.169.254/latest/"}
    http_server.route("GET", "/serpapi/search", lambda r: (302, to_metadata, b""))
    # the request carries the key: a redirect is not followed (not even checked)
    r = net_tools.failed("web-searcher", input="x", provider="serpapi")
    assert r["error_kind"] == "SecurityError" and "HTTP 302 (a redirect)" in r["error"]
    assert "LLMSPELL_SEARCH_SERPAPI_URL" in r["error"] and len(http_server.requests) == 1
    _no_key_anywhere(r)
    monkeypatch.setenv("LLMSPELL_SEARCH_SERPAPI_URL", f"http://127.0.0.2:{http_server.port}/s")
    with pytest.raises(SecurityError, match="allowed_hosts") as info:
        net_tools("web-searcher", input="x", provider="serpapi")
    assert KEY not in str(info.value)
    monkeypatch.setenv("LLMSPELL_SEARCH_SERPAPI_URL", "file:///etc/passwd")
    with pytest.raises((SecurityError, ValidationError)) as bad:
        net_tools("web-searcher", input="x", provider="serpapi")
    assert KEY not in str(bad.value)
    _serve(http_server, monkeypatch, "serpapi", "GET", "serpapi.json")
    net_tools.runtime.policy.max_response_bytes = 100
    r = net_tools.failed("web-searcher", input="x", provider="serpapi")
    assert "larger than the limit of 100 bytes" in r["error"]
    _no_key_anywhere(r)
    net_tools.runtime.policy.max_response_bytes = 1_000_000
    monkeypatch.setenv("LLMSPELL_SEARCH_SERPAPI_URL", http_server.url("/slow?delay_ms=3000"))
    r = net_tools.failed("web-searcher", input="x", provider="serpapi", timeout_ms=200)
    assert r["error_kind"] == "TimeoutError"
    _no_key_anywhere(r)


def test_schema(net_tools):
    with pytest.raises(ValidationError, match="parameter 'max_results'"):
        net_tools("web-searcher", input="x", max_results=51)
    with pytest.raises(ValidationError, match="parameter 'provider'"):
        net_tools("web-searcher", input="x", provider="google")
    with pytest.raises(ValidationError, match="parameter 'input'"):
        net_tools("web-searcher", input="")
