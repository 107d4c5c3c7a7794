"""url-analyzer: parsing without network, metadata fetching under the policy."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import SecurityError, ValidationError


def test_parts_without_network(tools):
    # the default policy has no network access: parsing must not need it
    r = tools.ok(
        "url-analyzer",
        input="https://user:pa55@Shop.Example.co.uk:8443/a%20b/c?q=caf%C3%A9&tag=1&tag=2&e=#top",
    )
    res = r["result"]
    assert res["valid"] and res["scheme"] == "https" and res["host"] == "shop.example.co.uk"
    assert res["port"] == 8443 and res["explicit_port"] is True
    assert res["path"] == "/a b/c" and res["fragment"] == "top"
    assert res["query_params"] == {"q": "café", "tag": ["1", "2"], "e": ""}
    assert (res["domain"], res["tld"], res["subdomain"]) == ("example.co.uk", "co.uk", "shop")
    assert res["is_ip"] is False and res["is_secure"] is True
    assert res["has_credentials"] is True
    assert "pa55" not in json.dumps(r) and "user" not in res["url"]
    assert "metadata" not in res


def test_raw_params_and_defaults(tools):
    r = tools.ok("url-analyzer", input="http://example.com?q=caf%C3%A9", decode_params=False)
    res = r["result"]
    assert res["query_params"] == {"q": "caf%C3%A9"} and res["port"] == 80
    assert res["explicit_port"] is False and res["path"] == "/"
    assert (res["domain"], res["tld"], res["subdomain"]) == ("example.com", "com", None)


@pytest.mark.parametrize(
    "url,is_ip,version",
    [
        ("http://10.0.0.1:8080/x", True, 4),
        ("http://[2001:db8::1]/", True, 6),
        ("http://localhost/", False, None),
    ],
)
def test_ip_hosts(tools, url, is_ip, version):
    res = tools.ok("url-analyzer", input=url)["result"]
    assert res["is_ip"] is is_ip and res["ip_version"] == version


def test_relative_and_invalid(tools):
    res = tools.ok("url-analyzer", input="/just/a/path?x=1")["result"]
    assert res["valid"] is False and res["query_params"] == {"x": "1"}
    r = tools.failed("url-analyzer", input="http://example.com:99999/")
    assert r["error_kind"] == "ValidationError"
    with pytest.raises(ValidationError, match="input"):
        tools("url-analyzer", decode_params=True)


def test_fetch_metadata(net_tools, http_server):
    r = net_tools.ok(
        "url-analyzer", input=http_server.url("/redirect?to=/page.html"), fetch_metadata=True
    )
    meta = r["result"]["metadata"]
    assert meta["status"] == 200 and meta["content_type"] == "text/html"
    assert meta["title"] == "Test Page Title"
    assert meta["description"] == "A page served by the llmspell test server."
    assert meta["final_url"] == http_server.url("/page.html") and len(meta["redirects"]) == 1
    assert meta["language"] == "en" and meta["open_graph"]["title"] == "OG Test Title"
    assert "'Test Page Title'" in r["text"]
    r = net_tools.ok("url-analyzer", input=http_server.url("/json"), fetch_metadata=True)
    assert r["result"]["metadata"]["title"] is None
    assert r["result"]["metadata"]["content_type"] == "application/json"
    r = net_tools.ok("url-analyzer", input=http_server.url("/status/404"), fetch_metadata=True)
    assert r["result"]["metadata"]["status"] == 404  # reported, not a failure


def test_fetch_metadata_follows_the_policy(tools, net_tools, http_server):
    with pytest.raises(SecurityError, match="network access is not allowed"):
        tools("url-analyzer", input=http_server.url("/"), fetch_metadata=True)
    with pytest.raises(SecurityError, match=r"169\.254\.169\.254"):
        net_tools("url-analyzer", input=http_server.url("/redirect/metadata"), fetch_metadata=True)
    r = net_tools.failed(
        "url-analyzer",
        input=http_server.url("/slow?delay_ms=3000"),
        fetch_metadata=True,
        timeout_ms=200,
    )
    assert r["error_kind"] == "TimeoutError"
    r = net_tools.failed("url-analyzer", input="mailto:someone@example.com", fetch_metadata=True)
    assert "no scheme or host" in r["error"]
