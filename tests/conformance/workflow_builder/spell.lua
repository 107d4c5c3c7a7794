-- Workflow.builder(): setters, add_step, build; the object's fields; get_info; list/get
local wf = Workflow.builder()
  :name("conf-builder")
  :description("calculator steps and a function")
  :sequential()
  :add_step({name = "sum", type = "tool", tool = "calculator", input = {input = "2 + 3"}})
  :add_step({name = "scaled", tool = "calculator", input = {input = "{{steps.sum.text}} * 10"}})
  :add_step({name = "label", fn = function(ctx) return "scaled is " .. ctx.steps.scaled.text end})
  :build()
print("id: " .. wf.id)
print("name: " .. wf.name)
print("type: " .. wf.type)
print("description: " .. wf.description)
local info = wf:get_info()
print("info: " .. info.id .. " / " .. info.name .. " / " .. info.type .. " / " .. info.description)

local r = wf:execute()
print("success: " .. tostring(r.success))
print("text: " .. r.text)
print("sum: " .. r.outputs.sum.text .. " (tool " .. r.outputs.sum.metadata.tool .. ")")
print("sum result: " .. r.outputs.sum.result.result)
print("scaled: " .. r.outputs.scaled.text)
print("label: " .. r.outputs.label)
for i, s in ipairs(r.steps) do
  print("step " .. i .. ": " .. s.name .. " " .. tostring(s.success) .. " "
        .. type(s.duration_ms) .. " " .. tostring(s.error == nil))
end
local extra = r.metadata.extra
print("extra: " .. extra.workflow_type .. " / " .. extra.workflow_name .. " / " .. extra.workflow_id)
print("counts: " .. extra.total_steps .. " " .. extra.successful_steps .. " " .. extra.failed_steps)
print("execution id: " .. type(extra.execution_id) .. " " .. tostring(extra.execution_id:sub(1, 5) == "exec-"))
print("execution time: " .. type(r.metadata.execution_time_ms))
print("no agent outputs: " .. tostring(next(extra.agent_outputs) == nil))
print("no error: " .. tostring(r.error == nil))
local again = wf:execute()
print("new execution id: " .. tostring(again.metadata.extra.execution_id ~= extra.execution_id))

-- other types through the builder
local par = Workflow.builder():name("conf-fan"):parallel():max_concurrency(2)
  :add_step({name = "a", fn = function() return "A" end})
  :add_step({name = "b", fn = function() return "B" end})
  :build()
local pr = par:execute()
print("parallel: " .. par.type .. " " .. pr.outputs.a .. pr.outputs.b .. " " .. pr.text)

-- Workflow.list: the workflows built in this run; Workflow.get by id
local rows = Workflow.list()
table.sort(rows, function(x, y) return x.id < y.id end)
for _, w in ipairs(rows) do
  print("list: " .. w.id .. " " .. w.name .. " " .. w.type .. " '" .. w.description .. "'")
end
print("get: " .. Workflow.get("conf-builder").name .. " " .. Workflow.get("conf-fan").type)
print("get missing: " .. tostring(Workflow.get("conf-nope") == nil))
print("get runs: " .. Workflow.get("conf-fan"):execute().outputs.b)

-- building another workflow with the same name replaces the first in the list
Workflow.builder():name("conf-fan"):sequential():description("second")
  :add_step({name = "only", fn = function() return 1 end}):build()
print("list after rebuild: " .. #Workflow.list())
print("replaced: " .. Workflow.get("conf-fan").type .. " " .. Workflow.get("conf-fan").description)
