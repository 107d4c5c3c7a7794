// Shared data: wf:set_shared_data / get_shared_data keep JSON values on the workflow for
// conditions, {{shared.key}} and ctx.shared (a copy: a function changes shared data
// through the workflow it closes over)
let wf;
wf = await Workflow.sequential({name: "conf-shared", steps: [
  {name: "read", fn: (ctx) => ctx.shared.owner + " " + ctx.shared.limits.max},
  {name: "copy", fn: async (ctx) => {
     ctx.shared.owner = "changed in the copy";          // does not change the workflow's data
     await wf.setSharedData("stage", "copied");         // this does
     return "ok";
   }},
  {name: "placeholder", fn: (ctx) => ctx.input,
   input: "owner={{shared.owner}} stage={{shared.stage}} max={{shared.limits.max}} first={{shared.tags.1}}"},
]});
await wf.setSharedData("owner", "ops");
await wf.setSharedData("limits", {max: 3});
await wf.setSharedData("tags", ["red", "green"]);
console.log("get: " + await wf.getSharedData("owner") + " " + (await wf.getSharedData("limits")).max);
console.log("missing: " + String((await wf.getSharedData("nope")) == null));
const r = await wf.execute();
console.log("read: " + r.outputs.read);
console.log("placeholder: " + r.outputs.placeholder);
console.log("after run: " + await wf.getSharedData("owner") + " " + await wf.getSharedData("stage"));
console.log("all keys: " + Object.keys(await wf.getSharedData()).sort().join(","));
await wf.setSharedData("stage", null);
console.log("nil removes: " + String((await wf.getSharedData("stage")) == null));
let kind = "accepted";
try { await wf.setSharedData("f", {fn: console.log}); } catch (err) { kind = err.name; }
console.log("not JSON: " + kind);
// each workflow has its own shared data
const other = await Workflow.sequential({name: "conf-other", steps: [{name: "s", fn: (ctx) => ctx.shared.owner == null}]});
console.log("separate: " + (await other.execute()).outputs.s);
