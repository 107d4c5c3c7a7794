-- An uncaught error raised by a host call inside nested functions reports the line of
-- that call (not of the outer call)
local function load_record(name)
  print("loading " .. name)
  local record = Tool.execute(name, {})
  return record
end
local function outer(name)
  local record = load_record(name)
  return record
end
-- (caught through a Lua function, the message starts with "spell.lua:5: ")
local ok, err = pcall(outer, "conf-missing-1")
print("caught: " .. tostring(ok) .. " " .. err:match("(%a+Error: unknown tool '[^']+')"))
outer("conf-missing-2")
print("never printed")
