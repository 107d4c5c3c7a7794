-- A loop workflow whose steps never wait still ends at the wall-time limit;
-- a pcall around it cannot catch the limit
local wf = Workflow.builder():name("endless"):loop():with_range({ start = 1, ["end"] = 1e9, step = 1 })
  :max_iterations(1e9):add_step({ name = "f", type = "function", fn = function(x) return x end }):build()
print("start")
local ok = pcall(function() return wf:execute({}) end)
print("never: " .. tostring(ok))
