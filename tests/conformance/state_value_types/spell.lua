-- Values keep their JSON type and content through the host (saved, loaded, rendered
-- by Debug.dump the same way in every language); NaN and infinities are not JSON values
local values = {
  {"integer", 42},
  {"negative", -7},
  {"float", 2.5},
  {"largest safe integer", 9007199254740991},
  {"string", "café 😀 \"quoted\"\ttab"},
  {"empty string", ""},
  {"true", true},
  {"false", false},
  {"array", {1, "two", {3, {4}}}},
  {"object", {b = 1, a = {c = "x", d = {true, false}}}},
  {"empty object", {}},
}
for _, pair in ipairs(values) do
  local name, value = pair[1], pair[2]
  State.save("values", name, value)
  local back = State.load("values", name)
  print(name .. ": " .. Debug.dump(back):gsub("%s*\n%s*", " ")
    .. " | same: " .. tostring(Debug.dump(back) == Debug.dump(value)))
end
print("keys: " .. table.concat(State.list_keys("values"), ","))
local function try(label, value)
  local ok, err = pcall(State.save, "values", label, value)
  print(label .. ": " .. tostring(ok) .. " " .. err:match("^(%a+Error)"))
end
try("nan", 0 / 0)
try("infinity", math.huge)
try("nested -infinity", {x = {-math.huge}})
