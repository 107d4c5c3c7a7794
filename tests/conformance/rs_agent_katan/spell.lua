-- An rs-llmspell style agent over real HTTP (llm-katan's echo model): builder with
-- resource limits, pcall around build, invoke/execute with a table, .text checks, metrics.
local ok, agent = pcall(function()
  return Agent.builder()
    :name("helper"):type("llm")
    :model("katan/echo-model")
    :custom_config({system_prompt = "You are helpful."})
    :resource_limits({max_execution_time_secs = 30, max_tool_calls = 2})
    :build()
end)
if not ok or not agent then
  print("agent creation failed: " .. tostring(agent))
  os.exit(1)
end
local result = agent:invoke({text = "hello there", temperature = 0.5})
if result and result.text then
  print("invoke: " .. tostring(result.text:find("hello there", 1, true) ~= nil))
else
  print("invoke failed")
end
local again = agent:execute({text = "second"})
print("execute: " .. tostring(again.text:find("second", 1, true) ~= nil) .. " success field: " .. tostring(again.success))
local m = agent:get_metrics()
print("metrics: " .. m.requests_total .. " " .. m.requests_failed .. " " .. tostring(m.total_tokens > 0))
print("configured limit: " .. agent:get_config().resource_limits.max_execution_time_secs)
