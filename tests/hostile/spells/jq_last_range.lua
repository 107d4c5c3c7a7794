-- json-processor: CPU or memory burnt inside one tool call
local r = Tool.execute("json-processor", { operation = "query", input = "null", query = "last(range(1e15))" })
print("tool-result success=" .. tostring(r.success) .. " " .. tostring(r.error))
