// A loop workflow whose steps never wait still ends at the wall-time limit;
// a try/catch around it cannot catch the limit
const wf = await Workflow.builder().name("endless").loop().withRange({ start: 1, end: 1e9, step: 1 })
  .maxIterations(1e9).addStep({ name: "f", type: "function", fn: (x) => x }).build();
print("start");
try { await wf.execute({}); } catch (e) { print("never: " + e.name); }
print("never");
