"""The run log's two stores behind one interface: every behaviour checked on SQLite and
on a real PostgreSQL (the root conftest's server): writing, listing, showing, full-text
search, filters, retention, calls outside a run, content logging off leaving no prompt
text anywhere (every text column and the tsvector), secrets, two processes writing at
once, a server that is down, and the schema's version."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from llmspell.errors import StateError
from llmspell.llm import ChatResponse, Usage
from llmspell.observability.store import LogStore, open_log_store
from llmspell.observability.store_postgres import PREFIX, TABLES

from .conftest import ScriptedProvider, make_runtime, run, tool_call

NOW = datetime.now(UTC)


def _iso(delta: timedelta = timedelta()) -> str:
    return (NOW - delta).isoformat(timespec="milliseconds")


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "logs.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(location: str) -> Iterator[LogStore]:
    log = LogStore(location)
    yield log
    log.close()


def _everything(location: str) -> str:
    """Every stored character: the SQLite files' bytes, or on PostgreSQL every row of
    every run-log table as text (the tsvector column included) plus the tsvectors."""
    if not location.startswith("postgresql"):
        path = Path(location)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*")).decode(
            "utf-8", "replace"
        )
    import psycopg

    parts: list[str] = []
    with psycopg.connect(location) as conn:
        for table in TABLES:
            parts += [r[0] for r in conn.execute(f"SELECT t::text FROM {PREFIX}{table} t")]
        parts += [r[0] for r in conn.execute(f"SELECT tsv::text FROM {PREFIX}search")]
    return "\n".join(parts)


def _write_two_runs(store: LogStore) -> None:
    store.write(
        {"id": "run-aaa1", "spell": "Math.lua", "script": "/s/Math.lua", "engine": "lua",
         "started": _iso(timedelta(hours=3)), "duration_ms": 12.5, "status": "ok",
         "input_tokens": 10, "output_tokens": 4, "cost_usd": 0.25, "agent_call_count": 1,
         "tool_call_count": 1, "content": 1},
        agent_calls=[{"run_id": "run-aaa1", "call_id": 1, "agent": "calc", "provider": "p",
                      "model": "p/Small-1", "response_model": "small-2024",
                      "started": _iso(timedelta(hours=3)), "duration_ms": 9.0,
                      "status": "ok", "input_tokens": 10, "output_tokens": 4,
                      "prompt": "what does the platypus say", "response": "forty-two"}],
        tool_calls=[{"run_id": "run-aaa1", "agent_call_id": 1, "tool": "calculator",
                     "tool_call_id": "c1", "started": _iso(timedelta(hours=3)),
                     "status": "ok", "params": {"input": "6*7"}}],
        search=[("run-aaa1", "spell", "Math.lua"),
                ("run-aaa1", "agent call", "what does the platypus say forty-two"),
                ("run-aaa1", "tool call", '{"input": "6*7"}')],
    )  # fmt: skip
    store.write(
        {"id": "run-aab2", "spell": "bad_1.lua", "started": _iso(), "status": "error",
         "error_kind": "ScriptError", "error": "kaboom here", "agent_call_count": 0,
         "tool_call_count": 0, "content": 1},
        errors=[{"run_id": "run-aab2", "at": _iso(), "source": "run", "kind": "ScriptError",
                 "message": "kaboom here"}],
        search=[("run-aab2", "error", "ScriptError: kaboom here")],
    )  # fmt: skip


def test_write_list_show_search_and_filters(store: LogStore) -> None:
    assert store.list_runs() == [] and store.get_run("run") is None
    assert store.search("anything") == []
    _write_two_runs(store)
    runs = store.list_runs()
    assert [r["id"] for r in runs] == ["run-aab2", "run-aaa1"]
    math = runs[1]
    assert math["models"] == ["p/Small-1"] and math["duration_ms"] == 12.5
    assert math["input_tokens"] == 10 and math["cost_usd"] == 0.25 and math["content"] == 1
    assert set(math) == {
        "id", "spell", "script", "engine", "started", "duration_ms", "status", "error_kind",
        "error", "input_tokens", "output_tokens", "cost_usd", "agent_call_count",
        "tool_call_count", "content", "models",
    }  # fmt: skip
    # filters: --since, --spell (name or path, any case, wildcards literal), --model
    assert [r["id"] for r in store.list_runs(since=_iso(timedelta(hours=1)))] == ["run-aab2"]
    assert [r["id"] for r in store.list_runs(spell="math")] == ["run-aaa1"]
    assert [r["id"] for r in store.list_runs(spell="/s/")] == ["run-aaa1"]
    assert [r["id"] for r in store.list_runs(spell="D_1")] == ["run-aab2"]
    assert store.list_runs(spell="%") == [] and store.list_runs(spell="h_l") == []
    assert [r["id"] for r in store.list_runs(model="small-1")] == ["run-aaa1"]
    assert [r["id"] for r in store.list_runs(model="2024")] == ["run-aaa1"]  # response model
    assert store.list_runs(model="other") == []
    assert len(store.list_runs(limit=1)) == 1
    # show: by id or a unique prefix
    shown = store.get_run("run-aaa")
    assert shown is not None and shown["id"] == "run-aaa1"
    [agent] = shown["agent_calls"]
    assert agent["prompt"] == "what does the platypus say" and agent["call_id"] == 1
    assert isinstance(agent["id"], int) and agent["duration_ms"] == 9.0
    [tool] = shown["tool_calls"]
    assert tool["params"] == {"input": "6*7"} and tool["agent_call_id"] == 1
    assert shown["errors"] == []
    bad = store.get_run("run-aab2")
    assert bad is not None and bad["errors"][0]["message"] == "kaboom here"
    with pytest.raises(ValueError, match="run-aaa1"):
        store.get_run("run-aa")
    assert store.get_run("run-a%") is None and store.get_run("nope") is None
    # search: every word, a quoted phrase, any case; the same shape on both databases
    [found] = store.search("Platypus FORTY-TWO")
    assert found["id"] == "run-aaa1" and found["models"] == ["p/Small-1"]
    assert found["matches"][0]["source"] == "agent call"
    assert "[platypus]" in found["matches"][0]["snippet"]
    assert [r["id"] for r in store.search('"platypus say"')] == ["run-aaa1"]
    assert [r["id"] for r in store.search('"say forty"')] == ["run-aaa1"]  # forty-two
    assert [r["id"] for r in store.search("two")] == ["run-aaa1"]
    assert store.search("platypus *") == []  # a term without a word matches nothing
    assert store.search('"say platypus"') == []
    assert store.search("platypus kaboom") == []
    assert [r["id"] for r in store.search("kaboom")] == ["run-aab2"]
    assert store.search("OR AND NOT *") == []
    assert store.search("kaboom", spell="math") == []
    assert store.search("platypus", model="small") != []
    assert store.search("platypus", since=_iso(timedelta(hours=1))) == []
    with pytest.raises(ValueError, match="empty"):
        store.search("   ")
    stats = store.stats()
    assert (stats["runs"], stats["agent_calls"], stats["tool_calls"]) == (2, 1, 1)
    assert stats["bytes"] > 0 and stats["newest"] == runs[0]["started"]


def test_retention_deletes_old_runs_everywhere(store: LogStore, location: str) -> None:
    store.write(
        {"id": "run-old", "spell": "old.lua", "started": _iso(timedelta(days=40))},
        agent_calls=[{"run_id": "run-old", "agent": "a", "prompt": "ancient words"}],
        tool_calls=[{"run_id": "run-old", "tool": "t", "params": {"x": "ancient"}}],
        errors=[{"run_id": "run-old", "kind": "E", "message": "ancient error"}],
        search=[("run-old", "agent call", "ancient words")],
    )
    store.write({"id": "run-new", "spell": "new.lua", "started": _iso()}, keep_days=30)
    assert [r["id"] for r in store.list_runs()] == ["run-new"]
    assert store.search("ancient") == []
    assert "ancient" not in _everything(location)
    # a second write within the hour does not prune again (it is cheap to skip)
    store.write({"id": "run-old2", "spell": "o.lua", "started": _iso(timedelta(days=40))},
                keep_days=30)  # fmt: skip
    assert len(store.list_runs()) == 2
    assert store.prune(30) == 1 and store.prune(30) == 0
    assert store.prune(0) == 0


def test_calls_outside_a_run_add_up(store: LogStore) -> None:
    row = {"id": "outside", "spell": "(outside a run)", "started": _iso(), "content": 1}
    store.write(None, tool_calls=[{"run_id": "outside", "tool": "t"}], outside=(row, 0, 1))
    store.write(None, tool_calls=[{"run_id": "outside", "tool": "t"}] * 2, outside=(row, 1, 2))
    [listed] = store.list_runs()
    assert listed["tool_call_count"] == 3 and listed["agent_call_count"] == 1


def test_text_with_nul_and_odd_characters_is_kept(store: LogStore) -> None:
    text = "nul\x00byte ünïcödé ?%s %(x)s '; DROP TABLE x; --"
    store.write(
        {"id": "run-odd", "spell": "odd.lua", "started": _iso()},
        agent_calls=[{"run_id": "run-odd", "agent": "a", "prompt": text}],
        search=[("run-odd", "agent call", text)],
    )
    shown = store.get_run("run-odd")
    assert shown is not None
    assert shown["agent_calls"][0]["prompt"].replace("\ufffd", "\x00") == text
    assert [r["id"] for r in store.search("ünïcödé")] == ["run-odd"]


def _runtime(location: str, content: bool = True) -> Any:
    """A runtime logging to ``location``: PostgreSQL through ``[storage] url``, SQLite
    through ``[logs] path``."""
    key = ("storage", "url") if location.startswith("postgresql") else ("logs", "path")
    return make_runtime(overrides={key: location, ("logs", "content"): content})


def test_a_real_run_is_recorded_and_secrets_are_not(
    location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "s3cr3t-value-0123456789"
    monkeypatch.setenv("MY_SERVICE_TOKEN", secret)
    runtime = _runtime(location)
    assert open_log_store(runtime.settings).kind == (
        "postgresql" if location.startswith("postgresql") else "sqlite"
    )
    try:
        ScriptedProvider.script = [
            tool_call("calculator", "c1", input="6*7", api_key="sk-live-abcdefghijklmnop1234"),
            ChatResponse(f"forty-two, token {secret}", usage=Usage(10, 4), model="m-2024"),
        ]
        run(runtime, 'Agent.create{name="calc", model="fake/m", tools={"calculator"}}'
                     ':execute("what is six times seven, key sk-proj-ABCDEFGHIJKLMNOPQRSTUV")',
            name="math.lua")  # fmt: skip
    finally:
        runtime.close()
    store = LogStore(location)
    [listed] = store.list_runs()
    assert listed["spell"] == "math.lua" and listed["tool_call_count"] == 1
    shown = store.get_run(listed["id"])
    assert shown is not None and shown["agent_calls"][0]["prompt"].startswith("what is six")
    assert shown["tool_calls"][0]["params"]["api_key"] == "[REDACTED]"
    assert [r["id"] for r in store.search("six seven")] == [listed["id"]]
    everything = _everything(location)
    assert "six times seven" in everything  # the check below would see a leak
    for leaked in (secret, "sk-live-abcdefghijklmnop1234", "sk-proj-ABCDEFGHIJKLMNOPQRSTUV"):
        assert leaked not in everything, leaked


def test_content_logging_off_leaves_no_prompt_text_anywhere(location: str) -> None:
    runtime = _runtime(location, content=False)
    try:
        ScriptedProvider.script = [tool_call("calculator", "c1", input="7*191"), None]
        run(runtime, 'Agent.create{model="fake/m", tools={"calculator"}}:execute("zebra quokka")')
    finally:
        runtime.close()
    store = LogStore(location)
    [listed] = store.list_runs()
    shown = store.get_run(listed["id"])
    assert shown is not None and shown["content"] == 0
    assert shown["agent_calls"][0]["prompt"] is None
    assert shown["agent_calls"][0]["response"] is None
    assert shown["tool_calls"][0]["params"] is None
    assert shown["agent_calls"][0]["input_tokens"] == 8  # numbers are still kept
    everything = _everything(location)
    assert "fake/m" in everything  # the dump does hold the log
    for word in ("zebra", "quokka", "7*191", "191"):
        assert word not in everything, word
    assert store.search("zebra") == []


_WRITER = """
import sys
from datetime import UTC, datetime
from llmspell.observability.store import LogStore

store = LogStore(sys.argv[1])
tag, count = sys.argv[2], int(sys.argv[3])
outside = {"id": "outside", "spell": "(outside a run)", "content": 1}
for i in range(count):
    rid = f"run-{tag}-{i:04d}"
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    store.write(
        {"id": rid, "spell": f"{tag}.lua", "started": now, "status": "ok"},
        agent_calls=[{"run_id": rid, "agent": "a", "model": "m", "prompt": f"word{tag}"}],
        search=[(rid, "agent call", f"shared word{tag}")],
        keep_days=30,
    )
    store.write(None, tool_calls=[{"run_id": "outside", "tool": "t"}],
                outside=({**outside, "started": now}, 0, 1))
print("done", flush=True)
"""


def test_two_processes_writing_at_once_lose_nothing(location: str, tmp_path: Path) -> None:
    count = 60
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(_WRITER), encoding="utf-8")
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), location, tag, str(count)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b")
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0 and "done" in out, err
    store = LogStore(location)
    stats = store.stats()
    assert stats["runs"] == 2 * count + 1 and stats["agent_calls"] == 2 * count
    assert stats["tool_calls"] == 2 * count
    outside = store.get_run("outside")
    assert outside is not None and outside["tool_call_count"] == 2 * count
    assert len(store.search("shared", limit=1000)) == 2 * count
    assert len(store.list_runs(spell="a.lua", limit=1000)) == count


def test_a_server_that_is_down_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = LogStore("postgresql://bob:hunter2@127.0.0.1:1/logs?connect_timeout=2")
    assert store.where == "postgresql://127.0.0.1:1/logs" and store.kind == "postgresql"
    for read in (store.list_runs, store.stats, lambda: store.get_run("x")):
        with pytest.raises(StateError, match=r"127\.0\.0\.1:1/logs is not reachable") as err:
            read()
        assert "hunter2" not in str(err.value)
    for _ in range(2):
        with pytest.raises(StateError):
            store.write({"id": "run-x", "started": _iso()})
    [line] = capsys.readouterr().err.splitlines()  # one warning, not one per write
    assert line.startswith("llmspell: warning: the run log was not written: StateError")
    assert "127.0.0.1:1/logs" in line and "hunter2" not in line


def test_schema_is_made_on_first_write_and_its_version_kept(postgres_url: str) -> None:
    import psycopg

    store = LogStore(postgres_url)
    assert store.list_runs() == [] and store.stats()["runs"] == 0  # reading makes nothing
    with psycopg.connect(postgres_url) as conn:
        [(made,)] = conn.execute(f"SELECT to_regclass('{PREFIX}runs') IS NOT NULL")
        assert made is False
    store.write({"id": "run-1", "started": _iso()})
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        [(version,)] = conn.execute(f"SELECT value FROM {PREFIX}meta WHERE key = 'schema_version'")
        assert version == "1"
        [(index,)] = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", (f"{PREFIX}search_tsv",)
        )
        assert "gin (tsv)" in index
        conn.execute(f"UPDATE {PREFIX}meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StateError, match="layout version 99") as err:
        LogStore(postgres_url).list_runs()
    assert err.value.hint is not None and "upgrade llmspell" in err.value.hint


def test_sqlite_never_imports_psycopg(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom llmspell.observability.store import LogStore\n"
        f"s = LogStore({str(tmp_path / 'l.db')!r})\n"
        "s.write({'id': 'r', 'started': '2026-01-01'})\nassert s.list_runs()\n"
        "print('psycopg' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_where_the_log_lives(tmp_path: Path) -> None:
    from llmspell.config import llmspell_home, load_settings
    from llmspell.observability.store import log_location

    def where(env: dict[str, str], **logs: Any) -> str | Path:
        overrides = {("logs", k): v for k, v in logs.items()}
        return log_location(load_settings(environ=env, use_files=False, overrides=overrides))

    pg = "postgresql://u:pw@db.example/app"
    assert where({}) == llmspell_home() / "logs.db"
    assert where({"LLMSPELL_DATABASE_URL": pg}) == pg
    assert where({"LLMSPELL_DATABASE_URL": "sqlite:///x/state.db"}) == llmspell_home() / "logs.db"
    assert where({"LLMSPELL_DATABASE_URL": pg}, path=str(tmp_path / "l.db")) == tmp_path / "l.db"
    assert LogStore(pg).where == "postgresql://db.example/app"  # nothing is opened yet


_FIRST_WRITE = """
import os, sys, time
from llmspell.observability.store import LogStore
path, tag, go = sys.argv[1:4]
while not os.path.exists(go):
    time.sleep(0.001)
LogStore(path).write({"id": "run-" + tag, "spell": tag + ".lua", "started": "2026-12-05T00:00:00Z"})
print("done", flush=True)
"""


def test_processes_writing_the_first_run_of_a_new_file_at_once_lose_nothing(
    tmp_path: Path,
) -> None:
    script = tmp_path / "first.py"
    script.write_text(_FIRST_WRITE, encoding="utf-8")
    for attempt in range(2):
        path, go = tmp_path / f"logs{attempt}.db", tmp_path / f"go{attempt}"
        procs = [
            subprocess.Popen(
                [sys.executable, str(script), str(path), str(n), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(6)
        ]
        time.sleep(1.0)  # every process imported, waiting for the go
        go.touch()
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0 and "done" in out and not err, err
        assert LogStore(str(path)).stats()["runs"] == 6
