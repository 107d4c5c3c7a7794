"""Interactive sessions and watchdog-ended runs in the run log and traces, through the
real command: ``llmspell repl`` with piped entries (one logged run per session, written
at each entry's end; one trace per entry with ``--trace``), a REPL killed mid-session
(what ended before stays), and runs the watchdog ends with the process (a wall-time
limit a busy JavaScript loop does not obey in time, a second Ctrl-C): their row says
why and has the calls that had ended, and the ``--trace`` file has the run span with the
error. llmspell-core/tests/observability/test_watchdog_exit.py ends a process through
the watchdog's exit path every time (a run that blocks its event loop), also with a
stuck run-log database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import CLI, COMMAND
from tests.e2e.scripted_openai import Reply, ScriptedOpenAI

KEY = {"SCRIPTED_KEY": "k"}


def _json(cli: CLI, *args: str) -> Any:
    proc = cli("logs", *args, "--output", "json")
    assert proc.returncode == 0, cli.explain(proc)
    return json.loads(proc.stdout)


def _spans(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_repl_session_is_one_logged_run_and_each_entry_a_trace(cli: CLI) -> None:
    with ScriptedOpenAI() as server:
        server.replies = [
            Reply(tool_calls=[("calculator", {"input": "6*7"})]),
            Reply(text="the wombat says 42"),
        ]
        cli.write("llmspell.toml", server.toml())
        proc = cli(
            "repl",
            "--trace",
            "t.jsonl",
            stdin='a = Agent.create{name = "asker", model = "scripted/gpt-x", '
            'tools = {"calculator"}}\n'
            'a:execute("what does the wombat say").text\n'
            'error("kaboom in the repl")\n'
            'Tool.execute("calculator", {input = "1+1"}).text\n',
            env=KEY,
        )
    assert proc.returncode == 1, cli.explain(proc)  # one entry failed
    assert "the wombat says 42" in proc.stdout

    [run] = _json(cli, "list")
    assert run["spell"] == "<repl>" and run["engine"] == "lua"
    assert run["status"] == "ok"  # the session ended normally; its entries' errors are rows
    assert run["agent_call_count"] == 1 and run["tool_call_count"] == 2
    assert run["input_tokens"] == 20 and run["output_tokens"] == 10
    detail = _json(cli, "show", run["id"])
    assert detail["agent_calls"][0]["prompt"] == "what does the wombat say"
    assert detail["agent_calls"][0]["response"] == "the wombat says 42"
    assert [t["tool"] for t in detail["tool_calls"]] == ["calculator", "calculator"]
    [error] = detail["errors"]
    assert error["source"] == "entry 3 (stdin)" and error["kind"] == "ScriptError"
    assert "kaboom in the repl" in error["message"]
    text = cli("logs", "show", run["id"]).stdout
    assert "<repl>" in text and "entry 3 (stdin): ScriptError" in text
    # what was typed is searchable (content logging is on by default)
    [found] = _json(cli, "search", "wombat")
    assert found["id"] == run["id"]

    spans = _spans(cli.cwd / "t.jsonl")
    entries = [s for s in spans if s["name"] == "repl entry"]
    assert len(entries) == 4
    assert all(s["parent_id"] is None for s in entries)  # each entry is a trace's root
    assert len({s["trace_id"] for s in entries}) == 4
    assert [s["attributes"]["llmspell.entry.index"] for s in entries] == [1, 2, 3, 4]
    assert {s["attributes"]["llmspell.run.id"] for s in entries} == {run["id"]}
    assert {s["attributes"]["llmspell.spell"] for s in entries} == {"<repl>"}
    assert "llmspell.entry.source" not in entries[0]["attributes"]  # content is opt-in
    asked = entries[1]
    [chat] = [s for s in spans if s["name"] == "chat gpt-x"]
    assert chat["parent_id"] == asked["span_id"] and chat["trace_id"] == asked["trace_id"]
    assert asked["attributes"]["llmspell.usage.input_tokens"] == 20
    failed = entries[2]
    assert failed["status"]["code"] == "ERROR"
    assert failed["attributes"]["error.type"] == "ScriptError"
    assert failed["events"][0]["attributes"]["llmspell.error.kind"] == "ScriptError"
    tools = [s for s in spans if s["name"] == "execute_tool calculator"]
    assert {t["trace_id"] for t in tools} == {entries[1]["trace_id"], entries[3]["trace_id"]}


def test_a_new_session_per_engine_switch_and_nothing_for_an_idle_repl(cli: CLI) -> None:
    assert cli("repl", stdin=".help\n").returncode == 0
    assert _json(cli, "list") == []  # no entry ran: nothing to record
    proc = cli("repl", stdin="1 + 1\n.engine js\n2 + 2\n")
    assert proc.returncode == 0, cli.explain(proc)
    runs = _json(cli, "list")
    assert [(r["spell"], r["engine"], r["status"]) for r in runs] == [
        ("<repl>", "js", "ok"),
        ("<repl>", "lua", "ok"),
    ]


def test_logs_off_and_trace_errors_hold_for_the_repl(cli: CLI) -> None:
    assert cli("logs", "off").returncode == 0
    assert cli("repl", stdin="1 + 1\n").stdout == "2\n"
    assert cli("logs", "on").returncode == 0
    assert _json(cli, "list") == []
    bad = cli("repl", "--trace", "no/such/dir/t.jsonl", stdin="1\n")
    assert bad.returncode == 2 and "--trace" in bad.stderr and "no/such/dir" in bad.stderr


def test_a_repl_killed_mid_session_keeps_the_entries_that_ended(cli: CLI) -> None:
    proc = subprocess.Popen(
        [*COMMAND, "repl"],
        cwd=cli.cwd,
        env=cli.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write('Tool.execute("calculator", {input = "6*7"}).text\n')
        proc.stdin.write('error("first failure")\n')
        proc.stdin.write('print("READY")\n')
        proc.stdin.flush()
        lines = [proc.stdout.readline() for _ in range(2)]
        assert lines == ["42\n", "READY\n"], lines
        # the third entry runs while the process is killed
        proc.stdin.write("local n = 0\nwhile true do n = n + 1 end\n")
        proc.stdin.flush()
        time.sleep(0.5)
        proc.kill()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    [run] = _json(cli, "list")
    assert run["spell"] == "<repl>"
    assert run["status"] == "running"  # never ended, but what ended before is there
    assert run["tool_call_count"] == 1
    detail = _json(cli, "show", run["id"])
    assert [t["tool"] for t in detail["tool_calls"]] == ["calculator"]
    assert [e["source"] for e in detail["errors"]] == ["entry 2 (stdin)"]


BUSY_JS = """
const r = await Tool.execute("calculator", {input: "6*7"});
print("READY " + r.text);
await Event.publish("ready", {});
for (;;) {}
"""


def test_a_busy_loop_over_its_time_limit_is_logged_and_traced_with_its_error(cli: CLI) -> None:
    cli.write("busy.js", BUSY_JS)
    started = time.monotonic()
    proc = cli("run", "busy.js", "--timeout", "1", "--trace", "t.jsonl", timeout=60)
    took = time.monotonic() - started
    assert proc.returncode == 1, cli.explain(proc)
    assert "LimitExceeded: wall-time limit of 1 s exceeded" in proc.stderr
    assert took < 30  # ended by the watchdog, not by the test's timeout

    [run] = _json(cli, "list")
    assert run["spell"] == "busy.js" and run["status"] == "error"
    assert run["error_kind"] == "LimitExceeded"
    # the JavaScript engine's interrupt check ends the loop, or (when the loop does not
    # reach it in time) the watchdog ends the process: logged either way
    assert "wall-time limit of 1 s exceeded" in run["error"]
    assert run["tool_call_count"] == 1  # what it did until then
    detail = _json(cli, "show", run["id"])
    assert detail["tool_calls"][0]["status"] == "ok"
    assert [e["kind"] for e in detail["errors"]] == ["LimitExceeded"]
    shown = cli("logs", "show", run["id"]).stdout
    assert "LimitExceeded" in shown and "wall-time limit" in shown

    spans = _spans(cli.cwd / "t.jsonl")
    [root] = [s for s in spans if s["name"] == "run busy.js"]
    assert root["status"]["code"] == "ERROR"
    assert root["attributes"]["error.type"] == "LimitExceeded"
    assert root["attributes"]["llmspell.run.id"] == run["id"]
    assert root["events"][0]["attributes"]["llmspell.error.kind"] == "LimitExceeded"
    [tool] = [s for s in spans if s["name"] == "execute_tool calculator"]
    assert tool["parent_id"] == root["span_id"]


def test_a_repl_entry_the_watchdog_ends_closes_the_session_row(cli: CLI) -> None:
    proc = cli(
        "repl",
        "--engine",
        "js",
        "--timeout",
        "1",
        "--trace",
        "t.jsonl",
        stdin='(await Tool.execute("calculator", {input: "2+3"})).text\nfor (;;) {}\n',
        timeout=60,
    )
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stdout == "5\n"
    assert "LimitExceeded" in proc.stderr
    [run] = _json(cli, "list")
    assert run["spell"] == "<repl>" and run["tool_call_count"] == 1
    detail = _json(cli, "show", run["id"])
    sources = sorted(e["source"] for e in detail["errors"])
    if run["status"] == "error":  # the watchdog ended the process: the session with it
        assert run["error_kind"] == "LimitExceeded"
        assert "the process was ended" in run["error"]
        assert sources == ["entry 2 (stdin)", "run <repl>"], sources
    else:  # the engine's interrupt check ended the entry; the session ended normally
        assert run["status"] == "ok" and sources == ["entry 2 (stdin)"], sources
    assert detail["errors"][0]["kind"] == "LimitExceeded"
    entries = [s for s in _spans(cli.cwd / "t.jsonl") if s["name"] == "repl entry"]
    assert [s["status"]["code"] for s in entries] == ["UNSET", "ERROR"]
    assert entries[1]["attributes"]["error.type"] == "LimitExceeded"


def test_a_second_ctrl_c_ends_the_process_after_logging_the_run(cli: CLI) -> None:
    cli.write("busy.js", BUSY_JS)
    proc = subprocess.Popen(
        [*COMMAND, "run", "busy.js", "--trace", "t.jsonl"],
        cwd=cli.cwd,
        env=cli.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "READY 42\n"
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGINT)
        time.sleep(0.2)
        pressed = time.monotonic()
        os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        after = time.monotonic() - pressed
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 130, err
    assert "Interrupted" in err
    assert after < 5  # the flush is bounded (1 s); generous for a loaded machine
    [run] = _json(cli, "list")
    assert run["status"] == "error" and run["error_kind"] == "Interrupted"
    assert run["tool_call_count"] == 1
    spans = _spans(cli.cwd / "t.jsonl")
    [root] = [s for s in spans if s["name"] == "run busy.js"]
    assert root["attributes"]["error.type"] == "Interrupted"


def test_the_kernel_logs_its_session_and_exports_entries_as_configured(
    cli: CLI, tmp_path: Path
) -> None:
    from jupyter_client.manager import start_new_kernel

    from tests.e2e.kernel_support import install_spec, jupyter_env
    from tests.e2e.test_trace import _attrs, _Receiver

    receiver = _Receiver()
    config = cli.write(
        "kernel.toml",
        f'[observability]\notlp_endpoint = "http://127.0.0.1:{receiver.port}"\n'
        f'[logs]\npath = "{tmp_path / "kernel-logs.db"}"\n',
    )
    data = install_spec(tmp_path / "jupyter", "lua", "llmspell-logs-lua", "--config", str(config))
    try:
        with jupyter_env(data):
            km, kc = start_new_kernel(
                kernel_name="llmspell-logs-lua",
                startup_timeout=60,
                env={**os.environ, "LLMSPELL_HOME": str(cli.home)},
            )
            try:
                for code in ("x = 1", 'Tool.execute("calculator", {input = "6*7"}).text',
                             'error("cell boom")'):  # fmt: skip
                    kc.execute_interactive(code, timeout=30)
                # the kernel still runs: its session is logged up to the last cell
                [run] = _json(cli, "list", "--config", str(config))
                assert run["spell"] == "<kernel>" and run["status"] == "running"
                assert run["tool_call_count"] == 1
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=False)
    finally:
        receiver.close()
    [run] = _json(cli, "list", "--config", str(config))
    assert run["status"] == "ok"  # shut down: the session ended
    detail = _json(cli, "show", run["id"], "--config", str(config))
    [error] = detail["errors"]
    assert error["source"] == "entry 3 (In[3])" and "cell boom" in error["message"]
    entries = [s for s in receiver.spans if s.name == "kernel entry"]
    assert [_attrs(s)["llmspell.entry.chunk"] for s in entries] == ["In[1]", "In[2]", "In[3]"]
    assert {_attrs(s)["llmspell.run.id"] for s in entries} == {run["id"]}
    assert entries[2].status.code == 2  # STATUS_CODE_ERROR
    [tool] = [s for s in receiver.spans if s.name == "execute_tool calculator"]
    assert tool.parent_span_id == entries[1].span_id
