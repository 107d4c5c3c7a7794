// After a run, the outputs of the steps that succeeded are saved to State, scope
// "workflow:<id>" (the id is the name): State.workflow_get(id, step), State.workflow_list(id)
const wf = await Workflow.sequential({name: "conf-saved", errorStrategy: "continue", steps: [
  {name: "calc", tool: "calculator", input: {input: "{{input}} * 3"}},
  {name: "broken", tool: "calculator", input: {input: "1 +"}},
  {name: "record", fn: (ctx) => ({value: ctx.steps.calc.result.result, tags: ["a", "b"]})},
  {name: "object", fn: async () => await Workflow.get("conf-saved")},   // not a JSON value
]});
console.log("before: " + (await State.workflowList("conf-saved")).length);
const r = await wf.execute("5");
console.log("object output is the workflow: " + r.outputs.object.name);
console.log("saved steps: " + (await State.workflowList("conf-saved")).join(","));
console.log("scope keys: " + (await State.listKeys("workflow:conf-saved")).join(","));
const calc = await State.workflowGet("conf-saved", "calc");
console.log("calc: " + calc.text + " " + calc.success + " " + calc.result.result);
const rec = await State.workflowGet("conf-saved", "record");
console.log("record: " + rec.value + " " + rec.tags.join("+"));
console.log("failed step not saved: " + String((await State.workflowGet("conf-saved", "broken")) == null));
console.log("load: " + (await State.load("workflow:conf-saved", "calc")).text);

// a later run replaces the values
await wf.execute("7");
console.log("after second run: " + (await State.workflowGet("conf-saved", "calc")).text);

// a loop saves its last iteration's outputs
const loop = await Workflow.loop({name: "conf-saved-loop", range: {start: 1, end: 3},
  steps: [{name: "sq", tool: "calculator", input: {input: "{{loop.item}} ** 2"}}]});
await loop.execute();
console.log("loop: " + (await State.workflowList("conf-saved-loop")).join(",") + " = "
            + (await State.workflowGet("conf-saved-loop", "sq")).text);

// a run that fails (fail_fast) still saves what succeeded before the failure
const strict = await Workflow.sequential({name: "conf-saved-strict", steps: [
  {name: "first", fn: () => "kept"},
  {name: "bad", tool: "calculator", input: {input: "2 +"}},
  {name: "never", fn: () => "never"},
]});
try { await strict.execute(); } catch (err) { /* expected */ }
console.log("after failure: " + (await State.workflowList("conf-saved-strict")).join(",") + " = "
            + await State.workflowGet("conf-saved-strict", "first"));
