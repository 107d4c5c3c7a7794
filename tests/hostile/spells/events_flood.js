// 3000 events of 1 MB into a subscription nobody reads: bounded in bytes
const sub = await Event.subscribe("flood.*");
const mb = "x".repeat(2 ** 20);
for (let i = 1; i <= 3000; i++) await Event.publish("flood.item", { i, data: mb });
const stats = await Event.getStats();
print("published " + stats.published + " dropped " + stats.dropped);
