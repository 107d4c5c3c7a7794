"""data-transformer: each declarative operation, bad specs, misuse."""

from __future__ import annotations

import pytest

from llmspell.errors import ValidationError

PEOPLE = [
    {"name": "Ada", "age": 36, "team": "core", "address": {"city": "London"}},
    {"name": "Bob", "age": 25, "team": "web", "address": {"city": "Paris"}},
    {"name": "Cy", "age": 41, "team": "core"},
]


def run(tools, operation, spec, data=PEOPLE):
    return tools.ok("data-transformer", operation=operation, input=data, spec=spec)["result"]


def test_map(tools):
    r = run(
        tools,
        "map",
        {
            "fields": {
                "who": "name",
                "city": {"path": "address.city", "default": "?"},
                "kind": {"value": "person"},
                "age": {"path": "age", "as": "string"},
            }
        },
    )
    assert r["result"][2] == {"who": "Cy", "city": "?", "kind": "person", "age": "41"}
    assert r["count"] == 3


def test_filter(tools):
    r = run(
        tools,
        "filter",
        {
            "where": [
                {"field": "age", "op": "gte", "value": 30},
                {"field": "team", "op": "eq", "value": "core"},
            ]
        },
    )
    assert [p["name"] for p in r["result"]] == ["Ada", "Cy"]
    r = run(tools, "filter", {"field": "address.city", "op": "exists"})
    assert len(r["result"]) == 2
    r = run(
        tools,
        "filter",
        {
            "match": "any",
            "where": [
                {"field": "name", "op": "matches", "value": "^B"},
                {"field": "age", "op": "in", "value": [41]},
            ],
        },
    )
    assert [p["name"] for p in r["result"]] == ["Bob", "Cy"]


def test_sort(tools):
    r = run(tools, "sort", {"by": "age", "descending": True})
    assert [p["name"] for p in r["result"]] == ["Cy", "Ada", "Bob"]
    r = run(tools, "sort", {"by": ["team", "name"]})
    assert [p["name"] for p in r["result"]] == ["Ada", "Cy", "Bob"]


def test_group_by(tools):
    r = run(tools, "group_by", {"by": "team"})["result"]
    assert sorted(r["groups"]) == ["core", "web"] and len(r["groups"]["core"]) == 2
    r = run(
        tools,
        "group_by",
        {"by": "team", "aggregate": {"n": "count", "avg_age": {"op": "avg", "field": "age"}}},
    )["result"]
    assert r["groups"][0] == {"team": "core", "n": 2, "avg_age": 38.5}


def test_flatten(tools):
    r = run(tools, "flatten", {}, data={"a": {"b": {"c": 1}}, "l": [{"x": 1}], "s": [1, 2]})
    assert r["result"] == {"a.b.c": 1, "l.0.x": 1, "s": [1, 2]}
    r = run(tools, "flatten", {"separator": "_"}, data=PEOPLE[:1])
    assert r["result"][0]["address_city"] == "London"
    assert run(tools, "flatten", {}, data=[[1, 2], [3]])["result"] == [1, 2, 3]


def test_pick_and_rename(tools):
    r = run(tools, "pick", {"fields": ["name", "address.city"]})
    assert r["result"][0] == {"name": "Ada", "address.city": "London"}
    assert r["result"][2] == {"name": "Cy"}
    r = run(tools, "rename", {"fields": {"name": "full_name"}}, data=PEOPLE[0])
    assert r["result"]["full_name"] == "Ada" and "name" not in r["result"]


def test_json_text_input(tools):
    r = run(tools, "sort", {"by": "."}, data="[3, 1, 2]")
    assert r["result"] == [1, 2, 3]


def test_bad_specs_fail(tools):
    assert (
        "spec.fields"
        in tools.failed("data-transformer", operation="map", input=PEOPLE, spec={})["error"]
    )
    assert (
        "unknown op"
        in tools.failed(
            "data-transformer", operation="filter", input=PEOPLE, spec={"field": "a", "op": "eval"}
        )["error"]
    )
    assert (
        "not valid JSON"
        in tools.failed("data-transformer", operation="sort", input="[1,", spec={})["error"]
    )
    r = tools.failed(
        "data-transformer",
        operation="group_by",
        input=PEOPLE,
        spec={"by": "team", "aggregate": {"x": "median"}},
    )
    assert "unknown aggregate" in r["error"]


def test_misuse(tools):
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("data-transformer", operation="eval", input=[])
    with pytest.raises(ValidationError, match="parameter 'input'"):
        tools("data-transformer", operation="sort", input=5)
    deep: list = []
    for _ in range(300):
        deep = [deep]
    r = tools.failed("data-transformer", operation="flatten", input=deep)
    assert "nested deeper" in r["error"]
