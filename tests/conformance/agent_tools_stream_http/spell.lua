-- llm-katan's echo model asks for the first offered tool with {input = "test_input"}.
Tool.register({name = "shout", description = "upper-cases input",
  parameters = {type = "object", properties = {input = {type = "string"}}},
  handler = function(p) return string.upper(p.input) end})
local a = Agent.create({name = "caller", model = "katan/echo-model", tools = {"shout"}, max_tool_calls = 1})
local r = a:execute("please shout")
print(#r.tool_calls, r.tool_calls[1].name, r.tool_calls[1].result.result)

local helper = Agent.create({name = "helper", model = "katan/echo-model", description = "echoes"})
local boss = Agent.create({name = "boss", model = "katan/echo-model", tools = {helper:as_tool()}, max_tool_calls = 1})
local b = boss:execute("delegate")
print(b.tool_calls[1].name, b.tool_calls[1].result.success, b.tool_calls[1].result.result:find("[echo]", 1, true) ~= nil)

local chunks = {}
local s = Agent.create({model = "katan/echo-model"}):stream("stream this", function(chunk) chunks[#chunks + 1] = chunk.text end)
print(#chunks > 1, table.concat(chunks) == s.text)
local parts = {}
local it = Agent.create({model = "katan/echo-model"}):stream("iterate")
for chunk in it do parts[#parts + 1] = chunk.text end
print(#parts > 1, table.concat(parts) == it:result().text)

local items = {}
for i = 1, 3 do items[i] = {agent = Agent.create({model = "katan/echo-model"}), input = "q" .. i} end
local results = Agent.execute_all(items)
for i, res in ipairs(results) do print(i, res.text:find("User: q" .. i, 1, true) ~= nil) end
