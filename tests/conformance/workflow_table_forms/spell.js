// The table forms Workflow.sequential/parallel/conditional/loop; keys in snake_case or
// camelCase; a step's type inferred from what it names; unnamed steps are step_<n>
const seq = await Workflow.sequential({
  name: "conf-seq",
  description: "a sequence",
  errorStrategy: "continue",
  steps: [
    {tool: "calculator", input: {input: "1 + 1"}},
    {fn: (ctx) => "after " + ctx.steps.step_1.text},
    {name: "named", type: "function", fn: () => "named"},
  ],
});
const r = await seq.execute();
console.log(seq.type + " " + seq.description + ": " + r.outputs.step_1.text + " / "
            + r.outputs.step_2 + " / " + r.outputs.named);
console.log("step names: " + r.steps.map((s) => s.name).join(","));

const par = await Workflow.parallel({
  name: "conf-par",
  max_concurrency: 1,                     // snake_case works in JavaScript too
  steps: [
    {name: "x", fn: () => 1},
    {name: "y", tool: "text-manipulator", input: {input: "abc", operation: "uppercase"}},
  ],
});
const pr = await par.execute();
console.log(par.type + ": " + pr.outputs.x + " " + pr.outputs.y.text + " " + pr.metadata.extra.successful_steps);

const cond = await Workflow.conditional({
  name: "conf-cond",
  condition: {type: "always"},
  thenSteps: [{name: "yes", fn: () => "then ran"}],
  elseSteps: [{name: "no", fn: () => "else ran"}],
});
const cr = await cond.execute();
console.log(cond.type + ": " + cr.outputs.yes + " " + cr.metadata.extra.branch
            + " else-output-nil " + String(cr.outputs.no == null));

const loop = await Workflow.loop({
  name: "conf-loop",
  collection: ["a", "b"],
  maxIterations: 10,
  steps: [{name: "echo", fn: (ctx) => ctx.loop.index + ctx.loop.item}],
});
const lr = await loop.execute();
console.log(loop.type + ": " + lr.outputs.echo + " " + lr.iterations.length + " "
            + lr.metadata.extra.stopped_by);

// timeout is an alias of timeout_ms; the workflow input reaches a function step as ctx.input
const alias = await Workflow.sequential({
  name: "conf-alias", timeout: 5000,
  steps: [{name: "f", fn: (ctx) => ctx.input.greeting + "!"}],
});
console.log("input: " + (await alias.execute({greeting: "hi"})).outputs.f);
