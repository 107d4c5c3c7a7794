"""webpage-monitor: fetch a page (network policy applies), take its readable text (or
one region's, by CSS selector) and say whether it changed since a previous version:
given as text, as a SHA-256, or kept in State under a key between runs."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from typing import Any

from llmspell.tools import Tool, ToolOutput
from llmspell_tools._support import fail, output
from llmspell_tools.web import _change, _html
from llmspell_tools.web._fetch import FETCH_SCHEMA, URL_SCHEMA, Fetched, fetch_html, public

#: the State scope of saved versions; the key is the caller's ``state_key``
#: (a spell reads them with ``State.tool_get("webpage-monitor", key)``)
STATE_SCOPE = "tool:webpage-monitor"
#: the largest content saved in State; above it only the hash is kept
STATE_CONTENT_LIMIT = 4 * 1024 * 1024
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def _content(page: Fetched, selector: Any, css: str | None, ignore_whitespace: bool) -> str:
    """The monitored text: the page's readable text, or the matches of ``selector``
    one after the other (CPU work: runs in a worker thread)."""
    soup = _html.parse_html(page.body, page.charset)
    raw = not ignore_whitespace
    if selector is None:
        text = _html.readable_text(soup, normalize=not raw)
    else:
        matches = selector.select(soup)
        if not matches:
            fail(f"selector {css!r} matches nothing on the page", kind="NotFoundError")
        text = "\n".join(_html.readable_text(el, normalize=not raw) for el in matches)
    return _change.normalize(text, ignore_whitespace=ignore_whitespace)


def _load_state(ctx: Any, key: str) -> dict[str, Any] | None:
    text = ctx.state.get(STATE_SCOPE, key)
    if text is None:
        return None
    try:
        saved = json.loads(text)
    except ValueError:
        return None
    return saved if isinstance(saved, dict) else None


def _save_state(ctx: Any, key: str, record: dict[str, Any]) -> None:
    if len(record.get("content") or "") > STATE_CONTENT_LIMIT:
        record = {**record, "content": None}
    ctx.state.set(STATE_SCOPE, key, json.dumps(record, ensure_ascii=False))


def _previous(
    params: dict[str, Any], saved: dict[str, Any] | None, ignore_whitespace: bool
) -> tuple[str | None, str | None, str | None]:
    """(previous content, previous hash, where they came from)."""
    if params.get("previous_content") is not None:
        content = _change.normalize(params["previous_content"], ignore_whitespace=ignore_whitespace)
        return content, _change.content_hash(content), "previous_content"
    if params.get("previous_hash") is not None:
        value = params["previous_hash"].strip()
        if not _HEX64.match(value):
            fail(
                "previous_hash must be a SHA-256 in hex (64 characters), as current_hash gives",
                kind="ValidationError",
            )
        return None, value.lower(), "previous_hash"
    if saved is not None:
        stored = saved.get("content")
        digest = saved.get("hash")
        if isinstance(stored, str):
            return stored, _change.content_hash(stored), "state"
        if isinstance(digest, str):
            return None, digest, "state"
    return None, None, None


async def run(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Fetch, extract and compare; save the new version when ``state_key`` is given."""
    css = params.get("selector")
    selector = _html.compile_selector(css) if css is not None else None
    ignore_whitespace = params.get("ignore_whitespace", True)
    key = params.get("state_key")
    saved = await asyncio.to_thread(_load_state, ctx, key) if key is not None else None
    page = await fetch_html(ctx, params["input"], params)
    current = await asyncio.to_thread(_content, page, selector, css, ignore_whitespace)
    current_hash = _change.content_hash(current)
    prev_content, prev_hash, source = _previous(params, saved, ignore_whitespace)
    result: dict[str, Any] = {
        "url": public(page.url),
        "selector": css,
        "changed": prev_hash is not None and prev_hash != current_hash,
        "first_check": prev_hash is None,
        "compared_with": source,
        "current_content": current,
        "current_hash": current_hash,
        "previous_hash": prev_hash,
        "diff": None,
        "diff_truncated": False,
        "added_lines": None,
        "removed_lines": None,
        "added_count": None,
        "removed_count": None,
    }
    if prev_content is not None:
        cap = params.get("max_diff_lines", 500)
        result.update(_change.compare(prev_content, current, max_lines=cap))
    if source == "state" and saved is not None:
        result["previous_checked_at"] = saved.get("checked_at")
    if key is not None:
        result["state_key"] = key
        record = {
            "url": result["url"],
            "selector": css,
            "content": current,
            "hash": current_hash,
            "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        await asyncio.to_thread(_save_state, ctx, key, record)
    if result["first_check"]:
        text = f"first check of {result['url']}: nothing to compare with yet"
    elif not result["changed"]:
        text = f"{result['url']}: unchanged"
    elif result["added_count"] is None:
        text = f"{result['url']}: changed (hash differs; no previous content to diff)"
    else:
        text = (
            f"{result['url']}: changed, {result['added_count']} lines added, "
            f"{result['removed_count']} removed"
        )
    return output(result, text=text, url=result["url"])


TOOL = Tool(
    name="webpage-monitor",
    description="Fetch a web page and tell whether its text changed: compare with "
    "'previous_content' (gives a unified diff and the added/removed lines) or "
    "'previous_hash' (result.current_hash of an earlier check), or give 'state_key' to "
    "keep the last version in State between runs. 'selector' (CSS) monitors one region; "
    "'ignore_whitespace' (default true) ignores spacing changes. Result: changed, diff, "
    "current_content, current_hash, added_lines, removed_lines. Needs network access.",
    category="web",
    handler=run,
    timeout_seconds=180,
    security=("network",),
    tags=("web", "monitor", "change", "diff", "network"),
    parameters={
        "type": "object",
        "properties": {
            "input": URL_SCHEMA,
            "previous_content": {
                "type": "string",
                "description": "the content of an earlier check (its current_content)",
            },
            "previous_hash": {
                "type": "string",
                "description": "the current_hash of an earlier check (SHA-256 hex)",
            },
            "state_key": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "description": "load the previous version from State and save this one "
                "(scope 'tool:webpage-monitor', this key); previous_content/previous_hash "
                "win when given",
            },
            "selector": {
                "type": "string",
                "minLength": 1,
                "description": "CSS selector of the region to monitor (all matches)",
            },
            "ignore_whitespace": {
                "type": "boolean",
                "default": True,
                "description": "collapse spaces and drop blank lines before comparing",
            },
            "max_diff_lines": {
                "type": "integer",
                "minimum": 1,
                "maximum": 10000,
                "default": 500,
                "description": "cap on the diff's lines and on added_lines/removed_lines",
            },
            **FETCH_SCHEMA,
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
