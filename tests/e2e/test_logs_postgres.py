"""``llmspell logs`` with ``[storage] url`` on PostgreSQL: runs of the real command go to
the server's ``llmspell_log_`` tables (no ``logs.db`` file), and list, show, search, the
filters, status and prune read them back; a server that is down fails ``llmspell logs``
with a clear error and never fails a spell."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import CLI
from tests.e2e.scripted_openai import Reply, ScriptedOpenAI

KEY = {"SCRIPTED_KEY": "k"}


def _logs(cli: CLI, env: dict[str, str], *args: str) -> str:
    proc = cli("logs", *args, env=env)
    assert proc.returncode == 0, cli.explain(proc)
    return proc.stdout


def test_runs_are_logged_in_postgresql(cli: CLI, postgres_url: str) -> None:
    env = {"LLMSPELL_DATABASE_URL": postgres_url, **KEY}
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
        cli.write("bad.lua", 'error("kaboom")')
        proc = cli("run", "ask.lua", env=env)
        assert proc.returncode == 0 and proc.stderr == "", cli.explain(proc)
        assert cli("run", "bad.lua", env=env).returncode == 1
    assert not list(cli.home.glob("logs.db*"))  # nothing went to the SQLite file

    runs = json.loads(_logs(cli, env, "list", "-o", "json"))
    assert [r["spell"] for r in runs] == ["bad.lua", "ask.lua"]
    ask = runs[1]
    assert ask["models"] == ["scripted/gpt-x"] and ask["tool_call_count"] == 1
    assert runs[0]["error_kind"] == "ScriptError"
    by_model = json.loads(_logs(cli, env, "list", "--model", "GPT-X", "-o", "json"))
    assert [r["id"] for r in by_model] == [ask["id"]]
    assert [r["spell"] for r in json.loads(_logs(cli, env, "list", "--spell", "ask", "-o",
                                                 "json"))] == ["ask.lua"]  # fmt: skip
    assert json.loads(_logs(cli, env, "list", "--since", "2999-01-01", "-o", "json")) == []
    assert len(json.loads(_logs(cli, env, "list", "--since", "1h", "-o", "json"))) == 2

    shown = _logs(cli, env, "show", ask["id"][:10])
    assert "agent asker (scripted/gpt-x" in shown and "the platypus says 42" in shown
    assert '"input": "6*7"' in shown
    found = json.loads(_logs(cli, env, "search", "platypus", "-o", "json"))
    assert [r["id"] for r in found] == [ask["id"]]
    assert "[platypus]" in _logs(cli, env, "search", "platypus")
    assert "no logged run matches" in _logs(cli, env, "search", "OR AND NOT *")

    status = json.loads(_logs(cli, env, "status", "-o", "json"))
    assert status["database"] == "postgresql" and status["runs"] == 2
    assert status["path"].startswith("postgresql://") and "@" not in status["path"]
    assert "database: postgresql://" in _logs(cli, env, "status")
    assert json.loads(_logs(cli, env, "prune", "--keep-days", "1", "-o", "json")) == {
        "deleted": 0, "keep_days": 1
    }  # fmt: skip

    _logs(cli, env, "off")
    assert cli("run", "bad.lua", env=env).returncode == 1
    _logs(cli, env, "on")
    assert len(json.loads(_logs(cli, env, "list", "-o", "json"))) == 2


def test_a_server_that_is_down(cli: CLI, tmp_path: Path) -> None:
    env = {
        "LLMSPELL_DATABASE_URL": "postgresql://bob:hunter2@127.0.0.1:1/logs",
        "LLMSPELL_STATE_BACKEND": "memory",
    }
    cli.write("plain.lua", "print(6 * 7)")
    run = cli("run", "plain.lua", env=env)
    assert run.returncode == 0 and run.stdout.strip() == "42", cli.explain(run)
    [warning] = run.stderr.splitlines()
    assert warning.startswith("llmspell: warning: the run log was not written: StateError")
    assert "127.0.0.1:1/logs" in warning and "hunter2" not in warning

    for args in (("list",), ("show", "run-x"), ("search", "x"), ("status",), ("prune",)):
        proc = cli("logs", *args, env=env)
        assert proc.returncode == 2, cli.explain(proc)
        assert "cannot read the run log: StateError: PostgreSQL at 127.0.0.1:1/logs is not " \
               "reachable" in proc.stderr  # fmt: skip
        assert "hunter2" not in proc.stderr and "Traceback" not in proc.stderr
