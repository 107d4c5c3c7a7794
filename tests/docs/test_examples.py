"""Every spell in examples/ runs, in both languages, and the twins agree.

Each ``examples/NAME.lua`` has an ``examples/NAME.js`` twin (and the other way round).
Each example's first line says how to run it (``Run it with: llmspell run
examples/NAME.lua -- args``); the test runs exactly that through the real CLI, with a
fresh ``LLMSPELL_HOME``, and checks exit code 0. The two files of a pair must print the
same stdout (the script's own file name aside).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
LANGS = (".lua", ".js")

_RUN_LINE = re.compile(r"Run it with: llmspell run (?P<path>\S+)(?: -- (?P<args>.*))?$")


def _examples() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.suffix in LANGS)


def _llmspell() -> str:
    exe = Path(sys.executable).with_name("llmspell")
    if not exe.exists():  # pragma: no cover - Windows layout
        exe = Path(sys.executable).with_name("llmspell.exe")
    return str(exe)


def _command(path: Path) -> list[str]:
    """The documented command line of an example: ``run <path> [-- args]``."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = _RUN_LINE.search(first)
    assert m, f"{path.name}: the first line should say 'Run it with: llmspell run ...'"
    assert m.group("path") == f"examples/{path.name}", f"{path.name}: runs another file"
    argv = ["run", m.group("path")]
    if m.group("args"):
        argv += ["--", *shlex.split(m.group("args"))]
    return argv


def run_example(path: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMSPELL_")}
    env["LLMSPELL_HOME"] = str(home)
    return subprocess.run(
        [_llmspell(), *_command(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_there_are_examples_in_both_languages() -> None:
    stems = {p.stem for p in _examples()}
    assert {"hello", "state_counter", "custom_tool", "error_handling", "args"} <= stems


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_example_has_a_twin(path: Path) -> None:
    for ext in LANGS:
        twin = path.with_suffix(ext)
        assert twin.exists(), f"{path.name} has no {ext} twin ({twin.name})"


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_example_runs(path: Path, tmp_path: Path) -> None:
    proc = run_example(path, tmp_path)
    assert proc.returncode == 0, (
        f"{path.name}: exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    assert proc.stdout.strip(), f"{path.name} printed nothing"


@pytest.mark.parametrize(
    "stem", sorted({p.stem for p in _examples() if p.suffix == ".lua"}), ids=str
)
def test_twins_print_the_same(stem: str, tmp_path: Path) -> None:
    lua, js = EXAMPLES / f"{stem}.lua", EXAMPLES / f"{stem}.js"
    if not js.exists():
        pytest.skip("no twin (reported by test_example_has_a_twin)")
    out_lua = run_example(lua, tmp_path / "lua").stdout.replace(lua.name, js.name)
    out_js = run_example(js, tmp_path / "js").stdout
    assert out_lua == out_js, f"{stem}: the Lua and JavaScript versions print differently"
