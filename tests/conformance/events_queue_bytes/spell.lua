-- A subscription's queue is bounded in bytes ([events] queue_bytes) as well as in count:
-- 5 events of ~600 KB into a 2 MiB queue keep the newest 3 (drop_oldest); an event larger
-- than the whole queue is dropped
local sub = Event.subscribe("big.*")
local chunk = string.rep("x", 600 * 1024)
for i = 1, 5 do Event.publish("big.one", { n = i, payload = chunk }) end
Event.publish("big.huge", { payload = string.rep("y", 3 * 1024 * 1024) })
local got = {}
while true do
  local e = Event.receive(sub, 0)
  if e == nil then break end
  got[#got + 1] = tostring(e.data.n)
end
print("received: " .. table.concat(got, ","))
local stats = Event.get_stats()
print("dropped: " .. stats.dropped .. ", queue_bytes: " .. stats.queue_bytes)
