"""slack-integration: post a message to a Slack channel, or list channels (Web API).

The bot token comes from SLACK_BOT_TOKEN (or ``[tools.slack-integration] token``),
never from a parameter, and never appears in results or errors. The API base is
LLMSPELL_SLACK_API_URL, ``[tools.slack-integration] api_url`` or https://slack.com/api.
Slack answers HTTP 200 with ``{"ok": false, "error": "..."}`` for most failures; those
become ``success=false`` with the error explained.
"""

from __future__ import annotations

import os
import re
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._http import HttpResult, request
from llmspell_tools._support import fail, output
from llmspell_tools.communication._settings import pick, tool_config

NAME = "slack-integration"
DEFAULT_API_URL = "https://slack.com/api"
MAX_TEXT = 40_000  # Slack truncates messages past 40,000 characters
CONFIG_KEYS: dict[str, type | tuple[type, ...]] = {"api_url": str, "token": str}
_CHANNEL = re.compile(r"^(#?[a-z0-9._-]{1,80}|[CGDU][A-Z0-9]{2,})$")

#: Slack error codes → (kind, explanation)
SLACK_ERRORS = {
    "not_authed": ("AuthenticationError", "no token was sent; set SLACK_BOT_TOKEN"),
    "invalid_auth": ("AuthenticationError", "the token is not valid; check SLACK_BOT_TOKEN"),
    "token_revoked": ("AuthenticationError", "the token was revoked; set a new SLACK_BOT_TOKEN"),
    "account_inactive": ("AuthenticationError", "the token's account is deactivated"),
    "channel_not_found": (
        "NotFoundError",
        "no such channel, or the bot cannot see it (use the channel ID, e.g. C0123456789)",
    ),
    "not_in_channel": ("ToolError", "the bot is not a member: invite it to the channel first"),
    "is_archived": ("ToolError", "the channel is archived"),
    "msg_too_long": ("ValidationError", "the message text is too long"),
    "no_text": ("ValidationError", "the message has no text"),
    "missing_scope": ("AuthenticationError", "the token lacks a required OAuth scope"),
    "ratelimited": ("RateLimitError", "rate limited by Slack; try again later"),
}


def _token(config: dict[str, Any]) -> str:
    token = os.environ.get("SLACK_BOT_TOKEN") or config.get("token")
    if not token:
        fail(
            "slack-integration needs a bot token: set SLACK_BOT_TOKEN (xoxb-...) or "
            "[tools.slack-integration] token",
            kind="ConfigurationError",
        )
    return str(token)


def _answer(result: HttpResult, method: str, token: str) -> dict[str, Any]:
    """The JSON answer of a Slack Web API call, or a clear failure."""
    if result.status == 429:
        wait = result.headers.get("retry-after", "?")
        fail(f"Slack {method}: rate limited (retry after {wait} s)", kind="RateLimitError")
    if result.status in (401, 403):
        fail(
            f"Slack {method}: HTTP {result.status}; check SLACK_BOT_TOKEN",
            kind="AuthenticationError",
        )
    if result.status >= 400:
        detail = " ".join(result.text().split())[:200].replace(token, "***")
        fail(f"Slack {method}: HTTP {result.status}: {detail}")
    data = result.json()
    if not isinstance(data, dict):
        fail(f"Slack {method}: unexpected answer (not a JSON object)")
    if not data.get("ok"):
        code = str(data.get("error") or "unknown_error")
        kind, why = SLACK_ERRORS.get(code, ("ToolError", ""))
        extra = (
            f" (needed: {data['needed']})" if code == "missing_scope" and data.get("needed") else ""
        )
        message = f"Slack {method} failed: {code}" + (f": {why}" if why else "") + extra
        fail(message.replace(token, "***"), kind=kind)
    return data


async def _send_message(params: dict[str, Any], ctx: Any, base: str, token: str) -> Any:
    channel = params.get("channel")
    text = params.get("text")
    if not channel or not _CHANNEL.match(channel):
        fail(
            f"'channel' must be a channel ID (C0123456789) or name (#general); got {channel!r}",
            kind="ValidationError",
        )
    if not text or not text.strip():
        fail("'text' (the message) is required", kind="ValidationError")
    if len(text) > MAX_TEXT:
        fail(f"'text' is over {MAX_TEXT} characters", kind="ValidationError")
    body: dict[str, Any] = {"channel": channel, "text": text}
    if params.get("thread_ts"):
        body["thread_ts"] = params["thread_ts"]
    result = await request(
        ctx,
        "POST",
        f"{base}/chat.postMessage",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        secrets=[token],
        follow_redirects=False,
    )
    data = _answer(result, "chat.postMessage", token)
    answer = {"channel": data.get("channel"), "ts": data.get("ts"), "text": text}
    if params.get("thread_ts"):
        answer["thread_ts"] = params["thread_ts"]
    return output(answer, text=f"Posted to {data.get('channel')} (ts {data.get('ts')})")


def _channel(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": c.get("id"),
        "name": c.get("name"),
        "is_private": bool(c.get("is_private")),
        "is_archived": bool(c.get("is_archived")),
        "is_member": bool(c.get("is_member")),
        "num_members": c.get("num_members"),
        "topic": (c.get("topic") or {}).get("value") or "",
        "purpose": (c.get("purpose") or {}).get("value") or "",
    }


async def _list_channels(params: dict[str, Any], ctx: Any, base: str, token: str) -> Any:
    query: dict[str, Any] = {
        "limit": params.get("limit", 100),
        "types": params.get("types", "public_channel"),
        "exclude_archived": "false" if params.get("include_archived") else "true",
    }
    if params.get("cursor"):
        query["cursor"] = params["cursor"]
    result = await request(
        ctx,
        "GET",
        f"{base}/conversations.list",
        headers={"Authorization": f"Bearer {token}"},
        params=query,
        secrets=[token],
        retries=2,
    )
    data = _answer(result, "conversations.list", token)
    channels = [_channel(c) for c in data.get("channels") or [] if isinstance(c, dict)]
    cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
    names = ", ".join(f"#{c['name']}" for c in channels[:20])
    more = f" (+{len(channels) - 20} more)" if len(channels) > 20 else ""
    return output(
        {"channels": channels, "count": len(channels), "next_cursor": cursor},
        text=f"{len(channels)} channel(s): {names}{more}",
    )


async def run(params: dict[str, Any], ctx: Any) -> Any:
    """Send a message or list channels."""
    config = tool_config(ctx, NAME, CONFIG_KEYS)
    token = _token(config)
    base = str(pick({}, config, "api_url", "LLMSPELL_SLACK_API_URL", DEFAULT_API_URL)).rstrip("/")
    operations = {"send_message": _send_message, "list_channels": _list_channels}
    return await operations[params["operation"]](params, ctx, base, token)


TOOL = Tool(
    name=NAME,
    description="Post a message to a Slack channel (operation send_message: channel, text, "
    "thread_ts) or list channels (list_channels: limit, cursor, types). Token from "
    "SLACK_BOT_TOKEN. Needs network access.",
    category="communication",
    handler=run,
    timeout_seconds=60,
    security=("network",),
    settings={
        "api_url": {
            "type": "string",
            "description": "the Slack API URL (default https://slack.com/api)",
        },
        "token": {"type": "string", "description": "the bot token (prefer SLACK_BOT_TOKEN)"},
    },
    tags=("slack", "chat", "message", "notification"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {"type": "string", "enum": ["send_message", "list_channels"]},
            "channel": {"type": "string", "description": "send_message: channel ID or #name"},
            "text": {"type": "string", "description": "send_message: the message (mrkdwn)"},
            "thread_ts": {"type": "string", "description": "send_message: reply in a thread"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
            "cursor": {"type": "string", "description": "list_channels: next page cursor"},
            "types": {
                "type": "string",
                "description": "list_channels: public_channel (default), private_channel, mpim, "
                "im; comma-separated",
                "pattern": "^(public_channel|private_channel|mpim|im)(,(public_channel|"
                "private_channel|mpim|im))*$",
            },
            "include_archived": {"type": "boolean", "default": False},
        },
        "required": ["operation"],
        "additionalProperties": False,
    },
)
