-- a busy __tostring, called from C by print
local evil = setmetatable({}, { __tostring = function() while true do end end })
print(evil)
print("SURVIVED")
