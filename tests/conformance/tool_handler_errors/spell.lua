-- An error raised inside a tool handler becomes success=false with the error text;
-- its kind (error_kind) is the kind raised, or ScriptError for a plain error
local function tool(name, handler)
  Tool.register({name = name, description = "Fails: " .. name, handler = handler})
end
tool("conf-validation", function(params) error("ValidationError: 'size' must be positive", 0) end)
tool("conf-security", function(params) error("SecurityError: path outside the sandbox") end)
tool("conf-tool-error", function(params) error("ToolError: upstream returned 503") end)
tool("conf-not-found", function(params) error("NotFoundError: no record 7") end)
tool("conf-plain", function(params) error("just broke") end)
tool("conf-runtime", function(params)
  local missing = nil
  return missing.field
end)
-- host errors inside the handler: their kinds pass through
tool("conf-host-validation", function(params) return State.get(12) end)
tool("conf-host-not-found", function(params) return Tool.execute("conf-nowhere", {}) end)
-- a handler that catches a failure and reports it itself
tool("conf-careful", function(params)
  local ok, err = pcall(Tool.execute, "conf-nowhere", {})
  return {ok = ok, kind = err:match("^(%a+Error)")}
end)

local names = {
  "conf-validation", "conf-security", "conf-tool-error", "conf-not-found", "conf-plain",
  "conf-host-validation", "conf-host-not-found",
}
for _, name in ipairs(names) do
  local r = Tool.execute(name, {})
  print(name .. ": " .. tostring(r.success) .. " " .. r.error_kind .. ": " .. r.error
    .. " (result is nil: " .. tostring(r.result == nil) .. ")")
end
-- a runtime error's message is the language's own; its kind is ScriptError
local r = Tool.execute("conf-runtime", {})
print("conf-runtime: " .. tostring(r.success) .. " " .. r.error_kind)
local c = Tool.execute("conf-careful", {})
print("conf-careful: " .. tostring(c.success) .. " " .. tostring(c.result.ok) .. " " .. c.result.kind)
-- the failures did not end the run
print("still running")
