// A full subscription queue drops the oldest event by default (a slow reader sees the
// newest); drops are counted per subscription and in Event.get_stats().dropped
const small = await Event.subscribe("tick", {queue_size: 3});
const big = await Event.subscribe("tick");
for (let i = 1; i <= 8; i++) await Event.publish("tick", {n: i});
async function drain(sub) {
  const got = [];
  for (let e = await Event.receive(sub, 0); e; e = await Event.receive(sub, 0)) got.push(e.data.n);
  return got.join(",");
}
const rows = {};
for (const s of await Event.listSubscriptions()) rows[s.id] = s;
console.log("small queue: queued " + rows[small].queued + ", dropped " + rows[small].dropped);
console.log("default queue: queued " + rows[big].queued + ", dropped " + rows[big].dropped);
console.log("small keeps: " + await drain(small));
console.log("default keeps: " + await drain(big));
const stats = await Event.getStats();
console.log("stats: overflow " + stats.overflow + ", queue_size " + stats.queue_size + ", dropped "
            + stats.dropped + ", published " + stats.published + ", delivered " + stats.delivered);
// publishing never blocks or fails because a reader is slow
let ok = true;
for (let i = 1; i <= 50; i++) ok = ok && await Event.publish("tick", {n: i});
console.log("50 more published: " + ok + ", dropped now " + (await Event.getStats()).dropped);
