-- a 30 MB string referenced 200 times: 6 GB once serialized (host JSON.stringify)
local s = string.rep("x", 30 * 2^20)
local t = {}
for i = 1, 200 do t[i] = s end
local text = JSON.stringify(t)
print("SURVIVED", #text)
