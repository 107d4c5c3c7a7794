-- state_counter.lua: State keeps values between runs. Run it with: llmspell run examples/state_counter.lua
-- Run it twice: the counter goes on where the last run left it (LLMSPELL_STATE_BACKEND=memory
-- starts afresh every time).

-- scope "global": State.get / State.set
local runs = (State.get("counter_runs") or 0) + 1
State.set("counter_runs", runs)
print("run #" .. runs)

-- other scopes keep unrelated values apart: the last three runs, in scope "counter"
local history = State.load("counter", "history") or {}
table.insert(history, runs)
while #history > 3 do table.remove(history, 1) end
State.save("counter", "history", history)
print("recent runs: " .. table.concat(history, ", "))
print("keys in scope 'counter': " .. table.concat(State.list_keys("counter"), ", "))

-- helpers for the scopes "agent:<id>" and "tool:<id>"
State.tool_set("counter", "last_run", runs)
print("tool:counter last_run = " .. State.tool_get("counter", "last_run"))

-- delete reports whether the key existed
State.save("counter", "scratch", { temporary = true })
print("deleted scratch: " .. tostring(State.delete("counter", "scratch")))
print("deleted again: " .. tostring(State.delete("counter", "scratch")))

-- only JSON values can be stored
local ok, err = pcall(State.set, "callback", print)
print("storing a function: " .. tostring(ok) .. " (" .. err:match("%u%a+Error") .. ")")

return { runs = runs, history = history }
