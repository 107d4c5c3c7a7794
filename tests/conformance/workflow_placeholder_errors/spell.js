// A placeholder that names nothing fails its step with a WorkflowError naming the
// placeholder; it never becomes an empty string
async function fails(wf, input) {
  try {
    await wf.execute(input);
    console.log("raised: false");
  } catch (err) {
    console.log("raised: true");
    console.log(err.name + ": " + err.message);
  }
}

// a step that has not run (yet): fail_fast raises, naming the step and the placeholder
await fails(await Workflow.sequential({name: "conf-early", steps: [
  {name: "first", fn: () => "one"},
  {name: "second", fn: (ctx) => ctx.input, input: "{{steps.third.text}}"},
  {name: "third", fn: () => "three"},
]}));

// under "continue" the failure is the step's record; the other steps run
const wf = await Workflow.sequential({name: "conf-missing", errorStrategy: "continue", steps: [
  {name: "field", fn: (ctx) => ctx.input, input: "x={{input.nope}}"},
  {name: "index", fn: (ctx) => ctx.input, input: "{{input.tags.3}}"},
  {name: "zero", fn: (ctx) => ctx.input, input: "{{input.tags.0}}"},
  {name: "loop", fn: (ctx) => ctx.input, input: "{{loop.index}}"},
  {name: "shared", fn: (ctx) => ctx.input, input: "{{shared.none}}"},
  {name: "unknown", fn: (ctx) => ctx.input, input: "{{step.nowhere.result}}"},
  {name: "nested", fn: (ctx) => ctx.input, input: {deep: ["{{steps.nowhere.text}}"]}},
  {name: "ok", fn: (ctx) => ctx.input, input: "tag={{input.tags.2}}"},
]});
const r = await wf.execute({tags: ["a", "b"]});
console.log("success: " + r.success);
console.log("text: " + r.text);
for (const s of r.steps) {
  console.log(s.name + ": " + s.success + " " + (s.error ?? "-"));
}
console.log("ok output: " + r.outputs.ok);
console.log("failed outputs absent: " + String(r.outputs.field == null && r.outputs.nested == null));
console.log("failed_steps: " + r.metadata.extra.failed_steps);
console.log("error: " + r.error);
