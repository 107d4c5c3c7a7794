"""json-processor: jq queries, transforms, schema validation, formatting, failures."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import ValidationError

DATA = {"users": [{"name": "a", "age": 31}, {"name": "b", "age": 25}]}


def test_query_with_jq(tools):
    r = tools.ok("json-processor", input=DATA, query=".users[] | select(.age > 30) | .name")
    assert r["result"]["result"] == "a" and r["result"]["count"] == 1
    r = tools.ok("json-processor", input=json.dumps(DATA), query=".users[].name")
    assert r["result"]["result"] == ["a", "b"]
    assert tools.ok("json-processor", input="[1,2]")["result"]["result"] == [1, 2]


def test_transform(tools):
    r = tools.ok(
        "json-processor",
        operation="transform",
        input=DATA,
        query="{names: [.users[].name], total: (.users | length)}",
    )
    assert r["result"]["result"] == {"names": ["a", "b"], "total": 2}
    assert "query" in tools.failed("json-processor", operation="transform", input=DATA)["error"]


def test_validate(tools):
    schema = {"type": "object", "required": ["users"]}
    r = tools.ok("json-processor", operation="validate", input=DATA, schema=schema)
    assert r["result"]["valid"] is True
    r = tools.ok("json-processor", operation="validate", input="{}", schema=schema)
    assert r["result"]["valid"] is False and "users" in r["result"]["errors"][0]["message"]
    r = tools.ok("json-processor", operation="validate", input="{oops", schema=schema)
    assert r["result"]["valid"] is False


def test_format(tools):
    r = tools.ok("json-processor", operation="format", input='{"b":1,"a":[1]}', sort_keys=True)
    assert r["text"] == '{\n  "a": [\n    1\n  ],\n  "b": 1\n}'
    r = tools.ok("json-processor", operation="format", input={"a": 1}, compact=True)
    assert r["result"]["result"] == '{"a":1}'


def test_failures(tools):
    assert "not valid JSON" in tools.failed("json-processor", input="{nope")["error"]
    assert "invalid jq" in tools.failed("json-processor", input=DATA, query=".[[[")["error"]
    assert "jq error" in tools.failed("json-processor", input=DATA, query=".users + 1")["error"]
    assert "more than" in tools.failed("json-processor", input=1, query="range(100000)")["error"]
    assert "over the limit" in tools.failed("json-processor", input=" " * 10_000_001)["error"]


def test_misuse(tools):
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("json-processor", operation="explode", input="{}")
    with pytest.raises(ValidationError, match="parameter 'query'"):
        tools("json-processor", input="{}", query=5)
