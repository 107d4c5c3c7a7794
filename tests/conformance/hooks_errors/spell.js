// A hook that raises, or returns something that is not an action, is reported on stderr
// ("[WARN] hook N at Point failed: ...") and treated as continue: the run goes on
const boom = await Hook.register("BeforeToolExecution", (ctx) => { throw new Error("oops"); });
console.log("raising hook: " + (await Tool.execute("calculator", {input: "1 + 1"})).text);
await boom.unregister();

const garbage = [
  42,
  "explode",
  {type: "modified"},
  {type: "modified", data: "not a table"},
  {kind: "skip"},
];
for (const [i, value] of garbage.entries()) {
  const h = await Hook.register("AfterToolExecution", (ctx) => value);
  console.log("garbage " + (i + 1) + ": " + (await Tool.execute("calculator", {input: (i + 1) + " * 10"})).text);
  await h.unregister();
}

// the hooks after a failing one still run
let later = false;
await Hook.register("BeforeWorkflowStart", () => { throw new Error("ValidationError: bad hook"); }, "high");
await Hook.register("BeforeWorkflowStart", () => { later = true; }, "low");
const r = await (await Workflow.sequential({name: "conf-hooked", steps: [{name: "s", fn: () => "ran"}]})).execute();
console.log("workflow: " + r.outputs.s + ", later hook ran: " + later);
