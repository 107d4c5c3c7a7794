-- Lua runs finalizers with hooks off: a looping __gc escapes the count hook
setmetatable({}, { __gc = function() while true do end end })
collectgarbage()
collectgarbage()
print("SURVIVED")
