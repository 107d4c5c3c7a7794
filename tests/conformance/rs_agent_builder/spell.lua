-- rs-llmspell's agent builder and Agent functions, offline (no call reaches a model).
local ok, agent = pcall(function()
  return Agent.builder()
    :name("analyst"):description("Analyses data"):type("llm")
    :model("ollama/llama3.2"):temperature(0.3):max_tokens(200)
    :allow_tool("calculator")
    :custom_config({system_prompt = "You are a data analyst.", max_conversation_length = 10, team = "blue"})
    :resource_limits({max_execution_time_secs = 60, max_memory_mb = 256, max_tool_calls = 5, max_recursion_depth = 3})
    :build()
end)
if not ok then print("build failed: " .. tostring(agent)) os.exit(1) end
local c = agent:get_config()
print("config: " .. c.name .. " " .. c.model .. " " .. c.type .. " " .. c.system_prompt)
print("limits: " .. c.resource_limits.max_execution_time_secs .. " " .. c.resource_limits.max_tool_calls
  .. " " .. c.resource_limits.max_memory_mb .. " " .. c.resource_limits.max_recursion_depth)
print("custom: " .. c.custom_config.team .. " " .. c.max_conversation_length .. " " .. table.concat(c.allowed_tools, ","))
print("state: " .. agent:get_state() .. " has calculator: " .. tostring(agent:has_tool("calculator")))
local m = agent:get_metrics()
print("metrics: " .. m.agent_id .. " " .. m.requests_total .. " " .. m.requests_failed)

local name = Agent.register({
  name = "reporter", description = "Writes reports", agent_type = "llm",
  model = {provider = "ollama", model_id = "llama3.2", temperature = 0.2, max_tokens = 100, settings = {}},
  allowed_tools = {},
  custom_config = {system_prompt = "You write reports."},
  resource_limits = {max_execution_time_secs = 30, max_tool_calls = 2},
})
print("registered: " .. name .. " " .. Agent.get(name):get_config().resource_limits.max_tool_calls)
local info = Agent.get_info("reporter")
print("info: " .. info.name .. " " .. info.model .. " " .. info.type)
local llm = Agent.get_info("llm")
print("type info: " .. llm.name .. " required " .. table.concat(llm.required_parameters, ","))
print("unknown info: " .. tostring(Agent.get_info("nobody")))
print("discover: " .. Agent.discover()[1].type)
local caps = Agent.list_capabilities()
print("capabilities: " .. tostring(caps.analyst ~= nil) .. " " .. tostring(caps.reporter ~= nil))
local names = {}
for _, a in ipairs(Agent.discover_by_capability("tool_use")) do names[#names + 1] = a.name end
print("tool users: " .. table.concat(names, ","))
print("listed: " .. #Agent.list())
print("wrapped: " .. Agent.wrap_as_tool(agent, {name = "ask-analyst", description = "Ask the analyst"})
  .. " " .. tostring(Tool.exists("ask-analyst")))

local function try(label, f)
  local good, err = pcall(f)
  print(label .. ": " .. (good and "ok" or tostring(err):match("(%a+Error: [^(]*)")))
end
try("bad limit", function() return Agent.builder():model("ollama/x"):resource_limits({max_tool_call = 1}):build() end)
try("zero calls", function() return Agent.builder():model("ollama/x"):resource_limits({max_tool_calls = 0}):build() end)
try("bad custom", function() return Agent.builder():model("ollama/x"):custom_config("x"):build() end)
try("register no model id", function() return Agent.register({name = "x", model = {provider = "ollama"}}) end)
try("wrap nobody", function() return Agent.wrap_as_tool("nobody") end)
print("invoke_tool: " .. agent:invoke_tool("calculator", {input = "6*7"}).result.result
  .. " meta: " .. agent:get_tool_metadata("calculator").name .. " " .. tostring(agent:get_tool_metadata("uuid-generator")))
try("tool not allowed", function() return agent:invokeTool("uuid-generator", {}) end)
