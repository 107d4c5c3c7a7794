"""The run log: what a real run records in LLMSPELL_HOME/logs.db, full-text search,
retention, the off switch, content logging off, and secrets kept out."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from llmspell.config import llmspell_home
from llmspell.errors import ProviderError
from llmspell.llm import ChatResponse, Usage
from llmspell.observability import runlog as runlog_module
from llmspell.observability import set_logs_switch
from llmspell.observability.store import LogStore, fts_query
from llmspell.runtime import Runtime

from .conftest import ScriptedProvider, make_runtime, run, tool_call


def _db() -> Path:
    return llmspell_home() / "logs.db"


def _all_bytes() -> bytes:
    """Every byte of the database: the file, its WAL and shared-memory files."""
    return b"".join(p.read_bytes() for p in _db().parent.glob("logs.db*"))


def test_a_run_with_an_agent_and_a_tool_is_recorded(rt: Runtime) -> None:
    ScriptedProvider.script = [
        tool_call("calculator", "call-1", input="6*7"),
        ChatResponse("forty-two", usage=Usage(10, 4), model="priced", finish_reason="stop"),
    ]
    run(
        rt,
        'return Agent.create{name="calc", model="fake/m", tools={"calculator"}}'
        ':execute("what is six times seven").text',
        name="math.lua",
    )
    store = LogStore(_db())
    [listed] = store.list_runs()
    assert listed["spell"] == "math.lua" and listed["status"] == "ok"
    assert listed["agent_call_count"] == 1 and listed["tool_call_count"] == 1
    assert listed["input_tokens"] == 13 and listed["output_tokens"] == 5
    assert listed["models"] == ["fake/m"]
    run_ = store.get_run(listed["id"][:8] + listed["id"][8:12])
    assert run_ is not None
    [agent] = run_["agent_calls"]
    assert agent["agent"] == "calc" and agent["provider"] == "fake"
    assert agent["model"] == "fake/m" and agent["response_model"] == "priced"
    assert agent["prompt"] == "what is six times seven"
    assert agent["response"] == "forty-two"
    assert agent["cost_usd"] == 0.5 and agent["duration_ms"] > 0
    assert agent["finish_reason"] == "stop" and agent["status"] == "ok"
    [tool] = run_["tool_calls"]
    assert tool["tool"] == "calculator" and tool["tool_call_id"] == "call-1"
    assert tool["params"] == {"input": "6*7"} and tool["agent_call_id"] == agent["call_id"]
    assert tool["status"] == "ok"
    found = store.search("six seven")
    assert [r["id"] for r in found] == [listed["id"]]
    assert any(m["source"] == "agent call" for m in found[0]["matches"])
    assert store.search("forty-two")[0]["id"] == listed["id"]
    assert store.search("nothing-like-this") == []
    assert store.list_runs(model="priced")[0]["id"] == listed["id"]  # the response model
    assert store.list_runs(model="other") == []
    assert store.list_runs(spell="math")[0]["id"] == listed["id"]
    assert store.list_runs(spell="%") == []  # LIKE wildcards are literal


def test_failures_are_logged_as_errors(rt: Runtime) -> None:
    ScriptedProvider.script = [ProviderError("upstream exploded")]
    with pytest.raises(Exception, match="boom"):
        run(
            rt,
            'pcall(function() Agent.create{model="fake/m"}:execute("x") end)\n'
            'Tool.execute("calculator", {input = "1 +"})\n'
            'error("boom")',
            name="bad.lua",
        )
    store = LogStore(_db())
    [listed] = store.list_runs()
    assert listed["status"] == "error" and listed["error_kind"] == "ScriptError"
    run_ = store.get_run(listed["id"])
    assert run_ is not None
    kinds = sorted((e["source"].split(" ")[0], e["kind"]) for e in run_["errors"])
    assert kinds == [("agent", "ProviderError"), ("run", "ScriptError"), ("tool", "ToolError")]
    assert run_["agent_calls"][0]["status"] == "error"
    assert "upstream exploded" in run_["agent_calls"][0]["error"]
    assert run_["tool_calls"][0]["status"] == "error"
    assert store.search("exploded")[0]["id"] == listed["id"]


def test_content_logging_off_leaves_no_prompt_text_in_the_database() -> None:
    runtime = make_runtime(overrides={("logs", "content"): False})
    try:
        ScriptedProvider.script = [
            tool_call("calculator", "c1", input="7*191"),
            None,  # the default reply echoes the prompt back
        ]
        run(runtime, 'Agent.create{model="fake/m", tools={"calculator"}}:execute("zebra quokka")')
    finally:
        runtime.close()
    store = LogStore(_db())
    [listed] = store.list_runs()
    run_ = store.get_run(listed["id"])
    assert run_ is not None and run_["content"] == 0
    assert run_["agent_calls"][0]["prompt"] is None and run_["agent_calls"][0]["response"] is None
    assert run_["tool_calls"][0]["params"] is None
    assert run_["agent_calls"][0]["input_tokens"] == 8  # 3 + 5: numbers are still kept
    data = _all_bytes()
    assert b"zebra" not in data and b"quokka" not in data and b"7*191" not in data
    assert store.search("zebra") == []


def test_secrets_never_reach_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s3cr3t-value-0123456789"
    monkeypatch.setenv("MY_SERVICE_TOKEN", secret)
    runtime = make_runtime()
    try:
        ScriptedProvider.script = [
            tool_call("calculator", "c1", input="1+1", api_key="sk-live-abcdefghijklmnop1234"),
            ChatResponse(f"your token is {secret}, db postgresql://u:hunter22@db/x"),
        ]
        run(
            runtime,
            'Agent.create{model="fake/m", tools={"calculator"}}'
            ':execute("use key sk-proj-ABCDEFGHIJKLMNOPQRSTUV and Bearer abcdefghijklmnopqrs")',
        )
    finally:
        runtime.close()
    data = _all_bytes()
    for leaked in (secret, "sk-live-abcdefghijklmnop1234", "sk-proj-ABCDEFGHIJKLMNOPQRSTUV",
                   "hunter22", "abcdefghijklmnopqrs"):  # fmt: skip
        assert leaked.encode() not in data, leaked
    store = LogStore(_db())
    run_ = store.get_run(store.list_runs()[0]["id"])
    assert run_ is not None
    assert "[REDACTED]" in run_["agent_calls"][0]["prompt"]
    assert run_["tool_calls"][0]["params"]["api_key"] == "[REDACTED]"
    assert run_["tool_calls"][0]["params"]["input"] == "1+1"


def test_logs_off_records_nothing_and_on_records_again() -> None:
    set_logs_switch(False)
    runtime = make_runtime()
    try:
        run(runtime, "return 1")
    finally:
        runtime.close()
    assert not _db().exists()
    set_logs_switch(True)
    runtime = make_runtime()
    try:
        run(runtime, "return 1")
    finally:
        runtime.close()
    assert len(LogStore(_db()).list_runs()) == 1


def test_disabled_in_config_adds_no_listener() -> None:
    runtime = make_runtime(overrides={("logs", "enabled"): False})
    try:
        run(runtime, "return 1")
        assert runtime.events.stats()["listeners"] == 0
    finally:
        runtime.close()
    assert not _db().exists()


def test_retention_deletes_old_runs(tmp_path: Path) -> None:
    store = LogStore(tmp_path / "logs.db")
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="milliseconds")
    new = datetime.now(UTC).isoformat(timespec="milliseconds")
    store.write(
        {"id": "run-old", "spell": "old.lua", "started": old},
        agent_calls=[{"run_id": "run-old", "agent": "a", "prompt": "ancient words"}],
        search=[("run-old", "prompt", "ancient words")],
    )
    store.write({"id": "run-new", "spell": "new.lua", "started": new}, keep_days=30)
    assert [r["id"] for r in store.list_runs()] == ["run-new"]
    assert store.search("ancient") == []
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT count(*) FROM agent_calls").fetchone()[0] == 0
    # a second write within the hour does not prune again (it is cheap to skip)
    store.write({"id": "run-old2", "spell": "o.lua", "started": old}, keep_days=30)
    assert len(store.list_runs()) == 2
    assert store.prune(30) == 1
    assert store.prune(0) == 0


def test_long_content_is_cut_and_big_runs_are_written_in_parts(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runlog_module, "FLUSH_ROWS", 2)
    run(
        rt,
        'local a = Agent.create{model="fake/m"}\n'
        'for i = 1, 5 do a:execute(string.rep("x", 100000)) end',
    )
    store = LogStore(_db())
    [listed] = store.list_runs()
    assert listed["agent_call_count"] == 5
    run_ = store.get_run(listed["id"])
    assert run_ is not None and len(run_["agent_calls"]) == 5
    prompt = run_["agent_calls"][0]["prompt"]
    assert prompt.endswith("[…cut]") and len(prompt.encode()) < 64 * 1024 + 16


def test_the_database_is_private(rt: Runtime) -> None:
    run(rt, "return 1")
    assert _db().stat().st_mode & 0o077 == 0


def test_search_text_is_never_fts_syntax() -> None:
    assert fts_query('a OR b* "c d"') == '"a" AND "OR" AND "b*" AND "c d"'
    with pytest.raises(ValueError):
        fts_query("   ")


def test_calls_outside_a_run_are_written_in_batches(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    monkeypatch.setattr(runlog_module, "OUTSIDE_SECONDS", 600.0)
    from llmspell.observability import attach
    from llmspell.tools import execute_tool

    observer = attach(rt)
    assert observer is not None
    [runlog] = [s for s in observer.sinks if isinstance(s, runlog_module.RunLog)]
    ctx = rt.tool_context()
    tool = rt.tools.get("calculator")
    for _ in range(3):
        asyncio.run(execute_tool(tool, {"input": "1+1"}, ctx))
    assert not _db().exists()  # waiting: one write for many calls
    runlog.flush_outside()
    runlog.flush_outside()  # nothing left: no second row, no error
    [outside] = LogStore(_db()).list_runs()
    assert outside["id"] == runlog_module.OUTSIDE_RUN and outside["spell"] == "(outside a run)"
    assert outside["tool_call_count"] == 3
    asyncio.run(execute_tool(tool, {"input": "2+2"}, ctx))
    runlog.flush_outside()
    assert LogStore(_db()).list_runs()[0]["tool_call_count"] == 4
