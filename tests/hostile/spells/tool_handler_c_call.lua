-- long C calls inside a tool handler, behind pcall, forever
Tool.register({ name = "rep", description = "repeats", handler = function(params)
  string.rep("", 2^62)
  return table.move({}, 1, math.maxinteger - 1, 2)
end })
while true do pcall(Tool.execute, "rep", {}) end
print("SURVIVED")
