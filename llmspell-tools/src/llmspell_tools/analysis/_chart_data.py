"""The series a chart of data-visualizer draws, taken from its ``data`` parameter.

``data`` is a list of records (``{{month="Jan", sales=3}, ...}``), a table of columns
(``{x={...}, y={...}}``) or a plain list of numbers. This module checks it (fields that
exist, numbers that are numbers, sizes under the caps) and returns plain Python lists;
it knows nothing of matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from llmspell_tools._support import fail

__all__ = ["MAX_POINTS", "MAX_SERIES", "Series", "extract"]

#: the most values all series of one chart may hold together
MAX_POINTS = 1_000_000
#: the most series (y fields) one chart may draw
MAX_SERIES = 20


@dataclass
class Series:
    """The x values (labels or numbers) and one list of y numbers per y field."""

    x: list[Any]
    x_name: str | None
    ys: dict[str, list[float]]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers(values: list[Any], field: str) -> list[float]:
    out: list[float] = []
    for index, value in enumerate(values):
        if value is None:
            out.append(math.nan)  # a gap (missing value)
        elif _is_number(value) and (math.isfinite(value)):
            out.append(float(value))
        else:
            fail(
                f"field {field!r} must hold numbers: value {index + 1} is {value!r}",
                kind="ValidationError",
            )
    return out


def _columns(data: Any) -> dict[str, list[Any]]:
    """``data`` as named columns of equal length."""
    if isinstance(data, dict):
        columns: dict[str, list[Any]] = {}
        for key, values in data.items():
            if not isinstance(values, list):
                fail(
                    f"data.{key} must be an array (data given as columns: {{x=[...], y=[...]}})",
                    kind="ValidationError",
                )
            columns[str(key)] = values
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            sizes = ", ".join(f"{k}: {len(v)}" for k, v in columns.items())
            fail(f"the data columns have different lengths ({sizes})", kind="ValidationError")
        return columns
    if not isinstance(data, list):
        fail(
            "'data' must be an array of records or numbers, or a table of columns",
            kind="ValidationError",
        )
    if all(_is_number(v) or v is None for v in data):
        return {"value": data}
    fields: dict[str, None] = {}
    for index, record in enumerate(data):
        if not isinstance(record, dict):
            fail(
                f"data[{index + 1}] is {type(record).__name__}, not a record: give an array "
                "of records ({x=..., y=...}) or an array of numbers",
                kind="ValidationError",
            )
        fields.update(dict.fromkeys(str(k) for k in record))
    return {f: [record.get(f) for record in data] for f in fields}


def extract(data: Any, x: str | None, y: str | list[str] | None, chart: str) -> Series:
    """The checked series of ``data`` for ``chart``: ``x`` names the label/x field (None:
    the values' positions 1, 2, ...), ``y`` one or more numeric fields (None: the only
    numeric column, or ``y`` when the data has a column of that name)."""
    columns = _columns(data)
    size = len(next(iter(columns.values()))) if columns else 0
    if size == 0:
        fail("'data' is empty: nothing to draw", kind="ValidationError")
    known = ", ".join(sorted(columns))

    def column(name: str, role: str) -> list[Any]:
        if name not in columns:
            fail(
                f"{role} field {name!r} is not in the data (fields: {known})",
                kind="ValidationError",
            )
        return columns[name]

    if y is None:
        if "y" in columns:
            y = "y"
        else:
            numeric = [n for n, vs in columns.items() if n != x and all(_is_number(v) for v in vs)]
            if len(numeric) != 1:
                fail(
                    f"give 'y' (the numeric field(s) to draw; fields: {known})",
                    kind="ValidationError",
                )
            y = numeric[0]
    names = [y] if isinstance(y, str) else list(y)
    if not names:
        fail("'y' names no field", kind="ValidationError")
    if len(names) > MAX_SERIES:
        fail(f"at most {MAX_SERIES} y fields per chart (got {len(names)})", kind="ValidationError")
    if chart == "pie" and len(names) != 1:
        fail("a pie chart draws one y field", kind="ValidationError")
    if size * (len(names) + 1) > MAX_POINTS:
        fail(f"too much data: at most {MAX_POINTS} values per chart", kind="ValidationError")
    ys = {name: _numbers(column(name, "y"), name) for name in names}
    if x is None and "x" in columns and "x" not in names:
        x = "x"
    xs: list[Any] = list(range(1, size + 1)) if x is None else column(x, "x")
    if x is not None and chart in ("bar", "pie"):
        xs = ["" if v is None else v if isinstance(v, str) else str(v) for v in xs]
    elif x is not None and any(v is None or isinstance(v, bool | dict | list) for v in xs):
        fail(f"x field {x!r} must hold numbers or labels (no empty values)", kind="ValidationError")
    elif any(isinstance(v, str) for v in xs):
        xs = [str(v) for v in xs]  # labels: mixed numbers are drawn as labels too
    return Series(x=xs, x_name=x, ys=ys)
