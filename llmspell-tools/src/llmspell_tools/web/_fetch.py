"""Fetching for the web tools: one GET through the shared, policy-checked HTTP client,
with the options every web tool takes (``timeout_ms``, ``max_bytes``) and clear
failures for HTTP errors and for content that is not what the tool reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from llmspell import __version__
from llmspell_tools._support import fail

__all__ = [
    "FETCH_SCHEMA",
    "URL_SCHEMA",
    "USER_AGENT",
    "Fetched",
    "check_status",
    "fetch",
    "fetch_html",
    "public",
    "request_options",
    "shown",
]

USER_AGENT = f"Mozilla/5.0 (compatible; llmspell/{__version__})"
#: the largest ``timeout_ms`` a web tool accepts
MAX_TIMEOUT_MS = 120_000
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class Fetched:
    """A response as the web tools use it."""

    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    redirects: list[str]


def shown(url: str) -> str:
    """``url`` for messages: no user:password part, no query string (it may hold a
    token), no fragment — as the HTTP client shows URLs in its errors."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", "", ""))


def public(url: str) -> str:
    """``url`` for results: as fetched, without a user:password part."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def request_options(params: dict[str, Any]) -> dict[str, Any]:
    """``timeout_s`` and ``max_bytes`` for ``_http.request`` from the tool's
    ``timeout_ms`` (or rs-llmspell's ``timeout`` in seconds) and ``max_bytes``
    parameters (absent: the ``[security]`` defaults; ``max_bytes`` can only lower
    ``[security] max_response_bytes``)."""
    options: dict[str, Any] = {}
    if params.get("timeout_ms") is not None:
        options["timeout_s"] = params["timeout_ms"] / 1000
    elif params.get("timeout") is not None:
        options["timeout_s"] = float(params["timeout"])
    if params.get("max_bytes") is not None:
        options["max_bytes"] = params["max_bytes"]
    return options


def _content_type(headers: dict[str, str]) -> tuple[str, str | None]:
    raw = headers.get("content-type", "")
    media = raw.split(";", 1)[0].strip().lower()
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", raw, re.I)
    return media, match.group(1) if match else None


def check_status(status: int, url: str, what: str = "page") -> None:
    """Fail for an HTTP error status: 404/410 → NotFoundError, others → ToolError."""
    if status < 400:
        return
    kind = "NotFoundError" if status in (404, 410) else "ToolError"
    fail(f"{what} {shown(url)} answered HTTP {status}", kind=kind)


async def fetch(ctx: Any, url: str, params: dict[str, Any], *, accept: str) -> Fetched:
    """GET ``url`` under the network policy (every redirect hop checked) with the
    tool's timeout and size cap. Policy denials raise SecurityError; network errors,
    timeouts and oversized bodies are failures (``success = false``)."""
    from llmspell_tools import _http

    result = await _http.request(
        ctx,
        "GET",
        url,
        headers={"Accept": accept, "User-Agent": USER_AGENT},
        **request_options(params),
    )
    media, charset = _content_type(result.headers)
    return Fetched(result.url, result.status, media, charset, result.body, result.redirects)


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


async def fetch_html(ctx: Any, url: str, params: dict[str, Any]) -> Fetched:
    """:func:`fetch` of an HTML page: an HTTP error status or content that is not HTML
    (by Content-Type, or by a look at the body when there is none) is a failure."""
    page = await fetch(ctx, url, params, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
    check_status(page.status, page.url)
    if page.content_type in _HTML_TYPES:
        return page
    if not page.content_type and _looks_like_html(page.body):
        return page
    described = page.content_type or "content without a Content-Type that is not HTML"
    fail(
        f"{shown(page.url)} is {described}, not an HTML page; this tool reads HTML "
        "(use http-requester for other content)",
        kind="FormatError",
    )


#: the JSON-schema properties every web tool shares
URL_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "description": "the http(s) URL to fetch",
}
FETCH_SCHEMA: dict[str, Any] = {
    "timeout_ms": {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_TIMEOUT_MS,
        "description": "timeout of each request in ms (default: [security] "
        "network_timeout_seconds)",
    },
    "max_bytes": {
        "type": "integer",
        "minimum": 1,
        "description": "largest response body read (default and ceiling: [security] "
        "max_response_bytes)",
    },
}
