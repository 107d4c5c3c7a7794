// Run it with: llmspell run examples/workflow.js -- 12 7 30
// A report pipeline as a workflow: numbers from the command line are summed and
// averaged in parallel, a loop grades each one, a condition picks the summary, and
// hooks and events watch it all. No network and no model needed.

let numbers = ARGS.positional.map(Number);
if (numbers.length === 0) numbers = [4, 8, 15];

// every tool call is counted by a hook; the workflow's own events are collected
let calls = 0;
await Hook.register("BeforeToolExecution", (ctx) => { calls += 1; });
const events = await Event.subscribe("workflow.*");

const stats = await Workflow.parallel({
  name: "stats",
  steps: [
    { name: "sum", tool: "calculator", input: { input: numbers.join(" + ") } },
    { name: "count", fn: (ctx) => numbers.length },
  ],
});

const grades = await Workflow.loop({
  name: "grades",
  collection: numbers,
  steps: [
    { name: "grade", fn: (ctx) => ctx.loop.item + (ctx.loop.item >= 10 ? " is high" : " is low") },
  ],
});

const report = await Workflow.builder()
  .name("report")
  .sequential()
  .addStep({ name: "stats", workflow: stats })
  .addStep({ name: "mean", tool: "calculator",
             input: { input: "{{steps.stats.outputs.sum.text}} / {{steps.stats.outputs.count}}" } })
  .addStep({ name: "grades", workflow: grades })
  .addStep({ name: "verdict", workflow: await Workflow.conditional({
      name: "verdict",
      condition: (ctx) => ctx.steps.grades.iterations.some((it) => it.outputs.grade.includes("high")),
      thenSteps: [{ name: "some", fn: () => "at least one high number" }],
      elseSteps: [{ name: "none", fn: () => "all numbers are low" }],
    }) })
  .build();

const r = await report.execute();
console.log(r.text);
console.log("mean: " + r.outputs.mean.text);
for (const it of r.outputs.grades.iterations) console.log("  " + it.outputs.grade);
const verdict = r.outputs.verdict.outputs;
console.log("verdict: " + (verdict.some ?? verdict.none));
console.log("tool calls seen by the hook: " + calls);

const kinds = [];
for (let e = await Event.receive(events, 0); e; e = await Event.receive(events, 0)) {
  kinds.push(e.event_type);
}
console.log("events: " + kinds.length + ", first " + kinds[0] + ", last " + kinds[kinds.length - 1]);
console.log("saved: " + (await State.workflowList("report")).join(", "));
