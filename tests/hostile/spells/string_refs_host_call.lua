-- a 30 MB string referenced 200 times, handed to the host as a tool input
local s = string.rep("x", 30 * 2^20)
local t = {}
for i = 1, 200 do t[i] = s end
local r = Tool.execute("json-processor", { operation = "query", input = t, query = "length" })
print("SURVIVED", r.text)
