-- the attack inside a workflow's function step
local wf = Workflow.sequential{ name = "w", steps = {
  { name = "spin", fn = function(ctx) while true do end end },
} }
wf:execute()
print("SURVIVED")
