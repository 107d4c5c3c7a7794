// rs-llmspell's workflow builder methods, condition types and workflow methods
const clean = (e) => e.name + ": " + e.message;
async function cond(name, condition, shared) {
  const wf = await Workflow.builder().name(name).conditional().condition(condition)
    .addThenStep({name: "then_step", type: "tool", tool: "calculator", input: {input: "1 + 1"}})
    .addElseStep({name: "else_step", type: "tool", tool: "calculator", input: {input: "2 + 2"}})
    .build();
  for (const [k, v] of Object.entries(shared || {})) await wf.setSharedData(k, v);
  return (await wf.execute()).metadata.extra.branch;
}
console.log("always: " + await cond("c1", {type: "always"}));
console.log("never: " + await cond("c2", {type: "never"}));
console.log("string never: " + await cond("c3", "never"));
console.log("equals: " + await cond("c4", {type: "shared_data_equals", key: "mode", value: "fast"}, {mode: "fast"}));
console.log("equals expected: " + await cond("c5", {type: "shared_data_equals", key: "mode", expected: "slow"}, {mode: "fast"}));
console.log("exists: " + await cond("c6", {type: "shared_data_exists", key: "mode"}, {mode: "x"}));
console.log("not exists: " + await cond("c7", {type: "not", condition: {type: "shared_data_exists", key: "mode"}}));
console.log("and: " + await cond("c8", {type: "and", conditions: [{type: "always"}, "never"]}));
console.log("or: " + await cond("c9", {type: "or", conditions: [{type: "never"}, {type: "always"}]}));

// step_output_equals / step:NAME:TEXT see the steps of an enclosing workflow
const inner = await Workflow.builder().name("inner").conditional().condition("step:probe:4")
  .addThenStep({name: "yes", fn: () => "probe was 4"})
  .addElseStep({name: "no", fn: () => "probe was not 4"})
  .build();
const outer = await Workflow.builder().name("outer").sequential()
  .addStep({name: "probe", type: "tool", tool: "calculator", input: {input: "2 * 2"}})
  .addStep({name: "branch", type: "workflow", workflow: inner})
  .build();
console.log("step condition: " + (await outer.execute()).outputs.branch.metadata.extra.branch);

// steps added to a conditional with addStep run first; the condition sees them
const pre = await Workflow.builder().name("conf-pre").conditional()
  .addStep({name: "analyze", type: "tool", tool: "text-manipulator",
            input: {operation: "count", input: "{{input.content}}", count_type: "words"}})
  .condition({type: "step_output_equals", step: "analyze", expected: "3"})
  .addThenStep({name: "long", fn: () => "three words"})
  .addElseStep({name: "short", fn: () => "other"})
  .build();
const pr = await pre.execute({content: "one two three"});
console.log("preamble: " + pr.outputs.analyze.text + " " + pr.metadata.extra.branch + " " + pr.outputs.long);

// a condition function reads a step's text as ctx.<step>; the result has execution_id
const fnc = await Workflow.builder().name("conf-fn-cond").conditional()
  .addStep({name: "classify", fn: () => "Monitoring request"})
  .condition((ctx) => ctx.classify.toLowerCase().includes("monitoring"))
  .addThenStep({name: "monitor", fn: () => "monitored"})
  .addElseStep({name: "other", fn: () => "other"})
  .build();
const fr = await fnc.execute({});
console.log("ctx.<step>: " + fr.metadata.extra.branch + " " + (fr.execution_id === fr.metadata.extra.execution_id));

// loops: loopWorkflow(), withWhile("...") (not evaluated: maxIterations bounds it)
const loop = await Workflow.builder().name("conf-loop").loopWorkflow().withWhile("count < 10")
  .maxIterations(3)
  .addStep({name: "n", type: "tool", tool: "calculator", input: {input: "{{loop.index}} * 10"}})
  .build();
const lr = await loop.execute();
console.log("loop: " + lr.metadata.extra.iterations + " iterations, last " + lr.outputs.n.text);
try {
  await Workflow.builder().name("conf-loop2").loop().withWhile("x < 3")
    .addStep({name: "n", fn: () => 1}).build();
} catch (e) {
  console.log("while string without max_iterations: " + clean(e));
}

// templates: a clear error naming the alternative
try {
  await Workflow.builder().name("conf-tpl").sequential()
    .addTemplateStep("research", "research-assistant", {topic: "x"}).build();
} catch (e) {
  console.log("add_template_step: " + clean(e));
}
try {
  await Workflow.builder().name("conf-tpl2").sequential()
    .addStep({name: "t", type: "template", template_id: "code-review", params: {}}).build();
} catch (e) {
  console.log("template step: " + clean(e));
}

// error_strategy spellings
const tolerant = await Workflow.builder().name("conf-tolerant").sequential().errorStrategy("continue")
  .addStep({name: "bad", type: "tool", tool: "calculator", input: {input: "1 +"}})
  .addStep({name: "good", type: "tool", tool: "calculator", input: {input: "1 + 1"}})
  .build();
console.log("continue: " + (await tolerant.execute()).success);
try {
  await Workflow.builder().name("conf-bad-strategy").sequential().errorStrategy("sometimes")
    .addStep({name: "a", fn: () => 1}).build();
} catch (e) {
  console.log("bad strategy: " + clean(e));
}

// workflow methods
const wf = await Workflow.builder().name("conf-methods").sequential()
  .addStep({name: "sum", type: "tool", tool: "calculator", input: {input: "2 + 3"}})
  .build();
console.log("execution id before: " + (await wf.getExecutionId() == null ? "nil" : "set"));
const events = [];
const reg = await wf.onBeforeExecute((e) => { events.push("before " + e.workflow); });
console.log("on_before_execute: " + reg.success + " " + reg.hook_type);
await wf.onAfterExecute((e) => { events.push("after " + e.result.success); });
const r = await wf.execute();
console.log("callbacks: " + events.join(", "));
console.log("execution id: " + ((await wf.getExecutionId()) === r.metadata.extra.execution_id));
console.log("outputs: " + (await wf.listOutputs()).join(","));
console.log("get_output: " + (await wf.getOutput("sum")).text);
console.log("get_all_outputs: " + (await wf.getAllOutputs()).sum.result.result);
console.log("set_state: " + await wf.setState("round", 2));
console.log("get_state: " + await wf.getState("round"));
const m = await wf.getMetrics();
console.log("metrics: " + m.executions + " " + m.successes + " " + m.failures + " " + typeof m.average_duration_ms);
const v = await wf.validate();
console.log("validate: " + v.valid + " " + v.errors.length);
const d = await wf.debug();
console.log("debug: " + d.workflow_id + " " + d.type + " " + d.steps.join(","));
const sub = await Event.subscribe("conf.*");
console.log("emit: " + (await wf.emit("conf.ping", {n: 1})).success);
const got = await Event.receive(sub, 1000);
console.log("event: " + got.event_type + " " + got.data.workflow_name + " " + got.data.data.n);
console.log("clear_outputs: " + await wf.clearOutputs());
console.log("after clear: " + ((await wf.getOutput("sum")) == null ? "nil" : "set"));

// module functions
console.log("types: " + (await Workflow.types()).join(","));
const id = await Workflow.register("sequential", {name: "conf-registered", steps: [
  {name: "x", fn: () => "registered ran"}]});
console.log("register: " + id + " -> " + (await (await Workflow.get(id)).execute()).outputs.x);
const errors = [];
await Workflow.setDefaultErrorHandler((e) => { errors.push(e.workflow); });
const failing = await Workflow.builder().name("conf-failing").sequential()
  .addStep({name: "bad", type: "tool", tool: "calculator", input: {input: "1 +"}}).build();
await failing.onError(() => { errors.push("on_error"); });
let raised = false;
try { await failing.execute(); } catch (e) { raised = true; }
console.log("failing raised: " + raised);
console.log("error callbacks: " + errors.join(", "));
console.log("remove: " + await Workflow.remove("conf-failing") + " " + await Workflow.remove("conf-failing"));
console.log("get removed: " + ((await Workflow.get("conf-failing")) == null ? "nil" : "set"));
console.log("debug enabled: " + await Workflow.isDebugEnabled());
await Workflow.enableDebug(true);
console.log("debug enabled: " + await Workflow.isDebugEnabled());
await (await Workflow.builder().name("conf-debug").sequential()
  .addStep({name: "quiet", fn: () => 1}).build()).execute();
console.log("clear: " + ((await Workflow.clear()) > 0) + " " + (await Workflow.list()).length);
