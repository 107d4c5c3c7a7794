-- The runtime's events, in order: tool.started/completed/failed, workflow.started,
-- workflow.step.completed, workflow.completed/failed, state.changed; no parameters or values
local sub = Event.subscribe("*")
local function keys(t)
  local out = {}
  for k in pairs(t or {}) do out[#out + 1] = k end
  table.sort(out)
  return table.concat(out, ",")
end
local function show(e)
  local d = e.data or {}
  local parts = {e.event_type, "{" .. keys(d) .. "}"}
  for _, k in ipairs({"tool", "workflow", "type", "step", "success", "iteration", "error_kind", "scope", "key", "action"}) do
    if d[k] ~= nil then parts[#parts + 1] = k .. "=" .. tostring(d[k]) end
  end
  if d.keys then parts[#parts + 1] = "keys=" .. table.concat(d.keys, "+") end
  if d.duration_ms ~= nil then parts[#parts + 1] = "duration:" .. type(d.duration_ms) end
  if d.error ~= nil then parts[#parts + 1] = "error:" .. type(d.error) end
  print(table.concat(parts, " "))
end
local function drain(label)
  print("-- " .. label)
  local e = Event.receive(sub, 0)
  while e do show(e); e = Event.receive(sub, 0) end
end

Tool.execute("calculator", {input = "2 + 2"})
Tool.execute("calculator", {input = "2 +"})
pcall(Tool.execute, "file-operations", {operation = "read", path = "/etc/hostname"})
drain("tools")

State.set("color", "blue")
State.delete("global", "color")
drain("state")

local wf = Workflow.sequential{name = "conf-events", steps = {
  {name = "calc", tool = "calculator", input = {input = "1 + 2"}},
  {name = "fn", fn = function() return "x" end},
}}
local r = wf:execute()
local first = Event.receive(sub, 0)
print("workflow events carry the execution id: " .. tostring(first.correlation_id == r.metadata.extra.execution_id))
show(first)
drain("workflow")

local loop = Workflow.loop{name = "conf-loop-events", range = {start = 1, ["end"] = 2},
  steps = {{name = "body", fn = function(ctx) return ctx.loop.index end}}}
loop:execute()
drain("loop")

local failing = Workflow.sequential{name = "conf-failing-events", steps = {
  {name = "bad", fn = function() error("ToolError: broken") end},
}}
pcall(failing.execute, failing)
drain("failure")
