"""csv-analyzer: analyze, filter, transform, convert, validate and sample CSV (stdlib csv)."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import statistics
from collections import Counter
from datetime import date
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import dispatch, fail, output, read_text
from llmspell_tools.data._values import check_text

MAX_ROWS = 1_000_000
OPERATORS = (
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "startswith",
    "endswith",
    "empty",
    "not_empty",
    "in",
)
TYPES = ("integer", "number", "boolean", "date", "string")
_BOOLS = {"true", "false", "yes", "no"}


class Table:
    def __init__(self, columns: list[str], rows: list[dict[str, str]], ragged: list[int]):
        self.columns = columns
        self.rows = rows
        self.ragged = ragged  # 1-based data row numbers whose field count differs


def _load(params: dict[str, Any], ctx: Any) -> Table:
    options = params.get("options") or {}
    if "input" in params:
        text = check_text(params["input"])
    elif "path" in params:
        text = read_text(ctx, params["path"], encoding=options.get("encoding", "utf-8"))
    else:
        fail("give 'input' (CSV text) or 'path' (a CSV file)", kind="ValidationError")
    text = text.removeprefix("\ufeff")
    delimiter = options.get("delimiter")
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        fail(f"cannot parse CSV: {exc}")
    records = [r for r in records if r]
    if len(records) > MAX_ROWS:
        fail(f"the CSV has more than {MAX_ROWS} rows", kind="ValidationError")
    if options.get("has_header", True):
        if not records:
            fail("the CSV is empty (no header row)")
        columns = [c.strip() or f"column_{i + 1}" for i, c in enumerate(records[0])]
        body = records[1:]
    else:
        width = max((len(r) for r in records), default=0)
        columns = [f"column_{i + 1}" for i in range(width)]
        body = records
    rows, ragged = [], []
    for number, record in enumerate(body, 1):
        if len(record) != len(columns):
            ragged.append(number)
        rows.append({c: (record[i] if i < len(record) else "") for i, c in enumerate(columns)})
    return Table(columns, rows, ragged)


def _number(value: str) -> float | None:
    try:
        number = float(value.replace(",", "")) if value.strip() else None
    except ValueError:
        return None
    return number if number is not None and number == number else None  # drop NaN


def _kind(value: str) -> str:
    v = value.strip()
    if re.fullmatch(r"[+-]?\d+", v):
        return "integer"
    if _number(v) is not None:
        return "number"
    if v.lower() in _BOOLS:
        return "boolean"
    try:
        date.fromisoformat(v[:10])
        return "date"
    except ValueError:
        return "string"


def _column_type(values: list[str]) -> str:
    kinds = {_kind(v) for v in values if v.strip()}
    if not kinds:
        return "empty"
    if kinds <= {"integer"}:
        return "integer"
    if kinds <= {"integer", "number"}:
        return "number"
    return kinds.pop() if len(kinds) == 1 else "string"


def _records(table: Table) -> list[dict[str, Any]]:
    return [dict(r) for r in table.rows]


def _csv_text(columns: list[str], rows: list[dict[str, Any]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=columns, delimiter=delimiter, lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _rows_output(table_columns: list[str], rows: list[dict[str, Any]], **extra: Any) -> Any:
    result = {"rows": rows, "row_count": len(rows), "columns": table_columns, **extra}
    result["csv"] = _csv_text(table_columns, rows)
    return output(result, text=result["csv"])


def _analyze(table: Table, params: dict[str, Any]) -> Any:
    stats: dict[str, Any] = {}
    for column in table.columns:
        values = [r[column] for r in table.rows]
        present = [v for v in values if v.strip()]
        kind = _column_type(values)
        info: dict[str, Any] = {
            "type": kind,
            "count": len(present),
            "missing": len(values) - len(present),
            "unique": len(set(present)),
        }
        if kind in ("integer", "number"):
            numbers = [n for n in (_number(v) for v in present) if n is not None]
            info.update(
                min=min(numbers),
                max=max(numbers),
                sum=sum(numbers),
                mean=statistics.fmean(numbers),
                median=statistics.median(numbers),
                stdev=statistics.stdev(numbers) if len(numbers) > 1 else 0.0,
            )
        elif present:
            info["top_values"] = [
                {"value": v, "count": c} for v, c in Counter(present).most_common(5)
            ]
            lengths = [len(v) for v in present]
            info.update(min_length=min(lengths), max_length=max(lengths))
        stats[column] = info
    result = {
        "row_count": len(table.rows),
        "column_count": len(table.columns),
        "columns": table.columns,
        "stats": stats,
        "ragged_rows": table.ragged[:100],
    }
    text = f"{len(table.rows)} rows, {len(table.columns)} columns: {', '.join(table.columns)}"
    return output(result, text=text)


def _compare(cell: str, op: str, value: Any) -> bool:
    if op == "empty":
        return not cell.strip()
    if op == "not_empty":
        return bool(cell.strip())
    if op == "in":
        return isinstance(value, list) and cell in [str(v) for v in value]
    if op in ("contains", "startswith", "endswith"):
        text = str(value)
        return text in cell if op == "contains" else getattr(cell, op)(text)
    left, right = _number(cell), _number(str(value))
    if left is None or right is None or (isinstance(value, str) and op in ("eq", "ne")):
        a: Any = cell
        b: Any = str(value)
        if op not in ("eq", "ne") and (left is None or right is None):
            return False
    else:
        a, b = left, right
    return bool(
        {
            "eq": a == b,
            "ne": a != b,
            "gt": a > b,
            "gte": a >= b,
            "lt": a < b,
            "lte": a <= b,
        }[op]
    )


def _conditions(options: dict[str, Any]) -> list[dict[str, Any]]:
    conditions = options.get("conditions")
    if conditions is None and "column" in options:
        conditions = [{k: options[k] for k in ("column", "operator", "value") if k in options}]
    if not isinstance(conditions, list) or not conditions:
        fail(
            "filter needs options.column/operator/value or options.conditions=[...]",
            kind="ValidationError",
        )
    for cond in conditions:
        op = cond.get("operator", "eq") if isinstance(cond, dict) else None
        if op not in OPERATORS or not isinstance(cond.get("column"), str):
            fail(
                f"bad filter condition {cond!r}: needs 'column' and 'operator' one of "
                f"{', '.join(OPERATORS)}",
                kind="ValidationError",
            )
    return conditions


def _filter(table: Table, params: dict[str, Any]) -> Any:
    options = params.get("options") or {}
    conditions = _conditions(options)
    for cond in conditions:
        if cond["column"] not in table.columns:
            fail(f"no column {cond['column']!r} (columns: {', '.join(table.columns)})")
    combine = all if options.get("match", "all") == "all" else any
    rows = [
        r
        for r in _records(table)
        if combine(
            _compare(r[c["column"]], c.get("operator", "eq"), c.get("value", ""))
            for c in conditions
        )
    ]
    return _rows_output(table.columns, rows)


def _transform(table: Table, params: dict[str, Any]) -> Any:
    options = params.get("options") or {}
    rows = _records(table)
    columns = list(table.columns)
    if sort_by := options.get("sort_by"):
        if sort_by not in columns:
            fail(f"no column {sort_by!r} to sort by")
        numeric = all(_number(r[sort_by]) is not None for r in rows if r[sort_by].strip())
        filled = [r for r in rows if r[sort_by].strip()]
        empty = [r for r in rows if not r[sort_by].strip()]  # always last

        def key(row: dict[str, Any]) -> Any:
            return _number(row[sort_by]) if numeric else row[sort_by]

        rows = sorted(filled, key=key, reverse=bool(options.get("descending"))) + empty
    if select := options.get("columns"):
        unknown = [c for c in select if c not in columns]
        if unknown:
            fail(f"unknown columns {unknown} (columns: {', '.join(columns)})")
        columns = list(select)
    rename = options.get("rename") or {}
    for row_index, row in enumerate(rows):
        rows[row_index] = {rename.get(c, c): row[c] for c in columns}
        for name, op in (options.get("case") or {}).items():
            name = rename.get(name, name)
            if name in rows[row_index] and op in ("upper", "lower", "strip", "title"):
                rows[row_index][name] = getattr(rows[row_index][name], op)()
    columns = [rename.get(c, c) for c in columns]
    if options.get("deduplicate"):
        seen: set[tuple[Any, ...]] = set()
        unique = []
        for row in rows:
            key_ = tuple(row.values())
            if key_ not in seen:
                seen.add(key_)
                unique.append(row)
        rows = unique
    if (limit := options.get("limit")) is not None:
        rows = rows[: int(limit)]
    return _rows_output(columns, rows)


def _convert(table: Table, params: dict[str, Any]) -> Any:
    options = params.get("options") or {}
    fmt = options.get("format", "json")
    rows = _records(table)
    if fmt == "json":
        if options.get("typed", True):
            kinds = {c: _column_type([r[c] for r in table.rows]) for c in table.columns}
            for row in rows:
                for c, kind in kinds.items():
                    if kind in ("integer", "number") and row[c].strip():
                        n = _number(row[c])
                        row[c] = int(n) if kind == "integer" and n is not None else n
                    elif kind == "boolean" and row[c].strip():
                        row[c] = row[c].strip().lower() in ("true", "yes")
        text = json.dumps(rows, ensure_ascii=False, indent=2)
    elif fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    elif fmt == "tsv":
        text = _csv_text(table.columns, rows, "\t")
    elif fmt == "csv":
        text = _csv_text(table.columns, rows, options.get("output_delimiter", ","))
    elif fmt == "markdown":

        def esc(v: str) -> str:
            return v.replace("|", "\\|").replace("\n", " ")

        lines = [
            "| " + " | ".join(esc(c) for c in table.columns) + " |",
            "|" + "---|" * len(table.columns),
        ]
        lines += ["| " + " | ".join(esc(r[c]) for c in table.columns) + " |" for r in rows]
        text = "\n".join(lines) + "\n"
    else:
        fail(f"unknown format {fmt!r} (json, jsonl, csv, tsv, markdown)", kind="ValidationError")
    return output(
        {
            "output": text,
            "format": fmt,
            "row_count": len(rows),
            "rows": rows if fmt == "json" else None,
        },
        text=text,
    )


def _validate(table: Table, params: dict[str, Any]) -> Any:
    options = params.get("options") or {}
    errors: list[dict[str, Any]] = []
    for column in options.get("required_columns") or []:
        if column not in table.columns:
            errors.append({"row": 0, "column": column, "message": "missing column"})
    for number in table.ragged:
        errors.append(
            {
                "row": number,
                "column": None,
                "message": "has a different number of fields than the header",
            }
        )
    types = options.get("column_types") or {}
    not_empty = set(options.get("not_empty") or [])
    for number, row in enumerate(table.rows, 1):
        if len(errors) >= 1000:
            break
        for column, kind in types.items():
            if kind not in TYPES:
                fail(
                    f"unknown column type {kind!r} (known: {', '.join(TYPES)})",
                    kind="ValidationError",
                )
            cell = row.get(column, "")
            if column in table.columns and cell.strip() and kind != "string":
                actual = _kind(cell)
                ok = actual == kind or (kind == "number" and actual == "integer")
                if not ok:
                    errors.append(
                        {"row": number, "column": column, "message": f"{cell!r} is not {kind}"}
                    )
        for column in not_empty:
            if not row.get(column, "").strip():
                errors.append({"row": number, "column": column, "message": "is empty"})
    valid = not errors
    return output(
        {
            "valid": valid,
            "errors": errors,
            "error_count": len(errors),
            "row_count": len(table.rows),
            "columns": table.columns,
        },
        text="valid" if valid else f"{len(errors)} problem(s)",
    )


def _sample(table: Table, params: dict[str, Any]) -> Any:
    options = params.get("options") or {}
    count = max(0, int(options.get("size", options.get("n", 5))))
    method = options.get("method", "head")
    rows = _records(table)
    if method == "head":
        picked = rows[:count]
    elif method == "tail":
        picked = rows[-count:] if count else []
    elif method == "random":
        picked = random.Random(options.get("seed")).sample(rows, min(count, len(rows)))
    else:
        fail(f"unknown sample method {method!r} (head, tail, random)", kind="ValidationError")
    return _rows_output(table.columns, picked, total_rows=len(rows))


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Load the CSV, then run the operation."""
    table = _load(params, ctx)
    ops = {
        "analyze": _analyze,
        "filter": _filter,
        "transform": _transform,
        "convert": _convert,
        "validate": _validate,
        "sample": _sample,
    }
    return dispatch(params, ops, table, params, default="analyze")


TOOL = Tool(
    name="csv-analyzer",
    description="Work with CSV given as text (input) or a file (path): 'analyze' (column "
    "types and stats), 'filter' (rows where options.column operator value), 'transform' "
    "(options.columns select, rename, sort_by, descending, deduplicate, limit), 'convert' "
    "(options.format json|jsonl|csv|tsv|markdown), 'validate' (options.required_columns, "
    "column_types, not_empty) or 'sample' (options.size, method head|tail|random). The "
    "first row is the header unless options.has_header=false; the delimiter is detected.",
    category="data",
    handler=run,
    timeout_seconds=30,
    security=("files",),
    tags=("csv", "table", "statistics"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["analyze", "filter", "transform", "convert", "validate", "sample"],
                "default": "analyze",
            },
            "input": {"type": "string", "description": "CSV text"},
            "path": {"type": "string", "description": "a CSV file (inside the allowed paths)"},
            "options": {
                "type": "object",
                "description": "delimiter, has_header, encoding; filter: column, operator "
                "(eq ne gt gte lt lte contains startswith endswith empty not_empty in), value, "
                "or conditions=[{column, operator, value}] with match all|any; transform: "
                "columns, rename{old=new}, sort_by, descending, deduplicate, limit, "
                "case{col=upper|lower|strip|title}; convert: format, typed; validate: "
                "required_columns, column_types{col=integer|number|boolean|date|string}, "
                "not_empty; sample: size, method, seed",
                "properties": {
                    "delimiter": {"type": "string", "minLength": 1, "maxLength": 1},
                    "has_header": {"type": "boolean"},
                    "encoding": {"type": "string"},
                    "format": {
                        "type": "string",
                        "enum": ["json", "jsonl", "csv", "tsv", "markdown"],
                    },
                    "operator": {"type": "string", "enum": list(OPERATORS)},
                    "match": {"type": "string", "enum": ["all", "any"]},
                    "columns": {"type": "array", "items": {"type": "string"}},
                    "rename": {"type": "object", "additionalProperties": {"type": "string"}},
                    "sort_by": {"type": "string"},
                    "descending": {"type": "boolean"},
                    "limit": {"type": "integer", "minimum": 0},
                    "size": {"type": "integer", "minimum": 0},
                    "n": {"type": "integer", "minimum": 0},
                    "method": {"type": "string", "enum": ["head", "tail", "random"]},
                    "required_columns": {"type": "array", "items": {"type": "string"}},
                    "column_types": {
                        "type": "object",
                        "additionalProperties": {"type": "string", "enum": list(TYPES)},
                    },
                    "not_empty": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "additionalProperties": False,
    },
)
