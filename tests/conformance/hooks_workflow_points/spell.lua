-- The workflow hook points: BeforeWorkflowStart, BeforeWorkflowStage, AfterWorkflowStage,
-- WorkflowStageTransition, WorkflowError, AfterWorkflowComplete
local function message(err) return (tostring(err):gsub("^[^\n]-:%d+: ", "")) end
local function with_hook(point, fn, body)
  local h = Hook.register(point, fn)
  body(h)
  h:unregister()
end
local wf = Workflow.sequential{name = "conf-points", steps = {
  {name = "first", fn = function(ctx) return "first:" .. tostring(ctx.input) end},
  {name = "second", fn = function(ctx) return ctx.input end, input = "second after {{steps.first.text}}"},
  {name = "third", fn = function(ctx) return "third" end},
}}
local function summary(r)
  local parts = {}
  for _, s in ipairs(r.steps) do
    parts[#parts + 1] = s.name .. (s.skipped and "(skipped)" or "") .. "=" .. tostring(r.outputs[s.name])
  end
  return table.concat(parts, " ")
end

-- BeforeWorkflowStart: the data, modified input, cancel, skip, replace
local seen
with_hook("BeforeWorkflowStart", function(ctx)
  seen = ctx
  return {type = "modified", data = {input = "changed"}}
end, function()
  local r = wf:execute("original")
  print("start data: " .. seen.data.workflow .. " " .. seen.data.type .. " " .. seen.data.input .. " "
        .. tostring(seen.data.execution_id == r.metadata.extra.execution_id) .. " " .. seen.component_id)
  print("start modified: " .. r.outputs.first)
end)
with_hook("BeforeWorkflowStart", function() return "cancel" end, function(h)
  local ok, err = pcall(wf.execute, wf)
  print("start cancel: " .. message(err):gsub("hook %d+", "hook N"))
end)
with_hook("BeforeWorkflowStart", function() return "skip" end, function()
  local r = wf:execute()
  print("start skip: " .. tostring(r.success) .. " " .. tostring(r.skipped) .. " " .. r.text .. " " .. #r.steps)
end)
with_hook("BeforeWorkflowStart", function() return {type = "replace", data = {success = true, text = "from the hook"}} end, function()
  print("start replace: " .. wf:execute().text)
end)

-- BeforeWorkflowStage: sees the input before placeholders; skip a step; modified input; replace
local inputs = {}
with_hook("BeforeWorkflowStage", function(ctx)
  inputs[#inputs + 1] = ctx.data.step .. "<" .. tostring(ctx.data.input) .. ">"
  if ctx.data.step == "first" then return {type = "replace", data = "first from the hook"} end
  if ctx.data.step == "third" then return "skip" end
end, function()
  local r = wf:execute("x")
  print("stage inputs: " .. table.concat(inputs, " "))
  print("stage skip/replace: " .. summary(r))
  print("stage text: " .. r.text)
end)
with_hook("BeforeWorkflowStage", function(ctx)
  if ctx.data.step == "second" then return {type = "modified", data = {input = "new input {{input}}"}} end
end, function()
  print("stage modified: " .. wf:execute("x").outputs.second)
end)
with_hook("BeforeWorkflowStage", function(ctx)
  if ctx.data.step == "second" then return "cancel" end
end, function()
  local ok, err = pcall(wf.execute, wf)
  print("stage cancel: " .. message(err):gsub("hook %d+", "hook N"))
end)

-- AfterWorkflowStage: replace and modified results
with_hook("AfterWorkflowStage", function(ctx)
  if ctx.data.step == "first" then return {type = "replace", data = "replaced " .. ctx.data.result} end
  if ctx.data.step == "third" then return {type = "modified", data = {result = ctx.data.result .. "!"}} end
end, function()
  print("after stage: " .. summary(wf:execute("y")))
end)

-- WorkflowStageTransition: between two steps; skip the next step; cancel
local transitions = {}
with_hook("WorkflowStageTransition", function(ctx)
  transitions[#transitions + 1] = ctx.data.from .. ">" .. ctx.data.to
  if ctx.data.to == "third" then return "skip" end
end, function()
  local r = wf:execute("z")
  print("transitions: " .. table.concat(transitions, " "))
  print("transition skip: " .. summary(r))
end)
with_hook("WorkflowStageTransition", function(ctx) return "cancel" end, function()
  local ok, err = pcall(wf.execute, wf)
  print("transition cancel: " .. message(err):gsub("hook %d+", "hook N"))
end)

-- WorkflowError: replace recovers the failed step; the error strategy never sees it
local broken = Workflow.sequential{name = "conf-broken", steps = {
  {name = "bad", tool = "calculator", input = {input = "1 +"}},
  {name = "after", fn = function(ctx) return "after " .. ctx.steps.bad end},
}}
with_hook("WorkflowError", function(ctx)
  return {type = "replace", data = "recovered " .. ctx.data.step .. " (" .. ctx.data.error_kind .. ")"}
end, function()
  local r = broken:execute()
  print("error replace: " .. tostring(r.success) .. " " .. r.outputs.after)
end)
local tries = 0
local flaky = Workflow.sequential{name = "conf-flaky", steps = {
  {name = "f", fn = function() tries = tries + 1; if tries < 2 then error("ToolError: not yet") end; return "try " .. tries end},
}}
with_hook("WorkflowError", function() return "retry" end, function()
  print("error retry: " .. flaky:execute().outputs.f)
end)

-- AfterWorkflowComplete: sees the result; modified and replace change it
with_hook("AfterWorkflowComplete", function(ctx)
  local result = ctx.data.result
  result.text = result.text .. " [audited]"
  return {type = "modified", data = {result = result}}
end, function()
  print("complete modified: " .. wf:execute().text)
end)
with_hook("AfterWorkflowComplete", function(ctx)
  return {type = "replace", data = {success = true, text = "summary of " .. ctx.data.workflow}}
end, function()
  print("complete replace: " .. wf:execute().text)
end)

-- correlation_id of workflow points is the execution id
local ids = {}
with_hook("BeforeWorkflowStage", function(ctx) ids[#ids + 1] = ctx.correlation_id end, function()
  local r = wf:execute()
  print("correlation: " .. #ids .. " " .. tostring(ids[1] == r.metadata.extra.execution_id and ids[3] == ids[1]))
end)
