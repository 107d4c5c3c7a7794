"""web-searcher's pure parts: each provider's request shape and how its recorded-shape
answer (tests/data/search/) becomes ``{title, url, snippet}`` results. No network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmspell.tools import ToolFailure
from llmspell_tools.search import _duckduckgo, _providers

DATA = Path(__file__).parent / "data" / "search"
PAGE = "https://html.duckduckgo.com/html/"


def _json(name: str) -> object:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def test_duckduckgo_results_skip_ads_and_decode_uddg():
    results = _duckduckgo.parse_results((DATA / "duckduckgo.html").read_bytes(), PAGE)
    assert [r["url"] for r in results] == [
        "https://docs.python.org/3/library/asyncio.html",
        "https://realpython.com/async-io-python/?ref=ddg&x=1",
        "https://peps.python.org/pep-0492/",
    ]
    assert results[0]["title"] == "asyncio — Asynchronous I/O — Python 3.12.2 documentation"
    assert results[0]["snippet"].startswith("asyncio is a library to write concurrent code")
    assert results[1]["snippet"].endswith("Python's approach to async IO & concurrency.")
    assert all("Sponsored" not in r["snippet"] for r in results)


def test_duckduckgo_empty_and_bot_check():
    empty = (DATA / "duckduckgo_empty.html").read_bytes()
    assert _duckduckgo.parse_results(empty, PAGE) == []
    challenge = (DATA / "duckduckgo_challenge.html").read_bytes()
    with pytest.raises(ToolFailure, match="bot check") as info:
        _duckduckgo.parse_results(challenge, PAGE)
    assert info.value.kind == "RateLimitError"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("//duckduckgo.com/l/?uddg=https%3A%2F%2Fa.example%2Fx%3Fy%3D1&rut=z", "https://a.example/x?y=1"),
        ("/l/?uddg=http%3A%2F%2Fb.example%2F", "http://b.example/"),
        ("https://c.example/page", "https://c.example/page"),
        ("https://duckduckgo.com/y.js?ad_domain=x", None),
        ("//duckduckgo.com/l/?uddg=javascript%3Aalert(1)", None),
        ("mailto:x@example.com", None),
        ("", None),
    ],
)  # fmt: skip
def test_duckduckgo_result_url(href, expected):
    assert _duckduckgo.result_url(href, PAGE) == expected


@pytest.mark.parametrize(
    ("provider", "fixture", "count"),
    [("brave", "brave.json", 3), ("tavily", "tavily.json", 2), ("serpapi", "serpapi.json", 2),
     ("serperdev", "serperdev.json", 3)],
)  # fmt: skip
def test_json_providers_normalise(provider, fixture, count):
    results = _providers.normalize(provider, _json(fixture))
    assert len(results) == count
    first = results[0]
    assert first["url"] == "https://docs.python.org/3/library/asyncio.html"
    assert first["title"] == "asyncio — Asynchronous I/O — Python 3.12.2 documentation"
    assert first["snippet"].startswith("asyncio is a library to write concurrent code")
    assert all(set(r) == {"title", "url", "snippet"} for r in results)


def test_brave_descriptions_lose_their_markup():
    results = _providers.normalize("brave", _json("brave.json"))
    assert "<strong>" not in results[0]["snippet"]
    assert results[0]["snippet"].endswith("Python asynchronous frameworks & more.")


def test_serpapi_empty_and_error_answers():
    assert _providers.normalize("serpapi", _json("serpapi_empty.json")) == []
    with pytest.raises(ToolFailure, match="Invalid API key"):
        _providers.normalize("serpapi", _json("serpapi_error.json"))


def test_results_without_http_urls_are_left_out():
    good = {"title": "<b>c</b>", "link": "https://c.example/", "snippet": None}
    payload = {"organic": [{"title": "a", "link": "javascript:x"}, {"title": "b"}, "junk", good]}
    assert _providers.normalize("serperdev", payload) == [
        {"title": "c", "url": "https://c.example/", "snippet": ""}
    ]
    assert _providers.normalize("brave", {"type": "search"}) == []
    with pytest.raises(ToolFailure, match="not an object"):
        _providers.normalize("tavily", [1, 2])


@pytest.mark.parametrize(
    ("fixture", "detail"),
    [("brave_error.json", "The provided subscription token is invalid."),
     ("tavily_error.json", "Unauthorized: missing or invalid API key."),
     ("serpapi_error.json", "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key"),
     ("serperdev_error.json", "Unauthorized.")],
)  # fmt: skip
def test_error_details(fixture, detail):
    assert _providers.error_detail(_json(fixture)) == detail
    assert _providers.error_detail("not json") is None


def test_requests_put_the_key_where_each_api_expects_it():
    brave = _providers.build_request("brave", "q1", 5, "K1")
    assert brave.method == "GET" and brave.headers["X-Subscription-Token"] == "K1"
    assert brave.params == {"q": "q1", "count": "5"}
    tavily = _providers.build_request("tavily", "q2", 7, "K2")
    assert tavily.method == "POST" and tavily.json["api_key"] == "K2"
    assert tavily.json["query"] == "q2" and tavily.json["max_results"] == 7
    assert "K2" not in json.dumps(tavily.headers)
    serpapi = _providers.build_request("serpapi", "q3", 9, "K3")
    assert serpapi.params is not None and serpapi.params["api_key"] == "K3"
    assert serpapi.params["engine"] == "google" and serpapi.params["q"] == "q3"
    serper = _providers.build_request("serperdev", "q4", 3, "K4")
    assert serper.method == "POST" and serper.headers["X-API-KEY"] == "K4"
    assert serper.json == {"q": "q4", "num": 3}
    ddg = _providers.build_request("duckduckgo", "q5", 10, None)
    assert ddg.method == "POST" and ddg.data is not None and ddg.data["q"] == "q5"
    with pytest.raises(ToolFailure, match="unknown search provider"):
        _providers.build_request("bing", "q", 1, None)


def test_every_keyed_provider_names_its_env_var():
    keys = {name: p.env_key for name, p in _providers.PROVIDERS.items()}
    assert keys == {
        "duckduckgo": None,
        "brave": "BRAVE_API_KEY",
        "tavily": "TAVILY_API_KEY",
        "serpapi": "SERPAPI_API_KEY",
        "serperdev": "SERPER_API_KEY",
    }
