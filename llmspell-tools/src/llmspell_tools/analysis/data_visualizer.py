"""data-visualizer: bar, line, scatter, histogram and pie charts as PNG or SVG files.

Drawn with matplotlib's object API (a ``Figure`` rendered by the Agg/SVG canvases; no
pyplot, so no global figure state and no GUI backend). Unless ``MPLCONFIGDIR`` is set,
matplotlib keeps its configuration and font cache under the llmspell home
(``$LLMSPELL_HOME/cache/matplotlib``), so the user's matplotlibrc and cache are not
read or written. The file is written atomically, inside the allowed paths.
"""

from __future__ import annotations

import io
import math
import os
import sys
from pathlib import Path
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import atomic_write, fail, limit, output, over_limit, resolve
from llmspell_tools.analysis._chart_data import Series, extract

CHARTS = ("bar", "line", "scatter", "histogram", "pie")
FORMATS = ("png", "svg")
MAX_PIXELS = 40_000_000
MAX_PIE_SLICES = 100
#: default caps on what matplotlib draws (one Python artist per bar and per tick label):
#: ``[tools.data-visualizer] max_categories`` (bars or text x labels) and ``max_points``
MAX_CATEGORIES = 1_000
MAX_DRAWN_POINTS = 200_000


def _isolate_matplotlib_config() -> None:
    """Point matplotlib at llmspell's own config/cache directory before its first
    import (unless the user chose one with MPLCONFIGDIR, or it is already loaded)."""
    if "matplotlib" in sys.modules or os.environ.get("MPLCONFIGDIR"):
        return
    from llmspell.config import llmspell_home

    target = llmspell_home() / "cache" / "matplotlib"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # matplotlib falls back to a temporary directory by itself
    os.environ["MPLCONFIGDIR"] = str(target)


def _format(params: dict[str, Any], path: str) -> str:
    ext = Path(path).suffix.lower().lstrip(".")
    wanted = params.get("format")
    if wanted and ext in FORMATS and ext != wanted:
        fail(
            f"format {wanted!r} does not match the file extension '.{ext}' of {path!r}",
            kind="ValidationError",
        )
    fmt = wanted or ext
    if fmt not in FORMATS:
        fail(
            f"cannot tell the image format of {path!r}: end it in .png or .svg, or give "
            "'format' (png or svg)",
            kind="ValidationError",
        )
    return str(fmt)


def _draw(ax: Any, chart: str, series: Series, params: dict[str, Any]) -> None:
    """Draw ``series`` on the axes ``ax``."""
    names = list(series.ys)
    if chart == "bar":
        count = len(names)
        width = 0.8 / count
        positions = list(range(len(series.x)))
        for i, name in enumerate(names):
            offset = (i - (count - 1) / 2) * width
            ax.bar([p + offset for p in positions], series.ys[name], width=width, label=name)
        ax.set_xticks(positions, [str(v) for v in series.x])
    elif chart == "line":
        for name in names:
            ax.plot(series.x, series.ys[name], marker="o", markersize=3, label=name)
    elif chart == "scatter":
        for name in names:
            ax.scatter(series.x, series.ys[name], s=18, label=name)
    elif chart == "histogram":
        present = [[v for v in series.ys[n] if not math.isnan(v)] for n in names]
        if not all(present):
            fail("a histogram needs at least one value in each y field", kind="ValidationError")
        ax.hist(present, bins=params.get("bins", 10), label=names, alpha=0.85)
    else:  # pie
        values = series.ys[names[0]]
        if len(values) > MAX_PIE_SLICES:
            fail(f"a pie chart draws at most {MAX_PIE_SLICES} slices", kind="ValidationError")
        if any(math.isnan(v) or v < 0 for v in values) or not any(values):
            fail("a pie chart needs non-negative values, not all zero", kind="ValidationError")
        ax.pie(values, labels=[str(v) for v in series.x], autopct="%1.1f%%", startangle=90)
        ax.axis("equal")


def _labels(ax: Any, chart: str, series: Series, params: dict[str, Any]) -> None:
    if params.get("title"):
        ax.set_title(params["title"])
    if chart == "pie":
        return
    xlabel = params.get("xlabel")
    if xlabel is None:
        xlabel = series.x_name or ("value" if chart == "histogram" else None)
    if xlabel:
        ax.set_xlabel(xlabel)
    ylabel = params.get("ylabel")
    if ylabel is None and chart == "histogram":
        ylabel = "count"
    elif ylabel is None and len(series.ys) == 1:
        ylabel = next(iter(series.ys))
    if ylabel:
        ax.set_ylabel(ylabel)
    legend = params.get("legend")
    if legend or (legend is None and len(series.ys) > 1):
        ax.legend()
    if chart != "histogram" and len(series.x) > 12 and any(isinstance(v, str) for v in series.x):
        ax.tick_params(axis="x", labelrotation=45)


def render(chart: str, series: Series, params: dict[str, Any], fmt: str) -> bytes:
    """The chart as PNG or SVG bytes (``width`` x ``height`` pixels at ``dpi``)."""
    _isolate_matplotlib_config()
    from matplotlib.figure import Figure

    width, height, dpi = params["width"], params["height"], params["dpi"]
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    _draw(ax, chart, series, params)
    _labels(ax, chart, series, params)
    if chart != "pie":
        ax.grid(True, alpha=0.3)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi)
    return buffer.getvalue()


def _bound(ctx: Any, chart: str, series: Series) -> None:
    """Refuse charts whose artists (bars, tick labels, markers) would take too long to draw."""
    points = len(series.x) * max(len(series.ys), 1)
    most = limit(ctx, "data-visualizer", "max_points", MAX_DRAWN_POINTS)
    if points > most:
        over_limit(
            f"the chart's {points} points", most, setting="[tools.data-visualizer] max_points"
        )
    if chart == "histogram":
        return
    most = limit(ctx, "data-visualizer", "max_categories", MAX_CATEGORIES)
    if chart == "bar":
        count, what = len(series.x), "bar categories"
    else:
        count = len({str(v) for v in series.x if not isinstance(v, int | float)})
        what = "distinct text x values (one tick label each)"
    if count > most:
        over_limit(
            f"the chart's {count} {what}", most, setting="[tools.data-visualizer] max_categories"
        )


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Draw the chart and write it to ``output_path``."""
    params = {"width": 800, "height": 600, "dpi": 100, **params}
    if params["width"] * params["height"] > MAX_PIXELS:
        fail(f"the image is too large: at most {MAX_PIXELS} pixels", kind="ValidationError")
    path = params["output_path"]
    fmt = _format(params, path)
    resolve(ctx, path, what="output_path")  # refuse before drawing
    chart = params["chart"]
    series = extract(params["data"], params.get("x"), params.get("y"), chart)
    _bound(ctx, chart, series)
    data = render(chart, series, params, fmt)
    real = atomic_write(ctx, path, data)
    result = {
        "path": str(real),
        "format": fmt,
        "width": params["width"],
        "height": params["height"],
        "bytes": len(data),
        "chart": chart,
        "series": list(series.ys),
        "points": len(series.x),
    }
    return output(result, text=f"Wrote {chart} chart ({fmt}, {len(data)} bytes) to {path}")


TOOL = Tool(
    name="data-visualizer",
    description="Draw a bar, line, scatter, histogram or pie chart of 'data' (records, "
    "columns {x=[...], y=[...]} or numbers) to a PNG or SVG file at 'output_path'. 'x' and "
    "'y' name the fields (y may list several series). result.{path, format, width, height, "
    "bytes}.",
    category="analysis",
    handler=run,
    timeout_seconds=60,
    security=("files",),
    settings={
        "max_points": {
            "type": "integer",
            "minimum": 1,
            "default": MAX_DRAWN_POINTS,
            "description": "the most points one chart may draw",
        },
        "max_categories": {
            "type": "integer",
            "minimum": 1,
            "default": MAX_CATEGORIES,
            "description": "the most bars or text labels of one chart",
        },
    },
    tags=("chart", "plot", "graph", "visualization", "png", "svg", "matplotlib"),
    parameters={
        "type": "object",
        "properties": {
            "chart": {"type": "string", "enum": list(CHARTS), "description": "chart type"},
            "data": {
                "type": ["array", "object"],
                "description": "records, a table of columns, or an array of numbers",
            },
            "x": {"type": "string", "description": "the label/x field (default: positions)"},
            "y": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "string"}, "minItems": 1},
                ],
                "description": "the numeric field, or several for several series",
            },
            "title": {"type": "string"},
            "xlabel": {"type": "string"},
            "ylabel": {"type": "string"},
            "legend": {"type": "boolean", "description": "default: when several series"},
            "bins": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10},
            "output_path": {"type": "string", "description": "the .png or .svg file to write"},
            "format": {"type": "string", "enum": list(FORMATS)},
            "width": {"type": "integer", "minimum": 50, "maximum": 10000, "default": 800},
            "height": {"type": "integer", "minimum": 50, "maximum": 10000, "default": 600},
            "dpi": {"type": "integer", "minimum": 10, "maximum": 600, "default": 100},
        },
        "required": ["chart", "data", "output_path"],
        "additionalProperties": False,
    },
)
