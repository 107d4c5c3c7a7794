-- EventPublished runs for Event.publish from a spell, before delivery: modified changes
-- the data, skip/cancel stop the event (publish returns false); the runtime's own events
-- do not pass through it
local sub = Event.subscribe("*")
local seen = {}
Hook.register("EventPublished", function(ctx)
  seen[#seen + 1] = ctx.data.event_type
  if ctx.data.event_type == "secret.thing" then return "skip" end
  if ctx.data.event_type == "blocked.thing" then return "cancel" end
  if ctx.data.event_type == "user.signup" then
    local data = ctx.data.data
    data.email = "<redacted>"
    return {type = "modified", data = {data = data}}
  end
end)
print("plain: " .. tostring(Event.publish("app.ping", {n = 1})))
print("skip: " .. tostring(Event.publish("secret.thing", {n = 2})))
print("cancel: " .. tostring(Event.publish("blocked.thing", {n = 3})))
print("modified: " .. tostring(Event.publish("user.signup", {name = "ana", email = "ana@example.com"})))
Tool.execute("calculator", {input = "1 + 1"})        -- publishes tool.started / tool.completed

local got = {}
local e = Event.receive(sub, 0)
while e do
  local extra = ""
  if e.event_type == "user.signup" then extra = "(" .. e.data.name .. " " .. e.data.email .. ")" end
  got[#got + 1] = e.event_type .. extra
  e = Event.receive(sub, 0)
end
print("delivered: " .. table.concat(got, " "))
print("hook saw: " .. table.concat(seen, " "))
