"""The agent examples of docs/rag-and-memory.md (marked ``<!-- memory-agent -->``) run as
the guide says — twice, the second run remembering the first — with the real CLI, the
local embedder and a scripted OpenAI-compatible server standing in for the model.
(The guide's other examples are ``<!-- run -->`` blocks: tests/docs/test_plugin_docs.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import CLI
from tests.e2e.scripted_openai import Reply, ScriptedOpenAI

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "rag-and-memory.md"
_BLOCK = re.compile(r"<!-- memory-agent -->\n```(lua|js)\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    return _BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_has_both_agent_examples():
    assert sorted(lang for lang, _ in _examples()) == ["js", "lua"]


@pytest.mark.parametrize(("lang", "code"), _examples(), ids=[lang for lang, _ in _examples()])
def test_agent_with_memory_remembers_across_runs(cli: CLI, lang: str, code: str):
    name = f"concierge.{lang}"
    cli.write(name, code)
    with ScriptedOpenAI() as server:
        # the guide's model "openai/gpt-4o-mini": the openai provider pointed at the server
        cli.write("llmspell.toml", server.toml(name="openai"))
        env = {"SCRIPTED_KEY": "sk-test"}
        server.replies = [Reply("Noted — room 414."), Reply("You are in room 414.")]
        first = cli("run", name, "--", "I am in room 414.", env=env)
        assert first.returncode == 0, cli.explain(first)
        assert first.stdout == "Noted — room 414.\n2\n"
        second = cli("run", name, env=env)
        assert second.returncode == 0, cli.explain(second)
        assert second.stdout == "You are in room 414.\n4\n"
    first_req, second_req = server.requests
    system = " ".join(
        str(m.get("content")) for m in second_req["messages"] if m.get("role") == "system"
    )
    assert "Relevant memory from earlier conversations" in system
    assert "I am in room 414." in system and "Noted — room 414." in system
    assert not any(
        "Relevant memory" in str(m.get("content")) for m in first_req["messages"]
    )  # nothing to recall on the first run
