"""The MCP client against the reference server, npm ``@modelcontextprotocol/server-everything``,
over stdio and streamable HTTP (installed by .ci/install-mcp-deps; skipped without it
unless LLMSPELL_REQUIRE_MCP_DEPS=1)."""

from __future__ import annotations

SPELL = """
local tools = MCP.list_tools("ev")
local names = {}
for _, t in ipairs(tools) do names[t.name] = true end
local sum = Tool.execute("ev__get-sum", {a = 2, b = 40})
local weather = Tool.execute("ev__get-structured-content", {location = "Chicago"})
local image = Tool.execute("ev__get-tiny-image", {})
local blocks = image.metadata.content or {}
local kinds = {}
for _, b in ipairs(blocks) do kinds[#kinds + 1] = b.type end
local res = MCP.list_resources("ev")
local read = MCP.read_resource("ev", res[1].uri)
local prompts = MCP.list_prompts("ev")
local pnames = {}
for _, p in ipairs(prompts) do pnames[#pnames + 1] = p.name end
table.sort(pnames)
local prompt = MCP.get_prompt("ev", "args-prompt", {city = "Paris", state = "TX"})
local bad_ok = pcall(Tool.execute, "ev__get-structured-content", {location = "Atlantis"})
local ok, missing = pcall(MCP.read_resource, "ev", "demo://nope/nope")
return {
  echo = names["ev__echo"] == true,
  sum = sum.text,
  temp = type(weather.result.temperature),
  kinds = table.concat(kinds, ","),
  resources = #res > 0,
  read_uri = read[1].uri == res[1].uri,
  prompts = table.concat(pnames, ","),
  prompt = prompt.messages[1].content,
  bad = bad_ok,
  missing = ok,
}
"""


def _check(out: dict) -> None:
    assert out["echo"] is True
    assert "42" in out["sum"]
    assert out["temp"] == "number"
    assert "image" in out["kinds"]
    assert out["resources"] is True and out["read_uri"] is True
    assert "args-prompt" in out["prompts"] and "simple-prompt" in out["prompts"]
    assert "Paris" in out["prompt"]
    assert out["bad"] is False
    assert out["missing"] is False


def test_everything_over_stdio(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"ev": {"command": "node", "args": [kit.everything_js(), "stdio"]}})
    _check(rt.run(SPELL))


def test_everything_over_streamable_http(mcp_runtime, everything_http) -> None:
    rt = mcp_runtime({"ev": {"url": everything_http, "headers": {"X-Test": "1"}}})
    _check(rt.run(SPELL))


def test_everything_from_javascript(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"ev": {"command": "node", "args": [kit.everything_js(), "stdio"]}})
    out = rt.run(
        """
        const info = await MCP.connect("ev");
        const r = await Tool.execute("ev__echo", {message: "hello"});
        const prompts = await MCP.listPrompts("ev");
        export default JSON.stringify([info.name, r.text, prompts.length > 0]);
        """,
        name="spell.js",
    )
    assert out == '["ev","Echo: hello",true]'
