-- the attack inside a spell-registered tool's handler
Tool.register({ name = "spin", description = "spins", handler = function(params)
  while true do end
end })
Tool.execute("spin", {})
print("SURVIVED")
