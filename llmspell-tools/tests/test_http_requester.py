"""http-requester against the local HTTP server."""

from __future__ import annotations

import base64
import json
import socket

import pytest

from llmspell.errors import SecurityError, ValidationError


@pytest.fixture
def fake_dns(monkeypatch):
    """Names the test maps to addresses (others go to the real resolver)."""
    table: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], port or 0))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


def test_get_json(net_tools, http_server):
    r = net_tools.ok("http-requester", input=http_server.url("/json"))
    result = r["result"]
    assert result["status"] == 200 and result["json"]["nested"]["a"]["b"] == 42
    # parsed as json, and the raw text as body too (rs-llmspell spells read body)
    assert json.loads(result["body"]) == result["json"]
    assert json.loads(r["text"]) == result["json"]
    assert result["status_code"] == 200  # rs-llmspell's name beside status
    assert isinstance(result["timestamp"], str) and result["timestamp"].endswith("+00:00")
    assert result["url"] == http_server.url("/json") and result["redirects"] == []
    assert result["headers"]["content-type"] == "application/json"
    assert result["elapsed_ms"] >= 0


def test_text_body_and_query(net_tools, http_server):
    r = net_tools.ok("http-requester", input=http_server.url("/page.html"))
    assert "<title>Test Page Title</title>" in r["result"]["body"] == r["text"]
    r = net_tools.ok(
        "http-requester", input=http_server.url("/echo?a=1"), query={"b": "x y", "c": [1, 2]}
    )
    assert r["result"]["json"]["query"] == {"a": ["1"], "b": ["x y"], "c": ["1", "2"]}


def test_methods_and_bodies(net_tools, http_server):
    url = http_server.url("/echo")
    r = net_tools.ok("http-requester", input=url, method="post", json={"k": [1, 2]})
    echoed = r["result"]["json"]
    assert echoed["method"] == "POST" and echoed["json"] == {"k": [1, 2]}
    r = net_tools.ok(
        "http-requester",
        input=url,
        method="PUT",
        body="raw text",
        headers={"Content-Type": "text/plain", "X-Num": 5},
    )
    echoed = r["result"]["json"]
    assert echoed["body"] == "raw text" and echoed["headers"]["x-num"] == "5"
    r = net_tools.ok("http-requester", input=url, method="PATCH", body={"as": "json"})
    assert r["result"]["json"]["json"] == {"as": "json"}
    r = net_tools.ok("http-requester", input=url, method="HEAD")
    assert r["result"]["status"] == 200 and http_server.last.method == "HEAD"


def test_binary_body_is_base64(net_tools, http_server):
    http_server.route(
        "GET", "/bin", lambda r: (200, {"Content-Type": "image/png"}, b"\x89PNG\xff\x00")
    )
    r = net_tools.ok("http-requester", input=http_server.url("/bin"))
    assert base64.b64decode(r["result"]["body_base64"]) == b"\x89PNG\xff\x00"
    assert r["text"] == "<6 bytes of image/png>"


def test_http_errors(net_tools, http_server):
    r = net_tools.failed("http-requester", input=http_server.url("/status/404"))
    assert r["error_kind"] == "HttpError" and "HTTP 404" in r["error"]
    assert '{"status": 404}' in r["error"]  # an excerpt of the body
    r = net_tools.ok(
        "http-requester", input=http_server.url("/status/503"), accept_error_status=True
    )
    assert r["result"]["status"] == 503


def test_redirects(net_tools, http_server):
    r = net_tools.ok("http-requester", input=http_server.url("/redirect/chain/2"))
    assert r["result"]["url"] == http_server.url("/json")
    assert len(r["result"]["redirects"]) == 2
    r = net_tools.ok(
        "http-requester", input=http_server.url("/redirect/chain/2"), follow_redirects=False
    )
    assert r["result"]["status"] == 302 and r["result"]["headers"]["location"]
    r = net_tools.failed("http-requester", input=http_server.url("/redirect/loop"))
    assert "too many redirects" in r["error"]


def test_bad_parameters(net_tools, http_server):
    with pytest.raises(ValidationError, match="input"):
        net_tools("http-requester", method="GET")
    with pytest.raises(ValidationError, match="method"):
        net_tools("http-requester", input=http_server.url("/"), method="BREW")
    with pytest.raises(ValidationError, match="retry"):
        net_tools("http-requester", input=http_server.url("/"), retry=50)
    with pytest.raises(ValidationError, match="auth"):
        net_tools("http-requester", input=http_server.url("/"), auth={"type": "digest"})
    r = net_tools.failed("http-requester", input=http_server.url("/echo"), body="a", json={"b": 1})
    assert r["error_kind"] == "ValidationError" and "not both" in r["error"]
    r = net_tools.failed("http-requester", input=http_server.url("/"), auth={"type": "bearer"})
    assert "needs 'token'" in r["error"]
    with pytest.raises(ValidationError, match="no scheme"):
        net_tools("http-requester", input="127.0.0.1/json")
    assert http_server.requests == []


def test_network_off(tools, http_server):
    with pytest.raises(SecurityError, match=r"network access is not allowed.*--allow-net"):
        tools("http-requester", input=http_server.url("/json"))
    assert http_server.requests == []


def test_denied_hosts_and_schemes(net_tools, http_server):
    with pytest.raises(SecurityError, match="not in \\[security\\] allowed_hosts"):
        net_tools("http-requester", input="http://10.0.0.1/")
    with pytest.raises(SecurityError, match="scheme 'file'"):
        net_tools("http-requester", input="file:///etc/passwd")
    with pytest.raises(SecurityError, match=r"169\.254\.169\.254"):
        net_tools("http-requester", input=http_server.url("/redirect/metadata"))


def test_redirect_into_a_private_address(net_tools, http_server, fake_dns):
    fake_dns["intranet.test"] = "192.168.1.20"
    net_tools.runtime.policy.allowed_hosts = ["127.0.0.1", "*.test"]
    with pytest.raises(SecurityError, match=r"resolves to 192\.168\.1\.20, which is a private"):
        net_tools("http-requester", input=http_server.url("/redirect?to=http://intranet.test/"))


def test_size_cap_timeout_and_retries(net_tools, http_server):
    r = net_tools.failed(
        "http-requester", input=http_server.url("/huge?bytes=5000"), max_bytes=1000
    )
    assert "larger than the limit of 1000 bytes" in r["error"]
    net_tools.runtime.policy.max_response_bytes = 2000
    r = net_tools.failed("http-requester", input=http_server.url("/huge?bytes=5000&length=0"))
    assert "max_response_bytes" in r["error"]
    r = net_tools.failed(
        "http-requester", input=http_server.url("/slow?delay_ms=3000"), timeout_ms=200
    )
    assert r["error_kind"] == "TimeoutError"
    r = net_tools.ok("http-requester", input=http_server.url("/flaky?fail=2"), retry=2)
    assert r["result"]["json"] == {"attempts": 3} and r["metadata"]["attempts"] == 3
    r = net_tools.failed("http-requester", input=http_server.url("/flaky?fail=2&key=b"), retry=1)
    assert "HTTP 500" in r["error"]


def test_auth_is_sent_but_never_echoed(net_tools, http_server):
    token = "tok-9f8e7d6c5b4a"
    r = net_tools.ok(
        "http-requester",
        input=http_server.url("/echo"),
        auth={"type": "bearer", "token": token},
    )
    assert http_server.last.headers["authorization"] == f"Bearer {token}"
    assert token not in json.dumps(r)  # the echo of the header is masked too
    password = "pa55-w0rd-xyz"
    r = net_tools.ok(
        "http-requester",
        input=http_server.url("/echo"),
        auth={"type": "basic", "username": "ada", "password": password},
    )
    sent = http_server.last.headers["authorization"]
    assert base64.b64decode(sent.split()[1]).decode() == f"ada:{password}"
    assert password not in json.dumps(r) and sent.split()[1] not in json.dumps(r)


def test_secrets_in_headers_urls_and_errors_are_masked(net_tools, http_server):
    key = "key-0123456789abcdef"
    r = net_tools.ok(
        "http-requester",
        input=http_server.url(f"/echo?api_key={key}"),
        headers={"X-API-Key": key},
    )
    assert key not in json.dumps(r)
    r = net_tools.failed(
        "http-requester",
        input=http_server.url(f"/status/401?token={key}"),
        headers={"Authorization": f"Bearer {key}"},
    )
    assert key not in json.dumps(r)
    with pytest.raises(SecurityError) as err:
        net_tools("http-requester", input=f"http://user:{key}@10.0.0.1/")
    assert key not in str(err.value)
