"""llmspell.schema agrees with the jsonschema library on every verdict it gives itself."""

from __future__ import annotations

import itertools
from typing import Any

import jsonschema
import pytest

from llmspell.schema import SchemaProblem, _is_simple, check_schema, first_error

SCHEMAS: list[dict[str, Any]] = [
    {"type": "string", "minLength": 2, "maxLength": 4},
    {"type": "string", "pattern": "^a+$"},
    {"type": "integer", "minimum": 1, "maximum": 10},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    {"type": "number", "multipleOf": 0.5},
    {"type": ["string", "null"]},
    {"type": "boolean"},
    {"enum": ["a", 1, None]},
    {"const": {"k": [1, 2]}},
    {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3},
    {"type": "array", "uniqueItems": True},
    {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "required": ["a"],
        "additionalProperties": False,
    },
    {"type": "object", "additionalProperties": {"type": "number"}, "minProperties": 1},
    {"anyOf": [{"type": "string"}, {"type": "integer"}]},
    {"oneOf": [{"type": "number"}, {"type": "integer"}]},
    {"allOf": [{"type": "integer"}, {"minimum": 3}]},
    {"not": {"type": "string"}},
    {"type": "object", "properties": {"o": {"type": "object", "required": ["x"]}}},
]

VALUES: list[Any] = [
    None, True, False, 0, 1, 2, 3, 1.0, 1.5, 0.5, 11, -1, "", "a", "aa", "aaa", "abcde", "b",
    [], [1], [1, 2], [1, 1], [1, "x"], [1, 2, 3, 4], {}, {"a": 1}, {"a": "1"}, {"a": 1, "b": "x"},
    {"a": 1, "c": 1}, {"x": 1.5}, {"x": "s"}, {"k": [1, 2]}, {"o": {}}, {"o": {"x": 1}},
    [1, True], [0, False], {"k": [True, 2]}, {"k": [1.0, 2]}, [[1], [1]], [{"a": 1}, {"a": 1}],
]  # fmt: skip


@pytest.mark.parametrize(("schema", "value"), list(itertools.product(SCHEMAS, VALUES)))
def test_same_verdict_as_jsonschema(schema: dict[str, Any], value: Any) -> None:
    assert _is_simple(schema), "the differential test must exercise the fast path"
    expected_valid = jsonschema.Draft202012Validator(schema).is_valid(value)
    problem = first_error(schema, value)
    assert (problem is None) == expected_valid, (schema, value, problem)


def test_error_names_the_nested_path() -> None:
    schema = {
        "type": "object",
        "properties": {
            "opts": {"type": "object", "properties": {"width": {"type": "integer"}}},
            "list": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["need"],
    }
    assert first_error(schema, {"need": 1, "opts": {"width": "w"}}) == (
        "opts.width",
        "'w' is not of type 'integer'",
    )
    assert first_error(schema, {"need": 1, "list": ["a", 2]}) == (
        "list[1]",
        "2 is not of type 'string'",
    )
    assert first_error(schema, {}) == ("need", "'need' is a required property")


def test_unsupported_keywords_fall_back_to_jsonschema() -> None:
    schema = {"$defs": {"n": {"type": "number"}}, "properties": {"a": {"$ref": "#/$defs/n"}}}
    assert not _is_simple(schema)
    assert first_error(schema, {"a": 1}) is None
    path, message = first_error(schema, {"a": "x"}) or ("", "")
    assert path == "a" and "'x' is not of type 'number'" in message


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        ({"type": "strin"}, "'type' must be one of"),
        ({"properties": []}, "'properties' must be an object"),
        ({"required": "a"}, "'required' must be a list"),
        ({"pattern": "("}, "not a valid regular expression"),
        ({"anyOf": []}, "'anyOf' must be a non-empty list"),
        ({"properties": {"a": {"type": 5}}}, "'type' at a must be one of"),
        ({"$ref": 5}, "5 is not of type 'string'"),
    ],
)
def test_check_schema_rejects_invalid_schemas(schema: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SchemaProblem) as info:
        check_schema(schema)
    assert fragment in str(info.value)


def test_check_schema_accepts_valid_schemas() -> None:
    for schema in SCHEMAS:
        check_schema(schema)


def test_coerce_empty_follows_the_schema() -> None:
    from llmspell.schema import coerce_empty

    schema = {
        "type": "object",
        "properties": {
            "items": {"type": "array"},
            "opts": {"type": "object"},
            "rows": {
                "type": "array",
                "items": {"type": "object", "properties": {"tags": {"type": "array"}}},
            },
        },
    }
    value = {"items": {}, "opts": [], "rows": [{"tags": {}}], "other": {}}
    assert coerce_empty(schema, value) == {
        "items": [],
        "opts": {},
        "rows": [{"tags": []}],
        "other": {},
    }
    assert coerce_empty({"type": ["array", "object"]}, {}) == {}  # ambiguous: left alone
