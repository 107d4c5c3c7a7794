-- A placeholder that names nothing fails its step with a WorkflowError naming the
-- placeholder; it never becomes an empty string
local function fails(wf, input)
  local ok, err = pcall(wf.execute, wf, input)
  print("raised: " .. tostring(not ok))
  print((tostring(err):gsub("^[^\n]-:%d+: ", "")))
end

-- a step that has not run (yet): fail_fast raises, naming the step and the placeholder
fails(Workflow.sequential{name = "conf-early", steps = {
  {name = "first", fn = function() return "one" end},
  {name = "second", fn = function(ctx) return ctx.input end, input = "{{steps.third.text}}"},
  {name = "third", fn = function() return "three" end},
}})

-- under "continue" the failure is the step's record; the other steps run
local wf = Workflow.sequential{name = "conf-missing", error_strategy = "continue", steps = {
  {name = "field", fn = function(ctx) return ctx.input end, input = "x={{input.nope}}"},
  {name = "index", fn = function(ctx) return ctx.input end, input = "{{input.tags.3}}"},
  {name = "zero", fn = function(ctx) return ctx.input end, input = "{{input.tags.0}}"},
  {name = "loop", fn = function(ctx) return ctx.input end, input = "{{loop.index}}"},
  {name = "shared", fn = function(ctx) return ctx.input end, input = "{{shared.none}}"},
  {name = "unknown", fn = function(ctx) return ctx.input end, input = "{{step.nowhere.result}}"},
  {name = "nested", fn = function(ctx) return ctx.input end, input = {deep = {"{{steps.nowhere.text}}"}}},
  {name = "ok", fn = function(ctx) return ctx.input end, input = "tag={{input.tags.2}}"},
}}
local r = wf:execute({tags = {"a", "b"}})
print("success: " .. tostring(r.success))
print("text: " .. r.text)
for _, s in ipairs(r.steps) do
  print(s.name .. ": " .. tostring(s.success) .. " " .. (s.error or "-"))
end
print("ok output: " .. r.outputs.ok)
print("failed outputs absent: " .. tostring(r.outputs.field == nil and r.outputs.nested == nil))
print("failed_steps: " .. r.metadata.extra.failed_steps)
print("error: " .. r.error)
