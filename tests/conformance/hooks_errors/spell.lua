-- A hook that raises, or returns something that is not an action, is reported on stderr
-- ("[WARN] hook N at Point failed: ...") and treated as continue: the run goes on
local boom = Hook.register("BeforeToolExecution", function(ctx) error("oops") end)
print("raising hook: " .. Tool.execute("calculator", {input = "1 + 1"}).text)
boom:unregister()

local garbage = {
  42,
  "explode",
  {type = "modified"},
  {type = "modified", data = "not a table"},
  {kind = "skip"},
}
for i, value in ipairs(garbage) do
  local h = Hook.register("AfterToolExecution", function(ctx) return value end)
  print("garbage " .. i .. ": " .. Tool.execute("calculator", {input = i .. " * 10"}).text)
  h:unregister()
end

-- the hooks after a failing one still run
local later = false
Hook.register("BeforeWorkflowStart", function() error("ValidationError: bad hook") end, "high")
Hook.register("BeforeWorkflowStart", function() later = true end, "low")
local r = Workflow.sequential{name = "conf-hooked", steps = {{name = "s", fn = function() return "ran" end}}}:execute()
print("workflow: " .. r.outputs.s .. ", later hook ran: " .. tostring(later))
