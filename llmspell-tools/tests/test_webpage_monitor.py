"""webpage-monitor against the local HTTP server: change detection by content, by hash
and through State, regions, whitespace, diff caps, and the refusals."""

from __future__ import annotations

import hashlib
import json

import pytest

from llmspell.errors import SecurityError, ValidationError


class Page:
    """A page whose HTML the test changes between checks."""

    def __init__(self, http_server, body: str) -> None:
        self.body = body
        http_server.route("GET", "/watched", lambda r: (200, {"Content-Type": "text/html"},
                                                        self.body))  # fmt: skip
        self.url = http_server.url("/watched")


def _doc(main: str, aside: str = "ads") -> str:
    return f"<html><head><title>W</title></head><body><main>{main}</main><aside>{aside}</aside></body></html>"  # noqa: E501


def test_first_check_then_unchanged_then_changed(net_tools, http_server):
    page = Page(http_server, _doc("<p>Price: 10</p><p>Stock: 5</p>"))
    first = net_tools.ok("webpage-monitor", input=page.url)["result"]
    assert first["first_check"] is True and first["changed"] is False
    assert first["current_content"] == "Price: 10\nStock: 5\nads"
    assert first["current_hash"] == hashlib.sha256(first["current_content"].encode()).hexdigest()
    assert first["diff"] is None and first["compared_with"] is None

    same = net_tools.ok("webpage-monitor", input=page.url,
                        previous_content=first["current_content"])  # fmt: skip
    assert same["result"]["changed"] is False and same["result"]["diff"] == ""
    assert same["result"]["added_lines"] == [] and same["text"].endswith("unchanged")

    page.body = _doc("<p>Price: 12</p><p>Stock: 5</p><p>New!</p>")
    changed = net_tools.ok("webpage-monitor", input=page.url,
                           previous_content=first["current_content"])  # fmt: skip
    res = changed["result"]
    assert res["changed"] is True and res["compared_with"] == "previous_content"
    assert res["added_lines"] == ["Price: 12", "New!"] and res["removed_lines"] == ["Price: 10"]
    assert res["added_count"] == 2 and res["removed_count"] == 1
    assert "-Price: 10" in res["diff"].splitlines() and "+New!" in res["diff"].splitlines()
    assert changed["text"].endswith("changed, 2 lines added, 1 removed")


def test_previous_hash(net_tools, http_server):
    page = Page(http_server, _doc("<p>v1</p>"))
    digest = net_tools.ok("webpage-monitor", input=page.url)["result"]["current_hash"]
    same = net_tools.ok("webpage-monitor", input=page.url, previous_hash=digest.upper())
    assert same["result"]["changed"] is False and same["result"]["compared_with"] == "previous_hash"
    page.body = _doc("<p>v2</p>")
    changed = net_tools.ok("webpage-monitor", input=page.url, previous_hash=digest)["result"]
    assert changed["changed"] is True and changed["diff"] is None
    assert changed["added_lines"] is None and changed["previous_hash"] == digest
    bad = net_tools.failed("webpage-monitor", input=page.url, previous_hash="abc")
    assert bad["error_kind"] == "ValidationError" and "SHA-256" in bad["error"]


def test_selector_watches_one_region(net_tools, http_server):
    page = Page(http_server, _doc("<p>stable</p>", aside="ad one"))
    first = net_tools.ok("webpage-monitor", input=page.url, selector="main")["result"]
    assert first["current_content"] == "stable" and first["selector"] == "main"
    page.body = _doc("<p>stable</p>", aside="ad two")
    again = net_tools.ok("webpage-monitor", input=page.url, selector="main",
                         previous_content=first["current_content"])  # fmt: skip
    assert again["result"]["changed"] is False
    whole = net_tools.ok("webpage-monitor", input=page.url, previous_content="stable\nad one")
    assert whole["result"]["changed"] is True
    missing = net_tools.failed("webpage-monitor", input=page.url, selector="#gone")
    assert missing["error_kind"] == "NotFoundError" and "#gone" in missing["error"]
    invalid = net_tools.failed("webpage-monitor", input=page.url, selector="main[")
    assert invalid["error_kind"] == "ValidationError"


def test_ignore_whitespace(net_tools, http_server):
    page = Page(http_server, _doc("<pre>a  b\n\nc</pre>"))
    loose = net_tools.ok("webpage-monitor", input=page.url, selector="pre")["result"]
    assert loose["current_content"] == "a b\nc"
    page.body = _doc("<pre>a b\nc   </pre>")
    again = net_tools.ok("webpage-monitor", input=page.url, selector="pre",
                         previous_content="a  b\n\n c")  # fmt: skip
    assert again["result"]["changed"] is False
    strict = net_tools.ok("webpage-monitor", input=page.url, selector="pre",
                          ignore_whitespace=False, previous_content="a  b\n\nc")  # fmt: skip
    assert strict["result"]["changed"] is True
    assert strict["result"]["current_content"] == "a b\nc   "


def test_state_key_keeps_the_last_version(net_tools, http_server):
    page = Page(http_server, _doc("<p>one</p>"))
    key = "news-page"
    first = net_tools.ok("webpage-monitor", input=page.url, state_key=key)["result"]
    assert first["first_check"] is True and first["state_key"] == key
    saved = json.loads(net_tools.runtime.state.get("tool:webpage-monitor", key))
    assert saved["content"] == "one\nads" and saved["hash"] == first["current_hash"]
    assert saved["url"] == page.url and saved["checked_at"].endswith("+00:00")

    unchanged = net_tools.ok("webpage-monitor", input=page.url, state_key=key)["result"]
    assert unchanged["changed"] is False and unchanged["compared_with"] == "state"
    assert unchanged["previous_checked_at"] == saved["checked_at"]

    page.body = _doc("<p>two</p>")
    changed = net_tools.ok("webpage-monitor", input=page.url, state_key=key)["result"]
    assert changed["changed"] is True and changed["removed_lines"] == ["one"]
    assert changed["added_lines"] == ["two"]
    assert json.loads(net_tools.runtime.state.get("tool:webpage-monitor", key))["content"] == (
        "two\nads"
    )
    # explicit previous_content wins over State
    explicit = net_tools.ok("webpage-monitor", input=page.url, state_key=key,
                            previous_content="two\nads")  # fmt: skip
    assert explicit["result"]["compared_with"] == "previous_content"
    assert explicit["result"]["changed"] is False
    # another key is another history
    other = net_tools.ok("webpage-monitor", input=page.url, state_key="other")["result"]
    assert other["first_check"] is True


def test_huge_content_keeps_only_the_hash_in_state(net_tools, http_server, monkeypatch):
    from llmspell_tools.web import webpage_monitor

    monkeypatch.setattr(webpage_monitor, "STATE_CONTENT_LIMIT", 10)
    page = Page(http_server, _doc("<p>" + "long text " * 10 + "</p>"))
    net_tools.ok("webpage-monitor", input=page.url, state_key="big")
    saved = json.loads(net_tools.runtime.state.get("tool:webpage-monitor", "big"))
    assert saved["content"] is None and len(saved["hash"]) == 64
    page.body = _doc("<p>other</p>")
    changed = net_tools.ok("webpage-monitor", input=page.url, state_key="big")["result"]
    assert changed["changed"] is True and changed["diff"] is None


def test_diff_is_capped(net_tools, http_server):
    page = Page(http_server, _doc("".join(f"<p>new {i}</p>" for i in range(50))))
    old = "\n".join(f"old {i}" for i in range(50))
    res = net_tools.ok("webpage-monitor", input=page.url, previous_content=old,
                       max_diff_lines=20)["result"]  # fmt: skip
    assert res["diff_truncated"] is True and len(res["diff"].splitlines()) == 20
    assert len(res["added_lines"]) == 20 and res["added_count"] == 51  # 50 + "ads"


def test_refusals(tools, net_tools, http_server):
    with pytest.raises(SecurityError, match="network access is not allowed"):
        tools("webpage-monitor", input=http_server.url("/page.html"), state_key="k")
    with pytest.raises(SecurityError, match=r"169\.254\.169\.254"):
        net_tools("webpage-monitor", input=http_server.url("/redirect/metadata"), state_key="k")
    assert net_tools.runtime.state.get("tool:webpage-monitor", "k") is None  # nothing saved
    r = net_tools.failed("webpage-monitor", input=http_server.url("/json"))
    assert r["error_kind"] == "FormatError"
    r = net_tools.failed("webpage-monitor", input=http_server.url("/page.html"), max_bytes=100)
    assert "larger than the limit of 100 bytes" in r["error"]
    r = net_tools.failed("webpage-monitor", input=http_server.url("/slow?delay_ms=3000"),
                         timeout_ms=200)  # fmt: skip
    assert r["error_kind"] == "TimeoutError"
    r = net_tools.failed("webpage-monitor", input=http_server.url("/status/404"))
    assert r["error_kind"] == "NotFoundError"
    net_tools.runtime.policy.denied_hosts = ["127.0.0.0/8"]
    with pytest.raises(SecurityError, match="denied_hosts"):
        net_tools("webpage-monitor", input=http_server.url("/page.html"))


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/x", "file:///etc/passwd", "http://"])
def test_bad_urls_raise(net_tools, url):
    with pytest.raises((ValidationError, SecurityError)):
        net_tools("webpage-monitor", input=url)
