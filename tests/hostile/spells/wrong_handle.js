// handles of the wrong type at the op boundary (methods called with .call)
const agent = await Agent.create({ model: "slow/m" });
const tool = await Tool.get("calculator");
const t = await Debug.timer("t");
const wf = await Workflow.sequential({ name: "w", steps: [{ name: "a", fn: () => 1 }] });
async function attempt(label, f) {
  try { await f(); print(label + ": NO ERROR"); } catch (e) { print(label + ": " + e.name + ": " + e.message); }
}
await attempt("wf.execute(agent)", () => wf.execute.call(agent));
await attempt("wf.execute(tool)", () => wf.execute.call(tool));
await attempt("wf.execute(timer)", () => wf.execute.call(t));
await attempt("t.stop(wf)", () => t.stop.call(wf));
await attempt("t.lap(agent)", () => t.lap.call(agent));
await attempt("agent.execute(wf)", () => agent.execute.call(wf, "hi"));
