-- A cancelled function step is stopped where it waits: under fail_fast a parallel
-- failure, and a workflow's timeout, cancel the steps still running; their code after
-- the pending host call never runs
local finished = {}
local function long(label, ms)
  return function()
    Tool.execute("file-watcher", {path = ".", timeout_ms = ms})
    finished[#finished + 1] = label
    return label
  end
end

local strict = Workflow.parallel{name = "conf-cancel", steps = {
  {name = "long", fn = long("parallel", 200)},
  {name = "fails", tool = "calculator", input = {input = "1 +"}},
}}
local ok, err = pcall(strict.execute, strict)
print("parallel raised: " .. tostring(not ok))

local timed = Workflow.sequential{name = "conf-timed", timeout_ms = 50, steps = {
  {name = "slow", fn = long("timeout", 200)},
}}
local ok2, err2 = pcall(timed.execute, timed)
print("timeout raised: " .. tostring(not ok2) .. " " .. tostring(tostring(err2):find("timed out", 1, true) ~= nil))

Tool.execute("file-watcher", {path = ".", timeout_ms = 300})   -- longer than both steps
print("cancelled steps that finished: " .. #finished)
