"""yaml-processor: parse (safe_load only, multi-document), dump, validate, to_json."""

from __future__ import annotations

import json
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import dispatch, fail, output
from llmspell_tools.data._values import check_text, json_input, plain
from llmspell_tools.data.data_validator import _with_schema

MAX_DOCUMENTS = 10_000


def _load(text: str) -> list[Any]:
    """Every document of ``text`` via ``yaml.safe_load_all`` (no Python objects), made
    JSON-able with a node budget (alias bombs and recursive aliases are refused)."""
    import yaml

    check_text(text)
    docs: list[Any] = []
    try:
        for doc in yaml.safe_load_all(text):
            docs.append(plain(doc, "input"))
            if len(docs) > MAX_DOCUMENTS:
                fail(f"more than {MAX_DOCUMENTS} documents", kind="ValidationError")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        fail(f"invalid YAML{where}: {exc}", kind="ParseError")
    except RecursionError:
        fail("the YAML is nested too deeply", kind="ValidationError")
    return docs


def _parse(params: dict[str, Any]) -> Any:
    docs = _load(params["input"])
    value = docs[0] if len(docs) == 1 else (docs if docs else None)
    return output(
        {"result": value, "documents": docs, "document_count": len(docs)},
        text=json.dumps(value, ensure_ascii=False),
    )


def _dump(params: dict[str, Any]) -> Any:
    import yaml

    data = params["input"]
    if isinstance(data, str) and not params.get("parse_json"):
        check_text(data)
    else:
        data = json_input(data)
    options = {
        "sort_keys": bool(params.get("sort_keys")),
        "allow_unicode": True,
        "default_flow_style": bool(params.get("flow_style")),
        "indent": params.get("indent", 2),
    }
    if params.get("multi_document"):
        if not isinstance(data, list):
            fail("multi_document needs 'input' to be an array of documents", kind="ValidationError")
        text = yaml.safe_dump_all(data, explicit_start=True, **options)
    else:
        text = yaml.safe_dump(data, **options)
    return output({"result": text, "yaml": text}, text=text)


def _validate(params: dict[str, Any]) -> Any:
    try:
        docs = _load(params["input"])
    except Exception as exc:
        if getattr(exc, "kind", "") != "ParseError":
            raise
        return output(
            {"valid": False, "errors": [{"field": "(input)", "rule": "yaml", "message": str(exc)}]},
            text=f"invalid: {exc}",
        )
    errors: list[dict[str, Any]] = []
    schema = params.get("schema")
    if isinstance(schema, dict):
        for index, doc in enumerate(docs):
            for err in _with_schema(doc, schema):
                if len(docs) > 1:
                    err["document"] = index
                errors.append(err)
    text = "valid" if not errors else f"invalid: {errors[0]['field']}: {errors[0]['message']}"
    return output({"valid": not errors, "errors": errors, "document_count": len(docs)}, text=text)


def _to_json(params: dict[str, Any]) -> Any:
    docs = _load(params["input"])
    value = docs[0] if len(docs) == 1 else docs
    indent = params.get("indent", 2)
    text = json.dumps(value, ensure_ascii=False, indent=indent or None)
    return output({"result": value, "json": text, "document_count": len(docs)}, text=text)


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Parse, dump, validate or convert YAML."""
    ops = {"parse": _parse, "dump": _dump, "validate": _validate, "to_json": _to_json}
    if params.get("operation", "parse") != "dump" and not isinstance(params["input"], str):
        fail("'input' must be YAML text for this operation", kind="ValidationError")
    return dispatch(params, ops, params, default="parse")


TOOL = Tool(
    name="yaml-processor",
    description="Process YAML safely (no custom tags or Python objects): 'parse' YAML text "
    "into data (several '---' documents → result.documents), 'dump' data to YAML text, "
    "'validate' YAML (syntax, optionally against a JSON schema in 'schema'), 'to_json' "
    "convert YAML text to JSON text.",
    category="data",
    handler=run,
    timeout_seconds=15,
    tags=("yaml", "json", "config"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["parse", "dump", "validate", "to_json"],
                "default": "parse",
            },
            "input": {
                "description": "YAML text; for dump, the data (or JSON text with parse_json=true)"
            },
            "schema": {"type": "object", "description": "a JSON schema (validate)"},
            "sort_keys": {"type": "boolean", "default": False},
            "flow_style": {"type": "boolean", "default": False},
            "indent": {"type": "integer", "minimum": 0, "maximum": 16, "default": 2},
            "multi_document": {
                "type": "boolean",
                "default": False,
                "description": "dump: input is an array, written as '---' documents",
            },
            "parse_json": {"type": "boolean", "default": False},
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
