-- hash-calculator: CPU or memory burnt inside one tool call
local r = Tool.execute("hash-calculator", { operation = "hash", input_type = "file", file = "sparse100g.bin", algorithm = "sha256" })
print("tool-result success=" .. tostring(r.success) .. " " .. tostring(r.error))
