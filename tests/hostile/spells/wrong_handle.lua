-- handles of the wrong type at the op boundary
local agent = Agent.create{ model = "slow/m" }
local tool = Tool.get("calculator")
local t = Debug.timer("t")
local wf = Workflow.sequential{ name = "w", steps = { { name = "a", fn = function() return 1 end } } }
local function try(label, f, ...)
  local ok, err = pcall(f, ...)
  print(label .. ": " .. (ok and "NO ERROR" or tostring(err)))
end
try("wf.execute(agent)", wf.execute, agent)
try("wf.execute(tool)", wf.execute, tool)
try("wf.execute(timer)", wf.execute, t)
try("t.stop(wf)", t.stop, wf)
try("t.lap(agent)", t.lap, agent)
try("agent.execute(wf)", agent.execute, wf, "hi")
