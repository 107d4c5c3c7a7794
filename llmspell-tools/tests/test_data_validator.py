"""data-validator: rules, JSON schema, bad rules and misuse."""

from __future__ import annotations

import pytest

from llmspell.errors import ValidationError

USER = {"name": "Ada", "age": 36, "email": "ada@example.org", "tags": ["x", "y"]}


def test_rules_pass_and_fail(tools):
    rules = [
        {"type": "required", "field": "name"},
        {"type": "type", "field": "age", "expected": "integer"},
        {"type": "range", "field": "age", "min": 0, "max": 150},
        {"type": "email", "field": "email"},
        {"type": "length", "field": "name", "min": 2, "max": 10},
        {"type": "pattern", "field": "name", "regex": "^[A-Z]"},
        {
            "type": "array",
            "field": "tags",
            "min_items": 1,
            "item_rules": [{"type": "enum", "values": ["x", "y"]}],
        },
        {
            "type": "object",
            "required": ["name"],
            "properties": {"age": [{"type": "range", "min": 18}]},
        },
    ]
    r = tools.ok("data-validator", input=USER, rules=rules)
    assert r["result"] == {"valid": True, "errors": [], "error_count": 0}
    bad = {"age": -1, "email": "nope", "tags": ["z"]}
    r = tools.ok("data-validator", input=bad, rules=rules)
    assert r["result"]["valid"] is False
    fields = {(e["field"], e["rule"]) for e in r["result"]["errors"]}
    assert ("name", "required") in fields and ("age", "range") in fields
    assert ("email", "email") in fields and ("tags[0]", "enum") in fields


def test_url_date_and_custom_message(tools):
    rules = [{"type": "url"}]
    assert tools.ok("data-validator", input="https://x.org/a", rules=rules)["result"]["valid"]
    r = tools.ok("data-validator", input="ftp:/x", rules=[{"type": "url", "message": "bad link"}])
    assert r["result"]["errors"][0]["message"] == "bad link"
    date = [{"type": "date", "format": "%Y-%m-%d"}]
    assert tools.ok("data-validator", input="2024-02-29", rules=date)["result"]["valid"]
    assert not tools.ok("data-validator", input="2023-02-29", rules=date)["result"]["valid"]
    wrapped = {"rules": [{"type": "type", "expected": "string"}]}  # rs-llmspell wrapper
    assert tools.ok("data-validator", input="s", rules=wrapped)["result"]["valid"]


def test_json_schema(tools):
    schema = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
    assert tools.ok("data-validator", input={"id": 1}, schema=schema)["result"]["valid"]
    r = tools.ok("data-validator", input={"id": "x"}, schema=schema)
    assert r["result"]["errors"][0]["field"] == "id"
    assert tools.ok("data-validator", input='{"id": 2}', parse_json=True, schema=schema)["result"][
        "valid"
    ]


def test_bad_rules_and_schema_fail(tools):
    assert "rules" in tools.failed("data-validator", input=1)["error"]
    assert "type" in tools.failed("data-validator", input=1, rules=[{"type": "bogus"}])["error"]
    assert (
        "regex"
        in tools.failed("data-validator", input="a", rules=[{"type": "pattern", "regex": "("}])[
            "error"
        ]
    )
    r = tools.failed("data-validator", input=1, schema={"type": "nonsense"})
    assert "not a valid JSON schema" in r["error"]


def test_misuse_and_size(tools):
    with pytest.raises(ValidationError, match="parameter 'rules'"):
        tools("data-validator", input=1, rules="required")
    with pytest.raises(ValidationError, match="'input'"):
        tools("data-validator", rules=[])
    r = tools.failed("data-validator", input="x" * 10_000_001, rules=[])
    assert "over the limit" in r["error"]


# -- bounded schemas (issue 11) ---------------------------------------------------------

BOMB = "^(a|aa)+$"  # backtracks exponentially, even in the regex engine


@pytest.mark.parametrize(
    "schema, data",
    [
        ({"type": "string", "pattern": BOMB}, "a" * 40 + "!"),
        ({"type": "object", "patternProperties": {BOMB: {}}}, {"a" * 40 + "!": 1}),
        (
            {"type": "object", "patternProperties": {BOMB: {}}, "additionalProperties": False},
            {"a" * 40 + "!": 1},
        ),
    ],
)
def test_schema_regex_bombs_are_limit_exceeded(tools, schema, data):
    import time

    start = time.monotonic()
    r = tools.failed("data-validator", input=data, schema=schema)
    assert r["error_kind"] == "LimitExceeded" and "regular expression" in r["error"]
    assert time.monotonic() - start < 12
    import json

    text = json.dumps(data)
    r = tools.failed("json-processor", operation="validate", input=text, schema=schema)
    assert r["error_kind"] == "LimitExceeded"


def test_schema_patterns_and_unique_items_still_work(tools):
    schema = {
        "type": "object",
        "patternProperties": {"^x_": {"type": "integer"}},
        "properties": {"tags": {"type": "array", "uniqueItems": True}},
        "additionalProperties": False,
    }
    r = tools.ok("data-validator", input={"x_a": 1, "tags": list(range(50_000))}, schema=schema)
    assert r["result"]["valid"] is True
    r = tools.ok("data-validator", input={"x_a": "s", "tags": [1, 1], "y": 0}, schema=schema)
    rules = sorted(e["rule"] for e in r["result"]["errors"])
    assert rules == ["additionalProperties", "type", "uniqueItems"]
