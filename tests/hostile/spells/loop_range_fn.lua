-- a loop workflow over 1..1e9 with a function step
local wf = Workflow.builder():name("spin"):loop()
  :with_range({ start = 1, ["end"] = 1e9, step = 1 }):max_iterations(1e9)
  :add_step({ name = "f", fn = function(ctx) return ctx.loop.index end })
  :build()
wf:execute()
print("SURVIVED")
