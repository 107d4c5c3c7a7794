-- the attack inside a coroutine
local co = coroutine.wrap(function() while true do end end)
co()
print("SURVIVED")
