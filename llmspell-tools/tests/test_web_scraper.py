"""web-scraper against the local HTTP server (127.0.0.1 only): extraction, redirects,
and every refusal (network off, denied hosts, metadata redirect, non-HTML, size, time)."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import SecurityError, ValidationError


def test_default_is_title_and_readable_text(net_tools, http_server):
    r = net_tools.ok("web-scraper", input=http_server.url("/page.html"))
    res = r["result"]
    assert res["url"] == http_server.url("/page.html") and res["status"] == 200
    assert res["title"] == "Test Page Title" and res["content_type"] == "text/html"
    lines = r["text"].splitlines()
    assert lines[:2] == ["Welcome", "This is the intro paragraph."]
    assert "alpha 1" in lines and "Item two" in lines
    assert "script text" not in r["text"] and "Test Page Title" not in r["text"]
    assert "selectors" not in res and "links" not in res and "meta" not in res
    assert http_server.last.headers["user-agent"].startswith("Mozilla/5.0 (compatible; llmspell/")


def test_named_selectors(net_tools, http_server):
    selectors = {"heading": "h1", "items": "div.item", "steps": "ol.steps li", "none": "h6"}
    r = net_tools.ok("web-scraper", input=http_server.url("/"), selectors=selectors)
    assert r["result"]["selectors"] == {
        "heading": ["Welcome"],
        "items": ["Item one", "Item two"],
        "steps": ["First", "Second", "Third"],
        "none": [],
    }
    assert r["text"].startswith("scraped http://127.0.0.1:")  # no page text unless asked
    with_text = net_tools.ok("web-scraper", input=http_server.url("/"), selectors={"h": "h1"},
                             text=True)  # fmt: skip
    assert with_text["text"].startswith("Welcome\n")


def test_single_selector_with_attrs_and_html(net_tools, http_server):
    r = net_tools.ok("web-scraper", input=http_server.url("/"), selector="div.item",
                     include_html=True)  # fmt: skip
    assert r["result"]["selected"] == [
        {"text": "Item one", "attrs": {"class": "item", "data-id": "1"},
         "html": '<div class="item" data-id="1">Item one</div>'},
        {"text": "Item two", "attrs": {"class": "item", "data-id": "2"},
         "html": '<div class="item" data-id="2">Item two</div>'},
    ]  # fmt: skip
    plain = net_tools.ok("web-scraper", input=http_server.url("/"), selector="#main-title")
    assert plain["result"]["selected"] == [{"text": "Welcome", "attrs": {"id": "main-title"}}]


def test_links_images_meta(net_tools, http_server):
    base = http_server.base_url
    r = net_tools.ok("web-scraper", input=http_server.url("/page.html"), extract_links=True,
                     extract_images=True, extract_meta=True)  # fmt: skip
    res = r["result"]
    assert res["links"] == [
        {"url": f"{base}/page2.html", "text": "Page two"},
        {"url": f"{base}/json", "text": "JSON data"},
        {"url": "https://example.com/external", "text": "External"},
        {"url": "mailto:someone@example.com", "text": "Mail"},
        {"url": f"{base}/page.html#section", "text": "Anchor"},
    ]
    assert res["images"] == [
        {"src": f"{base}/images/logo.png", "alt": "Logo"},
        {"src": "https://example.com/photo.jpg", "alt": "Photo"},
    ]
    meta = res["meta"]
    assert meta["title"] == "Test Page Title" and meta["lang"] == "en"
    assert meta["description"] == "A page served by the llmspell test server."
    assert meta["canonical"] == f"{base}/page.html" and meta["author"] == "llmspell"
    assert meta["open_graph"] == {"title": "OG Test Title", "type": "website"}


def test_redirects_are_followed_and_reported(net_tools, http_server):
    r = net_tools.ok("web-scraper", input=http_server.url("/redirect?to=/page2.html"))
    assert r["result"]["url"] == http_server.url("/page2.html")
    assert r["result"]["redirects"] == [http_server.url("/redirect?to=/page2.html")]
    assert r["result"]["title"] == "Page Two"
    assert r["text"] == "Second page\nBack to the first page."


def test_charset_from_header_and_sniffed_html(net_tools, http_server):
    latin = "<html><body><p>café crème</p></body></html>".encode("latin-1")
    latin_type = {"Content-Type": "text/html; charset=ISO-8859-1"}
    http_server.route("GET", "/latin", lambda r: (200, latin_type, latin))
    assert net_tools.ok("web-scraper", input=http_server.url("/latin"))["text"] == "café crème"
    http_server.route("GET", "/untyped", lambda r: (200, {}, b"<!DOCTYPE html><p>bare</p>"))
    assert net_tools.ok("web-scraper", input=http_server.url("/untyped"))["text"] == "bare"


def test_invalid_selector_fails_before_fetching(net_tools, http_server):
    r = net_tools.failed("web-scraper", input=http_server.url("/"), selectors={"x": "div["})
    assert r["error_kind"] == "ValidationError" and "selectors.x" in r["error"]
    r = net_tools.failed("web-scraper", input=http_server.url("/"), selector="p:::q")
    assert r["error_kind"] == "ValidationError"
    assert http_server.requests == []


def test_schema_misuse_raises(net_tools, http_server):
    with pytest.raises(ValidationError, match="parameter 'input'"):
        net_tools("web-scraper")
    with pytest.raises(ValidationError, match="parameter 'selectors"):
        net_tools("web-scraper", input=http_server.url("/"), selectors={"x": 3})
    with pytest.raises(ValidationError, match="parameter 'timeout_ms'"):
        net_tools("web-scraper", input=http_server.url("/"), timeout_ms=0)
    with pytest.raises(ValidationError, match="additional property 'nope'"):
        net_tools("web-scraper", input=http_server.url("/"), nope=1)


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/file", "file:///etc/passwd",
                                 "http://"])  # fmt: skip
def test_bad_urls_raise(net_tools, url):
    with pytest.raises((ValidationError, SecurityError)):
        net_tools("web-scraper", input=url)


def test_network_off_is_a_security_error(tools, http_server):
    with pytest.raises(SecurityError, match="network access is not allowed"):
        tools("web-scraper", input=http_server.url("/page.html"))
    assert http_server.requests == []


def test_denied_and_unlisted_hosts(net_tools, http_server):
    with pytest.raises(SecurityError, match="allowed_hosts"):
        net_tools("web-scraper", input=f"http://127.0.0.2:{http_server.port}/page.html")
    net_tools.runtime.policy.denied_hosts = ["127.0.0.1"]
    with pytest.raises(SecurityError, match="denied_hosts"):
        net_tools("web-scraper", input=http_server.url("/page.html"))
    assert http_server.requests == []


def test_redirect_to_cloud_metadata_is_denied(net_tools, http_server):
    with pytest.raises(SecurityError, match=r"169\.254\.169\.254"):
        net_tools("web-scraper", input=http_server.url("/redirect/metadata"))


def test_non_html_fails_clearly(net_tools, http_server):
    r = net_tools.failed("web-scraper", input=http_server.url("/json"))
    assert r["error_kind"] == "FormatError"
    assert "application/json, not an HTML page" in r["error"]
    r = net_tools.failed("web-scraper", input=http_server.url("/text"))
    assert "text/plain" in r["error"]


def test_http_errors(net_tools, http_server):
    r = net_tools.failed("web-scraper", input=http_server.url("/status/404"))
    assert r["error_kind"] == "NotFoundError" and "HTTP 404" in r["error"]
    r = net_tools.failed("web-scraper", input=http_server.url("/status/503"))
    assert r["error_kind"] == "ToolError" and "HTTP 503" in r["error"]


def test_too_large(net_tools, http_server):
    big = b"<html><body>" + b"<p>x</p>" * 2000 + b"</body></html>"
    http_server.route("GET", "/big", lambda r: (200, {"Content-Type": "text/html"}, big))
    r = net_tools.failed("web-scraper", input=http_server.url("/big"), max_bytes=1000)
    assert "larger than the limit of 1000 bytes" in r["error"] and "max_bytes" in r["error"]
    net_tools.runtime.policy.max_response_bytes = 500
    r = net_tools.failed("web-scraper", input=http_server.url("/big"))
    assert "max_response_bytes" in r["error"]


def test_timeout(net_tools, http_server):
    r = net_tools.failed("web-scraper", input=http_server.url("/slow?delay_ms=3000"),
                         timeout_ms=200)  # fmt: skip
    assert r["error_kind"] == "TimeoutError" and "timed out after 0.2 s" in r["error"]
    r = net_tools.failed("web-scraper", input=http_server.url("/slow?delay_ms=3000"), timeout=0.2)
    assert r["error_kind"] == "TimeoutError"


def test_credentials_in_the_url_never_come_back(net_tools, http_server):
    url = f"http://bob:hunter2secret@127.0.0.1:{http_server.port}/page.html"
    try:
        r = net_tools("web-scraper", input=url, extract_links=True)
    except (SecurityError, ValidationError) as exc:  # a policy may refuse userinfo outright
        assert "hunter2secret" not in str(exc)
        return
    assert "hunter2secret" not in json.dumps(r)
    failed = net_tools("web-scraper", input=url.replace("/page.html", "/status/500"))
    assert not failed["success"] and "hunter2secret" not in json.dumps(failed)
