// Agents over a real HTTP server (llm-katan's echo model): result shape, memory, reset.
for (const model of ["katan/echo-model", "katan_anthropic/echo-model"]) {
  const a = await Agent.create({name: "echo-" + model, model: model});
  const r = await a.execute("hello there");
  print(model, r.text.includes("User: hello there"), r.usage.total_tokens > 0,
        r.metadata.model === model, typeof r.metadata.execution_time_ms, r.finish_reason !== null);
  print("memory", (await a.execute("second")).text.includes("messages=3"));
  await a.reset();
  print("reset", (await a.execute("third")).text.includes("messages=1"));
}
