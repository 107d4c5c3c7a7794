// Event.publish / subscribe / receive: patterns (*, prefix.*, exact, ? and [...]),
// the event's fields, receive timeouts, unsubscribe, list_subscriptions, get_stats
const all = await Event.subscribe("*");
const orders = await Event.subscribe("order.*");
const exact = await Event.subscribe("order.created");
const glob = await Event.subscribe("order.pai?");
const set = await Event.subscribe("[ab]*.done");

console.log("publish: " + await Event.publish("order.created", {id: 7}));
await Event.publish("invoice.sent", {id: 9});
await Event.publish("order.paid", {id: 7, amount: 12.5});
await Event.publish("order.item.added", {sku: "x1"});
await Event.publish("a.done");
await Event.publish("c.done", "ignored by [ab]*");
await Event.publish("b.done", {ok: true}, {correlation_id: "my-correlation"});

async function drain(label, sub) {
  const types = [];
  for (let e = await Event.receive(sub, 0); e; e = await Event.receive(sub, 0)) types.push(e.event_type);
  console.log(label + ": " + types.join(" "));
}

// the fields of one event
const first = await Event.receive(all, 100);
console.log("fields: " + first.event_type + " " + first.data.id + " " + typeof first.sequence + " "
            + typeof first.timestamp + " " + typeof first.correlation_id);
console.log("timestamp is ISO 8601 UTC with ms: "
            + String(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}/.test(first.timestamp)));
const second = await Event.receive(all, 100);
console.log("sequence +1: " + (second.sequence - first.sequence) + ", same run id: "
            + String(second.correlation_id === first.correlation_id));
const third = await Event.receive(all, 100);
console.log("float data: " + third.data.amount);
await drain("rest of *", all);
await drain("order.*", orders);
await drain("exact", exact);
await drain("order.pai?", glob);
const ab = await Event.receive(set, 0);
console.log("[ab]*.done: " + ab.event_type + " data nil " + String(ab.data == null));
const b = await Event.receive(set, 0);
console.log("given correlation: " + b.event_type + " " + b.correlation_id + " " + b.data.ok);

// nothing queued: nil at once (0) or after the timeout
const none0 = await Event.receive(orders, 0);
console.log("receive 0: " + (none0 == null ? "nil" : "event"));
const none30 = await Event.receive(orders, 30);
console.log("receive 30: " + (none30 == null ? "nil" : "event"));

// list_subscriptions: this run's subscriptions and their counts
await Event.publish("order.late", {});
const rows = await Event.listSubscriptions();
rows.sort((x, y) => (x.pattern < y.pattern ? -1 : 1));
for (const s of rows) {
  console.log("sub " + s.pattern + ": queued " + s.queued + ", received " + s.received + ", dropped "
              + s.dropped + ", id " + typeof s.id);
}

// unsubscribe: true once; the subscription is gone
console.log("unsubscribe: " + await Event.unsubscribe(glob) + " " + await Event.unsubscribe(glob));
console.log("subscriptions left: " + (await Event.listSubscriptions()).length);

const stats = await Event.getStats();
console.log("stats: published " + stats.published + ", delivered " + stats.delivered + ", dropped "
            + stats.dropped + ", subscriptions " + stats.subscriptions + ", queue_size "
            + stats.queue_size + ", overflow " + stats.overflow + ", listeners " + typeof stats.listeners);

// misuse
async function kind(fn) {
  try { await fn(); return "none"; } catch (e) { return e.name; }
}
console.log("empty type: " + await kind(() => Event.publish("", {})));
console.log("function data: " + await kind(() => Event.publish("x", {f: console.log})));
console.log("bad queue_size: " + await kind(() => Event.subscribe("x", {queue_size: 0})));
