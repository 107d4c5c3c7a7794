"""``llmspell repl`` on a real pseudo-terminal (pexpect, ``PROMPT_TOOLKIT_NO_CPR=1``):
persistence, multi-line entries, completion menus, history across sessions, Ctrl-C
during a busy loop and during an agent call, errors that keep the REPL alive."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.katan_server import start_katan

pexpect = pytest.importorskip("pexpect")
pytest.importorskip("prompt_toolkit")

LLMSPELL = str(Path(sys.executable).parent / "llmspell")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")


def _spawn(tmp: Path, *args: str, env: dict[str, str] | None = None) -> object:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LLMSPELL_")}
    environ.update(
        PROMPT_TOOLKIT_NO_CPR="1",
        TERM="xterm",
        LLMSPELL_HOME=str(tmp / "home"),
        HOME=str(tmp),
        LLMSPELL_LOAD_PLUGINS=os.environ.get("LLMSPELL_LOAD_PLUGINS", ""),
        **(env or {}),
    )
    child = pexpect.spawn(
        LLMSPELL,
        ["repl", *args],
        cwd=str(tmp),
        env=environ,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 160),
    )
    child.expect(r"(lua|js)>")
    return child


def _plain(text: str) -> str:
    return _ANSI.sub("", text)


_marks = iter(range(1, 1_000_000))


def _run(child: object, line: str, prompt: str = "lua>") -> str:
    """Type ``line`` + Enter; what was printed until the entry finished (escapes
    removed). A marker entry printed after it tells where that is (the prompt alone does
    not: prompt_toolkit redraws it as it accepts a line)."""
    child.send(line + "\r")  # type: ignore[attr-defined]
    return _sync(child, prompt)


def _sync(child: object, prompt: str = "lua>") -> str:
    """Everything printed until a marker entry sent now has run."""
    n = next(_marks)
    if prompt.startswith("js"):
        child.send(f"console.log('@@' + '{n}')\r")  # type: ignore[attr-defined]
    else:
        child.send(f"print('@@' .. '{n}')\r")  # type: ignore[attr-defined]
    child.expect(f"@@{n}\r\n")  # type: ignore[attr-defined]
    text = _plain(child.before)  # type: ignore[attr-defined]
    child.expect(prompt)  # type: ignore[attr-defined]
    return text


def _quit(child: object, prompt: str = "lua>") -> int:
    _sync(child, prompt)  # at the prompt: Ctrl-D typed while an entry runs is lost
    child.sendcontrol("d")  # type: ignore[attr-defined]
    child.expect(pexpect.EOF)  # type: ignore[attr-defined]
    child.close()  # type: ignore[attr-defined]
    return int(child.exitstatus)  # type: ignore[attr-defined]


def test_lua_globals_locals_and_multi_line_functions_persist(tmp_path: Path) -> None:
    child = _spawn(tmp_path)
    _run(child, "local x = 6")
    assert "42" in _run(child, "x * 7")
    child.send("function add(n)\r")
    child.send("return n + x\r")
    child.send("end\r")
    _sync(child)
    assert "7" in _run(child, "add(1)")
    out = _run(child, "error('boom')")
    assert "stdin:1: ScriptError: boom" in out
    assert "6" in _run(child, "x")
    assert _quit(child) == 0


def test_js_let_and_top_level_await_persist(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "--engine", "js")
    _run(child, "let base = 40", "js>")
    _run(child, "const two = await Promise.resolve(2)", "js>")
    assert "42" in _run(child, "base + two", "js>")
    child.send("function twice(n) {\r")
    child.send("  return n * 2\r")
    child.send("}\r")
    _sync(child, "js>")
    assert "84" in _run(child, "twice(base + two)", "js>")
    assert _quit(child, "js>") == 0


def test_tab_completes_globals_and_shows_a_menu_of_functions(tmp_path: Path) -> None:
    child = _spawn(tmp_path)
    child.send("Sta\t")  # one candidate: completed in place
    assert "{}" in _run(child, ".list_keys('nothing')")  # State.list_keys: empty
    child.send("State.\t")  # many: a menu
    child.expect("agent_get")
    child.sendcontrol("c")
    _sync(child)
    assert _quit(child) == 0


def test_history_is_kept_across_sessions_and_searchable(tmp_path: Path) -> None:
    child = _spawn(tmp_path)
    _run(child, "remembered_value = 1234")
    _run(child, "other = 1")
    assert _quit(child) == 0
    child = _spawn(tmp_path)
    child.sendcontrol("r")
    child.expect("search")
    child.send("remembered")
    child.expect("_value = 1234")
    time.sleep(0.5)
    child.send("\r")  # accept the search result into the buffer
    time.sleep(0.5)
    child.send("\r")  # and run it
    _sync(child)
    assert "1234" in _run(child, "remembered_value")
    assert _quit(child) == 0


@pytest.mark.parametrize(
    ("engine", "loop", "prompt"),
    [("lua", "while true do end", "lua>")],
)
def test_ctrl_c_stops_a_busy_loop_and_the_repl_goes_on(
    tmp_path: Path, engine: str, loop: str, prompt: str
) -> None:
    child = _spawn(tmp_path, "--engine", engine)
    _run(child, "kept = 'still here'", prompt)
    child.send(loop + "\r")
    time.sleep(0.5)
    started = time.monotonic()
    child.sendintr()
    child.expect("Interrupted: interrupted")
    child.expect(prompt)
    assert time.monotonic() - started < 5
    assert "still here" in _run(child, "kept", prompt)
    assert _quit(child, prompt) == 0


@pytest.fixture(scope="module")
def slow_katan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    proc, port = start_katan(tmp_path_factory.mktemp("katan"), "--latency-ms", "20000")
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def test_ctrl_c_cancels_an_agent_call(tmp_path: Path, slow_katan: int) -> None:
    (tmp_path / "llmspell.toml").write_text(
        "[providers.katan]\nprovider_type = \"openai\"\n"
        f'base_url = "http://127.0.0.1:{slow_katan}/v1"\n'
        'api_key_env = "KATAN_KEY"\nmax_retries = 1\n',
        encoding="utf-8",
    )
    child = _spawn(tmp_path, env={"KATAN_KEY": "dummy"})
    _run(child, "a = Agent.builder():name('slow'):model('katan/echo-model'):build()")
    child.send("a:execute('hello')\r")
    child.expect("slow is thinking", timeout=60)  # the call is in flight (its spinner)
    time.sleep(0.5)
    started = time.monotonic()
    child.sendintr()
    child.expect("Interrupted")
    assert "1" in _run(child, "1"), child.exitstatus
    assert time.monotonic() - started < 15
    assert _quit(child) == 0


def test_save_then_run_gives_the_same_output(tmp_path: Path) -> None:
    import subprocess

    child = _spawn(tmp_path)
    steps = [
        ("local greeting = 'hello'", None),
        ("function shout(s)\rreturn s:upper() .. '!'\rend", None),
        ("print(shout(greeting))", "HELLO!"),
        ("error('not saved')", "stdin:1: ScriptError: not saved"),
        ("6 * 7", "42"),
        ("print(#greeting)", "5\r\n"),
        (".save session.lua", "saved 5 entries to session.lua"),
    ]
    for line, shows in steps:
        child.send(line + "\r")  # type: ignore[attr-defined]
        if shows is not None:
            child.expect(shows)  # type: ignore[attr-defined]
    assert _quit(child) == 0
    saved = (tmp_path / "session.lua").read_text(encoding="utf-8")
    assert "not saved" not in saved
    done = subprocess.run(
        [LLMSPELL, "run", "session.lua"], cwd=tmp_path, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "HELLO!\n5\n"
