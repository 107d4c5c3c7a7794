-- A tool step that reads outside the allowed paths is denied (SecurityError): under
-- fail_fast the WorkflowError names the step; the file is never read; a security denial
-- is not retried; under continue it is the step's recorded failure
local started, returned = 0, 0
Hook.register("BeforeToolExecution", function(ctx)
  if ctx.data.tool == "file-operations" then started = started + 1 end
end)
Hook.register("AfterToolExecution", function(ctx)
  if ctx.data.tool == "file-operations" and ctx.data.params.path == "/etc/hostname" then
    returned = returned + 1
  end
end)
local function clean(text)
  text = text:gsub("^[^\n]-:%d+: ", "")
  return (text:gsub("outside the allowed paths %b()", "outside the allowed paths (...)"))
end

local wf = Workflow.sequential{name = "conf-denied", steps = {
  {name = "write", tool = "file-operations", input = {operation = "write", path = "note.txt", input = "allowed"}},
  {name = "read_ok", tool = "file-operations", input = {operation = "read", path = "note.txt"}},
  {name = "read_secret", tool = "file-operations", input = {operation = "read", path = "{{input.path}}"}},
  {name = "after", fn = function() return "never" end},
}}
local ok, err = pcall(wf.execute, wf, {path = "/etc/hostname"})
print("raised: " .. tostring(not ok))
print(clean(tostring(err)))
print("allowed read kept: " .. State.workflow_get("conf-denied", "read_ok").text)
print("denied read saved: " .. tostring(State.workflow_get("conf-denied", "read_secret") ~= nil))
print("file-operations calls started: " .. started .. ", denied call returned a result: " .. returned)

-- not retried under "retry"
started = 0
local retry = Workflow.sequential{name = "conf-denied-retry", error_strategy = "retry", backoff_ms = 1, steps = {
  {name = "secret", tool = "file-operations", input = {operation = "read", path = "/etc/hostname"}},
}}
local ok2, err2 = pcall(retry.execute, retry)
print("retry: raised " .. tostring(not ok2) .. " after " .. started .. " attempt")

-- under continue: a failed step with the SecurityError; nothing of the file in the result
local tolerant = Workflow.sequential{name = "conf-denied-continue", error_strategy = "continue", steps = {
  {name = "secret", tool = "file-operations", input = {operation = "read", path = "/etc/hostname"}},
  {name = "direct", fn = function() return Tool.execute("file-operations", {operation = "read", path = "/etc/hostname"}) end},
}}
local r = tolerant:execute()
print("continue: " .. tostring(r.success) .. ", outputs empty: " .. tostring(next(r.outputs) == nil))
for _, s in ipairs(r.steps) do print("record " .. s.name .. ": " .. clean((s.error:gsub(" %(at spell%.%a+[:%d]*%)", "")))) end
