// build() and the table forms check everything before anything runs: each problem is a
// ValidationError (NotFoundError for a missing tool) naming the workflow, step and key
let ran = false;
function mark() { ran = true; return 1; }
async function attempt(label, fn, arg) {
  try {
    await fn(arg);
    console.log(label + ": built");
  } catch (err) {
    const text = err.name + ": " + err.message;
    console.log(label + ": " + text.replace(/, got (None|null)$/, ""));   // how "no value" reads is not specified
  }
}

await attempt("unknown key", Workflow.sequential, {name: "conf-v", stepz: [{name: "a", fn: mark}]});
await attempt("unknown step key", Workflow.sequential, {name: "conf-v", steps: [{name: "a", tol: "calculator"}]});
await attempt("missing tool", Workflow.sequential, {name: "conf-v", steps: [{name: "a", tool: "calculater"}]});
await attempt("duplicate names", Workflow.parallel, {name: "conf-v", steps: [
  {name: "a", fn: mark}, {name: "a", fn: mark}]});
await attempt("duplicate across branches", Workflow.conditional, {name: "conf-v", condition: {type: "always"},
  thenSteps: [{name: "x", fn: mark}], elseSteps: [{name: "x", fn: mark}]});
await attempt("no condition", Workflow.conditional, {name: "conf-v", thenSteps: [{name: "a", fn: mark}]});
await attempt("bad condition", Workflow.conditional, {name: "conf-v", condition: {type: "sometimes"},
  thenSteps: [{name: "a", fn: mark}]});
await attempt("condition without key", Workflow.conditional, {name: "conf-v", condition: {type: "shared_data_exists"},
  thenSteps: [{name: "a", fn: mark}]});
await attempt("loop without source", Workflow.loop, {name: "conf-v", steps: [{name: "a", fn: mark}]});
await attempt("loop with two sources", Workflow.loop, {name: "conf-v", range: {end: 2}, collection: [1],
  steps: [{name: "a", fn: mark}]});
await attempt("loop without steps", Workflow.loop, {name: "conf-v", range: {end: 2}});
await attempt("range step 0", Workflow.loop, {name: "conf-v", range: {start: 1, end: 2, step: 0},
  steps: [{name: "a", fn: mark}]});
await attempt("range without end", Workflow.loop, {name: "conf-v", range: {start: 1}, steps: [{name: "a", fn: mark}]});
await attempt("no steps", Workflow.sequential, {name: "conf-v", steps: []});
await attempt("untyped step", Workflow.sequential, {name: "conf-v", steps: [{name: "a", input: "x"}]});
await attempt("bad step type", Workflow.sequential, {name: "conf-v", steps: [{name: "a", type: "shell", fn: mark}]});
await attempt("tool step without tool", Workflow.sequential, {name: "conf-v", steps: [{name: "a", type: "tool"}]});
await attempt("fn not a function", Workflow.sequential, {name: "conf-v", steps: [{name: "a", type: "function", fn: "mark"}]});
await attempt("agent step without agent", Workflow.sequential, {name: "conf-v", steps: [{name: "a", type: "agent"}]});
await attempt("bad strategy", Workflow.sequential, {name: "conf-v", error_strategy: "ignore", steps: [{name: "a", fn: mark}]});
await attempt("bad concurrency", Workflow.parallel, {name: "conf-v", max_concurrency: 0, steps: [{name: "a", fn: mark}]});
await attempt("bad step timeout", Workflow.sequential, {name: "conf-v", steps: [{name: "a", fn: mark, timeout_ms: 0}]});
await attempt("builder without type", () =>
  Workflow.builder().name("conf-v").addStep({name: "a", fn: mark}).build());
await attempt("builder missing tool", () =>
  Workflow.builder().name("conf-v").sequential().addStep({name: "b", tool: "no-such-tool"}).build());
console.log("nothing ran: " + String(!ran));
console.log("nothing built: " + (await Workflow.list()).length);
