-- StateChanged sees {scope, key, action} (never the value); BeforeToolDiscovery /
-- AfterToolDiscovery change what Tool.list/Tool.discover return; ToolValidation may fix
-- or refuse a call's parameters
local changes = {}
local sh = Hook.register("StateChanged", function(ctx)
  local d = ctx.data
  local key = d.keys and table.concat(d.keys, "+") or d.key
  changes[#changes + 1] = d.scope .. "/" .. key .. "/" .. d.action .. "/value-hidden=" .. tostring(d.value == nil)
end)
State.set("color", "blue")
State.save("custom", "n", 1)
State.agent_set("writer", "style", "terse")
State.delete("custom", "n")
State.get("color")                                    -- a read changes nothing
Workflow.sequential{name = "conf-saving", steps = {     -- a workflow's save: {scope, keys, action}
  {name = "b", fn = function() return 2 end}, {name = "a", fn = function() return 1 end},
}}:execute()
for _, c in ipairs(changes) do print("state: " .. c) end
sh:unregister()

Tool.register({name = "conf-alpha", description = "a", category = "conf-x", handler = function() return 1 end})
Tool.register({name = "conf-beta", description = "b", category = "conf-x", handler = function() return 2 end})
Tool.register({name = "conf-gamma", description = "c", category = "conf-y", handler = function() return 3 end})
local function names(list)
  local out = {}
  for _, t in ipairs(list) do out[#out + 1] = t.name end
  table.sort(out)
  return table.concat(out, ",")
end
print("plain: " .. names(Tool.list({category = "conf-x"})))

local filters = {}
local h = Hook.register("BeforeToolDiscovery", function(ctx)
  filters[#filters + 1] = tostring(ctx.data.filter and ctx.data.filter.category)
  return {type = "modified", data = {filter = {category = "conf-y"}}}
end)
print("modified filter: " .. names(Tool.list({category = "conf-x"})) .. " (hook saw " .. table.concat(filters, ",") .. ")")
h:unregister()

h = Hook.register("BeforeToolDiscovery", function(ctx)
  return {type = "replace", data = {{name = "conf-virtual", description = "from a hook", category = "conf-z", version = "0.0.1"}}}
end)
print("replaced: " .. names(Tool.list()))
h:unregister()

h = Hook.register("AfterToolDiscovery", function(ctx)
  local kept = {}
  for _, t in ipairs(ctx.data.tools) do
    if t.name ~= "conf-beta" then kept[#kept + 1] = t end
  end
  return {type = "modified", data = {tools = kept}}
end)
print("after, modified tools: " .. names(Tool.list({category = "conf-x"})))
print("discover too: " .. names(Tool.discover({category = "conf-x"})))
h:unregister()
print("unhooked: " .. names(Tool.discover({category = "conf-x"})))

-- ToolValidation: before a tool's parameters are checked
local v = Hook.register("ToolValidation", function(ctx)
  if ctx.data.tool == "calculator" and type(ctx.data.params.input) == "number" then
    return {type = "modified", data = {params = {input = tostring(ctx.data.params.input) .. " + 0"}}}
  end
  if ctx.data.params.input == "forbidden" then return "cancel" end
end)
print("validation fixed: " .. Tool.execute("calculator", {input = 41}).text)
local ok, err = pcall(Tool.execute, "calculator", {input = "forbidden"})
print("validation cancel: " .. (tostring(err):gsub("^[^\n]-:%d+: ", ""):gsub("hook %d+", "hook N")))
v:unregister()
local ok2, err2 = pcall(Tool.execute, "calculator", {input = 41})
print("unhooked: " .. (tostring(err2):match("^.-(%a+Error)") or "?"))
