"""The search providers web-searcher speaks to: where each one lives, where its key
goes, how many results one request can give, and how its answer becomes
``{title, url, snippet}`` results (pure, no network).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from llmspell_tools._support import fail

__all__ = [
    "PROVIDERS",
    "Provider",
    "SearchRequest",
    "apply_options",
    "build_request",
    "error_detail",
    "normalize",
]


@dataclass(frozen=True)
class Provider:
    """A search provider: its endpoint, the env var holding its key (None: no key),
    and the most results one request returns."""

    name: str
    url: str
    env_key: str | None
    cap: int


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("duckduckgo", "https://html.duckduckgo.com/html/", None, 30),
        Provider("brave", "https://api.search.brave.com/res/v1/web/search", "BRAVE_API_KEY", 20),
        Provider("tavily", "https://api.tavily.com/search", "TAVILY_API_KEY", 20),
        Provider("serpapi", "https://serpapi.com/search.json", "SERPAPI_API_KEY", 100),
        Provider("serperdev", "https://google.serper.dev/search", "SERPER_API_KEY", 100),
    )
}


@dataclass
class SearchRequest:
    """The HTTP request of one search (the URL comes from the provider or an override)."""

    method: str
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] | None = None
    json: Any = None
    data: dict[str, str] | None = None


def build_request(provider: str, query: str, count: int, key: str | None) -> SearchRequest:
    """The request asking ``provider`` for ``count`` results for ``query``, with ``key``
    where that API expects it: Brave ``X-Subscription-Token`` header, Tavily
    ``api_key`` in the JSON body, SerpApi ``api_key`` query parameter, Serper
    ``X-API-KEY`` header; DuckDuckGo's HTML form needs none."""
    accept_json = {"Accept": "application/json"}
    if provider == "duckduckgo":
        return SearchRequest("POST", {"Accept": "text/html"}, data={"q": query, "kl": "wt-wt"})
    if provider == "brave":
        headers = {**accept_json, "X-Subscription-Token": key or ""}
        return SearchRequest("GET", headers, params={"q": query, "count": str(count)})
    if provider == "tavily":
        body = {"api_key": key, "query": query, "max_results": count, "search_depth": "basic"}
        return SearchRequest("POST", accept_json, json=body)
    if provider == "serpapi":
        params = {"engine": "google", "q": query, "num": str(count), "api_key": key or ""}
        return SearchRequest("GET", accept_json, params=params)
    if provider == "serperdev":
        headers = {**accept_json, "X-API-KEY": key or ""}
        return SearchRequest("POST", headers, json={"q": query, "num": count})
    fail(f"unknown search provider {provider!r}", kind="ValidationError")


#: safe_search values (rs-llmspell sends a boolean or a level) as levels
_SAFE_LEVELS = {True: "strict", False: "off", "strict": "strict", "moderate": "moderate",
                "off": "off"}  # fmt: skip
_DDG_SAFE = {"strict": "1", "moderate": "-2", "off": "-1"}


def apply_options(
    req: SearchRequest, provider: str, language: str | None, safe_search: Any
) -> SearchRequest:
    """``req`` with rs-llmspell's ``language`` and ``safe_search`` in the form ``provider``
    takes them (a provider without such a setting ignores it; Tavily has neither)."""
    level = _SAFE_LEVELS.get(safe_search) if safe_search is not None else None
    if provider == "duckduckgo" and req.data is not None:
        if language and "-" in language:  # a DuckDuckGo region such as us-en
            req.data["kl"] = language
        if level:
            req.data["kp"] = _DDG_SAFE[level]
    elif provider == "brave" and req.params is not None:
        if language:
            req.params["search_lang"] = language
        if level:
            req.params["safesearch"] = level
    elif provider == "serpapi" and req.params is not None:
        if language:
            req.params["hl"] = language
        if level:
            req.params["safe"] = "off" if level == "off" else "active"
    elif provider == "serperdev" and isinstance(req.json, dict) and language:
        req.json["hl"] = language
    return req


_TAG = re.compile(r"<[^>]*>")


def _clean(value: Any) -> str:
    """Plain text of a provider string: tags such as ``<strong>`` removed, entities
    decoded, whitespace collapsed."""
    if not isinstance(value, str):
        return ""
    return " ".join(html.unescape(_TAG.sub("", value)).split())


def _entries(payload: Any, *path: str) -> list[Any]:
    node = payload
    for name in path:
        node = node.get(name) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


#: where each JSON API puts its results and what it calls the fields
_SHAPES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "brave": (("web", "results"), "url", "description"),
    "tavily": (("results",), "url", "content"),
    "serpapi": (("organic_results",), "link", "snippet"),
    "serperdev": (("organic",), "link", "snippet"),
}


def normalize(provider: str, payload: Any) -> list[dict[str, str]]:
    """The ``{title, url, snippet}`` results of a JSON API's answer, in order; entries
    without an ``http(s)`` URL are left out. A SerpApi answer whose ``error`` says
    Google returned nothing is an empty list; any other ``error`` fails."""
    if provider == "serpapi" and isinstance(payload, dict) and payload.get("error"):
        message = str(payload["error"])
        if "hasn't returned any results" in message:
            return []
        fail(f"serpapi: {message}")
    path, url_field, snippet_field = _SHAPES[provider]
    if not isinstance(payload, dict):
        fail(f"{provider} answered with JSON that is not an object", kind="FormatError")
    results = []
    for entry in _entries(payload, *path):
        if not isinstance(entry, dict):
            continue
        url = entry.get(url_field)
        if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
            continue
        results.append(
            {
                "title": _clean(entry.get("title")),
                "url": url,
                "snippet": _clean(entry.get(snippet_field)),
            }
        )
    return results


def error_detail(payload: Any) -> str | None:
    """The human part of an API's error answer (Brave ``error.detail``, Tavily
    ``detail.error``, SerpApi ``error``, Serper ``message``), or None."""
    if not isinstance(payload, dict):
        return None
    for path in (("error", "detail"), ("detail", "error"), ("error",), ("message",), ("detail",)):
        node: Any = payload
        for name in path:
            node = node.get(name) if isinstance(node, dict) else None
        if isinstance(node, str) and node.strip():
            return " ".join(node.split())[:300]
    return None
