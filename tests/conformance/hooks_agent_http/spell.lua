-- Agent hook points over a real HTTP server (llm-katan's echo model: "User: <prompt>"):
-- BeforeAgentInit/AfterAgentInit, BeforeAgentExecution, AfterAgentExecution, AgentError,
-- BeforeProviderCall/AfterProviderCall; the agent.* events
local function has(text, part) return text:find(part, 1, true) ~= nil end
local function user_line(text) return text:match("\nUser: ([^\n]*)$") or ("?" .. text) end
local function message(err) return (tostring(err):gsub("^[^\n]-:%d+: ", ""):gsub("hook %d+", "hook N")) end
local function input_text(input) return type(input) == "table" and input.text or input end
local function with_hook(point, fn, body)
  local h = Hook.register(point, fn)
  body(h)
  h:unregister()
end
local events = Event.subscribe("agent.*")

-- init: BeforeAgentInit may change the config (never sees an API key) or cancel
with_hook("BeforeAgentInit", function(ctx)
  if ctx.data.agent == "refused" then return "cancel" end
  print("init config: " .. ctx.data.config.model .. ", api key shown: " .. tostring(ctx.data.config.api_key ~= nil))
  return {type = "modified", data = {config = {name = ctx.data.agent, model = ctx.data.config.model, system_prompt = "Be brief."}}}
end, function()
  local a = Agent.create({name = "prompted", model = "katan/echo-model"})
  print("system prompt added: " .. tostring(has(a:execute("hi").text, "messages=2")))
  local ok, err = pcall(Agent.create, {name = "refused", model = "katan/echo-model"})
  print("init cancel: " .. message(err))
end)
with_hook("AfterAgentInit", function(ctx) print("after init: " .. ctx.data.agent .. " " .. ctx.data.model) end, function()
  Agent.create({name = "made", model = "katan/echo-model"})
end)

local agent = Agent.create({name = "echo", model = "katan/echo-model"})

-- BeforeAgentExecution: the data; modified input; skip; cancel; replace
with_hook("BeforeAgentExecution", function(ctx)
  local text = input_text(ctx.data.input)
  if text == "skip me" then return "skip" end
  if text == "cancel me" then return "cancel" end
  if text == "replace me" then return {type = "replace", data = {text = "answer from a hook"}} end
  return {type = "modified", data = {input = "[checked] " .. text}}
end, function()
  print("modified input: " .. user_line(agent:execute("hello").text))
  local s = agent:execute("skip me")
  print("skip: '" .. s.text .. "' skipped " .. tostring(s.skipped))
  local ok, err = pcall(agent.execute, agent, "cancel me")
  print("cancel: " .. message(err))
  print("replace: " .. agent:execute("replace me").text)
end)

-- AfterAgentExecution: replace and modified results
with_hook("AfterAgentExecution", function(ctx)
  return {type = "replace", data = {text = "replaced: " .. user_line(ctx.data.result.text)}}
end, function() print("after replace: " .. agent:execute("original").text) end)
with_hook("AfterAgentExecution", function(ctx)
  local result = ctx.data.result
  result.text = "modified: " .. user_line(result.text)
  return {type = "modified", data = {result = result}}
end, function() print("after modified: " .. agent:execute("second").text) end)

-- BeforeProviderCall / AfterProviderCall fire around each model request
local calls = {}
local b = Hook.register("BeforeProviderCall", function(ctx)
  calls[#calls + 1] = "before " .. ctx.data.agent .. " " .. ctx.data.provider .. " " .. ctx.data.model
end)
local a = Hook.register("AfterProviderCall", function(ctx)
  calls[#calls + 1] = "after " .. ctx.data.finish_reason .. " tokens:" .. type(ctx.data.usage.total_tokens)
end)
agent:execute("count the calls")
print("provider calls: " .. table.concat(calls, " | "))
b:unregister(); a:unregister()
with_hook("BeforeProviderCall", function() return "cancel" end, function()
  local ok, err = pcall(agent.execute, agent, "x")
  print("provider cancel: " .. (message(err):match("^(%a+Error)") or "?"))
end)

-- AgentError: replace recovers from a failed call
local dead = Agent.create({name = "dead", model = "dead/echo-model"})
with_hook("AgentError", function(ctx)
  return {type = "replace", data = {text = "fallback after " .. ctx.data.error_kind}}
end, function() print("agent error replace: " .. dead:execute("hi").text) end)

-- an agent step of a workflow passes through the same hooks
with_hook("BeforeAgentExecution", function(ctx)
  return {type = "modified", data = {input = "from the step hook: " .. input_text(ctx.data.input)}}
end, function()
  local wf = Workflow.sequential{name = "conf-agent-hooks", steps = {{name = "ask", agent = agent, input = "{{input}}"}}}
  print("workflow step: " .. user_line(wf:execute("question").outputs.ask.text))
end)

-- the agent.* events (drained from the start of the spell)
local seen = {}
local e = Event.receive(events, 0)
while e do
  local d = e.data
  local extra = ""
  if e.event_type == "agent.completed" then extra = "(" .. type(d.duration_ms) .. ")" end
  if e.event_type == "agent.failed" then extra = "(" .. d.error_kind .. ")" end
  seen[#seen + 1] = e.event_type:sub(7) .. ":" .. d.agent .. extra
  e = Event.receive(events, 0)
end
print("events: " .. table.concat(seen, " "))
