"""llmspell_tools._http.request against the local test server: policy on every hop,
pinning, redirects, caps, timeouts, retries, rate limit and secret masking."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from llmspell.errors import SecurityError
from llmspell.tools import ToolFailure
from llmspell_tools._http import HttpResult, mask_secrets, request


def call(ctx, method, url, **kwargs) -> HttpResult:
    return asyncio.run(request(ctx, method, url, **kwargs))


def failure(ctx, method, url, **kwargs) -> ToolFailure:
    with pytest.raises(ToolFailure) as err:
        call(ctx, method, url, **kwargs)
    assert "Traceback" not in str(err.value)
    return err.value


@pytest.fixture
def fake_dns(monkeypatch):
    """Names → addresses for the test (others go to the real resolver); counts lookups."""
    table: dict[str, list[str]] = {}
    lookups: dict[str, int] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            lookups[host] = lookups.get(host, 0) + 1
            answers = table[host]
            addr = answers[min(lookups[host], len(answers)) - 1]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (addr, port or 0))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table, lookups


# -- basics ----------------------------------------------------------------------------


def test_get_json(http_server, net_ctx):
    result = call(net_ctx, "GET", http_server.url("/json"))
    assert result.status == 200 and result.is_json
    assert result.json()["nested"] == {"a": {"b": 42}}
    assert result.headers["content-type"] == "application/json"
    assert result.url == http_server.url("/json") and result.redirects == []
    assert result.elapsed_ms > 0
    sent = http_server.last
    assert sent.headers["host"] == f"127.0.0.1:{http_server.port}"
    assert sent.headers["user-agent"].startswith("llmspell/")


def test_bodies_and_params(http_server, net_ctx):
    echo = call(
        net_ctx,
        "post",
        http_server.url("/echo?a=1"),
        json={"x": [1, "é"]},
        params={"b": [2, 3], "c": True},
    )
    got = echo.json()
    assert got["method"] == "POST" and got["json"] == {"x": [1, "é"]}
    assert got["query"] == {"a": ["1"], "b": ["2", "3"], "c": ["true"]}
    assert got["headers"]["content-type"] == "application/json"
    form = call(net_ctx, "PUT", http_server.url("/echo"), data={"k": "v w", "n": 1}).json()
    assert form["body"] == "k=v+w&n=1"
    assert form["headers"]["content-type"] == "application/x-www-form-urlencoded"
    raw = call(
        net_ctx,
        "PATCH",
        http_server.url("/echo"),
        content="plain",
        headers={"Content-Type": "text/plain", "X-A": "1"},
    ).json()
    assert raw["body"] == "plain" and raw["headers"]["x-a"] == "1"
    assert raw["headers"]["content-type"] == "text/plain"


def test_text_uses_the_charset_and_json_errors_name_the_url(http_server, net_ctx):
    assert call(net_ctx, "GET", http_server.url("/text?charset=latin-1")).text() == "café"
    result = call(net_ctx, "GET", http_server.url("/notjson"))
    with pytest.raises(ToolFailure, match="/notjson is not valid JSON") as err:
        result.json()
    assert err.value.kind == "ValidationError"


def test_bad_arguments(http_server, net_ctx):
    url = http_server.url("/echo")
    assert failure(net_ctx, "GE T", url).kind == "ValidationError"
    err = failure(net_ctx, "GET", url, headers={"X-Key": "sekret\r\nX-Injected: 1"})
    assert err.kind == "ValidationError" and "sekret" not in str(err)
    assert "only one request body" in str(failure(net_ctx, "POST", url, json={}, content="x"))
    assert failure(net_ctx, "GET", url, timeout_s=0).kind == "ValidationError"
    assert failure(net_ctx, "GET", url, params={"a": {"b": 1}}).kind == "ValidationError"
    assert http_server.requests == []  # nothing was sent


def test_network_off_raises(tools, http_server):
    ctx = tools.runtime.tool_context()
    with pytest.raises(SecurityError, match="network access is not allowed"):
        call(ctx, "GET", http_server.url("/json"))
    assert http_server.requests == []


def test_host_not_allowed(http_server, net_ctx, fake_dns):
    with pytest.raises(SecurityError, match="not in \\[security\\] allowed_hosts"):
        call(net_ctx, "GET", f"http://127.0.0.2:{http_server.port}/json")
    assert http_server.requests == []
    # a name is allowed when every address it resolves to is listed
    fake_dns[0]["alias.test"] = ["127.0.0.1"]
    assert call(net_ctx, "GET", f"http://alias.test:{http_server.port}/json").status == 200


# -- redirects -------------------------------------------------------------------------


def test_redirect_chain(http_server, net_ctx):
    result = call(net_ctx, "GET", http_server.url("/redirect/chain/3"))
    assert result.status == 200 and result.url == http_server.url("/json")
    assert result.redirects == [http_server.url(f"/redirect/chain/{n}") for n in (3, 2, 1)]
    err = failure(net_ctx, "GET", http_server.url("/redirect/chain/3"), max_redirects=2)
    assert "too many redirects" in str(err)
    raw = call(net_ctx, "GET", http_server.url("/redirect/chain/3"), follow_redirects=False)
    assert raw.status == 302 and raw.headers["location"] == "/redirect/chain/2"


def test_redirect_loop(http_server, net_ctx):
    err = failure(net_ctx, "GET", http_server.url("/redirect/loop"))
    assert "too many redirects: more than 10" in str(err) and "loop" in str(err)
    assert len(http_server.requests) == 11


def test_redirect_methods(http_server, net_ctx):
    to = http_server.url("/echo")
    after_303 = call(
        net_ctx, "POST", http_server.url(f"/redirect?status=303&to={to}"), json={"a": 1}
    )
    assert after_303.json()["method"] == "GET" and after_303.json()["body"] == ""
    after_307 = call(
        net_ctx, "POST", http_server.url(f"/redirect?status=307&to={to}"), json={"a": 1}
    )
    assert after_307.json()["method"] == "POST" and after_307.json()["json"] == {"a": 1}


def test_redirect_to_metadata_address_denied(http_server, net_ctx):
    with pytest.raises(SecurityError) as err:
        call(net_ctx, "GET", http_server.url("/redirect/metadata"))
    message = str(err.value)
    assert "redirect from" in message and "169.254.169.254" in message


def test_redirect_into_private_address_denied(http_server, net_ctx, fake_dns):
    table, _ = fake_dns
    table["internal.test"] = ["10.0.0.7"]
    net_ctx.policy.allowed_hosts = ["127.0.0.1", "*.test"]  # a wildcard is no consent
    target = "http://internal.test/admin"
    with pytest.raises(SecurityError, match=r"resolves to 10\.0\.0\.7, which is a private"):
        call(net_ctx, "GET", http_server.url(f"/redirect?to={target}"))
    assert len(http_server.requests) == 1


def test_authorization_dropped_across_origins(http_server, net_ctx):
    module = type(http_server)
    other = module()
    try:
        to = other.url("/echo")
        headers = {"Authorization": "Bearer tok-123", "X-Keep": "1"}
        got = call(net_ctx, "GET", http_server.url(f"/redirect?to={to}"), headers=headers).json()
        assert "authorization" not in got["headers"] and got["headers"]["x-keep"] == "1"
        same = call(net_ctx, "GET", http_server.url("/redirect?to=/echo"), headers=headers).json()
        assert same["headers"]["authorization"] == "Bearer tok-123"
    finally:
        other.stop()


def test_connection_pinned_to_the_checked_address(http_server, net_ctx, fake_dns):
    table, lookups = fake_dns
    # first answer 127.0.0.1 (allowed), any later lookup a metadata address: a rebinding
    table["rebind.test"] = ["127.0.0.1", "169.254.169.254"]
    net_ctx.policy.allowed_hosts = ["127.0.0.1", "rebind.test"]
    result = call(net_ctx, "GET", f"http://rebind.test:{http_server.port}/json")
    assert result.status == 200 and lookups["rebind.test"] == 1
    assert http_server.last.headers["host"] == f"rebind.test:{http_server.port}"


# -- limits ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "route", ["/huge?bytes=20000", "/huge?bytes=20000&length=0", "/gzip?bytes=20000"]
)
def test_size_cap(http_server, net_ctx, route):
    net_ctx.policy.max_response_bytes = 10000
    err = failure(net_ctx, "GET", http_server.url(route))
    assert "larger than the limit of 10000 bytes" in str(err)
    assert "max_response_bytes" in str(err)
    assert call(net_ctx, "GET", http_server.url("/huge?bytes=10000")).body == b"a" * 10000


def test_head_is_not_capped_by_the_declared_length(http_server, net_ctx):
    net_ctx.policy.max_response_bytes = 100
    result = call(net_ctx, "HEAD", http_server.url("/huge?bytes=5000"))
    assert result.status == 200 and result.headers["content-length"] == "5000"
    assert result.body == b""


def test_max_bytes_lowers_but_never_raises_the_cap(http_server, net_ctx):
    err = failure(net_ctx, "GET", http_server.url("/huge?bytes=200"), max_bytes=100)
    assert "limit of 100 bytes" in str(err) and "max_bytes" in str(err)
    net_ctx.policy.max_response_bytes = 50
    err = failure(net_ctx, "GET", http_server.url("/huge?bytes=200"), max_bytes=1000)
    assert "limit of 50 bytes" in str(err)


def test_timeout(http_server, net_ctx):
    start = time.monotonic()
    err = failure(net_ctx, "GET", http_server.url("/slow?delay_ms=5000"), timeout_s=0.3)
    assert err.kind == "TimeoutError" and "timed out after 0.3 s" in str(err)
    assert time.monotonic() - start < 3
    # a body that trickles in counts against the same deadline
    err = failure(net_ctx, "GET", http_server.url("/drip?chunks=20&delay_ms=100"), timeout_s=0.5)
    assert err.kind == "TimeoutError"
    net_ctx.policy.network_timeout_seconds = 0.2
    assert failure(net_ctx, "GET", http_server.url("/slow?delay_ms=5000")).kind == "TimeoutError"


# -- retries ---------------------------------------------------------------------------


def test_retries_on_5xx(http_server, net_ctx):
    ok = call(net_ctx, "GET", http_server.url("/flaky?fail=2&key=a"), retries=2)
    assert ok.status == 200 and ok.json() == {"attempts": 3}
    # retries exhausted: the last response is returned, not an exception
    last = call(net_ctx, "GET", http_server.url("/flaky?fail=5&key=b"), retries=1)
    assert (
        last.status == 500
        and len([r for r in http_server.requests if r.query.get("key") == "b"]) == 2
    )
    none = call(net_ctx, "GET", http_server.url("/flaky?fail=1&key=c"))
    assert none.status == 500


def test_no_retry_on_4xx(http_server, net_ctx):
    result = call(net_ctx, "GET", http_server.url("/status/404"), retries=3)
    assert result.status == 404 and len(http_server.requests) == 1


def test_retry_after_is_honoured(http_server, net_ctx):
    start = time.monotonic()
    result = call(
        net_ctx, "POST", http_server.url("/ratelimited?times=1&retry_after=1"), retries=1, json={}
    )
    assert result.status == 200 and time.monotonic() - start >= 0.95


def test_connection_errors_retried_then_readable(net_ctx):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.monotonic()
    err = failure(net_ctx, "GET", f"http://127.0.0.1:{port}/x", retries=2)
    assert err.kind == "ToolError"
    assert f"cannot connect to http://127.0.0.1:{port}/x" in str(err)
    assert time.monotonic() - start < 5


# -- rate limit and secrets ------------------------------------------------------------


def test_rate_limit_waits(http_server, net_ctx):
    net_ctx.policy.requests_per_second_per_host = 5

    async def burst():
        return await asyncio.gather(
            *(request(net_ctx, "GET", http_server.url("/json")) for _ in range(8))
        )

    start = time.monotonic()
    results = asyncio.run(burst())
    assert all(r.status == 200 for r in results)
    assert time.monotonic() - start >= 0.5  # 5 at once, the next 3 at 0.2 s steps


def test_secrets_masked_in_errors(http_server, net_ctx):
    token = "s3cr3t-TOKEN-value"
    url = http_server.url(f"/slow/{token}?delay_ms=3000")
    http_server.route("GET", "/slow/*", lambda r: r.server._slow(r))
    err = failure(net_ctx, "GET", url, timeout_s=0.2, secrets=[token])
    assert token not in str(err) and "***" in str(err)
    with pytest.raises(SecurityError) as denied:
        call(net_ctx, "GET", f"http://10.0.0.1/{token}", secrets=[token])
    assert token not in str(denied.value)
    result = call(net_ctx, "GET", http_server.url(f"/notjson?k={token}"), secrets=[token])
    with pytest.raises(ToolFailure) as bad_json:
        result.json()
    assert token not in str(bad_json.value)


def test_mask_secrets():
    assert mask_secrets("a abc abcd", ["abc", "abcd", ""]) == "a *** ***"
