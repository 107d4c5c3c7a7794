-- json-processor: jq queries on JSON text and on values, validation, formatting, bad input
local doc = '{"users": [{"name": "Ada", "age": 36}, {"name": "Alan", "age": 41}, {"name": "Grace", "age": 29}]}'
local function show(label, r)
  if r.success then print(label .. ": " .. r.text) else print(label .. ": failed " .. r.error_kind .. ": " .. r.error) end
end
show("length", Tool.execute("json-processor", {operation = "query", input = doc, query = ".users | length"}))
show("select", Tool.execute("json-processor", {input = doc, query = "[.users[] | select(.age > 30) | .name]"}))
local many = Tool.execute("json-processor", {input = doc, query = ".users[].name"})
print("several outputs: " .. many.result.count .. " " .. table.concat(many.result.result, ","))
show("transform", Tool.execute("json-processor", {operation = "transform", input = doc, query = "{names: [.users[].name] | sort}"}))
local schema = {type = "object", required = {"users"}, properties = {users = {type = "array"}}}
local valid = Tool.execute("json-processor", {operation = "validate", input = doc, schema = schema})
print("validate: " .. tostring(valid.success) .. " " .. tostring(valid.result.valid))
local invalid = Tool.execute("json-processor", {operation = "validate", input = '{"users": 5}', schema = schema})
print("validate wrong type: " .. tostring(invalid.result.valid))
show("bad json", Tool.execute("json-processor", {input = "{bad", query = "."}))
local badq = Tool.execute("json-processor", {input = doc, query = ".users[] | nosuchfn"})
print("bad query: " .. tostring(badq.success))
