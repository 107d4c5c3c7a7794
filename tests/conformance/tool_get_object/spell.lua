-- Tool.get returns an object: fields name, description, category, version, schema and
-- an execute method (t:execute{...} in Lua, await t.execute({...}) in JavaScript)
Tool.register({
  name = "conf-greet",
  description = "Greets someone",
  category = "conf-text",
  version = "1.2.3",
  parameters = {
    type = "object",
    properties = {who = {type = "string", description = "whom to greet"}},
    required = {"who"},
  },
  handler = function(params)
    if params.who == "nobody" then error("ToolError: nobody to greet", 0) end
    return "hello " .. params.who
  end,
})

local t = Tool.get("conf-greet")
print("fields: " .. t.name .. " | " .. t.description .. " | " .. t.category .. " | " .. t.version)
print("schema: " .. t.schema.type .. " " .. t.schema.required[1] .. " "
  .. t.schema.properties.who.description)

local r = t:execute({who = "world"})
print("execute: " .. tostring(r.success) .. " " .. r.result .. " / " .. r.text
  .. " / " .. r.metadata.tool)
print("again: " .. t:execute({who = "again"}).text)
print("same as Tool.execute: " .. tostring(Tool.execute("conf-greet", {who = "x"}).text
  == t:execute({who = "x"}).text))

local failed = t:execute({who = "nobody"})
print("failing: " .. tostring(failed.success) .. " " .. failed.error_kind .. ": " .. failed.error)

local ok, err = pcall(t.execute, t, {who = 42})
print("invalid params: " .. tostring(ok) .. " " .. err:match("^(%a+Error: tool '[^']+': parameter '[^']+')"))

-- the method needs its object (t.execute(...) without it is a ValidationError)
local ok2, err2 = pcall(t.execute, {who = "world"})
print("without the object: " .. tostring(ok2) .. " " .. err2:match("^(%a+Error)"))

-- the object keeps working while the tool stays registered
print("exists: " .. tostring(Tool.exists(t.name)))
print("missing is nil: " .. tostring(Tool.get("conf-nothing") == nil))
