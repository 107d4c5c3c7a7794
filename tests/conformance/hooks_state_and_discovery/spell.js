// StateChanged sees {scope, key, action} (never the value); BeforeToolDiscovery /
// AfterToolDiscovery change what Tool.list/Tool.discover return; ToolValidation may fix
// or refuse a call's parameters
const changes = [];
const sh = await Hook.register("StateChanged", (ctx) => {
  const d = ctx.data;
  const key = d.keys ? d.keys.join("+") : d.key;
  changes.push(d.scope + "/" + key + "/" + d.action + "/value-hidden=" + String(d.value == null));
});
await State.set("color", "blue");
await State.save("custom", "n", 1);
await State.agentSet("writer", "style", "terse");
await State.delete("custom", "n");
await State.get("color");                                    // a read changes nothing
await (await Workflow.sequential({name: "conf-saving", steps: [    // a workflow's save: {scope, keys, action}
  {name: "b", fn: () => 2}, {name: "a", fn: () => 1},
]})).execute();
for (const c of changes) console.log("state: " + c);
await sh.unregister();

await Tool.register({name: "conf-alpha", description: "a", category: "conf-x", handler: () => 1});
await Tool.register({name: "conf-beta", description: "b", category: "conf-x", handler: () => 2});
await Tool.register({name: "conf-gamma", description: "c", category: "conf-y", handler: () => 3});
function names(list) { return list.map((t) => t.name).sort().join(","); }
console.log("plain: " + names(await Tool.list({category: "conf-x"})));

const filters = [];
let h = await Hook.register("BeforeToolDiscovery", (ctx) => {
  filters.push(String(ctx.data.filter && ctx.data.filter.category));
  return {type: "modified", data: {filter: {category: "conf-y"}}};
});
console.log("modified filter: " + names(await Tool.list({category: "conf-x"})) + " (hook saw " + filters.join(",") + ")");
await h.unregister();

h = await Hook.register("BeforeToolDiscovery", (ctx) =>
  ({type: "replace", data: [{name: "conf-virtual", description: "from a hook", category: "conf-z", version: "0.0.1"}]}));
console.log("replaced: " + names(await Tool.list()));
await h.unregister();

h = await Hook.register("AfterToolDiscovery", (ctx) =>
  ({type: "modified", data: {tools: ctx.data.tools.filter((t) => t.name !== "conf-beta")}}));
console.log("after, modified tools: " + names(await Tool.list({category: "conf-x"})));
console.log("discover too: " + names(await Tool.discover({category: "conf-x"})));
await h.unregister();
console.log("unhooked: " + names(await Tool.discover({category: "conf-x"})));

// ToolValidation: before a tool's parameters are checked
const v = await Hook.register("ToolValidation", (ctx) => {
  if (ctx.data.tool === "calculator" && typeof ctx.data.params.input === "number") {
    return {type: "modified", data: {params: {input: String(ctx.data.params.input) + " + 0"}}};
  }
  if (ctx.data.params.input === "forbidden") return "cancel";
});
console.log("validation fixed: " + (await Tool.execute("calculator", {input: 41})).text);
try { await Tool.execute("calculator", {input: "forbidden"}); } catch (err) {
  console.log("validation cancel: " + (err.name + ": " + err.message).replace(/hook \d+/, "hook N"));
}
await v.unregister();
try { await Tool.execute("calculator", {input: 41}); } catch (err) {
  console.log("unhooked: " + err.name);
}
