"""api-tester (and its JSONPath subset) against the local HTTP server."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import SecurityError, ValidationError
from llmspell_tools.api._jsonpath import compile_path, find

DOC = {"a": {"b": 1}, "items": [{"id": 1, "name": "x"}, {"id": 2, "name": "y"}], "k-1": True}


@pytest.mark.parametrize(
    "path,values,wild",
    [
        ("$", [DOC], False),
        ("$.a.b", [1], False),
        ("$.items[0].name", ["x"], False),
        ("$.items[-1].id", [2], False),
        ("$.items[*].id", [1, 2], True),
        ("$['items'][1]['name']", ["y"], False),
        ('$["k-1"]', [True], False),
        ("$.a.*", [1], True),
        ("$.missing.x", [], False),
        ("$.items[5]", [], False),
    ],
)
def test_jsonpath_subset(path, values, wild):
    assert find(DOC, path) == (values, wild)


@pytest.mark.parametrize("path", ["a.b", "$..id", "$.items[?(@.id>1)]", "$.items[0:2]", "$.a b"])
def test_jsonpath_unsupported(path):
    with pytest.raises(ValueError):
        compile_path(path)


def checks_by_name(result):
    return {c["check"]: c for c in result["result"]["checks"]}


def test_all_checks_pass(net_tools, http_server):
    r = net_tools.ok(
        "api-tester",
        input=http_server.url("/json"),
        expect={
            "status": 200,
            "headers": {"Content-Type": "application/json", "x-missing": None},
            "json_path": {
                "$.nested.a.b": 42,
                "$.items[0].name": "alpha",
                "$.items[*].id": [1, 2, 3],
                "$.name": "llmspell",
            },
            "body_contains": ["alpha", "gamma"],
            "max_time_ms": 10000,
        },
    )
    result = r["result"]
    assert result["passed"] is True and result["status"] == 200
    assert len(result["checks"]) == 10 and all(c["passed"] for c in result["checks"])
    assert r["text"] == "PASSED 10 of 10 checks"


def test_failed_expectations_are_success_with_passed_false(net_tools, http_server):
    r = net_tools.ok(
        "api-tester",
        input=http_server.url("/json"),
        expect={
            "status": [201, 204],
            "headers": {"content-type": "text/html", "server": None},
            "json_path": {"$.items[1].id": "2", "$.nested.a.c": 1, "$.items[*].id": [1, 2]},
            "body_contains": "not-there",
            "max_time_ms": 0,
        },
    )
    result = r["result"]
    assert result["passed"] is False
    by = checks_by_name(r)
    assert by["status"] == {
        "check": "status",
        "expected": [201, 204],
        "actual": 200,
        "passed": False,
    }
    assert by["header content-type"]["actual"] == "application/json"
    assert by["header server"]["passed"] is False  # present, expected absent
    assert by["json_path $.items[1].id"]["actual"] == 2  # "2" is not 2
    assert by["json_path $.nested.a.c"]["actual"] == "(missing)"
    assert by["json_path $.items[*].id"]["actual"] == [1, 2, 3]
    assert by["body_contains"]["passed"] is False
    assert by["max_time_ms"]["passed"] is False
    assert r["text"].startswith("FAILED 8 of 8 checks; first: status")


def test_strict_json_equality(net_tools, http_server):
    http_server.route("GET", "/types", lambda r: {"t": True, "one": 1, "f": 1.0})
    r = net_tools.ok(
        "api-tester",
        input=http_server.url("/types"),
        expect={"json_path": {"$.t": 1, "$.one": True, "$.f": 1}},
    )
    by = checks_by_name(r)
    assert not by["json_path $.t"]["passed"] and not by["json_path $.one"]["passed"]
    assert by["json_path $.f"]["passed"]


def test_default_status_check_and_post(net_tools, http_server):
    r = net_tools.ok(
        "api-tester",
        input=http_server.url("/echo"),
        method="POST",
        json={"n": 1},
        expect={"json_path": {"$.json.n": 1, "$.method": "POST"}},
    )
    assert r["result"]["passed"] and checks_by_name(r)["status"]["expected"] == "< 400"
    r = net_tools.ok("api-tester", input=http_server.url("/status/500"))
    assert r["result"]["passed"] is False and r["result"]["status"] == 500


def test_json_path_on_non_json(net_tools, http_server):
    r = net_tools.ok(
        "api-tester", input=http_server.url("/page.html"), expect={"json_path": {"$.a": 1}}
    )
    assert checks_by_name(r)["json_path $.a"]["actual"] == "(response is not JSON)"


def test_bad_parameters(net_tools, http_server):
    r = net_tools.failed(
        "api-tester", input=http_server.url("/json"), expect={"json_path": {"$..id": 1}}
    )
    assert r["error_kind"] == "ValidationError" and "recursive descent" in r["error"]
    assert http_server.requests == []  # checked before sending
    with pytest.raises(ValidationError, match="expect"):
        net_tools("api-tester", input=http_server.url("/json"), expect={"stauts": 200})
    with pytest.raises(ValidationError, match="status"):
        net_tools("api-tester", input=http_server.url("/json"), expect={"status": "200"})


def test_policy(tools, net_tools, http_server):
    with pytest.raises(SecurityError, match="network access is not allowed"):
        tools("api-tester", input=http_server.url("/json"))
    with pytest.raises(SecurityError, match="allowed_hosts"):
        net_tools("api-tester", input=http_server.url("/redirect/metadata"))
    r = net_tools.failed("api-tester", input=http_server.url("/slow?delay_ms=3000"), timeout_ms=200)
    assert r["error_kind"] == "TimeoutError"


def test_secrets_not_in_report(net_tools, http_server):
    token = "bearer-secret-555"
    r = net_tools.ok(
        "api-tester",
        input=http_server.url("/echo"),
        auth={"type": "bearer", "token": token},
        expect={"json_path": {"$.headers.authorization": f"Bearer {token}"}},
    )
    # the check ran against the real value, but the report shows it masked
    assert r["result"]["passed"] is True
    assert token not in json.dumps(r)
