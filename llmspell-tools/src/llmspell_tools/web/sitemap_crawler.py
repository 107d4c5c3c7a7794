"""sitemap-crawler: read a site's sitemaps (network policy applies to every fetch) and
list the page URLs they give, following sitemap indexes to a bounded depth."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from llmspell.errors import SecurityError
from llmspell.tools import Tool, ToolFailure, ToolOutput
from llmspell_tools._support import fail, output
from llmspell_tools.web import _sitemap
from llmspell_tools.web._fetch import FETCH_SCHEMA, URL_SCHEMA, check_status, fetch, public, shown

#: the sitemaps.org limit on a sitemap's uncompressed size
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
#: after this many seconds no further sitemap is fetched (the tool's timeout is 300 s)
CRAWL_BUDGET_S = 240.0
_ACCEPT = "application/xml,text/xml;q=0.9,application/gzip;q=0.8,text/plain;q=0.5,*/*;q=0.1"


def _site_root(url: str) -> str | None:
    """The origin of ``url`` when it names a whole site (no path beyond ``/``, no
    query), else None (``url`` is then taken as a sitemap's URL)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.netloc and parts.path in ("", "/") and not parts.query:
        return urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return None


async def _discover(ctx: Any, root: str, params: dict[str, Any]) -> tuple[list[str], str]:
    """The sitemaps of a site: ``Sitemap:`` lines of its robots.txt, else
    ``/sitemap.xml``. A policy denial raises; a missing robots.txt falls back."""
    robots_url = root + "/robots.txt"
    try:
        robots = await fetch(ctx, robots_url, params, accept="text/plain,*/*;q=0.1")
    except ToolFailure:
        robots = None
    if robots is not None and robots.status < 400 and not robots.content_type.endswith("html"):
        found = _sitemap.sitemaps_from_robots(
            robots.body.decode("utf-8", errors="replace"), robots.url
        )
        if found:
            return found, "robots.txt"
    return [root + "/sitemap.xml"], "default"


async def _read(ctx: Any, url: str, params: dict[str, Any], limit: int) -> Any:
    """Fetch and parse one sitemap (gzip or not)."""
    page = await fetch(ctx, url, params, accept=_ACCEPT)
    check_status(page.status, page.url, "sitemap")
    body = page.body
    if _sitemap.looks_gzipped(body):
        body = await asyncio.to_thread(_sitemap.gunzip_capped, body, limit, what=shown(url))
    elif len(body) > limit:
        fail(f"sitemap {shown(url)} is over {limit} bytes", kind="LimitExceeded")
    if page.content_type.endswith("html") and not body.lstrip().startswith(b"<?xml"):
        fail(
            f"{shown(page.url)} is an HTML page, not a sitemap; give a sitemap's URL or the "
            "site's root URL (its sitemaps are then found through robots.txt)",
            kind="FormatError",
        )
    return await asyncio.to_thread(_sitemap.parse_sitemap, body, what=f"sitemap {shown(url)}")


def _reason(exc: BaseException) -> str:
    kind = getattr(exc, "kind", type(exc).__name__)
    return f"{kind}: {exc}"


async def run(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Crawl the sitemaps of ``input`` breadth-first within the limits."""
    url = params["input"]
    follow = params.get("follow_sitemaps", True)
    max_depth = params.get("max_depth", 3)
    max_urls = params.get("max_urls", 1000)
    max_sitemaps = params.get("max_sitemaps", 50)
    limit = min(MAX_SITEMAP_BYTES, ctx.policy.max_input_bytes)
    root = _site_root(url)
    if root is not None:
        roots, source = await _discover(ctx, root, params)
    else:
        roots, source = [url], "input"
    started = time.monotonic()
    queue = deque((r, 0) for r in roots)
    seen_sitemaps = set(roots)
    seen_urls: set[str] = set()
    urls: list[dict[str, Any]] = []
    visited: list[str] = []
    skipped: list[dict[str, str]] = []
    first_error: BaseException | None = None
    truncated = False
    while queue:
        current, depth = queue.popleft()
        if len(visited) >= max_sitemaps or time.monotonic() - started > CRAWL_BUDGET_S:
            truncated = True
            why = "max_sitemaps reached" if len(visited) >= max_sitemaps else "time budget spent"
            left = [current, *(u for u, _ in queue)]
            skipped.extend({"url": public(u), "reason": why} for u in left)
            break
        try:
            document = await _read(ctx, current, params, limit)
        except (ToolFailure, SecurityError) as exc:
            # the caller's own URL raises (or fails) as itself; a sitemap named by
            # robots.txt or an index is skipped, with the reason, and the crawl goes on
            if source == "input" and depth == 0:
                raise
            first_error = first_error or exc
            skipped.append({"url": public(current), "reason": _reason(exc)})
            continue
        visited.append(public(current))
        for child in document.sitemaps:
            loc = child["loc"]
            if loc in seen_sitemaps:
                continue
            seen_sitemaps.add(loc)
            if not follow:
                skipped.append({"url": public(loc), "reason": "follow_sitemaps is false"})
            elif depth + 1 > max_depth:
                skipped.append({"url": public(loc), "reason": f"deeper than max_depth {max_depth}"})
            else:
                queue.append((loc, depth + 1))
        for entry in document.urls:
            if entry["loc"] in seen_urls:
                continue
            if len(urls) >= max_urls:
                truncated = True
                break
            seen_urls.add(entry["loc"])
            urls.append(entry)
        if truncated:
            break
    if not visited and first_error is not None:
        if source == "default" and not isinstance(first_error, SecurityError):
            fail(
                f"no sitemap found for {shown(url)}: its robots.txt names none and "
                f"{shown(roots[0])} failed ({first_error})",
                kind=getattr(first_error, "kind", "ToolError"),
            )
        raise first_error
    result = {
        "urls": urls,
        "count": len(urls),
        "sitemaps": visited,
        "skipped": skipped,
        "truncated": truncated,
        "source": source,
    }
    text = f"{len(urls)} URLs from {len(visited)} sitemaps" + (" (truncated)" if truncated else "")
    return output(result, text=text, url=public(url))


TOOL = Tool(
    name="sitemap-crawler",
    description="List the page URLs of a site's sitemaps: 'input' is a sitemap's URL "
    "(.xml, .xml.gz, text) or a site's root URL (its sitemaps come from robots.txt, else "
    "/sitemap.xml). Sitemap indexes are followed up to max_depth; at most max_urls URLs "
    "(default 1000). Result: urls [{loc, lastmod, changefreq, priority}], sitemaps "
    "(read), skipped [{url, reason}], truncated. Needs network access.",
    category="web",
    handler=run,
    timeout_seconds=300,
    security=("network",),
    tags=("web", "sitemap", "crawl", "seo", "network"),
    parameters={
        "type": "object",
        "properties": {
            "input": URL_SCHEMA,
            "follow_sitemaps": {
                "type": "boolean",
                "default": True,
                "description": "read the sitemaps a sitemap index lists",
            },
            "max_depth": {
                "type": "integer",
                "minimum": 0,
                "maximum": 5,
                "default": 3,
                "description": "how many levels of sitemap indexes to follow",
            },
            "max_urls": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1000},
            "max_sitemaps": {
                "type": "integer",
                "minimum": 1,
                "maximum": 1000,
                "default": 50,
                "description": "the most sitemap files fetched",
            },
            **FETCH_SCHEMA,
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
