// the attack inside a workflow's function step
const wf = await Workflow.sequential({ name: "w", steps: [
  { name: "spin", fn: (ctx) => { for (;;) {} } },
] });
await wf.execute();
print("SURVIVED");
