// The runtime's events, in order: tool.started/completed/failed, workflow.started,
// workflow.step.completed, workflow.completed/failed, state.changed; no parameters or values
const sub = await Event.subscribe("*");
function show(e) {
  const d = e.data || {};
  const parts = [e.event_type, "{" + Object.keys(d).sort().join(",") + "}"];
  for (const k of ["tool", "workflow", "type", "step", "success", "iteration", "error_kind", "scope", "key", "action"]) {
    if (d[k] != null) parts.push(k + "=" + String(d[k]));
  }
  if (d.keys) parts.push("keys=" + d.keys.join("+"));
  if (d.duration_ms != null) parts.push("duration:" + typeof d.duration_ms);
  if (d.error != null) parts.push("error:" + typeof d.error);
  console.log(parts.join(" "));
}
async function drain(label) {
  console.log("-- " + label);
  for (let e = await Event.receive(sub, 0); e; e = await Event.receive(sub, 0)) show(e);
}

await Tool.execute("calculator", {input: "2 + 2"});
await Tool.execute("calculator", {input: "2 +"});
try { await Tool.execute("file-operations", {operation: "read", path: "/etc/hostname"}); } catch (err) { /* denied */ }
await drain("tools");

await State.set("color", "blue");
await State.delete("global", "color");
await drain("state");

const wf = await Workflow.sequential({name: "conf-events", steps: [
  {name: "calc", tool: "calculator", input: {input: "1 + 2"}},
  {name: "fn", fn: () => "x"},
]});
const r = await wf.execute();
const first = await Event.receive(sub, 0);
console.log("workflow events carry the execution id: " + String(first.correlation_id === r.metadata.extra.execution_id));
show(first);
await drain("workflow");

const loop = await Workflow.loop({name: "conf-loop-events", range: {start: 1, end: 2},
  steps: [{name: "body", fn: (ctx) => ctx.loop.index}]});
await loop.execute();
await drain("loop");

const failing = await Workflow.sequential({name: "conf-failing-events", steps: [
  {name: "bad", fn: () => { throw new Error("ToolError: broken"); }},
]});
try { await failing.execute(); } catch (err) { /* fail_fast */ }
await drain("failure");
