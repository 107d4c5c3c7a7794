-- Several host calls: Lua makes them one after another; JavaScript starts them together
-- (Promise.all). The results come back in the order asked, so the output is the same.
Tool.register({
  name = "conf-square",
  description = "Squares n, through State",
  parameters = {type = "object", properties = {n = {type = "integer"}}, required = {"n"}},
  handler = function(params)
    State.save("squares", "n" .. params.n, params.n * params.n)
    local saved = State.load("squares", "n" .. params.n)
    return {n = params.n, square = saved}
  end,
})

-- the same tool several times
local results = {}
for i, n in ipairs({5, 1, 4, 2, 3}) do
  results[i] = Tool.execute("conf-square", {n = n})
end
for i, r in ipairs(results) do
  print(i .. ": " .. r.result.n .. " squared is " .. r.result.square)
end
print("saved: " .. table.concat(State.list_keys("squares"), ","))

-- many small calls
for i = 1, 50 do
  State.set("item" .. i, i)
end
local total = 0
for i = 1, 50 do
  total = total + State.get("item" .. i)
end
print("items: " .. #State.list_keys("global") .. " total " .. total)

-- different globals in one batch
local exists = Tool.exists("conf-square")
local network = Config.is_network_access_allowed()
local missing = State.load("squares", "n9")
local dumped = Debug.dump({3, 2, 1})
print("mixed: " .. tostring(exists) .. " " .. tostring(network) .. " " .. tostring(missing == nil)
  .. " " .. dumped:gsub("%s", ""))

-- one of them fails: the others still answer (JavaScript: Promise.allSettled)
local outcomes = {}
local calls = {
  function() return Tool.execute("conf-square", {n = 6}) end,
  function() return Tool.execute("conf-no-such-tool", {}) end,
  function() return Tool.execute("conf-square", {n = "seven"}) end,
  function() return State.load("squares", "n6") end,
}
for i, call in ipairs(calls) do
  local ok, value = pcall(call)
  outcomes[i] = ok and "fulfilled" or ("rejected " .. value:match("^(%a+Error)"))
end
print("settled: " .. table.concat(outcomes, ", "))
