-- timeout_ms on the workflow bounds the whole run (WorkflowError "timed out"), whatever
-- the error strategy; a step's timeout_ms fails that step with a TimeoutError, which the
-- error strategy handles. file-watcher with timeout_ms is a tool that waits.
local function wait(ms) return {path = ".", timeout_ms = ms} end
local function message(err) return (tostring(err):gsub("^[^\n]-:%d+: ", "")) end

local whole = Workflow.sequential{name = "conf-whole", timeout_ms = 100, steps = {
  {name = "quick", tool = "calculator", input = {input = "1 + 1"}},
  {name = "slow", tool = "file-watcher", input = wait(400)},
  {name = "never", fn = function() return "not reached" end},
}}
local ok, err = pcall(whole.execute, whole)
print("whole raised: " .. tostring(not ok))
print(message(err))

local tolerant = Workflow.parallel{name = "conf-whole-continue", timeout_ms = 80, error_strategy = "continue",
  steps = {{name = "slow", tool = "file-watcher", input = wait(400)}}}
local ok2, err2 = pcall(tolerant.execute, tolerant)
print("continue still raises: " .. tostring(not ok2) .. " " .. message(err2))

-- a step's own timeout under continue: that step fails, the others run
local steps = Workflow.sequential{name = "conf-step-timeout", error_strategy = "continue", steps = {
  {name = "slow", tool = "file-watcher", input = wait(400), timeout_ms = 50},
  {name = "fast", tool = "file-watcher", input = wait(10), timeout_ms = 1000},
  {name = "after", fn = function(ctx) return "after, fast ok: " .. tostring(ctx.steps.fast.success) end},
}}
local r = steps:execute()
print("success: " .. tostring(r.success) .. ", " .. r.outputs.after)
for _, s in ipairs(r.steps) do print("record " .. s.name .. ": " .. tostring(s.success) .. " " .. (s.error or "-")) end

-- under fail_fast the step's TimeoutError fails the workflow
local strict = Workflow.sequential{name = "conf-step-strict", steps = {
  {name = "slow", tool = "file-watcher", input = wait(400), timeout_ms = 50},
}}
local ok3, err3 = pcall(strict.execute, strict)
print("fail_fast: " .. message(err3))
