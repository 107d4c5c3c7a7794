-- Misuse raises (NotFoundError, ValidationError); it is catchable with pcall
Tool.register({
  name = "conf-typed",
  description = "Needs an integer n",
  parameters = {type = "object", properties = {n = {type = "integer"}}, required = {"n"}},
  handler = function(params) return params.n end,
})
local function try(label, f, ...)
  local ok, err = pcall(f, ...)
  print(label .. ": " .. tostring(ok) .. " " .. err)
end
try("close name", Tool.execute, "conf-typd", {n = 1})
try("wrong type", Tool.execute, "conf-typed", {n = "one"})
try("missing param", Tool.execute, "conf-typed", {})
try("extra type check", Tool.execute, "conf-typed", {n = 1.5})
try("schema of unknown", Tool.schema, "conf-typedd")
try("register without name", Tool.register, {description = "x", handler = print})
try("register without handler", Tool.register, {name = "conf-x", description = "x"})
print("valid call still works: " .. Tool.execute("conf-typed", {n = 5}).result)
local ok, err = pcall(Tool.execute, "conf-unknown-tool-xyz", {})
print("unknown tool: " .. tostring(ok) .. " " .. err:match("^(NotFoundError: unknown tool '[^']+')"))
