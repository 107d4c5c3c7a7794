-- a host value (a 40 MB file's text) as large as the engine's memory limit
local r = Tool.execute("file-operations", { operation = "read", path = "data40.txt" })
print("read " .. tostring(r.success) .. " " .. #(r.text or ""))
