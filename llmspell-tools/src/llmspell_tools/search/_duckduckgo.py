"""Reading DuckDuckGo's HTML results page (https://html.duckduckgo.com/html/) into
``{title, url, snippet}`` results (pure, no network)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from llmspell_tools._support import fail

__all__ = ["parse_results", "result_url"]


def result_url(href: str, page_url: str) -> str | None:
    """The destination of a result link: DuckDuckGo wraps it as
    ``//duckduckgo.com/l/?uddg=<encoded URL>&rut=...``; a direct ``http(s)`` link is
    kept as it is; anything else (ads through ``/y.js``, relative junk) is None."""
    absolute = urljoin(page_url, href.strip())
    try:
        parts = urlsplit(absolute)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    redirector = host == "duckduckgo.com" or host.endswith(".duckduckgo.com")
    if redirector or parts.path == "/l/":
        target = parse_qs(parts.query).get("uddg")
        if not target:
            return None
        absolute = target[0]
        try:
            parts = urlsplit(absolute)
        except ValueError:
            return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return absolute


def _text(tag: Any) -> str:
    return " ".join(tag.get_text(" ").split()) if tag is not None else ""


def parse_results(body: bytes, page_url: str) -> list[dict[str, str]]:
    """The organic results of a DuckDuckGo HTML page, in order, without ads.

    A page with DuckDuckGo's bot check instead of results fails (RateLimitError); a
    page that says there are no results gives ``[]``.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    results: list[dict[str, str]] = []
    for block in soup.select("div.result"):
        classes: Any = block.get("class") or []
        if "result--ad" in classes or "result--no-result" in classes:
            continue
        link = block.select_one("a.result__a")
        if link is None:
            continue
        url = result_url(str(link.get("href") or ""), page_url)
        if url is None:
            continue
        snippet = block.select_one(".result__snippet")
        results.append({"title": _text(link), "url": url, "snippet": _text(snippet)})
    if not results and (
        soup.select_one(".anomaly-modal, #challenge-form, form[action*='anomaly']") is not None
    ):
        fail(
            "DuckDuckGo answered with a bot check instead of results; wait and retry, or "
            "use another provider (brave, tavily, serpapi, serperdev)",
            kind="RateLimitError",
        )
    return results
