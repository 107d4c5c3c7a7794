-- After a run, the outputs of the steps that succeeded are saved to State, scope
-- "workflow:<id>" (the id is the name): State.workflow_get(id, step), State.workflow_list(id)
local wf = Workflow.sequential{name = "conf-saved", error_strategy = "continue", steps = {
  {name = "calc", tool = "calculator", input = {input = "{{input}} * 3"}},
  {name = "broken", tool = "calculator", input = {input = "1 +"}},
  {name = "record", fn = function(ctx) return {value = ctx.steps.calc.result.result, tags = {"a", "b"}} end},
  {name = "object", fn = function() return Workflow.get("conf-saved") end},   -- not a JSON value
}}
print("before: " .. #State.workflow_list("conf-saved"))
local r = wf:execute("5")
print("object output is the workflow: " .. r.outputs.object.name)
print("saved steps: " .. table.concat(State.workflow_list("conf-saved"), ","))
print("scope keys: " .. table.concat(State.list_keys("workflow:conf-saved"), ","))
local calc = State.workflow_get("conf-saved", "calc")
print("calc: " .. calc.text .. " " .. tostring(calc.success) .. " " .. calc.result.result)
local rec = State.workflow_get("conf-saved", "record")
print("record: " .. rec.value .. " " .. table.concat(rec.tags, "+"))
print("failed step not saved: " .. tostring(State.workflow_get("conf-saved", "broken") == nil))
print("load: " .. State.load("workflow:conf-saved", "calc").text)

-- a later run replaces the values
wf:execute("7")
print("after second run: " .. State.workflow_get("conf-saved", "calc").text)

-- a loop saves its last iteration's outputs
local loop = Workflow.loop{name = "conf-saved-loop", range = {start = 1, ["end"] = 3},
  steps = {{name = "sq", tool = "calculator", input = {input = "{{loop.item}} ** 2"}}}}
loop:execute()
print("loop: " .. table.concat(State.workflow_list("conf-saved-loop"), ",") .. " = "
      .. State.workflow_get("conf-saved-loop", "sq").text)

-- a run that fails (fail_fast) still saves what succeeded before the failure
local strict = Workflow.sequential{name = "conf-saved-strict", steps = {
  {name = "first", fn = function() return "kept" end},
  {name = "bad", tool = "calculator", input = {input = "2 +"}},
  {name = "never", fn = function() return "never" end},
}}
pcall(strict.execute, strict)
print("after failure: " .. table.concat(State.workflow_list("conf-saved-strict"), ",") .. " = "
      .. State.workflow_get("conf-saved-strict", "first"))
