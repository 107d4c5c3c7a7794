"""slack-integration against the local HTTP server serving the Slack Web API's answer
shapes (chat.postMessage, conversations.list, and the 200 + ok=false errors)."""

from __future__ import annotations

from typing import Any

import pytest

from llmspell.errors import SecurityError, ValidationError

TOOL = "slack-integration"
TOKEN = "xoxb-123456789012-1234567890123-abcdefABCDEF0123456789"

POSTED = {
    "ok": True,
    "channel": "C0123456789",
    "ts": "1718000000.000200",
    "message": {
        "type": "message",
        "subtype": "bot_message",
        "text": "Build passed",
        "ts": "1718000000.000200",
        "bot_id": "B0123456789",
        "username": "ci",
    },
}
CHANNELS_PAGE_1 = {
    "ok": True,
    "channels": [
        {
            "id": "C0123456789",
            "name": "general",
            "is_channel": True,
            "is_private": False,
            "is_archived": False,
            "is_member": True,
            "num_members": 42,
            "created": 1449252889,
            "topic": {"value": "Company-wide", "creator": "U0", "last_set": 0},
            "purpose": {"value": "Announcements", "creator": "U0", "last_set": 0},
        },
        {
            "id": "C0987654321",
            "name": "random",
            "is_channel": True,
            "is_private": False,
            "is_archived": False,
            "is_member": False,
            "num_members": 40,
            "created": 1449252889,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "Off-topic", "creator": "U0", "last_set": 0},
        },
    ],
    "response_metadata": {"next_cursor": "dGVhbTpDMDYxRkE1UEI="},
}


@pytest.fixture
def slack(net_tools: Any, http_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LLMSPELL_SLACK_API_URL", http_server.url("/api"))
    return http_server


def test_send_message(net_tools: Any, slack: Any) -> None:
    slack.route("POST", "/api/chat.postMessage", lambda req: POSTED)
    r = net_tools.ok(
        TOOL,
        operation="send_message",
        channel="C0123456789",
        text="Build passed",
        thread_ts="1717999999.000100",
    )
    req = slack.last
    assert req.headers["authorization"] == f"Bearer {TOKEN}"
    assert req.headers["content-type"].startswith("application/json")
    assert req.json() == {
        "channel": "C0123456789",
        "text": "Build passed",
        "thread_ts": "1717999999.000100",
    }
    assert r["result"] == {
        "channel": "C0123456789",
        "ts": "1718000000.000200",
        "text": "Build passed",
        "thread_ts": "1717999999.000100",
    }
    assert r["text"] == "Posted to C0123456789 (ts 1718000000.000200)"
    assert TOKEN not in str(r)


def test_list_channels(net_tools: Any, slack: Any) -> None:
    slack.route("GET", "/api/conversations.list", lambda req: CHANNELS_PAGE_1)
    r = net_tools.ok(TOOL, operation="list_channels", limit=2)
    req = slack.last
    assert req.query == {"limit": "2", "types": "public_channel", "exclude_archived": "true"}
    assert req.headers["authorization"] == f"Bearer {TOKEN}"
    assert r["result"]["count"] == 2
    assert r["result"]["channels"][0] == {
        "id": "C0123456789",
        "name": "general",
        "is_private": False,
        "is_archived": False,
        "is_member": True,
        "num_members": 42,
        "topic": "Company-wide",
        "purpose": "Announcements",
    }
    assert r["result"]["next_cursor"] == "dGVhbTpDMDYxRkE1UEI="
    assert r["text"] == "2 channel(s): #general, #random"
    net_tools.ok(
        TOOL,
        operation="list_channels",
        cursor="dGVhbTpDMDYxRkE1UEI=",
        types="public_channel,private_channel",
        include_archived=True,
    )
    assert slack.last.query["cursor"] == "dGVhbTpDMDYxRkE1UEI="
    assert slack.last.query["types"] == "public_channel,private_channel"
    assert slack.last.query["exclude_archived"] == "false"


@pytest.mark.parametrize(
    ("answer", "kind", "words"),
    [
        (
            {"ok": False, "error": "channel_not_found"},
            "NotFoundError",
            "channel_not_found: no such",
        ),
        ({"ok": False, "error": "not_in_channel"}, "ToolError", "invite it"),
        ({"ok": False, "error": "invalid_auth"}, "AuthenticationError", "SLACK_BOT_TOKEN"),
        (
            {
                "ok": False,
                "error": "missing_scope",
                "needed": "chat:write",
                "provided": "channels:read",
            },
            "AuthenticationError",
            "(needed: chat:write)",
        ),
        ({"ok": False, "error": "some_new_error"}, "ToolError", "failed: some_new_error"),
    ],
)
def test_ok_false_is_a_clear_failure(
    net_tools: Any, slack: Any, answer: dict[str, Any], kind: str, words: str
) -> None:
    slack.route("POST", "/api/chat.postMessage", lambda req: answer)
    r = net_tools.failed(TOOL, operation="send_message", channel="#general", text="hi")
    assert r["error_kind"] == kind and words in r["error"]
    assert r["error"].startswith("Slack chat.postMessage failed")
    assert TOKEN not in str(r)


def test_http_errors(net_tools: Any, slack: Any) -> None:
    slack.route("POST", "/api/chat.postMessage", lambda req: (429, {"Retry-After": "30"}, ""))
    r = net_tools.failed(TOOL, operation="send_message", channel="#general", text="hi")
    assert r["error_kind"] == "RateLimitError" and "30 s" in r["error"]
    slack.route("POST", "/api/chat.postMessage", lambda req: (200, {}, "<html>oops</html>"))
    r = net_tools.failed(TOOL, operation="send_message", channel="#general", text="hi")
    assert "not valid JSON" in r["error"]


def test_bad_input_and_missing_token(
    net_tools: Any, slack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = net_tools.failed(TOOL, operation="send_message", channel="not a channel!", text="hi")
    assert r["error_kind"] == "ValidationError" and "channel" in r["error"]
    r = net_tools.failed(TOOL, operation="send_message", channel="#general", text="  ")
    assert r["error_kind"] == "ValidationError"
    with pytest.raises(ValidationError, match="operation"):
        net_tools(TOOL, operation="delete_everything")
    assert slack.requests == []
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    r = net_tools.failed(TOOL, operation="list_channels")
    assert r["error_kind"] == "ConfigurationError" and "SLACK_BOT_TOKEN" in r["error"]


def test_network_off(tools: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LLMSPELL_SLACK_API_URL", "http://127.0.0.1:9/api")
    with pytest.raises(SecurityError, match="network access is not allowed") as exc:
        tools(TOOL, operation="send_message", channel="#general", text="hi")
    assert TOKEN not in str(exc.value)
