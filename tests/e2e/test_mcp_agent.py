"""A spell whose agent calls an MCP server's tool: the model (a scripted
OpenAI-compatible server on 127.0.0.1, through the real SDK) asks for
``time__get_current_time``; the tool runs on PyPI ``mcp-server-time`` over stdio."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import CLI
from tests.e2e.scripted_openai import Reply, ScriptedOpenAI

pytest.importorskip("mcp")

TIME_SERVER = Path(sys.executable).parent / "mcp-server-time"

LUA = """
local a = Agent.create{name = "clock", model = "scripted/m", tools = {"time__get_current_time"}}
local r = a:execute("what time is it in UTC?")
print("answer: " .. r.text)
"""

JS = """
const a = await Agent.create({name: "clock", model: "scripted/m",
                              tools: ["time__get_current_time"]});
const r = await a.execute("what time is it in UTC?");
console.log("answer: " + r.text);
"""


@pytest.mark.parametrize(("name", "spell"), [("spell.lua", LUA), ("spell.js", JS)])
def test_agent_calls_an_mcp_tool(cli: CLI, name: str, spell: str) -> None:
    with ScriptedOpenAI() as model:
        model.replies = [
            Reply(tool_calls=[("time__get_current_time", {"timezone": "UTC"})]),
            Reply(text="It is noon."),
        ]
        cli.write(
            "llmspell.toml",
            model.toml() + f'\n[mcp.servers.time]\ncommand = "{TIME_SERVER}"\n',
        )
        cli.write(name, spell)
        proc = cli("run", name, env={"SCRIPTED_KEY": "sk-scripted-test"}, timeout=120)
    assert proc.returncode == 0, cli.explain(proc)
    assert "answer: It is noon." in proc.stdout
    first, second = model.requests[0], model.requests[1]
    tools = {t["function"]["name"]: t["function"] for t in first["tools"]}
    assert tools["time__get_current_time"]["parameters"]["required"] == ["timezone"]
    tool_message = next(m for m in second["messages"] if m["role"] == "tool")
    content = tool_message["content"]
    assert '"timezone": "UTC"' in content or json.loads(content).get("timezone") == "UTC"
