-- calculator: CPU or memory burnt inside one tool call
local r = Tool.execute("calculator", { input = "factorial(1000000) % 7" })
print("tool-result success=" .. tostring(r.success) .. " " .. tostring(r.error))
