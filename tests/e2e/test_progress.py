"""What the CLI shows while agents work (issue 13): the status line on a real pty, retry
notes, ``--log-level debug`` event lines, labelled ``--stream`` lines for concurrent
agents, and usage that survives a failed run. The model is a scripted OpenAI-compatible
server on 127.0.0.1 (tests/e2e/scripted_openai.py) reached through the real SDK."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import CLI, COMMAND
from tests.e2e.scripted_openai import Reply, ScriptedOpenAI

KEY = {"SCRIPTED_KEY": "sk-scripted-test"}

AGENT_SPELL = """
local a = Agent.create{name = "writer", model = "scripted/m", tools = {"calculator"}}
local r = a:execute("what is 2+2?")
print("answer: " .. r.text)
"""


@pytest.fixture
def server() -> ScriptedOpenAI:
    with ScriptedOpenAI() as s:
        yield s


def _setup(cli: CLI, server: ScriptedOpenAI, spell: str, retries: int = 0) -> None:
    cli.write("llmspell.toml", server.toml(max_retries=retries))
    cli.write("spell.lua", spell)


def _on_pty(cli: CLI, *args: str, timeout: float = 30) -> tuple[int, str]:
    """Run ``llmspell *args`` with stdin, stdout and stderr on a pty; (exit code, text)."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [*COMMAND, *args],
        cwd=cli.cwd,
        env={**cli.env, **KEY, "TERM": "xterm", "COLUMNS": "100"},
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    chunk = b""
                if chunk:
                    out.extend(chunk)
                    continue
            if proc.poll() is not None:
                break
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"llmspell did not finish in {timeout} s: {out.decode(errors='replace')}")
    finally:
        os.close(master)
    return proc.wait(), out.decode("utf-8", "replace")


def test_status_line_shows_the_agent_call_and_tool_rounds_then_clears(
    tmp_path: Path, server: ScriptedOpenAI
) -> None:
    cli = CLI(tmp_path)
    _setup(cli, server, AGENT_SPELL)
    server.replies = [
        Reply(delay=0.8, tool_calls=[("calculator", {"input": "2+2"})]),
        Reply(delay=0.8, text="four"),
    ]
    code, text = _on_pty(cli, "run", "spell.lua")
    assert code == 0, text
    assert "writer (scripted/m)" in text  # agent and model
    assert "tool round 1" in text and "15 tokens" in text
    assert "\x1b[2K" in text  # the line is cleared...
    # ...before the spell's own output, which stays whole on its own line
    last = text.replace("\r\x1b[2K", "\n").splitlines()
    assert "answer: four" in [line.strip() for line in last]


def test_no_status_line_with_quiet_or_without_a_terminal(
    tmp_path: Path, server: ScriptedOpenAI
) -> None:
    cli = CLI(tmp_path)
    _setup(cli, server, AGENT_SPELL)
    server.replies = [Reply(delay=0.6, text="four")]
    code, text = _on_pty(cli, "run", "--quiet", "spell.lua")
    assert code == 0 and "writer (scripted/m)" not in text and "answer: four" in text
    server.replies = [Reply(delay=0.6, text="four")]
    done = cli("run", "spell.lua", env=KEY)  # stderr is a pipe
    assert done.returncode == 0 and done.stderr == "" and done.stdout == "answer: four\n"


def test_a_retry_is_announced_with_status_provider_and_wait(
    tmp_path: Path, server: ScriptedOpenAI
) -> None:
    cli = CLI(tmp_path)
    _setup(cli, server, AGENT_SPELL, retries=2)
    server.replies = [Reply(status=429, headers={"retry-after": "0.3"}), Reply(text="four")]
    code, text = _on_pty(cli, "run", "spell.lua")
    assert code == 0, text
    assert "llmspell: 429 from scripted — retry 1/2 in 0.3 s (agent 'writer')" in text


def test_log_level_debug_logs_the_runtimes_own_events(
    tmp_path: Path, server: ScriptedOpenAI
) -> None:
    cli = CLI(tmp_path)
    _setup(cli, server, AGENT_SPELL, retries=1)
    server.replies = [
        Reply(status=429, headers={"retry-after": "0.1"}),
        Reply(tool_calls=[("calculator", {"input": "2+2"})]),
        Reply(text="four"),
    ]
    done = cli("run", "--log-level", "debug", "spell.lua", env=KEY)
    assert done.returncode == 0, done.stderr
    kinds = [
        line.split()[2] for line in done.stderr.splitlines() if line.startswith("[DEBUG] [event]")
    ]
    assert kinds[0] == "agent.started" and kinds[-1] == "agent.completed"
    for kind in ("provider.retry", "agent.tool_round", "tool.started", "tool.completed"):
        assert kind in kinds, done.stderr
    assert "state.changed" not in kinds  # trace-level only
    assert "llmspell: 429 from scripted — retry 1/1" in done.stderr
    assert done.stdout == "answer: four\n"


def _two_agents(tmp_path: Path, server: ScriptedOpenAI, prefix: str) -> CLI:
    """A spell that runs agents alpha and beta at once and prints both answers."""
    cli = CLI(tmp_path)
    cli.write("llmspell.toml", server.toml())
    cli.write(
        "spell.lua",
        f"""
local a = Agent.create{{name = "alpha", model = "scripted/ma"}}
local b = Agent.create{{name = "beta", model = "scripted/mb"}}
local rs = Agent.execute_all{{{{agent = a, input = "x"}}, {{agent = b, input = "y"}}}}
print("{prefix}" .. rs[1].text .. " | " .. rs[2].text)
""",
    )
    return cli


def test_stream_labels_whole_lines_of_concurrent_agents(
    tmp_path: Path, server: ScriptedOpenAI
) -> None:
    cli = _two_agents(tmp_path, server, "")
    server.by_model = {
        "ma": [Reply(chunks=["one ", "two\nthree ", "four"], chunk_delay=0.15)],
        "mb": [Reply(chunks=["uno ", "dos\ntres ", "cuatro"], chunk_delay=0.15)],
    }
    done = cli("run", "--stream", "spell.lua", env=KEY)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "one two\nthree four | uno dos\ntres cuatro\n"
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert all(line.startswith(("[alpha] ", "[beta] ")) for line in lines), done.stderr
    by = {
        label: [line[len(label) + 3 :] for line in lines if line.startswith(f"[{label}] ")]
        for label in ("alpha", "beta")
    }
    assert by["alpha"] == ["one two", "three four"], done.stderr
    assert by["beta"] == ["uno dos", "tres cuatro"], done.stderr


def test_a_lone_streamed_call_still_streams_as_it_arrives(
    tmp_path: Path, server: ScriptedOpenAI
) -> None:
    cli = CLI(tmp_path)
    _setup(cli, server, AGENT_SPELL.replace('tools = {"calculator"}', ""))
    server.replies = [Reply(text="four and more")]
    done = cli("run", "--stream", "spell.lua", env=KEY)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "[writer] four and more\n"


FAILING = """
local a = Agent.create{name = "writer", model = "scripted/m", tools = {"calculator"}}
a:execute("what is 2+2?")
"""


def _failing(cli: CLI, server: ScriptedOpenAI) -> None:
    _setup(cli, server, FAILING)
    server.replies = [Reply(tool_calls=[("calculator", {"input": "2+2"})]), Reply(status=500)]


def test_usage_survives_a_failed_run_in_json_text_and_table(
    tmp_path: Path, server: ScriptedOpenAI
) -> None:
    cli = CLI(tmp_path)
    _failing(cli, server)
    done = cli("run", "--output", "json", "spell.lua", env=KEY)
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert payload["error"]["kind"] == "ProviderError"
    usage = payload["usage"]
    assert (usage["input_tokens"], usage["output_tokens"]) == (10, 5)
    assert usage["by_model"]["scripted/m"]["calls"] == 1

    _failing(cli, server)
    done = cli("run", "spell.lua", env=KEY)
    assert done.returncode == 1
    first, second = done.stderr.strip().splitlines()[-2:]
    assert "ProviderError" in first
    assert second == (
        "llmspell: before it failed, the run made 1 LLM call: 10 input and 5 output tokens "
        "(--usage shows the table)"
    )

    _failing(cli, server)
    done = cli("run", "--usage", "spell.lua", env=KEY)
    assert done.returncode == 1
    assert "scripted/m" in done.stderr and "total" in done.stderr


def test_a_run_that_spent_nothing_reports_no_usage_line(tmp_path: Path) -> None:
    cli = CLI(tmp_path)
    cli.write("spell.lua", 'error("boom")')
    done = cli("run", "spell.lua")
    assert done.returncode == 1 and "before it failed" not in done.stderr


def test_status_line_shows_the_workflow_step(tmp_path: Path, server: ScriptedOpenAI) -> None:
    cli = CLI(tmp_path)
    _setup(
        cli,
        server,
        """
local a = Agent.create{name = "drafter", model = "scripted/m"}
local wf = Workflow.sequential{name = "pipeline", steps = {
  {name = "outline", fn = function() return "o" end},
  {name = "draft", agent = a, input = "write"},
}}
print("success: " .. tostring(wf:execute().success))
""",
    )
    server.replies = [Reply(delay=0.8, text="a draft")]
    code, text = _on_pty(cli, "run", "spell.lua")
    assert code == 0, text
    assert "drafter (scripted/m)" in text and "workflow 'pipeline': step 'draft'" in text
    assert "success: true" in text


def test_stream_labels_on_a_terminal(tmp_path: Path, server: ScriptedOpenAI) -> None:
    """On a pty (a spinner, the status line off) concurrent calls still come as whole
    labelled lines."""
    cli = _two_agents(tmp_path, server, "done: ")
    server.by_model = {
        "ma": [Reply(chunks=["one ", "two\n", "three"], chunk_delay=0.2)],
        "mb": [Reply(chunks=["uno ", "dos\n", "tres"], chunk_delay=0.2)],
    }
    code, text = _on_pty(cli, "run", "--stream", "spell.lua")
    assert code == 0, text
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # the spinner's cursor moves
    lines = [ln.strip() for ln in plain.replace("\r", "\n").splitlines()]
    for want in ("[alpha] one two", "[alpha] three", "[beta] uno dos", "[beta] tres"):
        assert want in lines, text
    assert "done: one two\nthree | uno dos\ntres" in text.replace("\r\n", "\n")


def test_a_models_control_sequences_do_not_reach_the_terminal(
    tmp_path: Path, server: ScriptedOpenAI
) -> None:
    """Streamed text is the model's (untrusted): escape sequences are dropped from what
    --stream writes to the operator's terminal; the spell still gets the text as sent."""
    cli = CLI(tmp_path)
    _setup(cli, server, AGENT_SPELL.replace('tools = {"calculator"}', ""))
    server.replies = [Reply(chunks=["fine\x1b]0;pwned\x07 ", "\x1b[2Jtext"])]
    done = cli("run", "--stream", "spell.lua", env=KEY)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert done.stderr == "[writer] fine]0;pwned [2Jtext\n"
    assert done.stdout == "answer: fine\x1b]0;pwned\x07 \x1b[2Jtext\n"
