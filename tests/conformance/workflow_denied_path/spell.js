// A tool step that reads outside the allowed paths is denied (SecurityError): under
// fail_fast the WorkflowError names the step; the file is never read; a security denial
// is not retried; under continue it is the step's recorded failure
let started = 0, returned = 0;
await Hook.register("BeforeToolExecution", (ctx) => {
  if (ctx.data.tool === "file-operations") started += 1;
});
await Hook.register("AfterToolExecution", (ctx) => {
  if (ctx.data.tool === "file-operations" && ctx.data.params.path === "/etc/hostname") returned += 1;
});
function clean(text) {
  return text.replace(/outside the allowed paths \([^)]*\)/, "outside the allowed paths (...)");
}
async function attempt(wf, input) {
  try { await wf.execute(input); return null; } catch (err) { return err; }
}

const wf = await Workflow.sequential({name: "conf-denied", steps: [
  {name: "write", tool: "file-operations", input: {operation: "write", path: "note.txt", input: "allowed"}},
  {name: "read_ok", tool: "file-operations", input: {operation: "read", path: "note.txt"}},
  {name: "read_secret", tool: "file-operations", input: {operation: "read", path: "{{input.path}}"}},
  {name: "after", fn: () => "never"},
]});
const err = await attempt(wf, {path: "/etc/hostname"});
console.log("raised: " + String(err !== null));
console.log(clean(err.name + ": " + err.message));
console.log("allowed read kept: " + (await State.workflowGet("conf-denied", "read_ok")).text);
console.log("denied read saved: " + String((await State.workflowGet("conf-denied", "read_secret")) != null));
console.log("file-operations calls started: " + started + ", denied call returned a result: " + returned);

// not retried under "retry"
started = 0;
const retry = await Workflow.sequential({name: "conf-denied-retry", errorStrategy: "retry", backoffMs: 1, steps: [
  {name: "secret", tool: "file-operations", input: {operation: "read", path: "/etc/hostname"}},
]});
const err2 = await attempt(retry);
console.log("retry: raised " + String(err2 !== null) + " after " + started + " attempt");

// under continue: a failed step with the SecurityError; nothing of the file in the result
const tolerant = await Workflow.sequential({name: "conf-denied-continue", errorStrategy: "continue", steps: [
  {name: "secret", tool: "file-operations", input: {operation: "read", path: "/etc/hostname"}},
  {name: "direct", fn: async () => await Tool.execute("file-operations", {operation: "read", path: "/etc/hostname"})},
]});
const r = await tolerant.execute();
console.log("continue: " + r.success + ", outputs empty: " + String(Object.keys(r.outputs).length === 0));
for (const s of r.steps) console.log("record " + s.name + ": " + clean(s.error.replace(/ \(at spell\.[a-z]+(:\d+)?\)/, "")));
