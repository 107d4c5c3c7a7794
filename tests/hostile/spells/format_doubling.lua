-- string.format doubling a string until it is 2^40 bytes
local s = "x"
for i = 1, 40 do s = string.format("%s%s", s, s) end
print("SURVIVED", #s)
