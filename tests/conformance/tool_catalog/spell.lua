-- Tool.list/get/exists/schema/categories/discover over script-registered tools
-- (filtered to this spell's own categories, so built-in tools do not change the output)
local function noop(params) return "ok" end
Tool.register({
  name = "conf-zeta", description = "Last", category = "conf-text",
  tags = {"conf-string"}, handler = noop,
})
Tool.register({
  name = "conf-alpha", description = "First", category = "conf-math",
  tags = {"conf-number", "conf-fast"}, handler = noop,
})
Tool.register({
  name = "conf-mid",
  description = "Middle",
  category = "conf-math",
  version = "2.1.0",
  parameters = {
    type = "object",
    properties = {x = {type = "number", description = "input"}},
    required = {"x"},
  },
  handler = noop,
})

local function names(list)
  local out = {}
  for _, t in ipairs(list) do
    if t.name:sub(1, 5) == "conf-" then out[#out + 1] = t.name end
  end
  table.sort(out)
  return table.concat(out, ",")
end

print("list: " .. names(Tool.list()))
print("list by category: " .. names(Tool.list({category = "conf-math"})))
print("list of unknown category: " .. #Tool.list({category = "conf-none"}))
local mid
for _, t in ipairs(Tool.list()) do
  if t.name == "conf-mid" then mid = t end
end
print("entry: " .. mid.name .. " " .. mid.description .. " " .. mid.category .. " " .. mid.version)

print("exists conf-alpha: " .. tostring(Tool.exists("conf-alpha")))
print("exists conf-beta: " .. tostring(Tool.exists("conf-beta")))
print("get missing is nil: " .. tostring(Tool.get("conf-beta") == nil))

local schema = Tool.schema("conf-mid")
print("schema: " .. schema.type .. " " .. schema.required[1] .. " " .. schema.properties.x.type
  .. " " .. schema.properties.x.description)
print("get schema: " .. Tool.get("conf-mid").schema.properties.x.type)
local default = Tool.schema("conf-zeta")
print("default schema: " .. default.type .. " " .. tostring(next(default.properties or {}) == nil))

local cats = {}
for _, c in ipairs(Tool.categories()) do
  if c:sub(1, 5) == "conf-" then cats[#cats + 1] = c end
end
table.sort(cats)
print("categories: " .. table.concat(cats, ","))

print("discover by tag: " .. names(Tool.discover({tag = "conf-number"})))
print("discover by category: " .. names(Tool.discover({category = "conf-text"})))
print("discover all: " .. names(Tool.discover()))
local found = Tool.discover({tag = "conf-fast"})[1]
local tags = found.tags
table.sort(tags)
print("discovered tags: " .. table.concat(tags, ","))
