-- the message handler of xpcall loops
xpcall(function() error("x") end, function() while true do end end)
print("SURVIVED")
