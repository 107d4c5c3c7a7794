-- Conditional workflows: a function condition or a declarative one picks then_steps or
-- else_steps (each a sequence); metadata.extra.branch says which ran
local route = Workflow.conditional{
  name = "conf-route",
  condition = function(ctx) return ctx.input.priority == "high" end,
  then_steps = {
    {name = "page", fn = function(ctx) return "paged " .. ctx.input.who end},
    {name = "log", fn = function(ctx) return "logged: " .. ctx.steps.page end},
  },
  else_steps = {{name = "queue", fn = function() return "queued" end}},
}
local urgent = route:execute({priority = "high", who = "ana"})
print("high: " .. urgent.metadata.extra.branch .. " " .. urgent.outputs.log .. " " .. #urgent.steps)
local later = route:execute({priority = "low"})
print("low: " .. later.metadata.extra.branch .. " " .. later.outputs.queue .. " "
      .. tostring(later.outputs.page == nil) .. " " .. later.text)

-- a function's answer counts as true unless it is nil/null or false (0 and "" are true)
for _, answer in ipairs({"zero", "empty", "false", "nil"}) do
  local wf = Workflow.conditional{
    name = "conf-truth-" .. answer,
    condition = function(ctx)
      if answer == "zero" then return 0 elseif answer == "empty" then return "" end
      if answer == "false" then return false end
      return nil
    end,
    then_steps = {{name = "t", fn = function() return "then" end}},
    else_steps = {{name = "e", fn = function() return "else" end}},
  }
  print("answer " .. answer .. ": " .. wf:execute().metadata.extra.branch)
end

-- declarative conditions, with the builder
local function branch_of(condition, shared)
  local wf = Workflow.builder():name("conf-decl"):conditional():condition(condition)
    :add_then_step({name = "t", fn = function() return 1 end})
    :add_else_step({name = "e", fn = function() return 2 end})
    :build()
  for k, v in pairs(shared or {}) do wf:set_shared_data(k, v) end
  return wf:execute().metadata.extra.branch
end
print("always: " .. branch_of({type = "always"}))
print("never: " .. branch_of({type = "never"}))
print("equals (same): " .. branch_of({type = "shared_data_equals", key = "mode", value = "fast"}, {mode = "fast"}))
print("equals (other): " .. branch_of({type = "shared_data_equals", key = "mode", value = "fast"}, {mode = "slow"}))
print("equals (unset): " .. branch_of({type = "shared_data_equals", key = "mode", value = "fast"}))
print("equals (number): " .. branch_of({type = "shared_data_equals", key = "n", value = 3}, {n = 3}))
print("equals (table): " .. branch_of({type = "shared_data_equals", key = "t", value = {a = 1}}, {t = {a = 1}}))
print("equals (true vs 1): " .. branch_of({type = "shared_data_equals", key = "b", value = true}, {b = 1}))
print("exists (set): " .. branch_of({type = "shared_data_exists", key = "mode"}, {mode = false}))
print("exists (unset): " .. branch_of({type = "shared_data_exists", key = "mode"}))

-- step_output_contains looks at the steps of the enclosing workflow for a nested conditional
local inner = Workflow.conditional{
  name = "conf-inner",
  condition = {type = "step_output_contains", step = "check", text = "42"},
  then_steps = {{name = "found", fn = function(ctx) return "found in " .. ctx.steps.check.text end}},
  else_steps = {{name = "missing", fn = function() return "not found" end}},
}
local outer = Workflow.sequential{name = "conf-outer", steps = {
  {name = "check", tool = "calculator", input = {input = "{{input}}"}},
  {name = "decide", workflow = inner},
}}
local o1 = outer:execute("6 * 7")
print("contains: " .. o1.outputs.decide.metadata.extra.branch .. " " .. o1.outputs.decide.outputs.found)
local o2 = outer:execute("6 * 8")
print("contains (not): " .. o2.outputs.decide.metadata.extra.branch .. " " .. o2.outputs.decide.outputs.missing)
print("unknown step: " .. inner:execute().metadata.extra.branch)

-- a branch without steps runs nothing
local empty = Workflow.conditional{name = "conf-empty-else", condition = {type = "never"},
  then_steps = {{name = "t", fn = function() return 1 end}}}
local er = empty:execute()
print("empty else: " .. er.metadata.extra.branch .. " " .. tostring(er.success) .. " " .. #er.steps)
