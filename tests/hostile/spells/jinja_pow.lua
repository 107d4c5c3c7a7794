-- template-creator: CPU or memory burnt inside one tool call
local r = Tool.execute("template-creator", { input = "{{ (7 ** 30000000) % 10 }}" })
print("tool-result success=" .. tostring(r.success) .. " " .. tostring(r.error))
