-- a looping finalizer left for the state's close, after the spell is done
setmetatable({}, { __gc = function() while true do end end })
print("done")
