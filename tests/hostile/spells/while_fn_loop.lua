-- a while loop whose condition never ends it
local wf = Workflow.loop{ name = "w", while_fn = function(ctx) return true end,
  max_iterations = 1e9, steps = { { name = "f", fn = function(ctx) return 1 end } } }
wf:execute()
print("SURVIVED")
