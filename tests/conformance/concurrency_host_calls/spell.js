// Several host calls: Lua makes them one after another; JavaScript starts them together
// (Promise.all). The results come back in the order asked, so the output is the same.
await Tool.register({
  name: "conf-square",
  description: "Squares n, through State",
  parameters: {type: "object", properties: {n: {type: "integer"}}, required: ["n"]},
  handler: async (params) => {
    await State.save("squares", "n" + params.n, params.n * params.n);
    const saved = await State.load("squares", "n" + params.n);
    return {n: params.n, square: saved};
  },
});

// the same tool several times
const results = await Promise.all([5, 1, 4, 2, 3].map((n) => Tool.execute("conf-square", {n})));
results.forEach((r, i) => {
  console.log((i + 1) + ": " + r.result.n + " squared is " + r.result.square);
});
console.log("saved: " + (await State.listKeys("squares")).join(","));

// many small calls
const indexes = Array.from({length: 50}, (_, i) => i + 1);
await Promise.all(indexes.map((i) => State.set("item" + i, i)));
const items = await Promise.all(indexes.map((i) => State.get("item" + i)));
const total = items.reduce((a, b) => a + b, 0);
console.log("items: " + (await State.listKeys("global")).length + " total " + total);

// different globals in one batch
const [exists, network, missing, dumped] = await Promise.all([
  Tool.exists("conf-square"),
  Config.isNetworkAccessAllowed(),
  State.load("squares", "n9"),
  Debug.dump([3, 2, 1]),
]);
console.log("mixed: " + exists + " " + network + " " + String(missing == null)
  + " " + dumped.replace(/\s/g, ""));

// one of them fails: the others still answer (Lua: pcall around each call)
const outcomes = await Promise.allSettled([
  Tool.execute("conf-square", {n: 6}),
  Tool.execute("conf-no-such-tool", {}),
  Tool.execute("conf-square", {n: "seven"}),
  State.load("squares", "n6"),
]);
console.log("settled: " + outcomes
  .map((o) => (o.status === "fulfilled" ? "fulfilled" : "rejected " + o.reason.name))
  .join(", "));
