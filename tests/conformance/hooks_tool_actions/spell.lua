-- Hook actions at the tool points: continue, modified, skip, cancel, replace (before and
-- after), retry (bounded by [hooks] max_retries, default 3), and the ToolError point
local calls = 0
Tool.register({
  name = "conf-counter", description = "Counts its calls", category = "conf-test",
  parameters = {type = "object", properties = {fail = {type = "boolean"}}},
  handler = function(params)
    calls = calls + 1
    if params.fail then error("ToolError: it failed") end
    return {calls = calls}
  end,
})
local function calc(expr) return Tool.execute("calculator", {input = expr}) end
local function message(err) return (tostring(err):gsub("^[^\n]-:%d+: ", "")) end
local function with_hook(point, fn, body)
  local h = Hook.register(point, fn)
  body(h)
  h:unregister()
end

-- the context
with_hook("BeforeToolExecution", function(ctx)
  print("ctx: " .. ctx.point .. " | " .. ctx.component_id .. " | " .. ctx.data.tool .. " | "
        .. ctx.data.params.input .. " | " .. type(ctx.correlation_id) .. " " .. type(ctx.metadata))
end, function() calc("1 + 1") end)

with_hook("BeforeToolExecution", function() return nil end, function()
  print("nil: " .. calc("2 + 2").text)
end)
with_hook("BeforeToolExecution", function() return "continue" end, function()
  print("continue: " .. calc("2 + 3").text)
end)
with_hook("BeforeToolExecution", function(ctx)
  return {type = "modified", data = {params = {input = ctx.data.params.input .. " + 100"}}}
end, function() print("modified params: " .. calc("1 + 1").text) end)

with_hook("BeforeToolExecution", function() return "skip" end, function()
  local before = calls
  local r = Tool.execute("conf-counter", {})
  print("skip: success " .. tostring(r.success) .. ", skipped " .. tostring(r.skipped)
        .. ", ran " .. tostring(calls > before))
end)

with_hook("BeforeToolExecution", function() return "cancel" end, function(h)
  local ok, err = pcall(calc, "1 + 1")
  print("cancel: " .. tostring(ok) .. " " .. message(err))
  print("cancel names hook " .. h:id() .. ": " .. tostring(tostring(err):find("hook " .. h:id(), 1, true) ~= nil))
end)

with_hook("BeforeToolExecution", function() return {type = "replace", data = {answer = 42}} end, function()
  local before = calls
  local r = Tool.execute("conf-counter", {})
  print("replace before: " .. tostring(r.success) .. " " .. r.result.answer .. ", ran " .. tostring(calls > before))
end)

with_hook("AfterToolExecution", function(ctx)
  return {type = "replace", data = {success = true, text = "answer: " .. ctx.data.result.text}}
end, function() print("replace after: " .. calc("6 * 7").text) end)

with_hook("AfterToolExecution", function(ctx)
  local result = ctx.data.result
  result.text = result.text .. "!"
  return {type = "modified", data = {result = result}}
end, function() print("modified result: " .. calc("6 * 7").text) end)

with_hook("AfterToolExecution", function() return "cancel" end, function()
  local ok, err = pcall(calc, "1 + 1")
  print("cancel after: " .. tostring(ok) .. " " .. tostring(tostring(err):find("ToolError: tool 'calculator' was cancelled by hook", 1, true) ~= nil)
        .. " " .. tostring(tostring(err):find("at AfterToolExecution", 1, true) ~= nil))
end)

-- retry at AfterToolExecution: the tool runs again, at most 3 more times per call
local seen = {}
with_hook("AfterToolExecution", function(ctx)
  if ctx.data.tool == "conf-counter" then
    seen[#seen + 1] = ctx.data.result.result.calls
    return "retry"
  end
end, function()
  calls = 0
  local r = Tool.execute("conf-counter", {})
  print("retry: ran " .. calls .. " times, result calls=" .. r.result.calls .. ", hook saw " .. table.concat(seen, ","))
end)

-- ToolError: replace recovers from a failure; retry runs it again
with_hook("ToolError", function(ctx)
  return {type = "replace", data = {success = true, text = "recovered from: " .. ctx.data.error}}
end, function()
  print("ToolError replace: " .. Tool.execute("conf-counter", {fail = true}).text)
  print("ToolError replace (calculator): " .. calc("1 +").text:sub(1, 35))
end)
local attempts = 0
with_hook("ToolError", function(ctx)
  attempts = attempts + 1
  if attempts < 3 then return "retry" end
end, function()
  calls = 0
  local r = Tool.execute("conf-counter", {fail = true})
  print("ToolError retry: ran " .. calls .. " times, success " .. tostring(r.success) .. ", " .. r.error)
end)

print("no hooks left: " .. #Hook.list())
print("plain again: " .. calc("1 + 1").text)
