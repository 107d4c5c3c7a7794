"""web-scraper: fetch an HTML page (network policy applies) and extract content with
CSS selectors, plus its readable text, links, images and metadata."""

from __future__ import annotations

import asyncio
from typing import Any

from llmspell.tools import Tool, ToolOutput
from llmspell_tools._support import output
from llmspell_tools.web import _html
from llmspell_tools.web._fetch import FETCH_SCHEMA, URL_SCHEMA, Fetched, fetch_html, public


def _compile(params: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Every selector compiled before anything is fetched (a typo fails at once)."""
    named = {
        name: _html.compile_selector(css, what=f"selectors.{name}")
        for name, css in (params.get("selectors") or {}).items()
    }
    single = params.get("selector")
    return named, _html.compile_selector(single) if single is not None else None


def _extract(
    page: Fetched, params: dict[str, Any], named: dict[str, Any], single: Any
) -> ToolOutput:
    """The scrape result of a fetched page (CPU work: runs in a worker thread)."""
    soup = _html.parse_html(page.body, page.charset)
    title = soup.find("title")
    url = public(page.url)  # relative links resolve against it: no credentials in them
    result: dict[str, Any] = {
        "url": url,
        "status": page.status,
        "content_type": page.content_type or None,
        "title": " ".join(title.get_text().split()) if title is not None else None,
    }
    if page.redirects:
        result["redirects"] = [public(u) for u in page.redirects]
    if named:
        result["selectors"] = {name: _html.select_texts(soup, sel) for name, sel in named.items()}
    if single is not None:
        result["selected"] = _html.select_elements(
            soup, single, include_html=bool(params.get("include_html"))
        )
    if params.get("extract_links"):
        result["links"] = _html.extract_links(soup, url)
    if params.get("extract_images"):
        result["images"] = _html.extract_images(soup, url)
    if params.get("extract_meta"):
        result["meta"] = _html.extract_meta(soup, url)
    want_text = params.get("text")
    if want_text is None:
        want_text = not named and single is None
    text = _html.readable_text(soup) if want_text else None
    if text is None:
        parts = [f"scraped {result['url']}"]
        if named:
            counts = ", ".join(f"{k}: {len(v)}" for k, v in result["selectors"].items())
            parts.append(f"selectors ({counts})")
        if single is not None:
            parts.append(f"{len(result['selected'])} elements matched")
        text = "; ".join(parts)
    # rs-llmspell's result is {url, content}: the page's readable text
    result["content"] = text if want_text else _html.readable_text(soup)
    return output(result, text=text, url=result["url"], bytes=len(page.body))


async def run(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Fetch the page at ``input`` and extract what the parameters ask for."""
    named, single = _compile(params)
    page = await fetch_html(ctx, params["input"], params)
    return await asyncio.to_thread(_extract, page, params, named, single)


TOOL = Tool(
    name="web-scraper",
    description="Fetch an HTML page and extract content: 'selectors' {name: CSS} gives "
    "result.selectors {name: [texts]}, 'selector' gives result.selected [{text, attrs, "
    "html?}], extract_links/extract_images/extract_meta add result.links [{url, text}], "
    "result.images [{src, alt}], result.meta {title, description, canonical, lang, "
    "open_graph, ...}. The readable page text (no scripts or styles) is the result's "
    "text (by default when no selector is given). Needs network access "
    "([security] allow_network); non-HTML content fails.",
    category="web",
    handler=run,
    timeout_seconds=180,
    security=("network",),
    tags=("web", "html", "scrape", "css", "network"),
    parameters={
        "type": "object",
        "properties": {
            "input": URL_SCHEMA,
            "selectors": {
                "type": "object",
                "additionalProperties": {"type": "string", "minLength": 1},
                "description": "named CSS selectors: {name: css} → result.selectors "
                "{name: [text of each match]}",
            },
            "selector": {
                "type": "string",
                "minLength": 1,
                "description": "one CSS selector → result.selected [{text, attrs, html?}]",
            },
            "include_html": {
                "type": "boolean",
                "default": False,
                "description": "with 'selector': add each element's outer HTML",
            },
            "extract_links": {"type": "boolean", "default": False},
            "extract_images": {"type": "boolean", "default": False},
            "extract_meta": {"type": "boolean", "default": False},
            "text": {
                "type": "boolean",
                "description": "put the page's readable text in the result's text "
                "(default: true unless selectors/selector are given)",
            },
            **FETCH_SCHEMA,
            "timeout": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 120,
                "description": "timeout in seconds (rs-llmspell's name; timeout_ms wins)",
            },
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
