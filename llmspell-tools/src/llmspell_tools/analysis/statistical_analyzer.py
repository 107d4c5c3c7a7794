"""statistical-analyzer: describe, correlate, histogram, percentiles, outliers (stdlib)."""

from __future__ import annotations

import math
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import dispatch, fail, output
from llmspell_tools.data._values import get_path, missing

MAX_VALUES = 1_000_000


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _series(data: Any, field: str | None, name: str = "data") -> list[float]:
    """Numbers from ``data``: an array of numbers, or of records with ``field``."""
    if not isinstance(data, list):
        fail(f"'{name}' must be an array", kind="ValidationError")
    if len(data) > MAX_VALUES:
        fail(
            f"'{name}' has {len(data)} values, over the limit of {MAX_VALUES}",
            kind="ValidationError",
        )
    values: list[float] = []
    for index, item in enumerate(data):
        if field is not None and isinstance(item, dict):
            item = get_path(item, field)
            if missing(item) or item is None:
                continue  # records without the field are skipped
        elif field is None and isinstance(item, dict):
            fail(
                f"'{name}' holds records: give 'field' to pick the numbers", kind="ValidationError"
            )
        if isinstance(item, str):
            try:
                item = float(item)
            except ValueError:
                fail(f"{name}[{index + 1}] is not a number: {item!r}", kind="ValidationError")
        if not _is_num(item):
            fail(f"{name}[{index + 1}] is not a finite number: {item!r}", kind="ValidationError")
        values.append(float(item) if isinstance(item, float) else item)
    if not values:
        fail(f"no numbers in '{name}'" + (f" for field {field!r}" if field else ""))
    return values


def _percentile(ordered: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if len(ordered) == 1:
        return float(ordered[0])
    pos = (len(ordered) - 1) * p / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo))


def _describe(params: dict[str, Any]) -> Any:
    import statistics  # imported on first use (~4 ms)

    values = _series(params["data"], params.get("field"))
    ordered = sorted(values)
    n = len(values)
    mean = statistics.fmean(values)
    stdev = statistics.stdev(values) if n > 1 else 0.0
    q1, q3 = _percentile(ordered, 25), _percentile(ordered, 75)
    skew = None
    if n > 2 and stdev > 0:
        skew = sum((x - mean) ** 3 for x in values) / n / statistics.pstdev(values) ** 3
    modes = statistics.multimode(values)
    result = {
        "count": n,
        "sum": math.fsum(values),
        "mean": mean,
        "median": statistics.median(values),
        "mode": modes[0] if len(modes) < n or n == 1 else None,
        "min": ordered[0],
        "max": ordered[-1],
        "range": ordered[-1] - ordered[0],
        "variance": statistics.variance(values) if n > 1 else 0.0,
        "stdev": stdev,
        "population_stdev": statistics.pstdev(values),
        "q1": q1,
        "q3": q3,
        "iqr": q3 - q1,
        "skewness": skew,
    }
    text = f"n={n} mean={mean:.6g} median={result['median']:.6g} stdev={stdev:.6g}"
    return output(result, text=text)


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _pairs(params: dict[str, Any]) -> tuple[list[float], list[float]]:
    if "x" in params and "y" in params:
        return _series(params["x"], None, "x"), _series(params["y"], None, "y")
    data, fields = params.get("data"), params.get("fields")
    if not isinstance(fields, list) or len(fields) != 2:
        fail(
            "correlation needs x and y (arrays of numbers), or data (records) with "
            "fields={'a', 'b'}",
            kind="ValidationError",
        )
    if not isinstance(data, list):
        fail("'data' must be an array of records", kind="ValidationError")
    rows = [
        r
        for r in data
        if isinstance(r, dict)
        and _is_num(get_path(r, fields[0]))
        and _is_num(get_path(r, fields[1]))
    ]
    return [get_path(r, fields[0]) for r in rows], [get_path(r, fields[1]) for r in rows]


def _correlation(params: dict[str, Any]) -> Any:
    import statistics  # imported on first use (~4 ms)

    xs, ys = _pairs(params)
    if len(xs) != len(ys):
        fail(f"x and y differ in length ({len(xs)} and {len(ys)})", kind="ValidationError")
    if len(xs) < 2:
        fail("correlation needs at least 2 pairs")
    if len(set(xs)) == 1 or len(set(ys)) == 1:
        fail("correlation is undefined when one series is constant")
    pearson = statistics.correlation(xs, ys)
    spearman = statistics.correlation(_ranks(xs), _ranks(ys))
    slope, intercept = statistics.linear_regression(xs, ys)
    strength = abs(pearson)
    label = (
        "very strong"
        if strength >= 0.8
        else "strong"
        if strength >= 0.6
        else "moderate"
        if strength >= 0.4
        else "weak"
        if strength >= 0.2
        else "very weak"
    )
    direction = "positive" if pearson > 0 else "negative" if pearson < 0 else "none"
    result = {
        "pearson": pearson,
        "spearman": spearman,
        "covariance": statistics.covariance(xs, ys),
        "r_squared": pearson**2,
        "n": len(xs),
        "slope": slope,
        "intercept": intercept,
        "strength": label,
        "direction": direction,
    }
    return output(result, text=f"pearson r={pearson:.4f} ({label} {direction})")


def _histogram(params: dict[str, Any]) -> Any:
    values = _series(params["data"], params.get("field"))
    bins = params.get("bins", 10)
    lo, hi = min(values), max(values)
    width = (hi - lo) / bins if hi > lo else 1.0
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lo) / width), bins - 1) if hi > lo else 0] += 1
    result: dict[str, Any] = {
        "bins": [
            {"start": lo + i * width, "end": lo + (i + 1) * width, "count": c}
            for i, c in enumerate(counts)
        ],
        "bin_width": width,
        "min": lo,
        "max": hi,
        "count": len(values),
    }
    peak = max(counts)
    lines = [
        f"{b['start']:>10.4g} - {b['end']:<10.4g} {'#' * round(30 * b['count'] / peak)} "
        f"{b['count']}"
        for b in result["bins"]
    ]
    return output(result, text="\n".join(lines))


def _percentiles(params: dict[str, Any]) -> Any:
    ordered = sorted(_series(params["data"], params.get("field")))
    wanted = params.get("percentiles") or [25, 50, 75, 90, 95, 99]
    values = {f"p{p:g}": _percentile(ordered, p) for p in wanted}
    return output(
        {"percentiles": values, "count": len(ordered)},
        text=", ".join(f"{k}={v:.6g}" for k, v in values.items()),
    )


def _outliers(params: dict[str, Any]) -> Any:
    import statistics  # imported on first use (~4 ms)

    values = _series(params["data"], params.get("field"))
    method = params.get("method", "iqr")
    if method == "iqr":
        k = params.get("threshold", 1.5)
        ordered = sorted(values)
        q1, q3 = _percentile(ordered, 25), _percentile(ordered, 75)
        low, high = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
        bounds: dict[str, Any] = {"lower": low, "upper": high, "q1": q1, "q3": q3}
        flagged: list[tuple[int, float, float | None]] = [
            (i, v, None) for i, v in enumerate(values) if v < low or v > high
        ]
    else:
        z = params.get("threshold", 3.0)
        mean = statistics.fmean(values)
        sd = statistics.pstdev(values)
        bounds = {"mean": mean, "stdev": sd, "lower": mean - z * sd, "upper": mean + z * sd}
        flagged = [
            (i, v, (v - mean) / sd)
            for i, v in enumerate(values)
            if sd > 0 and abs(v - mean) / sd > z
        ]
    outliers = [
        {"index": i + 1, "value": v, **({"z_score": s} if s is not None else {})}
        for i, v, s in flagged
    ]
    result = {
        "outliers": outliers,
        "outlier_count": len(outliers),
        "method": method,
        "bounds": bounds,
        "count": len(values),
    }
    return output(result, text=f"{len(outliers)} outlier(s) of {len(values)} ({method})")


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Compute the statistics of the operation."""
    op = params.get("operation", "describe")
    if op != "correlation" and "data" not in params:
        fail(
            "'data' (an array of numbers, or of records with 'field') is required",
            kind="ValidationError",
        )
    ops = {
        "describe": _describe,
        "correlation": _correlation,
        "histogram": _histogram,
        "percentile": _percentiles,
        "outliers": _outliers,
    }
    return dispatch(params, ops, params, default="describe")


TOOL = Tool(
    name="statistical-analyzer",
    description="Statistics over numbers: data is an array of numbers, or of records with "
    "'field' naming the number (a dotted path). describe (mean, median, stdev, quartiles, "
    "...), correlation (x and y arrays, or data records with fields={'a','b'}: pearson, "
    "spearman, regression), histogram (bins), percentile (percentiles={50, 90}), outliers "
    "(method iqr with threshold 1.5, or zscore with threshold 3). Indexes are 1-based.",
    category="analysis",
    handler=run,
    timeout_seconds=30,
    tags=("statistics", "numbers"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["describe", "correlation", "histogram", "percentile", "outliers"],
                "default": "describe",
            },
            "data": {"type": "array", "description": "numbers, or records (objects)"},
            "field": {"type": "string", "description": "the number's field in each record"},
            "fields": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 2,
                "maxItems": 2,
                "description": "correlation over records: two fields",
            },
            "x": {"type": "array", "items": {"type": "number"}},
            "y": {"type": "array", "items": {"type": "number"}},
            "bins": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10},
            "percentiles": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "number", "minimum": 0, "maximum": 100},
            },
            "method": {"type": "string", "enum": ["iqr", "zscore"], "default": "iqr"},
            "threshold": {"type": "number", "exclusiveMinimum": 0},
        },
        "additionalProperties": False,
    },
)
