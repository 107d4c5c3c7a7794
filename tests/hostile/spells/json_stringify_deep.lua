-- a 1e6-deep table for the host serializer
local root = {}
local node = root
for i = 1, 1e6 do node[1] = {}; node = node[1] end
local text = JSON.stringify(root)
print("SURVIVED", #text)
