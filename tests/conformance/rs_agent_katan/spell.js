// An rs-llmspell style agent over real HTTP (llm-katan's echo model): builder with
// resource limits, try around build, invoke/execute with an object, .text checks, metrics.
let agent;
try {
  agent = await Agent.builder()
    .name("helper").type("llm")
    .model("katan/echo-model")
    .customConfig({system_prompt: "You are helpful."})
    .resourceLimits({max_execution_time_secs: 30, max_tool_calls: 2})
    .build();
} catch (e) {
  print("agent creation failed: " + e.message);
  throw e;
}
const result = await agent.invoke({text: "hello there", temperature: 0.5});
if (result && result.text) print("invoke: " + result.text.includes("hello there"));
else print("invoke failed");
const again = await agent.execute({text: "second"});
print("execute: " + again.text.includes("second") + " success field: " + (again.success === undefined ? "nil" : again.success));
const m = await agent.getMetrics();
print("metrics: " + m.requests_total + " " + m.requests_failed + " " + (m.total_tokens > 0));
print("configured limit: " + (await agent.getConfig()).resource_limits.max_execution_time_secs);
