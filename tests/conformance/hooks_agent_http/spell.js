// Agent hook points over a real HTTP server (llm-katan's echo model: "User: <prompt>"):
// BeforeAgentInit/AfterAgentInit, BeforeAgentExecution, AfterAgentExecution, AgentError,
// BeforeProviderCall/AfterProviderCall; the agent.* events
function userLine(text) { const m = text.match(/\nUser: ([^\n]*)$/); return m ? m[1] : "?" + text; }
function message(err) { return (err.name + ": " + err.message).replace(/hook \d+/, "hook N"); }
function inputText(input) { return typeof input === "object" && input !== null ? input.text : input; }
async function withHook(point, fn, body) {
  const h = await Hook.register(point, fn);
  await body(h);
  await h.unregister();
}
async function attempt(fn) {
  try { await fn(); return null; } catch (err) { return err; }
}
const events = await Event.subscribe("agent.*");

// init: BeforeAgentInit may change the config (never sees an API key) or cancel
await withHook("BeforeAgentInit", (ctx) => {
  if (ctx.data.agent === "refused") return "cancel";
  console.log("init config: " + ctx.data.config.model + ", api key shown: " + String(ctx.data.config.api_key != null));
  return {type: "modified", data: {config: {name: ctx.data.agent, model: ctx.data.config.model, system_prompt: "Be brief."}}};
}, async () => {
  const a = await Agent.create({name: "prompted", model: "katan/echo-model"});
  console.log("system prompt added: " + String((await a.execute("hi")).text.includes("messages=2")));
  console.log("init cancel: " + message(await attempt(() => Agent.create({name: "refused", model: "katan/echo-model"}))));
});
await withHook("AfterAgentInit", (ctx) => { console.log("after init: " + ctx.data.agent + " " + ctx.data.model); }, async () => {
  await Agent.create({name: "made", model: "katan/echo-model"});
});

const agent = await Agent.create({name: "echo", model: "katan/echo-model"});

// BeforeAgentExecution: the data; modified input; skip; cancel; replace
await withHook("BeforeAgentExecution", (ctx) => {
  const text = inputText(ctx.data.input);
  if (text === "skip me") return "skip";
  if (text === "cancel me") return "cancel";
  if (text === "replace me") return {type: "replace", data: {text: "answer from a hook"}};
  return {type: "modified", data: {input: "[checked] " + text}};
}, async () => {
  console.log("modified input: " + userLine((await agent.execute("hello")).text));
  const s = await agent.execute("skip me");
  console.log("skip: '" + s.text + "' skipped " + s.skipped);
  console.log("cancel: " + message(await attempt(() => agent.execute("cancel me"))));
  console.log("replace: " + (await agent.execute("replace me")).text);
});

// AfterAgentExecution: replace and modified results
await withHook("AfterAgentExecution",
  (ctx) => ({type: "replace", data: {text: "replaced: " + userLine(ctx.data.result.text)}}),
  async () => { console.log("after replace: " + (await agent.execute("original")).text); });
await withHook("AfterAgentExecution", (ctx) => {
  const result = ctx.data.result;
  result.text = "modified: " + userLine(result.text);
  return {type: "modified", data: {result: result}};
}, async () => { console.log("after modified: " + (await agent.execute("second")).text); });

// BeforeProviderCall / AfterProviderCall fire around each model request
const calls = [];
const b = await Hook.register("BeforeProviderCall", (ctx) => {
  calls.push("before " + ctx.data.agent + " " + ctx.data.provider + " " + ctx.data.model);
});
const a = await Hook.register("AfterProviderCall", (ctx) => {
  calls.push("after " + ctx.data.finish_reason + " tokens:" + typeof ctx.data.usage.total_tokens);
});
await agent.execute("count the calls");
console.log("provider calls: " + calls.join(" | "));
await b.unregister(); await a.unregister();
await withHook("BeforeProviderCall", () => "cancel", async () => {
  console.log("provider cancel: " + (await attempt(() => agent.execute("x"))).name);
});

// AgentError: replace recovers from a failed call
const dead = await Agent.create({name: "dead", model: "dead/echo-model"});
await withHook("AgentError",
  (ctx) => ({type: "replace", data: {text: "fallback after " + ctx.data.error_kind}}),
  async () => { console.log("agent error replace: " + (await dead.execute("hi")).text); });

// an agent step of a workflow passes through the same hooks
await withHook("BeforeAgentExecution",
  (ctx) => ({type: "modified", data: {input: "from the step hook: " + inputText(ctx.data.input)}}),
  async () => {
    const wf = await Workflow.sequential({name: "conf-agent-hooks", steps: [{name: "ask", agent: agent, input: "{{input}}"}]});
    console.log("workflow step: " + userLine((await wf.execute("question")).outputs.ask.text));
  });

// the agent.* events (drained from the start of the spell)
const seen = [];
for (let e = await Event.receive(events, 0); e; e = await Event.receive(events, 0)) {
  const d = e.data;
  let extra = "";
  if (e.event_type === "agent.completed") extra = "(" + typeof d.duration_ms + ")";
  if (e.event_type === "agent.failed") extra = "(" + d.error_kind + ")";
  seen.push(e.event_type.slice(6) + ":" + d.agent + extra);
}
console.log("events: " + seen.join(" "));
