-- The table forms Workflow.sequential/parallel/conditional/loop; keys in snake_case or
-- camelCase; a step's type inferred from what it names; unnamed steps are step_<n>
local seq = Workflow.sequential{
  name = "conf-seq",
  description = "a sequence",
  error_strategy = "continue",
  steps = {
    {tool = "calculator", input = {input = "1 + 1"}},
    {fn = function(ctx) return "after " .. ctx.steps.step_1.text end},
    {name = "named", type = "function", fn = function() return "named" end},
  },
}
local r = seq:execute()
print(seq.type .. " " .. seq.description .. ": " .. r.outputs.step_1.text .. " / "
      .. r.outputs.step_2 .. " / " .. r.outputs.named)
local names = {}
for _, s in ipairs(r.steps) do names[#names + 1] = s.name end
print("step names: " .. table.concat(names, ","))

local par = Workflow.parallel{
  name = "conf-par",
  maxConcurrency = 1,                     -- camelCase works in Lua too
  steps = {
    {name = "x", fn = function() return 1 end},
    {name = "y", tool = "text-manipulator", input = {input = "abc", operation = "uppercase"}},
  },
}
local pr = par:execute()
print(par.type .. ": " .. pr.outputs.x .. " " .. pr.outputs.y.text .. " " .. pr.metadata.extra.successful_steps)

local cond = Workflow.conditional{
  name = "conf-cond",
  condition = {type = "always"},
  then_steps = {{name = "yes", fn = function() return "then ran" end}},
  else_steps = {{name = "no", fn = function() return "else ran" end}},
}
local cr = cond:execute()
print(cond.type .. ": " .. cr.outputs.yes .. " " .. cr.metadata.extra.branch
      .. " else-output-nil " .. tostring(cr.outputs.no == nil))

local loop = Workflow.loop{
  name = "conf-loop",
  collection = {"a", "b"},
  max_iterations = 10,
  steps = {{name = "echo", fn = function(ctx) return ctx.loop.index .. ctx.loop.item end}},
}
local lr = loop:execute()
print(loop.type .. ": " .. lr.outputs.echo .. " " .. #lr.iterations .. " "
      .. lr.metadata.extra.stopped_by)

-- timeout is an alias of timeout_ms; the workflow input reaches a function step as ctx.input
local alias = Workflow.sequential{
  name = "conf-alias", timeout = 5000,
  steps = {{name = "f", fn = function(ctx) return ctx.input.greeting .. "!" end}},
}
print("input: " .. alias:execute({greeting = "hi"}).outputs.f)
