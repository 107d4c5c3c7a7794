-- Values must be JSON values; names must not be empty. Errors are ValidationErrors.
local function try(label, f, ...)
  local ok, err = pcall(f, ...)
  print(label .. ": " .. tostring(ok) .. " " .. err)
end
try("function value", State.save, "s", "k", function() end)
try("nested function", State.set, "k", {list = {1, print}})
try("empty key", State.save, "s", "", 1)
try("empty scope", State.save, "", "k", 1)
try("missing key", State.load, "s")
try("key not a string", State.get, 12)
print("nothing was stored: " .. #State.list_keys("s"))
-- uncaught: exit 1 with the location
State.set("bad", {f = print})
