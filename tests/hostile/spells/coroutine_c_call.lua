-- a long C call inside a coroutine
local co = coroutine.wrap(function() return string.rep("", 2^62) end)
co()
print("SURVIVED")
