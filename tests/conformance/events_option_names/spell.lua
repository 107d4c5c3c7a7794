-- Option tables of Event take the language's names: queue_size / correlation_id in Lua,
-- queueSize / correlationId in JavaScript (SCRIPT-API.md §0)
local sub = Event.subscribe("conf.*", {queue_size = 1})
Event.publish("conf.a", 1, {correlation_id = "given-id"})
local e = Event.receive(sub, 0)
print("correlation: " .. e.correlation_id)
Event.publish("conf.b", 2)
Event.publish("conf.c", 3)
local s = Event.list_subscriptions()[1]
print("queue of 1: queued " .. s.queued .. ", dropped " .. s.dropped)
print("kept: " .. Event.receive(sub, 0).event_type)
local ok, err = pcall(Event.subscribe, "conf.*", {queue_size = 0})
print("queue size 0: " .. (tostring(err):match("(%a+Error)") or "accepted"))
