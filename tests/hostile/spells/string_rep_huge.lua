-- one C call that loops 2^62 times and allocates nothing
local s = string.rep("", 2^62)
print("SURVIVED", #s)
