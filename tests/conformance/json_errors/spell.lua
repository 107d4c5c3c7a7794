-- JSON errors are ValidationErrors, catchable with pcall
local function try(label, f, ...)
  local ok, err = pcall(f, ...)
  print(label .. ": " .. tostring(ok) .. " " .. err)
end
try("truncated", JSON.parse, "{")
try("trailing comma", JSON.parse, "[1, 2,]")
try("empty", JSON.parse, "")
try("not a string", JSON.parse, 42)
try("function", JSON.stringify, {f = print})
try("nan", JSON.stringify, {1, 0 / 0})
local cyclic = {}
cyclic.self = cyclic
local ok, err = pcall(JSON.stringify, cyclic)
print("cyclic: " .. tostring(ok) .. " " .. err:match("^(%a+Error)"))
-- uncaught: exit code 1, file:line on stderr
JSON.parse("[1, 2")
