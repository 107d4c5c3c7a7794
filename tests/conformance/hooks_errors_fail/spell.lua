-- With [hooks] on_error = "fail", a hook's error fails the operation it hooked;
-- [hooks] max_retries bounds "retry" (here 1)
local h = Hook.register("BeforeToolExecution", function(ctx) error("oops") end)
local ok, err = pcall(Tool.execute, "calculator", {input = "1 + 1"})
print("raising hook: " .. tostring(ok) .. " " .. tostring(err:find("ScriptError: ", 1, true) ~= nil)
      .. " " .. tostring(err:find("oops", 1, true) ~= nil))
print("names the hook: " .. tostring(err:find("hook %d+ at BeforeToolExecution failed: ") ~= nil))
h:unregister()

h = Hook.register("AfterToolExecution", function(ctx) return 42 end)
ok, err = pcall(Tool.execute, "calculator", {input = "1 + 1"})
print("garbage: " .. tostring(ok) .. " " .. tostring(err:find("ValidationError: ", 1, true) ~= nil)
      .. " " .. tostring(err:find("returned number", 1, true) ~= nil))
h:unregister()

h = Hook.register("BeforeWorkflowStart", function(ctx) error("WorkflowError: not today") end)
local wf = Workflow.sequential{name = "conf-fail-hook", steps = {{name = "s", fn = function() return 1 end}}}
ok, err = pcall(wf.execute, wf)
print("workflow hook: " .. tostring(ok) .. " " .. tostring(err:find("not today", 1, true) ~= nil))
h:unregister()
print("without the hook: " .. wf:execute().outputs.s)

-- max_retries = 1: a retrying hook makes the tool run twice
local calls = 0
Tool.register({name = "conf-count", description = "counts", handler = function() calls = calls + 1; return calls end})
Hook.register("AfterToolExecution", function() return "retry" end)
print("retry bounded: result " .. Tool.execute("conf-count", {}).result .. ", " .. calls .. " calls")
