-- 3e8 iterations inside a finalizer, under instruction_limit = 100000
setmetatable({}, { __gc = function()
  local x = 0
  for i = 1, 3e8 do x = x + i end
end })
collectgarbage()
collectgarbage()
print("SURVIVED")
