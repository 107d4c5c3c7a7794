-- Event.publish / subscribe / receive: patterns (*, prefix.*, exact, ? and [...]),
-- the event's fields, receive timeouts, unsubscribe, list_subscriptions, get_stats
local all = Event.subscribe("*")
local orders = Event.subscribe("order.*")
local exact = Event.subscribe("order.created")
local glob = Event.subscribe("order.pai?")
local set = Event.subscribe("[ab]*.done")

print("publish: " .. tostring(Event.publish("order.created", {id = 7})))
Event.publish("invoice.sent", {id = 9})
Event.publish("order.paid", {id = 7, amount = 12.5})
Event.publish("order.item.added", {sku = "x1"})
Event.publish("a.done")
Event.publish("c.done", "ignored by [ab]*")
Event.publish("b.done", {ok = true}, {correlation_id = "my-correlation"})

local function drain(label, sub)
  local types = {}
  local e = Event.receive(sub, 0)
  while e do
    types[#types + 1] = e.event_type
    e = Event.receive(sub, 0)
  end
  print(label .. ": " .. table.concat(types, " "))
end

-- the fields of one event
local first = Event.receive(all, 100)
print("fields: " .. first.event_type .. " " .. first.data.id .. " " .. type(first.sequence) .. " "
      .. type(first.timestamp) .. " " .. type(first.correlation_id))
print("timestamp is ISO 8601 UTC with ms: "
      .. tostring(first.timestamp:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d%.%d%d%d") ~= nil))
local second = Event.receive(all, 100)
print("sequence +1: " .. (second.sequence - first.sequence) .. ", same run id: "
      .. tostring(second.correlation_id == first.correlation_id))
local third = Event.receive(all, 100)
print("float data: " .. third.data.amount)
drain("rest of *", all)
drain("order.*", orders)
drain("exact", exact)
drain("order.pai?", glob)
local ab = Event.receive(set, 0)
print("[ab]*.done: " .. ab.event_type .. " data nil " .. tostring(ab.data == nil))
local b = Event.receive(set, 0)
print("given correlation: " .. b.event_type .. " " .. b.correlation_id .. " " .. tostring(b.data.ok))

-- nothing queued: nil at once (0) or after the timeout
print("receive 0: " .. tostring(Event.receive(orders, 0)))
print("receive 30: " .. tostring(Event.receive(orders, 30)))

-- list_subscriptions: this run's subscriptions and their counts
Event.publish("order.late", {})
local rows = Event.list_subscriptions()
table.sort(rows, function(x, y) return x.pattern < y.pattern end)
for _, s in ipairs(rows) do
  print("sub " .. s.pattern .. ": queued " .. s.queued .. ", received " .. s.received .. ", dropped "
        .. s.dropped .. ", id " .. type(s.id))
end

-- unsubscribe: true once; the subscription is gone
print("unsubscribe: " .. tostring(Event.unsubscribe(glob)) .. " " .. tostring(Event.unsubscribe(glob)))
print("subscriptions left: " .. #Event.list_subscriptions())

local stats = Event.get_stats()
print("stats: published " .. stats.published .. ", delivered " .. stats.delivered .. ", dropped "
      .. stats.dropped .. ", subscriptions " .. stats.subscriptions .. ", queue_size "
      .. stats.queue_size .. ", overflow " .. stats.overflow .. ", listeners " .. type(stats.listeners))

-- misuse
local function err(fn, ...)
  local ok, e = pcall(fn, ...)
  return (tostring(e):gsub("^[^\n]-:%d+: ", "")):match("^(%a+Error)")
end
print("empty type: " .. err(Event.publish, "", {}))
print("function data: " .. err(Event.publish, "x", {f = print}))
print("bad queue_size: " .. err(Event.subscribe, "x", {queue_size = 0}))
