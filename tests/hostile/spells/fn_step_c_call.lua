-- a long C call inside a function step (the workflow's error strategy must not catch it)
local wf = Workflow.sequential{ name = "w", error_strategy = "continue", steps = {
  { name = "rep", fn = function(ctx) return string.rep("", 2^62) end },
} }
wf:execute()
print("SURVIVED")
