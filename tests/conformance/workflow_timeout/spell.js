// timeout_ms on the workflow bounds the whole run (WorkflowError "timed out"), whatever
// the error strategy; a step's timeout_ms fails that step with a TimeoutError, which the
// error strategy handles. file-watcher with timeout_ms is a tool that waits.
function wait(ms) { return {path: ".", timeout_ms: ms}; }
function message(err) { return err.name + ": " + err.message; }
async function attempt(wf) {
  try { await wf.execute(); return null; } catch (err) { return err; }
}

const whole = await Workflow.sequential({name: "conf-whole", timeoutMs: 100, steps: [
  {name: "quick", tool: "calculator", input: {input: "1 + 1"}},
  {name: "slow", tool: "file-watcher", input: wait(400)},
  {name: "never", fn: () => "not reached"},
]});
const err = await attempt(whole);
console.log("whole raised: " + String(err !== null));
console.log(message(err));

const tolerant = await Workflow.parallel({name: "conf-whole-continue", timeoutMs: 80, errorStrategy: "continue",
  steps: [{name: "slow", tool: "file-watcher", input: wait(400)}]});
const err2 = await attempt(tolerant);
console.log("continue still raises: " + String(err2 !== null) + " " + message(err2));

// a step's own timeout under continue: that step fails, the others run
const steps = await Workflow.sequential({name: "conf-step-timeout", errorStrategy: "continue", steps: [
  {name: "slow", tool: "file-watcher", input: wait(400), timeoutMs: 50},
  {name: "fast", tool: "file-watcher", input: wait(10), timeoutMs: 1000},
  {name: "after", fn: (ctx) => "after, fast ok: " + ctx.steps.fast.success},
]});
const r = await steps.execute();
console.log("success: " + r.success + ", " + r.outputs.after);
for (const s of r.steps) console.log("record " + s.name + ": " + s.success + " " + (s.error ?? "-"));

// under fail_fast the step's TimeoutError fails the workflow
const strict = await Workflow.sequential({name: "conf-step-strict", steps: [
  {name: "slow", tool: "file-watcher", input: wait(400), timeoutMs: 50},
]});
console.log("fail_fast: " + message(await attempt(strict)));
