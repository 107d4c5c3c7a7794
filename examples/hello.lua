-- hello.lua: the smallest spell. Run it with: llmspell run examples/hello.lua -- Ada
local name = ARGS[1] or "world"
print("Hello, " .. name .. "!")

-- State persists between runs (SQLite under ~/.llmspell unless configured otherwise).
local runs = (State.get("hello_runs") or 0) + 1
State.set("hello_runs", runs)
print("This spell has run " .. runs .. " time(s).")

-- A tool defined by the spell itself, called like a built-in one.
Tool.register({
  name = "greeter",
  description = "Builds a greeting",
  parameters = { type = "object", properties = { who = { type = "string" } }, required = { "who" } },
  handler = function(params) return "Greetings, " .. params.who end,
})
local result = Tool.execute("greeter", { who = name })
print(result.text)

return { greeted = name, runs = runs }
