-- file-search: CPU or memory burnt inside one tool call
local r = Tool.execute("file-search", { pattern = "a*a*a*a*a*a*a*a*c", path = "line200k.txt", use_regex = true })
print("tool-result success=" .. tostring(r.success) .. " " .. tostring(r.error))
