-- calculator: CPU or memory burnt inside one tool call
local r = Tool.execute("calculator", { input = "pow(7, 300000000)" })
print("tool-result success=" .. tostring(r.success) .. " " .. tostring(r.error))
