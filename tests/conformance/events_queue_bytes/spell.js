// A subscription's queue is bounded in bytes ([events] queue_bytes) as well as in count:
// 5 events of ~600 KB into a 2 MiB queue keep the newest 3 (drop_oldest); an event larger
// than the whole queue is dropped
const sub = await Event.subscribe("big.*");
const chunk = "x".repeat(600 * 1024);
for (let i = 1; i <= 5; i++) await Event.publish("big.one", { n: i, payload: chunk });
await Event.publish("big.huge", { payload: "y".repeat(3 * 1024 * 1024) });
const got = [];
for (;;) {
  const e = await Event.receive(sub, 0);
  if (e === null || e === undefined) break;
  got.push(String(e.data.n));
}
print("received: " + got.join(","));
const stats = await Event.getStats();
print("dropped: " + stats.dropped + ", queue_bytes: " + stats.queue_bytes);
