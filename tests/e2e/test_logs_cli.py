"""``llmspell logs``: runs of the real command against a scripted OpenAI server are
logged, listed, shown, searched and filtered; ``logs off``/``on``; content logging off
keeps prompt text out of the database file."""

from __future__ import annotations

import json

from tests.e2e.conftest import CLI
from tests.e2e.scripted_openai import Reply, ScriptedOpenAI

KEY = {"SCRIPTED_KEY": "k"}


def _logs(cli: CLI, *args: str) -> str:
    proc = cli("logs", *args)
    assert proc.returncode == 0, cli.explain(proc)
    return proc.stdout


def test_runs_are_logged_listed_shown_and_searched(cli: CLI) -> None:
    with ScriptedOpenAI() as server:
        server.replies = [
            Reply(tool_calls=[("calculator", {"input": "6*7"})]),
            Reply(text="the platypus says 42"),
        ]
        cli.write("llmspell.toml", server.toml())
        cli.write(
            "ask.lua",
            'local a = Agent.create{name = "asker", model = "scripted/gpt-x", '
            'tools = {"calculator"}}\nprint(a:execute("what does the platypus say").text)',
        )
        cli.write("plain.lua", "print(1)")
        cli.write("bad.lua", 'error("kaboom")')
        assert cli("run", "ask.lua", env=KEY).returncode == 0
        assert cli("run", "plain.lua").returncode == 0
        assert cli("run", "bad.lua").returncode == 1

    runs = json.loads(_logs(cli, "list", "-o", "json"))
    assert [r["spell"] for r in runs] == ["bad.lua", "plain.lua", "ask.lua"]
    ask = runs[2]
    assert ask["agent_call_count"] == 1 and ask["tool_call_count"] == 1
    assert ask["models"] == ["scripted/gpt-x"] and ask["status"] == "ok"
    assert runs[0]["status"] == "error" and runs[0]["error_kind"] == "ScriptError"

    text = _logs(cli, "list")
    assert text.splitlines()[2].startswith(ask["id"]) and "ask.lua" in text

    assert [r["spell"] for r in json.loads(_logs(cli, "list", "--spell", "ask", "-o", "json"))] == [
        "ask.lua"
    ]
    by_model = json.loads(_logs(cli, "list", "--model", "gpt-x", "-o", "json"))
    assert [r["id"] for r in by_model] == [ask["id"]]
    assert len(json.loads(_logs(cli, "list", "--since", "1h", "-o", "json"))) == 3
    assert json.loads(_logs(cli, "list", "--since", "2999-01-01", "-o", "json")) == []
    assert len(json.loads(_logs(cli, "list", "-n", "1", "-o", "json"))) == 1
    bad_since = cli("logs", "list", "--since", "yesterday-ish")
    assert bad_since.returncode == 2 and "--since" in bad_since.stderr

    shown = _logs(cli, "show", ask["id"][:10])
    assert "agent asker (scripted/gpt-x" in shown
    assert "what does the platypus say" in shown and "the platypus says 42" in shown
    assert "calculator (model call call_0): ok" in shown and '"input": "6*7"' in shown
    detail = json.loads(_logs(cli, "show", ask["id"], "-o", "json"))
    assert detail["agent_calls"][0]["prompt"] == "what does the platypus say"
    assert detail["tool_calls"][0]["params"] == {"input": "6*7"}
    bad = _logs(cli, "show", runs[0]["id"])
    assert "ScriptError" in bad and "kaboom" in bad
    missing = cli("logs", "show", "run-doesnotexist")
    assert missing.returncode == 1 and "no run" in missing.stderr

    found = json.loads(_logs(cli, "search", "platypus", "-o", "json"))
    assert [r["id"] for r in found] == [ask["id"]]
    assert {m["source"] for m in found[0]["matches"]} == {"agent call"}
    assert "[platypus]" in _logs(cli, "search", "platypus")
    assert json.loads(_logs(cli, "search", "kaboom", "-o", "json"))[0]["id"] == runs[0]["id"]
    assert "no logged run matches" in _logs(cli, "search", "OR AND NOT *")


def test_logs_off_and_on(cli: CLI) -> None:
    cli.write("s.lua", "print(1)")
    assert "off" in _logs(cli, "off")
    assert json.loads(_logs(cli, "status", "-o", "json"))["logging"] is False
    assert cli("run", "s.lua").returncode == 0
    assert json.loads(_logs(cli, "list", "-o", "json")) == []
    assert "no runs logged" in _logs(cli, "list")
    _logs(cli, "on")
    assert cli("run", "s.lua").returncode == 0
    assert len(json.loads(_logs(cli, "list", "-o", "json"))) == 1
    status = _logs(cli, "status")
    assert "run log: on" in status and "runs: 1" in status


def test_content_logging_off_keeps_prompts_out_of_the_file(cli: CLI) -> None:
    with ScriptedOpenAI() as server:
        server.replies = [Reply(text="the wombat answer")]
        cli.write("llmspell.toml", server.toml() + "[logs]\ncontent = false\n")
        cli.write("w.lua", 'Agent.create{model = "scripted/gpt-x"}:execute("secret wombat plan")')
        proc = cli("run", "w.lua", env=KEY)
        assert proc.returncode == 0, cli.explain(proc)
    data = b"".join(p.read_bytes() for p in cli.home.glob("logs.db*"))
    assert b"wombat" not in data
    [run] = json.loads(_logs(cli, "list", "-o", "json"))
    assert run["agent_call_count"] == 1 and run["content"] == 0
    assert "content logging was off" in _logs(cli, "show", run["id"])
