"""JSON Schema validation for tool parameters, fast for the common keywords.

Tool schemas use a small set of keywords (type, properties, required, enum, bounds,
items, ...). This module validates those directly; a schema that uses anything else
(``$ref``, ``if``/``then``, ``patternProperties``, ...) is handed to the ``jsonschema``
library, so every valid JSON Schema still works. Importing ``jsonschema`` costs ~75 ms,
which the common case no longer pays (see benchmarks/).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

__all__ = ["SchemaProblem", "check_schema", "coerce_empty", "first_error"]

_ANNOTATIONS = {
    "$schema", "$id", "$comment", "title", "description", "default", "examples",
    "format", "deprecated", "readOnly", "writeOnly", "contentMediaType", "contentEncoding",
}  # fmt: skip
_SUPPORTED = _ANNOTATIONS | {
    "type", "properties", "required", "additionalProperties", "items", "enum", "const",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems",
    "minProperties", "maxProperties", "anyOf", "oneOf", "allOf", "not",
}  # fmt: skip
_TYPES = {"string", "number", "integer", "boolean", "object", "array", "null"}


class SchemaProblem(Exception):
    """A schema that is not valid JSON Schema."""


def _is_simple(schema: Any) -> bool:
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, Mapping) or not set(schema) <= _SUPPORTED:
        return False
    props = schema.get("properties", {})
    if isinstance(props, Mapping) and not all(_is_simple(s) for s in props.values()):
        return False
    for key in ("items", "additionalProperties", "not"):
        if key in schema and not isinstance(schema[key], bool | Mapping):
            return False
        if isinstance(schema.get(key), Mapping) and not _is_simple(schema[key]):
            return False
    for key in ("anyOf", "oneOf", "allOf"):
        subs = schema.get(key, [])
        if not isinstance(subs, list) or not all(_is_simple(s) for s in subs):
            return False
    return True


def _kind_ok(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return kind == "number" or isinstance(value, int) or value.is_integer()


def _json_repr(value: Any) -> str:
    return repr(value)


def _same(a: Any, b: Any) -> bool:
    """JSON equality: booleans are not numbers (Python says ``True == 1``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return False
    return bool(a == b)


def _errors(schema: Any, value: Any, path: str) -> Iterator[tuple[str, str]]:
    if schema is True:
        return
    if schema is False:
        yield path, "no value is allowed here"
        return
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_kind_ok(value, t) for t in names):
            want = " or ".join(repr(t) for t in names)
            yield path, f"{_json_repr(value)} is not of type {want}"
            return
    if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
        yield path, f"{_json_repr(value)} is not one of {schema['enum']!r}"
    if "const" in schema and not _same(value, schema["const"]):
        yield path, f"{_json_repr(schema['const'])} was expected"
    if isinstance(value, int | float) and not isinstance(value, bool):
        yield from _number_errors(schema, value, path)
    elif isinstance(value, str):
        yield from _string_errors(schema, value, path)
    elif isinstance(value, list):
        yield from _array_errors(schema, value, path)
    elif isinstance(value, dict):
        yield from _object_errors(schema, value, path)
    for sub in schema.get("allOf", ()):
        yield from _errors(sub, value, path)
    if "anyOf" in schema and not any(
        next(_errors(s, value, path), None) is None for s in schema["anyOf"]
    ):
        yield path, f"{_json_repr(value)} is not valid under any of the given schemas"
    if "oneOf" in schema:
        matches = sum(1 for s in schema["oneOf"] if next(_errors(s, value, path), None) is None)
        if matches != 1:
            yield path, f"{_json_repr(value)} must match exactly one schema (matched {matches})"
    if "not" in schema and next(_errors(schema["not"], value, path), None) is None:
        yield path, f"{_json_repr(value)} should not be valid under {schema['not']!r}"


def _number_errors(schema: Mapping[str, Any], value: float, path: str) -> Iterator[tuple[str, str]]:
    if "minimum" in schema and value < schema["minimum"]:
        yield path, f"{value!r} is less than the minimum of {schema['minimum']!r}"
    if "maximum" in schema and value > schema["maximum"]:
        yield path, f"{value!r} is greater than the maximum of {schema['maximum']!r}"
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        yield path, f"{value!r} must be greater than {schema['exclusiveMinimum']!r}"
    if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        yield path, f"{value!r} must be less than {schema['exclusiveMaximum']!r}"
    step = schema.get("multipleOf")
    if step and (not math.isfinite(value / step) or (value / step) != int(value / step)):
        yield path, f"{value!r} is not a multiple of {step!r}"


def _string_errors(schema: Mapping[str, Any], value: str, path: str) -> Iterator[tuple[str, str]]:
    if "minLength" in schema and len(value) < schema["minLength"]:
        yield path, f"{value!r} is shorter than {schema['minLength']} characters"
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        yield path, f"{value!r} is longer than {schema['maxLength']} characters"
    if "pattern" in schema and not _compiled(schema["pattern"]).search(value):
        yield path, f"{value!r} does not match {schema['pattern']!r}"


def _array_errors(
    schema: Mapping[str, Any], value: list[Any], path: str
) -> Iterator[tuple[str, str]]:
    if "minItems" in schema and len(value) < schema["minItems"]:
        yield path, f"expected at least {schema['minItems']} items, got {len(value)}"
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        yield path, f"expected at most {schema['maxItems']} items, got {len(value)}"
    if schema.get("uniqueItems"):
        seen: list[Any] = []
        for item in value:
            if any(_same(item, s) for s in seen):
                yield path, f"has non-unique elements ({item!r} repeats)"
                break
            seen.append(item)
    items = schema.get("items")
    if items is not None:
        for i, item in enumerate(value):
            yield from _errors(items, item, f"{path}[{i}]" if path else f"[{i}]")


def _object_errors(
    schema: Mapping[str, Any], value: dict[str, Any], path: str
) -> Iterator[tuple[str, str]]:
    for name in schema.get("required", ()):
        if name not in value:
            yield _join(path, name), f"{name!r} is a required property"
    if "minProperties" in schema and len(value) < schema["minProperties"]:
        yield path, f"expected at least {schema['minProperties']} properties"
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        yield path, f"expected at most {schema['maxProperties']} properties"
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in props:
            yield from _errors(props[key], item, _join(path, key))
        elif extra is False:
            yield _join(path, key), f"additional property {key!r} is not allowed"
        elif isinstance(extra, Mapping):
            yield from _errors(extra, item, _join(path, key))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def coerce_empty(schema: Any, value: Any) -> Any:
    """``value`` with every empty object ``{}`` that the schema types as an array made
    ``[]`` (and the reverse): an empty Lua table cannot say which it is (DESIGN.md §3)."""
    if not isinstance(schema, Mapping):
        return value
    types = schema.get("type")
    names = [types] if isinstance(types, str) else list(types or [])
    if value == {} and isinstance(value, dict) and "array" in names and "object" not in names:
        return []
    if value == [] and isinstance(value, list) and "object" in names and "array" not in names:
        return {}
    if isinstance(value, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        out = {}
        for key, item in value.items():
            sub = props.get(key) if isinstance(props, Mapping) and key in props else extra
            out[key] = coerce_empty(sub, item)
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [coerce_empty(schema["items"], item) for item in value]
    return value


def first_error(schema: Mapping[str, Any] | bool, value: Any) -> tuple[str, str] | None:
    """The first problem of ``value`` against ``schema`` as ``(path, message)``, or None.

    ``path`` is dotted (``options.width``, ``items[2]``); ``""`` is the value itself.
    """
    if _is_simple(schema):
        return next(_errors(schema, value, ""), None)
    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    err = errors[0]
    path = ""
    for part in err.absolute_path:  # the fast path's notation: ``a.b[2]``
        path = f"{path}[{part}]" if isinstance(part, int) else _join(path, str(part))
    if err.validator == "required" and "'" in err.message:
        path = _join(path, err.message.split("'")[1])
    return path, err.message


def check_schema(schema: Any) -> None:
    """Raise :class:`SchemaProblem` when ``schema`` is not a valid JSON Schema."""
    if _is_simple(schema):
        _check_simple(schema, "")
        return
    import jsonschema

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise SchemaProblem(exc.message) from None


def _check_simple(schema: Any, where: str) -> None:
    if isinstance(schema, bool):
        return
    at = f" at {where}" if where else ""
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        if not isinstance(names, list) or not all(
            isinstance(t, str) and t in _TYPES for t in names
        ):
            raise SchemaProblem(f"'type'{at} must be one of {sorted(_TYPES)}, got {types!r}")
    props = schema.get("properties", {})
    if not isinstance(props, Mapping):
        raise SchemaProblem(f"'properties'{at} must be an object")
    for name, sub in props.items():
        _check_simple(sub, _join(where, name))
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise SchemaProblem(f"'required'{at} must be a list of property names")
    if "enum" in schema and not isinstance(schema["enum"], list):
        raise SchemaProblem(f"'enum'{at} must be a list")
    if "pattern" in schema:
        try:
            _compiled(schema["pattern"])
        except (re.error, TypeError) as exc:
            raise SchemaProblem(f"'pattern'{at} is not a valid regular expression: {exc}") from None
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), Mapping):
            _check_simple(schema[key], where)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            if not isinstance(schema[key], list) or not schema[key]:
                raise SchemaProblem(f"'{key}'{at} must be a non-empty list of schemas")
            for sub in schema[key]:
                _check_simple(sub, where)
