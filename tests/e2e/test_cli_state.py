"""End-to-end tests of ``llmspell state list|get|delete|clear``: the values spells keep,
seen and removed from the command line with the store a run uses. A real subprocess per
case with a private ``LLMSPELL_HOME`` (see conftest.py). Exit codes: 0 ok, 1 no such key
(or a clear not confirmed), 2 usage or configuration error.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

SEED = """
State.set("greeting", {text = "héllo", n = 2})
State.set("count", 3)
State.save("agent:bob", "mood", "ok")
"""


def _json(proc: subprocess.CompletedProcess[str]) -> object:
    try:
        return json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"stdout is not JSON (exit {proc.returncode})\n{proc.stdout}\n{proc.stderr}")


@pytest.fixture
def seeded(cli):
    """A state store with values a spell saved."""
    proc = cli("exec", SEED)
    assert proc.returncode == 0, cli.explain(proc)
    return cli


def test_list_get_in_text_and_json(seeded):
    cli = seeded
    proc = cli("state", "list")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.splitlines() == ["count", "greeting"]
    proc = cli("state", "list", "--scope", "agent:bob", "-o", "json")
    assert _json(proc) == {"scope": "agent:bob", "keys": ["mood"]}
    proc = cli("state", "get", "greeting")
    assert proc.returncode == 0, cli.explain(proc)
    assert json.loads(proc.stdout) == {"text": "héllo", "n": 2}
    assert "héllo" in proc.stdout  # printed as JSON text, not \\u escapes
    proc = cli("state", "get", "mood", "-s", "agent:bob", "--output", "json")
    assert _json(proc) == {"scope": "agent:bob", "key": "mood", "value": "ok"}


def test_get_or_delete_a_missing_key_exits_1(seeded):
    cli = seeded
    proc = cli("state", "get", "nope")
    assert proc.returncode == 1, cli.explain(proc)
    assert proc.stdout == ""
    assert "llmspell: no key 'nope' in scope 'global' (llmspell state list shows the keys)" in (
        proc.stderr
    )
    proc = cli("state", "delete", "mood")  # it is in agent:bob, not global
    assert proc.returncode == 1, cli.explain(proc)
    assert "(llmspell state list --scope global" not in proc.stderr
    proc = cli("state", "get", "mood", "--scope", "agent:alice")
    assert proc.returncode == 1
    assert "llmspell state list --scope agent:alice shows the keys" in proc.stderr


def test_delete_then_a_spell_sees_it_gone(seeded):
    cli = seeded
    proc = cli("state", "delete", "count")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.strip() == "deleted 'count' from scope 'global'"
    proc = cli("exec", 'print(State.get("count") == nil, State.get("greeting").n)')
    assert proc.stdout.split() == ["true", "2"], cli.explain(proc)
    proc = cli("state", "delete", "greeting", "-o", "json")
    assert _json(proc) == {"scope": "global", "key": "greeting", "deleted": True}


def test_clear_refuses_without_yes_off_a_terminal(seeded):
    cli = seeded
    proc = cli("state", "clear")  # stdin is not a terminal (/dev/null)
    assert proc.returncode == 2, cli.explain(proc)
    assert "refusing to clear 2 key(s) of scope 'global' without --yes" in proc.stderr
    piped = cli("state", "clear", stdin="y\n")  # a pipe cannot confirm either
    assert piped.returncode == 2, cli.explain(piped)
    assert cli("state", "list").stdout.splitlines() == ["count", "greeting"]


def test_clear_with_yes_clears_only_that_scope(seeded):
    cli = seeded
    proc = cli("state", "clear", "--yes")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.strip() == "deleted 2 key(s) from scope 'global'"
    proc = cli("state", "list")
    assert proc.stdout == "" and "no keys in scope 'global'" in proc.stderr
    assert cli("state", "list", "-s", "agent:bob").stdout.splitlines() == ["mood"]
    proc = cli("state", "clear", "-y", "-s", "agent:bob", "-o", "json")
    assert _json(proc) == {"scope": "agent:bob", "deleted": 1}


def test_commands_use_the_configured_store(cli):
    cli.write("llmspell.toml", '[state]\npath = "data/my-state.db"\n')
    assert cli("exec", 'State.set("k", {1, 2})').returncode == 0
    assert (cli.cwd / "data" / "my-state.db").exists()
    assert not (cli.home / "state.db").exists()
    assert json.loads(cli("state", "get", "k").stdout) == [1, 2]
    # another file through --config: a different store
    cli.write("other.toml", '[state]\npath = "other.db"\n')
    proc = cli("state", "get", "k", "--config", "other.toml")
    assert proc.returncode == 1, cli.explain(proc)
    # and through the environment
    proc = cli("state", "get", "k", env={"LLMSPELL_STATE_PATH": str(cli.cwd / "data/my-state.db")})
    assert proc.returncode == 0 and json.loads(proc.stdout) == [1, 2], cli.explain(proc)


def test_reading_an_empty_home_creates_nothing(cli):
    proc = cli("state", "list", "-o", "json")
    assert proc.returncode == 0, cli.explain(proc)
    assert _json(proc) == {"scope": "global", "keys": []}
    assert cli("state", "get", "x").returncode == 1
    assert not (cli.home / "state.db").exists()


def test_memory_backend_and_bad_config_are_usage_errors(cli):
    proc = cli("state", "list", env={"LLMSPELL_STATE_BACKEND": "memory"})
    assert proc.returncode == 2, cli.explain(proc)
    assert '[state] backend is "memory": nothing outlives a run' in proc.stderr
    proc = cli("state", "list", "--config", "missing.toml")
    assert proc.returncode == 2 and "missing.toml" in proc.stderr
    proc = cli("state", "get", "k", "--scope", "")
    assert proc.returncode == 2 and "--scope must not be empty" in proc.stderr


def test_state_without_subcommand_shows_help(cli):
    proc = cli("state")
    assert proc.returncode in (0, 2), cli.explain(proc)
    for command in ("list", "get", "delete", "clear"):
        assert command in proc.stdout + proc.stderr


def _on_a_terminal(cli, answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``llmspell *args`` with a pseudo-terminal on stdin and type ``answer``."""
    from tests.e2e.conftest import COMMAND

    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [*COMMAND, *args],
            cwd=cli.cwd,
            env=cli.env,
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.write(master, answer.encode() + b"\n")
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(slave)
        os.close(master)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_clear_on_a_terminal_asks_first(seeded):
    cli = seeded
    proc = _on_a_terminal(cli, "n", "state", "clear")
    assert proc.returncode == 1, cli.explain(proc)
    assert "Delete all 2 key(s) of scope 'global'?" in proc.stdout
    assert "nothing deleted" in proc.stderr
    assert cli("state", "list").stdout.splitlines() == ["count", "greeting"]
    proc = _on_a_terminal(cli, "y", "state", "clear")
    assert proc.returncode == 0, cli.explain(proc)
    assert "deleted 2 key(s) from scope 'global'" in proc.stdout
    assert cli("state", "list").stdout == ""
