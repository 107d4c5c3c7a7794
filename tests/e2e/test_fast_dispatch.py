"""``llmspell run``/``exec`` start without typer (issue 13, start-up): the fast path's
option table matches the typer commands, parses command lines as typer does, leaves
everything else to typer, and a cold run imports neither typer nor click."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from llmspell_cli import fast_dispatch, run_cmd, run_exec
from llmspell_cli.app import app

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = {
    k: p.default
    for k, p in inspect.signature(run_exec.execute).parameters.items()
    if p.default is not inspect.Parameter.empty
}


def _click_command(name: str) -> Any:
    return typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["run", "exec"])
def test_the_option_table_is_the_typer_commands_options(command: str) -> None:
    click_options = {
        name: param
        for param in _click_command(command).params
        if param.param_type_name == "option"
        for name in (*param.opts, *param.secondary_opts)
    }
    assert set(click_options) == set(fast_dispatch._BY_NAME)
    for name, param in click_options.items():
        fast = fast_dispatch._BY_NAME[name]
        assert (fast.convert is None) == bool(param.is_flag), name
        assert fast.multiple == bool(param.multiple), name


def _through_typer(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(run_cmd, "execute", lambda **kw: seen.update(kw))
    monkeypatch.setattr(run_cmd, "read_spell", lambda p: ("src", Path(p), None))
    app(argv, standalone_mode=False)
    return seen


def _through_fast(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(run_exec, "execute", lambda **kw: seen.update(kw))
    monkeypatch.setattr(run_exec, "read_spell", lambda p: ("src", Path(p), None))
    assert fast_dispatch.dispatch(argv)
    return {**DEFAULTS, **seen, "argv": seen.get("argv") or []}


SAME = [
    ["run", "s.lua"],
    ["run", "-", "--engine", "js"],
    ["run", "s.lua", "a", "b"],
    ["run", "s.lua", "--", "--k", "v", "-x"],
    ["run", "--timeout", "2.5", "s.lua", "--memory-mb=64", "x"],
    ["run", "s.lua", "-o", "json", "-c", "cfg.toml", "-e", "lua", "-q"],
    ["run", "s.lua", "--host-memory-mb", "0", "--log-level", "trace", "--usage", "--stream"],
    ["run", "s.lua", "--allow-host", "a.example", "--allow-host=b.example", "--allow-net"],
    ["run", "s.lua", "--output=text", "--timeout", "1e3"],
    ["exec", "print(1)"],
    ["exec", "--engine", "js", "console.log(1)", "--usage", "-o", "json"],
    ["exec", "print(2)", "--allow-host", "h.example", "--quiet"],
]


@pytest.mark.parametrize("argv", SAME, ids=[" ".join(a) for a in SAME])
def test_fast_path_and_typer_agree(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _through_typer(argv, monkeypatch)
    got = _through_fast(argv, monkeypatch)
    expected["argv"] = expected.get("argv") or []
    got["allow_hosts"] = got.get("allow_hosts") or None
    expected["allow_hosts"] = expected.get("allow_hosts") or None
    assert got == expected


LEFT_TO_TYPER = [
    [],
    ["run"],
    ["run", "--help"],
    ["run", "s.lua", "-h"],
    ["run", "s.lua", "--bogus"],
    ["run", "s.lua", "--timeout", "0"],
    ["run", "s.lua", "--timeout", "soon"],
    ["run", "s.lua", "--memory-mb", "1.5"],
    ["run", "s.lua", "--output", "yaml"],
    ["run", "s.lua", "--log-level", "loud"],
    ["run", "s.lua", "-e=lua"],
    ["run", "s.lua", "-elua"],
    ["run", "s.lua", "--usage=1"],
    ["run", "s.lua", "--timeout"],
    ["exec"],
    ["exec", "a", "b"],
    ["tool", "list"],
    ["version"],
]


@pytest.mark.parametrize("argv", LEFT_TO_TYPER, ids=[" ".join(a) or "-" for a in LEFT_TO_TYPER])
def test_anything_unusual_is_left_to_typer(argv: list[str]) -> None:
    assert fast_dispatch.parse(argv) is None


def test_typer_still_reports_the_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "s.lua").write_text("print(1)")
    done = subprocess.run(
        [sys.executable, "-m", "llmspell_cli.main", "run", "s.lua", "--timeout", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--timeout" in done.stderr and "0.001" in done.stderr


def test_a_cold_run_imports_no_cli_framework(tmp_path: Path) -> None:
    """``llmspell run hello.lua`` loads neither typer, click nor rich, no provider SDK,
    no provider adapter and nothing of OpenTelemetry (tracing is off)."""
    code = (
        "import sys, json\n"
        "sys.argv = ['llmspell', 'run', sys.argv[1]]\n"
        "from llmspell_cli.main import main\n"
        "main()\n"
        "heavy = ('typer', 'click', 'rich', 'openai', 'anthropic', 'httpx', 'opentelemetry',\n"
        "         'prompt_toolkit', 'ipykernel', 'jupyter_client', 'fastapi', 'uvicorn', 'dbos',\n"
"         'sse_starlette', 'starlette', 'sqlalchemy')\n"
        "found = sorted({m.split('.')[0] for m in sys.modules} & set(heavy))\n"
        "adapters = [m for m in sys.modules if m.endswith('_adapter')]\n"
        "print(json.dumps(found + adapters), file=sys.stderr)\n"
    )
    env_home = tmp_path / "home"
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "examples" / "hello.lua")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"LLMSPELL_HOME": str(env_home), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
