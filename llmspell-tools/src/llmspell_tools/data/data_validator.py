"""data-validator: check a value against declarative rules or a JSON schema (jsonschema)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from llmspell.tools import Tool
from llmspell_tools._support import UserRegex, check, fail, output, user_search
from llmspell_tools.data._values import check_text, get_path, json_input, missing

RULE_TYPES = (
    "required",
    "type",
    "length",
    "range",
    "pattern",
    "enum",
    "email",
    "url",
    "date",
    "array",
    "object",
)
MAX_RULES = 1_000
MAX_ERRORS = 1_000
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_TYPES: dict[str, Any] = {
    "string": str,
    "number": (int, float),
    "integer": int,
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


def _type_ok(value: Any, expected: str) -> bool:
    if expected == "any":
        return True
    if expected not in _TYPES:
        fail(
            f"unknown type {expected!r} in a 'type' rule (known: {', '.join(_TYPES)})",
            kind="ValidationError",
        )
    if isinstance(value, bool) and expected in ("number", "integer"):
        return False
    if expected == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[expected])


def _num(rule: dict[str, Any], key: str) -> float | None:
    value = rule.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(f"'{key}' of a {rule.get('type')!r} rule must be a number", kind="ValidationError")
    return float(value)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def error(self, field: str, rule: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"field": field or "(input)", "rule": rule, "message": message})

    def rules(self, value: Any, rules: list[Any], field: str) -> None:
        for rule in rules:
            if not isinstance(rule, dict) or rule.get("type") not in RULE_TYPES:
                fail(
                    f"each rule must be an object with 'type' one of {', '.join(RULE_TYPES)}; "
                    f"got {rule!r}",
                    kind="ValidationError",
                )
            target, where = value, field
            if isinstance(rule.get("field"), str):
                where = f"{field}.{rule['field']}" if field else rule["field"]
                target = get_path(value, rule["field"])
            self.rule(target, rule, where)

    def rule(self, value: Any, rule: dict[str, Any], field: str) -> None:
        kind = rule["type"]
        message = rule.get("message")
        if missing(value) or value is None:
            if kind == "required":
                self.error(field, kind, message or "is required")
            return  # other rules only check values that are present
        before = len(self.errors)
        getattr(self, f"_{kind}")(value, rule, field)
        if message and len(self.errors) > before:
            self.errors[before]["message"] = message

    def _required(self, value: Any, rule: dict[str, Any], field: str) -> None:
        if value == "" and not rule.get("allow_empty", False):
            self.error(field, "required", "must not be empty")

    def _type(self, value: Any, rule: dict[str, Any], field: str) -> None:
        expected = rule.get("expected") or rule.get("value") or rule.get("type_name")
        if not isinstance(expected, str):
            fail("a 'type' rule needs 'expected' (string, number, ...)", kind="ValidationError")
        if not _type_ok(value, expected):
            self.error(field, "type", f"must be of type {expected}, got {type(value).__name__}")

    def _length(self, value: Any, rule: dict[str, Any], field: str) -> None:
        if not isinstance(value, str | list | dict):
            self.error(field, "length", "has no length (not a string, array or object)")
            return
        lo, hi = _num(rule, "min"), _num(rule, "max")
        if lo is not None and len(value) < lo:
            self.error(field, "length", f"length {len(value)} is less than {lo:g}")
        if hi is not None and len(value) > hi:
            self.error(field, "length", f"length {len(value)} is more than {hi:g}")

    def _range(self, value: Any, rule: dict[str, Any], field: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(field, "range", "must be a number")
            return
        lo, hi = _num(rule, "min"), _num(rule, "max")
        if lo is not None and value < lo:
            self.error(field, "range", f"{value} is less than {lo:g}")
        if hi is not None and value > hi:
            self.error(field, "range", f"{value} is more than {hi:g}")

    def _pattern(self, value: Any, rule: dict[str, Any], field: str) -> None:
        pattern = rule.get("regex") or rule.get("pattern") or rule.get("value")
        if not isinstance(pattern, str):
            fail("a 'pattern' rule needs 'regex' (a string)", kind="ValidationError")
        compiled = UserRegex(pattern)
        if not isinstance(value, str) or not compiled.search(value):
            self.error(field, "pattern", f"does not match {pattern!r}")

    def _enum(self, value: Any, rule: dict[str, Any], field: str) -> None:
        values = rule.get("values") or rule.get("allowed") or rule.get("value")
        if not isinstance(values, list):
            fail("an 'enum' rule needs 'values' (an array)", kind="ValidationError")
        if value not in values:
            self.error(field, "enum", f"{value!r} is not one of {values!r}")

    def _email(self, value: Any, rule: dict[str, Any], field: str) -> None:
        if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value):
            self.error(field, "email", f"{value!r} is not a valid email address")

    def _url(self, value: Any, rule: dict[str, Any], field: str) -> None:
        schemes = rule.get("schemes") or ["http", "https"]
        parts = urlparse(value) if isinstance(value, str) else None
        if parts is None or parts.scheme not in schemes or not parts.netloc:
            self.error(field, "url", f"{value!r} is not a valid URL ({'/'.join(schemes)})")

    def _date(self, value: Any, rule: dict[str, Any], field: str) -> None:
        fmt = rule.get("format")
        try:
            if not isinstance(value, str):
                raise ValueError
            if isinstance(fmt, str):
                datetime.strptime(value, fmt)
            else:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            wanted = f"format {fmt!r}" if fmt else "ISO 8601"
            self.error(field, "date", f"{value!r} is not a valid date ({wanted})")

    def _array(self, value: Any, rule: dict[str, Any], field: str) -> None:
        if not isinstance(value, list):
            self.error(field, "array", "must be an array")
            return
        lo, hi = _num(rule, "min_items"), _num(rule, "max_items")
        if lo is not None and len(value) < lo:
            self.error(field, "array", f"has {len(value)} items, fewer than {lo:g}")
        if hi is not None and len(value) > hi:
            self.error(field, "array", f"has {len(value)} items, more than {hi:g}")
        if rule.get("unique") and len({repr(v) for v in value}) != len(value):
            self.error(field, "array", "items are not unique")
        item_rules = rule.get("item_rules") or rule.get("items")
        if isinstance(item_rules, list):
            for index, item in enumerate(value):
                self.rules(item, item_rules, f"{field}[{index}]" if field else f"[{index}]")

    def _object(self, value: Any, rule: dict[str, Any], field: str) -> None:
        if not isinstance(value, dict):
            self.error(field, "object", "must be an object")
            return
        prefix = f"{field}." if field else ""
        for name in rule.get("required") or []:
            if name not in value:
                self.error(f"{prefix}{name}", "required", "is required")
        properties = rule.get("properties") or {}
        if not isinstance(properties, dict):
            fail("'properties' of an 'object' rule must map field → rules", kind="ValidationError")
        for name, sub in properties.items():
            if name in value:
                self.rules(value[name], sub if isinstance(sub, list) else [sub], prefix + name)
        if rule.get("additional_properties") is False:
            for name in value:
                if name not in properties:
                    self.error(f"{prefix}{name}", "object", "is not an allowed property")


def _with_rules(data: Any, rules: Any) -> Any:
    if isinstance(rules, dict) and isinstance(rules.get("rules"), list):
        rules = rules["rules"]  # rs-llmspell's {rules = {...}} wrapper
    if not isinstance(rules, list):
        fail("'rules' must be an array of rule objects", kind="ValidationError")
    if len(rules) > MAX_RULES:
        fail(f"more than {MAX_RULES} rules", kind="ValidationError")
    checker = _Checker()
    checker.rules(data, rules, "")
    return checker.errors


def _with_schema(data: Any, schema: dict[str, Any]) -> Any:
    """Errors of ``data`` against a JSON schema. Its regular expressions (``pattern``,
    ``patternProperties``) run through :class:`UserRegex` (bounded in time) and
    ``uniqueItems`` is linear (:func:`llmspell.schema.bounded_validator`)."""
    import jsonschema

    from llmspell.schema import bounded_validator

    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        fail(f"'schema' is not a valid JSON schema: {exc.message}", kind="ValidationError")
    validator = bounded_validator(schema, search=user_search, format_checker=cls.FORMAT_CHECKER)
    found = []
    for err in validator.iter_errors(data):
        check()
        found.append(err)
        if len(found) >= 10 * MAX_ERRORS:
            break
    errors = []
    for err in sorted(found, key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in err.absolute_path)
        errors.append(
            {"field": path or "(input)", "rule": str(err.validator), "message": err.message}
        )
        if len(errors) >= MAX_ERRORS:
            break
    return errors


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Validate ``input`` against ``rules`` or ``schema``."""
    data = params["input"]
    if isinstance(data, str) and not params.get("parse_json"):
        check_text(data)
    else:
        data = json_input(data)
    if "schema" in params:
        errors = _with_schema(data, params["schema"])
    elif "rules" in params:
        errors = _with_rules(data, params["rules"])
    else:
        fail("give 'rules' (an array of rules) or 'schema' (a JSON schema)", kind="ValidationError")
    valid = not errors
    text = (
        "valid"
        if valid
        else f"invalid: {len(errors)} error(s); first: "
        + (f"{errors[0]['field']}: {errors[0]['message']}")
    )
    return output({"valid": valid, "errors": errors, "error_count": len(errors)}, text=text)


TOOL = Tool(
    name="data-validator",
    description="Validate a value (object, array, string, number) against declarative rules "
    "(required, type, length, range, pattern, enum, email, url, date, array, object; each "
    "may name a 'field' path like 'user.email') or against a JSON schema. Returns "
    "result.valid and result.errors [{field, rule, message}].",
    category="data",
    handler=run,
    timeout_seconds=15,
    tags=("validation", "schema", "json"),
    parameters={
        "type": "object",
        "properties": {
            "input": {"description": "the data to validate (any JSON value)"},
            "rules": {
                "type": ["array", "object"],
                "description": "rules, e.g. [{type='required', field='name'}, {type='type', "
                "field='age', expected='integer'}, {type='range', field='age', min=0, max=150}, "
                "{type='pattern', field='code', regex='^[A-Z]+$'}, {type='enum', values={...}}, "
                "{type='length', min=1, max=10}, {type='email'}, {type='url'}, {type='date', "
                "format='%Y-%m-%d'}, {type='array', min_items=1, item_rules={...}}, "
                "{type='object', required={...}, properties={name={rules}}}]; an optional "
                "'message' replaces the error text",
            },
            "schema": {"type": "object", "description": "a JSON schema (used instead of rules)"},
            "parse_json": {
                "type": "boolean",
                "default": False,
                "description": "parse a string input as JSON text before validating",
            },
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
