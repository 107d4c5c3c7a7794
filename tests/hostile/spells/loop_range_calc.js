// a loop workflow over 1..1e9 with a calculator step
const wf = await Workflow.builder().name("spin").loop()
  .withRange({ start: 1, end: 1e9, step: 1 }).maxIterations(1e9)
  .addStep({ name: "c", tool: "calculator", input: { input: "{{loop.index}} * 2" } })
  .build();
await wf.execute();
print("SURVIVED");
