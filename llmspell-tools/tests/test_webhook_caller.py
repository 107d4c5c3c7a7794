"""webhook-caller against the local HTTP server: delivery, HMAC signature, retries."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from llmspell.errors import SecurityError, ValidationError
from llmspell_tools.api.webhook_caller import sign


def verify(request, secret: str) -> bool:
    """What a receiver does: recompute the HMAC over '<timestamp>.<body>'."""
    timestamp = request.headers["x-llmspell-timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256)
    return hmac.compare_digest(
        request.headers["x-llmspell-signature"], "sha256=" + expected.hexdigest()
    )


def test_delivers_json(net_tools, http_server):
    http_server.route("POST", "/hook", lambda r: (202, {}, {"ok": True}))
    r = net_tools.ok(
        "webhook-caller",
        input=http_server.url("/hook"),
        payload={"event": "build.done", "n": [1, 2]},
        headers={"X-Source": "ci"},
    )
    assert r["result"]["status"] == 202 and r["result"]["delivered"] is True
    assert r["result"]["attempts"] == 1 and r["result"]["signed"] is False
    got = http_server.last
    assert got.method == "POST" and got.json() == {"event": "build.done", "n": [1, 2]}
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-source"] == "ci"
    assert abs(int(got.headers["x-llmspell-timestamp"]) - time.time()) < 60
    assert "x-llmspell-signature" not in got.headers


def test_signature(net_tools, http_server):
    secret = "whsec-abcdef123456"
    r = net_tools.ok(
        "webhook-caller", input=http_server.url("/echo"), payload={"a": 1}, secret=secret
    )
    assert r["result"]["signed"] is True and verify(http_server.last, secret)
    assert not verify(http_server.last, "another-secret")
    assert secret not in json.dumps(r)
    assert sign("k", "1", b"{}") == "sha256=" + hmac.new(b"k", b"1.{}", hashlib.sha256).hexdigest()


def test_secret_from_env(net_tools, http_server, monkeypatch):
    monkeypatch.setenv("TEST_WEBHOOK_SECRET", "from-env-secret-42")
    net_tools.runtime.settings.tools["webhook-caller"] = {
        "secret_envs": {"TEST_WEBHOOK_SECRET": [http_server.url("/")]}
    }
    r = net_tools.ok(
        "webhook-caller",
        input=http_server.url("/echo"),
        payload="text payload",
        secret_env="TEST_WEBHOOK_SECRET",
        method="PUT",
    )
    assert verify(http_server.last, "from-env-secret-42") and http_server.last.method == "PUT"
    assert http_server.last.json() == "text payload"
    assert "from-env-secret-42" not in json.dumps(r)
    monkeypatch.delenv("TEST_WEBHOOK_SECRET")
    r = net_tools.failed(
        "webhook-caller",
        input=http_server.url("/echo"),
        payload={},
        secret_env="TEST_WEBHOOK_SECRET",
    )
    assert r["error_kind"] == "ConfigurationError" and "TEST_WEBHOOK_SECRET" in r["error"]


def test_retries_then_delivered_or_not(net_tools, http_server):
    r = net_tools.ok(
        "webhook-caller", input=http_server.url("/flaky?fail=2&key=a"), payload={}, max_retries=3
    )
    assert r["result"]["attempts"] == 3 and r["result"]["delivered"]
    r = net_tools.failed(
        "webhook-caller", input=http_server.url("/flaky?fail=9&key=b"), payload={}, max_retries=1
    )
    assert r["error"].endswith("answered HTTP 500 after 2 attempts")
    r = net_tools.failed(
        "webhook-caller", input=http_server.url("/status/400"), payload={}, max_retries=3
    )
    assert "after 1 attempt" in r["error"]  # 4xx is not retried
    # a redirect is not followed: not delivered
    r = net_tools.failed("webhook-caller", input=http_server.url("/redirect"), payload={})
    assert "HTTP 302" in r["error"]


def test_signature_is_the_same_on_every_attempt(net_tools, http_server):
    secret = "retry-secret-777"
    net_tools.ok(
        "webhook-caller",
        input=http_server.url("/flaky?fail=1&key=s"),
        payload={"x": 1},
        secret=secret,
        max_retries=2,
    )
    first, second = http_server.requests
    assert verify(first, secret) and verify(second, secret)
    assert first.headers["x-llmspell-signature"] == second.headers["x-llmspell-signature"]


def test_bad_parameters_and_policy(tools, net_tools, http_server):
    with pytest.raises(ValidationError, match="method"):
        net_tools("webhook-caller", input=http_server.url("/echo"), method="GET")
    r = net_tools.failed(
        "webhook-caller", input=http_server.url("/echo"), secret="a1b2c3", secret_env="X"
    )
    assert "not both" in r["error"]
    r = net_tools.failed(
        "webhook-caller",
        input=http_server.url("/echo"),
        headers={"X-Llmspell-Signature": "forged"},
    )
    assert "set by the tool" in r["error"]
    assert http_server.requests == []
    with pytest.raises(SecurityError, match="network access is not allowed"):
        tools("webhook-caller", input=http_server.url("/echo"), payload={})
    with pytest.raises(SecurityError, match="allowed_hosts"):
        net_tools("webhook-caller", input="http://169.254.169.254/hook", payload={})


def test_secret_env_only_for_the_urls_the_operator_bound(net_tools, http_server, monkeypatch):
    """An operator secret signs only for its configured URLs: a spell can neither sign
    for a server of its choosing nor use another variable (an API key) as a key."""
    monkeypatch.setenv("HOOK_SECRET", "operator-hook-secret-1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-operator-key-123456")
    tables = net_tools.runtime.settings.tools
    tables["webhook-caller"] = {"secret_envs": {"HOOK_SECRET": http_server.url("/hooks")}}
    http_server.route("POST", "/hooks/build", lambda r: (200, {}, {"ok": True}))
    net_tools.ok("webhook-caller", input=http_server.url("/hooks/build?x=1"), payload={},
                 secret_env="HOOK_SECRET")  # fmt: skip
    assert verify(http_server.last, "operator-hook-secret-1")
    count = len(http_server.requests)
    for url, name, words in (
        (http_server.url("/other"), "HOOK_SECRET", "signs only requests to"),
        (http_server.url("/hooks/../admin"), "HOOK_SECRET", "signs only requests to"),
        (http_server.url("/hooksx"), "HOOK_SECRET", "signs only requests to"),
        (http_server.url("/hooks"), "OPENAI_API_KEY", "not a webhook secret the operator"),
        (http_server.url("/hooks"), "NO_SUCH_VARIABLE", "not a webhook secret the operator"),
    ):
        r = net_tools.failed("webhook-caller", input=url, payload={}, secret_env=name)
        assert r["error_kind"] == "SecurityError" and words in r["error"], r
        assert "operator-hook-secret-1" not in json.dumps(r) and "sk-operator" not in json.dumps(r)
    assert len(http_server.requests) == count  # refused before any request
    tables["webhook-caller"] = {"secret_envs": {"HOOK_SECRET": 3}}
    r = net_tools.failed("webhook-caller", input=http_server.url("/hooks"), payload={},
                         secret_env="HOOK_SECRET")  # fmt: skip
    assert r["error_kind"] == "ConfigurationError" and "secret_envs" in r["error"]
