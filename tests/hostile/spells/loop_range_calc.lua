-- a loop workflow over 1..1e9 with a calculator step
local wf = Workflow.builder():name("spin"):loop()
  :with_range({ start = 1, ["end"] = 1e9, step = 1 }):max_iterations(1e9)
  :add_step({ name = "c", tool = "calculator", input = { input = "{{loop.index}} * 2" } })
  :build()
wf:execute()
print("SURVIVED")
