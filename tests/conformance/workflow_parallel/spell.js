// Parallel steps run concurrently, at most max_concurrency (default 4) at a time; the
// records and outputs keep the declared order; under fail_fast a failure cancels the rest
let running = 0, most = 0;
function slow(label) {
  return async (ctx) => {
    running += 1;
    if (running > most) most = running;
    await Tool.execute("file-watcher", {path: ".", timeout_ms: 60});   // waits 60 ms
    running -= 1;
    return label;
  };
}
async function fan(name, limit) {
  const steps = ["a", "b", "c", "d"].map((label) => ({name: label, fn: slow(label.toUpperCase())}));
  const spec = {name: name, steps: steps};
  if (limit !== null) spec.maxConcurrency = limit;
  return await Workflow.parallel(spec);
}

for (const limit of [1, 2]) {
  running = 0; most = 0;
  const r = await (await fan("conf-fan-" + limit, limit)).execute();
  console.log("max_concurrency " + limit + ": at most " + most + " at once, outputs "
              + r.outputs.a + r.outputs.b + r.outputs.c + r.outputs.d);
}
running = 0; most = 0;
const r = await (await fan("conf-fan-default", null)).execute();
console.log("default: at most " + most + " at once, " + r.metadata.extra.successful_steps + " succeeded");

// the records keep the declared order, whatever order the steps finish in
const mixed = await Workflow.parallel({name: "conf-order", errorStrategy: "continue", steps: [
  {name: "slowest", tool: "file-watcher", input: {path: ".", timeout_ms: 100}},
  {name: "quick", fn: () => "quick"},
  {name: "broken", tool: "calculator", input: {input: "2 *"}},
  {name: "medium", fn: slow("medium")},
]});
const mr = await mixed.execute();
console.log("records: " + mr.steps.map((s) => s.name + "=" + s.success).join(" "));
console.log("text: " + mr.text);
console.log("outputs: " + mr.outputs.slowest.success + " " + mr.outputs.quick + " "
            + mr.outputs.medium + " broken-nil " + String(mr.outputs.broken == null));

// fail_fast: the first failure raises (the cancelled step: workflow_cancel_lua)
const strict = await Workflow.parallel({name: "conf-cancel", steps: [
  {name: "long", tool: "file-watcher", input: {path: ".", timeout_ms: 200}},
  {name: "fails", tool: "calculator", input: {input: "1 +"}},
]});
try {
  await strict.execute();
  console.log("raised: false");
} catch (err) {
  const full = err.name + ": " + err.message;
  console.log("raised: true " + String(full.includes("WorkflowError: Parallel workflow 'conf-cancel' failed at step 'fails': ToolError:")));
}
