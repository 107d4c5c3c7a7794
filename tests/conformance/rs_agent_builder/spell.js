// rs-llmspell's agent builder and Agent functions, offline (no call reaches a model).
let agent;
try {
  agent = await Agent.builder()
    .name("analyst").description("Analyses data").type("llm")
    .model("ollama/llama3.2").temperature(0.3).maxTokens(200)
    .allowTool("calculator")
    .customConfig({system_prompt: "You are a data analyst.", max_conversation_length: 10, team: "blue"})
    .resourceLimits({max_execution_time_secs: 60, max_memory_mb: 256, max_tool_calls: 5, max_recursion_depth: 3})
    .build();
} catch (e) { print("build failed: " + e.message); throw e; }
const c = await agent.getConfig();
print("config: " + c.name + " " + c.model + " " + c.type + " " + c.system_prompt);
print("limits: " + c.resource_limits.max_execution_time_secs + " " + c.resource_limits.max_tool_calls
  + " " + c.resource_limits.max_memory_mb + " " + c.resource_limits.max_recursion_depth);
print("custom: " + c.custom_config.team + " " + c.max_conversation_length + " " + c.allowed_tools.join(","));
print("state: " + (await agent.getState()) + " has calculator: " + (await agent.hasTool("calculator")));
const m = await agent.getMetrics();
print("metrics: " + m.agent_id + " " + m.requests_total + " " + m.requests_failed);

const name = await Agent.register({
  name: "reporter", description: "Writes reports", agent_type: "llm",
  model: {provider: "ollama", model_id: "llama3.2", temperature: 0.2, max_tokens: 100, settings: {}},
  allowed_tools: [],
  custom_config: {system_prompt: "You write reports."},
  resource_limits: {max_execution_time_secs: 30, max_tool_calls: 2},
});
print("registered: " + name + " " + (await (await Agent.get(name)).getConfig()).resource_limits.max_tool_calls);
const info = await Agent.getInfo("reporter");
print("info: " + info.name + " " + info.model + " " + info.type);
const llm = await Agent.getInfo("llm");
print("type info: " + llm.name + " required " + llm.required_parameters.join(","));
print("unknown info: " + ((await Agent.getInfo("nobody")) === null ? "nil" : "?"));
print("discover: " + (await Agent.discover())[0].type);
const caps = await Agent.listCapabilities();
print("capabilities: " + (caps.analyst !== undefined) + " " + (caps.reporter !== undefined));
print("tool users: " + (await Agent.discoverByCapability("tool_use")).map(a => a.name).join(","));
print("listed: " + (await Agent.list()).length);
print("wrapped: " + (await Agent.wrapAsTool(agent, {name: "ask-analyst", description: "Ask the analyst"}))
  + " " + (await Tool.exists("ask-analyst")));

async function attempt(label, f) {
  try { await f(); print(label + ": ok"); }
  catch (e) { print(label + ": " + `${e.name}: ${e.message}`.match(/^(\w+Error: [^(]*)/)[1]); }
}
await attempt("bad limit", () => Agent.builder().model("ollama/x").resourceLimits({max_tool_call: 1}).build());
await attempt("zero calls", () => Agent.builder().model("ollama/x").resourceLimits({max_tool_calls: 0}).build());
await attempt("bad custom", () => Agent.builder().model("ollama/x").customConfig("x").build());
await attempt("register no model id", () => Agent.register({name: "x", model: {provider: "ollama"}}));
await attempt("wrap nobody", () => Agent.wrapAsTool("nobody"));
print("invoke_tool: " + (await agent.invokeTool("calculator", {input: "6*7"})).result.result
  + " meta: " + (await agent.getToolMetadata("calculator")).name + " " + ((await agent.getToolMetadata("uuid-generator")) === null ? "nil" : "?"));
await attempt("tool not allowed", () => agent.invokeTool("uuid-generator", {}));
