-- A workflow is a step of another: it gets the step's input (or the outer input), sees the
-- outer workflow's outputs in placeholders and functions, and its result is the step's output
local inner = Workflow.sequential{name = "conf-inner", steps = {
  {name = "double", tool = "calculator", input = {input = "{{steps.base.text}} * 2"}},
  {name = "describe", fn = function(ctx)
     return "inner got " .. tostring(ctx.input) .. ", base " .. ctx.steps.base.text
   end},
}}
local fan = Workflow.parallel{name = "conf-fan", steps = {
  {name = "p1", fn = function(ctx) return "p1:" .. ctx.input.tag end},
  {name = "p2", fn = function(ctx) return "p2:" .. ctx.input.tag end},
}}
local each = Workflow.loop{name = "conf-each", collection = {"x", "y"}, steps = {
  {name = "tagged", fn = function(ctx) return ctx.loop.item .. "@" .. ctx.steps.base.text end},
}}
local outer = Workflow.sequential{name = "conf-outer", steps = {
  {name = "base", tool = "calculator", input = {input = "{{input.n}} + 1"}},
  {name = "inner", workflow = inner, input = "hello"},
  {name = "fan", type = "workflow", workflow = fan},
  {name = "each", workflow = each},
  {name = "summary", fn = function(ctx) return ctx.input end,
   input = "inner text: {{steps.inner.text}} | double: {{steps.inner.output.outputs.double.text}}"},
}}
local r = outer:execute({n = 4, tag = "t"})
print("success: " .. tostring(r.success) .. " " .. r.text)
print("inner: " .. r.outputs.inner.outputs.double.text .. " / " .. r.outputs.inner.outputs.describe)
print("inner type: " .. r.outputs.inner.metadata.extra.workflow_type .. " " .. r.outputs.inner.metadata.extra.workflow_name)
print("fan (outer input): " .. r.outputs.fan.outputs.p1 .. " " .. r.outputs.fan.outputs.p2)
print("each: " .. r.outputs.each.outputs.tagged .. " " .. #r.outputs.each.iterations)
print("summary: " .. r.outputs.summary)
local names = {}
for _, s in ipairs(r.steps) do names[#names + 1] = s.name end
print("outer records: " .. table.concat(names, ","))

-- a nested failure fails the outer step
local failing = Workflow.sequential{name = "conf-failing", steps = {
  {name = "bad", tool = "calculator", input = {input = "2 +"}},
}}
local tolerant_inner = Workflow.sequential{name = "conf-tolerant-inner", error_strategy = "continue", steps = {
  {name = "bad", tool = "calculator", input = {input = "3 +"}},
}}
local wrapper = Workflow.sequential{name = "conf-wrapper", error_strategy = "continue", steps = {
  {name = "strict", workflow = failing},
  {name = "tolerant", workflow = tolerant_inner},
  {name = "fine", fn = function() return "fine" end},
}}
local wr = wrapper:execute()
print("wrapper: " .. tostring(wr.success) .. " " .. wr.outputs.fine .. " " .. wr.metadata.extra.failed_steps)
for _, s in ipairs(wr.steps) do
  print("record " .. s.name .. ": " .. tostring(s.success) .. " " .. (s.error or "-"))
end
