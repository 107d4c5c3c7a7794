"""data-visualizer: every chart type as PNG (checked with Pillow) and SVG (parsed as
XML), sizes, atomic writes, refusals, and matplotlib kept off the user's config."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from llmspell.errors import SecurityError, ValidationError

TOOL = "data-visualizer"
SALES = [
    {"month": "Jan", "north": 12, "south": 7},
    {"month": "Feb", "north": 15, "south": 9},
    {"month": "Mar", "north": 9, "south": 14},
    {"month": "Apr", "north": 18, "south": 11},
]


@pytest.fixture(scope="module", autouse=True)
def _matplotlib_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep this test process's matplotlib cache in a temporary directory."""
    old = os.environ.get("MPLCONFIGDIR")
    os.environ["MPLCONFIGDIR"] = str(tmp_path_factory.mktemp("mplconfig"))
    yield
    if old is None:
        os.environ.pop("MPLCONFIGDIR", None)
    else:
        os.environ["MPLCONFIGDIR"] = old


def _colors(path: Path) -> int:
    with Image.open(path) as img:
        colors = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colors is not None
    return len(colors)


def _check_png(path: Path, width: int, height: int) -> None:
    with Image.open(path) as img:
        assert img.format == "PNG" and img.size == (width, height)
        rgb = img.convert("RGB")
        extrema = rgb.getextrema()
    assert any(lo != hi for lo, hi in extrema), "the image is one flat color"
    assert _colors(path) > 10


@pytest.mark.parametrize(
    ("chart", "params"),
    [
        ("bar", {"data": SALES, "x": "month", "y": ["north", "south"]}),
        ("line", {"data": SALES, "x": "month", "y": "north"}),
        ("scatter", {"data": {"x": [1, 2, 3, 4, 5], "y": [2.5, 3.1, 4.8, 4.2, 6.0]}}),
        ("histogram", {"data": [1, 2, 2, 3, 3, 3, 4, 4, 5, 9], "bins": 5}),
        ("pie", {"data": SALES, "x": "month", "y": "south"}),
    ],
)
def test_every_chart_as_png(tools: Any, sandbox: Path, chart: str, params: dict[str, Any]) -> None:
    r = tools.ok(TOOL, chart=chart, output_path=f"out/{chart}.png", title=f"A {chart}", **params)
    path = sandbox / "out" / f"{chart}.png"
    assert r["result"]["path"] == str(path) and r["result"]["format"] == "png"
    assert (r["result"]["width"], r["result"]["height"]) == (800, 600)
    assert r["result"]["bytes"] == path.stat().st_size
    assert r["result"]["chart"] == chart and r["text"].startswith(f"Wrote {chart} chart")
    _check_png(path, 800, 600)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_size_and_dpi_are_exact(tools: Any, sandbox: Path) -> None:
    for width, height, dpi in ((801, 333, 100), (640, 480, 72), (1234, 567, 150)):
        tools.ok(
            TOOL,
            chart="line",
            data=SALES,
            x="month",
            y="north",
            output_path="s.png",
            width=width,
            height=height,
            dpi=dpi,
        )
        _check_png(sandbox / "s.png", width, height)


def test_two_series_draw_more_than_one(tools: Any, sandbox: Path) -> None:
    tools.ok(TOOL, chart="bar", data=SALES, x="month", y="north", output_path="one.png")
    tools.ok(TOOL, chart="bar", data=SALES, x="month", y=["north", "south"], output_path="two.png")
    assert _colors(sandbox / "two.png") > _colors(sandbox / "one.png")


def test_svg_is_xml_with_the_labels(tools: Any, sandbox: Path) -> None:
    r = tools.ok(
        TOOL,
        chart="bar",
        data=SALES,
        x="month",
        y="north",
        output_path="c.svg",
        title="Sales by month",
        width=400,
        height=300,
    )
    assert r["result"]["format"] == "svg"
    root = ET.parse(sandbox / "c.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # 400 x 300 px at 100 dpi is 4 x 3 inches = 288 x 216 pt
    assert root.get("width") == "288pt" and root.get("height") == "216pt"
    # the title text is drawn as glyph paths, and also named in a comment/id
    assert "Sales by month" in (sandbox / "c.svg").read_text()
    r = tools.ok(TOOL, chart="line", data=[1, 4, 9], output_path="noext", format="svg")
    assert r["result"]["format"] == "svg"
    ET.parse(sandbox / "noext")


def test_missing_values_and_positions(tools: Any, sandbox: Path) -> None:
    data = [{"v": 1}, {"v": None}, {"v": 3}, {}]
    r = tools.ok(TOOL, chart="line", data=data, y="v", output_path="gap.png")
    assert r["result"]["points"] == 4
    _check_png(sandbox / "gap.png", 800, 600)


def test_bad_input(tools: Any, sandbox: Path) -> None:
    def failed(**params: Any) -> str:
        r = tools.failed(TOOL, **params)
        assert r["error_kind"] == "ValidationError", r
        return str(r["error"])

    err = failed(chart="bar", data=SALES, x="month", y="west", output_path="a.png")
    assert "'west' is not in the data" in err and "north" in err
    err = failed(chart="bar", data=SALES, x="mnth", y="north", output_path="a.png")
    assert "x field 'mnth'" in err
    err = failed(chart="line", data=SALES, x="north", y="month", output_path="a.png")
    assert "'month' must hold numbers: value 1 is 'Jan'" in err
    assert "empty" in failed(chart="bar", data=[], output_path="a.png")
    assert "empty" in failed(chart="bar", data={"x": [], "y": []}, output_path="a.png")
    assert "different lengths" in failed(
        chart="bar", data={"x": [1], "y": [1, 2]}, output_path="a.png"
    )
    assert "format" in failed(chart="bar", data=[1], output_path="a.jpg")
    assert "does not match" in failed(chart="bar", data=[1], output_path="a.png", format="svg")
    assert "one y field" in failed(
        chart="pie", data=SALES, x="month", y=["north", "south"], output_path="a.png"
    )
    assert "non-negative" in failed(chart="pie", data=[1, -2], output_path="a.png")
    assert "give 'y'" in failed(chart="bar", data=SALES, x="month", output_path="a.png")
    assert "not a record" in failed(chart="bar", data=[{"a": 1}, "b"], output_path="a.png")
    assert not list(sandbox.glob("a.*"))
    with pytest.raises(ValidationError, match="parameter 'chart'"):
        tools(TOOL, chart="radar", data=[1], output_path="a.png")
    with pytest.raises(ValidationError, match="output_path"):
        tools(TOOL, chart="bar", data=[1])


def test_path_outside_allowed_dirs(tools: Any, tmp_path: Path) -> None:
    with pytest.raises(SecurityError, match="outside the allowed paths"):
        tools(TOOL, chart="bar", data=[1, 2], output_path=str(tmp_path / "x.png"))
    with pytest.raises(SecurityError):
        tools(TOOL, chart="bar", data=[1, 2], output_path="../x.png")
    assert not (tmp_path / "x.png").exists()


def test_matplotlib_config_stays_under_llmspell_home(tmp_path: Path) -> None:
    """In a fresh process, matplotlib's cache goes to $LLMSPELL_HOME/cache/matplotlib,
    not to the user's ~/.config/matplotlib or ~/.cache/matplotlib."""
    home, llm_home, work = tmp_path / "home", tmp_path / "llmspell-home", tmp_path / "work"
    for d in (home, work):
        d.mkdir()
    code = (
        "import asyncio\n"
        "from llmspell.config import load_settings\n"
        "from llmspell.runtime import Runtime\n"
        "from llmspell.tools import execute_tool\n"
        "rt = Runtime(load_settings(environ={'LLMSPELL_STATE_BACKEND': 'memory'},"
        " use_files=False, overrides={('security', 'allowed_paths'): ['.']}))\n"
        "r = asyncio.run(execute_tool(rt.tools.get('data-visualizer'),"
        " {'chart': 'bar', 'data': [1, 2], 'output_path': 'c.png'}, rt.tool_context()))\n"
        "assert r['success'], r\n"
        "import matplotlib; print(matplotlib.get_configdir())\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MPLCONFIGDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
    }
    env.update(HOME=str(home), LLMSPELL_HOME=str(llm_home))
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(llm_home / "cache" / "matplotlib")
    assert (work / "c.png").exists()
    assert not (home / ".config" / "matplotlib").exists()
    assert not (home / ".cache" / "matplotlib").exists()


def test_artist_bombs_are_refused_before_drawing(tools: Any, sandbox: Path) -> None:
    import time

    start = time.monotonic()
    bars = {"x": list(range(50_000)), "y": [1.0] * 50_000}
    r = tools.failed(TOOL, chart="bar", output_path="b.png", data=bars)
    assert r["error_kind"] == "LimitExceeded"
    assert "[tools.data-visualizer] max_categories" in r["error"]
    labels = {"x": [f"k{i}" for i in range(5_000)], "y": [1.0] * 5_000}
    r = tools.failed(TOOL, chart="line", output_path="l.png", data=labels)
    assert r["error_kind"] == "LimitExceeded" and "tick label" in r["error"]
    many = {"x": list(range(300_000)), "y": [1.0] * 300_000}
    r = tools.failed(TOOL, chart="scatter", output_path="s.png", data=many)
    assert "[tools.data-visualizer] max_points" in r["error"]
    assert time.monotonic() - start < 30
    assert not (sandbox / "b.png").exists()
    numeric = {"x": list(range(5_000)), "y": [float(i % 7) for i in range(5_000)]}
    tools.ok(TOOL, chart="line", output_path="ok.png", data=numeric)
