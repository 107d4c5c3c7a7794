// Option tables of Event take the language's names: queue_size / correlation_id in Lua,
// queueSize / correlationId in JavaScript (script-api.md#event-and-hook)
const sub = await Event.subscribe("conf.*", {queueSize: 1});
await Event.publish("conf.a", 1, {correlationId: "given-id"});
const e = await Event.receive(sub, 0);
console.log("correlation: " + e.correlation_id);
await Event.publish("conf.b", 2);
await Event.publish("conf.c", 3);
const s = (await Event.listSubscriptions())[0];
console.log("queue of 1: queued " + s.queued + ", dropped " + s.dropped);
console.log("kept: " + (await Event.receive(sub, 0)).event_type);
let kind = "accepted";
try { await Event.subscribe("conf.*", {queueSize: 0}); } catch (err) { kind = err.name; }
console.log("queue size 0: " + kind);
kind = "accepted";
try { await Event.subscribe("conf.*", {queueSise: 2}); } catch (err) { kind = err.name; }
console.log("unknown option: " + kind);
