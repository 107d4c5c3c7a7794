// Workflow.builder(): setters, add_step, build; the object's fields; get_info; list/get
const wf = await Workflow.builder()
  .name("conf-builder")
  .description("calculator steps and a function")
  .sequential()
  .addStep({name: "sum", type: "tool", tool: "calculator", input: {input: "2 + 3"}})
  .addStep({name: "scaled", tool: "calculator", input: {input: "{{steps.sum.text}} * 10"}})
  .addStep({name: "label", fn: (ctx) => "scaled is " + ctx.steps.scaled.text})
  .build();
console.log("id: " + wf.id);
console.log("name: " + wf.name);
console.log("type: " + wf.type);
console.log("description: " + wf.description);
const info = await wf.getInfo();
console.log("info: " + info.id + " / " + info.name + " / " + info.type + " / " + info.description);

const r = await wf.execute();
console.log("success: " + r.success);
console.log("text: " + r.text);
console.log("sum: " + r.outputs.sum.text + " (tool " + r.outputs.sum.metadata.tool + ")");
console.log("sum result: " + r.outputs.sum.result.result);
console.log("scaled: " + r.outputs.scaled.text);
console.log("label: " + r.outputs.label);
r.steps.forEach((s, i) => {
  console.log("step " + (i + 1) + ": " + s.name + " " + s.success + " "
              + typeof s.duration_ms + " " + String(s.error == null));
});
const extra = r.metadata.extra;
console.log("extra: " + extra.workflow_type + " / " + extra.workflow_name + " / " + extra.workflow_id);
console.log("counts: " + extra.total_steps + " " + extra.successful_steps + " " + extra.failed_steps);
console.log("execution id: " + typeof extra.execution_id + " " + String(extra.execution_id.startsWith("exec-")));
console.log("execution time: " + typeof r.metadata.execution_time_ms);
console.log("no agent outputs: " + String(Object.keys(extra.agent_outputs).length === 0));
console.log("no error: " + String(r.error == null));
const again = await wf.execute();
console.log("new execution id: " + String(again.metadata.extra.execution_id !== extra.execution_id));

// other types through the builder
const par = await Workflow.builder().name("conf-fan").parallel().maxConcurrency(2)
  .addStep({name: "a", fn: () => "A"})
  .addStep({name: "b", fn: () => "B"})
  .build();
const pr = await par.execute();
console.log("parallel: " + par.type + " " + pr.outputs.a + pr.outputs.b + " " + pr.text);

// Workflow.list: the workflows built in this run; Workflow.get by id
const rows = await Workflow.list();
rows.sort((x, y) => (x.id < y.id ? -1 : 1));
for (const w of rows) {
  console.log("list: " + w.id + " " + w.name + " " + w.type + " '" + w.description + "'");
}
console.log("get: " + (await Workflow.get("conf-builder")).name + " " + (await Workflow.get("conf-fan")).type);
console.log("get missing: " + String((await Workflow.get("conf-nope")) == null));
console.log("get runs: " + (await (await Workflow.get("conf-fan")).execute()).outputs.b);

// building another workflow with the same name replaces the first in the list
await Workflow.builder().name("conf-fan").sequential().description("second")
  .addStep({name: "only", fn: () => 1}).build();
console.log("list after rebuild: " + (await Workflow.list()).length);
console.log("replaced: " + (await Workflow.get("conf-fan")).type + " " + (await Workflow.get("conf-fan")).description);
