// Hooks run highest priority first, equal priorities in registration order; Hook.list
// shows that order; the first hook that decides (not continue/modified) ends the chain;
// unregister; point names in snake_case; unknown points and priorities are errors
let order = [];
function hook(label, action) {
  return (ctx) => {
    order.push(label);
    return action;
  };
}
const handles = [
  await Hook.register("BeforeToolExecution", hook("lowest"), "lowest"),
  await Hook.register("BeforeToolExecution", hook("normal-1"), "normal"),
  await Hook.register("BeforeToolExecution", hook("highest"), "highest"),
  await Hook.register("BeforeToolExecution", hook("high"), "high"),
  await Hook.register("BeforeToolExecution", hook("low"), "low"),
  await Hook.register("before_tool_execution", hook("normal-2")),          // default priority, snake_case point
  await Hook.register("BeforeToolExecution", hook("high-2"), "high"),
];
await Tool.execute("calculator", {input: "1 + 1"});
console.log("ran: " + order.join(" "));

const rows = (await Hook.list("BeforeToolExecution")).map((h) => h.priority + "/" + h.source + "/" + typeof h.id);
console.log("list: " + rows.join(" "));
console.log("list matches handles: " + String((await Hook.list("BeforeToolExecution"))[0].id === await handles[2].id()));
console.log("handle: " + await handles[5].hookPoint() + " " + handles[5].point + " " + handles[5].priority);

// the first deciding hook ends the chain; modified data flows on
for (const h of handles) await h.unregister();
order = [];
const a = await Hook.register("BeforeToolExecution", (ctx) => {
  order.push("first saw " + ctx.data.params.input);
  return {type: "modified", data: {params: {input: "10 + 1"}}};
}, "high");
const b = await Hook.register("BeforeToolExecution", (ctx) => {
  order.push("second saw " + ctx.data.params.input);
  return {type: "modified", data: {params: {input: ctx.data.params.input + " + 1"}}};
}, "normal");
console.log("chained: " + (await Tool.execute("calculator", {input: "1 + 1"})).text + " (" + order.join(", ") + ")");
order = [];
const c = await Hook.register("BeforeToolExecution", hook("decider", "skip"), "highest");
const r = await Tool.execute("calculator", {input: "1 + 1"});
console.log("decided: skipped " + r.skipped + ", ran " + order.join(" "));

// unregister: true once, then false; by handle or through Hook.unregister
console.log("unregister: " + await c.unregister() + " " + await c.unregister() + " "
            + await Hook.unregister(a) + " " + await Hook.unregister(a) + " " + await Hook.unregister(b));
console.log("left: " + (await Hook.list("BeforeToolExecution")).length + " " + (await Hook.list()).length);

// Hook.list() without a point: every hook, point by point
await Hook.register("AfterToolExecution", hook("x"));
await Hook.register("BeforeToolExecution", hook("y"), "low");
await Hook.register("StateChanged", hook("z"));
console.log("all: " + (await Hook.list()).map((h) => h.point + ":" + h.priority).join(" "));

// the points, and errors
const points = await Hook.points();
console.log("points: " + points.length + ", has WorkflowStageTransition: "
            + String(points.includes("WorkflowStageTransition")));
try { await Hook.register("BeforeToolExecutoin", () => null); } catch (err) {
  console.log((err.name + ": " + err.message).replace(/ \(points: .*$/, ""));
}
try { await Hook.register("BeforeToolExecution", () => null, "urgent"); } catch (err) {
  console.log(err.name + ": " + err.message);
}
