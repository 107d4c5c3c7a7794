"""JSON Schema validation for tool parameters, fast for the common keywords.

Tool schemas use a small set of keywords (type, properties, required, enum, bounds,
items, ...). This module validates those directly; a schema that uses anything else
(``$ref``, ``if``/``then``, ``patternProperties``, ...) is handed to the ``jsonschema``
library, so every valid JSON Schema still works. Importing ``jsonschema`` costs ~75 ms,
which the common case no longer pays (see benchmarks/).

Regular expressions (``pattern``, ``patternProperties``) come from spells (``Tool.register``)
and are matched against spell or model input, so they are bounded (issue 11):

* with the ``regex`` package importable (it is whenever ``llmspell-tools`` is installed) a
  pattern is matched by that engine with a timeout of :data:`PATTERN_SECONDS` (the GIL is
  released meanwhile); a pattern that backtracks past it is ``LimitExceeded``;
* without it (a bare ``llmspell-core``) patterns run on :mod:`re`, screened first:
  nested quantifiers (``(a+)+``, ``(a|b)*`` with a quantified body) are refused when the
  schema is checked, and a match whose worst case ``(len + 1) ** (repetitions + 1)``
  exceeds :data:`PATTERN_WORK` is ``LimitExceeded`` before it starts.

Schemas handed to ``jsonschema`` get the same bounded matching through
:func:`bounded_validator`; ``uniqueItems`` is checked in linear time on both paths.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from llmspell.errors import LimitExceeded

__all__ = [
    "PATTERN_SECONDS",
    "PATTERN_WORK",
    "SchemaProblem",
    "bounded_validator",
    "check_schema",
    "coerce_empty",
    "first_error",
    "pattern_search",
]

#: the longest one schema ``pattern`` match may take with the ``regex`` engine
PATTERN_SECONDS = 1.0
#: without ``regex``: the largest worst-case step count ``(len + 1) ** (repetitions + 1)``
PATTERN_WORK = 10**8

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


#: id(schema) -> (schema, simple?): a tool's schema is checked on every call; the entry
#: keeps its schema alive, so an id is never reused while it is cached
_SIMPLE: dict[int, tuple[Any, bool]] = {}
_SIMPLE_MAX = 512


def _is_simple_cached(schema: Any) -> bool:
    """:func:`_is_simple`, remembered per schema object (schemas are not mutated after
    registration; a changed one is a new object)."""
    entry = _SIMPLE.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    simple = _is_simple(schema)
    if len(_SIMPLE) >= _SIMPLE_MAX:
        _SIMPLE.clear()
    _SIMPLE[id(schema)] = (schema, simple)
    return simple


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
    if "pattern" in schema:
        try:
            found = pattern_search(schema["pattern"], value)
        except re.error as exc:
            yield path, f"the schema pattern {schema['pattern']!r} cannot be used: {exc}"
            return
        if not found:
            yield path, f"{value!r} does not match {schema['pattern']!r}"


def _array_errors(
    schema: Mapping[str, Any], value: list[Any], path: str
) -> Iterator[tuple[str, str]]:
    if "minItems" in schema and len(value) < schema["minItems"]:
        yield path, f"expected at least {schema['minItems']} items, got {len(value)}"
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        yield path, f"expected at most {schema['maxItems']} items, got {len(value)}"
    if schema.get("uniqueItems"):
        repeat = _first_repeat(value)
        if repeat is not None:
            yield path, f"has non-unique elements ({repeat!r} repeats)"
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


def _key(value: Any) -> Any:
    """A hashable key equal for JSON-equal values (``1 == 1.0``, ``true != 1``)."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", value)
    if isinstance(value, list):
        return ("l", tuple(_key(v) for v in value))
    if isinstance(value, dict):
        return ("d", frozenset((k, _key(v)) for k, v in value.items()))
    return ("s", value) if isinstance(value, str) else ("o", repr(value))


def _first_repeat(items: list[Any]) -> Any:
    """The first item equal to an earlier one, or None (linear, not pairwise)."""
    seen: set[Any] = set()
    for item in items:
        key = _key(item)
        if key in seen:
            return item
        seen.add(key)
    return None


_REGEX: Any = None


def _regex_module() -> Any:
    """The ``regex`` package when importable (False when not); looked up once."""
    global _REGEX
    if _REGEX is None:
        try:
            import regex  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            _REGEX = False
        else:
            _REGEX = regex
    return _REGEX


class _Pattern:
    """A compiled schema pattern with its bounded ``search``."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        engine = _regex_module()
        self.engine = engine
        if engine:
            try:
                self.compiled = engine.compile(pattern)
            except (engine.error, ValueError, OverflowError, TypeError) as exc:
                raise re.error(str(exc)) from None
            self.repeats = 0
            return
        try:
            self.compiled = re.compile(pattern)
        except (ValueError, OverflowError, RecursionError) as exc:
            raise re.error(str(exc)) from None
        self.repeats = _screen(pattern)

    def search(self, text: str) -> bool:
        """Whether the pattern matches somewhere in ``text``, within the bound."""
        if self.engine:
            try:
                found = self.compiled.search(text, concurrent=True, timeout=PATTERN_SECONDS)
            except TimeoutError:
                raise LimitExceeded(
                    f"matching the schema pattern {self.pattern[:100]!r} against a "
                    f"{len(text)}-character value took longer than {PATTERN_SECONDS:g} s",
                    limit="pattern",
                    hint="simplify the pattern: nested or adjacent quantifiers such as (a+)+ "
                    "or a*a*c backtrack; anchor it (^...$) and use maxLength",
                ) from None
            return found is not None
        if (len(text) + 1) ** (self.repeats + 1) > PATTERN_WORK:
            raise LimitExceeded(
                f"the schema pattern {self.pattern[:100]!r} (repetitions: {self.repeats}) "
                f"on a {len(text)}-character value exceeds the work limit of {PATTERN_WORK} "
                "steps for patterns without the regex package",
                limit="pattern",
                hint="install the 'regex' package (pip install regex), shorten the value "
                "(maxLength) or use fewer quantifiers",
            )
        return self.compiled.search(text) is not None


_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _screen(pattern: str) -> int:
    """For :mod:`re`: the number of variable repetitions (and backreferences) in
    ``pattern``; ``re.error`` for a nested quantifier, whose backtracking is exponential."""
    from re import _parser  # type: ignore[attr-defined]

    def subs(op: str, av: Any) -> list[Any]:
        if op == "SUBPATTERN":
            return [av[-1]]
        if op == "BRANCH":
            return list(av[1])
        if op in ("ASSERT", "ASSERT_NOT"):
            return [av[1]]
        if op == "ATOMIC_GROUP":
            return [av]
        if op == "GROUPREF_EXISTS":
            return [p for p in av[1:] if p is not None]
        if op in _REPEATS:
            return [av[2]]
        return []

    def walk(items: Any, inside: bool) -> int:
        count = 0
        for op, av in items:
            name = str(op)
            variable = name in _REPEATS and av[0] != av[1]
            if inside and (variable or name in ("BRANCH", "GROUPREF")):
                raise re.error(
                    "a quantified group that contains another quantifier, an alternation or "
                    "a backreference can backtrack exponentially (install the 'regex' "
                    "package to allow it)"
                )
            count += 1 if variable or name == "GROUPREF" else 0
            repeated = name in _REPEATS and av[1] > 1
            for sub in subs(name, av):
                count += walk(sub, inside or repeated)
        return count

    return walk(_parser.parse(pattern), False)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> _Pattern:
    return _Pattern(pattern)


def pattern_search(pattern: str, text: str) -> bool:
    """Whether schema ``pattern`` matches in ``text``, bounded (see the module notes):
    ``LimitExceeded`` when it would take too long, ``re.error`` for a refused pattern."""
    return _compiled(pattern).search(text)


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
    if _is_simple_cached(schema):
        return next(_errors(schema, value, ""), None)
    validator = bounded_validator(schema)
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
    for where, pattern in _patterns(schema, ""):
        try:
            _compiled(pattern)
        except re.error as exc:
            raise SchemaProblem(f"{where} is not a valid regular expression: {exc}") from None


def _patterns(schema: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every ``pattern`` and ``patternProperties`` regular expression in ``schema``."""
    if isinstance(schema, Mapping):
        for key, sub in schema.items():
            at = f"{where}.{key}" if where else str(key)
            if key == "pattern" and isinstance(sub, str):
                yield f"'pattern' at {where or '(root)'}", sub
            elif key == "patternProperties" and isinstance(sub, Mapping):
                for name in sub:
                    yield f"'patternProperties' key {name!r} at {where or '(root)'}", str(name)
            if isinstance(sub, Mapping | list):
                yield from _patterns(sub, at)
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            yield from _patterns(sub, f"{where}[{i}]")


Search = Callable[[str, str], bool]
_BOUNDED: dict[tuple[type, Search], type] = {}


def bounded_validator(
    schema: Any, *, search: Search | None = None, format_checker: Any = None
) -> Any:
    """A ``jsonschema`` validator for ``schema`` whose regular expressions are bounded:
    ``pattern``, ``patternProperties`` and ``additionalProperties`` match through
    ``search(pattern, text)`` (default :func:`pattern_search`), ``uniqueItems`` is
    linear, and ``unevaluatedProperties`` (which ``jsonschema`` matches with :mod:`re`
    itself) accepts only patterns that pass the :mod:`re` screen on the keys it sees."""
    import jsonschema
    from jsonschema import _keywords

    base = jsonschema.validators.validator_for(schema)
    match = search or pattern_search
    cls = _BOUNDED.get((base, match))
    if cls is None:
        if len(_BOUNDED) > 64:
            _BOUNDED.clear()
        cls = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
            base, _bounded_keywords(match, base, _keywords)
        )
        _BOUNDED[(base, match)] = cls
    return cls(schema, format_checker=format_checker)


def _bounded_keywords(match: Search, base: Any, keywords: Any) -> dict[str, Any]:
    from jsonschema.exceptions import ValidationError as Invalid

    def pattern(validator: Any, patrn: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not match(patrn, instance):
            yield Invalid(f"{instance!r} does not match {patrn!r}")

    def pattern_properties(validator: Any, pp: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for patrn, subschema in pp.items():
            for k, v in instance.items():
                if match(patrn, k):
                    yield from validator.descend(v, subschema, path=k, schema_path=patrn)

    def additional(validator: Any, ap: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        props = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        extras = [k for k in instance if k not in props and not any(match(p, k) for p in patterns)]
        if validator.is_type(ap, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], ap, path=extra)
        elif not ap and extras:
            joined = ", ".join(repr(each) for each in sorted(extras, key=str))
            if patterns:
                verb = "does" if len(extras) == 1 else "do"
                listed = ", ".join(repr(each) for each in sorted(patterns))
                yield Invalid(f"{joined} {verb} not match any of the regexes: {listed}")
            else:
                verb = "was" if len(extras) == 1 else "were"
                yield Invalid(f"Additional properties are not allowed ({joined} {verb} unexpected)")

    def unique(validator: Any, ui: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if ui and validator.is_type(instance, "array") and _first_repeat(instance) is not None:
            yield Invalid(f"{instance!r} has non-unique elements")

    found: dict[str, Any] = {
        "pattern": pattern,
        "patternProperties": pattern_properties,
        "additionalProperties": additional,
        "uniqueItems": unique,
    }
    original = base.VALIDATORS.get("unevaluatedProperties")
    if original is not None:

        def unevaluated(validator: Any, up: Any, instance: Any, schema: Any) -> Iterator[Any]:
            if validator.is_type(instance, "object"):
                longest = max((len(k) for k in instance), default=0)
                for where, patrn in _patterns(validator.schema, ""):
                    if "patternProperties" in where:
                        _screened(patrn, where, longest)
            yield from original(validator, up, instance, schema)

        found["unevaluatedProperties"] = unevaluated
    return {k: v for k, v in found.items() if k in base.VALIDATORS}


def _screened(pattern: str, where: str, longest: int) -> None:
    """Refuse a pattern that :mod:`re` itself will match on keys up to ``longest`` long
    unless it passes the screen and the work limit (``unevaluatedProperties``)."""
    try:
        repeats = _screen(pattern)
    except re.error as exc:
        raise LimitExceeded(
            f"{where} is used with unevaluatedProperties, where it runs unbounded: {exc}",
            limit="pattern",
            hint="simplify the pattern or use additionalProperties",
        ) from None
    if (longest + 1) ** (repeats + 1) > PATTERN_WORK:
        raise LimitExceeded(
            f"{where} on a {longest}-character key exceeds the work limit of {PATTERN_WORK} "
            "steps with unevaluatedProperties",
            limit="pattern",
            hint="shorten the keys or simplify the pattern (fewer quantifiers)",
        )


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
