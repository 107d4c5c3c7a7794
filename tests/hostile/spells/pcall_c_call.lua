-- pcall / xpcall around a long C call must not swallow the limit
for i = 1, 1e9 do
  pcall(string.rep, "", 2^62)
  xpcall(table.move, function(e) return e end, {}, 1, math.maxinteger - 1, 2)
end
print("SURVIVED")
