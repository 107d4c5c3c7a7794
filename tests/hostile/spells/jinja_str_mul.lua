-- template-creator: CPU or memory burnt inside one tool call
local r = Tool.execute("template-creator", { input = "{{ ('x' * 3000000000) | length }}" })
print("tool-result success=" .. tostring(r.success) .. " " .. tostring(r.error))
