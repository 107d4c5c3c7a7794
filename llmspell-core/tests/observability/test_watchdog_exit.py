"""Runs the watchdog ends with the process: before ``os._exit`` the observer ends the
run in flight with the error, the run log writes it (with the calls that had ended) and
the spans are exported — within a bound, also when the run-log database is stuck.

In-process tests call the watchdog's exit path from inside a run (``os._exit``
replaced); the subprocess tests end a real process: a run whose host call blocks its
event loop, so only the watchdog's exit can end it."""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmspell.config import llmspell_home
from llmspell.errors import Interrupted, LimitExceeded, LLMSpellError
from llmspell.llm import ChatRequest, ChatResponse, Usage
from llmspell.observability import runlog
from llmspell.observability.store import LogStore
from llmspell.runtime import Runtime
from llmspell.watchdog import EXIT_FLUSH_SECONDS, Watchdog, watchdog

from .conftest import ScriptedProvider, run, tool_call, trace


@pytest.fixture
def exiting(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The process's watchdog in exit mode, with ``os._exit`` and its stderr write
    recorded instead of done; faulthandler's timer disarmed afterwards."""
    exits: list[int] = []
    monkeypatch.setattr(watchdog, "mode", "exit")
    monkeypatch.setattr("os._exit", lambda code: exits.append(code))
    monkeypatch.setattr("os.write", lambda fd, data: len(data))
    try:
        yield exits
    finally:
        faulthandler.cancel_dump_traceback_later()


def _exit_during_the_call(err: LimitExceeded, code: int) -> Any:
    def reply(request: ChatRequest) -> ChatResponse:
        watchdog._exit(err, code)  # what the watchdog's thread does at a limit
        return ChatResponse("too late", usage=Usage(1, 1), model="m", finish_reason="stop")

    return reply


SPELL = (
    'local a = Agent.create{name="calc", model="fake/m", tools={"calculator"}}\n'
    'return a:execute("what is six times seven").text'
)


def test_the_run_in_flight_is_logged_and_traced_before_the_exit(
    rt: Runtime, exiting: list[int]
) -> None:
    telemetry = trace(rt)
    err = LimitExceeded("wall-time limit of 1 s exceeded").at("math.lua", 2)
    ScriptedProvider.script = [
        tool_call("calculator", "call-1", input="6*7"),
        _exit_during_the_call(err, 1),
    ]
    run(rt, SPELL, name="math.lua")
    assert exiting == [1]
    store = LogStore(llmspell_home() / "logs.db")
    [listed] = store.list_runs()
    assert listed["spell"] == "math.lua" and listed["status"] == "error"
    assert listed["error_kind"] == "LimitExceeded"
    assert "wall-time limit of 1 s exceeded" in listed["error"]
    assert "(the process was ended)" in listed["error"]
    # what the run did until then: the model's first round and the tool call had ended
    assert listed["tool_call_count"] == 1 and listed["agent_call_count"] == 1
    # tokens: those of the agent calls that ended (the call in flight never reported its own)
    assert listed["input_tokens"] == 0
    detail = store.get_run(listed["id"])
    assert detail is not None
    [tool] = detail["tool_calls"]
    assert tool["tool"] == "calculator" and tool["status"] == "ok"
    [agent] = detail["agent_calls"]  # in flight: ended with the error
    assert agent["status"] == "error" and agent["error_kind"] == "LimitExceeded"
    sources = sorted(e["source"] for e in detail["errors"])
    assert sources[0].startswith("agent calc") and sources[1:] == ["run math.lua"]

    root = telemetry.by_name("run math.lua")
    assert root.status.status_code.name == "ERROR"
    assert root.attributes["error.type"] == "LimitExceeded"
    assert root.events[0].attributes["llmspell.error.kind"] == "LimitExceeded"
    chat = telemetry.by_name("chat m")
    assert chat.parent.span_id == root.context.span_id
    assert chat.status.status_code.name == "ERROR"
    assert telemetry.by_name("execute_tool calculator").status.status_code.name == "UNSET"
    # the run's own end, after the exit hooks, changes nothing
    assert len(store.list_runs()) == 1


def test_an_interactive_session_is_closed_with_the_interrupt(
    rt: Runtime, exiting: list[int]
) -> None:
    import asyncio

    telemetry = trace(rt)
    second = Interrupted("interrupted (second Ctrl-C)")
    ScriptedProvider.script = [_exit_during_the_call(second, 130)]

    async def session() -> None:
        s = rt.interactive(engine="lua")
        s.label = "<repl>"
        assert await s.run('x = Tool.execute("calculator", {input = "2+3"}).text') == ()
        await s.run('a = Agent.create{name="calc", model="fake/m"}\nreturn a:execute("hi")')
        s.close()

    asyncio.run(session())
    assert exiting == [130]
    store = LogStore(llmspell_home() / "logs.db")
    [listed] = store.list_runs()
    assert listed["spell"] == "<repl>" and listed["status"] == "error"
    assert listed["error_kind"] == "Interrupted"
    assert listed["tool_call_count"] == 1 and listed["agent_call_count"] == 1
    detail = store.get_run(listed["id"])
    assert detail is not None
    # the agent call in flight, the entry, the session: each ended with the interrupt
    sources = sorted(e["source"] for e in detail["errors"])
    assert sources[0].startswith("agent calc") and sources[1:] == ["entry 2 (stdin)", "run <repl>"]
    assert {e["kind"] for e in detail["errors"]} == {"Interrupted"}
    entries = [s for s in telemetry.finished() if s.name == "repl entry"]
    assert [s.status.status_code.name for s in entries] == ["UNSET", "ERROR"]
    assert entries[1].attributes["error.type"] == "Interrupted"


def test_a_stuck_database_does_not_keep_the_process_alive(
    rt: Runtime, exiting: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    telemetry = trace(rt)
    monkeypatch.setattr(LogStore, "write", lambda *a, **k: time.sleep(2.5))
    took: list[float] = []

    def reply(request: ChatRequest) -> ChatResponse:
        started = time.monotonic()
        watchdog._exit(LimitExceeded("wall-time limit of 1 s exceeded"), 1)
        took.append(time.monotonic() - started)
        # the process lives on here (os._exit is replaced) and waits for the stuck hook
        # to let go of the observer: faulthandler's timer must not end the test run
        faulthandler.cancel_dump_traceback_later()
        return ChatResponse("late", usage=Usage(1, 1), model="m", finish_reason="stop")

    ScriptedProvider.script = [reply]
    run(rt, SPELL, name="stuck.lua")
    assert exiting == [1]
    assert EXIT_FLUSH_SECONDS <= took[0] < EXIT_FLUSH_SECONDS + 2
    # the spans were exported first: the run's span has the error
    root = telemetry.by_name("run stuck.lua")
    assert root.attributes["error.type"] == "LimitExceeded"


def test_exit_hooks_are_bounded_and_held_weakly() -> None:
    import weakref

    dog = Watchdog()
    calls: list[str] = []

    class Sink:
        def hook(self, err: BaseException) -> None:
            calls.append(str(err))

    gone = Sink()
    dog.add_exit_hook(weakref.WeakMethod(gone.hook))
    del gone
    assert dog.exit_hooks() == []  # the sink is gone; its hook with it
    sink = Sink()
    dog.add_exit_hook(weakref.WeakMethod(sink.hook))
    dog.add_exit_hook(lambda err: time.sleep(3))
    started = time.monotonic()
    assert dog.run_exit_hooks(LimitExceeded("x"), bound=0.3) is False
    assert time.monotonic() - started < 2
    assert calls == ["x"]
    assert Watchdog().run_exit_hooks(LimitExceeded("y")) is True  # no hooks: nothing to wait


# -- a real process ----------------------------------------------------------------------------

_SCRIPT = """
import sys, time
from llmspell.observability import attach
from llmspell.observability.store import LogStore
from llmspell.runtime import Limits, Output, Runtime
from llmspell.watchdog import watchdog

class Blocking:
    "stdout whose writes block the event loop (a host call that never yields)"
    def write(self, text):
        time.sleep(60)
        return len(text)
    def flush(self):
        pass

limits = Limits(timeout_seconds=1)
if sys.argv[2] == "stuck":
    LogStore.write = lambda *a, **k: time.sleep(60)
elif sys.argv[2] == "memory":  # the process "grows" by 100 GB once the run is watched
    import llmspell.watchdog as wd

    sizes = iter([100 * 2**20])
    wd._rss_bytes = lambda: next(sizes, 100 * 2**30)
    limits = Limits(timeout_seconds=60, memory_mb=64, host_memory_mb=64)
watchdog.set_mode("exit")
runtime = Runtime(output=Output(Blocking(), sys.stderr))
attach(runtime, trace_file=sys.argv[1])
runtime.run_sync(
    'local r = Tool.execute("calculator", {input = "6*7"})\\nprint(r.text)',
    chunk_name="blocked.lua",
    limits=limits,
)
print("SURVIVED", file=sys.stderr)
"""


def _run_blocked(tmp_path: Path, mode: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "LLMSPELL_LOAD_PLUGINS": "lua,tools"}
    env.pop("LLMSPELL_DISABLE_PLUGIN_AUTOLOAD", None)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(tmp_path / "t.jsonl"), mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc, time.monotonic() - started


def _root_span(tmp_path: Path) -> dict[str, Any]:
    spans = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    [root] = [s for s in spans if s["name"] == "run blocked.lua"]
    return root


def test_a_process_the_watchdog_ends_has_its_run_logged_and_traced(tmp_path: Path) -> None:
    proc, _ = _run_blocked(tmp_path, "ok")
    assert proc.returncode == 1, proc.stderr
    assert "LimitExceeded: wall-time limit of 1 s exceeded" in proc.stderr
    assert "SURVIVED" not in proc.stderr
    [listed] = LogStore(llmspell_home() / "logs.db").list_runs()
    assert listed["spell"] == "blocked.lua" and listed["status"] == "error"
    assert listed["error_kind"] == "LimitExceeded"
    assert "(the process was ended)" in listed["error"]
    assert listed["tool_call_count"] == 1
    root = _root_span(tmp_path)
    assert root["status"]["code"] == "ERROR"
    assert root["attributes"]["error.type"] == "LimitExceeded"


def test_a_stuck_database_delays_the_exit_by_at_most_the_bound(tmp_path: Path) -> None:
    proc, took = _run_blocked(tmp_path, "stuck")
    assert proc.returncode == 1, proc.stderr
    assert "LimitExceeded" in proc.stderr
    # 1 s limit + 0.5 s grace + at most 1 s for the hooks, and a start-up; the database
    # would have held it 60 s
    assert took < 20
    root = _root_span(tmp_path)  # exported before the run log tried to write
    assert root["attributes"]["error.type"] == "LimitExceeded"


def test_a_process_over_its_memory_limit_has_its_run_logged(tmp_path: Path) -> None:
    proc, _ = _run_blocked(tmp_path, "memory")
    assert proc.returncode == 1, proc.stderr
    assert "host memory limit exceeded" in proc.stderr
    [listed] = LogStore(llmspell_home() / "logs.db").list_runs()
    assert listed["status"] == "error" and listed["error_kind"] == "LimitExceeded"
    assert "host memory limit exceeded" in listed["error"]
    assert "(the process was ended)" in listed["error"]
    assert listed["tool_call_count"] == 1
    assert "host memory limit" in _root_span(tmp_path)["status"]["description"]


def test_quiet_interactive_entries_wait_for_the_next_write(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry with a call or an error is written when it ends; quiet ones join the
    next write (at most QUIET_SECONDS later, or the session's end)."""
    import asyncio

    writes: list[int] = []
    original = LogStore.write

    def counting(self: LogStore, *args: Any, **kwargs: Any) -> Any:
        writes.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LogStore, "write", counting)
    monkeypatch.setattr(runlog, "QUIET_SECONDS", 600.0)  # a loaded machine is slow

    async def session() -> None:
        s = rt.interactive(engine="lua")
        await s.run("x = 1")  # the first entry: the session's row appears at once
        for i in range(20):
            await s.run(f"x = {i}")
        await s.run("quokka = 5")
        assert len(writes) == 1
        await s.run('Tool.execute("calculator", {input = "1+1"})')
        assert len(writes) == 2
        with contextlib.suppress(LLMSpellError):
            await s.run('error("quiet no more")')
        assert len(writes) == 3
        s.close()

    asyncio.run(session())
    assert len(writes) == 4
    [listed] = LogStore(llmspell_home() / "logs.db").list_runs()
    assert listed["status"] == "ok" and listed["tool_call_count"] == 1
    # what a quiet entry typed was indexed with a later write
    found = LogStore(llmspell_home() / "logs.db").search("quokka")
    assert [r["id"] for r in found] == [listed["id"]]
