"""service-checker: tcp, http and dns checks against real listeners on 127.0.0.1, the
network policy, and down services as findings (healthy=false), not failures."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from llmspell.errors import SecurityError, ValidationError


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield int(s.getsockname()[1])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends


def test_tcp_up_and_down(net_tools, listener):
    r = net_tools.ok("service-checker", target=f"127.0.0.1:{listener}", check_type="tcp")
    res = r["result"]
    assert res["healthy"] is True and res["address"] == "127.0.0.1" and res["port"] == listener
    assert res["latency_ms"] >= 0 and r["text"].startswith(f"tcp 127.0.0.1:{listener}: up")
    port = _closed_port()
    r = net_tools.ok("service-checker", target=f"127.0.0.1:{port}", check_type="tcp",
                     timeout_seconds=2)  # fmt: skip
    assert r["result"]["healthy"] is False and "no connection" in r["result"]["error"]


def test_http_status_decides_health(net_tools, http_server):
    ok = net_tools.ok("service-checker", target=http_server.url("/json"), check_type="http")
    assert ok["result"]["healthy"] is True and ok["result"]["status_code"] == 200
    bad = net_tools.ok("service-checker", target=http_server.url("/status/503"),
                       check_type="http")  # fmt: skip
    assert bad["result"]["healthy"] is False and bad["result"]["status_code"] == 503
    bare = http_server.url("/json").split("://", 1)[1]  # a bare host:port/path
    assert net_tools.ok("service-checker", target=bare, check_type="http")["result"]["healthy"]


def test_http_scheme_must_match(net_tools, http_server):
    r = net_tools.failed("service-checker", target=http_server.url("/json"), check_type="https")
    assert r["error_kind"] == "ValidationError" and "https://" in r["error"]


def test_dns_checks_go_through_the_policy(net_tools):
    # 127.0.0.1 is allowed; the name resolves to it
    r = net_tools.ok("service-checker", target="localhost", check_type="dns")
    assert r["result"]["healthy"] is True and "127.0.0.1" in r["result"]["addresses"]
    bad = net_tools.failed("service-checker", target="local host/x", check_type="dns")
    assert bad["error_kind"] == "ValidationError"


def test_denied_targets_raise(net_tools, tools, listener):
    with pytest.raises(SecurityError):
        net_tools("service-checker", target="10.1.2.3:22", check_type="tcp")
    with pytest.raises(SecurityError):  # the network is off
        tools("service-checker", target=f"127.0.0.1:{listener}", check_type="tcp")


def test_bad_parameters(net_tools):
    r = net_tools.failed("service-checker", target="no-port", check_type="tcp")
    assert r["error_kind"] == "ValidationError" and "host:port" in r["error"]
    with pytest.raises(ValidationError, match="check_type"):
        net_tools("service-checker", target="x", check_type="ping")
    with pytest.raises(ValidationError, match="timeout_seconds"):
        net_tools("service-checker", target="x:1", check_type="tcp", timeout_seconds=99)
