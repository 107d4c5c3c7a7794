"""environment-reader: get/list/pattern with secrets redacted."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def env(monkeypatch):
    monkeypatch.setenv("LLMT_PLAIN", "visible")
    monkeypatch.setenv("LLMT_API_KEY", "sk-123")
    monkeypatch.setenv("LLMT_DB_PASSWORD", "hunter2")
    monkeypatch.setenv("LLMT_GITHUB_TOKEN", "ghp_x")
    monkeypatch.setenv("LLMT_URL", "postgres://bob:hunter3@db:5432/x")


def test_get(tools):
    r = tools.ok("environment-reader", operation="get", variable_name="LLMT_PLAIN")
    assert r["result"]["value"] == "visible" and r["text"] == "visible"
    r = tools.ok("environment-reader", variable_name="LLMT_API_KEY")
    assert r["result"]["value"] == "[REDACTED]" and r["result"]["redacted"] is True
    r = tools.ok("environment-reader", operation="get", variable_name="LLMT_MISSING")
    assert r["result"] == {
        "name": "LLMT_MISSING",
        "exists": False,
        "value": None,
        "variable_name": "LLMT_MISSING",  # rs-llmspell's names
        "found": False,
    }
    r = tools.ok("environment-reader", variable_name="LLMT_PLAIN")
    assert r["result"]["variable_name"] == "LLMT_PLAIN" and r["result"]["found"] is True


def test_list_and_pattern_redact(tools):
    r = tools.ok("environment-reader", operation="pattern", pattern="LLMT_*")
    variables = r["result"]["variables"]
    assert set(variables) == {"LLMT_PLAIN", "LLMT_API_KEY", "LLMT_DB_PASSWORD",
                              "LLMT_GITHUB_TOKEN", "LLMT_URL"}  # fmt: skip
    for secret in ("sk-123", "hunter2", "ghp_x", "hunter3"):
        assert secret not in str(r)
    assert variables["LLMT_URL"] == "postgres://bob:[REDACTED]@db:5432/x"
    full = tools.ok("environment-reader", operation="list")
    assert "sk-123" not in str(full) and full["result"]["variables"]["LLMT_PLAIN"] == "visible"


def test_missing_params(tools):
    tools.failed("environment-reader", operation="get")
    tools.failed("environment-reader", operation="pattern")
