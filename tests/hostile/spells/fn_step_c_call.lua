-- long C calls inside a function step, forever (the workflow's error strategy must not
-- let the run escape the limit)
local wf = Workflow.sequential{ name = "w", error_strategy = "continue", steps = {
  { name = "rep", fn = function(ctx)
      string.rep("", 2^62)
      return table.move({}, 1, math.maxinteger - 1, 2)
    end },
} }
while true do pcall(wf.execute, wf) end
print("SURVIVED")
