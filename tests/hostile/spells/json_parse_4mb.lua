-- 4 MB of JSON text whose value is far larger than --memory-mb 20 (host JSON.parse)
local text = "[" .. string.rep("[1],", 1e6) .. "[1]]"
local v = JSON.parse(text)
print("SURVIVED", #v)
