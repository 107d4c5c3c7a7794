// Hook actions at the tool points: continue, modified, skip, cancel, replace (before and
// after), retry (bounded by [hooks] max_retries, default 3), and the ToolError point
let calls = 0;
await Tool.register({
  name: "conf-counter", description: "Counts its calls", category: "conf-test",
  parameters: {type: "object", properties: {fail: {type: "boolean"}}},
  handler: (params) => {
    calls += 1;
    if (params.fail) throw new Error("ToolError: it failed");
    return {calls: calls};
  },
});
async function calc(expr) { return await Tool.execute("calculator", {input: expr}); }
function message(err) { return err.name + ": " + err.message; }
async function withHook(point, fn, body) {
  const h = await Hook.register(point, fn);
  await body(h);
  await h.unregister();
}
async function attempt(fn) {
  try { await fn(); return null; } catch (err) { return err; }
}

// the context
await withHook("BeforeToolExecution", (ctx) => {
  console.log("ctx: " + ctx.point + " | " + ctx.component_id + " | " + ctx.data.tool + " | "
              + ctx.data.params.input + " | " + typeof ctx.correlation_id + " "
              + (typeof ctx.metadata === "object" ? "table" : typeof ctx.metadata));
}, async () => { await calc("1 + 1"); });

await withHook("BeforeToolExecution", () => null, async () => {
  console.log("nil: " + (await calc("2 + 2")).text);
});
await withHook("BeforeToolExecution", () => "continue", async () => {
  console.log("continue: " + (await calc("2 + 3")).text);
});
await withHook("BeforeToolExecution",
  (ctx) => ({type: "modified", data: {params: {input: ctx.data.params.input + " + 100"}}}),
  async () => { console.log("modified params: " + (await calc("1 + 1")).text); });

await withHook("BeforeToolExecution", () => "skip", async () => {
  const before = calls;
  const r = await Tool.execute("conf-counter", {});
  console.log("skip: success " + r.success + ", skipped " + r.skipped + ", ran " + String(calls > before));
});

await withHook("BeforeToolExecution", () => "cancel", async (h) => {
  const err = await attempt(() => calc("1 + 1"));
  console.log("cancel: false " + message(err));
  const id = await h.id();
  console.log("cancel names hook " + id + ": " + String(message(err).includes("hook " + id)));
});

await withHook("BeforeToolExecution", () => ({type: "replace", data: {answer: 42}}), async () => {
  const before = calls;
  const r = await Tool.execute("conf-counter", {});
  console.log("replace before: " + r.success + " " + r.result.answer + ", ran " + String(calls > before));
});

await withHook("AfterToolExecution",
  (ctx) => ({type: "replace", data: {success: true, text: "answer: " + ctx.data.result.text}}),
  async () => { console.log("replace after: " + (await calc("6 * 7")).text); });

await withHook("AfterToolExecution", (ctx) => {
  const result = ctx.data.result;
  result.text = result.text + "!";
  return {type: "modified", data: {result: result}};
}, async () => { console.log("modified result: " + (await calc("6 * 7")).text); });

await withHook("AfterToolExecution", () => "cancel", async () => {
  const err = await attempt(() => calc("1 + 1"));
  const text = message(err);
  console.log("cancel after: false " + String(text.includes("ToolError: tool 'calculator' was cancelled by hook"))
              + " " + String(text.includes("at AfterToolExecution")));
});

// retry at AfterToolExecution: the tool runs again, at most 3 more times per call
const seen = [];
await withHook("AfterToolExecution", (ctx) => {
  if (ctx.data.tool === "conf-counter") {
    seen.push(ctx.data.result.result.calls);
    return "retry";
  }
}, async () => {
  calls = 0;
  const r = await Tool.execute("conf-counter", {});
  console.log("retry: ran " + calls + " times, result calls=" + r.result.calls + ", hook saw " + seen.join(","));
});

// ToolError: replace recovers from a failure; retry runs it again
await withHook("ToolError",
  (ctx) => ({type: "replace", data: {success: true, text: "recovered from: " + ctx.data.error}}),
  async () => {
    console.log("ToolError replace: " + (await Tool.execute("conf-counter", {fail: true})).text);
    console.log("ToolError replace (calculator): " + (await calc("1 +")).text.slice(0, 35));
  });
let attempts = 0;
await withHook("ToolError", (ctx) => {
  attempts += 1;
  if (attempts < 3) return "retry";
}, async () => {
  calls = 0;
  const r = await Tool.execute("conf-counter", {fail: true});
  console.log("ToolError retry: ran " + calls + " times, success " + r.success + ", " + r.error);
});

console.log("no hooks left: " + (await Hook.list()).length);
console.log("plain again: " + (await calc("1 + 1")).text);
