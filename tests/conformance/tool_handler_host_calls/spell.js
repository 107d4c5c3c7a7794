// A script-registered tool's handler may call the host itself (State, Config, Debug,
// other tools); what it prints appears in order with the spell's own output
await Tool.register({
  name: "conf-counter",
  description: "Counts its calls in State",
  parameters: {type: "object", properties: {by: {type: "integer"}}},
  handler: async (params) => {
    const count = ((await State.get("count")) ?? 0) + (params.by ?? 1);
    await State.set("count", count);
    console.log("counter handler: count is now " + count);
    return {count};
  },
});
await Tool.register({
  name: "conf-twice",
  description: "Runs conf-counter twice and reads the configuration",
  handler: async (params) => {
    console.log("twice handler: start");
    const first = await Tool.execute("conf-counter", {by: 1});
    const second = await (await Tool.get("conf-counter")).execute({by: 10});
    let rejected = "true";
    try {
      await Tool.execute("conf-counter", {by: "ten"});
    } catch (err) {
      rejected = "false " + err.name;
    }
    return {
      first: first.result.count,
      second: second.result.count,
      rejected,
      memory_mb: await Config.get("runtime.memory_mb"),
      dump: await Debug.dump([params.label]),
    };
  },
});

console.log("before: " + String((await State.get("count")) == null));
const r = await Tool.execute("conf-counter", {});
console.log("after one call: " + r.result.count + " stored " + await State.get("count"));
const t = await Tool.execute("conf-twice", {label: "x"});
console.log("twice: " + t.result.first + " " + t.result.second + " " + t.result.rejected
  + " " + t.result.memory_mb + " " + t.result.dump.replace(/\s/g, ""));
console.log("stored at the end: " + await State.get("count"));
