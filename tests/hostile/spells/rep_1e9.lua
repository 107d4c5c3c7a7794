-- a 1 GB string in one call
local s = ("x"):rep(1e9)
print("SURVIVED", #s)
