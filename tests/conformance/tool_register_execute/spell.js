// Tool.register defines a tool; Tool.execute runs it; params are validated first
await Tool.register({
  name: "conf-adder",
  description: "Adds two integers",
  category: "conf-math",
  parameters: {
    type: "object",
    properties: {a: {type: "integer"}, b: {type: "integer"}},
    required: ["a", "b"],
  },
  handler: (params) => ({sum: params.a + params.b}),
});
await Tool.register({
  name: "conf-shout",
  description: "Upper-cases text",
  parameters: {type: "object", properties: {text: {type: "string"}}},
  handler: (params) => (params.text || "").toUpperCase(),
});
await Tool.register({
  name: "conf-failing",
  description: "Always fails",
  handler: (params) => { throw new Error("disk full"); },
});
await Tool.register({
  name: "conf-failing-kind",
  description: "Fails with a kind",
  handler: (params) => { throw new Error("ToolError: quota exceeded"); },
});

const r = await Tool.execute("conf-adder", {a: 2, b: 40});
console.log("success: " + r.success);
console.log("sum: " + r.result.sum);
console.log("no text for tables: " + String(r.text == null));
console.log("metadata tool: " + r.metadata.tool);
console.log("timing is a number: " + String(typeof r.metadata.execution_time_ms === "number"));

const s = await Tool.execute("conf-shout", {text: "hello"});
console.log("string result: " + s.result + " text: " + s.text);

const f = await Tool.execute("conf-failing", {});
console.log("failing success: " + f.success);
console.log("failing error: " + f.error);
console.log("failing kind: " + f.error_kind);
console.log("failing has no result: " + String(f.result == null));

const k = await Tool.execute("conf-failing-kind", {});
console.log("kind error: " + k.error + " (" + k.error_kind + ")");

// a tool object from Tool.get has fields and an execute method
const t = await Tool.get("conf-adder");
console.log("get: " + t.name + " / " + t.description + " / " + t.category + " / " + t.version);
console.log("method: " + (await t.execute({a: 1, b: 1})).result.sum);
