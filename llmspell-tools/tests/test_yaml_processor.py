"""yaml-processor: safe parsing (multi-document), dump, validate, to_json, attacks."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import ValidationError

DOC = "name: demo\nitems:\n  - 1\n  - 2\nwhen: 2024-01-02\n"


def test_parse(tools):
    r = tools.ok("yaml-processor", input=DOC)["result"]
    assert r["result"] == {"name": "demo", "items": [1, 2], "when": "2024-01-02"}
    assert r["document_count"] == 1
    r = tools.ok("yaml-processor", operation="parse", input="a: 1\n---\nb: 2\n")["result"]
    assert r["documents"] == [{"a": 1}, {"b": 2}] and r["result"] == r["documents"]


def test_dump(tools):
    r = tools.ok("yaml-processor", operation="dump", input={"b": [1, 2], "a": "x"}, sort_keys=True)
    assert r["text"] == "a: x\nb:\n- 1\n- 2\n"
    r = tools.ok(
        "yaml-processor", operation="dump", input=[{"a": 1}, {"b": 2}], multi_document=True
    )
    assert r["text"] == "---\na: 1\n---\nb: 2\n"
    r = tools.ok("yaml-processor", operation="dump", input='{"k": true}', parse_json=True)
    assert r["text"] == "k: true\n"


def test_validate(tools):
    assert tools.ok("yaml-processor", operation="validate", input=DOC)["result"]["valid"]
    r = tools.ok("yaml-processor", operation="validate", input="a: [1, 2\n")
    assert r["result"]["valid"] is False and "line" in r["result"]["errors"][0]["message"]
    schema = {"type": "object", "required": ["name", "version"]}
    r = tools.ok("yaml-processor", operation="validate", input=DOC, schema=schema)
    assert r["result"]["valid"] is False and "version" in r["result"]["errors"][0]["message"]


def test_to_json(tools):
    r = tools.ok("yaml-processor", operation="to_json", input=DOC)
    assert json.loads(r["result"]["json"])["items"] == [1, 2]


def test_python_tags_are_refused(tools):
    r = tools.failed("yaml-processor", input="!!python/object/apply:os.system ['echo hi']")
    assert "invalid YAML" in r["error"]


def test_alias_bomb_and_recursion_are_refused(tools):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    r = tools.failed("yaml-processor", operation="to_json", input=bomb)
    assert "more than" in r["error"]
    r = tools.failed("yaml-processor", input="&a [*a]")
    assert "deeper" in r["error"]


def test_failures_and_misuse(tools):
    assert "invalid YAML" in tools.failed("yaml-processor", input="a: [")["error"]
    assert "YAML text" in tools.failed("yaml-processor", input={"a": 1})["error"]
    assert "over the limit" in tools.failed("yaml-processor", input="#" * 10_000_001)["error"]
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("yaml-processor", operation="load", input="a: 1")
    with pytest.raises(ValidationError, match="parameter 'indent'"):
        tools("yaml-processor", operation="dump", input={}, indent=99)
