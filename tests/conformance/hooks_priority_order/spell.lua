-- Hooks run highest priority first, equal priorities in registration order; Hook.list
-- shows that order; the first hook that decides (not continue/modified) ends the chain;
-- unregister; point names in snake_case; unknown points and priorities are errors
local order = {}
local function hook(label, action)
  return function(ctx)
    order[#order + 1] = label
    return action
  end
end
local handles = {
  Hook.register("BeforeToolExecution", hook("lowest"), "lowest"),
  Hook.register("BeforeToolExecution", hook("normal-1"), "normal"),
  Hook.register("BeforeToolExecution", hook("highest"), "highest"),
  Hook.register("BeforeToolExecution", hook("high"), "high"),
  Hook.register("BeforeToolExecution", hook("low"), "low"),
  Hook.register("before_tool_execution", hook("normal-2")),          -- default priority, snake_case point
  Hook.register("BeforeToolExecution", hook("high-2"), "high"),
}
Tool.execute("calculator", {input = "1 + 1"})
print("ran: " .. table.concat(order, " "))

local rows = {}
for _, h in ipairs(Hook.list("BeforeToolExecution")) do
  rows[#rows + 1] = h.priority .. "/" .. h.source .. "/" .. type(h.id)
end
print("list: " .. table.concat(rows, " "))
print("list matches handles: " .. tostring(Hook.list("BeforeToolExecution")[1].id == handles[3]:id()))
print("handle: " .. handles[6]:hook_point() .. " " .. handles[6].point .. " " .. handles[6].priority)

-- the first deciding hook ends the chain; modified data flows on
for _, h in ipairs(handles) do h:unregister() end
order = {}
local a = Hook.register("BeforeToolExecution", function(ctx)
  order[#order + 1] = "first saw " .. ctx.data.params.input
  return {type = "modified", data = {params = {input = "10 + 1"}}}
end, "high")
local b = Hook.register("BeforeToolExecution", function(ctx)
  order[#order + 1] = "second saw " .. ctx.data.params.input
  return {type = "modified", data = {params = {input = ctx.data.params.input .. " + 1"}}}
end, "normal")
print("chained: " .. Tool.execute("calculator", {input = "1 + 1"}).text .. " (" .. table.concat(order, ", ") .. ")")
order = {}
local c = Hook.register("BeforeToolExecution", hook("decider", "skip"), "highest")
local r = Tool.execute("calculator", {input = "1 + 1"})
print("decided: skipped " .. tostring(r.skipped) .. ", ran " .. table.concat(order, " "))

-- unregister: true once, then false; by handle or through Hook.unregister
print("unregister: " .. tostring(c:unregister()) .. " " .. tostring(c:unregister()) .. " "
      .. tostring(Hook.unregister(a)) .. " " .. tostring(Hook.unregister(a)) .. " " .. tostring(Hook.unregister(b)))
print("left: " .. #Hook.list("BeforeToolExecution") .. " " .. #Hook.list())

-- Hook.list() without a point: every hook, point by point
Hook.register("AfterToolExecution", hook("x"))
Hook.register("BeforeToolExecution", hook("y"), "low")
Hook.register("StateChanged", hook("z"))
local all = {}
for _, h in ipairs(Hook.list()) do all[#all + 1] = h.point .. ":" .. h.priority end
print("all: " .. table.concat(all, " "))

-- the points, and errors
local points = Hook.points()
print("points: " .. #points .. ", has WorkflowStageTransition: "
      .. tostring(table.concat(points, ","):find("WorkflowStageTransition", 1, true) ~= nil))
local ok, err = pcall(Hook.register, "BeforeToolExecutoin", function() end)
print((tostring(err):gsub("^[^\n]-:%d+: ", ""):gsub(" %(points: .*$", "")))
local ok2, err2 = pcall(Hook.register, "BeforeToolExecution", function() end, "urgent")
print((tostring(err2):gsub("^[^\n]-:%d+: ", "")))
