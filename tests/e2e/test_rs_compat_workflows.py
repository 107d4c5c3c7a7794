"""Spells written for rs-llmspell (v0.14.1) run unmodified: workflows and tools.

The spells follow rs-llmspell's own examples (examples/script-users): builders, ``pcall``
around whatever may fail, ``.success``/``.text`` checks and ``os.exit(1)`` on failure,
old tool names. Each runs through the real ``llmspell`` command in a subprocess; the
agent workflow talks to a real ``llm-katan`` echo server on 127.0.0.1.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import CLI

KATAN = str(Path(sys.executable).parent / "llm-katan")

TOOLS_SPELL = r"""
-- ABOUTME: rs-llmspell style: tools by their old and new names, results read as its
-- spells read them
print("=== Tools ===")
local function check(label, ok, detail)
  print(string.format("%-22s %s", label, ok and "ok" or ("FAILED " .. tostring(detail))))
  if not ok then os.exit(1) end
end

local ok, r = pcall(Tool.execute, "file_operations", {
  operation = "write", path = "out/report.txt", input = "line one"})
check("write (old name)", ok and r.success, r)
r = Tool.execute("file-operations", {operation = "read", path = "out/report.txt"})
check("read", r.text == "line one", r.text)
r = Tool.execute("file-operations", {operation = "exists", path = "out/report.txt"})
check("exists", r.result.exists == true, r.text)

r = Tool.execute("calculator", {input = "sqrt(16) + x", variables = {x = 1}})
check("calculator", r.success and r.result.result == 5 and r.result.input == "sqrt(16) + x", r.text)
local bad = Tool.execute("calculator", {input = "2 +"})
check("calculator error", bad.success == false and bad.error ~= nil, bad.text)

r = Tool.execute("uuid_generator", {operation = "generate"})
check("uuid (old name)", type(r.result.uuid) == "string", r.text)
r = Tool.execute("date_time_handler", {operation = "now"})
check("datetime (old name)", r.result.datetime ~= nil and r.result.format ~= nil, r.text)
r = Tool.execute("text_manipulator", {input = "Hello", operation = "uppercase"})
check("text (old name)", r.result.result == "HELLO", r.text)
r = Tool.execute("environment_reader", {operation = "get", variable_name = "RS_COMPAT_VAR"})
check("env (old name)", r.result.found == true and r.result.value == "here", r.text)

-- a name that never existed fails softly under pcall, as in rs-llmspell's examples
local found, err = pcall(Tool.execute, "no_such_tool", {})
check("unknown tool raises", not found and tostring(err):find("no_such_tool", 1, true) ~= nil, err)
print("all tools ok")
"""

WORKFLOW_SPELL = r"""
-- ABOUTME: rs-llmspell style workflow: builder, tool steps, rs placeholders, a
-- conditional on shared data and a loop, result checks
local wf = Workflow.builder()
  :name("content_pipeline")
  :description("hash, format and report")
  :sequential()
  :add_step({name = "make_id", type = "tool", tool = "uuid-generator",
             input = {operation = "generate"}})
  :add_step({name = "hash_it", type = "tool", tool = "hash_calculator",
             input = {operation = "hash", algorithm = "sha256", input = "{{topic}}"}})
  :add_step({name = "format", type = "tool", tool = "template_engine",
             input = {input = "{{content}}\n\n[Formatted for Blog]",
                      context = {content = "Topic {{topic}}: {{step.hash_it.result}}"}}})
  :error_strategy("fail_fast")
  :timeout_ms(30000)
  :build()

local ok, result = pcall(function() return wf:execute({topic = "tides"}) end)
if not ok or not result.text:match("completed successfully") then
  print("workflow failed: " .. tostring(ok and result.text or result))
  os.exit(1)
end
print("workflow: " .. result.text)
local extra = result.metadata.extra
print("steps: " .. extra.successful_steps .. "/" .. extra.total_steps)
local formatted = result.outputs.format.result.rendered
local shape = "^Topic tides: %x+\n\n%[Formatted for Blog%]$"
print("formatted ok: " .. tostring(formatted:match(shape) ~= nil))
print("saved output: " .. tostring(wf:get_output("hash_it") ~= nil))

local router = Workflow.builder():name("router"):conditional()
  :condition({type = "shared_data_equals", key = "priority", value = "high"})
  :add_then_step({name = "urgent", type = "tool", tool = "text-manipulator",
                  input = {input = "urgent", operation = "uppercase"}})
  :add_else_step({name = "normal", type = "tool", tool = "text-manipulator",
                  input = {input = "normal", operation = "uppercase"}})
  :build()
router:set_shared_data("priority", "high")
local routed = router:execute({})
print("branch: " .. routed.metadata.extra.branch .. " " .. routed.outputs.urgent.text)

local loop = Workflow.builder():name("batch"):loop_workflow()
  :with_range({start = 1, ["end"] = 4, step = 1})  -- 1, 2, 3: the end is excluded
  :add_step({name = "square", type = "tool", tool = "calculator",
             input = {input = "{{loop.index}} * {{loop.index}}"}})
  :build()
local looped = loop:execute()
print("loop: " .. looped.metadata.extra.iterations .. " last " .. looped.outputs.square.text)

local tpl_ok, tpl_err = pcall(function()
  return Workflow.builder():name("t"):sequential()
    :add_template_step("research", "research-assistant", {topic = "x"}):build()
end)
print("template step: " .. tostring(tpl_ok) .. " "
      .. tostring(tostring(tpl_err):find("templates are not available", 1, true) ~= nil))
print("workflows: " .. #Workflow.list())
"""

AGENT_SPELL = r"""
-- ABOUTME: rs-llmspell style: agents built with the builder (pcall, degrade
-- gracefully), used by name in workflow steps, outputs read from metadata.extra
local ok, writer = pcall(function()
  return Agent.builder():name("writer"):model("katan/echo-model"):temperature(0.3):build()
end)
if not ok then print("no agent: " .. tostring(writer)); os.exit(1) end

local wf = Workflow.builder():name("write_and_format"):sequential()
  :add_step({name = "draft", type = "agent", agent = "writer",
             input = "Write one line about {{topic}}"})
  :add_step({name = "polish", type = "tool", tool = "text_manipulator",
             input = {input = "{{step.draft.result}}", operation = "uppercase"}})
  :build()
local result = wf:execute({topic = "tide pools"})
if not result.text:match("completed successfully") then os.exit(1) end
local draft = result.metadata.extra.agent_outputs.writer
print("agent output: " .. tostring(draft:find("tide pools", 1, true) ~= nil))
print("polished: " .. tostring(result.outputs.polish.text == draft:upper()))

-- an old tool name in the agent's tool list: the model is offered (and may call) the tool
local helper = Agent.builder():name("helper"):model("katan/echo-model")
  :allowed_tools({"uuid_generator"}):max_tool_calls(1):build()
local answer = helper:execute({text = "make an id"})
local call = answer.tool_calls[1]
print("tool call: " .. call.name .. " "
      .. tostring(call.result.success or not tostring(call.result.error):find("not available")))
"""


def test_rs_style_tool_spell(cli: CLI) -> None:
    cli.write("tools.lua", TOOLS_SPELL)
    proc = cli("run", "tools.lua", env={"RS_COMPAT_VAR": "here"})
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.splitlines()[-1] == "all tools ok"
    assert "FAILED" not in proc.stdout
    notes = [line for line in proc.stderr.splitlines() if line.startswith("llmspell: tool ")]
    assert notes == [
        f"llmspell: tool {old!r} is now {new!r}; the old name still works"
        for old, new in [
            ("file_operations", "file-operations"),
            ("uuid_generator", "uuid-generator"),
            ("date_time_handler", "datetime-handler"),
            ("text_manipulator", "text-manipulator"),
            ("environment_reader", "environment-reader"),
        ]
    ]
    assert (cli.cwd / "out" / "report.txt").read_text(encoding="utf-8") == "line one"


def test_rs_style_tool_spell_fails_with_exit_1(cli: CLI) -> None:
    # the same checks, against a variable that is not set: the spell's os.exit(1)
    cli.write("tools.lua", TOOLS_SPELL)
    proc = cli("run", "tools.lua")
    assert proc.returncode == 1, cli.explain(proc)
    assert "env (old name)         FAILED" in proc.stdout


def test_rs_style_workflow_spell(cli: CLI) -> None:
    cli.write("wf.lua", WORKFLOW_SPELL)
    proc = cli("run", "wf.lua")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.splitlines() == [
        "workflow: Sequential workflow 'content_pipeline' completed successfully (3 of 3 steps)",
        "steps: 3/3",
        "formatted ok: true",
        "saved output: true",
        "branch: then URGENT",
        "loop: 3 last 9",
        "template step: false true",
        "workflows: 3",
    ]
    assert "is now 'hash-calculator'" in proc.stderr
    assert "is now 'template-creator'" in proc.stderr


def test_workflow_placeholder_typo_is_an_error_naming_it(cli: CLI) -> None:
    cli.write(
        "typo.lua",
        """
        local wf = Workflow.builder():name("typo"):sequential()
          :add_step({name = "first", type = "tool", tool = "calculator", input = {input = "1"}})
          :add_step({name = "second", type = "tool", tool = "calculator",
                     input = {input = "{{step.frist.result}} + 1"}})
          :build()
        wf:execute()
        """,
    )
    proc = cli("run", "typo.lua")
    assert proc.returncode == 1, cli.explain(proc)
    assert "placeholder {{step.frist.result}} names no step that has run (ran: first)" in (
        proc.stderr
    )


def test_js_old_tool_names_and_rs_placeholders(cli: CLI) -> None:
    cli.write(
        "wf.js",
        """
        const r = await Tool.execute("text_manipulator", {input: "hi", operation: "uppercase"});
        const wf = await Workflow.builder().name("js").sequential()
          .addStep({name: "up", tool: "text_manipulator",
                    input: {input: "x", operation: "uppercase"}})
          .addStep({name: "fmt", tool: "template_engine",
                    input: {input: "{{content}}!", context: {content: "{{step.up.result}}"}}})
          .build();
        const out = await wf.execute();
        console.log(r.text + " " + out.outputs.fmt.result.rendered + " " + out.success);
        """,
    )
    proc = cli("run", "wf.js")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.strip() == "HI X! true"
    assert proc.stderr.count("is now 'text-manipulator'") == 1


# -- an agent workflow against a real llm-katan echo server ----------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def katan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    if not Path(KATAN).exists():
        pytest.skip("llm-katan is not installed in this environment")
    port = _free_port()
    stats = tmp_path_factory.mktemp("katan") / "stats.json"
    proc = subprocess.Popen(
        [KATAN, "--model", "echo-model", "--backend", "echo", "--host", "127.0.0.1",
         "--port", str(port), "--providers", "openai", "--disable-dashboard",
         "--stats-file", str(stats)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("llm-katan did not start") from None
            time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def test_rs_style_agent_workflow(cli: CLI, katan: int) -> None:
    cli.write(
        "llmspell.toml",
        f"""
[providers.katan]
provider_type = "openai"
base_url = "http://127.0.0.1:{katan}/v1"
api_key_env = "KATAN_KEY"
max_retries = 1
""",
    )
    cli.write("agents.lua", AGENT_SPELL)
    proc = cli("run", "agents.lua", env={"KATAN_KEY": "dummy-key"}, timeout=120)
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.splitlines() == [
        "agent output: true",
        "polished: true",
        "tool call: uuid-generator true",
    ]
    assert "tool 'uuid_generator' is now 'uuid-generator'" in proc.stderr
