// EventPublished runs for Event.publish from a spell, before delivery: modified changes
// the data, skip/cancel stop the event (publish returns false); the runtime's own events
// do not pass through it
const sub = await Event.subscribe("*");
const seen = [];
await Hook.register("EventPublished", (ctx) => {
  seen.push(ctx.data.event_type);
  if (ctx.data.event_type === "secret.thing") return "skip";
  if (ctx.data.event_type === "blocked.thing") return "cancel";
  if (ctx.data.event_type === "user.signup") {
    const data = ctx.data.data;
    data.email = "<redacted>";
    return {type: "modified", data: {data: data}};
  }
});
console.log("plain: " + await Event.publish("app.ping", {n: 1}));
console.log("skip: " + await Event.publish("secret.thing", {n: 2}));
console.log("cancel: " + await Event.publish("blocked.thing", {n: 3}));
console.log("modified: " + await Event.publish("user.signup", {name: "ana", email: "ana@example.com"}));
await Tool.execute("calculator", {input: "1 + 1"});        // publishes tool.started / tool.completed

const got = [];
for (let e = await Event.receive(sub, 0); e; e = await Event.receive(sub, 0)) {
  const extra = e.event_type === "user.signup" ? "(" + e.data.name + " " + e.data.email + ")" : "";
  got.push(e.event_type + extra);
}
console.log("delivered: " + got.join(" "));
console.log("hook saw: " + seen.join(" "));
