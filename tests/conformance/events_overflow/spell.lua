-- A full subscription queue drops the oldest event by default (a slow reader sees the
-- newest); drops are counted per subscription and in Event.get_stats().dropped
local small = Event.subscribe("tick", {queue_size = 3})
local big = Event.subscribe("tick")
for i = 1, 8 do Event.publish("tick", {n = i}) end
local function drain(sub)
  local got = {}
  local e = Event.receive(sub, 0)
  while e do got[#got + 1] = e.data.n; e = Event.receive(sub, 0) end
  return table.concat(got, ",")
end
local rows = {}
for _, s in ipairs(Event.list_subscriptions()) do rows[s.id] = s end
print("small queue: queued " .. rows[small].queued .. ", dropped " .. rows[small].dropped)
print("default queue: queued " .. rows[big].queued .. ", dropped " .. rows[big].dropped)
print("small keeps: " .. drain(small))
print("default keeps: " .. drain(big))
local stats = Event.get_stats()
print("stats: overflow " .. stats.overflow .. ", queue_size " .. stats.queue_size .. ", dropped "
      .. stats.dropped .. ", published " .. stats.published .. ", delivered " .. stats.delivered)
-- publishing never blocks or fails because a reader is slow
local ok = true
for i = 1, 50 do ok = ok and Event.publish("tick", {n = i}) end
print("50 more published: " .. tostring(ok) .. ", dropped now " .. Event.get_stats().dropped)
