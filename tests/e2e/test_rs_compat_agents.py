"""Spells written the way rs-llmspell's own examples are (builders, ``pcall`` around
``build()``, ``.text`` / ``.success`` checks, ``os.exit(1)`` on failure), run through the
real ``llmspell`` command: offline (no key, nothing to reach) and against a real
``llm-katan`` server, plus resource limits enforced against a server that is too slow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.katan_server import start_katan

LLMSPELL = str(Path(sys.executable).parent / "llmspell")
NO_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GROQ_API_KEY", "OPENROUTER_API_KEY")


@pytest.fixture(scope="module")
def katan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    proc, port = start_katan(tmp_path_factory.mktemp("katan"))
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def run(tmp: Path, name: str, source: str, config: str = "", key: str | None = "k") -> Any:
    """Run a spell with ``llmspell run`` in ``tmp`` (isolated env; no provider keys)."""
    (tmp / "llmspell.toml").write_text(config, encoding="utf-8")
    (tmp / name).write_text(source, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMSPELL_", "KATAN_"))}
    env.update({k: "" for k in NO_KEYS})
    env.update(LLMSPELL_HOME=str(tmp / "home"), HOME=str(tmp))
    env["LLMSPELL_LOAD_PLUGINS"] = os.environ.get("LLMSPELL_LOAD_PLUGINS", "")
    if key is not None:
        env["KATAN_KEY"] = key
    return subprocess.run(
        [LLMSPELL, "run", name], cwd=tmp, env=env, capture_output=True, text=True, timeout=120
    )


GETTING_STARTED_LUA = """
-- in the style of rs-llmspell's getting-started/02-first-agent.lua
print("=== Your First Agent ===")
local providers = Provider.list()
print("Found " .. #providers .. " provider(s)")

local agent_creation_success, agent = pcall(function()
    return Agent.builder()
        :name("my-first-agent")
        :model("openai/gpt-4o-mini")
        :system_prompt("You are a helpful assistant.")
        :temperature(0.7)
        :max_tokens(100)
        :build()
end)
if not agent_creation_success then
    print("Agent creation failed: " .. tostring(agent):match("(%a+Error: [^(]*)"))
    print("Tip: export OPENAI_API_KEY")
end

local name = Agent.register({
    name = "demo-analyst", description = "Data analysis agent", agent_type = "llm",
    model = {provider = "ollama", model_id = "llama3.2", temperature = 0.3, max_tokens = 200,
             settings = {}},
    allowed_tools = {"calculator"},
    custom_config = {system_prompt = "You are a data analyst."},
    resource_limits = {max_execution_time_secs = 60, max_memory_mb = 256, max_tool_calls = 10,
                       max_recursion_depth = 5},
})
print("Registered agent: " .. name)
local info = Agent.get_info(name)
if not info then print("no info") os.exit(1) end
print("Info: " .. info.name .. " " .. info.model .. " " .. table.concat(info.allowed_tools, ","))
local config = Agent.get(name):get_config()
print("Limits: " .. config.resource_limits.max_tool_calls .. " calls, "
      .. config.resource_limits.max_execution_time_secs .. " s")
for i, agent_type in ipairs(Agent.discover()) do print("Type: " .. agent_type.type) end
"""

GETTING_STARTED_JS = """
// the same spell in JavaScript
print("=== Your First Agent ===");
const providers = await Provider.list();
print("Found " + providers.length + " provider(s)");
try {
  await Agent.builder().name("my-first-agent").model("openai/gpt-4o-mini")
    .systemPrompt("You are a helpful assistant.").temperature(0.7).maxTokens(100).build();
} catch (e) {
  print("Agent creation failed: " + `${e.name}: ${e.message}`.match(/^(\\w+Error: [^(]*)/)[1]);
  print("Tip: export OPENAI_API_KEY");
}
const name = await Agent.register({
  name: "demo-analyst", description: "Data analysis agent", agent_type: "llm",
  model: {provider: "ollama", model_id: "llama3.2", temperature: 0.3, max_tokens: 200,
          settings: {}},
  allowed_tools: ["calculator"],
  custom_config: {system_prompt: "You are a data analyst."},
  resource_limits: {max_execution_time_secs: 60, max_memory_mb: 256, max_tool_calls: 10,
                    max_recursion_depth: 5},
});
print("Registered agent: " + name);
const info = await Agent.getInfo(name);
print("Info: " + info.name + " " + info.model + " " + info.allowed_tools.join(","));
const config = await (await Agent.get(name)).getConfig();
print("Limits: " + config.resource_limits.max_tool_calls + " calls, "
      + config.resource_limits.max_execution_time_secs + " s");
for (const agentType of await Agent.discover()) print("Type: " + agentType.type);
"""

GETTING_STARTED_OUT = """=== Your First Agent ===
Found 0 provider(s)
Agent creation failed: ConfigurationError: provider 'openai' needs an API key: \
set the environment variable OPENAI_API_KEY{space}
Tip: export OPENAI_API_KEY
Registered agent: demo-analyst
Info: demo-analyst ollama/llama3.2 calculator
Limits: 10 calls, 60 s
Type: llm
""".format(space=" ")


@pytest.mark.parametrize(
    ("name", "source"), [("a.lua", GETTING_STARTED_LUA), ("a.js", GETTING_STARTED_JS)]
)
def test_offline_spell_degrades_gracefully(tmp_path: Path, name: str, source: str) -> None:
    proc = run(tmp_path, name, source)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == GETTING_STARTED_OUT


def _katan_config(port: int) -> str:
    return (
        "[providers.katan]\n"
        f'base_url = "http://127.0.0.1:{port}/v1"\n'
        'api_key_env = "KATAN_KEY"\nmax_retries = 0\n'
    )


AGENT_BASICS_LUA = """
-- in the style of rs-llmspell's features/agent-basics.lua
local success, agent = pcall(function()
    return Agent.builder()
        :name("basic-assistant"):type("llm")
        :model("katan/echo-model")
        :custom_config({system_prompt = "You are concise."})
        :resource_limits({max_execution_time_secs = 30, max_tool_calls = 1})
        :allow_tool("calculator")
        :build()
end)
if not success or not agent then
    print("Failed to create agent: " .. tostring(agent))
    os.exit(1)
end
print("Providers: " .. #Provider.list())
local result = agent:execute({text = "What is 2 + 2?"})
if result and result.text and result.success ~= false then
    print("Response received: " .. tostring(#result.text > 0))
else
    print("No response")
    os.exit(1)
end
print("Tool rounds capped: " .. #result.tool_calls)
local second = agent:invoke({text = "Thanks!"})
print("Invoke: " .. tostring(second.text:find("Thanks!", 1, true) ~= nil))
local metrics = agent:get_metrics()
print("Requests: " .. (metrics.requests_total or 0))
return {success = true, agent = agent:get_config().name}
"""

AGENT_BASICS_JS = """
let agent;
try {
  agent = await Agent.builder().name("basic-assistant").type("llm").model("katan/echo-model")
    .customConfig({system_prompt: "You are concise."})
    .resourceLimits({max_execution_time_secs: 30, max_tool_calls: 1})
    .allowTool("calculator").build();
} catch (e) { print("Failed to create agent: " + e.message); throw e; }
print("Providers: " + (await Provider.list()).length);
const result = await agent.execute({text: "What is 2 + 2?"});
if (result && result.text && result.success !== false)
  print("Response received: " + (result.text.length > 0));
else throw new Error("No response");
print("Tool rounds capped: " + result.tool_calls.length);
const second = await agent.invoke({text: "Thanks!"});
print("Invoke: " + second.text.includes("Thanks!"));
const metrics = await agent.getMetrics();
print("Requests: " + (metrics.requests_total || 0));
({success: true, agent: (await agent.getConfig()).name});
"""


@pytest.mark.parametrize(
    ("name", "source"), [("b.lua", AGENT_BASICS_LUA), ("b.js", AGENT_BASICS_JS)]
)
def test_agent_basics_against_llm_katan(katan: int, tmp_path: Path, name: str, source: str) -> None:
    proc = run(tmp_path, name, source, _katan_config(katan))
    assert proc.returncode == 0, proc.stderr
    # (the Lua spell's returned table is printed after these lines)
    assert proc.stdout.splitlines()[:5] == [
        "Providers: 1",
        "Response received: true",
        "Tool rounds capped: 1",
        "Invoke: true",
        "Requests: 2",
    ]


def test_failure_path_exits_non_zero(katan: int, tmp_path: Path) -> None:
    proc = run(tmp_path, "f.lua", AGENT_BASICS_LUA, _katan_config(katan), key=None)
    assert proc.returncode != 0
    assert "Failed to create agent" in proc.stdout and "KATAN_KEY" in proc.stdout


class Slow(BaseHTTPRequestHandler):
    """An OpenAI-compatible server that takes 5 s to answer."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(5)
        body = json.dumps({"id": "x", "object": "chat.completion", "model": "m", "choices": []})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())


def test_max_execution_time_is_the_call_timeout(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = (
            "[providers.slow]\n"
            f'base_url = "http://127.0.0.1:{server.server_address[1]}/v1"\nmax_retries = 0\n'
        )
        spell = """
        local agent = Agent.builder():model("slow/m")
            :resource_limits({max_execution_time_secs = 1}):build()
        local ok, err = pcall(function() return agent:execute({text = "hi"}) end)
        print(ok, tostring(err):match("(TimeoutError: [^(]*)"))
        """
        started = time.monotonic()
        proc = run(tmp_path, "s.lua", spell, config)
        elapsed = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "false\tTimeoutError: agent 'agent-1' did not finish within 1 s \n"
    assert elapsed < 4.5
