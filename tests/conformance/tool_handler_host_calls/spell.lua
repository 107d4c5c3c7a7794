-- A script-registered tool's handler may call the host itself (State, Config, Debug,
-- other tools); what it prints appears in order with the spell's own output
Tool.register({
  name = "conf-counter",
  description = "Counts its calls in State",
  parameters = {type = "object", properties = {by = {type = "integer"}}},
  handler = function(params)
    local count = (State.get("count") or 0) + (params.by or 1)
    State.set("count", count)
    print("counter handler: count is now " .. count)
    return {count = count}
  end,
})
Tool.register({
  name = "conf-twice",
  description = "Runs conf-counter twice and reads the configuration",
  handler = function(params)
    print("twice handler: start")
    local first = Tool.execute("conf-counter", {by = 1})
    local second = Tool.get("conf-counter"):execute({by = 10})
    local ok, err = pcall(Tool.execute, "conf-counter", {by = "ten"})
    return {
      first = first.result.count,
      second = second.result.count,
      rejected = tostring(ok) .. " " .. err:match("^(%a+Error)"),
      memory_mb = Config.get("runtime.memory_mb"),
      dump = Debug.dump({params.label}),
    }
  end,
})

print("before: " .. tostring(State.get("count") == nil))
local r = Tool.execute("conf-counter", {})
print("after one call: " .. r.result.count .. " stored " .. State.get("count"))
local t = Tool.execute("conf-twice", {label = "x"})
print("twice: " .. t.result.first .. " " .. t.result.second .. " " .. t.result.rejected
  .. " " .. t.result.memory_mb .. " " .. t.result.dump:gsub("%s", ""))
print("stored at the end: " .. State.get("count"))
