"""csv-analyzer: every operation on text and files, sandboxed paths, bad input."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import SecurityError, ValidationError

CSV = "name,age,city\nAda,36,London\nBob,25,Paris\nCy,41,London\nDee,,Rome\n"


def test_analyze(tools):
    r = tools.ok("csv-analyzer", input=CSV)["result"]
    assert r["row_count"] == 4 and r["columns"] == ["name", "age", "city"]
    age = r["stats"]["age"]
    assert age["type"] == "integer" and age["missing"] == 1 and age["max"] == 41
    assert r["stats"]["city"]["top_values"][0] == {"value": "London", "count": 2}


def test_analyze_from_a_file_with_semicolons(tools):
    (tools.root / "d.csv").write_text(CSV.replace(",", ";"), encoding="utf-8")
    r = tools.ok("csv-analyzer", operation="analyze", path="d.csv")["result"]
    assert r["columns"] == ["name", "age", "city"]


def test_filter(tools):
    r = tools.ok(
        "csv-analyzer",
        operation="filter",
        input=CSV,
        options={"column": "age", "operator": "gt", "value": 30},
    )
    assert [row["name"] for row in r["result"]["rows"]] == ["Ada", "Cy"]
    r = tools.ok(
        "csv-analyzer",
        operation="filter",
        input=CSV,
        options={
            "match": "any",
            "conditions": [
                {"column": "city", "operator": "eq", "value": "Rome"},
                {"column": "name", "operator": "startswith", "value": "B"},
            ],
        },
    )
    assert r["result"]["row_count"] == 2 and r["text"].startswith("name,age,city\n")
    assert (
        "no column"
        in tools.failed(
            "csv-analyzer", operation="filter", input=CSV, options={"column": "zip", "value": 1}
        )["error"]
    )


def test_transform(tools):
    r = tools.ok(
        "csv-analyzer",
        operation="transform",
        input=CSV,
        options={
            "columns": ["name", "age"],
            "rename": {"name": "who"},
            "sort_by": "age",
            "descending": True,
            "limit": 2,
        },
    )
    assert r["result"]["columns"] == ["who", "age"]
    assert r["result"]["rows"] == [{"who": "Cy", "age": "41"}, {"who": "Ada", "age": "36"}]


def test_convert(tools):
    r = tools.ok("csv-analyzer", operation="convert", input=CSV)
    rows = json.loads(r["result"]["output"])
    assert rows[0] == {"name": "Ada", "age": 36, "city": "London"}
    md = tools.ok("csv-analyzer", operation="convert", input=CSV, options={"format": "markdown"})
    assert md["text"].splitlines()[0] == "| name | age | city |"
    tsv = tools.ok("csv-analyzer", operation="convert", input=CSV, options={"format": "tsv"})
    assert tsv["text"].startswith("name\tage\tcity\n")


def test_validate(tools):
    r = tools.ok(
        "csv-analyzer",
        operation="validate",
        input=CSV + "Eve,x,Oslo,extra\n",
        options={
            "required_columns": ["name", "zip"],
            "column_types": {"age": "integer"},
            "not_empty": ["age"],
        },
    )
    messages = [(e["row"], e["message"]) for e in r["result"]["errors"]]
    assert (0, "missing column") in messages
    assert any(row == 5 and "different number" in m for row, m in messages)
    assert any(row == 4 and m == "is empty" for row, m in messages)
    assert any(row == 5 and "not integer" in m for row, m in messages)
    assert tools.ok("csv-analyzer", operation="validate", input=CSV)["result"]["valid"]


def test_sample(tools):
    r = tools.ok("csv-analyzer", operation="sample", input=CSV, options={"size": 2})
    assert [x["name"] for x in r["result"]["rows"]] == ["Ada", "Bob"]
    r = tools.ok(
        "csv-analyzer",
        operation="sample",
        input=CSV,
        options={"size": 2, "method": "random", "seed": 1},
    )
    assert r["result"]["row_count"] == 2 and r["result"]["total_rows"] == 4
    r = tools.ok("csv-analyzer", operation="sample", input=CSV, options={"n": 1, "method": "tail"})
    assert r["result"]["rows"][0]["name"] == "Dee"


def test_failures_and_misuse(tools, tmp_path):
    assert "input" in tools.failed("csv-analyzer")["error"]
    assert "empty" in tools.failed("csv-analyzer", input="")["error"]
    assert "does not exist" in tools.failed("csv-analyzer", path="missing.csv")["error"]
    assert "over the limit" in tools.failed("csv-analyzer", input="a\n" * 5_000_001)["error"]
    outside = tmp_path / "outside.csv"
    outside.write_text(CSV)
    with pytest.raises(SecurityError):
        tools("csv-analyzer", path=str(outside))
    with pytest.raises(SecurityError):
        tools("csv-analyzer", path="../outside.csv")
    with pytest.raises(ValidationError, match=r"parameter 'options\.operator'"):
        tools("csv-analyzer", operation="filter", input=CSV, options={"operator": "like"})
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("csv-analyzer", operation="pivot", input=CSV)
