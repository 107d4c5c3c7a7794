-- The built-in calculator: good expressions, variables, bad expressions, misuse
local function show(label, r)
  if r.success then
    local value = r.result.result
    if r.result.result_type == "float" then value = string.format("%.4f", value) end
    print(label .. ": ok " .. tostring(value) .. " (" .. r.result.result_type .. ") text=" .. r.text)
  else
    print(label .. ": failed " .. r.error_kind .. ": " .. r.error)
  end
end
print("exists: " .. tostring(Tool.exists("calculator")))
print("category: " .. Tool.get("calculator").category)
show("sum", Tool.execute("calculator", {input = "1 + 2"}))
show("precedence", Tool.execute("calculator", {input = "2 + 3 * 4 - 10 // 3"}))
show("power", Tool.execute("calculator", {input = "2 ** 10"}))
show("float", Tool.execute("calculator", {input = "7 / 2"}))
show("functions", Tool.execute("calculator", {input = "sqrt(16) + abs(-3) + max(1, 5)"}))
show("constant", Tool.execute("calculator", {input = "round(pi * 100)"}))
show("variables", Tool.execute("calculator", {input = "x * y + z", variables = {x = 4, y = 2.5, z = 1}}))
show("integer variables", Tool.execute("calculator", {input = "a * b", variables = {a = 6, b = 7}}))
show("divide by zero", Tool.execute("calculator", {input = "1/0"}))
show("not a number", Tool.execute("calculator", {input = "'a' * 3"}))
local bad = Tool.execute("calculator", {input = "2 +"})
print("syntax error: " .. tostring(bad.success) .. " " .. tostring(bad.error:find("cannot evaluate '2 +'", 1, true) == 1))
local unknown = Tool.execute("calculator", {input = "nope + 1"})
print("unknown name: " .. tostring(unknown.success) .. " " .. unknown.error_kind)
local escape = Tool.execute("calculator", {input = "__import__('os').system('echo pwned')"})
print("no python escape: " .. tostring(escape.success))
local valid = Tool.execute("calculator", {operation = "validate", input = "1 + x"})
local invalid = Tool.execute("calculator", {operation = "validate", input = "1 +"})
print("validate: " .. tostring(valid.result.valid) .. " " .. tostring(invalid.result.valid))
local fns = Tool.execute("calculator", {operation = "functions"}).result
print("has sqrt: " .. tostring(#fns.functions > 10) .. ", constants: " .. table.concat(fns.constants, ","))
local ok, err = pcall(Tool.execute, "calculator", {input = "x", variables = {x = "four"}})
print("bad variable: " .. tostring(ok) .. " " .. err:match("(ValidationError: .*)$"))
ok, err = pcall(Tool.execute, "calculator", {input = 42})
print("bad input type: " .. tostring(ok) .. " " .. err:match("(ValidationError: .*)$"))
print("metadata.tool: " .. Tool.execute("calculator", {input = "1"}).metadata.tool)
