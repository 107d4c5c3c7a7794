-- A spell sees a tool cap as a result, a denied path naming what it gave, a wrong-type handle refused (issues 11, 12)
-- Tools cap what model-written input could make them do: over a cap is a result, not a crash.
local r = Tool.execute("calculator", { input = "7 ** 3000000" })
print("1. success=" .. tostring(r.success) .. ", " .. r.error_kind)

-- A path outside [security] allowed_paths is refused, and the message names the path you gave.
local ok, err = pcall(Tool.execute, "file-operations", { operation = "read", path = "/etc/hostname" })
print("2. " .. tostring(err):match("SecurityError: access to '/etc/hostname' is denied"))

-- A method only runs on an object of its own type.
local wf = Workflow.sequential({ name = "limits-demo", steps = { { name = "one", fn = function() return 1 end } } })
-- (a Timer's handle dressed up as a Workflow is still a Timer)
local timer = Debug.timer("t")
local forged = setmetatable({ __llmspell_handle = rawget(timer, "__llmspell_handle") }, getmetatable(wf))
ok, err = pcall(forged.execute, forged)
print("3. ValidationError: " .. tostring(err):match("ValidationError: .*(argument 1 .*got Timer)"))

-- The run's own limits (wall time, memory, instructions, Ctrl-C) cannot be caught: a
-- pcall around `while true do end` never returns, the run ends with LimitExceeded.
-- (The sandbox also refuses __gc finalizers: Lua runs them outside the limits.)
print("done")
