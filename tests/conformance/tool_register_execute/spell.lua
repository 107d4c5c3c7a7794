-- Tool.register defines a tool; Tool.execute runs it; params are validated first
Tool.register({
  name = "conf-adder",
  description = "Adds two integers",
  category = "conf-math",
  parameters = {
    type = "object",
    properties = {a = {type = "integer"}, b = {type = "integer"}},
    required = {"a", "b"},
  },
  handler = function(params) return {sum = params.a + params.b} end,
})
Tool.register({
  name = "conf-shout",
  description = "Upper-cases text",
  parameters = {type = "object", properties = {text = {type = "string"}}},
  handler = function(params) return string.upper(params.text or "") end,
})
Tool.register({
  name = "conf-failing",
  description = "Always fails",
  handler = function(params) error("disk full") end,
})
Tool.register({
  name = "conf-failing-kind",
  description = "Fails with a kind",
  handler = function(params) error("ToolError: quota exceeded", 0) end,
})

local r = Tool.execute("conf-adder", {a = 2, b = 40})
print("success: " .. tostring(r.success))
print("sum: " .. r.result.sum)
print("no text for tables: " .. tostring(r.text == nil))
print("metadata tool: " .. r.metadata.tool)
print("timing is a number: " .. tostring(type(r.metadata.execution_time_ms) == "number"))

local s = Tool.execute("conf-shout", {text = "hello"})
print("string result: " .. s.result .. " text: " .. s.text)

local f = Tool.execute("conf-failing", {})
print("failing success: " .. tostring(f.success))
print("failing error: " .. f.error)
print("failing kind: " .. f.error_kind)
print("failing has no result: " .. tostring(f.result == nil))

local k = Tool.execute("conf-failing-kind", {})
print("kind error: " .. k.error .. " (" .. k.error_kind .. ")")

-- a tool object from Tool.get has fields and an execute method
local t = Tool.get("conf-adder")
print("get: " .. t.name .. " / " .. t.description .. " / " .. t.category .. " / " .. t.version)
print("method: " .. t:execute({a = 1, b = 1}).result.sum)
