-- 3000 events of 1 MB into a subscription nobody reads: bounded in bytes
local sub = Event.subscribe("flood.*")
local mb = string.rep("x", 2^20)
for i = 1, 3000 do Event.publish("flood.item", { i = i, data = mb }) end
local stats = Event.get_stats()
print("published " .. tostring(stats.published) .. " dropped " .. tostring(stats.dropped))
