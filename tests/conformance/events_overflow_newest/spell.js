// [events] overflow = "drop_newest" keeps the oldest events of a full queue (the new ones
// are dropped); [events] queue_size sets the default size; a subscription may ask for its own
const dflt = await Event.subscribe("tick");
const own = await Event.subscribe("tick", {queue_size: 5});
for (let i = 1; i <= 8; i++) await Event.publish("tick", {n: i});
async function drain(sub) {
  const got = [];
  for (let e = await Event.receive(sub, 0); e; e = await Event.receive(sub, 0)) got.push(e.data.n);
  return got.join(",");
}
const rows = {};
for (const s of await Event.listSubscriptions()) rows[s.id] = s;
console.log("configured size: queued " + rows[dflt].queued + ", dropped " + rows[dflt].dropped);
console.log("own size: queued " + rows[own].queued + ", dropped " + rows[own].dropped);
console.log("configured keeps: " + await drain(dflt));
console.log("own keeps: " + await drain(own));
const stats = await Event.getStats();
console.log("stats: overflow " + stats.overflow + ", queue_size " + stats.queue_size + ", dropped " + stats.dropped);
// after reading, the queue takes new events again
await Event.publish("tick", {n: 9});
console.log("after draining: " + await drain(dflt));
