"""json-processor: jq queries and transforms, JSON-schema validation, formatting."""

from __future__ import annotations

import json
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import dispatch, fail, output
from llmspell_tools.data._values import check_text, json_input, plain
from llmspell_tools.data.data_validator import _with_schema

#: the most values a jq program may emit (stops runaway generators like `range(1e9)`)
MAX_OUTPUTS = 10_000
MAX_QUERY = 10_000


def _jq(params: dict[str, Any], default: str | None) -> list[Any]:
    import jq

    query = params.get("query", default)
    if not isinstance(query, str) or not query.strip():
        fail(
            "'query' (a jq program such as '.items[] | .name') is required", kind="ValidationError"
        )
    check_text(query, "query", MAX_QUERY)
    data = json_input(params["input"])
    try:
        program = jq.compile(query)
    except ValueError as exc:
        fail(f"invalid jq query {query!r}: {exc}", kind="ValidationError")
    results: list[Any] = []
    try:
        for value in program.input_value(data):
            results.append(value)
            if len(results) > MAX_OUTPUTS:
                fail(f"the query produced more than {MAX_OUTPUTS} results")
    except ValueError as exc:
        fail(f"jq error: {exc}")
    return [plain(v, "result") for v in results]


def _query(params: dict[str, Any]) -> Any:
    results = _jq(params, ".")
    value = results[0] if len(results) == 1 else results
    return output(
        {"result": value, "results": results, "count": len(results)},
        text=json.dumps(value, ensure_ascii=False),
    )


def _transform(params: dict[str, Any]) -> Any:
    results = _jq(params, None)
    value = results[0] if len(results) == 1 else results
    return output(
        {"result": value, "count": len(results)}, text=json.dumps(value, ensure_ascii=False)
    )


def _validate(params: dict[str, Any]) -> Any:
    schema = params.get("schema")
    if not isinstance(schema, dict):
        fail("'schema' (a JSON schema object) is required to validate", kind="ValidationError")
    raw = params["input"]
    if isinstance(raw, str):
        check_text(raw)
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            err = {"field": "(input)", "rule": "json", "message": f"not valid JSON: {exc}"}
            return output({"valid": False, "errors": [err], "result": False}, text="invalid JSON")
    else:
        data = plain(raw)
    errors = _with_schema(data, schema)
    text = "valid" if not errors else f"invalid: {errors[0]['field']}: {errors[0]['message']}"
    return output({"valid": not errors, "errors": errors, "result": not errors}, text=text)


def _format(params: dict[str, Any]) -> Any:
    data = json_input(params["input"])
    if params.get("compact"):
        text = json.dumps(
            data, ensure_ascii=False, separators=(",", ":"), sort_keys=bool(params.get("sort_keys"))
        )
    else:
        text = json.dumps(
            data,
            ensure_ascii=False,
            indent=params.get("indent", 2),
            sort_keys=bool(params.get("sort_keys")),
        )
    return output({"result": text}, text=text)


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Query, transform, validate or format JSON."""
    if "input" not in params:
        fail("'input' (JSON text or a value) is required", kind="ValidationError")
    ops = {"query": _query, "transform": _transform, "validate": _validate, "format": _format}
    return dispatch(params, ops, params, default="query")


TOOL = Tool(
    name="json-processor",
    description="Process JSON: 'query' or 'transform' runs a jq program (e.g. "
    "'.users[] | select(.age > 30) | .name') over input; 'validate' checks input against a "
    "JSON schema; 'format' pretty-prints or compacts. input may be JSON text or a value. "
    "result.result holds the answer (one jq output as itself, several as an array).",
    category="data",
    handler=run,
    timeout_seconds=15,
    tags=("json", "jq", "query", "schema"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["query", "transform", "validate", "format"],
                "default": "query",
            },
            "input": {"description": "JSON text, or any value (table/array/string/number)"},
            "query": {"type": "string", "description": "a jq program; default '.' for query"},
            "schema": {"type": "object", "description": "a JSON schema (validate)"},
            "indent": {"type": "integer", "minimum": 0, "maximum": 16, "default": 2},
            "sort_keys": {"type": "boolean", "default": False},
            "compact": {"type": "boolean", "default": False, "description": "format: no spaces"},
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
