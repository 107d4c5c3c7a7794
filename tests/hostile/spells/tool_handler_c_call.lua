-- a long C call inside a tool handler, behind pcall
Tool.register({ name = "rep", description = "repeats", handler = function(params)
  return string.rep("", 2^62)
end })
pcall(Tool.execute, "rep", {})
print("SURVIVED")
