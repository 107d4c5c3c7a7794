-- [events] overflow = "drop_newest" keeps the oldest events of a full queue (the new ones
-- are dropped); [events] queue_size sets the default size; a subscription may ask for its own
local default = Event.subscribe("tick")
local own = Event.subscribe("tick", {queue_size = 5})
for i = 1, 8 do Event.publish("tick", {n = i}) end
local function drain(sub)
  local got = {}
  local e = Event.receive(sub, 0)
  while e do got[#got + 1] = e.data.n; e = Event.receive(sub, 0) end
  return table.concat(got, ",")
end
local rows = {}
for _, s in ipairs(Event.list_subscriptions()) do rows[s.id] = s end
print("configured size: queued " .. rows[default].queued .. ", dropped " .. rows[default].dropped)
print("own size: queued " .. rows[own].queued .. ", dropped " .. rows[own].dropped)
print("configured keeps: " .. drain(default))
print("own keeps: " .. drain(own))
local stats = Event.get_stats()
print("stats: overflow " .. stats.overflow .. ", queue_size " .. stats.queue_size .. ", dropped " .. stats.dropped)
-- after reading, the queue takes new events again
Event.publish("tick", {n = 9})
print("after draining: " .. drain(default))
