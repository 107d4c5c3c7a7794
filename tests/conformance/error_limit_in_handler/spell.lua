-- A limit hit inside a function the host calls (here a tool handler) ends the run with
-- LimitExceeded and exit code 1: the caller gets no success=false result, pcall cannot
-- catch it
Tool.register({
  name = "conf-spin",
  description = "Never returns",
  handler = function(params)
    while true do end
  end,
})
print("before the call")
local ok, result = pcall(Tool.execute, "conf-spin", {})
print("never printed: " .. tostring(ok))
