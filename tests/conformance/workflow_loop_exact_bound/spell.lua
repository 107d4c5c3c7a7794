-- A loop whose range or collection ends exactly at max_iterations has completed: every
-- item ran, so stopped_by is "completed"; one more item would make it "max_iterations"
local function stopped(source, limit)
  source.name = "conf-bound"
  source.max_iterations = limit
  source.steps = {{name = "v", fn = function(ctx) return ctx.loop.item end}}
  local r = Workflow.loop(source):execute()
  return #r.iterations .. " " .. r.metadata.extra.stopped_by
end
print("collection of 2, max 2: " .. stopped({collection = {"a", "b"}}, 2))
print("collection of 3, max 2: " .. stopped({collection = {"a", "b", "c"}}, 2))
print("range 1..3, max 3: " .. stopped({range = {start = 1, ["end"] = 3}}, 3))
print("range 1..4, max 3: " .. stopped({range = {start = 1, ["end"] = 4}}, 3))
print("collection of 2, max 5: " .. stopped({collection = {"a", "b"}}, 5))
