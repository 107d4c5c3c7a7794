local a = Agent.create{ model = "slow/m" }
print("READY")
local r = a:execute("hi")
print("SURVIVED", r.text)
