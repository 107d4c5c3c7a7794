"""Agents with memory and Memory.consolidate through the real ``llmspell`` command,
against a scripted OpenAI-compatible server on 127.0.0.1 (the real SDK, real HTTP), with
the real local embedder and the default sqlite-vec store under LLMSPELL_HOME."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import CLI
from tests.e2e.scripted_openai import Reply, ScriptedOpenAI

KEY = {"SCRIPTED_KEY": "sk-scripted-test"}


@pytest.fixture
def server() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI() as s:
        yield s


@pytest.fixture
def cli(tmp_path: Path, server: ScriptedOpenAI) -> CLI:
    """The e2e CLI with the scripted provider and it as the consolidation model."""
    c = CLI(tmp_path)
    c.write("llmspell.toml", server.toml() + '\n[memory]\nconsolidation_model = "scripted/m"\n')
    return c


def _run(cli: CLI, name: str, source: str) -> str:
    cli.write(name, source)
    proc = cli("run", name, env=KEY, timeout=120)
    assert proc.returncode == 0, cli.explain(proc)
    return proc.stdout


def _system(request: dict) -> str:
    first = request["messages"][0]
    return str(first["content"]) if first["role"] == "system" else ""


def test_an_agent_with_memory_remembers_across_runs(cli: CLI, server: ScriptedOpenAI) -> None:
    server.replies = [Reply("Teal, noted."), Reply("You like teal.")]
    _run(
        cli,
        "tell.lua",
        'local a = Agent.builder():name("helper"):model("scripted/m")'
        ':system_prompt("Be brief."):memory(true):build()\n'
        'print(a:execute("My favourite colour is teal.").text)\n',
    )
    # a new process, a new agent: only memory can bring the earlier turn back
    out = _run(
        cli,
        "ask.js",
        'const a = await Agent.builder().name("helper").model("scripted/m")'
        '.systemPrompt("Be brief.").memoryEnabled().build();\n'
        'console.log((await a.execute("Which colour do I like?")).text);\n'
        "const s = await Memory.stats();\nconsole.log(s.episodic_count);\n",
    )
    assert out.splitlines() == ["You like teal.", "4"]
    first, second = server.requests
    assert _system(first) == "Be brief."  # nothing remembered yet
    system = _system(second)
    assert system.startswith("Be brief.\n\nRelevant memory")
    assert "[episodic:agent:helper] user: My favourite colour is teal." in system
    assert "assistant: Teal, noted." in system


def test_a_memory_table_sets_the_session_and_budget(cli: CLI, server: ScriptedOpenAI) -> None:
    server.replies = [Reply("ok"), Reply("ok")]
    _run(
        cli,
        "s.lua",
        'Memory.episodic.add("project-x", "user", "The launch date of project X is May 4.")\n'
        'local a = Agent.create{name = "pm", model = "scripted/m", '
        'memory = {session_id = "project-x", max_tokens = 200}}\n'
        'a:execute("When is the launch of project X?")\n'
        'local b = Agent.create{name = "tiny", model = "scripted/m", '
        'memory = {session_id = "project-x", max_tokens = 0}}\n'
        'b:execute("When is the launch of project X?")\n',
    )
    assert "launch date of project X is May 4" in _system(server.requests[0])
    assert _system(server.requests[1]) == ""  # a budget of 0: no context


def test_bad_memory_config_is_refused(cli: CLI) -> None:
    cli.write("bad.lua", 'Agent.create{model = "scripted/m", memory = {budget = 5}}\n')
    proc = cli("run", "bad.lua", env=KEY)
    assert proc.returncode != 0
    assert "unknown memory field(s) budget" in proc.stderr


FACTS = {
    "facts": [
        {"entity": "Ana", "fact": "Ana lives in Lisbon."},
        {"entity": "Ana", "fact": "Ana prefers green tea."},
    ]
}


def test_consolidate_extracts_facts_with_the_configured_model(
    cli: CLI, server: ScriptedOpenAI
) -> None:
    server.replies = [
        Reply(json.dumps(FACTS)),
        Reply(
            "Here you go: "
            + json.dumps({"facts": [{"entity": "Ana", "fact": "ana lives in lisbon"}]})
        ),
    ]
    out = _run(
        cli,
        "c.lua",
        'Memory.episodic.add("s1", "user", "Hi, I am Ana and I live in Lisbon.")\n'
        'Memory.episodic.add("s1", "user", "I always drink green tea.")\n'
        "local r = Memory.consolidate()\n"
        "print(r.entries_processed, r.entities_added, r.entities_updated, r.entries_skipped)\n"
        'local top = Memory.semantic.query("where does Ana live", 1)[1]\n'
        "print(top.content, top.entity)\n"
        "local again = Memory.consolidate()\n"
        "print(again.entries_processed, again.entries_skipped)\n"
        'local forced = Memory.consolidate("s1", true)\n'
        "print(forced.entries_processed, forced.entities_added, forced.entities_updated)\n"
        "local s = Memory.stats()\n"
        "print(s.semantic_count, s.sessions_with_unprocessed, s.has_consolidation)\n",
    )
    assert out.splitlines() == [
        "2\t2\t0\t0",
        "Ana lives in Lisbon.\tAna",
        "0\t2",
        "2\t0\t1",
        "2\t0\ttrue",
    ]
    assert len(server.requests) == 2  # the second call had nothing new to read
    # the model's tokens count in the run's usage
    cli.write(
        "u.lua", 'Memory.episodic.add("s2", "user", "Cy likes chess.")\nMemory.consolidate("s2")\n'
    )
    proc = cli("run", "u.lua", "--output", "json", env=KEY)
    usage = json.loads(proc.stdout)["usage"]
    assert usage["by_model"]["scripted/m"]["calls"] == 1 and usage["total_tokens"] == 15
    asked = server.requests[0]
    assert asked["model"] == "m"
    assert "[user] Hi, I am Ana and I live in Lisbon." in asked["messages"][-1]["content"]


def test_an_answer_that_is_not_json_leaves_the_entries_unprocessed(
    cli: CLI, server: ScriptedOpenAI
) -> None:
    server.replies = [Reply("I cannot do that.")]
    out = _run(
        cli,
        "c.lua",
        'Memory.episodic.add("s1", "user", "Remember that Bo is a chemist.")\n'
        "local r = Memory.consolidate()\n"
        "print(r.entries_processed, r.entries_failed, Memory.stats().sessions_with_unprocessed)\n",
    )
    assert out.splitlines() == ["0\t1\t1"]
