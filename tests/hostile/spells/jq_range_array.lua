-- json-processor: CPU or memory burnt inside one tool call
local r = Tool.execute("json-processor", { operation = "query", input = "null", query = "[range(1e8)] | length" })
print("tool-result success=" .. tostring(r.success) .. " " .. tostring(r.error))
