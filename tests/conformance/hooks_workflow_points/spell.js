// The workflow hook points: BeforeWorkflowStart, BeforeWorkflowStage, AfterWorkflowStage,
// WorkflowStageTransition, WorkflowError, AfterWorkflowComplete
function message(err) { return err.name + ": " + err.message; }
function show(v) { return v == null ? "nil" : String(v); }
async function withHook(point, fn, body) {
  const h = await Hook.register(point, fn);
  await body(h);
  await h.unregister();
}
async function attempt(wf, input) {
  try { await wf.execute(input); return null; } catch (err) { return err; }
}
const wf = await Workflow.sequential({name: "conf-points", steps: [
  {name: "first", fn: (ctx) => "first:" + show(ctx.input)},
  {name: "second", fn: (ctx) => ctx.input, input: "second after {{steps.first.text}}"},
  {name: "third", fn: (ctx) => "third"},
]});
function summary(r) {
  return r.steps.map((s) => s.name + (s.skipped ? "(skipped)" : "") + "=" + show(r.outputs[s.name])).join(" ");
}

// BeforeWorkflowStart: the data, modified input, cancel, skip, replace
let seen;
await withHook("BeforeWorkflowStart", (ctx) => {
  seen = ctx;
  return {type: "modified", data: {input: "changed"}};
}, async () => {
  const r = await wf.execute("original");
  console.log("start data: " + seen.data.workflow + " " + seen.data.type + " " + seen.data.input + " "
              + String(seen.data.execution_id === r.metadata.extra.execution_id) + " " + seen.component_id);
  console.log("start modified: " + r.outputs.first);
});
await withHook("BeforeWorkflowStart", () => "cancel", async () => {
  console.log("start cancel: " + message(await attempt(wf)).replace(/hook \d+/, "hook N"));
});
await withHook("BeforeWorkflowStart", () => "skip", async () => {
  const r = await wf.execute();
  console.log("start skip: " + r.success + " " + r.skipped + " " + r.text + " " + r.steps.length);
});
await withHook("BeforeWorkflowStart", () => ({type: "replace", data: {success: true, text: "from the hook"}}), async () => {
  console.log("start replace: " + (await wf.execute()).text);
});

// BeforeWorkflowStage: sees the input before placeholders; skip a step; modified input; replace
const inputs = [];
await withHook("BeforeWorkflowStage", (ctx) => {
  inputs.push(ctx.data.step + "<" + show(ctx.data.input) + ">");
  if (ctx.data.step === "first") return {type: "replace", data: "first from the hook"};
  if (ctx.data.step === "third") return "skip";
}, async () => {
  const r = await wf.execute("x");
  console.log("stage inputs: " + inputs.join(" "));
  console.log("stage skip/replace: " + summary(r));
  console.log("stage text: " + r.text);
});
await withHook("BeforeWorkflowStage", (ctx) => {
  if (ctx.data.step === "second") return {type: "modified", data: {input: "new input {{input}}"}};
}, async () => {
  console.log("stage modified: " + (await wf.execute("x")).outputs.second);
});
await withHook("BeforeWorkflowStage", (ctx) => {
  if (ctx.data.step === "second") return "cancel";
}, async () => {
  console.log("stage cancel: " + message(await attempt(wf)).replace(/hook \d+/, "hook N"));
});

// AfterWorkflowStage: replace and modified results
await withHook("AfterWorkflowStage", (ctx) => {
  if (ctx.data.step === "first") return {type: "replace", data: "replaced " + ctx.data.result};
  if (ctx.data.step === "third") return {type: "modified", data: {result: ctx.data.result + "!"}};
}, async () => {
  console.log("after stage: " + summary(await wf.execute("y")));
});

// WorkflowStageTransition: between two steps; skip the next step; cancel
const transitions = [];
await withHook("WorkflowStageTransition", (ctx) => {
  transitions.push(ctx.data.from + ">" + ctx.data.to);
  if (ctx.data.to === "third") return "skip";
}, async () => {
  const r = await wf.execute("z");
  console.log("transitions: " + transitions.join(" "));
  console.log("transition skip: " + summary(r));
});
await withHook("WorkflowStageTransition", (ctx) => "cancel", async () => {
  console.log("transition cancel: " + message(await attempt(wf)).replace(/hook \d+/, "hook N"));
});

// WorkflowError: replace recovers the failed step; the error strategy never sees it
const broken = await Workflow.sequential({name: "conf-broken", steps: [
  {name: "bad", tool: "calculator", input: {input: "1 +"}},
  {name: "after", fn: (ctx) => "after " + ctx.steps.bad},
]});
await withHook("WorkflowError",
  (ctx) => ({type: "replace", data: "recovered " + ctx.data.step + " (" + ctx.data.error_kind + ")"}),
  async () => {
    const r = await broken.execute();
    console.log("error replace: " + r.success + " " + r.outputs.after);
  });
let tries = 0;
const flaky = await Workflow.sequential({name: "conf-flaky", steps: [
  {name: "f", fn: () => { tries += 1; if (tries < 2) throw new Error("ToolError: not yet"); return "try " + tries; }},
]});
await withHook("WorkflowError", () => "retry", async () => {
  console.log("error retry: " + (await flaky.execute()).outputs.f);
});

// AfterWorkflowComplete: sees the result; modified and replace change it
await withHook("AfterWorkflowComplete", (ctx) => {
  const result = ctx.data.result;
  result.text = result.text + " [audited]";
  return {type: "modified", data: {result: result}};
}, async () => {
  console.log("complete modified: " + (await wf.execute()).text);
});
await withHook("AfterWorkflowComplete",
  (ctx) => ({type: "replace", data: {success: true, text: "summary of " + ctx.data.workflow}}),
  async () => { console.log("complete replace: " + (await wf.execute()).text); });

// correlation_id of workflow points is the execution id
const ids = [];
await withHook("BeforeWorkflowStage", (ctx) => { ids.push(ctx.correlation_id); }, async () => {
  const r = await wf.execute();
  console.log("correlation: " + ids.length + " " + String(ids[0] === r.metadata.extra.execution_id && ids[2] === ids[0]));
});
