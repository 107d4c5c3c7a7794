// A workflow is a step of another: it gets the step's input (or the outer input), sees the
// outer workflow's outputs in placeholders and functions, and its result is the step's output
const inner = await Workflow.sequential({name: "conf-inner", steps: [
  {name: "double", tool: "calculator", input: {input: "{{steps.base.text}} * 2"}},
  {name: "describe", fn: (ctx) => "inner got " + String(ctx.input) + ", base " + ctx.steps.base.text},
]});
const fan = await Workflow.parallel({name: "conf-fan", steps: [
  {name: "p1", fn: (ctx) => "p1:" + ctx.input.tag},
  {name: "p2", fn: (ctx) => "p2:" + ctx.input.tag},
]});
const each = await Workflow.loop({name: "conf-each", collection: ["x", "y"], steps: [
  {name: "tagged", fn: (ctx) => ctx.loop.item + "@" + ctx.steps.base.text},
]});
const outer = await Workflow.sequential({name: "conf-outer", steps: [
  {name: "base", tool: "calculator", input: {input: "{{input.n}} + 1"}},
  {name: "inner", workflow: inner, input: "hello"},
  {name: "fan", type: "workflow", workflow: fan},
  {name: "each", workflow: each},
  {name: "summary", fn: (ctx) => ctx.input,
   input: "inner text: {{steps.inner.text}} | double: {{steps.inner.output.outputs.double.text}}"},
]});
const r = await outer.execute({n: 4, tag: "t"});
console.log("success: " + r.success + " " + r.text);
console.log("inner: " + r.outputs.inner.outputs.double.text + " / " + r.outputs.inner.outputs.describe);
console.log("inner type: " + r.outputs.inner.metadata.extra.workflow_type + " " + r.outputs.inner.metadata.extra.workflow_name);
console.log("fan (outer input): " + r.outputs.fan.outputs.p1 + " " + r.outputs.fan.outputs.p2);
console.log("each: " + r.outputs.each.outputs.tagged + " " + r.outputs.each.iterations.length);
console.log("summary: " + r.outputs.summary);
console.log("outer records: " + r.steps.map((s) => s.name).join(","));

// a nested failure fails the outer step
const failing = await Workflow.sequential({name: "conf-failing", steps: [
  {name: "bad", tool: "calculator", input: {input: "2 +"}},
]});
const tolerantInner = await Workflow.sequential({name: "conf-tolerant-inner", errorStrategy: "continue", steps: [
  {name: "bad", tool: "calculator", input: {input: "3 +"}},
]});
const wrapper = await Workflow.sequential({name: "conf-wrapper", errorStrategy: "continue", steps: [
  {name: "strict", workflow: failing},
  {name: "tolerant", workflow: tolerantInner},
  {name: "fine", fn: () => "fine"},
]});
const wr = await wrapper.execute();
console.log("wrapper: " + wr.success + " " + wr.outputs.fine + " " + wr.metadata.extra.failed_steps);
for (const s of wr.steps) console.log("record " + s.name + ": " + s.success + " " + (s.error ?? "-"));
