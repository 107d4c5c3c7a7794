// Scoped helpers: workflowGet/workflowList, agentGet/agentSet, toolGet/toolSet
await State.agentSet("writer", "style", "terse");
await State.agentSet("writer", "turns", 3);
await State.agentSet("reviewer", "style", "kind");
console.log("agent writer style: " + await State.agentGet("writer", "style"));
console.log("agent writer turns: " + await State.agentGet("writer", "turns"));
console.log("agent reviewer style: " + await State.agentGet("reviewer", "style"));
console.log("agent missing: " + String((await State.agentGet("writer", "nope")) == null));
console.log("agent scope keys: " + (await State.listKeys("agent:writer")).join(","));

await State.toolSet("counter-tool", "calls", 7);
console.log("tool calls: " + await State.toolGet("counter-tool", "calls"));
console.log("tool scope: " + await State.load("tool:counter-tool", "calls"));

// workflow step outputs live in scope "workflow:<id>"
await State.save("workflow:wf-1", "fetch", {text: "fetched"});
await State.save("workflow:wf-1", "analyze", {text: "analyzed"});
console.log("workflow step: " + (await State.workflowGet("wf-1", "fetch")).text);
console.log("workflow steps: " + (await State.workflowList("wf-1")).join(","));
console.log("unknown workflow steps: " + (await State.workflowList("wf-none")).length);
console.log("unknown step is nil: "
  + String((await State.workflowGet("wf-1", "nope")) == null));
