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


# -- bounded regular expressions (issue 11) --------------------------------------------

import re  # noqa: E402
import time  # noqa: E402

from llmspell import schema as schema_mod  # noqa: E402
from llmspell.errors import LimitExceeded  # noqa: E402
from llmspell.schema import PATTERN_WORK, bounded_validator, pattern_search  # noqa: E402

BOMB = "^(a|aa)+$"  # backtracks exponentially even in the regex engine
BOMB_VALUE = "a" * 40 + "!"


@pytest.fixture
def without_regex(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The core as installed without the ``regex`` package."""
    monkeypatch.setattr(schema_mod, "_REGEX", False)
    schema_mod._compiled.cache_clear()
    yield
    schema_mod._compiled.cache_clear()


def test_backtracking_pattern_is_limit_exceeded_promptly() -> None:
    start = time.monotonic()
    with pytest.raises(LimitExceeded, match="took longer than"):
        first_error({"type": "string", "pattern": BOMB}, BOMB_VALUE)
    assert time.monotonic() - start < 10


def test_backtracking_pattern_in_jsonschema_path_is_limit_exceeded() -> None:
    schemas = [
        {"type": "string", "pattern": BOMB, "$defs": {}},
        {"type": "object", "patternProperties": {BOMB: {}}, "$defs": {}},
        {"type": "object", "patternProperties": {BOMB: {}}, "additionalProperties": False},
    ]
    for sch in schemas:
        value: Any = BOMB_VALUE if sch["type"] == "string" else {BOMB_VALUE: 1}
        with pytest.raises(LimitExceeded):
            first_error(sch, value)


def test_ordinary_patterns_still_work_both_paths() -> None:
    assert first_error({"type": "string", "pattern": "^[a-z]+(-[a-z]+)*$"}, "ab-cd") is None
    assert first_error({"type": "string", "pattern": "^[a-z]+$"}, "AB") is not None
    sch = {"type": "object", "patternProperties": {"^x_": {"type": "integer"}}, "$defs": {}}
    assert first_error(sch, {"x_a": 1}) is None
    assert first_error(sch, {"x_a": "s"}) is not None
    sch = {"patternProperties": {"^x_": {}}, "additionalProperties": False, "$defs": {}}
    assert first_error(sch, {"x_a": 1}) is None
    problem = first_error(sch, {"y": 1})
    assert problem is not None and "'y' does not match any of the regexes" in problem[1]
    sch = {"properties": {"a": {}}, "additionalProperties": False, "$defs": {}}
    problem = first_error(sch, {"a": 1, "b": 2})
    assert problem is not None and "'b' was unexpected" in problem[1]


def test_unique_items_is_linear() -> None:
    items = list(range(200_000))
    start = time.monotonic()
    assert first_error({"type": "array", "uniqueItems": True}, items) is None
    assert first_error({"type": "array", "uniqueItems": True, "$defs": {}}, items) is None
    assert time.monotonic() - start < 10
    assert first_error({"uniqueItems": True}, [1, True]) is None  # true is not 1
    assert first_error({"uniqueItems": True}, [1, 1.0]) is not None
    assert first_error({"uniqueItems": True}, [{"a": [1]}, {"a": [1]}]) is not None
    assert first_error({"uniqueItems": True, "$defs": {}}, [{"a": 1}, {"a": 1}]) is not None


def test_without_regex_nested_quantifiers_are_refused(without_regex: Any) -> None:
    with pytest.raises(SchemaProblem, match="backtrack exponentially"):
        check_schema({"type": "string", "pattern": BOMB})
    with pytest.raises(SchemaProblem, match="backtrack exponentially"):
        check_schema({"type": "object", "patternProperties": {"(ab|a)*c": {}}, "$defs": {}})
    check_schema({"type": "string", "pattern": "^[a-z]{3}-\\d{2,4}$"})  # no nesting: fine
    problem = first_error({"type": "string", "pattern": BOMB}, "aa")
    assert problem is not None and "cannot be used" in problem[1]


def test_without_regex_work_limit(without_regex: Any) -> None:
    start = time.monotonic()
    with pytest.raises(LimitExceeded, match="work limit"):
        first_error({"type": "string", "pattern": "a*a*a*a*a*a*c"}, "a" * 50_000)
    assert time.monotonic() - start < 5
    assert first_error({"type": "string", "pattern": "^[a-z]+$"}, "abc") is None
    assert pattern_search("^[a-z]+$", "q" * 5_000)
    assert PATTERN_WORK > 5_001**2


def test_without_regex_unevaluated_properties_screened(without_regex: Any) -> None:
    sch = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "patternProperties": {"^a*a*a*a*a*c$": {}},
        "unevaluatedProperties": False,
    }
    with pytest.raises(LimitExceeded, match="work limit"):
        first_error(sch, {"a" * 5000: 1})
    assert first_error(sch, {"ac": 1}) is None


def test_custom_search_is_used() -> None:
    calls: list[tuple[str, str]] = []

    def search(pattern: str, text: str) -> bool:
        calls.append((pattern, text))
        return re.search(pattern, text) is not None

    validator = bounded_validator({"type": "string", "pattern": "^b"}, search=search)
    assert [e.message for e in validator.iter_errors("abc")] == ["'abc' does not match '^b'"]
    assert calls == [("^b", "abc")]
