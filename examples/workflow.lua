-- Run it with: llmspell run examples/workflow.lua -- 12 7 30
-- A report pipeline as a workflow: numbers from the command line are summed and
-- averaged in parallel, a loop grades each one, a condition picks the summary, and
-- hooks and events watch it all. No network and no model needed.

local numbers = {}
for i, v in ipairs(ARGS) do numbers[i] = tonumber(v) end
if #numbers == 0 then numbers = { 4, 8, 15 } end

-- every tool call is counted by a hook; the workflow's own events are collected
local calls = 0
Hook.register("BeforeToolExecution", function(ctx) calls = calls + 1 end)
local events = Event.subscribe("workflow.*")

local stats = Workflow.parallel{
  name = "stats",
  steps = {
    { name = "sum", tool = "calculator", input = { input = table.concat(numbers, " + ") } },
    { name = "count", fn = function(ctx) return #numbers end },
  },
}

local grades = Workflow.loop{
  name = "grades",
  collection = numbers,
  steps = {
    { name = "grade", fn = function(ctx)
        return ctx.loop.item .. (ctx.loop.item >= 10 and " is high" or " is low")
      end },
  },
}

local report = Workflow.builder()
  :name("report")
  :sequential()
  :add_step({ name = "stats", workflow = stats })
  :add_step({ name = "mean", tool = "calculator",
              input = { input = "{{steps.stats.outputs.sum.text}} / {{steps.stats.outputs.count}}" } })
  :add_step({ name = "grades", workflow = grades })
  :add_step({ name = "verdict", workflow = Workflow.conditional{
      name = "verdict",
      condition = function(ctx)
        for _, it in ipairs(ctx.steps.grades.iterations) do
          if it.outputs.grade:find("high") then return true end
        end
        return false
      end,
      then_steps = { { name = "some", fn = function() return "at least one high number" end } },
      else_steps = { { name = "none", fn = function() return "all numbers are low" end } },
    } })
  :build()

local r = report:execute()
print(r.text)
print("mean: " .. r.outputs.mean.text)
for _, it in ipairs(r.outputs.grades.iterations) do print("  " .. it.outputs.grade) end
local verdict = r.outputs.verdict.outputs
print("verdict: " .. (verdict.some or verdict.none))
print("tool calls seen by the hook: " .. calls)

local kinds = {}
local e = Event.receive(events, 0)
while e do
  kinds[#kinds + 1] = e.event_type
  e = Event.receive(events, 0)
end
print("events: " .. #kinds .. ", first " .. kinds[1] .. ", last " .. kinds[#kinds])
print("saved: " .. table.concat(State.workflow_list("report"), ", "))
