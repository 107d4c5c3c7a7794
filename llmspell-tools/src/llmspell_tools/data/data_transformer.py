"""data-transformer: declarative map/filter/sort/group_by/flatten/pick/rename (no eval)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import UserRegex, dispatch, fail, output
from llmspell_tools.data._values import get_path, json_input, missing

OPERATORS = (
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "not_in",
    "contains",
    "startswith",
    "endswith",
    "exists",
    "not_exists",
    "matches",
)
AGGREGATES = ("count", "sum", "avg", "min", "max", "list", "first", "last")
MAX_PATTERN = 200


def _spec(params: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = (params.get("spec") or {}).get(key)
    if not isinstance(value, kind):
        fail(f"{params.get('operation')} needs spec.{key} ({what})", kind="ValidationError")
    return value


def _items(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        return [data]
    fail("'input' must be an array or an object (or JSON text of one)", kind="ValidationError")


def _value(item: Any, ref: Any) -> Any:
    """A map field: 'path', {path=, default=}, {value=const}, {concat={paths}, sep=}."""
    if isinstance(ref, str):
        found = get_path(item, ref)
        return None if missing(found) else found
    if isinstance(ref, dict):
        if "value" in ref:
            return ref["value"]
        if isinstance(ref.get("concat"), list):
            parts = [_value(item, p) for p in ref["concat"]]
            return str(ref.get("separator", "")).join("" if p is None else str(p) for p in parts)
        if isinstance(ref.get("path"), str):
            found = get_path(item, ref["path"])
            value = ref.get("default") if missing(found) else found
            convert = ref.get("as")
            if convert and value is not None:
                value = _convert(value, convert)
            return value
    fail(
        f"bad map field {ref!r}: use 'path', {{path=, default=, as=}}, {{value=}} or "
        "{concat={...}, separator=}",
        kind="ValidationError",
    )


def _convert(value: Any, kind: str) -> Any:
    try:
        if kind == "string":
            return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if kind == "number":
            return float(value)
        if kind == "integer":
            return int(float(value))
        if kind == "boolean":
            return (
                value.strip().lower() in ("true", "yes", "1")
                if isinstance(value, str)
                else bool(value)
            )
        if kind in ("upper", "lower", "strip", "title"):
            return getattr(str(value), kind)()
    except (TypeError, ValueError):
        return None
    fail(
        f"unknown conversion {kind!r} (string number integer boolean upper lower strip title)",
        kind="ValidationError",
    )


def _map(data: Any, params: dict[str, Any]) -> Any:
    fields = _spec(params, "fields", dict, "an object: new field → source path")
    mapped = [{name: _value(item, ref) for name, ref in fields.items()} for item in _items(data)]
    return mapped if isinstance(data, list) else mapped[0]


def _test(item: Any, cond: dict[str, Any]) -> bool:
    if not isinstance(cond, dict) or not isinstance(cond.get("field"), str):
        fail(f"bad condition {cond!r}: needs 'field', 'op', 'value'", kind="ValidationError")
    op = cond.get("op", cond.get("operator", "eq"))
    if op not in OPERATORS:
        fail(f"unknown op {op!r} (known: {', '.join(OPERATORS)})", kind="ValidationError")
    found = get_path(item, cond["field"])
    if op in ("exists", "not_exists"):
        return bool(missing(found) == (op == "not_exists"))
    if missing(found):
        return op in ("ne", "not_in")
    value = cond.get("value")
    if op in ("in", "not_in"):
        return (found in value) == (op == "in") if isinstance(value, list) else False
    if op == "contains":
        return isinstance(found, str | list) and value in found
    if op in ("startswith", "endswith"):
        return isinstance(found, str) and getattr(found, op)(str(value))
    if op == "matches":
        if not isinstance(value, str) or len(value) > MAX_PATTERN:
            fail(
                f"'matches' needs a regex of at most {MAX_PATTERN} characters",
                kind="ValidationError",
            )
        return isinstance(found, str) and UserRegex(value).search(found) is not None
    if op == "eq":
        return bool(found == value)
    if op == "ne":
        return bool(found != value)
    try:
        return bool(
            {
                "gt": found > value,
                "gte": found >= value,
                "lt": found < value,
                "lte": found <= value,
            }[op]
        )
    except TypeError:
        return False  # incomparable (e.g. string vs number): no match


def _filter(data: Any, params: dict[str, Any]) -> Any:
    spec = params.get("spec") or {}
    conds = spec.get("where", spec.get("conditions"))
    if conds is None and "field" in spec:
        conds = [spec]
    if isinstance(conds, dict):
        conds = [conds]
    if not isinstance(conds, list) or not conds:
        fail(
            "filter needs spec.where = [{field=, op=, value=}] (or spec.field/op/value)",
            kind="ValidationError",
        )
    combine = any if spec.get("match") == "any" else all
    items = _items(data)
    return [item for item in items if combine(_test(item, c) for c in conds)]


def _sort_key(fields: list[str]) -> Callable[[Any], Any]:
    def key(item: Any) -> Any:
        out: list[tuple[int, float, str]] = []
        for field in fields:
            v = get_path(item, field)
            if missing(v) or v is None:
                out.append((2, 0.0, ""))
            elif isinstance(v, bool | int | float):
                out.append((0, float(v), ""))
            else:
                out.append((1, 0, v if isinstance(v, str) else json.dumps(v, sort_keys=True)))
        return out

    return key


def _sort(data: Any, params: dict[str, Any]) -> Any:
    spec = params.get("spec") or {}
    by = spec.get("by", spec.get("field", "."))
    fields = [by] if isinstance(by, str) else by
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        fail("sort needs spec.by (a field path or an array of them)", kind="ValidationError")
    items = list(_items(data))
    return sorted(items, key=_sort_key(fields), reverse=bool(spec.get("descending")))


def _aggregate(items: list[Any], how: dict[str, Any]) -> Any:
    op = how.get("op", "count")
    if op not in AGGREGATES:
        fail(f"unknown aggregate {op!r} (known: {', '.join(AGGREGATES)})", kind="ValidationError")
    if op == "count":
        return len(items)
    values = [get_path(i, how.get("field", ".")) for i in items]
    values = [v for v in values if not missing(v) and v is not None]
    if op == "list":
        return values
    if op in ("first", "last"):
        return (values[0] if op == "first" else values[-1]) if values else None
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return None
    if op == "sum":
        return sum(numbers)
    if op == "avg":
        return sum(numbers) / len(numbers)
    return min(numbers) if op == "min" else max(numbers)


def _group_by(data: Any, params: dict[str, Any]) -> Any:
    by = _spec(params, "by", str, "the field path to group on")
    groups: dict[str, list[Any]] = {}
    for item in _items(data):
        key = get_path(item, by)
        name = (
            "null"
            if missing(key) or key is None
            else (key if isinstance(key, str) else json.dumps(key, sort_keys=True))
        )
        groups.setdefault(name, []).append(item)
    aggregates = (params.get("spec") or {}).get("aggregate")
    if not aggregates:
        return {"groups": groups, "group_count": len(groups)}
    if not isinstance(aggregates, dict):
        fail("spec.aggregate must map name → {op=, field=}", kind="ValidationError")
    rows = [
        {
            by: name,
            **{
                out: _aggregate(items, how if isinstance(how, dict) else {"op": how})
                for out, how in aggregates.items()
            },
        }
        for name, items in groups.items()
    ]
    return {"groups": rows, "group_count": len(rows)}


def _flatten_object(value: Any, sep: str, depth: int | None) -> dict[str, Any]:
    flat: dict[str, Any] = {}

    def walk(v: Any, prefix: str, level: int) -> None:
        can_go = depth is None or level < depth
        if isinstance(v, dict) and v and can_go:
            for k, x in v.items():
                walk(x, f"{prefix}{sep}{k}" if prefix else str(k), level + 1)
        elif isinstance(v, list) and v and can_go and not isinstance(v[0], str | int | float):
            for i, x in enumerate(v):
                walk(x, f"{prefix}{sep}{i}" if prefix else str(i), level + 1)
        else:
            flat[prefix or "value"] = v

    walk(value, "", 0)
    return flat


def _flatten(data: Any, params: dict[str, Any]) -> Any:
    spec = params.get("spec") or {}
    sep = spec.get("separator", ".")
    depth = spec.get("depth")
    if (isinstance(data, list) and all(isinstance(x, list) for x in data)) or (
        isinstance(data, list) and spec.get("arrays")
    ):
        out: list[Any] = list(data)
        for _ in range(depth if isinstance(depth, int) else 1):
            out = [y for x in out for y in (x if isinstance(x, list) else [x])]
        return out
    if isinstance(data, list):
        return [_flatten_object(x, sep, depth) if isinstance(x, dict) else x for x in data]
    if isinstance(data, dict):
        return _flatten_object(data, sep, depth)
    fail("'input' must be an array or an object", kind="ValidationError")


def _pick(data: Any, params: dict[str, Any]) -> Any:
    fields = _spec(params, "fields", list, "an array of field paths to keep")

    def pick(item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        picked = {}
        for f in fields:
            v = get_path(item, str(f))
            if not missing(v):
                picked[str(f)] = v
        return picked

    return [pick(i) for i in data] if isinstance(data, list) else pick(_items(data)[0])


def _rename(data: Any, params: dict[str, Any]) -> Any:
    spec = params.get("spec") or {}
    mapping = spec.get("fields", spec.get("mapping"))
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        fail("rename needs spec.fields = {old_name = 'new_name'}", kind="ValidationError")

    def rename(item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        return {mapping.get(k, k): v for k, v in item.items()}

    return [rename(i) for i in data] if isinstance(data, list) else rename(_items(data)[0])


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Apply the operation's declarative ``spec`` to ``input``."""
    data = json_input(params["input"])
    ops = {
        "map": _map,
        "filter": _filter,
        "sort": _sort,
        "group_by": _group_by,
        "flatten": _flatten,
        "pick": _pick,
        "rename": _rename,
    }
    result = dispatch(params, ops, data, params)
    count = len(result) if isinstance(result, list) else None
    if isinstance(result, dict) and "group_count" in result:
        count = result["group_count"]
    return output({"result": result, "count": count}, text=json.dumps(result, ensure_ascii=False))


TOOL = Tool(
    name="data-transformer",
    description="Transform an array of records (or one object) with a declarative spec — no "
    "code is evaluated. map: spec.fields={new='path.to.field' | {path=, default=, as=} | "
    "{value=const}}; filter: spec.where=[{field=, op=eq|ne|gt|gte|lt|lte|in|not_in|contains|"
    "startswith|endswith|exists|not_exists|matches, value=}] with spec.match=all|any; sort: "
    "spec.by (path or paths), spec.descending; group_by: spec.by, optional spec.aggregate="
    "{name={op=count|sum|avg|min|max|list|first|last, field=}}; flatten: nested objects → "
    "dotted keys (spec.separator, spec.depth) or arrays of arrays → one array; pick: "
    "spec.fields={paths}; rename: spec.fields={old='new'}. Result in result.result.",
    category="data",
    handler=run,
    timeout_seconds=15,
    tags=("transform", "records", "json"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["map", "filter", "sort", "group_by", "flatten", "pick", "rename"],
            },
            "input": {
                "type": ["array", "object", "string"],
                "description": "an array of records, an object, or JSON text of one",
            },
            "spec": {"type": "object", "description": "the operation's settings (see above)"},
        },
        "required": ["operation", "input"],
        "additionalProperties": False,
    },
)
