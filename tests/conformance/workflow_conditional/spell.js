// Conditional workflows: a function condition or a declarative one picks then_steps or
// else_steps (each a sequence); metadata.extra.branch says which ran
const route = await Workflow.conditional({
  name: "conf-route",
  condition: (ctx) => ctx.input.priority === "high",
  thenSteps: [
    {name: "page", fn: (ctx) => "paged " + ctx.input.who},
    {name: "log", fn: (ctx) => "logged: " + ctx.steps.page},
  ],
  elseSteps: [{name: "queue", fn: () => "queued"}],
});
const urgent = await route.execute({priority: "high", who: "ana"});
console.log("high: " + urgent.metadata.extra.branch + " " + urgent.outputs.log + " " + urgent.steps.length);
const later = await route.execute({priority: "low"});
console.log("low: " + later.metadata.extra.branch + " " + later.outputs.queue + " "
            + String(later.outputs.page == null) + " " + later.text);

// a function's answer counts as true unless it is nil/null or false (0 and "" are true)
for (const answer of ["zero", "empty", "false", "nil"]) {
  const wf = await Workflow.conditional({
    name: "conf-truth-" + answer,
    condition: (ctx) => {
      if (answer === "zero") return 0;
      if (answer === "empty") return "";
      if (answer === "false") return false;
      return null;
    },
    thenSteps: [{name: "t", fn: () => "then"}],
    elseSteps: [{name: "e", fn: () => "else"}],
  });
  console.log("answer " + answer + ": " + (await wf.execute()).metadata.extra.branch);
}

// declarative conditions, with the builder
async function branchOf(condition, shared) {
  const wf = await Workflow.builder().name("conf-decl").conditional().condition(condition)
    .addThenStep({name: "t", fn: () => 1})
    .addElseStep({name: "e", fn: () => 2})
    .build();
  for (const [k, v] of Object.entries(shared || {})) await wf.setSharedData(k, v);
  return (await wf.execute()).metadata.extra.branch;
}
console.log("always: " + await branchOf({type: "always"}));
console.log("never: " + await branchOf({type: "never"}));
console.log("equals (same): " + await branchOf({type: "shared_data_equals", key: "mode", value: "fast"}, {mode: "fast"}));
console.log("equals (other): " + await branchOf({type: "shared_data_equals", key: "mode", value: "fast"}, {mode: "slow"}));
console.log("equals (unset): " + await branchOf({type: "shared_data_equals", key: "mode", value: "fast"}));
console.log("equals (number): " + await branchOf({type: "shared_data_equals", key: "n", value: 3}, {n: 3}));
console.log("equals (table): " + await branchOf({type: "shared_data_equals", key: "t", value: {a: 1}}, {t: {a: 1}}));
console.log("equals (true vs 1): " + await branchOf({type: "shared_data_equals", key: "b", value: true}, {b: 1}));
console.log("exists (set): " + await branchOf({type: "shared_data_exists", key: "mode"}, {mode: false}));
console.log("exists (unset): " + await branchOf({type: "shared_data_exists", key: "mode"}));

// step_output_contains looks at the steps of the enclosing workflow for a nested conditional
const inner = await Workflow.conditional({
  name: "conf-inner",
  condition: {type: "step_output_contains", step: "check", text: "42"},
  thenSteps: [{name: "found", fn: (ctx) => "found in " + ctx.steps.check.text}],
  elseSteps: [{name: "missing", fn: () => "not found"}],
});
const outer = await Workflow.sequential({name: "conf-outer", steps: [
  {name: "check", tool: "calculator", input: {input: "{{input}}"}},
  {name: "decide", workflow: inner},
]});
const o1 = await outer.execute("6 * 7");
console.log("contains: " + o1.outputs.decide.metadata.extra.branch + " " + o1.outputs.decide.outputs.found);
const o2 = await outer.execute("6 * 8");
console.log("contains (not): " + o2.outputs.decide.metadata.extra.branch + " " + o2.outputs.decide.outputs.missing);
console.log("unknown step: " + (await inner.execute()).metadata.extra.branch);

// a branch without steps runs nothing
const empty = await Workflow.conditional({name: "conf-empty-else", condition: {type: "never"},
  thenSteps: [{name: "t", fn: () => 1}]});
const er = await empty.execute();
console.log("empty else: " + er.metadata.extra.branch + " " + er.success + " " + er.steps.length);
